"""The BWW ``X-API-PASSWORD``: lowercase hex SHA-256 of ``SECRET + "YYYY-MM-DD HH"``.

A recorded call matched the UTC hour; the older client used "Cairo time minus 3 hours" (equal to
UTC only in Egyptian summer time). So the UTC hour goes first; when the API answers 401/403 the
client tries the neighbouring hours (clock skew at the hour boundary) and the Cairo−3h variant
once each, then remembers the variant that worked. The secret never leaves this object: it is
kept out of ``repr`` and nothing here logs.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

__all__ = ["VARIANTS", "Password", "password_for"]

_CAIRO = ZoneInfo("Africa/Cairo")
_HOUR = timedelta(hours=1)


def password_for(secret: str, moment: datetime) -> str:
    """The password for the hour of ``moment`` (its own wall clock, minutes ignored)."""
    stamp = moment.strftime("%Y-%m-%d %H")
    return hashlib.sha256((secret + stamp).encode("utf-8")).hexdigest()


def _utc(now: float) -> datetime:
    return datetime.fromtimestamp(now, timezone.utc)


def _cairo_minus_3(now: float) -> datetime:
    return datetime.fromtimestamp(now, _CAIRO) - timedelta(hours=3)


VARIANTS: dict[str, Callable[[float], datetime]] = {
    "utc": _utc,
    "utc-1h": lambda now: _utc(now) - _HOUR,
    "utc+1h": lambda now: _utc(now) + _HOUR,
    "cairo-3h": _cairo_minus_3,
}


class Password:
    """Hands out password candidates, the one that last worked first; thread-safe."""

    def __init__(self, secret: str, clock: Callable[[], float]) -> None:
        self._secret = secret
        self._clock = clock
        self._preferred = "utc"
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Password(variant={self._preferred!r})"

    @property
    def variant(self) -> str:
        """The name of the variant tried first."""
        return self._preferred

    def candidates(self) -> list[tuple[str, str]]:
        """(variant, password) pairs to try in order, without duplicate passwords."""
        now = self._clock()
        with self._lock:
            order = [self._preferred] + [name for name in VARIANTS if name != self._preferred]
        seen: set[str] = set()
        pairs = []
        for name in order:
            value = password_for(self._secret, VARIANTS[name](now))
            if value not in seen:
                seen.add(value)
                pairs.append((name, value))
        return pairs

    def remember(self, variant: str) -> None:
        """Try ``variant`` first from now on."""
        with self._lock:
            self._preferred = variant
