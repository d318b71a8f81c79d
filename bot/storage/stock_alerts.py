"""Stock alerts: "tell me when L is back", kept until the product is back, then told once.

An alert names a customer (platform + id), a product, and the size and colour asked for ("" for
any). The same customer asking again for the same thing while an alert waits adds nothing, and a
customer has at most ``cap`` (10) alerts waiting: one more raises :class:`AlertsFull`.

Telling is one atomic step: :meth:`StockAlertStore.tell` marks a customer's alerts told and
stages the "it's back" message in the outbox together (one SQLite transaction; one watched
MULTI/EXEC on Redis), all or nothing. Of every process and host that finds the product back at
the same moment exactly one succeeds, and an alert is never marked told without its message
staged: the outbox then owns the delivery (retried while the Graph API is down). ``fire`` (the
dialog's, when the news goes with its reply) marks one alert alone.

``waiting(after_id=...)`` pages through every waiting alert by id (keyset pagination), so a pass
reaches the newest alerts however many there are. Alerts that wait longer than ``KEEP_S``
(30 days) are dropped by ``prune`` with a log line, never told: a product gone that long is not
coming back in the size the customer wanted.

:class:`StockAlertStore` keeps them in SQLite; :class:`RedisStockAlerts` in Redis for several
hosts, with the same contract.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from bot.errors import StorageError
from bot.replies import Outgoing
from bot.storage.db import Database
from bot.storage.redis_shared import _guard

log = logging.getLogger(__name__)

KEEP_S = 30 * 24 * 3600.0
CAP = 10                # alerts one customer may have waiting
PRUNE_BATCH = 1000      # expired Redis alerts dropped per script call

# Record an alert unless the same one waits (ARGV[1]): the new id; 0 when it waits already;
# minus the customer's waiting count when they have ARGV[7] (the cap) waiting (newer than ARGV[6]).
ADD = """
local p, ttl = KEYS[1], ARGV[2]
if redis.call('EXISTS', ARGV[1]) == 1 then return 0 end
local waiting = redis.call('ZCOUNT', ARGV[5], '(' .. ARGV[6], '+inf')
if waiting >= tonumber(ARGV[7]) then return -waiting end
redis.call('SET', ARGV[1], '1', 'EX', ttl)
local id = redis.call('INCR', p .. 'alerts:seq')
redis.call('SET', p .. 'alert:' .. id, ARGV[4], 'EX', ttl)
redis.call('ZADD', p .. 'alerts:waiting', ARGV[3], id)
redis.call('ZADD', p .. 'alerts:byid', id, id)
redis.call('ZADD', ARGV[5], ARGV[3], id)
redis.call('EXPIRE', ARGV[5], ttl)
return id
"""

# Fire alert ARGV[1]: 1 for the one caller that removes it from the waiting set, else 0.
FIRE = """
local p, id = KEYS[1], ARGV[1]
if redis.call('ZREM', p .. 'alerts:waiting', id) == 0 then return 0 end
redis.call('ZREM', p .. 'alerts:byid', id)
redis.call('ZREM', ARGV[2], id)
redis.call('DEL', ARGV[3], p .. 'alert:' .. id)
return 1
"""

# Drop up to ARGV[2] alerts recorded at or before ARGV[1]: their records, index entries and
# "already waiting" keys; how many. Alerts recorded before the id index existed are indexed first, once.
PRUNE = """
local p = KEYS[1]
if redis.call('EXISTS', p .. 'alerts:byid:ready') == 0 then
  for _, id in ipairs(redis.call('ZRANGE', p .. 'alerts:waiting', 0, -1)) do
    redis.call('ZADD', p .. 'alerts:byid', id, id)
  end
  redis.call('SET', p .. 'alerts:byid:ready', '1')
