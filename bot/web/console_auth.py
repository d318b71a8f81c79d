"""Who may use the admin console: login, logout, the session cookie, CSRF and the guess limit.

Access needs ``ADMIN_TOKEN``: people log in with it once and get a signed session cookie
(HttpOnly, SameSite=Strict); scripts send ``Authorization: Bearer <token>``. Every POST made
with the cookie carries the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``). Wrong tokens, at the login form or in a Bearer header, are counted per client
address for every process (:mod:`bot.web.failed_auth`); over the limit they get 429, while the
right token still works.

This module owns no blueprint: :func:`attach` puts its guard, headers and the login/logout
routes on the console's ``admin`` blueprint, so every URL and endpoint name stays ``admin.*``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

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
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.web.failed_auth import retry_after, token_matches, wrong_token

__all__ = ["CSRF_HEADER", "attach", "csrf_token"]

# The console's logger, whichever of its modules writes the line.
log = logging.getLogger("bot.web.admin")

PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
CSRF_HEADER = "X-CSRF-Token"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: http: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def attach(bp: Blueprint) -> None:
    """Guard ``bp`` (login, CSRF), add its security headers and its login/logout routes."""
    bp.record_once(_setup)
    bp.before_request(_guard)
    bp.after_request(_headers)
    bp.add_url_rule("/console/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/console/logout", "logout", logout, methods=["POST"])


def _setup(state: Any) -> None:
    """Session cookie settings, once per app."""
    settings = state.app.extensions["dukkan"].settings
    state.app.config.update(
        SESSION_COOKIE_NAME="dukkan_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )


# ---- tokens -----------------------------------------------------------------------------------


def _token_matches(candidate: str) -> bool:
    return token_matches(candidate, current_app.extensions["dukkan"].settings.admin_token)


def _bearer() -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None without one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def _authenticated() -> str | None:
    """``"bearer"``, ``"session"`` or None. A Bearer header is judged alone, never with the cookie."""
    token = _bearer()
    if token is not None:
        return "bearer" if _token_matches(token) else None
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
    if via is None and _bearer() is not None:
        wait = wrong_token("admin token (Authorization header)")
        if wait > 0:
            body = jsonify(error="too many failed attempts") if api else "Too many failed attempts.\n"
            return body, 429, retry_after(wait)
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
    if not _csrf_ok():
        return _login_error("The form expired. Please try again.", 403)
    if not _token_matches(request.form.get("token", "")):
        wait = wrong_token("console login token")
        if wait > 0:
            page, status = _login_error("Too many attempts. Wait a few minutes and try again.", 429)
            return page, status, retry_after(wait)
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


def logout() -> WerkzeugResponse:
    session.clear()
    return redirect(url_for("admin.login"))
