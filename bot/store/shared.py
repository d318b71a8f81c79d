"""The store client's rate limit and caches on Redis, so several hosts share one budget and cache.

Used when ``REDIS_URL`` is set; the in-process :class:`~bot.store.limiter.RateLimiter` and
cachetools ``TTLCache`` are the default. :class:`RedisCache` is a mapping that cachetools'
``cached`` decorator reads and writes like any other cache, so the caching logic stays cachetools'.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterator, MutableMapping
from typing import Any, Callable

import redis

from bot.errors import StoreError

__all__ = ["RedisCache", "RedisRateLimiter"]

# A sliding-window log in a sorted set: never more than ``calls`` grants in any ``period``.
ACQUIRE = """
local key, now, period, calls, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
if redis.call('ZCARD', key) < calls then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(period * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + period - now)
"""


class RedisRateLimiter:
    """The same contract as :class:`~bot.store.limiter.RateLimiter`, one budget for every host."""

    def __init__(
        self, client: redis.Redis, calls: int, period: float, *, key: str = "dukkan:store:rate",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs calls >= 1 and period > 0")
        self.r = client
        self.calls = calls
        self.period = period
        self.key = key
        self._clock = clock
        self._acquire = client.register_script(ACQUIRE)
        self._serial = 0
        self.refused = 0

    def try_acquire(self) -> float:
        """Take a permit: 0.0 when granted, else the seconds until one frees up."""
        self._serial += 1
        member = f"{time.time_ns()}:{id(self)}:{self._serial}"
        try:
            wait = float(self._acquire(keys=[self.key], args=[repr(self._clock()), self.period, self.calls, member]))
        except redis.RedisError as exc:
            raise StoreError(f"shared rate limit unavailable: {exc}") from exc
        if wait > 0:
            self.refused += 1
            return max(wait, 1e-3)
        return 0.0

    def remaining(self) -> int:
        """Permits left in the current window, across hosts."""
        try:
            used = self.r.zcount(self.key, self._clock() - self.period, "+inf")
        except redis.RedisError:
            return 0
        return max(self.calls - int(used), 0)

    def status(self) -> dict[str, object]:
        return {"limit": f"{self.calls}/{self.period:g}s", "remaining": self.remaining(), "refused": self.refused,
                "shared": True}


class RedisCache(MutableMapping):
    """A JSON-valued mapping in Redis whose entries expire after ``ttl`` seconds of ``clock``.

    Keys are cachetools keys (tuples of plain values), stored under a digest of their ``repr``;
    values must be JSON-serialisable (the store API's answers are). Each entry keeps the time it
    was written on the injected ``clock`` and reads as a miss once ``ttl`` has passed on that clock,
    as cachetools' ``TTLCache(timer=clock)`` does; Redis's own expiry (whole seconds, real time)
    only cleans up. A Redis failure reads as a miss and a skipped write, so the store keeps working
    on its own caches' source: the API.
    """

    def __init__(
        self, client: redis.Redis, namespace: str, ttl: float, maxsize: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.r = client
        self.namespace = namespace
        self.ttl = ttl
        self.maxsize = maxsize
        self._clock = clock

    def _key(self, key: Any) -> str:
        return self.namespace + hashlib.sha1(repr(key).encode()).hexdigest()

    def __getitem__(self, key: Any) -> Any:
        try:
            raw = self.r.get(self._key(key))
        except redis.RedisError:
            raw = None
        entry = json.loads(raw) if raw is not None else None
        # An entry without its time (written before entries kept one) is a miss too.
        if not isinstance(entry, dict) or entry.keys() != {"at", "value"} or self._clock() - entry["at"] >= self.ttl:
            raise KeyError(key)
        return entry["value"]

    def __setitem__(self, key: Any, value: Any) -> None:
        entry = {"at": self._clock(), "value": value}
        try:
            self.r.set(self._key(key), json.dumps(entry, ensure_ascii=False), ex=max(math.ceil(self.ttl), 1))
        except redis.RedisError:
            return

    def __delitem__(self, key: Any) -> None:
        try:
            if not self.r.delete(self._key(key)):
                raise KeyError(key)
        except redis.RedisError as exc:
            raise KeyError(key) from exc

    def __iter__(self) -> Iterator[Any]:
        return iter(())  # keys are digests: the original keys are not kept

    def __len__(self) -> int:
        try:
            return sum(1 for _ in self.r.scan_iter(match=self.namespace + "*", count=500))
        except redis.RedisError:
            return 0
