"""A Messenger-Platform webhook body (Messenger's ``page``, Instagram's ``instagram``) as Meta sends it,
with one typed message, quick-reply tap or postback: what the console posts for a simulated customer."""

from __future__ import annotations

import time
import uuid
from typing import Any

__all__ = ["messaging_delivery"]


def messaging_delivery(
    webhook_object: str, account_id: str, customer_id: str, kind: str, text: str, payload: str, title: str,
    *, mid_prefix: str,
) -> dict[str, Any]:
    """``{"object": webhook_object, "entry": [{"messaging": [one item]}]}`` from ``customer_id``.

    ``kind`` is ``text``, ``quick_reply`` or ``postback``; ``account_id`` is the Page or the
    Instagram professional account that receives it.
    """
    now_ms = int(time.time() * 1000)
    mid = f"{mid_prefix}{uuid.uuid4().hex}"
    item: dict[str, Any] = {"sender": {"id": customer_id}, "recipient": {"id": account_id}, "timestamp": now_ms}
    if kind == "postback":
        item["postback"] = {"mid": mid, "title": title or payload, "payload": payload}
    elif kind == "quick_reply":
        item["message"] = {"mid": mid, "text": title or text or payload, "quick_reply": {"payload": payload}}
    else:
        item["message"] = {"mid": mid, "text": text}
    return {"object": webhook_object, "entry": [{"id": account_id, "time": now_ms, "messaging": [item]}]}
