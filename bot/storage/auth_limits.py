"""Wrong tokens per client address, counted once for every process and host.

A sliding window: an address may fail :data:`LIMIT` times in :data:`WINDOW_S` seconds; a wrong
token beyond that is refused, and not counted, until the oldest of those failures leaves the
window. The right token is checked before any of this, so it always works. SQLite keeps a row
per failure (``auth_failures``); Redis a sorted set per address, scored by time, expiring by
itself; both through the shared counter of :mod:`bot.storage.windows`. :func:`open_auth_failures`
picks the one the settings call for, like :func:`bot.storage.open_stores`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis

from bot.storage.db import Database
from bot.storage.redis_upgrade import open_keyspace
from bot.storage.windows import RedisWindow, SqliteWindow

LIMIT = 10
WINDOW_S = 600.0

class SqliteAuthFailures:
    """Failed attempts per address in the service's SQLite file, shared by its processes."""

    def __init__(
        self, db: Database, *, limit: int = LIMIT, window_s: float = WINDOW_S, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._window = SqliteWindow(db, table="auth_failures", key_column="address", at_column="at")

    def attempt(self, address: str) -> float:
        """Count a failed attempt from ``address`` and return 0, or, when it already failed
        ``limit`` times in the window, count nothing and return the seconds it must wait."""
        return self._window.attempt(address, self.clock(), self.window_s, self.limit)


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
        self._window = RedisWindow(client, prefix=f"{prefix}authfail:")

    def attempt(self, address: str) -> float:
        """Count a failed attempt from ``address`` and return 0, or, when it already failed
        ``limit`` times in the window, count nothing and return the seconds it must wait."""
        return self._window.attempt(address, self.clock(), self.window_s, self.limit)


def open_auth_failures(
    settings: Any, db: Database, clock: Callable[[], float] = time.time
) -> SqliteAuthFailures | RedisAuthFailures:
    """The failed-attempt counts for these settings: Redis when ``REDIS_URL`` is set, else SQLite."""
    if settings.redis_url:
        client, prefix = open_keyspace(settings)
        return RedisAuthFailures(client, prefix=prefix, clock=clock)
    return SqliteAuthFailures(db, clock=clock)


__all__ = ["LIMIT", "WINDOW_S", "RedisAuthFailures", "SqliteAuthFailures", "open_auth_failures"]
