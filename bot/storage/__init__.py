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

A turn costs two writes besides the claim: ``stage_turn`` (session, replies, notes; with
``claimed=`` and nothing to send, the inbox row marked done too) and ``finish`` (the last reply's
send result and the inbox row done), each one transaction; each reply before the last costs one
more, ``record_sent`` (its send result and its message id together). Three transactions a turn
(claim, stage, finish) is the floor while a reply is never sent twice across a crash: the
replies must be staged before the first is sent, and the event settled after the last.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from bot.replies import Outgoing
from bot.storage import contracts
from bot.storage.db import Database
from bot.storage.handoffs import HandoffStore
from bot.storage.inbox import Claimed, Inbox
from bot.storage.insights import InsightStore
from bot.storage.messages import MessageStates, insert_sent
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

    ``stage_turn(event_id, platform, customer_id, session, messages, inbound_at, notes=(), *, claimed=None)
    -> Staged | None`` saves the session, stages the replies and keeps the turn's notes once per event,
    giving the staged outbox rows (None when another worker already did); given the ``claimed`` event
    and no messages, the inbox row is marked done in the same transaction (the turn is finished);
    ``record_sent((outbox_id, message_id, outgoing))`` marks a reply sent and keeps its message id
    for receipts, in one transaction (the replies before a turn's last);
    ``finish(claimed, sent=None) -> bool`` finishes a turn in one transaction: ``sent`` =
    ``(outbox_id, message_id, outgoing)`` of its last reply, marked sent (and its message id kept
    for receipts), and the inbox row done while ``claimed``'s worker holds it (False otherwise);
    the worker's ``inbox.complete`` is then free;
    ``transaction()`` with ``record(conn, ...)`` keeps events that need no reply; ``prune()``
    forgets replies and sessions older than 30 days (Redis keys expire by themselves).
    """

    sessions: contracts.Sessions
    outbox: contracts.Outbox
    stage_turn: Callable[..., contracts.Staged | None]
    transaction: Callable[[], AbstractContextManager[Any]]
    record: Callable[..., None]
    prune: Callable[[], None]
    finish: Callable[..., bool]
    record_sent: Callable[[tuple[int, str | None, Outgoing]], None]


def sqlite_state(
    db: Database, clock: Callable[[], float] = time.time, *, insights: InsightStore | None = None,
    staff: StaffFeed | None = None, inbox: Inbox | None = None,
) -> ConversationState:
    sessions, outbox = SessionStore(db, clock=clock), Outbox(db, clock=clock)
    recorders = (insights or InsightStore(db, clock=clock), staff or StaffFeed(db, clock=clock))
    events = inbox or Inbox(db, clock=clock)

    def stage_turn(event_id, platform, customer_id, session, messages, inbound_at, notes=(), *,
                   claimed: Claimed | None = None) -> contracts.Staged | None:
        done = False
        messages = list(messages)
        with db.transaction() as conn:
            row_ids = outbox.stage_rows(conn, event_id, messages)
            if row_ids is None:
                return None
            sessions.save(conn, platform, customer_id, session, inbound_at=inbound_at)
            for recorder in recorders if notes else ():
                recorder.record(conn, str(platform), customer_id, list(notes))
            if claimed is not None and not messages:
                done = events.complete_in(conn, claimed)
        if done and claimed is not None:
            events.finished(claimed)
        return contracts.Staged(tuple(zip(row_ids, messages, strict=True)))

    def record_sent(sent: tuple[int, str | None, Outgoing]) -> None:
        outbox_id, message_id, out = sent
        with db.transaction() as conn:
            outbox.mark_sent_in(conn, outbox_id, message_id)
            if message_id and out.kind == "message":
                insert_sent(conn, out.platform, out.recipient_id, message_id, clock())

    def finish(claimed: Claimed, sent: tuple[int, str | None, Outgoing] | None = None) -> bool:
        with db.transaction() as conn:
            if sent is not None:
                outbox_id, message_id, out = sent
                outbox.mark_sent_in(conn, outbox_id, message_id)
                if message_id and out.kind == "message":
                    insert_sent(conn, out.platform, out.recipient_id, message_id, clock())
            done = events.complete_in(conn, claimed)
        if done:
            events.finished(claimed)
        return done

    def prune() -> None:
        with db.transaction() as conn:
            outbox.prune(conn, clock() - KEEP_REPLIES_S)
            sessions.prune(conn, clock() - KEEP_REPLIES_S)

    return ConversationState(sessions, outbox, stage_turn, db.transaction, sqlite_record, prune, finish, record_sent)


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
    inbox = Inbox(db, clock=clock)
    return Stores(
        inbox,
        sqlite_state(db, clock, insights=insights, staff=staff, inbox=inbox),
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
    inbox = RedisInbox(client, prefix=prefix, clock=clock)
    messages = RedisMessageStates(client, prefix=prefix, clock=clock)
    state = ConversationState(
        sessions,
        outbox,
        functools.partial(redis_state.stage_turn, client, sessions, outbox, recorders=(insights, staff), inbox=inbox),
        functools.partial(redis_state.transaction, client),
        functools.partial(redis_state.record, prefix=prefix),
        sessions.prune,  # every other Redis key carries its own expiry
        functools.partial(redis_state.finish, client, outbox, inbox, messages),
        functools.partial(redis_state.record_sent, client, outbox, messages),
    )
    return Stores(
        inbox,
        state,
        RedisOrders(client, prefix=prefix, clock=clock),
        RedisHandoffs(client, prefix=prefix, timeout_s=settings.handoff_timeout_s, clock=clock),
        messages,
        RedisStockAlerts(client, prefix=prefix, clock=clock),
        insights,
        staff,
    )


__all__ = ["ConversationState", "Database", "Stores", "contracts", "open_stores", "sqlite_state"]
