"""Wrong tokens per client address, counted once for every process and host.

A sliding window: an address may fail :data:`LIMIT` times in :data:`WINDOW_S` seconds; a wrong
token beyond that is refused, and not counted, until the oldest of those failures leaves the
window. The right token is checked before any of this, so it always works. SQLite keeps a row
per failure (``auth_failures``); Redis a sorted set per address, scored by time, expiring by
itself. :func:`open_auth_failures` picks the one the settings call for, like
:func:`bot.storage.open_stores`.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Callable

import redis

from bot.errors import StorageError
from bot.storage.db import Database

LIMIT = 10
WINDOW_S = 600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS auth_failures (
    address  TEXT NOT NULL,
    at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_failures_address ON auth_failures (address, at);
CREATE INDEX IF NOT EXISTS auth_failures_at ON auth_failures (at);
"""

# KEYS[1]: the address's sorted set. ARGV: now, window, limit, a member naming this failure.
# Returns "0" after counting the failure, or the seconds to wait (as text, to keep the fraction).
ATTEMPT = """
local key = KEYS[1]
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local edge = redis.call('ZREVRANGE', key, limit - 1, limit - 1, 'WITHSCORES')
  return tostring(tonumber(edge[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return '0'
"""


class SqliteAuthFailures:
    """Failed attempts per address in the service's SQLite file, shared by its processes."""

    def __init__(
        self, db: Database, *, limit: int = LIMIT, window_s: float = WINDOW_S, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        db.connection().executescript(SCHEMA)

    def attempt(self, address: str) -> float:
        """Count a failed attempt from ``address`` and return 0, or, when it already failed
        ``limit`` times in the window, count nothing and return the seconds it must wait."""
        now = self.clock()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM auth_failures WHERE at <= ?", (now - self.window_s,))
            recent = conn.execute(
                "SELECT at FROM auth_failures WHERE address = ? ORDER BY at DESC LIMIT ?", (address, self.limit)
            ).fetchall()
            if len(recent) >= self.limit:
                return recent[-1]["at"] + self.window_s - now
            conn.execute("INSERT INTO auth_failures (address, at) VALUES (?, ?)", (address, now))
        return 0.0


class RedisAuthFailures:
    """Failed attempts per address in Redis, shared by every host."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = "dukkan:", limit: int = LIMIT, window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.p = prefix
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._attempt = client.register_script(ATTEMPT)

    def attempt(self, address: str) -> float:
        """Count a failed attempt from ``address`` and return 0, or, when it already failed
        ``limit`` times in the window, count nothing and return the seconds it must wait."""
        now = self.clock()
        member = f"{now!r}:{secrets.token_hex(6)}"  # unique, so two failures in one instant both count
        args = [repr(now), repr(self.window_s), self.limit, member]
        try:
            wait = self._attempt(keys=[f"{self.p}authfail:{address}"], args=args)
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc
        return float(wait)


def open_auth_failures(
    settings: Any, db: Database, clock: Callable[[], float] = time.time
) -> SqliteAuthFailures | RedisAuthFailures:
    """The failed-attempt counts for these settings: Redis when ``REDIS_URL`` is set, else SQLite."""
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=10)
        return RedisAuthFailures(client, prefix=settings.redis_prefix, clock=clock)
    return SqliteAuthFailures(db, clock=clock)


__all__ = ["LIMIT", "WINDOW_S", "RedisAuthFailures", "SqliteAuthFailures", "open_auth_failures"]
