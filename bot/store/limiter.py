"""A rate limit shared by every thread of the process: at most ``calls`` per ``period`` seconds.

A sliding-window log rather than a token bucket: a bucket refilled at ``calls/period`` lets up to
``2*calls - 1`` through in some window of ``period`` seconds (a full bucket, then its refill);
the log keeps the promise "never more than 60 in any minute". It costs one timestamp per call
(60 floats by default). The clock is injected so tests never sleep.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Grant at most ``calls`` permits in any ``period``-second window; thread-safe, never blocks."""

    def __init__(self, calls: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs calls >= 1 and period > 0")
        self.calls = calls
        self.period = period
        self._clock = clock
        self._granted: deque[float] = deque()
        self._lock = threading.Lock()
        self.refused = 0

    def try_acquire(self) -> float:
        """Take a permit: return 0.0 when granted, else the seconds until one frees up."""
        with self._lock:
            now = self._clock()
            self._forget_before(now - self.period)
            if len(self._granted) < self.calls:
                self._granted.append(now)
                return 0.0
            self.refused += 1
            return max(self._granted[0] + self.period - now, 1e-3)

    def remaining(self) -> int:
        """Permits left in the current window."""
        with self._lock:
            self._forget_before(self._clock() - self.period)
            return self.calls - len(self._granted)

    def status(self) -> dict[str, object]:
        """Budget, permits left and refusals, for the console."""
        return {
            "limit": f"{self.calls}/{self.period:g}s",
            "remaining": self.remaining(),
            "refused": self.refused,
        }

    def _forget_before(self, horizon: float) -> None:
        while self._granted and self._granted[0] <= horizon:
            self._granted.popleft()
