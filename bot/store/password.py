"""The BWW ``X-API-PASSWORD``: lowercase hex SHA-256 of ``SECRET + "YYYY-MM-DD HH"``.

A recorded call matched the UTC hour; the older client used "Cairo time minus 3 hours" (equal to
UTC only in Egyptian summer time). So the UTC hour goes first; when the API answers 401/403 the
client tries the neighbouring hours (clock skew at the hour boundary) and the Cairo−3h variant
once each, then remembers the variant that worked. When the server's ``Date`` header shows its
clock hours away from ours, the password of the server's own hour (``server-clock``) is a
variant too. The secret never leaves this object: it is kept out of ``repr`` and nothing here logs.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["SKEW_S", "VARIANTS", "Password", "password_for"]

_CAIRO = ZoneInfo("Africa/Cairo")
_HOUR = timedelta(hours=1)
SKEW_S = 1800.0        # a server clock this far from ours makes the server's hour a variant


def password_for(secret: str, moment: datetime) -> str:
    """The password for the hour of ``moment`` (its own wall clock, minutes ignored)."""
    stamp = moment.strftime("%Y-%m-%d %H")
    return hashlib.sha256((secret + stamp).encode("utf-8")).hexdigest()


def _utc(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


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
        self._offset = 0.0          # the server's clock minus ours, once its Date header showed a skew
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Password(variant={self._preferred!r})"

    @property
    def variant(self) -> str:
        """The name of the variant tried first."""
        return self._preferred

    @property
    def offset(self) -> float:
        """Seconds the server's clock is ahead of ours (0 unless a skew was seen)."""
        return self._offset

    def hour(self) -> str:
        """The hour the preferred variant stands for now, ``YYYY-MM-DD HH`` (no secret in it)."""
        return self._moment(self._preferred, self._clock()).strftime("%Y-%m-%d %H")

    def saw_server_time(self, server_now: float | None) -> bool:
        """Note the server's clock from a refusal's ``Date``; True when that adds a variant."""
        if server_now is None:
            return False
        offset = server_now - self._clock()
        with self._lock:
            if abs(offset) < SKEW_S or abs(offset - self._offset) < 60:
                return False
            self._offset = offset
            return True

    def candidates(self) -> list[tuple[str, str]]:
        """(variant, password) pairs to try in order, without duplicate passwords."""
        now = self._clock()
        with self._lock:
            names = [*VARIANTS, "server-clock"] if self._offset else list(VARIANTS)
            order = [self._preferred] + [name for name in names if name != self._preferred]
        seen: set[str] = set()
        pairs = []
        for name in order:
            value = password_for(self._secret, self._moment(name, now))
            if value not in seen:
                seen.add(value)
                pairs.append((name, value))
        return pairs

    def remember(self, variant: str, offset: float | None = None) -> None:
        """Try ``variant`` first from now on (with the server clock's ``offset`` for ``server-clock``)."""
        with self._lock:
            if variant == "server-clock" and offset is None and not self._offset:
                return
            self._preferred = variant if variant in VARIANTS or variant == "server-clock" else "utc"
            if offset is not None:
                self._offset = offset

    def _moment(self, name: str, now: float) -> datetime:
        if name == "server-clock":
            return _utc(now + self._offset)
        return VARIANTS[name](now)
