"""The console's simulated customer: a real-shaped delivery, signed and posted to ``/webhook``.

:func:`build_delivery` writes a Messenger or WhatsApp webhook body with one message or button
press; :func:`post_signed` signs it with the app secret and posts it to ``/webhook`` inside the
process, so it goes through signature verification, parsing and the durable inbox like any
delivery from Meta. :func:`event_views` and :func:`understanding` say what became of it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask import current_app

from bot.channels import parse_delivery
from bot.channels.signature import sign

__all__ = ["CONSOLE_PAGE_ID", "CONSOLE_PHONE_ID", "build_delivery", "event_views", "post_signed", "understanding"]

# The console's logger, whichever of its modules writes the line.
log = logging.getLogger("bot.web.admin")

CONSOLE_PAGE_ID = "100000000000000"
CONSOLE_PHONE_ID = "100000000000001"
CONTEXTS = ("none", "after_results", "after_details")


@dataclasses.dataclass(frozen=True)
class Posted:
    """What ``/webhook`` answered to a simulated delivery, and exactly what was sent."""

    status: int
    answer: str
    raw: bytes
    signature: str


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


def post_signed(delivery: dict[str, Any], app_secret: str) -> Posted:
    """Sign ``delivery`` with ``app_secret`` and post it to this app's ``/webhook``."""
    raw = json.dumps(delivery, ensure_ascii=False).encode()
    signature = sign(raw, app_secret)
    response = current_app.test_client(use_cookies=False).post(
        "/webhook", data=raw, headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
    )
    return Posted(response.status_code, response.get_data(as_text=True), raw, signature)


def event_views(delivery: dict[str, Any], inbox: Any) -> list[dict[str, Any]]:
    """The events parsed from ``delivery``, without ``raw``, each with its inbox state."""
    return [_event_view(event, inbox) for event in parse_delivery(delivery)]


def _event_view(event: Any, inbox: Any) -> dict[str, Any]:
    view = event.to_dict()
    view.pop("raw", None)
    view["dedupe_key"] = event.dedupe_key
    view["inbox_state"] = inbox.state_of(event.dedupe_key)
    return view


def understanding(sessions: Any, platform: str, customer_id: str, kind: str, text: str, payload: str) -> dict[str, Any]:
    """What the NLU makes of typed text; button presses are routed by payload instead."""
    if kind != "text":
        return {"route": "payload", "payload": payload}
    try:
        from bot.nlu import understand
    except ImportError:
        return {"route": "text", "available": False, "error": "bot.nlu.understand is not available"}
    context = _context(sessions.load(platform, customer_id))
    try:
        result = understand(text, context)
    except Exception as exc:  # the console must keep working while the matcher misbehaves
        log.exception("understand failed in the console")
        return {"route": "text", "context": context, "error": f"{type(exc).__name__}: {exc}"}
    return {"route": "text", "context": context} | _understanding_fields(result)


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


def _understanding_fields(result: Any) -> dict[str, Any]:
    """An NLU result (to_dict, dataclass, mapping or plain object) as a dict of its fields."""
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    if isinstance(result, Mapping):
        return dict(result)
    return {name: getattr(result, name, None) for name in ("intent", "confidence", "slots")}
