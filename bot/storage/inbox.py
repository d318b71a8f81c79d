"""The durable inbox: every accepted event is stored before the webhook answers 200.

States: ``pending`` → ``processing`` (claimed by a worker) → ``done``; a failure puts the event
back to ``pending`` with a later ``available_at`` until ``max_attempts``, then ``dead`` (a dead
letter, visible in the console, retryable by staff). An event claimed by a worker that died
(its process is gone, or its lease ran out) is claimed again. Events of one customer are claimed
one at a time, in arrival order.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import StorageError
from bot.events import Event
from bot.storage.db import Checkpointer, Database, scalar

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"
HOST = socket.gethostname()
CLAIM_WINDOW = 16  # a claim checks the oldest this many due events first (Inbox._candidates)
# No earlier event of the same customer is still waiting or being handled.
_NOTHING_EARLIER = (
    "NOT EXISTS (SELECT 1 FROM inbox AS p WHERE p.customer_key = e.customer_key AND p.id < e.id"
    " AND p.state IN ('pending', 'processing'))"
)


@dataclass(frozen=True, slots=True)
class Claimed:
    """An event a worker holds: its inbox id, attempt number (1 for the first), and when it came."""

    id: int
    event: Event
    attempt: int
    accepted_at: float = 0.0
    owner: str = ""
    claimed_at: float = 0.0


@dataclass(slots=True)
class _Delivery:
    """One webhook delivery's events waiting for a group commit (as the rows to insert, encoded
    before the write lock is taken), and what became of them."""

    events: list[Event]
    rows: list[tuple[str, str, str, str]]
    done: bool = False
    result: Accepted | None = None
    error: BaseException | None = None
    woken: threading.Event = field(default_factory=threading.Event)  # done, or asked to lead the next batch


@dataclass(frozen=True, slots=True)
class Accepted:
    """What :meth:`Inbox.accept` did with a delivery's events."""

    new: int
    duplicates: int


def _row(event: Event) -> tuple[str, str, str, str]:
    """An event's inbox columns but the times: dedupe key, customer key, kind, the event as JSON."""
    return (
        event.dedupe_key,
        f"{event.platform}:{event.customer_id}",
        str(event.kind),
        json.dumps(event.to_dict(), default=str),  # ASCII: a lone surrogate cannot break it
    )


def worker_name(thread_name: str) -> str:
    """A claim owner id that says which host and process hold the event."""
    return f"{HOST}:{os.getpid()}:{thread_name}"


