"""bot/storage/db.py: several processes opening one new SQLite file at once (gunicorn's workers at
start) all get it, in WAL mode; SQLite answers the switch to WAL "locked" without waiting."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from tenacity import stop_after_attempt

from bot.errors import StorageError
from bot.events import Event, Kind, Platform
from bot.storage import db as db_module
from bot.storage.db import Checkpointer, Database
from bot.storage.inbox import Inbox

OPENERS = 4
ROUNDS = 8


def _open(path: str, barrier) -> None:
    barrier.wait()
    Database(path)


def test_processes_opening_a_new_file_at_once_all_get_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = str(tmp_path / f"new-{round_}.sqlite3")
        barrier = context.Barrier(OPENERS)
        openers = [context.Process(target=_open, args=(path, barrier)) for _ in range(OPENERS)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(60)
        assert [opener.exitcode for opener in openers] == [0] * OPENERS, f"round {round_}"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _flock_free(path: str) -> bool:
    """Whether another open file description could take the writers' lock now."""
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return True


def test_a_write_transaction_holds_the_processes_lock_beside_the_file(tmp_path: Path) -> None:
    """Writers of other processes queue on ``<path>.lock`` (the kernel wakes the next one), not in
    SQLite's busy handler; the lock is held exactly for the transaction, also when it fails."""
    path = str(tmp_path / "locked.sqlite3")
    db = Database(path)
    db.connection().execute("CREATE TABLE t (x INTEGER)")
    with db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        assert not _flock_free(f"{path}.lock")
    assert _flock_free(f"{path}.lock")
    with pytest.raises(StorageError):
        with db.transaction() as conn:
            conn.execute("INSERT INTO nowhere VALUES (1)")
    assert _flock_free(f"{path}.lock")
    assert db.query_one("SELECT COUNT(*) FROM t")[0] == 1


def _write_rows(path: str, start: int, barrier) -> None:
    db = Database(path)
    barrier.wait()
    for n in range(start, start + 50):
        with db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (?)", (n,))


def test_writers_of_several_processes_all_commit(tmp_path: Path) -> None:
    """A Database made before a fork: each child opens the lock again (a shared descriptor would let
    both in at once) and every row of every process is written."""
    path = str(tmp_path / "shared.sqlite3")
    db = Database(path)
    db.connection().execute("CREATE TABLE t (x INTEGER)")
    with db.transaction() as conn:  # the parent has its descriptor open when it forks
        conn.execute("INSERT INTO t VALUES (-1)")
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(3)
    writers = [context.Process(target=_write_rows, args=(path, 100 * n, barrier)) for n in range(3)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert [writer.exitcode for writer in writers] == [0, 0, 0]
    assert db.query_one("SELECT COUNT(*) FROM t")[0] == 151


def test_a_thread_in_a_transaction_of_one_database_is_not_stopped_by_the_lock_of_another(tmp_path: Path) -> None:
    """Two Database objects of one file in one thread: the second skips the lock the thread holds
    (SQLite keeps them apart) instead of waiting for itself forever."""
    path = str(tmp_path / "twice.sqlite3")
    first, second = Database(path), Database(path)
    first.connection().execute("CREATE TABLE t (x INTEGER)")
    with first.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        second.query("SELECT 1")  # reads never wait
        with second._writers:  # what second.transaction() takes before BEGIN IMMEDIATE
            pass
    with second.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (2)")
    assert first.query_one("SELECT COUNT(*) FROM t")[0] == 2


def test_an_own_connection_writes_the_same_file(tmp_path: Path) -> None:
    db = Database(tmp_path / "own.sqlite3")
    db.connection().execute("CREATE TABLE t (x INTEGER)")
    own = db.own_connection()
    with db.transaction(own) as conn:
        assert conn is own
        conn.execute("INSERT INTO t VALUES (7)")
    assert db.query_one("SELECT x FROM t")[0] == 7


class _CountedCheckpointer(Checkpointer):
    """Tells the test each time its thread ran a checkpoint."""

    def __init__(self, db: Database, every: int, wal_limit: int = 4000, passes: int = 1) -> None:
        super().__init__(db, every, wal_limit)
        self.passes = passes  # 1: the passive one alone; 2: then the one under the writers' lock
        self.ran = threading.Event()
        self.results: list[tuple[int, int, int]] = []

    def checkpoint(self, conn: sqlite3.Connection | None = None) -> tuple[int, int, int]:
        result = super().checkpoint(conn)
        self.results.append(result)
        if len(self.results) == self.passes:
            self.ran.set()
        return result


def test_the_checkpoint_thread_copies_the_wal_of_a_writer_that_does_not(tmp_path: Path) -> None:
    """A writer with ``wal_autocheckpoint=0`` leaves the WAL to the checkpointer: nothing is copied
    before ``every`` commits, then its thread copies every frame into the database file."""
    db = Database(tmp_path / "wal.sqlite3")
    writer = db.own_connection()
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x TEXT)")
    checkpoints = _CountedCheckpointer(db, every=20)
    for n in range(19):
        with db.transaction(writer) as conn:
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 3000 + str(n),))
        checkpoints.committed()
    assert not checkpoints.ran.is_set() and checkpoints._thread is None
    with db.transaction(writer) as conn:
        conn.execute("INSERT INTO t VALUES ('last')")
    checkpoints.committed()
    assert checkpoints.ran.wait(30)
    busy, frames, copied = checkpoints.results[-1]
    assert busy == 0 and frames > 20 and copied == frames
    assert db.query_one("SELECT COUNT(*) FROM t")[0] == 20


