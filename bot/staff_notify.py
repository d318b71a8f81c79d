"""Telling the staff outside the console: a signed webhook, and a WhatsApp or Messenger message.

Each staff event (a new order, a cancellation, an order change, a stock-alert request, a
hand-off) gets a delivery per configured channel in the same transaction as the turn that made it
(:mod:`bot.storage.staff_feed`). A :class:`StaffNotifier` thread in every process claims the due
ones with a lease, so of several processes and hosts one sends each, and never on a customer's
turn: the turn only wrote rows.

**Webhook** (``STAFF_WEBHOOK_URL``): a JSON POST (:func:`webhook_body`) with

- ``X-Dukkan-Event`` (``order.placed``, ``order.cancelled``, ``order.change_requested``,
  ``stock_alert.requested``, ``handoff.opened``) and ``X-Dukkan-Delivery`` (the same for every
  retry of one delivery: the receiver drops repeats with it);
- ``X-Dukkan-Timestamp`` (Unix seconds) and ``X-Dukkan-Signature-256: sha256=<hex>``, the
  HMAC-SHA256 with ``STAFF_WEBHOOK_SECRET`` of ``<timestamp>.<raw body>`` (:func:`sign`): the
  receiver computes it again, compares in constant time and refuses an old timestamp.

A delivery is tried a few times at once (tenacity, short waits) on a refused connection, a
timeout, 408, 425, 429 or 5xx; then again later, the waits doubling from 30 s to an hour, up to
:data:`MAX_ATTEMPTS` times. Another 4xx fails it for good. An answer that never came may still
have reached the receiver: it may see a delivery twice.

**Message** (``STAFF_WHATSAPP``, ``STAFF_PSID``): one line of text, sent only while the staff
member wrote to the bot within Meta's 24-hour window (their own last message to the page or
number, as the bot's sessions have it); otherwise it is skipped and the console still shows the
news. A staff member keeps the window open by writing to the bot (any message) once a day.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from bot.channels.registry import channel
from bot.events import Platform
from bot.pipeline import WINDOW_S, waits_for_graph
from bot.replies import Text
from bot.storage.staff_feed import FAILED, PENDING, SENT, SKIPPED, Delivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Dukkan-Signature-256"
TIMESTAMP_HEADER = "X-Dukkan-Timestamp"
EVENT_HEADER = "X-Dukkan-Event"
DELIVERY_HEADER = "X-Dukkan-Delivery"
TIMEOUT = (3.05, 5.0)          # connect, read (seconds) of one webhook POST
TRIES_AT_ONCE = 3              # tries of one claim, with short waits between them
MAX_ATTEMPTS = 8               # claims before a delivery fails for good
RETRY_FIRST_S, RETRY_MAX_S = 30.0, 3600.0
RETRY_STATUSES = frozenset({408, 425, 429})
NO_WINDOW = "not sent: the staff member has not written to the bot in the last 24 hours (Meta's window)"


class WebhookUnavailable(Exception):
    """The receiver could not take it now (no connection, a timeout, 408/425/429/5xx): try again."""


class WebhookRefused(Exception):
    """The receiver refused it (another 4xx): trying again would not help."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` with ``secret``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(delivery: Delivery) -> bytes:
    """The JSON the staff webhook gets: the event as the console shows it, customer masked."""
    event = delivery.event
    body = {"delivery": delivery.id, "attempt": delivery.attempts} | {
        key: event.get(key) for key in ("id", "event", "kind", "at", "summary", "platform", "customer", "ref",
                                        "amount", "reason", "text", "detail")
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def retry_delay(attempts: int) -> float:
    """Seconds until a delivery tried ``attempts`` times is tried again: 30 s, doubling, at most an hour."""
    return min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** max(0, attempts - 1))


