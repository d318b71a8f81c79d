"""Who may use the admin console: login, logout, the session cookie, CSRF and the login limit.

Access needs ``ADMIN_TOKEN``: people log in with it once and get a signed session cookie
(HttpOnly, SameSite=Strict); scripts send ``Authorization: Bearer <token>``. Every POST made
with the cookie carries the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``). Failed logins are counted per client address and refused for a while.

This module owns no blueprint: :func:`attach` puts its guard, headers and the login/logout
routes on the console's ``admin`` blueprint, so every URL and endpoint name stays ``admin.*``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from typing import Any, Callable
from urllib.parse import urlsplit

from cachetools import TTLCache
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

__all__ = ["CSRF_HEADER", "LoginLimiter", "attach", "csrf_token"]

# The console's logger, whichever of its modules writes the line.
log = logging.getLogger("bot.web.admin")

PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
CSRF_HEADER = "X-CSRF-Token"
LIMITER_KEY = "dukkan.console"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: http: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class LoginLimiter:
    """Failed logins per client address; ``limit`` failures lock it out for ``window_s``.

    The counters live in a cachetools ``TTLCache``, so a quiet address is forgotten by itself
    (each failure restarts its window). Per process, like every cache here.
    """

    def __init__(self, limit: int = 5, window_s: float = 300.0, *, timer: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._failures: TTLCache = TTLCache(maxsize=10_000, ttl=window_s, timer=timer)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe

    def blocked(self, address: str) -> bool:
        with self._lock:
            return self._failures.get(address, 0) >= self.limit

    def failed(self, address: str) -> None:
        with self._lock:
            self._failures[address] = self._failures.get(address, 0) + 1


def attach(bp: Blueprint) -> None:
    """Guard ``bp`` (login, CSRF), add its security headers and its login/logout routes."""
    bp.record_once(_setup)
    bp.before_request(_guard)
    bp.after_request(_headers)
    bp.add_url_rule("/console/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/console/logout", "logout", logout, methods=["POST"])


def _setup(state: Any) -> None:
    """Session cookie settings and the login limiter, once per app."""
    settings = state.app.extensions["dukkan"].settings
    state.app.config.update(
        SESSION_COOKIE_NAME="dukkan_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )
    state.app.extensions[LIMITER_KEY] = LoginLimiter()


# ---- tokens -----------------------------------------------------------------------------------


def _token_matches(candidate: str) -> bool:
    expected = current_app.extensions["dukkan"].settings.admin_token
    return bool(expected) and hmac.compare_digest(candidate.encode(), expected.encode())


def _authenticated() -> str | None:
    """``"bearer"``, ``"session"`` or None. A Bearer header is judged alone, never with the cookie."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "bearer" if _token_matches(header[7:].strip()) else None
    return "session" if session.get("admin") is True else None


def csrf_token() -> str:
    """The session's CSRF token (made on first use) for forms and the console's requests."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


# ---- request hooks ----------------------------------------------------------------------------


def _guard() -> Any:
    """Refuse everything but the login page and static files without a login; check CSRF."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    api = request.path.startswith("/admin/api/")
    via = _authenticated()
    if via is None:
        if api:
            return jsonify(error="login required"), 401
        return redirect(url_for("admin.login", next=request.path if request.method == "GET" else None))
    if request.method not in ("GET", "HEAD", "OPTIONS") and via == "session" and not _csrf_ok():
        log.warning("console POST %s refused: bad CSRF token", request.path)
        return (jsonify(error="bad CSRF token"), 403) if api else ("bad CSRF token", 403)
    return None


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    return response


# ---- login and logout -------------------------------------------------------------------------


def login() -> Any:
    """The token form; a right token opens a fresh session and goes to the console."""
    if request.method == "GET":
        return render_template("login.html", csrf_token=csrf_token(), error=None)
    limiter: LoginLimiter = current_app.extensions[LIMITER_KEY]
    address = request.remote_addr or "unknown"
    if limiter.blocked(address):
        log.warning("console login refused for %s: too many attempts", address)
        return _login_error("Too many attempts. Wait a few minutes and try again.", 429)
    if not _csrf_ok():
        return _login_error("The form expired. Please try again.", 403)
    if not _token_matches(request.form.get("token", "")):
        limiter.failed(address)
        log.warning("console login failed from %s", address)
        return _login_error("That token is not right.", 401)
    session.clear()
    session.permanent = True
    session["admin"] = True
    session["csrf"] = secrets.token_urlsafe(32)
    return redirect(_safe_next(request.args.get("next", "")))


def _login_error(message: str, status: int) -> tuple[str, int]:
    return render_template("login.html", csrf_token=csrf_token(), error=message), status


def _safe_next(target: str) -> str:
    """Only a console path after logging in (never ``//host``, a backslash trick or a full URL)."""
    parts = urlsplit(target)
    if target.startswith(("/console", "/admin")) and "\\" not in target and not parts.netloc and not parts.scheme:
        return target
    return url_for("admin.console")


def logout() -> Response:
    session.clear()
    return redirect(url_for("admin.login"))
