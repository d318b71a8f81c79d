"""Durable state: SQLite by default; Redis, shared by several hosts, when ``REDIS_URL`` is set.

The inbox, duplicate detection, sessions, the reply outbox, orders, hand-offs, stock alerts, the
states of sent messages, the owner's insights and the staff's news live in one SQLite file
(``DATABASE_PATH``), or all in Redis. :class:`ConversationState` is what the pipeline writes a
turn through: the session, the staged replies and the turn's analytics notes (the insights'
counts, the staff's news) go together, once per event, in one transaction (SQLite) or one
watched MULTI/EXEC (Redis).

Each store keeps a contract (:mod:`bot.storage.contracts`) that both backends implement; the
SQLite file's schema is versioned (:mod:`bot.storage.migrations`) and so are the Redis keys
(:mod:`bot.storage.redis_keys`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from bot.storage import contracts
from bot.storage.db import Database
from bot.storage.handoffs import HandoffStore
from bot.storage.inbox import Inbox
from bot.storage.insights import InsightStore
from bot.storage.messages import MessageStates
from bot.storage.orders import OrderStore
from bot.storage.outbox import Outbox
from bot.storage.sessions import SessionStore
from bot.storage.sessions import record as sqlite_record
from bot.storage.staff_feed import StaffFeed
from bot.storage.stock_alerts import RedisStockAlerts, StockAlertStore

KEEP_REPLIES_S = 30 * 24 * 3600.0


@dataclass(frozen=True)
class ConversationState:
    """Sessions, the outbox, and how to write a turn.

    ``stage_turn(event_id, platform, customer_id, session, messages, inbound_at, notes=()) -> bool``
    saves the session, stages the replies and keeps the turn's notes once per event (False when
    another worker already did);
    ``transaction()`` with ``record(conn, ...)`` keeps events that need no reply; ``prune()``
    forgets replies and sessions older than 30 days (Redis keys expire by themselves).
    """

    sessions: contracts.Sessions
    outbox: contracts.Outbox
    stage_turn: Callable[..., bool]
    transaction: Callable[[], AbstractContextManager[Any]]
    record: Callable[..., None]
    prune: Callable[[], None]


def sqlite_state(
    db: Database, clock: Callable[[], float] = time.time, *, insights: InsightStore | None = None,
    staff: StaffFeed | None = None,
) -> ConversationState:
    sessions, outbox = SessionStore(db, clock=clock), Outbox(db, clock=clock)
    recorders = (insights or InsightStore(db, clock=clock), staff or StaffFeed(db, clock=clock))

    def stage_turn(event_id, platform, customer_id, session, messages, inbound_at, notes=()) -> bool:
        with db.transaction() as conn:
            if not outbox.stage(conn, event_id, messages):
                return False
            sessions.save(conn, platform, customer_id, session, inbound_at=inbound_at)
            for recorder in recorders if notes else ():
                recorder.record(conn, str(platform), customer_id, list(notes))
        return True

    def prune() -> None:
        with db.transaction() as conn:
            outbox.prune(conn, clock() - KEEP_REPLIES_S)
            sessions.prune(conn, clock() - KEEP_REPLIES_S)

    return ConversationState(sessions, outbox, stage_turn, db.transaction, sqlite_record, prune)


@dataclass(frozen=True)
class Stores:
    """Every store of the service, from one backend."""

    inbox: contracts.Inbox
    state: ConversationState
    orders: contracts.Orders
    handoffs: contracts.Handoffs
    messages: contracts.MessageStates
    alerts: contracts.StockAlerts    # stock alerts ("tell me when L is back")
    insights: contracts.Insights     # the owner's funnel and what the bot did not understand
    staff: contracts.StaffFeed       # the staff's news and its deliveries


def open_stores(
    settings: Any, db: Database, clock: Callable[[], float] = time.time, *, staff_channels: Sequence[str] = (),
) -> Stores:
    """The stores for these settings: Redis when ``REDIS_URL`` is set, else SQLite. ``staff_channels``:
    where each piece of staff news is delivered (``"webhook"``, platform names), from the caller."""
    if settings.redis_url:
        return _redis_stores(settings, clock, tuple(staff_channels))
    insights, staff = InsightStore(db, clock=clock), StaffFeed(db, clock=clock, channels=staff_channels)
    return Stores(
        Inbox(db, clock=clock),
        sqlite_state(db, clock, insights=insights, staff=staff),
        OrderStore(db, clock=clock),
        HandoffStore(db, timeout_s=settings.handoff_timeout_s, clock=clock),
        MessageStates(db, clock=clock),
        StockAlertStore(db, clock=clock),
        insights,
        staff,
    )


def _redis_stores(settings: Any, clock: Callable[[], float], staff_channels: tuple[str, ...]) -> Stores:
    from bot.storage import redis_state
    from bot.storage.redis_inbox import RedisInbox
    from bot.storage.redis_insights import RedisInsights
    from bot.storage.redis_shared import RedisHandoffs, RedisMessageStates, RedisOrders
    from bot.storage.redis_staff_feed import RedisStaffFeed
    from bot.storage.redis_upgrade import open_keyspace

    client, prefix = open_keyspace(settings)  # release 1's keys moved under the versioned keyspace first
    sessions = redis_state.RedisSessions(client, prefix=prefix, clock=clock)
    outbox = redis_state.RedisOutbox(client, prefix=prefix, clock=clock)
    insights = RedisInsights(client, prefix=prefix, clock=clock)
    staff = RedisStaffFeed(client, prefix=prefix, clock=clock, channels=staff_channels)
    state = ConversationState(
        sessions,
        outbox,
        functools.partial(redis_state.stage_turn, client, sessions, outbox, recorders=(insights, staff)),
        functools.partial(redis_state.transaction, client),
        functools.partial(redis_state.record, prefix=prefix),
        sessions.prune,  # every other Redis key carries its own expiry
    )
    return Stores(
        RedisInbox(client, prefix=prefix, clock=clock),
        state,
        RedisOrders(client, prefix=prefix, clock=clock),
        RedisHandoffs(client, prefix=prefix, timeout_s=settings.handoff_timeout_s, clock=clock),
        RedisMessageStates(client, prefix=prefix, clock=clock),
        RedisStockAlerts(client, prefix=prefix, clock=clock),
        insights,
        staff,
    )


__all__ = ["ConversationState", "Database", "Stores", "contracts", "open_stores", "sqlite_state"]
