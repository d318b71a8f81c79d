"""Telling customers a product they wait for is back: run by the workers' housekeeping.

Each run reads the waiting stock alerts, looks each product up once through the store client
(live details, the snapshot when the API is down), and tells every customer whose size and colour
are back: a short line and the product's card, rendered for the platform, staged in the outbox
(under the alert's own key, ``-<alert id>``, so the console shows it in the conversation) and sent
by the sender, the way replies are.

Meta lets a business write first only inside the 24-hour customer-service window, counted from
the customer's last message (the session store's ``last_inbound``). An alert whose customer is
outside it, or talking to a person (an open hand-off), keeps waiting: the dialog tells it at the
customer's next message (``bot.dialog.alerts.news``), or it is dropped after 30 days. Firing is
atomic in the alert store, so an alert is told once however many processes and hosts run this:
at most once, so a send that fails after the alert fired is marked failed in the outbox, not retried.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any, Callable

from bot.dialog import alerts as alert_replies
from bot.dialog.session import Session
from bot.dialog.turn import Deps, Turn
from bot.errors import DeliveryUnknown, ProductNotFound, StoreError
from bot.events import Event, Kind, Platform
from bot.logs import customer_ref
from bot.pipeline import WINDOW_S, Renderer, Sender

log = logging.getLogger(__name__)

MARGIN_S = 300.0   # a message sent this close to the end of the window may arrive after it closed


class StockWatch:
    """``watch()`` tells the customers whose product is back; returns how many alerts fired."""

    def __init__(
        self, *, alerts: Any, deps: Deps, state: Any, renderers: dict[Platform, Renderer], sender: Sender,
        messages: Any = None, quiet: Callable[[str, str], bool] = lambda platform, customer_id: False,
        clock: Callable[[], float] = time.time, window_s: float = WINDOW_S - MARGIN_S,
    ) -> None:
        self.alerts = alerts
        self.deps = deps
        self.state = state
        self.renderers = renderers
        self.sender = sender
        self.messages = messages
        self.quiet = quiet
        self.clock = clock
        self.window_s = window_s

    def __call__(self) -> int:
        by_product: dict[int, list[Any]] = defaultdict(list)
        for alert in self.alerts.waiting():
            by_product[alert.product_id].append(alert)
        fired = 0
        for product_id, waiting in by_product.items():
            try:
                product = self.deps.store.product(product_id)
            except ProductNotFound:
                continue               # gone from the store: the alert ages out
            except StoreError as exc:
                log.warning("stock alerts not checked, the store is unavailable: %s", exc)
                break
            for alert in waiting:
                if alert_replies.available(product, alert) and self._may_write(alert) and self.alerts.fire(alert.id):
                    self._tell(alert, product)
                    fired += 1
        return fired

    def _may_write(self, alert: Any) -> bool:
        """Inside the 24-hour window and not handed to a person."""
        last = self.state.sessions.last_inbound(alert.platform, alert.customer_id)
        inside = last is not None and self.clock() - last < self.window_s
        return inside and not self.quiet(alert.platform, alert.customer_id)

    def _tell(self, alert: Any, product: Any) -> None:
        """Stage the "it's back" message with the card, then send it."""
        platform = Platform(alert.platform)
        event = Event(platform, alert.customer_id, Kind.TEXT)
        turn = Turn(event=event, session=Session(lang=alert.lang), deps=self.deps)
        outgoing = [out for reply in alert_replies.back(turn, alert, product)
                    for out in self.renderers[platform](reply, alert.customer_id)]
        key = -int(alert.id)
        with self.state.transaction() as conn:
            self.state.outbox.stage(conn, key, outgoing)
        for outbox_id, out in self.state.outbox.unsent(key):
            self._send(outbox_id, out)

    def _send(self, outbox_id: int, out: Any) -> None:
        result = self.sender.send(out)
        if result.ok:
            self.state.outbox.mark_sent(outbox_id, result.message_id)
            if self.messages is not None and result.message_id and out.kind == "message":
                self.messages.record_sent(out.platform, out.recipient_id, result.message_id)
        elif isinstance(result.error, DeliveryUnknown):
            self.state.outbox.mark_unknown(outbox_id, str(result.error))
        else:
            self.state.outbox.mark_failed(outbox_id, getattr(result.error, "code", None), str(result.error))
            log.warning("stock alert to %s not sent: %s", customer_ref(out.platform, out.recipient_id), result.error)
