"""The staff's news: new orders, cancellations, order changes, stock-alert requests and hand-offs,
in SQLite (:class:`StaffFeed`; Redis: :mod:`bot.storage.redis_staff_feed`).

:meth:`StaffFeed.record` writes a turn's news (:func:`bot.notes.staff_news`) inside the
transaction that stages its replies: one ``staff_events`` row each, numbered in order, and one
``staff_deliveries`` row per staff channel it was given: :data:`WEBHOOK` and the platforms whose
staff id is set (:func:`bot.services.staff_channels` reads them from the channel registry, which
the storage never imports). The console reads the events after the last id it has
(:meth:`StaffFeed.since`), from any process: the rows are the only thing shared. The notifier
(:mod:`bot.staff_notify`) claims due deliveries with a lease (:meth:`StaffFeed.claim`), so of
several processes one sends each, and settles them (:meth:`StaffFeed.settle`): sent, skipped,
failed for good, or tried again later.

Bounded: the newest :data:`EVENTS_KEPT` events of at most :data:`KEEP_S` (30 days);
deliveries are forgotten :data:`DELIVERIES_KEEP_S` after they finished.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.logs import mask_recipient
from bot.notes import Note, staff_news, summary
from bot.storage.db import Database, inserted_id

EVENTS_KEPT = 1000                   # the newest staff events kept
KEEP_S = 30 * 24 * 3600.0            # ... for at most 30 days
DELIVERIES_KEEP_S = 7 * 24 * 3600.0  # a finished delivery is forgotten after a week
LEASE_S = 60.0                       # a claimed delivery is another notifier's again after this
WEBHOOK = "webhook"                  # the signed staff webhook; every other staff channel is a platform
# The event names the staff webhook sends.
EVENT_NAMES = {"order": "order.placed", "order_cancel": "order.cancelled", "order_change": "order.change_requested",
               "stock_alert": "stock_alert.requested", "handoff": "handoff.opened"}
PENDING, SENT, SKIPPED, FAILED = "pending", "sent", "skipped", "failed"


def event_view(event_id: int, kind: str, platform: str, customer_id: str, data: dict[str, Any],
               created_at: float) -> dict[str, Any]:
    """One staff event as the console, the webhook and the staff message read it. The customer
    is masked (``whatsapp:…4567``): a WhatsApp id is a phone number."""
    return {
        "id": int(event_id), "kind": kind, "event": EVENT_NAMES.get(kind, kind), "at": created_at,
        "platform": platform, "customer": f"{platform}:{mask_recipient(customer_id)}",
        "summary": summary(kind, data), "ref": data.get("ref", ""), "amount": data.get("amount", 0),
        "reason": data.get("reason", ""), "text": data.get("text", ""), "detail": data.get("detail", {}),
    }


@dataclass(frozen=True)
class Delivery:
    """One staff event to send on one channel; ``attempts`` counts this one."""

    id: str
    channel: str
    event: dict[str, Any]
    attempts: int


class StaffFeed:
    """Staff events and their deliveries in SQLite; see the module docstring."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time, channels: Sequence[str] = (),
                 keep: int = EVENTS_KEPT) -> None:
        self.db = db
        self.clock = clock
        self.channels = tuple(channels)
        self.keep = keep

    def record(self, conn: sqlite3.Connection, platform: str, customer_id: str, notes: Sequence[Note]) -> None:
        """Write a turn's news and its deliveries inside the caller's transaction."""
        now = self.clock()
        for note in staff_news(notes):
            data = note.to_dict()
            cursor = conn.execute(
                "INSERT INTO staff_events (kind, platform, customer_id, data, created_at) VALUES (?, ?, ?, ?, ?)",
                (note.kind, platform, customer_id, json.dumps(data, ensure_ascii=False), now),
            )
            event_id = inserted_id(cursor)
            conn.execute("DELETE FROM staff_events WHERE id <= ?", (event_id - self.keep,))
            view = json.dumps(event_view(event_id, note.kind, platform, customer_id, data, now), ensure_ascii=False)
            conn.executemany(
                "INSERT INTO staff_deliveries (event_id, channel, event, next_at, created_at) VALUES (?, ?, ?, ?, ?)",
                [(event_id, channel, view, now, now) for channel in self.channels],
            )

    def since(self, after_id: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        """The events after ``after_id``, oldest first."""
        rows = self.db.query("SELECT * FROM staff_events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit))
        return [_event(row) for row in rows]

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest ``limit`` events, oldest first."""
        rows = self.db.query("SELECT * FROM staff_events ORDER BY id DESC LIMIT ?", (limit,))
        return [_event(row) for row in reversed(rows)]

    def claim(self, limit: int = 20, lease_s: float = LEASE_S) -> list[Delivery]:
        """Deliveries due now, leased to the caller for ``lease_s`` (their attempt counted)."""
        now = self.clock()
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT id FROM staff_deliveries WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
            claimed = []
            for row in rows:
                taken = conn.execute(
                    "UPDATE staff_deliveries SET next_at = ?, attempts = attempts + 1 WHERE id = ? RETURNING *",
                    (now + lease_s, row["id"]),
                ).fetchone()
                claimed.append(Delivery(str(taken["id"]), taken["channel"], json.loads(taken["event"]),
                                        taken["attempts"]))
        return claimed

    def settle(self, delivery: Delivery, state: str, error: str = "", retry_at: float | None = None) -> None:
        """``sent``, ``skipped`` or ``failed`` for good; or ``pending`` again at ``retry_at``."""
        with self.db.transaction() as conn:
            if state == PENDING:
                conn.execute("UPDATE staff_deliveries SET next_at = ?, last_error = ? WHERE id = ?",
                             (retry_at if retry_at is not None else self.clock(), error[:500], int(delivery.id)))
            else:
                conn.execute(
                    "UPDATE staff_deliveries SET state = ?, last_error = ?, finished_at = ? WHERE id = ?",
                    (state, error[:500] or None, self.clock(), int(delivery.id)),
                )

    def deliveries(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest deliveries and their states (the console, tests)."""
        rows = self.db.query(
            "SELECT id, event_id, channel, state, attempts, last_error, created_at, finished_at FROM staff_deliveries"
            " ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(row) | {"id": str(row["id"])} for row in rows]

    def prune(self) -> None:
        """Forget events older than 30 days and deliveries finished a week ago."""
        now = self.clock()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM staff_events WHERE created_at < ?", (now - KEEP_S,))
            conn.execute("DELETE FROM staff_deliveries WHERE state != 'pending' AND finished_at < ?",
                         (now - DELIVERIES_KEEP_S,))
            conn.execute("DELETE FROM staff_deliveries WHERE created_at < ?", (now - KEEP_S,))


def _event(row: Any) -> dict[str, Any]:
    return event_view(row["id"], row["kind"], row["platform"], row["customer_id"], json.loads(row["data"]),
                      row["created_at"])


__all__ = ["WEBHOOK", "Delivery", "EVENTS_KEPT", "StaffFeed", "event_view"]
