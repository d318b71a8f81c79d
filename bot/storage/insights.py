"""The owner's insights, from the turns' analytics notes (:mod:`bot.notes`): a funnel per day and
what the bot did not understand, in SQLite (:class:`InsightStore`; Redis: :mod:`bot.storage.redis_insights`).

Written by :meth:`InsightStore.record` inside the transaction that stages a turn's replies, so a
turn is counted once, exactly when it is answered. Three shapes, each bounded:

- ``insight_counts (day, metric, value)``: how many notes of each kind a day had, and the revenue
  of its orders. A row per day and metric, whatever the traffic.
- ``insight_reach (day, stage, who)``: the customers who reached a funnel stage that day, by a
  pseudonym keyed with the app secret (:func:`bot.logs.pseudonym`), never their id; at most
  :data:`REACH_PER_DAY` per day and stage (past it a day's distinct counts stop growing; its
  counts go on). How many rows a day's stage has is kept in ``insight_counts`` too (metric
  ``reached:<stage>``, in no report), so the bound costs a turn one lookup, not a count of the
  day's customers (a day begun before this counter existed may keep up to twice the bound). A
  new ``META_APP_SECRET`` counts a customer of the days before it again.
- ``insight_misses``: the customer's words of each "not understood", search with no result and
  hand-off, phone numbers masked before they are written; the newest :data:`MISSES_PER_DAY` of
  each kind a day are kept.

Days are Cairo's (``Africa/Cairo``): "the last 7 days" are today and the six before. Everything
older than :data:`KEEP_DAYS` days is dropped by :meth:`InsightStore.prune` (the housekeeping).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.logs import pseudonym
from bot.notes import CART_ADD, HANDOFF, MESSAGE, MISSES, ORDER, PRODUCT_VIEW, SEARCH, Note
from bot.storage.db import Database

ZONE = "Africa/Cairo"
KEEP_DAYS = 31              # days kept, today included: the 30-day view and one more
WINDOWS = (7, 30)           # the periods the console shows
MISSES_PER_DAY = 200        # customer's words kept per day and kind (the newest)
REACH_PER_DAY = 5000        # distinct customers counted per day and funnel stage
MISSES_READ = 3000          # the most words read back for one view (the newest)
REVENUE = "revenue"
REACHED = "reached:"        # insight_counts' metric prefix of a day's reach rows per stage (not a count shown)
# The funnel, in order: (key, label, the note kind that counts for it).
FUNNEL = (("customers", "Customers", MESSAGE), ("searches", "Searches", SEARCH),
          ("product_views", "Product views", PRODUCT_VIEW), ("carts", "Carts", CART_ADD),
          ("orders", "Orders", ORDER), ("handoffs", "Hand-offs", HANDOFF))
REACH_KINDS = tuple(kind for _, _, kind in FUNNEL)


def day_of(at: float, zone: str = ZONE) -> str:
    """The Cairo date of a moment, ``2026-05-10``."""
    return dt.datetime.fromtimestamp(at, ZoneInfo(zone)).date().isoformat()


def days_back(now: float, days: int, zone: str = ZONE) -> list[str]:
    """Today and the ``days - 1`` days before it, oldest first."""
    today = dt.datetime.fromtimestamp(now, ZoneInfo(zone)).date()
    return [(today - dt.timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]


def who(platform: str, customer_id: str) -> str:
    """The stand-in a customer is counted under: a keyed pseudonym, never the id (a phone on WhatsApp)."""
    return pseudonym(f"{platform}:{customer_id}")


def check_days(days: int) -> int:
    """``days`` when it is a period the store keeps, else ValueError."""
    if not 1 <= int(days) <= KEEP_DAYS - 1:
        raise ValueError(f"days must be between 1 and {KEEP_DAYS - 1}")
    return int(days)


def funnel_report(days: list[str], counts: dict[str, int], reach: dict[str, int]) -> dict[str, Any]:
    """The funnel as the console shows it, the same from either backend."""
    steps = [{"key": key, "label": label, "events": int(counts.get(kind, 0)), "customers": int(reach.get(kind, 0))}
             for key, label, kind in FUNNEL]
    return {
        "days": len(days), "since": days[0], "until": days[-1], "steps": steps,
        "revenue": int(counts.get(REVENUE, 0)),
        "counts": {name: int(value) for name, value in sorted(counts.items())},
    }


def tallies(notes: Iterable[Note]) -> dict[str, int]:
    """What a turn's notes add to its day's counts: one per note of each kind, and the revenue."""
    added: dict[str, int] = {}
    for note in notes:
        added[note.kind] = added.get(note.kind, 0) + 1
        if note.kind == ORDER:
            added[REVENUE] = added.get(REVENUE, 0) + int(note.amount)
    return added


def miss_ref(day: str, miss_id: int) -> str:
    """The reference the console opens a miss's conversation with: ``2026-05-10:17``."""
    return f"{day}:{miss_id}"


def parse_ref(ref: str) -> tuple[str, int] | None:
    """``(day, id)`` of a miss reference, or None when it is not one."""
    day, _, number = str(ref).partition(":")
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return None
    return (day, int(number)) if number.isdigit() and len(number) <= 18 else None


