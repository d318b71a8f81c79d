"""Cash-on-delivery orders: saved once, numbered for people, with a status staff can change."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from bot.storage.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    platform        TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    governorate     TEXT NOT NULL,
    address         TEXT NOT NULL,
    items           TEXT NOT NULL,
    subtotal        INTEGER NOT NULL,
    shipping_fee    INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    lang            TEXT NOT NULL DEFAULT 'ar',
    status          TEXT NOT NULL DEFAULT 'new',
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_phone ON orders (phone, id);
CREATE INDEX IF NOT EXISTS orders_customer ON orders (platform, customer_id, id);
"""

STATUSES = ("new", "confirmed", "shipped", "delivered", "cancelled")
FIRST_NUMBER = 10_000


@dataclass(frozen=True)
class Order:
    """A saved order. ``items`` are dicts: product_id, name, size, color, quantity, unit_price."""

    number: str
    platform: str
    customer_id: str
    name: str
    phone: str
    governorate: str
    address: str
    items: tuple[dict[str, Any], ...]
    subtotal: int
    shipping_fee: int
    total: int
    lang: str = "ar"
    status: str = "new"
    created_at: float = 0.0
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.__dataclass_fields__ } | {
            "items": list(self.items)
        }


class OrderStore:
    """Orders in SQLite. ``create`` is idempotent on its key: a repeated confirmation is one order."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        db.connection().executescript(SCHEMA)

    def create(
        self, *, idempotency_key: str, platform: str, customer_id: str, name: str, phone: str,
        governorate: str, address: str, items: list[dict[str, Any]], shipping_fee: int, lang: str = "ar",
    ) -> Order:
        """Save an order, or return the one already saved under ``idempotency_key``."""
        existing = self._one("SELECT * FROM orders WHERE idempotency_key = ?", (idempotency_key,))
        if existing:
            return existing
        subtotal = sum(int(item["unit_price"]) * int(item.get("quantity", 1)) for item in items)
        now = self.clock()
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO orders (idempotency_key, platform, customer_id, name, phone, governorate,"
                " address, items, subtotal, shipping_fee, total, lang, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (idempotency_key, platform, customer_id, name, phone, governorate, address,
                 json.dumps(items, ensure_ascii=False), subtotal, shipping_fee, subtotal + shipping_fee, lang, now, now),
            )
            if cursor.rowcount:
                conn.execute(
                    "UPDATE orders SET number = ? WHERE id = ?",
                    (f"DK-{FIRST_NUMBER + cursor.lastrowid}", cursor.lastrowid),
                )
        return self._one("SELECT * FROM orders WHERE idempotency_key = ?", (idempotency_key,))

    def get(self, number: str) -> Order | None:
        """The order with this number; accepts "DK-10001", "dk10001" or "10001"."""
        digits = "".join(ch for ch in number if ch.isdigit())
        return self._one("SELECT * FROM orders WHERE number = ?", (f"DK-{digits}",)) if digits else None

    def by_phone(self, phone: str, limit: int = 5) -> list[Order]:
        """The newest orders placed with this (normalised) phone number."""
        return self._many("SELECT * FROM orders WHERE phone = ? ORDER BY id DESC LIMIT ?", (phone, limit))

    def by_customer(self, platform: str, customer_id: str, limit: int = 5) -> list[Order]:
        return self._many(
            "SELECT * FROM orders WHERE platform = ? AND customer_id = ? ORDER BY id DESC LIMIT ?",
            (platform, customer_id, limit),
        )

    def list(self, status: str | None = None, limit: int = 100) -> list[Order]:
        if status:
            return self._many("SELECT * FROM orders WHERE status = ? ORDER BY id DESC LIMIT ?", (status, limit))
        return self._many("SELECT * FROM orders ORDER BY id DESC LIMIT ?", (limit,))

    def set_status(self, number: str, status: str) -> Order | None:
        """Change an order's status (staff); None when there is no such order."""
        if status not in STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        order = self.get(number)
        if order is None:
            return None
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE orders SET status = ?, updated_at = ? WHERE number = ?", (status, self.clock(), order.number)
            )
        return self.get(order.number)

    def _one(self, sql: str, params: tuple) -> Order | None:
        rows = self._many(sql, params)
        return rows[0] if rows else None

    def _many(self, sql: str, params: tuple) -> list[Order]:
        return [_order(row) for row in self.db.query(sql, params)]


def _order(row: Any) -> Order:
    return Order(
        number=row["number"], platform=row["platform"], customer_id=row["customer_id"], name=row["name"],
        phone=row["phone"], governorate=row["governorate"], address=row["address"],
        items=tuple(json.loads(row["items"])), subtotal=row["subtotal"], shipping_fee=row["shipping_fee"],
        total=row["total"], lang=row["lang"], status=row["status"], created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
