"""Stock alerts: "tell me when L is back", kept until the product is back, then fired once.

An alert names a customer (platform + id), a product, and the size and colour asked for ("" for
any). The same customer asking again for the same thing while an alert waits adds nothing.
``fire`` moves an alert from waiting to fired atomically: of every process and host that finds the
product back at the same moment, exactly one gets True and tells the customer. Alerts that wait
longer than ``KEEP_S`` (30 days) are dropped by ``prune`` (the workers' housekeeping): a product
gone that long is not coming back in the size the customer wanted.

:class:`StockAlertStore` keeps them in SQLite; :class:`RedisStockAlerts` in Redis for several
hosts, with the same contract.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import redis

from bot.storage.db import Database
from bot.storage.redis_shared import _guard

KEEP_S = 30 * 24 * 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS stock_alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform     TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    product_id   INTEGER NOT NULL,
    size         TEXT NOT NULL DEFAULT '',
    color        TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT 'ar',
    created_at   REAL NOT NULL,
    fired_at     REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_alerts_waiting
    ON stock_alerts (platform, customer_id, product_id, size, color) WHERE fired_at IS NULL;
CREATE INDEX IF NOT EXISTS stock_alerts_customer ON stock_alerts (platform, customer_id, fired_at);
"""

# Record an alert unless the same one waits (ARGV[1], SET NX); the new id, or 0.
ADD = """
local p, ttl = KEYS[1], ARGV[2]
if not redis.call('SET', ARGV[1], '1', 'NX', 'EX', ttl) then return 0 end
local id = redis.call('INCR', p .. 'alerts:seq')
redis.call('SET', p .. 'alert:' .. id, ARGV[4], 'EX', ttl)
redis.call('ZADD', p .. 'alerts:waiting', ARGV[3], id)
redis.call('ZADD', ARGV[5], ARGV[3], id)
redis.call('EXPIRE', ARGV[5], ttl)
return id
"""

# Fire alert ARGV[1]: 1 for the one caller that removes it from the waiting set, else 0.
FIRE = """
local p, id = KEYS[1], ARGV[1]
if redis.call('ZREM', p .. 'alerts:waiting', id) == 0 then return 0 end
redis.call('ZREM', ARGV[2], id)
redis.call('DEL', ARGV[3], p .. 'alert:' .. id)
return 1
"""


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

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time, keep_s: float = KEEP_S) -> None:
        self.db = db
        self.clock = clock
        self.keep_s = keep_s
        db.connection().executescript(SCHEMA)

    def add(self, platform: str, customer_id: str, product_id: int, size: str = "", color: str = "",
            lang: str = "ar") -> bool:
        """Record an alert; False when the same one is already waiting."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO stock_alerts (platform, customer_id, product_id, size, color, lang, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, customer_id, product_id, size, color) WHERE fired_at IS NULL DO NOTHING",
                (platform, customer_id, int(product_id), size, color, lang, self.clock()),
            )
        return cursor.rowcount > 0

    def waiting(self, limit: int = 500) -> list[StockAlert]:
        """Every alert still waiting and not too old, oldest first."""
        rows = self.db.query(
            "SELECT * FROM stock_alerts WHERE fired_at IS NULL AND created_at > ? ORDER BY id LIMIT ?",
            (self.clock() - self.keep_s, limit),
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

    def prune(self) -> None:
        """Forget alerts fired or waiting for longer than ``keep_s``."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM stock_alerts WHERE created_at <= ?", (self.clock() - self.keep_s,))


class RedisStockAlerts:
    """Stock alerts in Redis, shared by every host; see :class:`StockAlertStore`.

    ``alert:<id>`` holds the alert (expiring after ``keep_s``), ``alerts:waiting`` and
    ``alerts:customer:<platform>:<id>`` index the waiting ones, ``alerts:key:<what>`` (SET NX)
    refuses a second identical alert while one waits. Firing is a ZREM: only one caller removes.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time,
                 keep_s: float = KEEP_S) -> None:
        self.r = client
        self.p = prefix
        self.clock = clock
        self.keep_s = keep_s
        self._add = client.register_script(ADD)
        self._fire = client.register_script(FIRE)

    def add(self, platform: str, customer_id: str, product_id: int, size: str = "", color: str = "",
            lang: str = "ar") -> bool:
        """Record an alert; False when the same one is already waiting."""
        now = self.clock()
        record = {"platform": platform, "customer_id": customer_id, "product_id": int(product_id), "size": size,
                  "color": color, "lang": lang, "created_at": now}
        args = [self._unique(platform, customer_id, int(product_id), size, color), max(int(self.keep_s), 1), repr(now),
                json.dumps(record, ensure_ascii=False), self._customer(platform, customer_id)]
        return bool(_guard(self._add, keys=[self.p], args=args))

    def waiting(self, limit: int = 500) -> list[StockAlert]:
        """Every alert still waiting and not too old, oldest first."""
        ids = _guard(self.r.zrangebyscore, f"{self.p}alerts:waiting", self.clock() - self.keep_s, "+inf",
                     start=0, num=limit)
        return self._load(ids)

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

    def prune(self) -> None:
        """Forget the index entries of alerts older than ``keep_s`` (their records expire by themselves)."""
        _guard(self.r.zremrangebyscore, f"{self.p}alerts:waiting", "-inf", self.clock() - self.keep_s)

    def _load(self, ids: list[str]) -> list[StockAlert]:
        raws = _guard(self.r.mget, [f"{self.p}alert:{alert_id}" for alert_id in ids]) if ids else []
        return [_alert(json.loads(raw) | {"id": int(alert_id)}) for alert_id, raw in zip(ids, raws) if raw]

    def _customer(self, platform: str, customer_id: str) -> str:
        return f"{self.p}alerts:customer:{platform}:{customer_id}"

    def _unique(self, platform: str, customer_id: str, product_id: int, size: str, color: str) -> str:
        return f"{self.p}alerts:key:{platform}:{customer_id}:{product_id}:{size}:{color}"


def _alert(data: dict[str, Any]) -> StockAlert:
    names = StockAlert.__dataclass_fields__
    return StockAlert(**{key: value for key, value in data.items() if key in names})
