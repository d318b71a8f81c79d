"""A rate limit shared by every thread of the process: at most ``calls`` per ``period`` seconds.

A sliding-window log rather than a token bucket: a bucket refilled at ``calls/period`` lets up to
``2*calls - 1`` through in some window of ``period`` seconds (a full bucket, then its refill);
the log keeps the promise "never more than 60 in any minute". It costs one timestamp per call
(60 floats by default). The clock is injected so tests never sleep.

``try_acquire(reserve=n)`` is a background caller's request: it is granted only while more than
``n`` permits are free, so a catalog load leaves ``n`` of every window to live calls.
The same contract is kept across processes (:class:`bot.store.sharing.SqliteRateLimiter`) and
hosts (:class:`bot.store.shared.RedisRateLimiter`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

__all__ = ["RateLimiter", "wait_for_permit"]


def wait_for_permit(granted: Sequence[float], calls: int, reserve: int, period: float, now: float) -> float:
    """Seconds until a caller keeping ``reserve`` permits free may take one, given the sorted grant
    times of the window (``len(granted) >= calls - reserve``)."""
    allowed = max(calls - reserve, 0)
    if allowed == 0:
        return period
    return max(granted[len(granted) - allowed] + period - now, 1e-3)


class RateLimiter:
    """Grant at most ``calls`` permits in any ``period``-second window; thread-safe, never blocks."""

    scope = "process"

    def __init__(self, calls: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs calls >= 1 and period > 0")
        self.calls = calls
        self.period = period
        self._clock = clock
        self._granted: deque[float] = deque()
        self._lock = threading.Lock()
        self.refused = 0

    def try_acquire(self, reserve: int = 0) -> float:
        """Take a permit, leaving ``reserve`` free: 0.0 when granted, else the seconds to wait."""
        with self._lock:
            now = self._clock()
            self._forget_before(now - self.period)
            if len(self._granted) < self.calls - reserve:
                self._granted.append(now)
                return 0.0
            self.refused += 1
            return wait_for_permit(self._granted, self.calls, reserve, self.period, now)

    def remaining(self) -> int:
        """Permits left in the current window."""
        with self._lock:
            self._forget_before(self._clock() - self.period)
            return self.calls - len(self._granted)

    def status(self) -> dict[str, object]:
        """Budget, permits left and refusals, for the console."""
        remaining = self.remaining()
        return {
            "limit": f"{self.calls}/{self.period:g}s",
            "used": self.calls - remaining,
            "remaining": remaining,
            "refused": self.refused,
            "shared": self.scope,
        }

    def _forget_before(self, horizon: float) -> None:
        while self._granted and self._granted[0] <= horizon:
            self._granted.popleft()
