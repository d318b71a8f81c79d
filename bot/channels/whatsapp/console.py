"""A WhatsApp Cloud API webhook body as Meta sends it, with one typed text, reply-button or list-row
tap: what the console posts for a simulated WhatsApp customer."""

from __future__ import annotations

import time
import uuid
from typing import Any

__all__ = ["CONSOLE_PHONE_ID", "console_delivery"]

CONSOLE_PHONE_ID = "100000000000001"


def console_delivery(customer_id: str, kind: str, text: str = "", payload: str = "", title: str = "",
                     description: str = "", settings: Any = None) -> dict[str, Any]:
    """A ``whatsapp_business_account`` delivery from ``customer_id`` (a wa_id).

    ``kind`` is ``text``, ``button_reply`` or ``list_reply`` (``payload`` is the button or row id);
    the phone number id is the configured one, else the console's.
    """
    phone_id = str(getattr(settings, "whatsapp_phone_number_id", "") or CONSOLE_PHONE_ID)
    message: dict[str, Any] = {"from": customer_id, "id": f"wamid.console.{uuid.uuid4().hex}",
                               "timestamp": str(int(time.time()))}
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
        "contacts": [{"profile": {"name": "Console customer"}, "wa_id": customer_id}],
        "messages": [message],
    }
    change = {"value": value, "field": "messages"}
    return {"object": "whatsapp_business_account", "entry": [{"id": CONSOLE_PHONE_ID, "changes": [change]}]}
