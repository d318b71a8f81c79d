"""States of the messages we sent, updated by delivery, read and status events.

Statuses only move forward (sent → delivered → read); ``failed`` is final. Messenger reports
delivery and reads by watermark (every message up to a time); WhatsApp per message id.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from bot.storage.db import Database

RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


class MessageStates:
    """Outbound message states in SQLite."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def record_sent(self, platform: str, customer_id: str, message_id: str) -> None:
        now = self.clock()
        with self.db.transaction() as conn:
            insert_sent(conn, platform, customer_id, message_id, now)

    def apply_status(
        self, message_id: str, status: str, *, platform: str, customer_id: str,
        error_code: int | None = None, error: str | None = None,
    ) -> bool:
        """Move one message forward to ``status``; False when it was unknown or already further."""
        if status not in RANK:
            return False
        now = self.clock()
        with self.db.transaction() as conn:
            insert_sent(conn, platform, customer_id, message_id, now)
            cursor = conn.execute(
                "UPDATE message_state SET status = ?, error_code = ?, error = ?, updated_at = ?"
                " WHERE message_id = ? AND status != 'failed'"
                " AND (CASE status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END) < ?",
                (status, error_code, error, now, message_id, RANK[status]),
            )
        return cursor.rowcount == 1

    def apply_watermark(self, platform: str, customer_id: str, watermark: float, status: str) -> int:
        """Messenger: every message to this customer sent up to ``watermark`` reaches ``status``."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE message_state SET status = ?, updated_at = ?"
                " WHERE platform = ? AND customer_id = ? AND sent_at <= ? AND status IN ('sent', 'delivered')"
                " AND (CASE status WHEN 'sent' THEN 1 ELSE 2 END) < ?",
                (status, self.clock(), platform, customer_id, watermark, RANK[status]),
            )
        return cursor.rowcount

    def status_of(self, message_id: str) -> str | None:
        row = self.db.query_one("SELECT status FROM message_state WHERE message_id = ?", (message_id,))
        return row["status"] if row else None


def insert_sent(conn: sqlite3.Connection, platform: str, customer_id: str, message_id: str, now: float) -> None:
    """Know a message as sent, unless it is known already."""
    conn.execute(
        "INSERT OR IGNORE INTO message_state (message_id, platform, customer_id, status, sent_at, updated_at)"
        " VALUES (?, ?, ?, 'sent', ?, ?)",
        (message_id, platform, customer_id, now, now),
    )
