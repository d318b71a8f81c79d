"""The admin console (``/console``) and its JSON API (``/admin/api/...``).

Access needs ``ADMIN_TOKEN``: people log in with it once and get a signed session cookie
(HttpOnly, SameSite=Strict); scripts send ``Authorization: Bearer <token>``. Every POST made
with the cookie carries the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``). Failed logins are counted per client address and refused for a while.

The console tests the bot as a customer would: ``POST /admin/api/simulate`` builds a real-shaped
Messenger or WhatsApp delivery, signs it with the app secret and posts it to ``/webhook`` inside
the process, so it goes through signature verification, parsing and the durable inbox like any
delivery from Meta. The replies are read back from the console outbox.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import logging
import re
import secrets
import threading
import time
import uuid
from typing import Any, Callable, Mapping
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

from bot.channels import parse_delivery
from bot.channels.signature import sign

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/console/static")

PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
CSRF_HEADER = "X-CSRF-Token"
CONSOLE_PAGE_ID = "100000000000000"
CONSOLE_PHONE_ID = "100000000000001"
CUSTOMER_ID = re.compile(r"^[\w.:+-]{1,64}$")
MAX_TEXT = 4096
CONTEXTS = ("none", "after_results", "after_details")
KINDS = {
    "messenger": ("text", "quick_reply", "postback"),
    "whatsapp": ("text", "button_reply", "list_reply"),
}
DEFAULT_PRESS = {"messenger": "postback", "whatsapp": "button_reply"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: http: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class ApiError(Exception):
    """A refused API request: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


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


@bp.record_once
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
    state.app.extensions["dukkan.console"] = LoginLimiter()


def _services() -> Any:
    return current_app.extensions["dukkan"]


# ---- access -----------------------------------------------------------------------------------


def _token_matches(candidate: str) -> bool:
    expected = _services().settings.admin_token
    return bool(expected) and hmac.compare_digest(candidate.encode(), expected.encode())


def _authenticated() -> str | None:
    """``"bearer"``, ``"session"`` or None. A Bearer header is judged alone, never with the cookie."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "bearer" if _token_matches(header[7:].strip()) else None
    return "session" if session.get("admin") is True else None


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


@bp.before_request
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


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[Response, int]:
    return jsonify(error=str(exc)), exc.status


# ---- pages ------------------------------------------------------------------------------------


@bp.route("/console/login", methods=["GET", "POST"])
def login() -> Any:
    """The token form; a right token opens a fresh session and goes to the console."""
    if request.method == "GET":
        return render_template("login.html", csrf_token=_csrf_token(), error=None)
    limiter: LoginLimiter = current_app.extensions["dukkan.console"]
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
    return render_template("login.html", csrf_token=_csrf_token(), error=message), status


def _safe_next(target: str) -> str:
    """Only a console path after logging in (never ``//host``, a backslash trick or a full URL)."""
    parts = urlsplit(target)
    if target.startswith(("/console", "/admin")) and "\\" not in target and not parts.netloc and not parts.scheme:
        return target
    return url_for("admin.console")


@bp.post("/console/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/console")
def console() -> str:
    services = _services()
    return render_template(
        "console.html",
        csrf_token=_csrf_token(),
        send_mode=services.settings.send_mode,
        statuses=_order_statuses(),
    )


@bp.get("/admin")
@bp.get("/admin/")
def admin_home() -> Response:
    return redirect(url_for("admin.console"))


# ---- simulate ---------------------------------------------------------------------------------


@bp.post("/admin/api/simulate")
def simulate() -> Response:
    """Post a signed delivery from a customer to ``/webhook``; answer what happened to it.

    Only with ``SEND_MODE=console``: in graph mode the replies would go out to real people.
    """
    if _services().settings.send_mode != "console":
        raise ApiError("simulating customers needs SEND_MODE=console: in graph mode replies are really sent", 409)
    body = _json_body()
    platform, customer_id = _customer(body)
    text = _text(body.get("text"), "text")
    payload = _text(body.get("payload"), "payload")
    title = _text(body.get("title"), "title")
    if not text and not payload:
        raise ApiError("give text or payload")
    kind = str(body.get("kind") or (DEFAULT_PRESS[platform] if payload else "text"))
    if kind not in KINDS[platform]:
        raise ApiError(f"kind must be one of {', '.join(KINDS[platform])} on {platform}")
    description = _text(body.get("description"), "description")
    phone_id = _services().settings.whatsapp_phone_number_id or CONSOLE_PHONE_ID
    delivery = build_delivery(
        platform, customer_id, kind=kind, text=text, payload=payload, title=title, description=description,
        phone_number_id=phone_id,
    )
    raw = json.dumps(delivery, ensure_ascii=False).encode()
    signature = sign(raw, _services().settings.meta_app_secret)
    response = current_app.test_client(use_cookies=False).post(
        "/webhook", data=raw, headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
    )
    events = [_event_view(event) for event in parse_delivery(delivery)]
    return jsonify(
        status=response.status_code,
        webhook=response.get_data(as_text=True),
        events=events,
        delivery=delivery,
        raw=raw.decode(),
        signature=signature,
        understanding=_understanding(platform, customer_id, kind, text, payload),
    )


def build_delivery(
    platform: str, customer_id: str, *, kind: str, text: str = "", payload: str = "", title: str = "",
    description: str = "", phone_number_id: str = CONSOLE_PHONE_ID,
) -> dict[str, Any]:
    """A webhook body as Meta sends it, with one message or button press from ``customer_id``.

    ``kind`` is ``text``, ``postback`` or ``quick_reply`` on Messenger; ``text``,
    ``button_reply`` or ``list_reply`` on WhatsApp (``payload`` is the button or row id).
    """
    if platform == "messenger":
        return _messenger_delivery(customer_id, kind, text, payload, title)
    return _whatsapp_delivery(customer_id, kind, text, payload, title, description, phone_number_id)


def _messenger_delivery(psid: str, kind: str, text: str, payload: str, title: str) -> dict[str, Any]:
    now_ms = int(time.time() * 1000)
    mid = f"m_console_{uuid.uuid4().hex}"
    item: dict[str, Any] = {"sender": {"id": psid}, "recipient": {"id": CONSOLE_PAGE_ID}, "timestamp": now_ms}
    if kind == "postback":
        item["postback"] = {"mid": mid, "title": title or payload, "payload": payload}
    elif kind == "quick_reply":
        item["message"] = {"mid": mid, "text": title or text or payload, "quick_reply": {"payload": payload}}
    else:
        item["message"] = {"mid": mid, "text": text}
    return {"object": "page", "entry": [{"id": CONSOLE_PAGE_ID, "time": now_ms, "messaging": [item]}]}


def _whatsapp_delivery(
    wa_id: str, kind: str, text: str, payload: str, title: str, description: str, phone_id: str
) -> dict[str, Any]:
    message: dict[str, Any] = {"from": wa_id, "id": f"wamid.console.{uuid.uuid4().hex}", "timestamp": str(int(time.time()))}
    if kind == "text":
        message |= {"type": "text", "text": {"body": text}}
    else:
        reply = {"id": payload, "title": title or payload}
        if kind == "list_reply" and description:
            reply["description"] = description
        message |= {"type": "interactive", "interactive": {"type": kind, kind: reply}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_id},
        "contacts": [{"profile": {"name": "Console customer"}, "wa_id": wa_id}],
        "messages": [message],
    }
    change = {"value": value, "field": "messages"}
    return {"object": "whatsapp_business_account", "entry": [{"id": CONSOLE_PHONE_ID, "changes": [change]}]}


