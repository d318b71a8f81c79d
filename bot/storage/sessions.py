"""Conversation sessions, one JSON document per platform and customer.

The dialog owns what a session holds; this store only loads and saves it, and remembers when the
customer last wrote (shown in the console).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from bot.storage.db import Database


class SessionStore:
    """Sessions in SQLite."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def load(self, platform: str, customer_id: str) -> dict[str, Any]:
        """The stored session document, or an empty one."""
        row = self.db.query_one(
            "SELECT data FROM sessions WHERE platform = ? AND customer_id = ?", (platform, customer_id)
        )
        return json.loads(row["data"]) if row else {}

    def last_inbound(self, platform: str, customer_id: str) -> float | None:
        """When the customer last wrote (the start of the 24-hour window), or None."""
        row = self.db.query_one(
            "SELECT last_inbound FROM sessions WHERE platform = ? AND customer_id = ?", (platform, customer_id)
        )
        return row["last_inbound"] if row else None

    def load_with_inbound(self, platform: str, customer_id: str) -> tuple[dict[str, Any], float | None]:
        """:meth:`load` and :meth:`last_inbound` from one read of the row (a turn needs both)."""
        row = self.db.query_one(
            "SELECT data, last_inbound FROM sessions WHERE platform = ? AND customer_id = ?", (platform, customer_id)
        )
        return (json.loads(row["data"]), row["last_inbound"]) if row else ({}, None)

    def save(
        self, conn: sqlite3.Connection, platform: str, customer_id: str, data: dict[str, Any],
        *, inbound_at: float | None = None,
    ) -> None:
        """Save inside the caller's transaction; ``inbound_at`` when the customer just wrote."""
        now = self.clock()
        conn.execute(
            "INSERT INTO sessions (platform, customer_id, data, last_inbound, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, customer_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at,"
            " last_inbound = COALESCE(excluded.last_inbound, sessions.last_inbound)",
            (platform, customer_id, json.dumps(data, ensure_ascii=False), inbound_at, now),
        )

    def prune(self, conn: sqlite3.Connection, older_than: float) -> None:
        """Forget sessions (carts, checkout answers) untouched since ``older_than``."""
        conn.execute("DELETE FROM sessions WHERE updated_at < ?", (older_than,))

    def all(self, limit: int = 100) -> list[dict[str, Any]]:
        """The most recently active sessions (the console)."""
        rows = self.db.query(
            "SELECT platform, customer_id, data, last_inbound, updated_at FROM sessions"
            " ORDER BY updated_at DESC LIMIT ?",
            (limit,),
        )
        return [dict(row) | {"data": json.loads(row["data"])} for row in rows]


def record(conn: sqlite3.Connection, platform: str, customer_id: str, kind: str, data: dict, at: float) -> None:
    """Keep something a customer did that needs no reply (opt-in, referral, reaction...)."""
    conn.execute(
        "INSERT INTO records (platform, customer_id, kind, data, created_at) VALUES (?, ?, ?, ?, ?)",
        (platform, customer_id, kind, json.dumps(data, ensure_ascii=False, default=str), at),
    )
