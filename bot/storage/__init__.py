"""Durable state: SQLite by default, Redis for the shared parts when ``REDIS_URL`` is set.

SQLite (``DATABASE_PATH``) always holds orders, hand-offs and message states. The inbox,
duplicate detection, sessions and the reply outbox live in SQLite too, or in Redis so that several
hosts share them. :class:`ConversationState` is what the pipeline writes a turn through: the
session and the staged replies go in one transaction (SQLite) or one MULTI/EXEC (Redis).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any, Callable, ContextManager

from bot.storage.db import Database
from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox
from bot.storage.sessions import SessionStore, record as sqlite_record


@dataclass(frozen=True)
class ConversationState:
    """Sessions, the outbox, and how to write them together."""

    sessions: Any
    outbox: Any
    transaction: Callable[[], ContextManager[Any]]
    record: Callable[..., None]


def sqlite_state(db: Database, clock: Callable[[], float] = time.time) -> ConversationState:
    return ConversationState(SessionStore(db, clock=clock), Outbox(db, clock=clock), db.transaction, sqlite_record)


def open_shared(settings: Any, db: Database, clock: Callable[[], float] = time.time) -> tuple[Any, ConversationState]:
    """The inbox and conversation state for these settings: Redis when configured, else SQLite."""
    if not settings.redis_url:
        return Inbox(db, clock=clock), sqlite_state(db, clock)
    import redis

    from bot.storage import redis_state
    from bot.storage.redis_inbox import RedisInbox

    client = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=10)
    prefix = settings.redis_prefix
    state = ConversationState(
        redis_state.RedisSessions(client, prefix=prefix, clock=clock),
        redis_state.RedisOutbox(client, prefix=prefix, clock=clock),
        functools.partial(redis_state.transaction, client),
        functools.partial(redis_state.record, prefix=prefix),
    )
    return RedisInbox(client, prefix=prefix, clock=clock), state


__all__ = ["ConversationState", "Database", "open_shared", "sqlite_state"]
