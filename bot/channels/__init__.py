"""Platform channels: webhook bodies in, :class:`~bot.events.Event` out; replies in, Send API bodies out.

Public API::

    parse_delivery(body, received_at=0.0) -> list[Event]     # any webhook body, both platforms
    render(platform, reply, recipient_id) -> list[Outgoing]   # one reply for one platform
    verify(raw_body, header, app_secret) / sign(raw_body, app_secret)   # X-Hub-Signature-256

``messenger.parse`` / ``whatsapp.parse`` and ``messenger.render`` / ``whatsapp.render`` are the
per-platform halves. Parsing never raises for a JSON object: an item it cannot read is logged and
either skipped or kept as a ``Kind.UNKNOWN`` event, and the other items of the delivery survive.
This package never imports Flask or requests.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.errors import PayloadError
from bot.events import MAX_ID_CHARS, Event, Kind, Platform, clean_text, epoch_seconds, is_platform_id
from bot.replies import Outgoing, Reply

__all__ = [
    "as_dict",
    "as_list",
    "as_number",
    "as_text",
    "opaque_id",
    "parse_delivery",
    "platform_id",
    "render",
    "render_by_type",
    "safely",
    "seconds",
    "sign",
    "verify",
]

log = logging.getLogger("bot.channels")


def as_dict(value: Any) -> dict:
    """``value`` when it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """``value`` when it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str:
    """A string field: strings (lone UTF-16 surrogates, valid JSON but not text, become U+FFFD),
    numbers as text, anything else empty."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return opaque_id(value)
    return ""


def as_number(value: Any) -> float | int | None:
    """A JSON number (or numeric string) as a number; None otherwise (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def opaque_id(value: Any) -> str:
    """A platform id as a string (legacy payloads send integers); anything else gives "".

    A string longer than ``MAX_ID_CHARS`` is no id: it gives "" and a log line (its length only).
    """
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str):
        if len(value) > MAX_ID_CHARS:
            log.warning("ignored an id of %d characters", len(value))
            return ""
        return clean_text(value.strip())
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return str(int(value)) if value.is_integer() else repr(value)
    return ""


def platform_id(value: Any, what: str) -> str:
    """A sender, recipient or message id: printable ASCII without spaces, at most ``MAX_ID_CHARS``.

    Anything else gives "" (the event is then recorded, never answered) and a log line that
    says what was wrong, not what was sent.
    """
    text = opaque_id(value)
    if text and not is_platform_id(text):
        log.warning("ignored a %s that is not an id (%d characters)", what, len(text))
        return ""
    return text


def seconds(value: Any, default: float = 0.0) -> float:
    """A platform timestamp as finite epoch seconds (ms converted); ``default`` when unusable.

    Wraps :func:`bot.events.epoch_seconds`, which lets ``Infinity`` through and raises
    ``OverflowError`` for integers too large for a float; booleans are not timestamps.
    """
    if isinstance(value, bool):
        return default
    try:
        result = epoch_seconds(value, default)
    except OverflowError:
        return default
    return result if math.isfinite(result) else default


def safely(platform: Platform, parse_item: Callable[..., Event | None], item: Any, *args: Any) -> list[Event]:
    """Run ``parse_item(item, *args)`` so that one broken item never breaks the delivery.

    A non-object item is skipped with a log line; an item the parser chokes on becomes a
    ``Kind.UNKNOWN`` event (no customer, never answered) that keeps the raw item.
    """
    if not isinstance(item, dict):
        log.warning("%s: skipped a webhook item that is not an object: %.200r", platform, item)
        return []
    try:
        event = parse_item(item, *args)
    except Exception as exc:  # the parser must survive any shape Meta (or an attacker) sends
        log.exception("%s: could not parse a webhook item; kept as unknown", platform)
        return [Event(platform=platform, customer_id="", kind=Kind.UNKNOWN, raw=item, data={"error": repr(exc)})]
    return [event] if event is not None else []


def parse_delivery(body: Any, received_at: float = 0.0) -> list[Event]:
    """Every event of one webhook delivery, in delivery order, for either platform.

    ``received_at`` (epoch seconds) stands in for missing or invalid platform timestamps.
    Raises :class:`PayloadError` when ``body`` is not a JSON object; an ``object`` other than
    ``page`` or ``whatsapp_business_account`` gives no events.
    """
    if not isinstance(body, dict):
        raise PayloadError("a webhook body must be a JSON object")
    parser = _PARSERS.get(body.get("object")) if isinstance(body.get("object"), str) else None
    if parser is None:
        log.info("ignored a delivery for object %.80r", body.get("object"))
        return []
    return _keep_distinct(parser(body, received_at))


def render(platform: Platform | str, reply: Reply, recipient_id: str) -> list[Outgoing]:
    """``reply`` as Send API requests for ``platform`` (see the platform modules)."""
    module = messenger if Platform(platform) is Platform.MESSENGER else whatsapp
    return module.render(reply, recipient_id)


Renderer = Callable[[Any, str], list[Outgoing]]


def render_by_type(
    renderers: Mapping[type, Renderer], reply: Reply, recipient_id: str, log: logging.Logger
) -> list[Outgoing]:
    """Run the renderer registered for ``type(reply)``; without one, log an error and send nothing.

    ``log`` is the platform module's logger; the last part of its name prefixes the message.
    """
    renderer = renderers.get(type(reply))
    if renderer is None:
        log.error("%s: no renderer for %s", log.name.rsplit(".", 1)[-1], type(reply).__name__)
        return []
    return renderer(reply, recipient_id)


def _keep_distinct(events: Iterable[Event]) -> list[Event]:
    """Give different items that share a platform id (placeholder ids) distinct message ids.

    Identical items keep their shared id, so a repeated item is still recognised as a repeat;
    an item with the same id but different content gets ``<id>#<digest of the item>``, so
    dedupe does not silently drop it. The original id stays in ``data["platform_message_id"]``.
    """
    first: dict[str, str] = {}
    result: list[Event] = []
    for event in events:
        if not event.message_id:
            result.append(event)
            continue
        digest = _digest(event.raw)
        seen = first.setdefault(event.dedupe_key, digest)
        if seen != digest:
            event = _with_suffix(event, digest)
        result.append(event)
    return result


def _digest(raw: Mapping[str, Any]) -> str:
    text = json.dumps(raw, sort_keys=True, default=str)  # ASCII, whatever the raw strings hold
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _with_suffix(event: Event, digest: str) -> Event:
    log.warning("%s: two different items share the id %r; keeping both", event.platform, event.message_id)
    data = {**event.data, "platform_message_id": event.message_id}
    return Event(
        platform=event.platform,
        customer_id=event.customer_id,
        kind=event.kind,
        text=event.text,
        payload=event.payload,
        message_id=f"{event.message_id}#{digest}",
        timestamp=event.timestamp,
        recipient_id=event.recipient_id,
        data=data,
        raw=event.raw,
    )


# The platform modules use the helpers above, so they are imported once those exist.
from bot.channels import messenger, whatsapp  # noqa: E402
from bot.channels.signature import sign, verify  # noqa: E402

_PARSERS: dict[str, Callable[[dict, float], list[Event]]] = {
    "page": messenger.parse,
    "whatsapp_business_account": whatsapp.parse,
}
