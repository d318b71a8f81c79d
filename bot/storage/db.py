"""The SQLite database: per-thread connections, the schema (versioned, :mod:`bot.storage.migrations`),
and short write transactions."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tenacity import retry, retry_if_exception, stop_after_delay, wait_random

from bot.errors import StorageError
from bot.storage.migrations import MIGRATIONS, Migration, migrate

log = logging.getLogger(__name__)


class Database:
    """A SQLite file shared by every thread and process of the service.

    Each thread gets its own connection. ``transaction()`` opens ``BEGIN IMMEDIATE`` so writers
    queue on SQLite's lock instead of failing half-way; reads use ``query``/``query_one``.
    Opening brings the file's schema up to ``migrations`` (this release's by default).
    """

    def __init__(self, path: str | Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = str(path)
        self._local = threading.local()
        # Writers of this process queue here, in order, instead of sleeping in SQLite's busy
        # handler (which polls in steps of up to 100 ms); other processes still meet at SQLite's lock.
        self._write_lock = threading.Lock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.schema_version = migrate(self.connection(), self.path, migrations)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; committed on success, rolled back on any exception."""
        conn = self.connection()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(f"database busy: {exc}") from exc
            try:
                yield conn
            except sqlite3.Error as exc:
                _rollback(conn)
                raise StorageError(f"database error: {exc}") from exc
            except BaseException:
                _rollback(conn)
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)  # never leave the write lock held by a half-finished transaction
                raise StorageError(f"commit failed: {exc}") from exc

    def relax_this_thread(self) -> None:
        """Commit without waiting for the disk on this thread's connection (``synchronous=NORMAL``).

        For the inbox workers' bookkeeping: in WAL mode a commit still survives a killed process,
        and only a power cut could lose the last ones (the event is then handled again). The
        webhook's threads keep ``FULL``: an accepted event is on disk before the 200.
        """
        self.connection().execute("PRAGMA synchronous=NORMAL")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """All rows of a read."""
        try:
            return self.connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(str(exc)) from exc

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        """The first row of a read, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def ping(self) -> bool:
        """True when the database answers (for /readyz)."""
        try:
            self.query("SELECT 1")
        except StorageError:
            return False
        return True

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (a failed COMMIT may have ended it already)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback failed")


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made."""
    if cursor.lastrowid is None:
        raise StorageError("the insert made no row")
    return cursor.lastrowid


def scalar(row: Any, default: Any = 0) -> Any:
    """The first column of a row, or ``default`` when there is no row."""
    return row[0] if row is not None else default


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


@retry(retry=retry_if_exception(_locked), stop=stop_after_delay(30), wait=wait_random(0.01, 0.1), reraise=True)
def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (it stays so). Switching needs the file to itself, and SQLite answers
    "locked" at once, without its busy handler, while another process opening the same new file
    (gunicorn's workers at start) switches it or migrates it: then this tries again, for up to 30 s."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
