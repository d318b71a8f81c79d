"""Sliding-window counters, on SQLite or Redis: "how many times in the last N seconds?".

One small engine for every limit that counts failures over time: wrong admin tokens per client
address (:mod:`bot.storage.auth_limits`) and failed order-number + phone checks per account and
per phone (:mod:`bot.storage.orders`, :class:`bot.storage.redis_shared.RedisOrders`).

Each counted thing is an entry at a time under a key. Entries at or before ``now - window_s``
leave the window (and are forgotten when the next one is counted). Two ways to count:

- :meth:`add` always counts, under every key given (a failed order check counts for the account
  and for the phone it named), and returns each key's count;
- :meth:`attempt` counts only while the key is under ``limit``; over it, it counts nothing and
  returns the seconds until the oldest of the last ``limit`` entries leaves the window.

SQLite keeps a row per entry in the caller's table (one per limit, created by its owner); Redis a
sorted set per key scored by time, written by one Lua script and expiring by itself. The clock is
the caller's: every method takes ``now``, so owners keep their injectable clocks.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import redis

from bot.errors import StorageError
from bot.storage.db import Database, scalar

# KEYS: the windows' sorted sets. ARGV: the cutoff (entries at or before it leave), now, the
# window in seconds, the limit (0: always count), a member naming this entry.
# With a limit, when any key already holds ``limit`` entries, nothing is counted and the result is
# {wait} (text, to keep the fraction); else the member is added under every key and the result is
# {'0', count of each key}.
HIT = """
local cutoff, now, window, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local counts, refused, wait = {}, false, 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
  counts[i] = redis.call('ZCARD', key)
  if limit > 0 and counts[i] >= limit then
    local edge = redis.call('ZREVRANGE', key, limit - 1, limit - 1, 'WITHSCORES')
    local left = tonumber(edge[2]) + window - now
    if not refused or left > wait then wait = left end
    refused = true
  end
end
if refused then return {tostring(wait)} end
local result = {'0'}
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[5])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  result[i + 1] = counts[i] + 1
end
return result
"""


class SqliteWindow:
    """Entries in one SQLite table ``table (key_column TEXT, at_column REAL)``, made by its owner."""

    def __init__(self, db: Database, *, table: str, key_column: str, at_column: str) -> None:
        self.db = db
        self._count = f"SELECT COUNT(*) FROM {table} WHERE {key_column} = ? AND {at_column} > ?"
        self._forget = f"DELETE FROM {table} WHERE {at_column} <= ?"
        self._newest = f"SELECT {at_column} FROM {table} WHERE {key_column} = ? ORDER BY {at_column} DESC LIMIT ?"
        self._insert = f"INSERT INTO {table} ({key_column}, {at_column}) VALUES (?, ?)"

    def count(self, key: str, now: float, window_s: float) -> int:
        """Entries under ``key`` inside the window."""
        return int(scalar(self.db.query_one(self._count, (key, now - window_s))))

    def add(self, keys: Iterable[str], now: float, window_s: float) -> list[int]:
        """Count one entry under each key (forgetting those out of the window); each key's count."""
        keys = list(keys)
        with self.db.transaction() as conn:
            conn.execute(self._forget, (now - window_s,))
            conn.executemany(self._insert, [(key, now) for key in keys])
            return [int(conn.execute(self._count, (key, now - window_s)).fetchone()[0]) for key in keys]

    def attempt(self, key: str, now: float, window_s: float, limit: int) -> float:
        """Count one entry and return 0, or, with ``limit`` in the window already, count nothing and
        return the seconds until the oldest of them leaves."""
        with self.db.transaction() as conn:
            conn.execute(self._forget, (now - window_s,))
            recent = conn.execute(self._newest, (key, limit)).fetchall()
            if len(recent) >= limit:
                return recent[-1][0] + window_s - now
            conn.execute(self._insert, (key, now))
        return 0.0


class RedisWindow:
    """Entries in Redis sorted sets named ``prefix + key``, shared by every host."""

    def __init__(self, client: redis.Redis, *, prefix: str) -> None:
        self.r = client
        self.prefix = prefix
        self._hit = client.register_script(HIT)

    def count(self, key: str, now: float, window_s: float) -> int:
        """Entries under ``key`` inside the window."""
        return int(self._call(self.r.zcount, self.prefix + key, f"({now - window_s!r}", "+inf"))

    def add(self, keys: Iterable[str], now: float, window_s: float) -> list[int]:
        """Count one entry under each key (forgetting those out of the window); each key's count."""
        return [int(count) for count in self._run(list(keys), now, window_s, 0)[1:]]

    def attempt(self, key: str, now: float, window_s: float, limit: int) -> float:
        """Count one entry and return 0, or, with ``limit`` in the window already, count nothing and
        return the seconds until the oldest of them leaves."""
        return float(self._run([key], now, window_s, limit)[0])

    def _run(self, keys: list[str], now: float, window_s: float, limit: int) -> list:
        member = f"{now!r}:{secrets.token_hex(6)}"  # unique: two entries in one instant both count
        args = [repr(now - window_s), repr(now), repr(float(window_s)), limit, member]
        return self._call(self._hit, keys=[self.prefix + key for key in keys], args=args)

    @staticmethod
    def _call(call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc


__all__ = ["HIT", "RedisWindow", "SqliteWindow"]
