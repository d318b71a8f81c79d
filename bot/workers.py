"""Worker threads that take events from the inbox and hand them to the pipeline.

They run in their own processes (``python -m bot work``, :func:`run_worker_process`), or inside
each gunicorn process when ``WORKERS_IN_WEB`` is true (a lone gunicorn). Workers of every process
share the inbox, so an event is handled by exactly one of them; a process killed mid-way leaves
its events to be reclaimed (``Inbox.recover``) by whoever runs next.

While a worker handles an event, every log record carries its ``event_id`` (the inbox id) and
``message_id`` (the platform's), and :mod:`bot.metrics` times it per kind and counts its outcome.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from bot import metrics
from bot.errors import RetryLater, WaitForGraph
from bot.logs import log_context, pseudonym
from bot.storage.contracts import Inbox
from bot.storage.inbox import Claimed, worker_name

log = logging.getLogger(__name__)
WAIT_DEFAULT_S = 60.0  # an event waiting for the Graph API that did not say how long
WOKEN_POLL_S = 1.0     # a worker process woken by the web (FIFO, Redis stream) looks by itself this often
STOP_TIMEOUT_S = 60.0  # SIGTERM: how long a worker process lets the turns in hand finish


class Handler(Protocol):
    def __call__(self, claimed: Claimed) -> None: ...


class WorkerPool:
    """A few threads claiming events until stopped."""

    def __init__(
        self,
        inbox: Inbox,
        handler: Handler,
        *,
        threads: int = 4,
        poll_s: float = 0.1,
        recover_every_s: float = 2.0,
        housekeeping: Callable[[], None] | None = None,
        housekeeping_every_s: float = 3600.0,
        on_thread_start: Callable[[], None] = lambda: None,
        on_recover: Callable[[], object] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``housekeeping`` (forgetting old events and replies) runs every ``housekeeping_every_s``;
        ``on_recover`` (sending what an outage held) with each recovery, every ``recover_every_s``."""
        self.inbox = inbox
        self.handler = handler
        self.threads = threads
        self.poll_s = poll_s
        self.recover_every_s = recover_every_s
        self.clock = clock
        self.housekeeping = housekeeping
        self.on_thread_start = on_thread_start
        self.on_recover = on_recover
        self.housekeeping_every_s = housekeeping_every_s
        self._last_housekeeping = clock()
        self._acks = 0
        self._acks_done = threading.Condition()
        self.ack_priority_s = 0.02
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._workers: list[threading.Thread] = []
        self._last_recover = float("-inf")
        self._recover_lock = threading.Lock()

    def start(self) -> None:
        """Start the threads (once)."""
        if self._workers:
            return
        self.inbox.recover()
        for index in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"dukkan-worker-{index}", daemon=True)
            thread.start()
            self._workers.append(thread)
        log.info("started %d inbox workers", self.threads)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the threads after the events they hold (unclaimed events stay for the next run)."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._workers:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._workers.clear()

    @property
    def running(self) -> bool:
        return bool(self._workers)

    @contextlib.contextmanager
    def acknowledging(self) -> Iterator[None]:
        """Mark a webhook acknowledgement in flight: idle workers let it finish first."""
        with self._acks_done:
            self._acks += 1
        try:
            yield
        finally:
            with self._acks_done:
                self._acks -= 1
                if not self._acks:
                    self._acks_done.notify_all()

    def _let_acks_pass(self) -> None:
        """Meta waits on acknowledgements, customers on replies: acks first, for 20 ms at most."""
        with self._acks_done:
            self._acks_done.wait_for(lambda: self._acks == 0, timeout=self.ack_priority_s)

    def wake(self) -> None:
        """Tell idle workers new events arrived."""
        self._wake.set()

    def run_once(self, owner: str = "inline") -> bool:
        """Claim and handle one event in this thread; False when none was due."""
        claimed = self.inbox.claim(worker_name(owner))
        if claimed is None:
            return False
        self._handle(claimed)
        return True

    def drain(self, limit: int = 10_000) -> int:
        """Handle due events in this thread until none is left (tests, the CLI chat)."""
        handled = 0
        while handled < limit and self.run_once():
            handled += 1
        return handled

    def _loop(self) -> None:
        owner = threading.current_thread().name
        try:
            self.on_thread_start()
        except Exception:
            log.exception("worker thread set-up failed; going on with the defaults")
        while not self._stop.is_set():
            try:
                self._maybe_recover()
                self._let_acks_pass()
                busy = self.run_once(owner)
            except Exception:  # a worker thread never dies: log, wait, try again
                log.exception("taking an event from the inbox failed; retrying")
                busy = False
            if not busy:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _maybe_recover(self) -> None:
        now = self.clock()
        if now - self._last_recover < self.recover_every_s or not self._recover_lock.acquire(blocking=False):
            return
        try:
            self._last_recover = now
            reclaimed = self.inbox.recover()
            if reclaimed:
                log.warning("reclaimed %d events from dead workers", reclaimed)
                self._wake.set()
            self.on_recover()
            if self.housekeeping and now - self._last_housekeeping >= self.housekeeping_every_s:
                self._last_housekeeping = now
                self.housekeeping()
        except Exception:
            log.exception("recovering stalled events or housekeeping failed")
        finally:
            self._recover_lock.release()

    def _handle(self, claimed: Claimed) -> None:
        """Run the handler with the event's ids in every log record, and time it."""
        event = claimed.event
        with log_context(event_id=claimed.id, message_id=pseudonym(event.message_id) or None):
            started = time.perf_counter()
            outcome = self._outcome(claimed)
            seconds = time.perf_counter() - started
            metrics.event_handled(str(event.kind), outcome, seconds, self._since_accepted(claimed))

    def _outcome(self, claimed: Claimed) -> str:
        """Handle ``claimed`` and settle it in the inbox: ``done``, ``wait``, ``retry`` or ``dead``.

        ``wait`` (the Graph API is down or the channel paused) uses up no attempt: only real
        failures count toward the inbox's limit.
        """
        owner = claimed.owner or None
        try:
            self.handler(claimed)
        except WaitForGraph as exc:
            delay = exc.delay if exc.delay is not None else WAIT_DEFAULT_S
            state = self.inbox.defer(claimed.id, str(exc), retry_in=delay, owner=owner)
            log.info("event %s waits %.0f s for the Graph API (%s)", claimed.id, delay, state)
            return "wait"
        except RetryLater as exc:
            state = self.inbox.fail(claimed.id, str(exc), retry_in=exc.delay, owner=owner)
            log.warning("event %s will be retried (%s): %s", claimed.id, state, exc)
        except Exception as exc:  # one bad event never stops the worker
            state = self.inbox.fail(claimed.id, f"{type(exc).__name__}: {exc}", owner=owner)
            log.exception("event %s failed (now %s)", claimed.id, state)
        else:
            if not self.inbox.complete(claimed.id, owner=owner):
                log.warning("event %s was taken over by another worker before it finished", claimed.id)
            return "done"
        return "dead" if state == "dead" else "retry"

    def _since_accepted(self, claimed: Claimed) -> float | None:
        """Seconds since the inbox accepted the event, when the inbox tells when that was."""
        accepted_at = getattr(claimed, "accepted_at", None)
        if not accepted_at:
            return None
        return getattr(self.inbox, "clock", time.time)() - accepted_at


