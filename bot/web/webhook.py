"""``/webhook``: Meta's verification handshake and the event deliveries of both platforms.

A delivery is verified over its raw bytes, parsed, and durably accepted into the inbox before
the 200; the work happens in the inbox workers, so Meta gets its answer in milliseconds.
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, Response, current_app, request

from bot.channels import parse_delivery
from bot.channels.signature import verify
from bot.errors import PayloadError, SignatureError, StorageError

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)


@bp.get("/webhook")
def verify_subscription() -> Response:
    """Answer Meta's ``hub.challenge`` when the mode and the verify token are right."""
    services = current_app.extensions["dukkan"]
    mode = request.args.get("hub.mode", "")
    token = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if mode == "subscribe" and hmac.compare_digest(token.encode(), services.settings.verify_token.encode()):
        return Response(challenge, 200, mimetype="text/plain")
    log.warning("webhook verification refused (mode=%r)", mode)
    return Response("forbidden", 403, mimetype="text/plain")


@bp.post("/webhook")
def receive() -> Response:
    """Verify, parse and durably accept a delivery; 200 only once every event is stored."""
    services = current_app.extensions["dukkan"]
    raw = request.get_data(cache=False)
    try:
        verify(raw, request.headers.get("X-Hub-Signature-256"), services.settings.meta_app_secret)
        body = _json(raw)
        events = parse_delivery(body)
    except SignatureError as exc:
        log.warning("webhook refused: %s", exc)
        return _plain(str(exc), exc.status_code)
    except PayloadError as exc:
        log.warning("malformed webhook body: %s", exc)
        return _plain(str(exc), 400)
    try:
        accepted = services.inbox.accept(events)
    except StorageError:
        log.exception("could not store a delivery; Meta will retry it")
        return _plain("temporarily unavailable", 503)
    services.wake_workers()
    log.info("delivery: %d events, %d new, %d repeated", len(events), accepted.new, accepted.duplicates)
    return _plain("EVENT_RECEIVED", 200)


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"body is not JSON: {exc}") from exc


def _plain(text: str, status: int) -> Response:
    return Response(text, status, mimetype="text/plain")
