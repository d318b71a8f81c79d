"""The outbox: every rendered reply is staged here before it is sent.

Staging happens in the same transaction as the session update, so a worker that dies between
understanding a message and sending the answer leaves the answer staged: the next attempt sends
what is left instead of running the dialog again (never answered twice, never lost). In console
mode the outbox is also what the console shows as the conversation.

Messages staged under a key below zero are not answers to an inbox event but news the
housekeeping decided to send (stock alerts, ``-<alert id>``): :meth:`Outbox.unsent_keys` finds
those still pending, so their sender can try them again after an outage.

Row states: ``pending`` (staged, not sent yet; also while the Graph API is down or the channel
paused), ``sent``, ``failed`` (a final Graph error), ``unknown`` (the request was written but
no answer came: it may have been delivered, so it is never sent again).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence

from bot.replies import Outgoing
from bot.storage.db import Database

STAGED, SENT, FAILED, UNKNOWN = "pending", "sent", "failed", "unknown"


class Outbox:
    """Replies staged per inbox event, and their send results."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def stage(self, conn: sqlite3.Connection, event_id: int | None, messages: Iterable[Outgoing]) -> bool:
        """Stage an event's replies inside the caller's transaction, once: False when already staged."""
        return self.stage_rows(conn, event_id, list(messages)) is not None

    def stage_rows(
        self, conn: sqlite3.Connection, event_id: int | None, messages: Sequence[Outgoing],
    ) -> list[int] | None:
        """:meth:`stage`, giving the new rows' ids in the messages' order (None when already staged):
        the turn sends them without reading them back. One INSERT for all the rows."""
        now = self.clock()
        if event_id is not None:
            marked = conn.execute("INSERT OR IGNORE INTO staged (event_id, created_at) VALUES (?, ?)", (event_id, now))
            if not marked.rowcount:
                return None
        if not messages:
            return []
        values = [
            value
            for out in messages
            for value in (event_id, out.platform, out.recipient_id, out.kind, json.dumps(out.body, ensure_ascii=False),
                          now)
        ]
        rows = conn.execute(
            "INSERT INTO outbox (event_id, platform, customer_id, kind, body, created_at) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(messages)) + " RETURNING id",
            values,
        ).fetchall()
        return sorted(row[0] for row in rows)  # one INSERT numbers its rows in order; RETURNING's order is not said

    def is_staged(self, event_id: int) -> bool:
        """True when the replies to this event were already decided (even when there were none)."""
        return self.db.query_one("SELECT 1 FROM staged WHERE event_id = ?", (event_id,)) is not None

    def unsent(self, event_id: int) -> list[tuple[int, Outgoing]]:
        """The staged messages of an event not sent yet, in order."""
        rows = self.db.query(
            "SELECT id, platform, customer_id, kind, body FROM outbox WHERE event_id = ? AND state = 'pending'"
            " ORDER BY id",
            (event_id,),
        )
        return [
            (row["id"], Outgoing(row["platform"], row["customer_id"], json.loads(row["body"]), row["kind"]))
            for row in rows
        ]

    def unsent_keys(self, limit: int = 500) -> list[int]:
        """Keys below zero (messages the housekeeping staged, not answers to an inbox event: stock
        alerts) that still have messages to send, oldest first."""
        rows = self.db.query(
            "SELECT DISTINCT event_id FROM outbox WHERE event_id < 0 AND state = 'pending' ORDER BY event_id DESC"
            " LIMIT ?",
            (limit,),
        )
        return [row[0] for row in rows]

    def mark_sent(self, outbox_id: int, message_id: str | None) -> None:
        with self.db.transaction() as conn:
            self.mark_sent_in(conn, outbox_id, message_id)

    def mark_sent_in(self, conn: sqlite3.Connection, outbox_id: int, message_id: str | None) -> None:
        """:meth:`mark_sent` inside the caller's transaction (a turn's finish)."""
        conn.execute(
            "UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ? WHERE id = ?",
            (message_id, self.clock(), outbox_id),
        )

    def mark_failed(self, outbox_id: int, code: int | None, error: str) -> None:
        """A message that will not be sent (a final Graph error)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'failed', error_code = ?, error = ? WHERE id = ?",
                (code, error[:1000], outbox_id),
            )

    def mark_unknown(self, outbox_id: int, error: str) -> None:
        """A message that may have been sent (no answer came): never sent again."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'unknown', error = ?, sent_at = ? WHERE id = ?",
                (error[:1000], self.clock(), outbox_id),
            )

    def conversation(self, platform: str, customer_id: str, after_id: int = 0, limit: int = 200) -> list[dict]:
        """What a customer was sent, oldest first (the console's phone pane)."""
        rows = self.db.query(
            "SELECT id, event_id, kind, body, state, message_id, error_code, error, created_at FROM outbox"
            " WHERE platform = ? AND customer_id = ? AND id > ? ORDER BY id LIMIT ?",
            (platform, customer_id, after_id, limit),
        )
        return [dict(row) | {"body": json.loads(row["body"])} for row in rows]

    def prune(self, conn: sqlite3.Connection, older_than: float) -> None:
        """Forget replies (and their staging marks) decided before ``older_than``."""
        conn.execute("DELETE FROM outbox WHERE created_at < ?", (older_than,))
        conn.execute("DELETE FROM staged WHERE created_at < ?", (older_than,))
        conn.execute("DELETE FROM records WHERE created_at < ?", (older_than,))

    def counts(self) -> dict[str, int]:
        rows = self.db.query("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        counts = {STAGED: 0, SENT: 0, FAILED: 0, UNKNOWN: 0}
        counts.update({row[0]: row[1] for row in rows})
        return counts
