"""Webhook deliveries as Meta sends them, signed, for the server benchmarks (no import from bot/ or tests/).

The shapes are those of ``tests/payloads/`` (one ``entry`` per call, ids as strings, Messenger
timestamps in milliseconds, WhatsApp's in seconds as strings). A WhatsApp contact carries Meta's
business-scoped ``user_id`` beside ``wa_id``: pywa 4 requires it; Dukkan reads ``wa_id``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

PAGE_ID = "1234567890"
WA_PHONE_ID = "106540352242922"
WA_BUSINESS_ID = "102290129340398"
_ids = itertools.count(1)


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` header of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def whatsapp_text(wa_id: str, text: str) -> bytes:
    message = {"from": wa_id, "id": f"wamid.BENCH{next(_ids):010d}", "timestamp": str(int(time.time())),
               "type": "text", "text": {"body": text}}
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "15550000000", "phone_number_id": WA_PHONE_ID},
             "contacts": [{"profile": {"name": "Customer"}, "wa_id": wa_id, "user_id": f"EG.{wa_id}"}],
             "messages": [message]}
    update = {"object": "whatsapp_business_account",
              "entry": [{"id": WA_BUSINESS_ID, "changes": [{"value": value, "field": "messages"}]}]}
    return json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()


def messenger_text(psid: str, text: str) -> bytes:
    now = int(time.time() * 1000)
    item = {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now,
            "message": {"mid": f"m_bench{next(_ids):010d}", "text": text}}
    update = {"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [item]}]}
    return json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()
