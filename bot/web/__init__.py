"""The Flask edge: thin views over the services in ``current_app.extensions["dukkan"]``."""

from __future__ import annotations

from typing import Any

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

SESSIONLESS_PATHS = frozenset({"/webhook"})


class ConsoleSessions(SecureCookieSessionInterface):
    """The console's signed cookie sessions, never opened for Meta's deliveries: ``/webhook``
    gets Flask's null session (nothing read, signed or set; writing to it raises)."""

    def open_session(self, app: Any, request: Any) -> SecureCookieSession | None:
        if request.path in SESSIONLESS_PATHS:
            return None
        return super().open_session(app, request)
