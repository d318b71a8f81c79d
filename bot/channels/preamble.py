"""The preamble (seen, typing) of a slow turn only: a quick reply goes without it.

A worker arms a :class:`PreambleTimer` when it starts deciding a turn and settles it just before
the replies go (:meth:`Pending.settle`). The replies were ready within ``delay_s``: nothing is
sent. They were not: the preamble goes first. One thread per timer sends the preambles that fall
due while their turn is still deciding, so the customer sees the typing dots during a slow store
search; when that thread is busy, :meth:`Pending.settle` sends a due preamble itself. Either way a
reply that took longer than ``delay_s`` has its preamble before it, and no turn starts a thread.
The thread starts with the first turn and ends after ``IDLE_S`` without one (a forked process
starts its own).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

__all__ = ["IDLE_S", "Pending", "PreambleTimer"]

log = logging.getLogger(__name__)

IDLE_S = 30.0  # the timer's thread ends after this long with nothing armed

_ARMED, _DROPPED, _SENDING, _DONE = "armed", "dropped", "sending", "done"


class Pending:
    """One turn's preamble: armed, then dropped (the replies were quick) or sent (they were not)."""

    __slots__ = ("due", "_send", "_timer", "state")

    def __init__(self, timer: PreambleTimer, due: float, send: Callable[[], None]) -> None:
        self.due = due
        self._send = send
        self._timer = timer
        self.state = _ARMED

    def settle(self) -> bool:
        """Call just before the replies go: True when the preamble went first (sent now, or by the timer's
        thread, which this waits for); False when the replies came within the delay (nothing is sent)."""
        timer = self._timer
        with timer.lock:
            if self.state == _ARMED:
                if timer.clock() < self.due:
                    self.state = _DROPPED
                    return False
                self.state = _SENDING
            elif self.state == _SENDING:
                timer.lock.wait_for(lambda: self.state == _DONE)
                return True
            else:
                return self.state == _DONE
        self.run()
        return True

    def drop(self) -> None:
        """The turn ended without replies (it failed): the preamble is not sent, unless it already goes."""
        with self._timer.lock:
            if self.state == _ARMED:
                self.state = _DROPPED

    def run(self) -> None:
        """Send the preamble (the caller moved it to ``sending``), then wake whoever waits for it."""
        try:
            self._send()
        except Exception:  # a best-effort courtesy: its failure never fails the turn or the timer's thread
            log.exception("preamble not sent")
        finally:
            with self._timer.lock:
                self.state = _DONE
                self._timer.lock.notify_all()


class PreambleTimer:
    """Sends a turn's preamble ``delay_s`` after it was armed, unless the turn settled it first."""

    def __init__(self, delay_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay_s = delay_s
        self.clock = clock
        self.lock = threading.Condition()
        self._due: list[tuple[float, int, Pending]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, send: Callable[[], None]) -> Pending:
        """Arm ``send`` (the preamble's sending) for ``delay_s`` from now; settle the result before replying."""
        pending = Pending(self, self.clock() + self.delay_s, send)
        with self.lock:
            was_empty = not self._due
            heapq.heappush(self._due, (pending.due, next(self._order), pending))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="preamble-timer", daemon=True)
                self._thread.start()
            elif was_empty:
                self.lock.notify_all()  # it sleeps until something is armed; later items fall due after this one
        return pending

    def _serve(self) -> None:
        """Send each armed preamble when it falls due; end after ``IDLE_S`` with nothing armed."""
        while True:
            with self.lock:
                due = self._next_due()
                if due is None:
                    self._thread = None
                    return
            due.run()

    def _next_due(self) -> Pending | None:
        """The next preamble to send, now moved to ``sending`` (waits for it); None after ``IDLE_S`` idle."""
        while True:
            while self._due and self._due[0][2].state != _ARMED:
                heapq.heappop(self._due)  # settled in time: forgotten now, without a wake-up of its own
            if not self._due:
                if not self.lock.wait(IDLE_S) and not self._due:
                    return None
                continue
            at, _, pending = self._due[0]
            wait = at - self.clock()
            if wait > 0:
                self.lock.wait(wait)
                continue
            heapq.heappop(self._due)
            if pending.state == _ARMED:
                pending.state = _SENDING
                return pending
