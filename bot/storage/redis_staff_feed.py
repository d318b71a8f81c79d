"""The staff's news on Redis, shared by every host; the same contract as
:class:`bot.storage.staff_feed.StaffFeed`.

- ``staff:events``: a sorted set of the events (JSON) scored by their id (``staff:events:seq``),
  the newest :data:`~bot.storage.staff_feed.EVENTS_KEPT` kept; "events after id N" is one
  ``ZRANGEBYSCORE``.
- ``staff:delivery:<event id>.<channel>``: a hash per delivery (expiring a week after it was
  made, when it has long finished), and ``staff:deliveries:due``, a sorted set of the pending
  ones by when they are due. A claim moves them a lease ahead in one script, so one notifier of
  every process and host takes each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis

from bot.notes import Note, staff_news
from bot.storage.redis_shared import _guard
from bot.storage.staff_feed import DELIVERIES_KEEP_S, EVENTS_KEPT, KEEP_S, LEASE_S, PENDING, Delivery, event_view

# KEYS: the due set, the delivery hashes' prefix. ARGV: now, the most to take, the lease's end.
CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[3], id)
  redis.call('HINCRBY', KEYS[2] .. id, 'attempts', 1)
end
return due
"""


class RedisStaffFeed:
    """Staff events and their deliveries in Redis; see the module docstring."""

    def __init__(self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time,
                 channels: Sequence[str] = (), keep: int = EVENTS_KEPT) -> None:
        self.r = client
        self.p = prefix
        self.clock = clock
        self.channels = tuple(channels)
        self.keep = keep
        self._claim = client.register_script(CLAIM)

    @property
    def _events(self) -> str:
        return f"{self.p}staff:events"

    @property
    def _due(self) -> str:
        return f"{self.p}staff:deliveries:due"

    def _delivery(self, delivery_id: str) -> str:
        return f"{self.p}staff:delivery:{delivery_id}"

    def record(self, pipe: redis.client.Pipeline, platform: str, customer_id: str, notes: Sequence[Note]) -> None:
        """Queue a turn's news and its deliveries on ``pipe`` (the MULTI staging its replies)."""
        now = self.clock()
        for note in staff_news(notes):
            event_id = int(_guard(self.r.incr, f"{self.p}staff:events:seq"))   # outside the MULTI, as the outbox's
            view = event_view(event_id, note.kind, platform, customer_id, note.to_dict(), now)
            stored = {"id": event_id, "kind": note.kind, "platform": platform, "customer_id": customer_id,
                      "data": note.to_dict(), "created_at": now}
            pipe.zadd(self._events, {json.dumps(stored, ensure_ascii=False): event_id})
            pipe.zremrangebyrank(self._events, 0, -self.keep - 1)
            for channel in self.channels:
                delivery_id = f"{event_id}.{channel}"
                pipe.hset(self._delivery(delivery_id), mapping={
                    "id": delivery_id, "event_id": event_id, "channel": channel, "state": PENDING, "attempts": 0,
                    "event": json.dumps(view, ensure_ascii=False), "last_error": "", "created_at": now,
                    "finished_at": "",
                })
                pipe.expire(self._delivery(delivery_id), int(DELIVERIES_KEEP_S))
                pipe.zadd(self._due, {delivery_id: now})

    def since(self, after_id: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        """The events after ``after_id``, oldest first."""
        rows = _guard(self.r.zrangebyscore, self._events, f"({int(after_id)}", "+inf", start=0, num=limit)
        return [_event(row) for row in rows]

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest ``limit`` events, oldest first."""
        rows = _guard(self.r.zrange, self._events, -limit, -1)
        return [_event(row) for row in rows]

    def claim(self, limit: int = 20, lease_s: float = LEASE_S) -> list[Delivery]:
        """Deliveries due now, leased to the caller for ``lease_s`` (their attempt counted)."""
        now = self.clock()
        ids = _guard(self._claim, keys=[self._due, f"{self.p}staff:delivery:"],
                     args=[repr(now), limit, repr(now + lease_s)])
        claimed = []
        for delivery_id in ids:
            fields = _guard(self.r.hgetall, self._delivery(delivery_id))
            if not fields:          # expired: nothing left to send
                _guard(self.r.zrem, self._due, delivery_id)
                continue
            claimed.append(
                Delivery(delivery_id, fields["channel"], json.loads(fields["event"]), int(fields["attempts"])))
        return claimed

    def settle(self, delivery: Delivery, state: str, error: str = "", retry_at: float | None = None) -> None:
        """``sent``, ``skipped`` or ``failed`` for good; or ``pending`` again at ``retry_at``."""
        pipe = self.r.pipeline(transaction=True)
        key = self._delivery(delivery.id)
        if state == PENDING:
            pipe.hset(key, mapping={"last_error": error[:500]})
            pipe.zadd(self._due, {delivery.id: retry_at if retry_at is not None else self.clock()})
        else:
            pipe.hset(key, mapping={"state": state, "last_error": error[:500], "finished_at": self.clock()})
            pipe.zrem(self._due, delivery.id)
        _guard(pipe.execute)

    def deliveries(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest deliveries and their states (the console, tests)."""
        newest = [json.loads(row)["id"] for row in _guard(self.r.zrange, self._events, -limit, -1)][::-1]
        found = []
        for event_id in newest:
            for channel in self.channels:
                fields = _guard(self.r.hgetall, self._delivery(f"{event_id}.{channel}"))
                if fields:
                    found.append({
                        "id": fields["id"], "event_id": int(fields["event_id"]), "channel": fields["channel"],
                        "state": fields["state"], "attempts": int(fields["attempts"]),
                        "last_error": fields["last_error"] or None, "created_at": float(fields["created_at"]),
                        "finished_at": float(fields["finished_at"]) if fields["finished_at"] else None,
                    })
        return found[:limit]

    def prune(self) -> None:
        """Forget events older than 30 days (deliveries expire by themselves)."""
        cutoff = self.clock() - KEEP_S
        for row in _guard(self.r.zrange, self._events, 0, 199):
            if json.loads(row)["created_at"] >= cutoff:
                break
            _guard(self.r.zrem, self._events, row)


def _event(row: str) -> dict[str, Any]:
    stored = json.loads(row)
    return event_view(stored["id"], stored["kind"], stored["platform"], stored["customer_id"], stored["data"],
                      stored["created_at"])
