"""pybreaker pieces of the store client: storage on the injected clock, and metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pybreaker

from bot import metrics

__all__ = ["BreakerMetrics", "ClockedBreakerStorage"]

log = logging.getLogger("bot.store.client")


class ClockedBreakerStorage(pybreaker.CircuitMemoryStorage):
    """pybreaker memory storage whose "opened at" follows an injected clock.

    pybreaker compares ``datetime.now()`` with ``opened_at + reset_timeout``; reporting
    ``opened_at`` as "now minus the seconds the injected clock has moved since opening" makes that
    comparison follow the injected clock, so tests half-open the breaker without sleeping.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(pybreaker.STATE_CLOSED)
        self._clock = clock
        self._opened_clock: float | None = None

    @property
    def opened_at(self) -> datetime | None:
        if self._opened_clock is None:
            return None
        return datetime.now(UTC) - timedelta(seconds=self.seconds_open())

    @opened_at.setter
    def opened_at(self, value: datetime) -> None:
        self._opened_clock = self._clock()

    def seconds_open(self) -> float:
        """Seconds of the injected clock since the breaker last opened (0 if it never did)."""
        return 0.0 if self._opened_clock is None else self._clock() - self._opened_clock


class BreakerMetrics(pybreaker.CircuitBreakerListener):
    """Reports the breaker's state and failures to :mod:`bot.metrics`."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        metrics.breaker_state(new_state.name)
        log.warning("store API breaker %s -> %s", getattr(old_state, "name", old_state), new_state.name)

    def failure(self, cb: pybreaker.CircuitBreaker, exc: BaseException) -> None:
        metrics.breaker_failure()
