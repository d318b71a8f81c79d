"""The SQLite database: per-thread connections, the schema (versioned, :mod:`bot.storage.migrations`),
and short write transactions, queued across threads and processes."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
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
    never fail half-way; reads use ``query``/``query_one``. Writers wait in line before that, not
    in SQLite's busy handler (which sleeps 1, 2, 5, 10, 15 ms... between tries, so a webhook thread
    meeting another process's commit often waited tens of milliseconds for a lock held for one):
    the threads of a process on a lock of their own, then the processes on an ``flock`` of
    ``<path>.lock``, which the kernel hands to the next waiter the moment it is released.
    Opening brings the file's schema up to ``migrations`` (this release's by default).
    """

    def __init__(self, path: str | Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = str(path)
        self._local = threading.local()
        # Writers of this process queue here, in order, instead of sleeping in SQLite's busy
        # handler (which polls in steps of up to 100 ms); then on the file lock with other processes.
        self._write_lock = threading.Lock()
        self._writers = _WriterLock(None if self.path == ":memory:" else f"{self.path}.lock")
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

    def own_connection(self) -> sqlite3.Connection:
        """A new connection of its own, for one writer that several threads take turns to be (the
        inbox's group commit): one connection keeps its page cache and prepared statements from
        one transaction to the next, where each thread's own would find them stale after every
        other thread's write and read the index pages again. The caller serialises its use.
        (``:memory:`` has one database per connection: there it is this thread's.)"""
        return self.connection() if self.path == ":memory:" else self._open()

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
    def transaction(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction (on this thread's connection, or ``conn``); committed on success,
        rolled back on any exception."""
        conn = conn or self.connection()
        with self._write_lock, self._writers:
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

    @contextlib.contextmanager
    def writers_held(self) -> Iterator[None]:
        """No writer of this file that queues on the lock (every :meth:`transaction`) begins meanwhile."""
        with self._write_lock, self._writers:
            yield

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


class _WriterLock:
    """The processes' line for writing one SQLite file: an exclusive ``flock`` of ``path``.

    Taken after the process's own write lock, so one thread per process waits here. The kernel
    wakes the next waiter when the holder's transaction ends (or its process dies: the lock goes
    with its descriptor), where SQLite's busy handler would have it poll. The descriptor is opened
    again in a child after ``fork`` (a shared one would let both processes in). A thread that
    already holds the lock of the same file through another :class:`Database` skips it (SQLite's
    own lock still keeps them apart) instead of waiting for itself; so does a file whose lock
    cannot be opened (a read-only directory).
    """

    _held = threading.local()  # the lock paths this thread holds

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0
        self._mine = threading.local()

    def __enter__(self) -> None:
        held: set[str] = self._held.__dict__.setdefault("paths", set())
        path = self.path
        fd = self._descriptor() if path is not None and path not in held else None
        self._mine.fd = fd
        if fd is not None and path is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another process writes: wait in line, but not for ever
                self._mine.fd = None
                _wait_for_lock(fd)
                self._mine.fd = fd
            held.add(path)

    def __exit__(self, *exc: object) -> None:
        fd = self._mine.fd
        if fd is not None:
            self._held.paths.discard(self.path)
            self._mine.fd = None
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _descriptor(self) -> int | None:
        if self._fd is None or self._pid != os.getpid():
            if self._fd is not None:  # a parent's descriptor, inherited by fork: its lock is not ours
                os.close(self._fd)
                self._fd = None
            try:
                self._fd = os.open(str(self.path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                log.warning("no writer lock file %s (%s): writers wait in SQLite's busy handler", self.path, exc)
                self.path = None
                return None
            self._pid = os.getpid()
        return self._fd


def _busy(exc: BaseException) -> bool:
    return isinstance(exc, BlockingIOError)


@retry(retry=retry_if_exception(_busy), stop=stop_after_delay(30), wait=wait_random(0.0002, 0.001), reraise=True)
def _try_lock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _wait_for_lock(fd: int) -> None:
    """Take the writers' file lock another process holds: tried again every 0.2-1 ms (SQLite's busy
    handler sleeps 1, 2, 5, 10 ms... between tries) for up to 30 s, SQLite's own busy timeout; a
    holder stopped for longer makes this writer fail (the webhook answers 503 and Meta retries)
    instead of every writer waiting for ever."""
    try:
        _try_lock(fd)
    except BlockingIOError as exc:
        raise StorageError("database busy: another process has held the writers' lock for 30 s") from exc


class Checkpointer:
    """WAL checkpoints on a thread of their own, for a writer that must not run them itself.

    SQLite checkpoints inside the commit that grows the WAL past 1,000 pages: that commit copies
    the pages into the database file and, with ``synchronous=FULL``, waits for the disk twice more,
    while every delivery queued behind it waits too. A writer connection with
    ``PRAGMA wal_autocheckpoint=0`` calls :meth:`committed` after each commit instead; every
    ``every`` commits a daemon thread of this process checkpoints on its own connection: first
    passively, copying the bulk without stopping anyone. Between bursts that completes the
    checkpoint and the next writer starts the WAL file over. Under steady writes a passive
    checkpoint is always a little behind and the file would grow without bound, so once the WAL
    holds more than ``wal_limit`` frames the thread also holds the writers' lock
    (:meth:`Database.writers_held`) for the few frames written meanwhile: rarely, so that the
    acknowledgements it holds up stay out of the 99th percentile. Connections of other kinds (the
    workers') keep checkpointing as usual.
    """

    def __init__(self, db: Database, every: int = 150, wal_limit: int = 4000) -> None:
        self.db = db
        self.every = every
        self.wal_limit = wal_limit  # frames (pages): 4,000 is about 16 MB of WAL
        self._commits = 0
        self._due = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._start = threading.Lock()

    def committed(self) -> None:
        """One more commit on a connection that does not checkpoint (called under its writer's lock)."""
        self._commits += 1
        if self._commits >= self.every:
            self._commits = 0
            self._running()
            self._due.set()

    def checkpoint(self, conn: sqlite3.Connection | None = None) -> tuple[int, int, int]:
        """One passive checkpoint now: (busy, WAL frames, frames copied into the database)."""
        conn = conn or self.db.connection()
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return busy, frames, copied

    def _running(self) -> None:
        with self._start:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
                try:
                    self._thread.start()
                except RuntimeError:  # no thread to be had: the next due checkpoint tries again
                    log.warning("no WAL checkpoint thread", exc_info=True)
                    self._thread = None

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while True:
            self._due.wait()
            self._due.clear()
            try:
                conn = conn or self.db.own_connection()
                _, frames, _ = self.checkpoint(conn)
                if frames > self.wal_limit:
                    with self.db.writers_held():
                        self.checkpoint(conn)
            except (sqlite3.Error, StorageError):  # the next one copies what this one could not
                log.warning("WAL checkpoint failed", exc_info=True)


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
