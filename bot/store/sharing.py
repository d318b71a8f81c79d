"""What the store client shares between the processes of one host, and between hosts.

One store API, one budget: gunicorn runs several processes, and each used to count its own 60
calls a minute. Three scopes, one contract each:

- ``process``: :class:`~bot.store.limiter.RateLimiter`, :class:`MemoryMap`, cachetools caches
  (tests, and a store built without a data directory);
- ``host``: :class:`SqliteRateLimiter`, :class:`SqliteMap`, :class:`MapCache` over it, in one
  small SQLite file beside ``DATABASE_PATH`` (``store-api.sqlite3``); every process of the host
  opens it, and SQLite's write lock (``BEGIN IMMEDIATE``) makes each grant atomic;
- ``hosts``: the same on Redis (:mod:`bot.store.shared`), with ``REDIS_URL``.

A :class:`SharedMap` holds small JSON values that expire on the injected clock: catalog pages
already fetched (so a load resumes, and another process reads them instead of fetching again),
which process fetches which page, a remembered ``Retry-After``, the password variant that
works, the last authentication failure. Nothing here imports Flask.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cachetools

from bot.errors import StoreError
from bot.store.limiter import RateLimiter, wait_for_permit

__all__ = ["MapCache", "MemoryMap", "SharedMap", "Sharing", "SqliteFile", "SqliteMap", "SqliteRateLimiter",
           "open_sharing"]

FILE_NAME = "store-api.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_rate (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS store_rate_name_at ON store_rate (name, at);
CREATE TABLE IF NOT EXISTS store_shared (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL);
"""


class SharedMap(Protocol):
    """Small JSON values under string keys, each expiring ``ttl`` seconds of the clock after it is set."""

    scope: str

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, ttl: float) -> None: ...

    def add(self, key: str, value: Any, ttl: float) -> bool:
        """Set ``key`` only if it holds nothing unexpired; True when this call set it."""
        ...

    def delete(self, key: str) -> None: ...


class MemoryMap:
    """:class:`SharedMap` for one process: a cachetools ``TLRUCache`` (each entry its own TTL)."""

    scope = "process"

    def __init__(self, clock: Callable[[], float] = time.time, maxsize: int = 16384) -> None:
        # each entry is (its ttl, its value)
        self._items: cachetools.TLRUCache[str, tuple[float, Any], float] = cachetools.TLRUCache(
            maxsize, ttu=lambda key, entry, now: now + entry[0], timer=clock)
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._items.get(key)
        return None if entry is None else entry[1]

    def set(self, key: str, value: Any, ttl: float) -> None:
        with self._lock:
            self._items[key] = (ttl, value)

    def add(self, key: str, value: Any, ttl: float) -> bool:
        with self._lock:
            if key in self._items:
                return False
            self._items[key] = (ttl, value)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


