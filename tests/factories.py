"""Builders of real-shaped webhook deliveries, and a signed poster for the Flask test client.

Shapes follow tests/payloads/ (Meta's documentation and real traffic): one ``entry`` per call,
ids as strings, Messenger timestamps in milliseconds, WhatsApp timestamps as strings of seconds.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from bot.channels.meta.signature import sign

PAGE_ID = "1234567890"
WA_PHONE_ID = "106540352242922"
WA_BUSINESS_ID = "102290129340398"
_ids = itertools.count(1)


class Clock:
    """A clock the test moves by hand (``clock.now += 60``)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _mid(prefix: str) -> str:
    return f"{prefix}{next(_ids):08d}"


def now_ms() -> int:
    return int(time.time() * 1000)


def messenger(psid: str, item: dict[str, Any], *, time_ms: int | None = None) -> dict:
    """A Messenger delivery with one messaging item from ``psid``, sent now (or at ``time_ms``)."""
    time_ms = now_ms() if time_ms is None else time_ms
    item = {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": time_ms} | item
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": time_ms, "messaging": [item]}]}


def messenger_text(psid: str, text: str, *, mid: str | None = None) -> dict:
    return messenger(psid, {"message": {"mid": mid or _mid("m_"), "text": text}})


def messenger_quick_reply(psid: str, title: str, payload: str, *, mid: str | None = None) -> dict:
    return messenger(psid, {"message": {"mid": mid or _mid("m_"), "text": title, "quick_reply": {"payload": payload}}})


def messenger_postback(psid: str, payload: str, title: str = "", *, mid: str | None = None) -> dict:
    return messenger(psid, {"postback": {"mid": mid or _mid("m_"), "title": title or payload, "payload": payload}})


IG_ACCOUNT_ID = "17841405822304914"
#: The customer (IGSID) of the recorded Instagram payloads in tests/payloads/instagram/.
IG_RECORDED_CUSTOMER = "1254477777772919"


def instagram(igsid: str, item: dict[str, Any], *, time_ms: int | None = None) -> dict:
    """An Instagram delivery with one messaging item from ``igsid``, sent now (or at ``time_ms``)."""
    time_ms = now_ms() if time_ms is None else time_ms
    item = {"sender": {"id": igsid}, "recipient": {"id": IG_ACCOUNT_ID}, "timestamp": time_ms} | item
    return {"object": "instagram", "entry": [{"id": IG_ACCOUNT_ID, "time": time_ms, "messaging": [item]}]}


def instagram_text(igsid: str, text: str, *, mid: str | None = None) -> dict:
    return instagram(igsid, {"message": {"mid": mid or _mid("ig_"), "text": text}})


def as_customer(body: dict, customer: str, recorded: str = IG_RECORDED_CUSTOMER) -> dict:
    """A recorded delivery with its customer id ``recorded`` replaced by ``customer`` everywhere."""
    return json.loads(json.dumps(body, ensure_ascii=False).replace(f'"{recorded}"', json.dumps(customer)))


def whatsapp(wa_id: str, message: dict[str, Any], *, name: str = "Customer") -> dict:
    """A WhatsApp delivery with one message from ``wa_id``."""
    message = {"from": wa_id, "id": _mid("wamid.HBgM"), "timestamp": str(int(time.time()))} | message
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": WA_PHONE_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WA_BUSINESS_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def whatsapp_text(wa_id: str, text: str, *, wamid: str | None = None) -> dict:
    message = {"type": "text", "text": {"body": text}}
    return whatsapp(wa_id, message | ({"id": wamid} if wamid else {}))


def whatsapp_button(wa_id: str, reply_id: str, title: str = "") -> dict:
    interactive = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title or reply_id[:20]}}
    return whatsapp(wa_id, {"type": "interactive", "interactive": interactive})


def whatsapp_list(wa_id: str, row_id: str, title: str = "", description: str = "") -> dict:
    row = {"id": row_id, "title": title or row_id[:24], "description": description}
    return whatsapp(wa_id, {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": row}})


def refreshed(body: dict) -> dict:
    """A recorded delivery as if sent now: every numeric ``timestamp``/``time`` moved to the present.

    Recorded payloads are years old, and the bot never answers outside Meta's 24-hour window.
    Non-numeric values (the invalid-timestamp payload) are kept as they are.
    """
    def fresh(key: str, value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return walk(value)
        if key in ("timestamp", "time") and isinstance(value, (int, str)) and str(value).isdigit():
            in_ms = int(value) >= 1e12
            stamp = now_ms() if in_ms else int(time.time())
            return str(stamp) if isinstance(value, str) else stamp
        return value

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: fresh(key, value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(body)


def encode(body: dict | str | bytes) -> bytes:
    """The raw bytes Meta would send."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, ensure_ascii=False).encode()


def post_signed(client: Any, body: dict | str | bytes, secret: str, *, signature: str | None = None):
    """POST ``body`` to /webhook with a correct signature (or the one given)."""
    raw = encode(body)
    header = sign(raw, secret) if signature is None else signature
    headers = {"X-Hub-Signature-256": header, "Content-Type": "application/json"}
    return client.post("/webhook", data=raw, headers=headers)
