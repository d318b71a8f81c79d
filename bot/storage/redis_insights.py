"""The owner's insights on Redis, shared by every host; the same contract as
:class:`bot.storage.insights.InsightStore`.

Per Cairo day, every key expiring by itself after :data:`~bot.storage.insights.KEEP_DAYS` days:

- ``insights:counts:<day>``: a hash, metric → count (and the revenue);
- ``insights:reach:<day>:<stage>``: a HyperLogLog of the customers' pseudonyms who reached a
  funnel stage (12 kB at most, exact for the few hundred a small shop sees, within 1% beyond);
  the periods' distinct customers are one ``PFCOUNT`` over their days;
- ``insights:misses:<day>:<kind>``: a list of the customers' words (masked), the newest
  :data:`~bot.storage.insights.MISSES_PER_DAY` kept (``LTRIM``).

:meth:`RedisInsights.record` queues its commands on the turn's MULTI/EXEC pipeline, so they are
written with the replies or not at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis

from bot.notes import MISSES, Note
from bot.storage.insights import (
    KEEP_DAYS,
    MISSES_PER_DAY,
    MISSES_READ,
    REACH_KINDS,
    ZONE,
    check_days,
    day_of,
    days_back,
    funnel_report,
    miss_ref,
    parse_ref,
    tallies,
    who,
)
from bot.storage.redis_shared import _guard

KEEP_S = (KEEP_DAYS + 1) * 24 * 3600


class RedisInsights:
    """The funnel and the misses in Redis; see the module docstring."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time,
        zone: str = ZONE, misses_per_day: int = MISSES_PER_DAY,
    ) -> None:
        self.r = client
        self.p = prefix
        self.clock = clock
        self.zone = zone
        self.misses_per_day = misses_per_day

    def _key(self, *parts: str) -> str:
        return self.p + "insights:" + ":".join(parts)

    def record(self, pipe: redis.client.Pipeline, platform: str, customer_id: str, notes: Sequence[Note]) -> None:
        """Queue a turn's counts on ``pipe`` (the MULTI that stages its replies)."""
        if not notes:
            return
        now = self.clock()
        day = day_of(now, self.zone)
        counts = self._key("counts", day)
        for metric, value in tallies(notes).items():
            pipe.hincrby(counts, metric, value)
        pipe.expire(counts, KEEP_S)
        customer = who(platform, customer_id)
        for kind in sorted({note.kind for note in notes} & set(REACH_KINDS)):
            reach = self._key("reach", day, kind)
            pipe.pfadd(reach, customer)
            pipe.expire(reach, KEEP_S)
        for note in notes:
            if note.kind in MISSES:
                self._keep_miss(pipe, day, platform, customer_id, note, now)

    def _keep_miss(self, pipe: redis.client.Pipeline, day: str, platform: str, customer_id: str, note: Note,
                   now: float) -> None:
        miss_id = _guard(self.r.incr, self._key("misses", "seq"))   # outside the MULTI: an id, used or not
        stored = note.to_dict()
        entry = {"id": miss_id, "day": day, "kind": note.kind, "platform": platform, "customer_id": customer_id,
                 "text": stored["text"], "reason": stored["reason"], "created_at": now}
        key = self._key("misses", day, note.kind)
        pipe.lpush(key, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(key, 0, self.misses_per_day - 1)
        pipe.expire(key, KEEP_S)

    def funnel(self, days: int) -> dict[str, Any]:
        """The funnel of the last ``days`` days (today included)."""
        span = days_back(self.clock(), check_days(days), self.zone)
        counts: dict[str, int] = {}
        for day in span:
            for metric, value in _guard(self.r.hgetall, self._key("counts", day)).items():
                counts[metric] = counts.get(metric, 0) + int(value)
        reach = {kind: int(_guard(self.r.pfcount, *[self._key("reach", day, kind) for day in span]))
                 for kind in REACH_KINDS}
        return funnel_report(span, counts, reach)

    def misses(self, days: int, limit: int = MISSES_READ) -> list[dict[str, Any]]:
        """The customers' words of the last ``days`` days, newest first."""
        span = days_back(self.clock(), check_days(days), self.zone)
        found = [entry for day in span for kind in MISSES for entry in self._day_misses(day, kind)]
        found.sort(key=lambda entry: entry["id"], reverse=True)
        return found[:limit]

    def _day_misses(self, day: str, kind: str) -> list[dict[str, Any]]:
        rows = _guard(self.r.lrange, self._key("misses", day, kind), 0, -1)
        return [_miss(json.loads(row)) for row in rows]

    def miss(self, ref: str) -> dict[str, Any] | None:
        """One miss by its reference, or None."""
        parsed = parse_ref(ref)
        if parsed is None:
            return None
        day, miss_id = parsed
        return next((entry for kind in MISSES for entry in self._day_misses(day, kind) if entry["id"] == miss_id),
                    None)

    def prune(self) -> None:
        """Nothing to do: every key expires by itself."""


def _miss(entry: dict[str, Any]) -> dict[str, Any]:
    return entry | {"ref": miss_ref(entry["day"], int(entry["id"]))}
