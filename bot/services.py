"""The service graph, built once per process from the settings (no Flask here).

``Services`` is what ``create_app`` keeps in ``app.extensions["dukkan"]`` and what the command
line uses for ``chat``: the database, the inbox and its workers, the store, the dialog, the
renderers and the sender.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels import CHANNELS
from bot.channels.meta.graph import Alarms, build_sender
from bot.config import Settings
from bot.dialog import Dialog
from bot.pipeline import Pipeline
from bot.staff_notify import StaffNotifier
from bot.stock_watch import StockWatch
from bot.storage import Database, open_stores
from bot.storage.auth_limits import RedisAuthFailures, SqliteAuthFailures, open_auth_failures
from bot.storage.contracts import Handoffs, Inbox, Orders, StockAlerts
from bot.storage.pauses import open_pauses
from bot.storage.staff_feed import WEBHOOK
from bot.storage.wake import FifoSignal, fifo_path
from bot.store import Store, build_store
from bot.workers import WorkerPool

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a process needs to receive, answer and show conversations."""

    settings: Settings
    db: Database
    inbox: Inbox
    store: Store
    dialog: Any
    alarms: Alarms
    sender: Any
    pipeline: Pipeline
    workers: WorkerPool
    orders: Orders
    handoffs: Handoffs
    auth_failures: SqliteAuthFailures | RedisAuthFailures | None = None  # wrong tokens per client address
    alerts: StockAlerts | None = None                                 # "tell me when L is back"
    stock_watch: StockWatch | None = None                                # tells them (housekeeping)
    insights: Any = None                                                 # the owner's funnel and misses
    staff_feed: Any = None                                               # the staff's news (the console's feed)
    notifier: StaffNotifier | None = None                                # the staff webhook and message
    waker: Callable[[], None] | None = None                              # tells idle workers new events came

    def wake_workers(self) -> None:
        """After a commit: this process's workers, or (``WORKERS_IN_WEB=false``) a worker process."""
        (self.waker or self.workers.wake)()

    def readiness(self) -> dict[str, bool]:
        """Checks for /readyz; ``sending`` is False while a channel's token is refused (by a send of
        any process or host: the pause is kept in the shared storage)."""
        return {"database": self.inbox.ping(), "store": self.store.ready(), "sending": not self.paused()}

    def paused(self) -> dict[str, str]:
        """Channels whose sending is paused by a token or permission error: platform -> why."""
        paused = getattr(self.sender, "paused", None)
        return paused() if paused else {}

    def status(self) -> dict[str, Any]:
        """Everything the console's status panel shows."""
        return {
            "store": self.store.status(),
            "inbox": self.inbox.counts(),
            "sender": self.sender.status() if hasattr(self.sender, "status") else {},
            "alarms": self.alarms.active(),
        }


def staff_channels(settings: Settings) -> tuple[str, ...]:
    """Where staff news goes: the signed webhook when ``STAFF_WEBHOOK_URL`` is set, then each platform of
    the channel registry whose staff id setting is filled, in the registry's order."""
    webhook = (WEBHOOK,) if settings.staff_webhook_url else ()
    return webhook + tuple(str(platform) for platform, found in CHANNELS.items() if found.staff_id(settings))


def build_services(
    settings: Settings,
    *,
    http_session: Any = None,
    store_session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> Services:
    """Wire the services for ``settings``; nothing starts running yet."""
    db = Database(settings.database_path)
    stores = open_stores(settings, db, clock, staff_channels=staff_channels(settings))
    inbox, state, orders, handoffs = stores.inbox, stores.state, stores.orders, stores.handoffs
    store = build_store(settings, session=store_session, clock=clock, sleep=sleep,
                        shared_dir=str(Path(settings.database_path).resolve().parent))  # one API budget a host
    dialog = Dialog(store=store, orders=orders, handoffs=handoffs, settings=settings, alerts=stores.alerts,
                    clock=clock)
    alarms = Alarms(clock, shared=open_pauses(settings, db, clock))  # a paused channel is paused everywhere
    sender = build_sender(settings, session=http_session, sleep=sleep, clock=clock, alarms=alarms)
    pipeline = Pipeline(
        state=state,
        messages=stores.messages,
        dialog=dialog,
        sender=sender,
        renderers={platform: found.render for platform, found in CHANNELS.items()},
        preambles={platform: found.preamble for platform, found in CHANNELS.items()},
        quiet=lambda event: handoffs.active(str(event.platform), event.customer_id),
        heartbeat=inbox.extend,
        clock=clock,
        preamble_after_s=settings.typing_after_ms / 1000,
    )

    stock_watch = StockWatch(
        alerts=stores.alerts, deps=dialog.deps, state=state, renderers=pipeline.renderers, sender=sender,
        messages=stores.messages, quiet=handoffs.active, clock=clock,
    )

    notifier = StaffNotifier(stores.staff, settings=settings, sender=sender, renderers=pipeline.renderers,
                             sessions=state.sessions, clock=clock, sleep=sleep)

    def housekeeping() -> None:
        inbox.prune()
        state.prune()
        stores.alerts.prune()
        stores.insights.prune()   # days older than the 30-day view
        stores.staff.prune()      # the staff's news of a month ago, deliveries finished a week ago
        stock_watch()             # products back in stock: tell the customers waiting for them

    workers = WorkerPool(
        inbox, pipeline, threads=settings.workers_per_process, housekeeping=housekeeping,
        on_thread_start=db.relax_this_thread,
        on_recover=stock_watch.flush,   # "it's back" messages an outage held are sent as soon as it ends
    )
    return Services(
        settings, db, inbox, store, dialog, alarms, sender, pipeline, workers, orders, handoffs,
        auth_failures=open_auth_failures(settings, db, clock), alerts=stores.alerts, stock_watch=stock_watch,
        insights=stores.insights, staff_feed=stores.staff, notifier=notifier, waker=waker_for(settings, workers),
    )


def waker_for(settings: Settings, workers: WorkerPool) -> Callable[[], None]:
    """How the webhook wakes workers after it stored events: this process's own pool; else a byte
    in the host's FIFO (SQLite); with Redis nothing, the inbox stream's new entry is the signal."""
    if settings.workers_in_web:
        return workers.wake
    if settings.redis_url:
        return _nothing
    return FifoSignal(fifo_path(settings.database_path))


def _nothing() -> None:
    """Redis: the accepting script's XADD already woke the worker processes."""