def _owner_alive(owner: str) -> bool:
    """False when the owner's process on this host no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return True  # another host: only its lease can tell
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Inbox:
    """The queue of incoming events, in SQLite."""

    def __init__(
        self,
        db: Database,
        *,
        lease_s: float = 120.0,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.clock = clock
        self._renewed: dict[tuple[int, str | None], float] = {}  # (event, owner) -> last lease renewal
        self._arrivals = threading.Lock()     # guards the list of deliveries waiting to be written
        self._leading = threading.Lock()      # one delivery at a time writes the waiting ones
        self._waiting: list[_Delivery] = []
        self._writer: sqlite3.Connection | None = None  # the group commit's own, used under _leading
        self._writer_pid = 0  # the process that opened it
        self._checkpoints = Checkpointer(db)  # the writer leaves WAL checkpoints to a thread of their own
        self._finished: set[int] = set()      # events a turn's own transaction marked done (complete is free)

    def accept(self, events: Iterable[Event]) -> Accepted:
        """Store the events durably; repeated deliveries are recognised and skipped.

        Group commit: deliveries that arrive while another one is being committed wait and are
        then written together, in one transaction and one fsync, by whichever of them leads. The
        leader takes the waiting ones once it holds the write lock, so those that arrive while it
        waits for another process's commit join its batch. A follower sleeps on its own event: the
        leader wakes every delivery of its batch at once when it is written, and hands the lead
        to one still waiting (which arrived too late for the batch). Followers never queue on the
        leader's lock, where each would wake the next one by one after every commit.
        """
        events = list(events)
        try:
            mine = _Delivery(events, [_row(event) for event in events])
        except Exception as exc:  # an event that cannot be encoded: this delivery fails, no one waits for it
            raise StorageError(f"delivery not stored: {type(exc).__name__}: {exc}") from exc
        with self._arrivals:
            self._waiting.append(mine)
        while not mine.done:
            if self._leading.acquire(blocking=False):
                try:
                    if not mine.done:
                        self._commit()
                finally:
                    self._leading.release()
                    self._hand_on()
            else:
                mine.woken.wait()
                mine.woken.clear()
        if mine.error is not None or mine.result is None:
            raise mine.error or StorageError("the delivery was not stored")
        return mine.result

    def _commit(self) -> None:
        """Write the waiting deliveries in one transaction; a delivery that cannot be written fails
        alone (a lone one needs no savepoint: its failure is the transaction's)."""
        batch: list[_Delivery] = []
        try:
            if self._writer is None or self._writer_pid != os.getpid():  # a forked child opens its own
                self._writer, self._writer_pid = self.db.own_connection(), os.getpid()
                self._writer.execute("PRAGMA wal_autocheckpoint=0")
            with self.db.transaction(self._writer) as conn:
                with self._arrivals:
                    batch, self._waiting = self._waiting, []
                now = self.clock()
                if len(batch) == 1:
                    batch[0].result = self._insert(conn, batch[0].rows, now)
                else:
                    for delivery in batch:
                        self._insert_one(conn, delivery, now)
            self._checkpoints.committed()
        except BaseException as exc:  # every waiting delivery learns it failed (the webhook answers 503)
            error = exc if isinstance(exc, StorageError) else StorageError(f"accepting failed: {exc!r}")
            if not batch:  # failed before taking them (the write lock): those waiting fail now
                with self._arrivals:
                    batch, self._waiting = self._waiting, []
            for delivery in batch:
                delivery.result, delivery.error = None, error
            if not isinstance(exc, Exception):
                raise
        finally:
            for delivery in batch:
                delivery.done = True
                delivery.woken.set()

    def _hand_on(self) -> None:
        """Wake the first delivery still waiting, if any, to lead the next batch (the lead is free)."""
        with self._arrivals:
            first = self._waiting[0] if self._waiting else None
        if first is not None:
            first.woken.set()

    def _insert_one(self, conn: Any, delivery: _Delivery, now: float) -> None:
        """Write one delivery under a savepoint: if it cannot be written (an event the database
        refuses, one that cannot be encoded), it alone fails and the rest of the batch commits."""
        conn.execute("SAVEPOINT delivery")
        try:
            delivery.result = self._insert(conn, delivery.rows, now)
        except Exception as exc:  # anything this delivery's data causes; a broken connection fails below
            conn.execute("ROLLBACK TO delivery")
            delivery.error = StorageError(f"delivery not stored: {type(exc).__name__}: {exc}")
        conn.execute("RELEASE delivery")

    def _insert(self, conn: Any, rows: list[tuple[str, str, str, str]], now: float) -> Accepted:
        new = 0
        for row in rows:
            new += conn.execute(
                "INSERT OR IGNORE INTO inbox (dedupe_key, customer_key, kind, event, available_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (*row, now, now),
            ).rowcount
        return Accepted(new=new, duplicates=len(rows) - new)

    def claim(self, owner: str) -> Claimed | None:
        """Take the oldest event that is due and whose customer has nothing earlier unfinished.

        Candidates are found with a plain read (WAL readers never wait for writers), then taken
        with a conditional update, so idle workers never hold the write lock.
        """
        now = self.clock()
        for _ in range(8):  # a buried event may have been holding back its customer's next one, and
            candidates = self._candidates(now)  # other workers may have taken every candidate first
            if not candidates:
                return None
            claimed, look_again = self._take_first(candidates, owner, now)
            if claimed is not None or not look_again:
                return claimed
        return None

    def _candidates(self, now: float) -> list[Any]:
        """Up to 4 due events whose customer has nothing earlier unfinished, oldest first.

        The per-customer check costs a lookup per event it looks at, so it first runs on the
        oldest :data:`CLAIM_WINDOW` due events only (a deep backlog costs one index scan, not a
        check per waiting event); only when that many are due and none of them is free (their
        customers have earlier events in hand) are all due events looked at.
        """
        candidates = self.db.query(
            "SELECT id, event, attempts, created_at FROM inbox AS e WHERE e.id IN (SELECT id FROM inbox"
            f" WHERE state = 'pending' AND available_at <= ? ORDER BY id LIMIT {CLAIM_WINDOW})"
            f" AND {_NOTHING_EARLIER} ORDER BY e.id LIMIT 4",
            (now,),
        )
        if candidates or self._due_at_most(now) < CLAIM_WINDOW:
            return candidates
        return self.db.query(
            "SELECT id, event, attempts, created_at FROM inbox AS e WHERE e.state = 'pending'"
            f" AND e.available_at <= ? AND {_NOTHING_EARLIER} ORDER BY e.id LIMIT 4",
            (now,),
        )

    def _due_at_most(self, now: float) -> int:
        """How many events are due, counted up to :data:`CLAIM_WINDOW`."""
        return scalar(self.db.query_one(
            "SELECT COUNT(*) FROM (SELECT 1 FROM inbox WHERE state = 'pending' AND available_at <= ?"
            f" LIMIT {CLAIM_WINDOW})",
            (now,),
        ))

    def _take_first(self, candidates: list[Any], owner: str, now: float) -> tuple[Claimed | None, bool]:
        """Claim the first candidate still free; (the claim, whether to look again: an event was
        buried on the way, or other workers took every candidate between the read and the update,
        while more may be waiting behind them)."""
        for row in candidates:
            with self.db.transaction() as conn:
                taken = conn.execute(
                    "UPDATE inbox AS e SET state = 'processing', claimed_by = ?, claimed_at = ?,"
                    " attempts = attempts + 1"
                    f" WHERE e.id = ? AND e.state = 'pending' AND e.available_at <= ? AND {_NOTHING_EARLIER}"
                    " RETURNING attempts",
                    (owner, now, row["id"], now),
                ).fetchone()
            if taken is None:
                continue
            event = decode(row["event"])
            if event is None:
                self._bury(row["id"], "the stored event cannot be read")
            elif taken["attempts"] > self.max_attempts:  # it took its workers down with it every time
                self._bury(row["id"], f"given up after {self.max_attempts} attempts that never finished")
            else:
                return Claimed(row["id"], event, taken["attempts"], row["created_at"], owner, now), False
        return None, True

    def extend(self, claimed: Claimed) -> bool:
        """Renew the lease on an event still being handled; False when it was taken over.

        A lease renewed less than a quarter of its length ago cannot have run out, so the
        database is only written once in a while.
        """
        key = (claimed.id, claimed.owner)
        if self.clock() - self._renewed.get(key, claimed.claimed_at) < self.lease_s / 4:
            return True
        self._renewed[key] = self.clock()
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE inbox SET claimed_at = ? WHERE id = ? AND state = 'processing' AND claimed_by = ?",
                (self.clock(), claimed.id, claimed.owner),
            )
        return cursor.rowcount == 1

    def complete(self, event_id: int, owner: str | None = None) -> bool:
        """The event is handled. With ``owner``, only while that worker still holds it. Free (no
        write) when the turn's own transaction already marked it done (:meth:`complete_in`)."""
        self._renewed.pop((event_id, owner), None)
        if event_id in self._finished:
            self._finished.discard(event_id)
            return True
        with self.db.transaction() as conn:
            return self._mark_done(conn, event_id, owner)

    def complete_in(self, conn: sqlite3.Connection, claimed: Claimed) -> bool:
        """Mark ``claimed`` done inside the caller's transaction (the turn's last write), while its
        worker still holds it; call :meth:`finished` once that transaction committed."""
        return self._mark_done(conn, claimed.id, claimed.owner or None)

    def finished(self, claimed: Claimed) -> None:
        """``claimed`` was marked done by a committed :meth:`complete_in`: the worker's
        :meth:`complete` then writes nothing."""
        self._renewed.pop((claimed.id, claimed.owner or None), None)
        self._finished.add(claimed.id)

    def _mark_done(self, conn: sqlite3.Connection, event_id: int, owner: str | None) -> bool:
        cursor = conn.execute(
            "UPDATE inbox SET state = 'done', finished_at = ?, claimed_by = NULL"
            " WHERE id = ? AND (? IS NULL OR (state = 'processing' AND claimed_by = ?))",
            (self.clock(), event_id, owner, owner),
        )
        return cursor.rowcount == 1

    def fail(self, event_id: int, error: str, *, retry_in: float | None = None, owner: str | None = None) -> str:
        """Record a failed attempt; the event is retried later, or becomes a dead letter.

        Returns the new state (or the current one when ``owner`` no longer holds the event).
        ``retry_in`` defaults to an exponential backoff (2, 4, 8 … 300 s).
        """
        now = self.clock()
        self._renewed.pop((event_id, owner), None)
        with self.db.transaction() as conn:
            row = conn.execute("SELECT attempts, state, claimed_by FROM inbox WHERE id = ?", (event_id,)).fetchone()
            if row is None or (owner is not None and (row["state"] != PROCESSING or row["claimed_by"] != owner)):
                return row["state"] if row else DEAD
            state = DEAD if row["attempts"] >= self.max_attempts else PENDING
            delay = retry_in if retry_in is not None else min(2.0 ** row["attempts"], 300.0)
            conn.execute(
                "UPDATE inbox SET state = ?, last_error = ?, available_at = ?, claimed_by = NULL,"
                " finished_at = CASE WHEN ? = 'dead' THEN ? ELSE NULL END WHERE id = ?",
                (state, error[:2000], now + delay, state, now, event_id),
            )
        return state

    def defer(self, event_id: int, reason: str, *, retry_in: float, owner: str | None = None) -> str:
        """Put an event back to wait ``retry_in`` seconds without using up an attempt.

        For waits that are not the event's fault (the Graph API is down, the channel is
        paused): however long they last, the event never becomes a dead letter through them.
        Returns the new state (or the current one when ``owner`` no longer holds the event).
        """
        self._renewed.pop((event_id, owner), None)
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE inbox SET state = 'pending', attempts = MAX(attempts - 1, 0), last_error = ?,"
                " available_at = ?, claimed_by = NULL"
                " WHERE id = ? AND (? IS NULL OR (state = 'processing' AND claimed_by = ?))",
                (reason[:2000], self.clock() + retry_in, event_id, owner, owner),
            )
            if cursor.rowcount:
                return PENDING
            row = conn.execute("SELECT state FROM inbox WHERE id = ?", (event_id,)).fetchone()
        return row["state"] if row else DEAD

    def waiting(self, limit: int = 20) -> dict[str, Any]:
        """Customers whose event was tried and waits to be tried again (e.g. the Graph API is down).

        ``{"customers": how many, "sample": [{"customer_key", "since", "events"}, ...]}``, the
        longest waiting first; ``since`` is when their oldest unfinished event came, ``events``
        how many of theirs are unfinished.
        """
        rows = self.db.query(
            "SELECT customer_key, MIN(created_at) AS since, COUNT(*) AS events FROM inbox"
            " WHERE state IN ('pending', 'processing') AND customer_key IN (SELECT customer_key FROM inbox"
            " WHERE state IN ('pending', 'processing') AND last_error IS NOT NULL)"
            " GROUP BY customer_key ORDER BY since, customer_key",
        )
        return {"customers": len(rows), "sample": [dict(row) for row in rows[:limit]]}

    def _bury(self, event_id: int, error: str) -> None:
        """Make an event a dead letter at once (it can never be handled)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE inbox SET state = 'dead', last_error = ?, finished_at = ?, claimed_by = NULL WHERE id = ?",
                (error, self.clock(), event_id),
            )

    def recover(self) -> int:
        """Give back events held by dead workers or whose lease ran out; returns how many."""
        now = self.clock()
        rows = self.db.query("SELECT id, claimed_by, claimed_at FROM inbox WHERE state = 'processing'")
        stale = [
            (now, row["id"], row["claimed_by"], row["claimed_at"])
            for row in rows
            if (row["claimed_at"] or 0) + self.lease_s < now or not _owner_alive(row["claimed_by"] or "")
        ]
        if not stale:
            return 0
        with self.db.transaction() as conn:  # only the claims seen above: a fresh claim is left alone
            reclaimed = sum(
                conn.execute(
                    "UPDATE inbox SET state = 'pending', claimed_by = NULL, available_at = ?"
                    " WHERE id = ? AND state = 'processing' AND claimed_by IS ? AND claimed_at IS ?",
                    claim,
                ).rowcount
                for claim in stale
            )
        return reclaimed

    def retry_dead(self, event_id: int) -> bool:
        """Put a dead letter back in the queue (a staff action); False when it is not dead."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE inbox SET state = 'pending', attempts = 0, available_at = ?, finished_at = NULL"
                " WHERE id = ? AND state = 'dead'",
                (self.clock(), event_id),
            )
        return cursor.rowcount == 1

    def dead_letters(self, limit: int = 50) -> list[dict]:
        """The newest dead letters, for the console."""
        rows = self.db.query(
            "SELECT id, kind, customer_key, attempts, last_error, created_at, event FROM inbox"
            " WHERE state = 'dead' ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [dict(row) | {"event": json.loads(row["event"])} for row in rows]

    def counts(self) -> dict[str, int]:
        """How many events are in each state."""
        rows = self.db.query("SELECT state, COUNT(*) FROM inbox GROUP BY state")
        counts = {PENDING: 0, PROCESSING: 0, DONE: 0, DEAD: 0}
        counts.update({row[0]: row[1] for row in rows})
        return counts

    def state_of(self, dedupe_key: str) -> str | None:
        """The state of the event with this key (tests and the console)."""
        return scalar(self.db.query_one("SELECT state FROM inbox WHERE dedupe_key = ?", (dedupe_key,)), None)

    def ping(self) -> bool:
        """True when the inbox's database answers (for /readyz)."""
        return self.db.ping()

    def inbound(self, customer_key: str, after_id: int = 0, limit: int = 200) -> list[dict]:
        """A customer's events, oldest first, with their state (the console's right-hand bubbles)."""
        rows = self.db.query(
            "SELECT id, kind, state, event, last_error, created_at FROM inbox"
            " WHERE customer_key = ? AND id > ? ORDER BY id LIMIT ?",
            (customer_key, after_id, limit),
        )
        return [_summary(row["id"], row["state"], row["last_error"], row["created_at"], row["event"]) for row in rows]

    def unfinished(self, customer_key: str) -> int:
        """How many of a customer's events wait or are being handled."""
        return scalar(self.db.query_one(
            "SELECT COUNT(*) FROM inbox WHERE customer_key = ? AND state IN ('pending', 'processing')",
            (customer_key,),
        ))

    def prune(self, older_than_s: float = 8 * 24 * 3600) -> int:
        """Forget finished events older than the platforms' retry horizon (WhatsApp: 7 days)."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM inbox WHERE state = 'done' AND finished_at < ?", (self.clock() - older_than_s,)
            )
        return cursor.rowcount


def decode(event_json: str) -> Event | None:
    """The stored event, or None when it cannot be read (bad JSON, a kind this version lacks).

    Events are stored as ASCII JSON, so a string with a surrogate in it shows as ``\\ud8..``-``\\udf..``
    escapes (an emoji's pair too); without one the event is clean as stored and is not cleaned again.
    """
    try:
        return Event.from_dict(json.loads(event_json), known_clean=_no_surrogate_escape(event_json))
    except (ValueError, KeyError, TypeError):
        return None


def _no_surrogate_escape(event_json: str) -> bool:
    return "\\ud" not in event_json and "\\uD" not in event_json


def _summary(event_id: int, state: str, error: str | None, created_at: float, event_json: str) -> dict:
    event = json.loads(event_json)
    return {
        "id": event_id, "kind": event.get("kind"), "state": state, "text": event.get("text", ""),
        "payload": event.get("payload", ""), "data": event.get("data", {}), "error": error,
        "created_at": created_at,
    }