end
local old = redis.call('ZRANGEBYSCORE', p .. 'alerts:waiting', '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(old) do
  redis.call('ZREM', p .. 'alerts:waiting', id)
  redis.call('ZREM', p .. 'alerts:byid', id)
  local raw = redis.call('GET', p .. 'alert:' .. id)
  if raw then
    local a = cjson.decode(raw)
    local who = a.platform .. ':' .. a.customer_id
    redis.call('ZREM', p .. 'alerts:customer:' .. who, id)
    redis.call('DEL', p .. 'alert:' .. id,
               p .. 'alerts:key:' .. who .. ':' .. tostring(a.product_id) .. ':' .. a.size .. ':' .. a.color)
  end
end
return #old
"""


class AlertsFull(Exception):
    """The customer already has ``count`` alerts waiting, the most one may have."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} stock alerts waiting already")
        self.count = count


class _Raced(Exception):
    """Another process told one of the alerts first: roll the whole step back."""


@dataclass(frozen=True)
class StockAlert:
    """One waiting (or fired) alert."""

    id: int
    platform: str
    customer_id: str
    product_id: int
    size: str = ""
    color: str = ""
    lang: str = "ar"
    created_at: float = 0.0


class StockAlertStore:
    """Stock alerts in SQLite."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time, keep_s: float = KEEP_S,
                 cap: int = CAP) -> None:
        self.db = db
        self.clock = clock
        self.keep_s = keep_s
        self.cap = cap

    def add(self, platform: str, customer_id: str, product_id: int, size: str = "", color: str = "",
            lang: str = "ar") -> bool:
        """Record an alert; False when the same one is already waiting.

        Raises:
            AlertsFull: the customer has ``cap`` alerts waiting already.
        """
        now = self.clock()
        what = (platform, customer_id, int(product_id), size, color)
        with self.db.transaction() as conn:
            same = conn.execute(
                "SELECT 1 FROM stock_alerts WHERE platform = ? AND customer_id = ? AND product_id = ? AND size = ?"
                " AND color = ? AND fired_at IS NULL", what,
            ).fetchone()
            if same is not None:
                return False
            waiting = conn.execute(
                "SELECT COUNT(*) FROM stock_alerts WHERE platform = ? AND customer_id = ? AND fired_at IS NULL"
                " AND created_at > ?", (platform, customer_id, now - self.keep_s),
            ).fetchone()[0]
            if waiting >= self.cap:
                raise AlertsFull(waiting)
            cursor = conn.execute(
                "INSERT INTO stock_alerts (platform, customer_id, product_id, size, color, lang, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, customer_id, product_id, size, color) WHERE fired_at IS NULL DO NOTHING",
                (*what, lang, now),
            )
        return cursor.rowcount > 0

    def waiting(self, limit: int = 500, after_id: int = 0) -> list[StockAlert]:
        """Up to ``limit`` alerts still waiting and not too old, with ids above ``after_id``, by id:
        pass the last id of a page to get the next (an empty page is the end)."""
        rows = self.db.query(
            "SELECT * FROM stock_alerts WHERE fired_at IS NULL AND id > ? AND created_at > ? ORDER BY id LIMIT ?",
            (after_id, self.clock() - self.keep_s, limit),
        )
        return [_alert(dict(row)) for row in rows]

    def for_customer(self, platform: str, customer_id: str) -> list[StockAlert]:
        """The alerts one customer has waiting, oldest first."""
        rows = self.db.query(
            "SELECT * FROM stock_alerts WHERE platform = ? AND customer_id = ? AND fired_at IS NULL"
            " AND created_at > ? ORDER BY id",
            (platform, customer_id, self.clock() - self.keep_s),
        )
        return [_alert(dict(row)) for row in rows]

    def fire(self, alert_id: int) -> bool:
        """Mark an alert fired; True only for the one caller that did (the customer is told once)."""
        with self.db.transaction() as conn:
            cursor = conn.execute("UPDATE stock_alerts SET fired_at = ? WHERE id = ? AND fired_at IS NULL",
                                  (self.clock(), alert_id))
        return cursor.rowcount == 1

    def tell(self, alert_ids: Sequence[int], key: int, messages: Iterable[Outgoing], outbox: Any) -> bool:
        """Mark the alerts told and stage ``messages`` in ``outbox`` under ``key``, in one transaction.

        All or nothing: False (and nothing written) when any of them was told already, or is too
        old, or ``key`` was staged before.
        """
        ids = sorted({int(alert_id) for alert_id in alert_ids})
        if not ids:
            return False
        now = self.clock()
        marks = ", ".join("?" * len(ids))
        try:
            with self.db.transaction() as conn:
                cursor = conn.execute(
                    f"UPDATE stock_alerts SET fired_at = ? WHERE id IN ({marks}) AND fired_at IS NULL"
                    " AND created_at > ?", (now, *ids, now - self.keep_s),
                )
                if cursor.rowcount != len(ids) or not outbox.stage(conn, key, messages):
                    raise _Raced()
        except _Raced:
            return False
        return True

    def prune(self) -> int:
        """Drop alerts waiting longer than ``keep_s`` (logged, never told) and forget told ones
        that old; how many waiting ones were dropped."""
        cutoff = self.clock() - self.keep_s
        with self.db.transaction() as conn:
            dropped = conn.execute("DELETE FROM stock_alerts WHERE created_at <= ? AND fired_at IS NULL",
                                   (cutoff,)).rowcount
            conn.execute("DELETE FROM stock_alerts WHERE created_at <= ?", (cutoff,))
        return _dropped(dropped, self.keep_s)


class RedisStockAlerts:
    """Stock alerts in Redis, shared by every host; see :class:`StockAlertStore`.

    ``alert:<id>`` holds the alert (expiring after ``keep_s``), ``alerts:waiting`` (by time),
    ``alerts:byid`` (by id, for paging) and ``alerts:customer:<platform>:<id>`` index the waiting
    ones, ``alerts:key:<what>`` refuses a second identical alert while one waits. Telling or firing
    deletes ``alert:<id>``: ``tell`` watches those records, so of two callers only one succeeds.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time,
                 keep_s: float = KEEP_S, cap: int = CAP) -> None:
        self.r = client
        self.p = prefix
        self.clock = clock
        self.keep_s = keep_s
        self.cap = cap
        self._add = client.register_script(ADD)
        self._fire = client.register_script(FIRE)
        self._prune = client.register_script(PRUNE)

    def add(self, platform: str, customer_id: str, product_id: int, size: str = "", color: str = "",
            lang: str = "ar") -> bool:
        """Record an alert; False when the same one is already waiting.

        Raises:
            AlertsFull: the customer has ``cap`` alerts waiting already.
        """
        now = self.clock()
        record = {"platform": platform, "customer_id": customer_id, "product_id": int(product_id), "size": size,
                  "color": color, "lang": lang, "created_at": now}
        args = [self._unique(platform, customer_id, int(product_id), size, color), max(int(self.keep_s), 1), repr(now),
                json.dumps(record, ensure_ascii=False), self._customer(platform, customer_id),
                repr(now - self.keep_s), self.cap]
        added = int(_guard(self._add, keys=[self.p], args=args))
        if added < 0:
            raise AlertsFull(-added)
        return added > 0

    def waiting(self, limit: int = 500, after_id: int = 0) -> list[StockAlert]:
        """Up to ``limit`` alerts still waiting and not too old, with ids above ``after_id``, by id:
        pass the last id of a page to get the next (an empty page is the end)."""
        cutoff = self.clock() - self.keep_s
        while True:
            ids = _guard(self.r.zrangebyscore, f"{self.p}alerts:byid", f"({int(after_id)}", "+inf", start=0, num=limit)
            if not ids:
                return []
            found = [alert for alert in self._load(ids) if alert.created_at > cutoff]
            if found:
                return found
            after_id = int(ids[-1])        # a page of expired alerts only: look further

    def for_customer(self, platform: str, customer_id: str) -> list[StockAlert]:
        """The alerts one customer has waiting, oldest first."""
        ids = _guard(self.r.zrangebyscore, self._customer(platform, customer_id), self.clock() - self.keep_s, "+inf")
        return self._load(ids)

    def fire(self, alert_id: int) -> bool:
        """Mark an alert fired; True only for the one caller that did (the customer is told once)."""
        raw = _guard(self.r.get, f"{self.p}alert:{alert_id}")
        if not raw:
            return False
        alert = _alert(json.loads(raw) | {"id": alert_id})
        args = [alert_id, self._customer(alert.platform, alert.customer_id),
                self._unique(alert.platform, alert.customer_id, alert.product_id, alert.size, alert.color)]
        return bool(_guard(self._fire, keys=[self.p], args=args))

    def tell(self, alert_ids: Sequence[int], key: int, messages: Iterable[Outgoing], outbox: Any) -> bool:
        """Mark the alerts told and stage ``messages`` in ``outbox`` under ``key``, in one MULTI/EXEC
        that watches the alerts' records. All or nothing: False when any was told (or fired) already."""
        ids = sorted({int(alert_id) for alert_id in alert_ids})
        records = [f"{self.p}alert:{alert_id}" for alert_id in ids]
        if not ids:
            return False
        try:
            with self.r.pipeline(transaction=True) as pipe:
                pipe.watch(*records)
                raws = pipe.mget(records)
                if not all(raws):
                    return False
                alerts = [_alert(json.loads(raw) | {"id": alert_id})
                          for alert_id, raw in zip(ids, raws, strict=True) if raw]
                if any(alert.created_at <= self.clock() - self.keep_s for alert in alerts):
                    return False
                pipe.multi()
                for alert in alerts:
                    pipe.zrem(f"{self.p}alerts:waiting", alert.id)
                    pipe.zrem(f"{self.p}alerts:byid", alert.id)
                    pipe.zrem(self._customer(alert.platform, alert.customer_id), alert.id)
                    pipe.delete(self._unique(alert.platform, alert.customer_id, alert.product_id, alert.size,
                                             alert.color), f"{self.p}alert:{alert.id}")
                outbox.stage(pipe, key, messages)
                pipe.execute()
        except redis.WatchError:
            return False                   # told (or fired) by someone else in between
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc
        return True

    def prune(self) -> int:
        """Drop alerts waiting longer than ``keep_s`` (logged, never told); how many were dropped."""
        cutoff, dropped = repr(self.clock() - self.keep_s), 0
        while True:
            batch = int(_guard(self._prune, keys=[self.p], args=[cutoff, PRUNE_BATCH]))
            dropped += batch
            if batch < PRUNE_BATCH:
                return _dropped(dropped, self.keep_s)

    def _load(self, ids: list[str]) -> list[StockAlert]:
        raws = _guard(self.r.mget, [f"{self.p}alert:{alert_id}" for alert_id in ids]) if ids else []
        return [_alert(json.loads(raw) | {"id": int(alert_id)}) for alert_id, raw in zip(ids, raws, strict=True) if raw]

    def _customer(self, platform: str, customer_id: str) -> str:
        return f"{self.p}alerts:customer:{platform}:{customer_id}"

    def _unique(self, platform: str, customer_id: str, product_id: int, size: str, color: str) -> str:
        return f"{self.p}alerts:key:{platform}:{customer_id}:{product_id}:{size}:{color}"


def _alert(data: dict[str, Any]) -> StockAlert:
    names = StockAlert.__dataclass_fields__
    return StockAlert(**{key: value for key, value in data.items() if key in names})


def _dropped(count: int, keep_s: float) -> int:
    """Log the alerts dropped untold (a line per prune that dropped any); ``count``."""
    if count:
        log.info("%d stock alerts dropped, never told: they waited longer than %d days", count, round(keep_s / 86400))
    return count