class StaffNotifier:
    """Sends the staff feed's due deliveries; :meth:`flush` once, :meth:`start` a thread doing it."""

    def __init__(
        self, feed: Any, *, settings: Any, sender: Any, renderers: dict[Platform, Callable[..., list]],
        sessions: Any, http: requests.Session | None = None, clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep, poll_s: float = 2.0,
    ) -> None:
        self.feed = feed
        self.settings = settings
        self.sender = sender
        self.renderers = renderers
        self.sessions = sessions
        self.http = http or requests.Session()
        self.clock = clock
        self.sleep = sleep
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return bool(getattr(self.feed, "channels", ()))

    def flush(self, limit: int = 20) -> int:
        """Send what is due now; how many deliveries were settled or put back."""
        handled = 0
        for delivery in self.feed.claim(limit):
            try:
                self._deliver(delivery)
            except Exception as exc:  # one bad delivery never stops the rest
                log.exception("staff delivery %s failed", delivery.id)
                self._later(delivery, f"{type(exc).__name__}: {exc}")
            handled += 1
        return handled

    def _deliver(self, delivery: Delivery) -> None:
        if delivery.channel == "webhook":
            self._webhook(delivery)
        else:
            self._message(delivery)

    # -- webhook

    def _webhook(self, delivery: Delivery) -> None:
        try:
            for attempt in Retrying(stop=stop_after_attempt(TRIES_AT_ONCE),
                                    wait=wait_exponential(multiplier=0.5, max=4),
                                    retry=retry_if_exception_type(WebhookUnavailable), sleep=self.sleep, reraise=True):
                with attempt:
                    self._post(delivery)
        except WebhookRefused as exc:
            self.feed.settle(delivery, FAILED, str(exc))
            log.warning("staff webhook refused delivery %s: %s", delivery.id, exc)
            return
        except WebhookUnavailable as exc:
            self._later(delivery, str(exc))
            return
        self.feed.settle(delivery, SENT)

    def _post(self, delivery: Delivery) -> None:
        body = webhook_body(delivery)
        stamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json", EVENT_HEADER: str(delivery.event.get("event", "")),
            DELIVERY_HEADER: delivery.id, TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self.settings.staff_webhook_secret, stamp, body),
        }
        try:
            response = self.http.post(self.settings.staff_webhook_url, data=body, headers=headers, timeout=TIMEOUT,
                                      allow_redirects=False)
        except requests.RequestException as exc:
            raise WebhookUnavailable(f"{type(exc).__name__}") from exc
        if 200 <= response.status_code < 300:
            return
        if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
            raise WebhookUnavailable(f"HTTP {response.status_code}")
        raise WebhookRefused(f"HTTP {response.status_code}")

    # -- staff message

    def _message(self, delivery: Delivery) -> None:
        platform = Platform(delivery.channel)
        staff_id = channel(platform).staff_id(self.settings)
        last = self.sessions.last_inbound(str(platform), staff_id)
        if last is None or self.clock() - last > WINDOW_S:
            self.feed.settle(delivery, SKIPPED, NO_WINDOW)
            return
        for out in self.renderers[platform](Text(staff_text(delivery.event, self.settings)), staff_id):
            result = self.sender.send(out)
            if result.ok:
                continue
            if waits_for_graph(out, result.error):
                self._later(delivery, str(result.error))
            else:
                self.feed.settle(delivery, FAILED, str(result.error))
            return
        self.feed.settle(delivery, SENT)

    def _later(self, delivery: Delivery, error: str) -> None:
        """Try again later, or fail for good after :data:`MAX_ATTEMPTS`."""
        if delivery.attempts >= MAX_ATTEMPTS:
            self.feed.settle(delivery, FAILED, f"gave up after {delivery.attempts} attempts: {error}")
            log.warning("staff delivery %s given up after %d attempts: %s", delivery.id, delivery.attempts, error)
            return
        self.feed.settle(delivery, PENDING, error, retry_at=self.clock() + retry_delay(delivery.attempts))

    # -- the thread

    def start(self) -> None:
        """Send due deliveries every ``poll_s`` in a daemon thread (when a staff channel is set)."""
        if self._thread is not None or not self.enabled:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="dukkan-staff-notifier", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.flush()
            except Exception:  # storage down: log, wait, try again
                log.exception("sending the staff's news failed; retrying")
                busy = 0
            if not busy:
                self._stop.wait(self.poll_s)


def staff_text(event: dict[str, Any], settings: Any) -> str:
    """The staff message: the news in one line, the (masked) customer, where to see it."""
    console = f"{getattr(settings, 'public_base_url', '').rstrip('/')}/console"
    return f"🔔 {event.get('summary', '')}\n{event.get('customer', '')}\n{console}"


__all__ = ["DELIVERY_HEADER", "EVENT_HEADER", "SIGNATURE_HEADER", "StaffNotifier", "TIMESTAMP_HEADER",
           "sign", "webhook_body"]