def _event_view(event: Any) -> dict[str, Any]:
    view = event.to_dict()
    view.pop("raw", None)
    view["dedupe_key"] = event.dedupe_key
    view["inbox_state"] = _services().inbox.state_of(event.dedupe_key)
    return view


def _understanding(platform: str, customer_id: str, kind: str, text: str, payload: str) -> dict[str, Any]:
    """What the NLU makes of typed text; button presses are routed by payload instead."""
    if kind != "text":
        return {"route": "payload", "payload": payload}
    try:
        from bot.nlu import understand
    except ImportError:
        return {"route": "text", "available": False, "error": "bot.nlu.understand is not available"}
    session_doc = _services().pipeline.sessions.load(platform, customer_id)
    context = _context(session_doc)
    try:
        result = understand(text, context)
    except Exception as exc:  # the console must keep working while the matcher misbehaves
        log.exception("understand failed in the console")
        return {"route": "text", "context": context, "error": f"{type(exc).__name__}: {exc}"}
    return {"route": "text", "context": context} | _plain(result)


def _context(session_doc: Mapping[str, Any]) -> str:
    """The NLU context the dialog would use, from the customer's session document."""
    stated = session_doc.get("context")
    if stated in CONTEXTS:
        return stated
    if session_doc.get("last_product"):
        return "after_details"
    if session_doc.get("last_results"):
        return "after_results"
    return "none"


def _plain(result: Any) -> dict[str, Any]:
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    if isinstance(result, Mapping):
        return dict(result)
    return {name: getattr(result, name, None) for name in ("intent", "confidence", "slots")}


# ---- conversations ----------------------------------------------------------------------------


@bp.get("/admin/api/conversation")
def conversation() -> Response:
    """What a customer wrote (from the inbox) and was sent (the outbox), after the given ids."""
    services = _services()
    platform, customer_id = _customer(request.args)
    after = _int_arg("after")
    after_inbound = _int_arg("after_inbound")
    key = f"{platform}:{customer_id}"
    return jsonify(
        platform=platform,
        customer_id=customer_id,
        messages=services.pipeline.outbox.conversation(platform, customer_id, after_id=after),
        inbound=services.inbox.inbound(key, after_inbound),
        pending=services.inbox.unfinished(key),
        session=services.pipeline.sessions.load(platform, customer_id),
        handoff=services.handoffs.current(platform, customer_id),
    )


