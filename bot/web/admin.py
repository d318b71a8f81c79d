"""The admin console (``/console``) and its JSON API (``/admin/api/...``).

Who may use them (login, session cookie, CSRF, the limit on wrong tokens) is :mod:`bot.web.console_auth`,
attached to this blueprint. The console tests the bot as a customer would:
``POST /admin/api/simulate`` posts a signed, real-shaped delivery to ``/webhook``
(:mod:`bot.web.simulate`); the replies are read back from the console outbox.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from bot.channels.registry import channel, channels
from bot.logs import mask_recipient
from bot.web import console_auth, console_insights
from bot.web.order_labels import LANGUAGES, labelled
from bot.web.simulate import build_delivery, event_views, post_signed, understanding

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/console/static")
console_auth.attach(bp)
console_insights.attach(bp)   # the owner's insights and the staff's live news

CUSTOMER_ID = re.compile(r"^[\w.:+-]{1,64}$")
MAX_TEXT = 4096
KINDS = {str(found.platform): found.console.presses for found in channels()}


class ApiError(Exception):
    """A refused API request: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _services() -> Any:
    return current_app.extensions["dukkan"]


@bp.context_processor
def _shop() -> dict[str, Any]:
    """The shop's names for every console page (title, brand, the phone's header), from its profile."""
    try:
        info = _services().store.info()
        names = {"ar": info.name_ar or info.name_en, "en": info.name_en or info.name_ar}
    except Exception:  # a page never fails for its title
        names = {"ar": "دكان", "en": "Dukkan"}
    return {"shop": names, "shop_initial": (names["ar"] or "د")[:1]}


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[Response, int]:
    return jsonify(error=str(exc)), exc.status


# ---- pages ------------------------------------------------------------------------------------


@bp.get("/console")
def console() -> str:
    services = _services()
    return render_template(
        "console.html",
        csrf_token=console_auth.csrf_token(),
        send_mode=services.settings.send_mode,
        statuses=_order_statuses(),
        channels=[_console_view(str(found.platform), found.console) for found in channels()],
    )


def _console_view(platform: str, console: Any) -> dict[str, Any]:
    """What the console page needs of a channel: its tab, its phone's look, a new customer's id."""
    return {"platform": platform, "label": console.label, "subtitle": console.subtitle, "look": console.look,
            "customer_prefix": console.customer_prefix, "customer_digits": console.customer_digits}


@bp.get("/admin")
@bp.get("/admin/")
def admin_home() -> WerkzeugResponse:
    return redirect(url_for("admin.console"))


# ---- simulate ---------------------------------------------------------------------------------


@bp.post("/admin/api/simulate")
def simulate() -> Response:
    """Post a signed delivery from a customer to ``/webhook``; answer what happened to it.

    Only with ``SEND_MODE=console``: in graph mode the replies would go out to real people.
    """
    services = _services()
    if services.settings.send_mode != "console":
        raise ApiError("simulating customers needs SEND_MODE=console: in graph mode replies are really sent", 409)
    platform, customer_id, kind, fields = _simulated_message(_json_body())
    delivery = build_delivery(platform, customer_id, kind=kind, settings=services.settings, **fields)
    posted = post_signed(delivery, services.settings.meta_app_secret)
    events = event_views(delivery, services.inbox)
    return jsonify(
        status=posted.status,
        webhook=posted.answer,
        events=events,
        delivery=delivery,
        raw=posted.raw.decode(),
        signature=posted.signature,
        understanding=understanding(
            services.pipeline.sessions, platform, customer_id, kind, fields["text"], fields["payload"]
        ),
    )


def _simulated_message(body: Mapping[str, Any]) -> tuple[str, str, str, dict[str, str]]:
    """Platform, customer, kind and the text fields of a simulate request; ApiError when invalid."""
    platform, customer_id = _customer(body)
    fields = {name: _text(body.get(name), name) for name in ("text", "payload", "title")}
    if not fields["text"] and not fields["payload"]:
        raise ApiError("give text or payload")
    kind = str(body.get("kind") or (channel(platform).console.press if fields["payload"] else "text"))
    if kind not in KINDS[platform]:
        raise ApiError(f"kind must be one of {', '.join(KINDS[platform])} on {platform}")
    fields["description"] = _text(body.get("description"), "description")
    return platform, customer_id, kind, fields


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
    """Store client, inbox, outbox, sender and alarms, with the newest dead letters.

    ``waiting`` counts the customers whose next event waits for a retry (a Graph outage, a
    paused channel), with the longest waiting of them, masked; ``sender.outages`` and
    ``sender.paused`` say which platform is unreachable since when, or paused and why.
    """
    services = _services()
    report = services.status()
    report["outbox"] = services.pipeline.outbox.counts()
    report["dead_letters"] = [_dead_letter(row) for row in services.inbox.dead_letters(limit=20)]
    report["waiting"] = _waiting(services.inbox.waiting(limit=20))
    report["handoffs_open"] = len(services.handoffs.list_open())
    report["send_mode"] = services.settings.send_mode
    return jsonify(report)


def _waiting(found: Mapping[str, Any]) -> dict[str, Any]:
    """The inbox's waiting customers with their ids masked."""
    sample = [
        {"customer": mask_customer(item["customer_key"]), "since": item["since"], "events": item["events"]}
        for item in found["sample"]
    ]
    return {"customers": found["customers"], "sample": sample}


def mask_customer(customer_key: str) -> str:
    """``whatsapp:…4567``: enough to tell customers apart, never a whole phone number or PSID."""
    platform, _, customer_id = customer_key.partition(":")
    return f"{platform}:{mask_recipient(customer_id)}"


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
    lang, info = _labels_lang(), _store_info()
    return jsonify(orders=[labelled(order.to_dict(), lang, info) for order in found], statuses=list(_order_statuses()))


@bp.get("/admin/api/orders/<number>")
def order(number: str) -> Response:
    found = _services().orders.get(number)
    if found is None:
        raise ApiError(f"no order {number}", 404)
    return jsonify(labelled(found.to_dict(), _labels_lang(), _store_info()))


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
    return jsonify(labelled(changed.to_dict(), _labels_lang(), _store_info()))


def _labels_lang() -> str:
    """The staff's language for order labels: ``?lang=en|ar`` (the console sends its own), else English."""
    lang = request.args.get("lang") or "en"
    if lang not in LANGUAGES:
        raise ApiError(f"lang must be one of {', '.join(LANGUAGES)}")
    return lang


def _store_info() -> Any:
    """The shop's profile (governorate names), or None when the store cannot say: labels fall back to keys."""
    try:
        return _services().store.info()
    except Exception:
        log.warning("orders: no shop profile for labels", exc_info=True)
        return None


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
        raise ApiError(f"platform must be one of {', '.join(KINDS)}")
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