def test_a_wal_past_its_limit_is_checkpointed_again_under_the_writers_lock(tmp_path: Path) -> None:
    """Past ``wal_limit`` frames the passive pass is followed by one holding the writers' lock (a
    transaction waits meanwhile); under it, by the passive pass alone."""
    db = Database(tmp_path / "wal.sqlite3")
    writer = db.own_connection()
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x TEXT)")
    small = _CountedCheckpointer(db, every=3)
    large = _CountedCheckpointer(db, every=3, wal_limit=1, passes=2)
    for checkpoints in (small, large):
        for n in range(3):
            with db.transaction(writer) as conn:
                conn.execute("INSERT INTO t VALUES (?)", ("x" * 3000 + str(n),))
            checkpoints.committed()
        assert checkpoints.ran.wait(30)
    assert len(large.results) == 2 and large.results[-1][0] == 0
    assert len(small.results) == 1


def _text(n: int, message_id: str) -> Event:
    return Event(Platform.WHATSAPP, f"2015{n:07d}", Kind.TEXT, text="سلام", message_id=message_id)


def test_the_inbox_writer_leaves_checkpoints_to_its_thread(tmp_path: Path) -> None:
    db = Database(tmp_path / "inbox.sqlite3")
    inbox = Inbox(db)
    inbox._checkpoints = _CountedCheckpointer(db, every=5)
    for n in range(5):
        assert inbox.accept([_text(n, f"wamid.{n}")]).new == 1
    assert inbox._writer is not None
    assert inbox._writer.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert inbox._checkpoints.ran.wait(30)
    assert inbox.counts()["pending"] == 5


def test_deliveries_arriving_while_the_leader_waits_for_the_file_lock_join_its_batch(tmp_path: Path) -> None:
    """The leader takes the waiting deliveries once it holds the write lock: a delivery that came
    while another process was committing is written in the same transaction, not the next one."""
    path = str(tmp_path / "batch.sqlite3")
    inbox = Inbox(Database(path))
    other = Database(path)  # another process's writer: its own descriptor of the lock file
    transactions = []
    real = inbox.db.transaction

    def counted(conn=None):
        transactions.append(conn)
        return real(conn)

    inbox.db.transaction = counted  # type: ignore[method-assign]  # counting the inbox's transactions
    results: dict[int, object] = {}

    def deliver(n: int) -> None:
        results[n] = inbox.accept([_text(n, f"wamid.b{n}")])

    with other.transaction():
        first = threading.Thread(target=deliver, args=(1,))
        first.start()
        while not transactions:  # the first delivery leads and waits for the lock held here
            threading.Event().wait(0.001)
        second = threading.Thread(target=deliver, args=(2,))
        second.start()
        while len(inbox._waiting) < 2:
            threading.Event().wait(0.001)
    first.join(30)
    second.join(30)
    assert len(transactions) == 1
    assert [results[1].new, results[2].new] == [1, 1]  # type: ignore[attr-defined]
    assert inbox.counts()["pending"] == 2


def test_a_writer_waits_for_another_process_holding_the_file_lock_only_so_long(tmp_path: Path, monkeypatch) -> None:
    """Another process holding the writers' lock (a second descriptor of the same file stands for
    it) makes a transaction wait in line; held past the deadline, the transaction fails with
    StorageError instead of waiting for ever."""
    db = Database(tmp_path / "held.sqlite3")
    other = os.open(str(tmp_path / "held.sqlite3.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)
    monkeypatch.setattr(db_module._try_lock.retry, "stop", stop_after_attempt(3))  # instead of 30 s
    try:
        with pytest.raises(StorageError, match="writers' lock"), db.transaction() as conn:
            conn.execute("CREATE TABLE never (x)")
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    with db.transaction() as conn:  # released: the next writer goes in at once
        conn.execute("CREATE TABLE t (x)")
    assert db.query_one("SELECT COUNT(*) FROM t")[0] == 0


def test_an_in_memory_database_gives_its_own_connection_as_the_writer() -> None:
    db = Database(":memory:")
    assert db.own_connection() is db.connection()
