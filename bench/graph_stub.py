"""A fast fake Graph API in a process of its own (raw asyncio HTTP/1.1, keep-alive), for the benchmarks.

    python -m bench.graph_stub        # prints its port, then serves until killed

Every POST is answered at once as Meta answers a send (a message id). A customer-visible message
(not a typing indicator or a read mark) is counted for its recipient, with the wall-clock time
of its first and last arrival. ``GET /_stats`` answers ``{"messages": {recipient: [count, first,
last]}, "other": n, "cpu": s}``; ``POST /_reset`` forgets everything. Handling a call takes tens of
microseconds, so the fake API is never what limits a run (its CPU seconds are in the stats).
"""

from __future__ import annotations

import asyncio
import json
import time

from bench.rawhttp import serve

_messages: dict[str, list[float]] = {}
_other = 0


def recipient_of(body: dict) -> str:
    """Messenger ``recipient.id`` or WhatsApp ``to``."""
    recipient = body.get("recipient")
    return str(body.get("to") or (recipient.get("id") if isinstance(recipient, dict) else recipient) or "")


def is_message(body: dict) -> bool:
    """A customer-visible message, not a typing indicator or a read mark."""
    return "message" in body or (bool(body.get("type")) and body.get("status") != "read")


def handle(method: str, path: str, raw: bytes) -> tuple[int, bytes]:
    global _other
    if path.startswith("/_stats"):
        return 200, json.dumps({"messages": _messages, "other": _other, "cpu": time.process_time()}).encode()
    if path.startswith("/_reset"):
        _messages.clear()
        _other = 0
        return 200, b"{}"
    if method != "POST":
        return 404, b"{}"
    body = json.loads(raw or b"{}")
    now = time.time()
    if is_message(body):
        seen = _messages.setdefault(recipient_of(body), [0, now, now])
        seen[0] += 1
        seen[2] = now
    else:
        _other += 1
    recipient = recipient_of(body).encode()
    if "messaging_product" in body:  # WhatsApp's answer to a send, as Meta gives it
        return 200, (b'{"messaging_product":"whatsapp","contacts":[{"input":"%s","wa_id":"%s"}],'
                     b'"messages":[{"id":"wamid.fake"}]}' % (recipient, recipient))
    return 200, b'{"recipient_id":"%s","message_id":"m_fake"}' % recipient


def main() -> None:
    asyncio.run(serve(handle, ready=lambda port: print(port, flush=True)))


if __name__ == "__main__":
    main()
