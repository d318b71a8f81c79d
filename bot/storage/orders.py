"""Cash-on-delivery orders: saved once, numbered for people, with a status staff can change.

Numbers are random (:mod:`bot.order_numbers`); a number drawn twice is refused by the
``UNIQUE`` constraint and drawn again. The failed ownership checks of a customer (an order number
with a phone number that do not belong together) are counted here too, with the shared sliding
window of :mod:`bot.storage.windows`, so the limit holds across processes and restarts. A status
change that depends on the current status (a customer's cancel: only while not shipped) is one
conditional update (:meth:`OrderStore.transition`), so a change made in between is never
overwritten.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from bot import order_numbers
from bot.errors import StorageError
from bot.order_numbers import NumberTaken
from bot.storage.db import Database
from bot.storage.windows import SqliteWindow

STATUSES = ("new", "confirmed", "shipped", "delivered", "cancelled")
NUMBER_ATTEMPTS = 5          # fresh numbers drawn before giving up (a collision is ~1 in millions)
CHECK_LIMIT = 5              # failed number + phone checks a customer may make ...
CHECK_WINDOW_S = 3600.0      # ... within this many seconds
PHONE_CHECK_LIMIT = 5        # failed checks naming one phone, from every account together, in the window


def fresh_numbers() -> Retrying:
    """Retry an insert while the drawn number is already taken, a few times."""
    return Retrying(stop=stop_after_attempt(NUMBER_ATTEMPTS), retry=retry_if_exception_type(NumberTaken),
                    reraise=True)


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
    """Orders in SQLite. ``create`` is idempotent on its key: a repeated confirmation is one order.

    ``new_number`` draws order numbers (tests inject a fixed sequence); ``check_limit`` failed
    checks within ``check_window_s`` stop a customer's further checks until the oldest ages out,
    and ``phone_check_limit`` failed checks naming one phone stop every account's checks naming
    it (someone who knows a buyer's phone cannot walk order numbers with many accounts).
    """

    def __init__(
        self, db: Database, *, clock: Callable[[], float] = time.time,
        new_number: Callable[[], str] = order_numbers.new_number,
        check_limit: int = CHECK_LIMIT, check_window_s: float = CHECK_WINDOW_S,
        phone_check_limit: int = PHONE_CHECK_LIMIT,
    ) -> None:
        self.db = db
        self.clock = clock
        self.new_number = new_number
        self.check_limit = check_limit
        self.check_window_s = check_window_s
        self.phone_check_limit = phone_check_limit
        self._checks = SqliteWindow(db, table="order_checks", key_column="customer_key", at_column="failed_at")

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
        row = (idempotency_key, platform, customer_id, name, phone, governorate, address,
               json.dumps(items, ensure_ascii=False), subtotal, shipping_fee, subtotal + shipping_fee, lang, now, now)
        for attempt in fresh_numbers():
            with attempt:
                self._insert(self.new_number(), row)
        saved = self._one("SELECT * FROM orders WHERE idempotency_key = ?", (idempotency_key,))
        if saved is None:
            raise StorageError(f"order {idempotency_key!r} was not saved")
        return saved

    def _insert(self, number: str, row: tuple) -> None:
        """Insert under ``number`` (nothing when the key is saved already); NumberTaken on a clash."""
        with self.db.transaction() as conn:
            try:
                conn.execute(
                    "INSERT INTO orders (number, idempotency_key, platform, customer_id, name, phone, governorate,"
                    " address, items, subtotal, shipping_fee, total, lang, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (idempotency_key) DO NOTHING",
                    (number, *row),
                )
            except sqlite3.IntegrityError as exc:
                if "orders.number" not in str(exc):
                    raise
                raise NumberTaken("order number already taken") from exc

    def get(self, number: str) -> Order | None:
        """The order with this number, typed any way ("dk 7k4qxe", "DK-10001"); None for an invalid one."""
        wanted = order_numbers.canonical(number)
        return self._one("SELECT * FROM orders WHERE number = ?", (wanted,)) if wanted else None

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
        return self.transition(number, status, only_from=STATUSES)[1]

    def transition(self, number: str, status: str, *, only_from: Iterable[str]) -> tuple[bool, Order | None]:
        """Set ``status`` in one conditional update, only while the order's status is one of ``only_from``.

        ``(True, the order as changed)``; ``(False, the order as it is now)`` when its status had
        already moved on (a customer's cancel racing staff who just shipped it); ``(False, None)``
        when there is no such order.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        wanted, allowed = order_numbers.canonical(number), tuple(only_from)
        if not wanted:
            return False, None
        if not allowed:
            return False, self.get(wanted)
        marks = ", ".join("?" * len(allowed))
        with self.db.transaction() as conn:
            row = conn.execute(
                f"UPDATE orders SET status = ?, updated_at = ? WHERE number = ? AND status IN ({marks}) RETURNING *",
                (status, self.clock(), wanted, *allowed),
            ).fetchone()
        if row is not None:
            return True, _order(row)
        return False, self.get(wanted)

    def checks_left(self, platform: str, customer_id: str, phone: str = "") -> int:
        """How many failed number + phone checks this customer may still make now (naming
        ``phone``: the fewer of the account's and the phone's checks left)."""
        now = self.clock()
        failed = [self._checks.count(key, now, self.check_window_s) for key in check_keys(platform, customer_id, phone)]
        return left_of(failed, self.check_limit, self.phone_check_limit)

    def fail_check(self, platform: str, customer_id: str, phone: str = "") -> int:
        """Count one failed check, for the account and for the phone it named (and forget the
        ones older than the window); the checks left."""
        failed = self._checks.add(check_keys(platform, customer_id, phone), self.clock(), self.check_window_s)
        return left_of(failed, self.check_limit, self.phone_check_limit)

    def _one(self, sql: str, params: tuple) -> Order | None:
        rows = self._many(sql, params)
        return rows[0] if rows else None

    def _many(self, sql: str, params: tuple) -> builtins.list[Order]:  # ``list`` is a method here
        return [_order(row) for row in self.db.query(sql, params)]


def _order(row: Any) -> Order:
    return Order(
        number=row["number"], platform=row["platform"], customer_id=row["customer_id"], name=row["name"],
        phone=row["phone"], governorate=row["governorate"], address=row["address"],
        items=tuple(json.loads(row["items"])), subtotal=row["subtotal"], shipping_fee=row["shipping_fee"],
        total=row["total"], lang=row["lang"], status=row["status"], created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _phone_key(phone: str) -> str:
    """The key a phone's failed checks are counted under (no platform is called "phone")."""
    return f"phone:{phone}"


def check_keys(platform: str, customer_id: str, phone: str = "") -> list[str]:
    """The keys one failed check counts under: the account's, and the phone's when one is named."""
    return [f"{platform}:{customer_id}"] + ([_phone_key(phone)] if phone else [])


def left_of(failed: list[int], check_limit: int, phone_check_limit: int) -> int:
    """The checks left, from the failed counts of :func:`check_keys` (the account's, the phone's)."""
    limits = (check_limit, phone_check_limit)[:len(failed)]   # no phone named: the account's only
    return max(0, min(limit - int(count) for limit, count in zip(limits, failed, strict=True)))