class SqliteFile:
    """One connection per process to the host's shared SQLite file (reopened after a fork)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._pid = -1
        self._db: sqlite3.Connection | None = None

    def run(self, work: Callable[[sqlite3.Connection], Any], *, write: bool = False) -> Any:
        """``work(connection)`` in one transaction (``BEGIN IMMEDIATE`` when it writes)."""
        with self._lock:
            db = None
            try:
                db = self._connection()
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                result = work(db)
                db.execute("COMMIT")
                return result
            except sqlite3.Error as error:
                if db is not None and db.in_transaction:
                    db.execute("ROLLBACK")
                raise StoreError(f"the store's shared state ({self.path}) failed: {error}") from error

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")   # kept by the file: one process switching it is enough
            except sqlite3.OperationalError:
                pass                                     # another process is switching it right now
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db, self._pid = db, os.getpid()
        return self._db


class SqliteMap:
    """:class:`SharedMap` for every process of one host, in the shared SQLite file."""

    scope = "host"

    def __init__(self, file: SqliteFile, namespace: str = "", clock: Callable[[], float] = time.time) -> None:
        self._file = file
        self._namespace = namespace
        self._clock = clock
        self._writes = 0

    def get(self, key: str) -> Any:
        row = self._file.run(lambda db: db.execute(
            "SELECT value, expires FROM store_shared WHERE key = ?", (self._namespace + key,)).fetchone())
        if row is None or row[1] <= self._clock():
            return None
        return json.loads(row[0])

    def set(self, key: str, value: Any, ttl: float) -> None:
        now = self._clock()
        self._writes += 1
        purge = self._writes % 200 == 0

        def write(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO store_shared (key, value, expires) VALUES (?, ?, ?)",
                       (self._namespace + key, json.dumps(value, ensure_ascii=False), now + ttl))
            if purge:
                db.execute("DELETE FROM store_shared WHERE expires <= ?", (now,))

        self._file.run(write, write=True)

    def add(self, key: str, value: Any, ttl: float) -> bool:
        now = self._clock()

        def claim(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT expires FROM store_shared WHERE key = ?", (self._namespace + key,)).fetchone()
            if row is not None and row[0] > now:
                return False
            db.execute("INSERT OR REPLACE INTO store_shared (key, value, expires) VALUES (?, ?, ?)",
                       (self._namespace + key, json.dumps(value, ensure_ascii=False), now + ttl))
            return True

        return self._file.run(claim, write=True)

    def delete(self, key: str) -> None:
        self._file.run(lambda db: db.execute("DELETE FROM store_shared WHERE key = ?", (self._namespace + key,)),
                       write=True)


class SqliteRateLimiter:
    """The :class:`~bot.store.limiter.RateLimiter` contract for every process of one host.

    A sliding-window log in the shared SQLite file: each grant is a row, taken inside one
    ``BEGIN IMMEDIATE`` transaction (SQLite's write lock), so two processes never both take the
    last permit. Rows older than the window (or, after a clock jump, further ahead than one) go.
    """

    scope = "host"

    def __init__(self, file: SqliteFile, calls: int, period: float, *, name: str = "store",
                 clock: Callable[[], float] = time.time) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs calls >= 1 and period > 0")
        self._file = file
        self.calls = calls
        self.period = period
        self.name = name
        self._clock = clock
        self.refused = 0

    def try_acquire(self, reserve: int = 0) -> float:
        """Take a permit leaving ``reserve`` free: 0.0 when granted, else the seconds to wait."""
        now = self._clock()

        def take(db: sqlite3.Connection) -> float:
            granted = self._window(db, now)
            if len(granted) < self.calls - reserve:
                db.execute("INSERT INTO store_rate (name, at) VALUES (?, ?)", (self.name, now))
                return 0.0
            return wait_for_permit(granted, self.calls, reserve, self.period, now)

        wait = self._file.run(take, write=True)
        self.refused += wait > 0
        return wait

    def remaining(self) -> int:
        """Permits left in the current window, for every process of the host."""
        now = self._clock()
        used = self._file.run(lambda db: db.execute(
            "SELECT COUNT(*) FROM store_rate WHERE name = ? AND at > ? AND at <= ?",
            (self.name, now - self.period, now + self.period)).fetchone()[0])
        return max(self.calls - int(used), 0)

    def status(self) -> dict[str, object]:
        """The figure the host's processes share: permits used and left in the current window."""
        remaining = self.remaining()
        return {"limit": f"{self.calls}/{self.period:g}s", "used": self.calls - remaining, "remaining": remaining,
                "refused": self.refused, "shared": self.scope}

    def _window(self, db: sqlite3.Connection, now: float) -> list[float]:
        db.execute("DELETE FROM store_rate WHERE name = ? AND (at <= ? OR at > ?)",
                   (self.name, now - self.period, now + self.period))
        return [row[0] for row in db.execute("SELECT at FROM store_rate WHERE name = ? ORDER BY at", (self.name,))]


class MapCache(MutableMapping):
    """A cachetools-compatible cache over a :class:`SharedMap`: entries expire after ``ttl``.

    Keys are cachetools keys (tuples of plain values) stored under a digest of their ``repr``;
    values must be JSON-serialisable. A failing map reads as a miss and skips the write.
    """

    def __init__(self, shared: SharedMap, namespace: str, ttl: float, maxsize: int = 0) -> None:
        self.shared = shared
        self.namespace = namespace
        self.ttl = ttl
        self.maxsize = maxsize
        self._size = 0

    def _key(self, key: Any) -> str:
        return self.namespace + hashlib.sha1(repr(key).encode()).hexdigest()

    def __getitem__(self, key: Any) -> Any:
        try:
            entry = self.shared.get(self._key(key))
        except StoreError:
            entry = None
        if not isinstance(entry, dict) or "value" not in entry:
            raise KeyError(key)
        return entry["value"]

    def __setitem__(self, key: Any, value: Any) -> None:
        try:
            self.shared.set(self._key(key), {"value": value}, self.ttl)
            self._size += 1
        except StoreError:
            return

    def __delitem__(self, key: Any) -> None:
        try:
            self.shared.delete(self._key(key))
        except StoreError as error:
            raise KeyError(key) from error

    def __iter__(self) -> Iterator[Any]:
        return iter(())   # keys are digests: the original keys are not kept

    def __len__(self) -> int:
        return self._size  # entries this process wrote (the shared map holds others' too)


@dataclass
class Sharing:
    """The limiter and the shared map a store client uses, and the scope they share."""

    limiter: Any
    state: Any
    scope: str
    redis: Any = None       # the Redis client, when the scope is ``hosts``


def open_sharing(rate: tuple[int, float], *, clock: Callable[[], float], directory: str | Path | None = None,
                 redis_client: Any = None, prefix: str = "dukkan:store:") -> Sharing:
    """Redis when given, else the host's SQLite file in ``directory``, else this process alone."""
    if redis_client is not None:
        from bot.store.shared import RedisMap, RedisRateLimiter

        return Sharing(RedisRateLimiter(redis_client, *rate, key=prefix + "rate", clock=clock),
                       RedisMap(redis_client, prefix + "state:", clock=clock), "hosts", redis_client)
    if directory is not None:
        file = SqliteFile(Path(directory) / FILE_NAME)
        return Sharing(SqliteRateLimiter(file, *rate, clock=clock), SqliteMap(file, clock=clock), "host")
    return Sharing(RateLimiter(*rate, clock=clock), MemoryMap(clock), "process")
