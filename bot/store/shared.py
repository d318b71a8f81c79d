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
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import redis

from bot.errors import StoreError

__all__ = ["RedisCache", "RedisMap", "RedisRateLimiter"]

# A sliding-window log in a sorted set: never more than ``calls`` grants in any ``period``; a
# caller passing a reserve (ARGV[5]) is granted only while more than that many permits are free.
ACQUIRE = """
local key, now, period, calls, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local allowed = calls - tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
redis.call('ZREMRANGEBYSCORE', key, '(' .. (now + period), '+inf')
local count = redis.call('ZCARD', key)
if count < allowed then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(period * 1000))
  return '0'
end
if allowed <= 0 then return tostring(period) end
local freeing = redis.call('ZRANGE', key, count - allowed, count - allowed, 'WITHSCORES')
return tostring(tonumber(freeing[2]) + period - now)
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

    scope = "hosts"

    def try_acquire(self, reserve: int = 0) -> float:
        """Take a permit leaving ``reserve`` free: 0.0 when granted, else the seconds to wait."""
        self._serial += 1
        member = f"{time.time_ns()}:{id(self)}:{self._serial}"
        try:
            wait = float(self._acquire(keys=[self.key],
                                       args=[repr(self._clock()), self.period, self.calls, member, reserve]))
        except redis.RedisError as exc:
            raise StoreError(f"shared rate limit unavailable: {exc}") from exc
        if wait > 0:
            self.refused += 1
            return max(wait, 1e-3)
        return 0.0

    def remaining(self) -> int:
        """Permits left in the current window, across hosts."""
        try:
            used = self.r.zcount(self.key, f"({self._clock() - self.period!r}", "+inf")
        except redis.RedisError:
            return 0
        return max(self.calls - int(used), 0)

    def status(self) -> dict[str, object]:
        """The figure every host shares: permits used and left in the current window."""
        remaining = self.remaining()
        return {"limit": f"{self.calls}/{self.period:g}s", "used": self.calls - remaining, "remaining": remaining,
                "refused": self.refused, "shared": self.scope}


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


# Set ``key`` unless it holds an entry that has not expired on the caller's clock: 1 if set.
ADD = """
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok, entry = pcall(cjson.decode, raw)
  if ok and type(entry) == 'table' and tonumber(entry['exp']) and tonumber(entry['exp']) > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


class RedisMap:
    """:class:`bot.store.sharing.SharedMap` on Redis: small JSON values that expire on ``clock``.

    Each value keeps its expiry on the injected clock (as :class:`RedisCache` does); Redis's own
    expiry only cleans up. A Redis failure reads as absent and a skipped write.
    """

    scope = "hosts"

    def __init__(self, client: redis.Redis, namespace: str, clock: Callable[[], float] = time.time) -> None:
        self.r = client
        self.namespace = namespace
        self._clock = clock
        self._add = client.register_script(ADD)

    def get(self, key: str) -> Any:
        try:
            raw = self.r.get(self.namespace + key)
        except redis.RedisError:
            return None
        try:
            entry = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("exp"), (int, float)) \
                or entry["exp"] <= self._clock():
            return None
        return entry.get("v")

    def set(self, key: str, value: Any, ttl: float) -> None:
        try:
            self.r.set(self.namespace + key, self._entry(value, ttl), ex=max(math.ceil(ttl), 1))
        except redis.RedisError:
            return

    def add(self, key: str, value: Any, ttl: float) -> bool:
        try:
            return bool(self._add(keys=[self.namespace + key],
                                  args=[self._entry(value, ttl), repr(self._clock()), max(math.ceil(ttl), 1)]))
        except redis.RedisError:
            return True          # no shared claim possible: act alone rather than not at all

    def delete(self, key: str) -> None:
        try:
            self.r.delete(self.namespace + key)
        except redis.RedisError:
            return

    def _entry(self, value: Any, ttl: float) -> str:
        return json.dumps({"exp": self._clock() + ttl, "v": value}, ensure_ascii=False)
