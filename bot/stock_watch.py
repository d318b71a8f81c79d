"""Telling customers a product they wait for is back: run by the workers' housekeeping.

Each run

1. drops the alerts that waited longer than 30 days (logged, never told: ``alerts.prune``);
2. sends again what earlier runs staged but could not send (the Graph API was down, the channel
   paused): the outbox owns those messages (:meth:`~bot.storage.outbox.Outbox.unsent_keys`);
3. pages through every waiting alert by id, in batches of ``batch`` (keyset pagination: the
   newest alerts are reached however many wait), looks each product up once through the store
   client (live details, the snapshot when the API is down), and for every customer with
   something back tells them in **one** message naming everything of theirs that is back: a line
   per alert and a card per product, rendered for the platform.

Telling is one atomic step in the alert store (:meth:`~bot.storage.stock_alerts.StockAlertStore.tell`):
the alerts are marked told and the message staged in the outbox (under ``-<first alert id>``, so
the console shows it in the conversation) together, or not at all. However many processes and
hosts run this, each alert is staged once (never told twice); a staged message is sent by the
path every reply takes (:func:`bot.pipeline.deliver_staged`): an outage leaves it ``pending`` for
the next run, a final error marks it ``failed``, no answer ``unknown`` (never sent again).

Meta lets a business write first only inside the 24-hour customer-service window, counted from
the customer's last message as the platform stamped it (the session store's ``last_inbound``,
:func:`bot.pipeline.inbound_at`). No message tag fits a "back in stock" note (the update tags are
refused from 2026-04-27 and never allowed promotion; ``HUMAN_AGENT`` is for people) and there is
no approved WhatsApp template, so outside the window nothing is sent: the alert keeps waiting and
the dialog tells it at the customer's next message (``bot.dialog.alerts.news``), which opens the
window again. The same holds for a customer talking to a person (an open hand-off). A staged
message whose window closed before it could be sent is marked ``failed``, never sent late.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from bot.dialog import alerts as alert_replies
from bot.dialog.session import Session
from bot.dialog.turn import Deps, Turn
from bot.errors import ProductNotFound, SendError, StoreError
from bot.events import Event, Kind, Platform
from bot.logs import customer_ref
from bot.pipeline import WINDOW_S, Renderer, Sender, deliver_staged
from bot.replies import Outgoing

log = logging.getLogger(__name__)

MARGIN_S = 300.0   # a message sent this close to the end of the window may arrive after it closed
BATCH = 500        # waiting alerts read per page
TELL_TRIES = 3     # a customer's alerts re-read this often when another host told some of them first
WINDOW_CLOSED = "not sent: the 24-hour window closed before the stock alert could be sent"


class _StoreDown(Exception):
    """The store cannot be asked: this run stops, the alerts wait for the next one."""


class StockWatch:
    """``watch()`` tells the customers whose product is back; returns how many alerts were told."""

    def __init__(
        self, *, alerts: Any, deps: Deps, state: Any, renderers: dict[Platform, Renderer], sender: Sender,
        messages: Any = None, quiet: Callable[[str, str], bool] = lambda platform, customer_id: False,
        clock: Callable[[], float] = time.time, window_s: float = WINDOW_S - MARGIN_S, batch: int = BATCH,
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
        self.batch = batch

    def __call__(self) -> int:
        """One run (see the module): drop expired alerts, resend what waits, tell what is back."""
        self.alerts.prune()
        self.flush()
        products: dict[int, Any] = {}
        seen: set[tuple[str, str]] = set()
        told, after = 0, 0
        try:
            while page := self.alerts.waiting(limit=self.batch, after_id=after):
                after = page[-1].id
                for alert in page:
                    customer = (alert.platform, alert.customer_id)
                    if customer in seen or not self._is_back(alert, products):
                        continue
                    seen.add(customer)            # one message per customer per run, naming all
                    if self._may_write(*customer):
                        told += self._tell(*customer, products)
        except _StoreDown as exc:
            log.warning("stock alerts not checked, the store is unavailable: %s", exc)
        return told

    def flush(self) -> int:
        """Send the stock-alert messages staged earlier and still pending; how many keys were tried.

        A customer whose window closed meanwhile gets nothing (the rows are marked ``failed``); one
        talking to a person waits; a channel that still waits for the Graph API is left for the
        next run.
        """
        waiting: set[str] = set()          # platforms whose API is down or paused: not tried again now
        tried = 0
        for key in self.state.outbox.unsent_keys():
            rows = self.state.outbox.unsent(key)
            if not rows:
                continue
            out = rows[0][1]
            if out.platform in waiting or self.quiet(out.platform, out.recipient_id):
                continue
            if not self._inside_window(out.platform, out.recipient_id):
                for outbox_id, _ in rows:
                    self.state.outbox.mark_failed(outbox_id, None, WINDOW_CLOSED)
                log.warning("stock alert to %s given up: %s", customer_ref(out.platform, out.recipient_id),
                            WINDOW_CLOSED)
                continue
            tried += 1
            if self._deliver(rows) is not None:
                waiting.add(out.platform)
        return tried

    def _is_back(self, alert: Any, products: dict[int, Any]) -> bool:
        product = self._product(alert.product_id, products)
        return product is not None and alert_replies.available(product, alert)

    def _product(self, product_id: int, products: dict[int, Any]) -> Any | None:
        """The product, asked of the store once per run; None when the store no longer has it."""
        if product_id not in products:
            try:
                products[product_id] = self.deps.store.product(product_id)
            except ProductNotFound:
                products[product_id] = None     # gone from the store: the alert ages out
            except StoreError as exc:
                raise _StoreDown(str(exc)) from exc
        return products[product_id]

    def _may_write(self, platform: str, customer_id: str) -> bool:
        """Inside the 24-hour window and not handed to a person."""
        return self._inside_window(platform, customer_id) and not self.quiet(platform, customer_id)

    def _inside_window(self, platform: str, customer_id: str) -> bool:
        last = self.state.sessions.last_inbound(platform, customer_id)
        return last is not None and self.clock() - last < self.window_s

    def _tell(self, platform: str, customer_id: str, products: dict[int, Any]) -> int:
        """Stage one message naming every alert of this customer that is back, marking them told in
        the same step, then send it; how many alerts it names (0 when another host told them)."""
        for _ in range(TELL_TRIES):
            found = [(alert, self._product(alert.product_id, products))
                     for alert in self.alerts.for_customer(platform, customer_id)]
            found = [(alert, product) for alert, product in found
                     if product is not None and alert_replies.available(product, alert)]
            if not found:
                return 0
            key = -min(alert.id for alert, _ in found)
            if self.alerts.tell([alert.id for alert, _ in found], key, self._render(found), self.state.outbox):
                self._deliver(self.state.outbox.unsent(key))
                return len(found)
        log.warning("stock alerts of %s not told: other hosts kept telling them", customer_ref(platform, customer_id))
        return 0

    def _render(self, found: list[tuple[Any, Any]]) -> list[Outgoing]:
        """The "it's back" message for ``found``, in the language of the customer's newest alert."""
        newest = max(found, key=lambda pair: pair[0].id)[0]
        platform = Platform(newest.platform)
        event = Event(platform, newest.customer_id, Kind.TEXT)
        turn = Turn(event=event, session=Session(lang=newest.lang), deps=self.deps)
        return [out for reply in alert_replies.back(turn, found)
                for out in self.renderers[platform](reply, newest.customer_id)]

    def _deliver(self, rows: list[tuple[int, Outgoing]]) -> SendError | None:
        """Send staged rows; the error to wait out when the Graph API is down (rows stay staged)."""
        sent = deliver_staged(rows, outbox=self.state.outbox, sender=self.sender, messages=self.messages,
                              what="stock alert", record_sent=self.state.record_sent)
        if sent.waiting is not None:
            log.info("stock alert waits for the Graph API (sent on a later run): %s", sent.waiting)
        return sent.waiting
