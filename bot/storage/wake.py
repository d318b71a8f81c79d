"""Waking the inbox workers of other processes when the webhook accepted events.

On one host with SQLite the web processes write one byte into a FIFO beside the database
(``<DATABASE_PATH>.wake``) after the commit; each ``python -m bot work`` process has a thread
blocked reading it, and one byte wakes one process's idle workers. The write never blocks and
never fails the delivery: with no worker process listening (the FIFO has no reader) or a full
pipe (every worker is busy anyway) it is skipped, and the workers' slow poll picks the event up.
After a failed open the next tries wait :data:`NO_READER_RETRY_S` (a web process alone would
otherwise pay a failed ``open`` per delivery).

With Redis the accepting script's ``XADD`` is the signal: each worker process keeps one blocking
``XREAD`` on the inbox stream, so web and worker processes on different hosts need nothing more.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import threading
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache

log = logging.getLogger(__name__)
REDIS_BLOCK_MS = 1000  # one blocking XREAD at a time; under the client's 10 s socket timeout
NO_READER_RETRY_S = 0.5  # under the woken workers' own poll (bot.workers.WOKEN_POLL_S): a late byte costs nothing


def fifo_path(database_path: str) -> str:
    """Where the web processes of a host signal its worker processes."""
    return f"{database_path}.wake"


class FifoSignal:
    """The web side: one non-blocking byte per accepted delivery."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()
        # After a failed open, the next tries wait this long: a web process without worker
        # processes (or before they start) would otherwise pay a failed open() per delivery.
        self._no_reader: TTLCache[str, bool] = TTLCache(maxsize=1, ttl=NO_READER_RETRY_S)

    def __call__(self) -> None:
        """Wake one worker process; quietly nothing when none listens or the pipe is full."""
        fd = self._fd if self._fd is not None else self._open()
        if fd is None:
            return
        try:
            os.write(fd, b"\x01")
        except BlockingIOError:
            pass  # a full pipe: the workers have plenty of wake-ups waiting
        except OSError:  # every reader is gone (EPIPE): open again next time
            self._close(fd)

    def _open(self) -> int | None:
        with self._lock:
            if self._fd is None:
                if self.path in self._no_reader:  # tried a moment ago: the workers' own poll will do
                    return None
                try:
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:  # no FIFO yet, or no reader (ENXIO): no worker process listens
                    self._no_reader[self.path] = True
                    return None
            return self._fd

    def _close(self, fd: int) -> None:
        with self._lock:
            if self._fd == fd:
                self._fd = None
                os.close(fd)


def listen_fifo(path: str, wake: Callable[[], None], stop: threading.Event) -> threading.Thread | None:
    """The worker side: a daemon thread calling ``wake()`` for each byte read; None when ``path``
    cannot be a FIFO (the workers then rely on their poll)."""
    try:
        os.mkfifo(path, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        log.warning("no wake-up FIFO at %s (%s): workers poll instead", path, exc)
        return None
    try:
        if not stat.S_ISFIFO(os.stat(path).st_mode):
            log.warning("%s is not a FIFO: workers poll instead", path)
            return None
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        keeper = os.open(path, os.O_WRONLY)  # our own writer: the reader never sees end-of-file
    except OSError as exc:
        log.warning("cannot open the wake-up FIFO %s (%s): workers poll instead", path, exc)
        return None
    os.set_blocking(reader, True)

    def loop() -> None:
        while not stop.is_set():
            try:
                if os.read(reader, 1):
                    wake()
            except OSError as exc:
                if exc.errno != errno.EINTR:
                    log.warning("the wake-up FIFO failed (%s): workers poll instead", exc)
                    return
        os.close(reader)
        os.close(keeper)

    thread = threading.Thread(target=loop, name="dukkan-wake-fifo", daemon=True)
    thread.start()
    return thread


def listen_redis(client: Any, stream: str, wake: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """The worker side with Redis: a daemon thread blocked on ``XREAD`` of the inbox stream,
    calling ``wake()`` when an entry arrives (reading does not take it: the consumer group does)."""

    def loop() -> None:
        last = "$"
        while not stop.is_set():
            try:
                found = client.xread({stream: last}, count=1, block=REDIS_BLOCK_MS)
            except Exception as exc:  # Redis away: the workers' poll goes on; try again shortly
                log.warning("waiting for inbox events on Redis failed: %s", exc)
                stop.wait(1.0)
                continue
            for _, entries in found or ():
                last = entries[-1][0]
                wake()

    thread = threading.Thread(target=loop, name="dukkan-wake-redis", daemon=True)
    thread.start()
    return thread
