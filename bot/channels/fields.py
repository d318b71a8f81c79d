"""Reading platform JSON defensively: fields of any shape, ids, timestamps, one item at a time.

Every channel's parser reads Meta's bodies through these, so a field of the wrong type gives an
empty value instead of an exception, and one broken item never breaks the delivery (:func:`safely`).
``render_by_type`` is the renderers' dispatch on the reply's type.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from bot.events import MAX_ID_CHARS, Event, Kind, Platform, clean_text, epoch_seconds, is_platform_id
from bot.replies import Outgoing, Reply

__all__ = [
    "Renderer", "as_dict", "as_list", "as_number", "as_text", "opaque_id", "platform_id", "render_by_type",
    "safely", "seconds",
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