class InsightStore:
    """The funnel and the misses in SQLite; see the module docstring."""

    def __init__(
        self, db: Database, *, clock: Callable[[], float] = time.time, zone: str = ZONE,
        misses_per_day: int = MISSES_PER_DAY, reach_per_day: int = REACH_PER_DAY,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.misses_per_day = misses_per_day
        self.reach_per_day = reach_per_day

    def record(self, conn: sqlite3.Connection, platform: str, customer_id: str, notes: Sequence[Note]) -> None:
        """Count a turn's notes, inside the caller's transaction (the one staging its replies)."""
        if not notes:
            return
        now = self.clock()
        day = day_of(now, self.zone)
        conn.executemany(
            "INSERT INTO insight_counts (day, metric, value) VALUES (?, ?, ?)"
            " ON CONFLICT (day, metric) DO UPDATE SET value = value + excluded.value",
            [(day, metric, value) for metric, value in tallies(notes).items()],
        )
        customer = who(platform, customer_id)
        for kind in sorted({note.kind for note in notes} & set(REACH_KINDS)):
            self._reach(conn, day, kind, customer)
        for note in notes:
            if note.kind in MISSES:
                self._keep_miss(conn, day, platform, customer_id, note, now)

    def _reach(self, conn: sqlite3.Connection, day: str, stage: str, customer: str) -> None:
        """Count ``customer`` as reaching ``stage`` on ``day``, while the day has fewer than
        :attr:`reach_per_day` for it. How many it has is kept beside the counts (metric
        ``reached:<stage>``, left out of every report), so a turn never counts the day's rows."""
        reached = REACHED + stage
        added = conn.execute(
            "INSERT OR IGNORE INTO insight_reach (day, stage, who) SELECT ?, ?, ?"
            " WHERE COALESCE((SELECT value FROM insight_counts WHERE day = ? AND metric = ?), 0) < ?",
            (day, stage, customer, day, reached, self.reach_per_day),
        ).rowcount
        if added:
            conn.execute(
                "INSERT INTO insight_counts (day, metric, value) VALUES (?, ?, 1)"
                " ON CONFLICT (day, metric) DO UPDATE SET value = value + 1",
                (day, reached),
            )

    def _keep_miss(self, conn: sqlite3.Connection, day: str, platform: str, customer_id: str, note: Note,
                   now: float) -> None:
        stored = note.to_dict()
        conn.execute(
            "INSERT INTO insight_misses (day, kind, platform, customer_id, text, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (day, note.kind, platform, customer_id, stored["text"], stored["reason"], now),
        )
        conn.execute(  # only the newest of the day's kind are kept
            "DELETE FROM insight_misses WHERE day = ? AND kind = ? AND id <= (SELECT id FROM insight_misses"
            " WHERE day = ? AND kind = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (day, note.kind, day, note.kind, self.misses_per_day),
        )

    def funnel(self, days: int) -> dict[str, Any]:
        """The funnel of the last ``days`` days (today included)."""
        span = days_back(self.clock(), check_days(days), self.zone)
        counts = {row[0]: row[1] for row in self.db.query(
            "SELECT metric, SUM(value) FROM insight_counts WHERE day >= ? AND day <= ? AND metric NOT LIKE ?"
            " GROUP BY metric", (span[0], span[-1], REACHED + "%"))}
        reach = {row[0]: row[1] for row in self.db.query(
            "SELECT stage, COUNT(DISTINCT who) FROM insight_reach WHERE day >= ? AND day <= ? GROUP BY stage",
            (span[0], span[-1]))}
        return funnel_report(span, counts, reach)

    def misses(self, days: int, limit: int = MISSES_READ) -> list[dict[str, Any]]:
        """The customers' words of the last ``days`` days, newest first (``ref`` opens the conversation)."""
        span = days_back(self.clock(), check_days(days), self.zone)
        rows = self.db.query(
            "SELECT * FROM insight_misses WHERE day >= ? AND day <= ? ORDER BY id DESC LIMIT ?",
            (span[0], span[-1], limit),
        )
        return [_miss(row) for row in rows]

    def miss(self, ref: str) -> dict[str, Any] | None:
        """One miss by its reference, or None."""
        parsed = parse_ref(ref)
        if parsed is None:
            return None
        row = self.db.query_one("SELECT * FROM insight_misses WHERE day = ? AND id = ?", parsed)
        return _miss(row) if row else None

    def prune(self) -> None:
        """Forget the days older than :data:`KEEP_DAYS`."""
        oldest = days_back(self.clock(), KEEP_DAYS, self.zone)[0]
        with self.db.transaction() as conn:
            for table in ("insight_counts", "insight_reach", "insight_misses"):
                conn.execute(f"DELETE FROM {table} WHERE day < ?", (oldest,))


def _miss(row: Any) -> dict[str, Any]:
    return {"ref": miss_ref(row["day"], row["id"]), "id": row["id"], "day": row["day"], "kind": row["kind"],
            "platform": row["platform"], "customer_id": row["customer_id"], "text": row["text"],
            "reason": row["reason"], "created_at": row["created_at"]}


__all__ = ["FUNNEL", "InsightStore", "KEEP_DAYS", "MISSES_PER_DAY", "REACH_PER_DAY", "WINDOWS", "day_of",
           "days_back", "funnel_report", "parse_ref", "tallies", "who"]
