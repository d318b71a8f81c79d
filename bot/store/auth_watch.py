"""What the store client knows about its password: the variant that works, and the last refusal.

A refused password (every variant tried answered 401/403: a wrong ``STORE_API_KEY``, or a
server clock hours off) used to be invisible: the console showed nothing and every message
spent three calls. :class:`AuthWatch` keeps the failure (status, variants tried, the hour they
stand for, the server's clock offset) where the console and ``/readyz`` read it, in the shared
map so every process shows it; it logs one clear line when a failure starts and one when it
ends; and it shares the variant that works, so another process starts with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any

from bot.store.password import Password
from bot.store.sharing import SharedMap

__all__ = ["AuthWatch"]

log = logging.getLogger("bot.store.client")
KEPT_S = 86400.0           # how long a failure stays visible without a call that settles it
SYNC_S = 60.0              # how often the shared working variant is read


class AuthWatch:
    """The password's state for one client; thread-safe."""

    def __init__(self, password: Password, shared: SharedMap, clock: Callable[[], float]) -> None:
        self.password = password
        self._shared = shared
        self._clock = clock
        self._lock = threading.Lock()
        self._failure: dict[str, Any] | None = None
        self._refused_hour: str | None = None     # every variant was refused for this hour
        self._synced_at = float("-inf")

    def candidates(self) -> list[tuple[str, str]]:
        """Variants to try now: all of them, or only the preferred once all were refused this hour."""
        self._sync()
        pairs = self.password.candidates()
        with self._lock:
            probed = self._refused_hour == self.password.hour()
        return pairs[:1] if probed else pairs

    def accepted(self, variant: str) -> None:
        """A call with ``variant`` was accepted: remember it (here and for every process)."""
        changed = variant != self.password.variant
        with self._lock:
            failed, self._failure, self._refused_hour = self._failure, None, None
        if changed:
            self.password.remember(variant)
            remembered = {"variant": variant, "offset": self.password.offset}
            self._safely(self._shared.set, "password", remembered, 30 * 86400.0)
            log.info("store API password: the %s variant works; it is tried first from now on", variant)
        if failed is not None:
            self._safely(self._shared.delete, "auth")
            log.warning("store API accepts the password again (%s variant) after %s refusals since %s",
                        variant, failed["refusals"], failed["since_iso"])

    def refused(self, status: int, tried: list[str], all_tried: bool, server_offset: float | None) -> dict[str, Any]:
        """Every variant in ``tried`` was refused with ``status``; returns the failure as shown."""
        now = self._clock()
        with self._lock:
            if all_tried:
                self._refused_hour = self.password.hour()
            previous = self._failure
            failure = {
                "status": status,
                "variants_tried": list(dict.fromkeys([*(previous["variants_tried"] if previous else []), *tried])),
                "last_tried": list(tried),
                "hour": self.password.hour(),
                "server_clock_offset_s": None if server_offset is None else round(server_offset),
                "since": previous["since"] if previous else now,
                "since_iso": previous["since_iso"] if previous else _iso(now),
                "last": now,
                "refusals": (previous["refusals"] if previous else 0) + 1,
            }
            self._failure = failure
        self._safely(self._shared.set, "auth", failure, KEPT_S)
        if previous is None:
            skew = "" if server_offset is None or abs(server_offset) < 60 else \
                f"; the server's clock is {server_offset / 3600:+.1f} h from ours"
            log.error("store API refused the password (HTTP %s) for every variant tried (%s) for hour %s UTC%s: "
                      "check STORE_API_KEY and both clocks; customers get the last good snapshot meanwhile",
                      status, ", ".join(tried), failure["hour"], skew)
        return failure

    def status(self) -> dict[str, Any] | None:
        """The current failure (this process's, else another's from the shared map), or None."""
        with self._lock:
            failure = self._failure
        if failure is None:
            failure = self._safely(self._shared.get, "auth")
        return dict(failure) if isinstance(failure, dict) else None

    def _sync(self) -> None:
        """Adopt the working variant another process found (read at most every ``SYNC_S``)."""
        now = self._clock()
        with self._lock:
            if now - self._synced_at < SYNC_S:
                return
            self._synced_at = now
        found = self._safely(self._shared.get, "password")
        if isinstance(found, dict) and found.get("variant") and found["variant"] != self.password.variant:
            self.password.remember(str(found["variant"]), float(found.get("offset") or 0.0) or None)

    @staticmethod
    def _safely(action: Callable[..., Any], *args: Any) -> Any:
        try:
            return action(*args)
        except Exception:   # shared state is a convenience: never a reason for a call to fail
            log.debug("store shared state unavailable", exc_info=True)
            return None


def _iso(moment: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
