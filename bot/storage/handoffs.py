"""Hand-offs to a person: while one is open, the bot stays quiet for that customer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bot.storage.db import Database, inserted_id


class HandoffStore:
    """Open hand-offs per customer; one expires by itself after ``timeout_s``."""

    def __init__(self, db: Database, *, timeout_s: float = 24 * 3600.0, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.timeout_s = timeout_s
        self.clock = clock

    def open(self, platform: str, customer_id: str, reason: str, context: dict[str, Any]) -> int:
        """Open a hand-off (or keep the one already open); returns its id."""
        current = self.current(platform, customer_id)
        if current:
            return current["id"]
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO handoffs (platform, customer_id, reason, context, opened_at) VALUES (?, ?, ?, ?, ?)",
                (platform, customer_id, reason, json.dumps(context, ensure_ascii=False, default=str), self.clock()),
            )
        return inserted_id(cursor)

    def current(self, platform: str, customer_id: str) -> dict[str, Any] | None:
        """The open, unexpired hand-off of a customer, or None."""
        row = self.db.query_one(
            "SELECT * FROM handoffs WHERE platform = ? AND customer_id = ? AND released_at IS NULL"
            " AND opened_at > ? ORDER BY id DESC LIMIT 1",
            (platform, customer_id, self.clock() - self.timeout_s),
        )
        return _handoff(row) if row else None

    def active(self, platform: str, customer_id: str) -> bool:
        return self.current(platform, customer_id) is not None

    def release(self, platform: str, customer_id: str, by: str = "staff") -> bool:
        """Give the customer back to the bot; False when nothing was open."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE handoffs SET released_at = ?, released_by = ?"
                " WHERE platform = ? AND customer_id = ? AND released_at IS NULL",
                (self.clock(), by, platform, customer_id),
            )
        return cursor.rowcount > 0

    def list_open(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT * FROM handoffs WHERE released_at IS NULL AND opened_at > ? ORDER BY id DESC LIMIT ?",
            (self.clock() - self.timeout_s, limit),
        )
        return [_handoff(row) for row in rows]


def _handoff(row: Any) -> dict[str, Any]:
    return dict(row) | {"context": json.loads(row["context"])}