def run_worker_process(services: Any, stop: threading.Event | None = None, *, signals: bool = True) -> int:
    """``python -m bot work``: the inbox workers and the housekeeping (recovery, pruning, the
    stock watch, the staff notifier) of one process, until SIGTERM or SIGINT (or ``stop``).

    New events wake it without polling: a FIFO beside the SQLite file, or a blocking read of the
    Redis stream. On SIGTERM each thread finishes the turn in hand; events not yet claimed stay
    in the inbox for the next worker.
    """
    from bot.nlu import warm_up
    from bot.storage.wake import fifo_path, listen_fifo, listen_redis

    stop = stop or threading.Event()
    if signals:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
    warm_up()
    pool = services.workers
    pool.poll_s = WOKEN_POLL_S
    redis_client = getattr(services.inbox, "r", None)
    if redis_client is not None:
        listen_redis(redis_client, services.inbox.p + "stream", pool.wake, stop)
    elif listen_fifo(fifo_path(services.settings.database_path), pool.wake, stop) is None:
        pool.poll_s = 0.1  # no FIFO: a short poll instead
    pool.start()
    if services.notifier is not None:
        services.notifier.start()
    log.info("worker process ready: %d threads", pool.threads)
    while not stop.wait(1.0):  # a timed wait: the signal handlers run in this thread
        pass
    log.info("worker process stopping: finishing the turns in hand")
    pool.stop(STOP_TIMEOUT_S)
    if services.notifier is not None:
        services.notifier.stop()
    return 0
