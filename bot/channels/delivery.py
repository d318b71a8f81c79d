"""One webhook delivery in, events out; one reply in, Send API requests out: through the registry.

:func:`parse_delivery` finds the channel that claims the body's ``object`` and lets it parse;
:func:`render` lets the platform's channel render. Neither knows any platform by name.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from bot.channels.registry import by_object, channel
from bot.errors import PayloadError
from bot.events import Event, Platform
from bot.replies import Outgoing, Reply

__all__ = ["parse_delivery", "render"]

log = logging.getLogger("bot.channels")


def parse_delivery(body: Any, received_at: float = 0.0) -> list[Event]:
    """Every event of one webhook delivery, in delivery order, for any registered platform.

    ``received_at`` (epoch seconds) stands in for missing or invalid platform timestamps.
    Raises :class:`PayloadError` when ``body`` is not a JSON object; an ``object`` no channel
    claims gives no events.
    """
    if not isinstance(body, dict):
        raise PayloadError("a webhook body must be a JSON object")
    kind = body.get("object")
    found = by_object(kind) if isinstance(kind, str) else None
    if found is None:
        log.info("ignored a delivery for object %.80r", kind)
        return []
    return _keep_distinct(found.parse(body, received_at))


def render(platform: Platform | str, reply: Reply, recipient_id: str) -> list[Outgoing]:
    """``reply`` as Send API requests for ``platform`` (its channel's renderer)."""
    return channel(platform).render(reply, recipient_id)


def _keep_distinct(events: Iterable[Event]) -> list[Event]:
    """Give different items that share a platform id (placeholder ids) distinct message ids.

    Identical items keep their shared id, so a repeated item is still recognised as a repeat;
    an item with the same id but different content gets ``<id>#<digest of the item>``, so
    dedupe does not silently drop it. The original id stays in ``data["platform_message_id"]``.
    """
    events = list(events)
    shared = Counter(event.dedupe_key for event in events if event.message_id)
    if all(count == 1 for count in shared.values()):  # the usual delivery: nothing to digest
        return events
    first: dict[str, str] = {}
    result: list[Event] = []
    for event in events:
        if not event.message_id or shared[event.dedupe_key] == 1:
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
    return replace(event, message_id=f"{event.message_id}#{digest}", data=data)