@bp.get("/admin/api/customers")
def customers() -> Response:
    """The most recently active customers of both platforms."""
    sessions = _services().pipeline.sessions.all(limit=50)
    return jsonify(
        customers=[
            {key: item[key] for key in ("platform", "customer_id", "last_inbound", "updated_at")} for item in sessions
        ]
    )


# ---- status and dead letters ------------------------------------------------------------------


@bp.get("/admin/api/status")
def status() -> Response:
    """Store client, inbox, outbox, sender and alarms, with the newest dead letters."""
    services = _services()
    report = services.status()
    report["outbox"] = services.pipeline.outbox.counts()
    report["dead_letters"] = [_dead_letter(row) for row in services.inbox.dead_letters(limit=20)]
    report["handoffs_open"] = len(services.handoffs.list_open())
    report["send_mode"] = services.settings.send_mode
    return jsonify(report)


def _dead_letter(row: Mapping[str, Any]) -> dict[str, Any]:
    event = row.get("event") or {}
    return {
        "id": row["id"],
        "kind": row["kind"],
        "customer": row["customer_key"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "created_at": row["created_at"],
        "text": event.get("text", ""),
        "payload": event.get("payload", ""),
    }


@bp.post("/admin/api/inbox/<int:event_id>/retry")
def retry_dead_letter(event_id: int) -> Response:
    """Put a dead letter back in the queue."""
    services = _services()
    if not services.inbox.retry_dead(event_id):
        raise ApiError(f"event {event_id} is not a dead letter", 404)
    services.wake_workers()
    return jsonify(retried=True, id=event_id)


# ---- orders -----------------------------------------------------------------------------------


def _order_statuses() -> tuple[str, ...]:
    from bot.storage.orders import STATUSES

    return STATUSES


@bp.get("/admin/api/orders")
def orders() -> Response:
    wanted = request.args.get("status") or None
    if wanted and wanted not in _order_statuses():
        raise ApiError(f"status must be one of {', '.join(_order_statuses())}")
    found = _services().orders.list(wanted)
    return jsonify(orders=[order.to_dict() for order in found], statuses=list(_order_statuses()))


@bp.get("/admin/api/orders/<number>")
def order(number: str) -> Response:
    found = _services().orders.get(number)
    if found is None:
        raise ApiError(f"no order {number}", 404)
    return jsonify(found.to_dict())


@bp.post("/admin/api/orders/<number>/status")
def order_status(number: str) -> Response:
    """Change an order's status: ``{"status": "shipped"}``."""
    wanted = _json_body().get("status")
    if wanted not in _order_statuses():
        raise ApiError(f"status must be one of {', '.join(_order_statuses())}")
    changed = _services().orders.set_status(number, wanted)
    if changed is None:
        raise ApiError(f"no order {number}", 404)
    log.info("order %s set to %s from the console", changed.number, wanted)
    return jsonify(changed.to_dict())


# ---- hand-offs --------------------------------------------------------------------------------


@bp.get("/admin/api/handoffs")
def handoffs() -> Response:
    return jsonify(handoffs=_services().handoffs.list_open())


@bp.post("/admin/api/handoffs/release")
def release_handoff() -> Response:
    """Give a customer back to the bot: ``{"platform": ..., "customer_id": ...}``."""
    platform, customer_id = _customer(_json_body())
    released = _services().handoffs.release(platform, customer_id, by="console")
    if not released:
        raise ApiError(f"no open hand-off for {platform}:{customer_id}", 404)
    log.info("hand-off of %s:%s released from the console", platform, customer_id)
    return jsonify(released=True, platform=platform, customer_id=customer_id)


# ---- request parsing --------------------------------------------------------------------------


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError("send a JSON object")
    return body


def _customer(source: Mapping[str, Any]) -> tuple[str, str]:
    platform = str(source.get("platform") or "")
    if platform not in KINDS:
        raise ApiError("platform must be messenger or whatsapp")
    customer_id = str(source.get("customer_id") or "").strip()
    if not CUSTOMER_ID.match(customer_id):
        raise ApiError("customer_id must be 1-64 letters, digits or . _ : + -")
    return platform, customer_id


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(f"{name} must be a string")
    if len(value) > MAX_TEXT:
        raise ApiError(f"{name} is longer than {MAX_TEXT} characters")
    return value


def _int_arg(name: str) -> int:
    value = request.args.get(name, "0") or "0"
    if not value.isdigit():
        raise ApiError(f"{name} must be a non-negative integer")
    return int(value)
