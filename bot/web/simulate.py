"""The console's simulated customer: a real-shaped delivery, signed and posted to ``/webhook``.

:func:`build_delivery` asks the platform's channel (its ``console.build``) for a webhook body with
one message or button press; :func:`post_signed` signs it with the app secret and posts it to
``/webhook`` inside the process, so it goes through signature verification, parsing and the
durable inbox like any delivery from Meta. :func:`event_views` and :func:`understanding` say what
became of it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app

from bot.channels import parse_delivery, sign
from bot.channels.registry import channel

__all__ = ["build_delivery", "event_views", "post_signed", "understanding"]

# The console's logger, whichever of its modules writes the line.
log = logging.getLogger("bot.web.admin")

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
    description: str = "", settings: Any = None,
) -> dict[str, Any]:
    """A webhook body as Meta sends it, with one message or button press from ``customer_id``.

    ``kind`` is one of the channel's ``console.presses`` (``text``, ``postback``, ``quick_reply``
    on Messenger and Instagram; ``text``, ``button_reply``, ``list_reply`` on WhatsApp; ``payload``
    is the button or row id). ``settings`` gives the configured account ids, when there are some.
    """
    return channel(platform).console.build(customer_id, kind, text, payload, title, description, settings)


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
