"""Channels paused by a refused token, shared by every process and host.

A send that Meta refuses for its token (190) or a missing permission pauses the channel: every
process must see it (``/readyz`` answers 503 with the reason on each of them), and once any
process sends on that channel again, every process sees it resumed. SQLite keeps a row per
pausing alarm (``channel_pauses``); Redis one hash, ``pauses``, alarm name -> JSON.
:func:`open_pauses` picks the one the settings call for, like :func:`bot.storage.open_stores`.

Each store answers for the channels' ``Alarms``: ``raise_(name, detail)`` (True when
it was not raised before), ``clear(name)`` (True when it was), ``active()``, ``has(name)`` and
``has_any(names)`` (one read: a successful send asks whether its channel has a pause to clear).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import redis

from bot.errors import StorageError
from bot.storage.db import Database
from bot.storage.redis_upgrade import open_keyspace

# KEYS[1]: the hash of pauses. ARGV: name, detail, now. 1 when the pause is new, else 0.
RAISE = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
local info = {detail = ARGV[2], since = ARGV[3], last = ARGV[3], count = 1}
if current then
  info = cjson.decode(current)
  info.detail, info.last, info.count = ARGV[2], ARGV[3], info.count + 1
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(info))
if current then return 0 end
return 1
"""


class SqlitePauses:
    """Pausing alarms in the service's SQLite file, shared by its processes."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def raise_(self, name: str, detail: str) -> bool:
        now = self.clock()
        with self.db.transaction() as conn:
            updated = conn.execute(
                "UPDATE channel_pauses SET detail = ?, last = ?, count = count + 1 WHERE name = ?", (detail, now, name)
            ).rowcount
            if not updated:
                conn.execute("INSERT INTO channel_pauses VALUES (?, ?, ?, ?, 1)", (name, detail, now, now))
        return not updated

    def clear(self, name: str) -> bool:
        if not self.has(name):  # every successful send asks: a read, no write lock, when nothing is paused
            return False
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM channel_pauses WHERE name = ?", (name,)).rowcount > 0

    def has(self, name: str) -> bool:
        return self.db.query_one("SELECT 1 FROM channel_pauses WHERE name = ?", (name,)) is not None

    def has_any(self, names: list[str]) -> bool:
        """True when one of ``names`` is raised (one read)."""
        marks = ", ".join("?" * len(names))
        found = self.db.query_one(f"SELECT 1 FROM channel_pauses WHERE name IN ({marks}) LIMIT 1", tuple(names))
        return found is not None

    def active(self) -> dict[str, dict[str, Any]]:
        rows = self.db.query("SELECT name, detail, since, last, count FROM channel_pauses ORDER BY name")
        return {row["name"]: {key: row[key] for key in ("detail", "since", "last", "count")} for row in rows}


class RedisPauses:
    """Pausing alarms in Redis, shared by every host."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time
    ) -> None:
        self.r = client
        self.key = f"{prefix}pauses"
        self.clock = clock
        self._raise = client.register_script(RAISE)

    def raise_(self, name: str, detail: str) -> bool:
        return bool(self._guard(self._raise, keys=[self.key], args=[name, detail, repr(self.clock())]))

    def clear(self, name: str) -> bool:
        return bool(self._guard(self.r.hdel, self.key, name))

    def has(self, name: str) -> bool:
        return bool(self._guard(self.r.hexists, self.key, name))

    def has_any(self, names: list[str]) -> bool:
        """True when one of ``names`` is raised (one round trip)."""
        return any(found is not None for found in self._guard(self.r.hmget, self.key, names))

    def active(self) -> dict[str, dict[str, Any]]:
        found = {}
        for name, saved in sorted(self._guard(self.r.hgetall, self.key).items()):
            info = json.loads(saved)
            found[name] = {"detail": info["detail"], "since": float(info["since"]), "last": float(info["last"]),
                           "count": int(info["count"])}
        return found

    @staticmethod
    def _guard(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc


def open_pauses(settings: Any, db: Database, clock: Callable[[], float] = time.time) -> SqlitePauses | RedisPauses:
    """The shared pauses for these settings: Redis when ``REDIS_URL`` is set, else SQLite."""
    if settings.redis_url:
        client, prefix = open_keyspace(settings)
        return RedisPauses(client, prefix=prefix, clock=clock)
    return SqlitePauses(db, clock=clock)


__all__ = ["RedisPauses", "SqlitePauses", "open_pauses"]
