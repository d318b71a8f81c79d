"""``/webhook``: Meta's verification handshake and the event deliveries of every platform.

A delivery is verified over its raw bytes, parsed, and durably accepted into the inbox before
the 200; the work happens in the inbox workers, so Meta gets its answer in milliseconds. The
acknowledgement does only what cannot wait: one verification (a second only when the body's
``object`` narrows the secrets), one parse, one write for the whole delivery (every event and the
duplicate check in one transaction, :meth:`Inbox.accept`), then a wake-up of the workers (a byte
in a FIFO, or nothing with Redis) and one metrics update. No Flask session is opened on
``/webhook`` (:class:`bot.web.ConsoleSessions`) and no cookie is set.

Every request runs with a request id in its log records (``X-Request-Id`` when the caller sent
a sane one, else one made from a per-process prefix and a counter), returned in the
``X-Request-Id`` response header. Deliveries are counted by :mod:`bot.metrics` once their answer
is known (401/403/400/413/503/200 alike).
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from bot import metrics
from bot.channels import parse_delivery
from bot.channels.meta.signature import signing_secret
from bot.channels.registry import webhook_secrets
from bot.errors import PayloadError, SignatureError, StorageError
from bot.logs import bind, clip, unbind
from bot.storage.inbox import Accepted
from bot.web.failed_auth import retry_after, token_matches, wrong_token

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)
REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_RUN = secrets.token_hex(5)          # with the pid and a counter: 32 hex digits, unique without a uuid
_SERIAL = itertools.count(1)


def _request_id() -> str:
    return f"{_RUN}{os.getpid() & 0xFFFFFF:06x}{next(_SERIAL):016x}"


class _Answer:
    """What a POST /webhook learned on its way, for its one metrics update."""

    __slots__ = ("accepted", "body_object", "events")

    def __init__(self) -> None:
        self.body_object: object = None
        self.events: list = []
        self.accepted: Accepted | None = None


def _with_request_id(view: Callable[[_Answer], Response]) -> Callable[[], Response]:
    """The view with its request id bound for the whole request (log records, the ``X-Request-Id``
    answer header) and, for a POST, one metrics update once the answer is known. Done here and
    not in Flask's before/after/teardown hooks: three hook dispatches per delivery cost more than
    the work they did. An HTTP error the view raises (413), or an unexpected exception (500,
    logged with the id), becomes its answer here, so it is counted and carries the id like any other."""

    @functools.wraps(view)
    def wrapped() -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if given and _SANE_REQUEST_ID.match(given) else _request_id()
        started = time.perf_counter()
        answer = _Answer()
        token = bind(request_id=request_id)
        try:
            try:
                response = view(answer)
            except HTTPException as exc:
                response = exc.get_response()  # type: ignore[assignment]  # a werkzeug Response, as Flask's
            except Exception:  # a bug: logged with the request id, answered and counted as a 500
                log.exception("unexpected error on %s /webhook", request.method)
                response = _plain("internal server error", 500)
            response.headers[REQUEST_ID_HEADER] = request_id
            if request.method == "POST":  # one metrics update per delivery, whatever its answer
                accepted = answer.accepted
                metrics.acknowledged(answer.body_object, response.status_code, time.perf_counter() - started,
                                     answer.events, accepted.new if accepted else 0,
                                     accepted.duplicates if accepted else 0)
            return response
        finally:
            unbind(token)

    return wrapped


@bp.get("/webhook")
@_with_request_id
def verify_subscription(answer: _Answer) -> Response:
    """Answer Meta's ``hub.challenge`` when the mode and the verify token are right."""
    services = current_app.extensions["dukkan"]
    mode = request.args.get("hub.mode", "")
    token = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if mode == "subscribe" and token_matches(token, services.settings.verify_token):
        return Response(challenge, 200, mimetype="text/plain")
    if mode == "subscribe":  # a wrong verify token counts toward the client's limit on guesses
        wait = wrong_token("webhook verify token")
        if wait > 0:
            return Response("too many failed attempts", 429, mimetype="text/plain", headers=retry_after(wait))
    log.warning("webhook verification refused (mode=%r)", clip(mode, 80))
    return Response("forbidden", 403, mimetype="text/plain")


@bp.post("/webhook")
@_with_request_id
def receive(answer: _Answer) -> Response:
    """Verify, parse and durably accept a delivery; 200 only once every event is stored."""
    services = current_app.extensions["dukkan"]
    if not services.workers.running:  # workers in their own processes: nothing to let pass first
        return _acknowledge(services, answer)
    with services.workers.acknowledging():
        return _acknowledge(services, answer)


def _acknowledge(services, answer: _Answer) -> Response:
    raw = _body(services.settings.max_body_bytes)
    signature = request.headers.get("X-Hub-Signature-256")
    try:
        secret = signing_secret(raw, signature, webhook_secrets(services.settings))
        body = _json(raw)
        answer.body_object = body.get("object") if isinstance(body, dict) else None
        _check_owner(secret, services.settings, answer.body_object)
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
    answer.events, answer.accepted = events, accepted
    if accepted.new:
        services.wake_workers()
    log.info("delivery: %d events, %d new, %d repeated", len(events), accepted.new, accepted.duplicates)
    return _plain("EVENT_RECEIVED", 200)


def _check_owner(secret: str, settings, webhook_object: object) -> None:
    """The body was signed with ``secret``, one of ours; it must be a secret of the channel its
    ``object`` names (a ``page`` body signed with the Instagram app's secret is refused)."""
    if secret not in webhook_secrets(settings, webhook_object):
        raise SignatureError(f"not signed with an app secret of object {clip(str(webhook_object), 40)!r}",
                             status_code=403)


def _body(limit: int) -> bytes:
    """The raw body. One streamed without a Content-Length (chunked) is cut at ``limit`` by
    Werkzeug; reaching it means it was too long: 413, as when Content-Length says so."""
    raw = request.get_data(cache=False)
    if request.content_length is None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: absurd nesting
        raise PayloadError(f"body is not JSON: {type(exc).__name__}") from exc


def _plain(text: str, status: int) -> Response:
    return Response(text, status, mimetype="text/plain")
