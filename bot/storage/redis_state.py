"""Sessions and the reply outbox on Redis, written together in one MULTI/EXEC.

The same contracts as :class:`bot.storage.sessions.SessionStore` and
:class:`bot.storage.outbox.Outbox`; where those take a SQLite connection inside a transaction,
these take the Redis pipeline that :func:`transaction` yields.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from bot.errors import StorageError
from bot.replies import Outgoing
from bot.storage.contracts import Staged

KEEP_S = 30 * 24 * 3600


def stage_turn(
    client: redis.Redis, sessions: RedisSessions, outbox: RedisOutbox, event_id: int, platform: str,
    customer_id: str, session: dict[str, Any], messages: list[Outgoing], inbound_at: float | None,
    notes: Sequence[Any] = (), *, recorders: Sequence[Any] = (), inbox: Any = None, claimed: Any = None,
) -> Staged | None:
    """Save the session, stage the replies and keep the turn's notes (each of ``recorders``:
    the insights, the staff feed) in one MULTI/EXEC, once per event (WATCH on its mark); with
    ``claimed`` and no messages, the inbox event is settled done in the same MULTI. The rows
    staged, or None when another worker staged this event first."""
    mark = f"{outbox.p}staged:{event_id}"
    finishing = inbox is not None and claimed is not None and not messages
    try:
        with client.pipeline(transaction=True) as pipe:
            pipe.watch(mark)
            if pipe.exists(mark):
                return None
            pipe.multi()
            sessions.save(pipe, platform, customer_id, session, inbound_at=inbound_at)
            row_ids = outbox.stage_rows(pipe, event_id, messages)
            for recorder in recorders if notes else ():
                recorder.record(pipe, str(platform), customer_id, list(notes))
            if finishing:
                inbox.complete_in(pipe, claimed)
            results = pipe.execute()
    except redis.WatchError:
        return None  # another worker staged this event first
    except redis.RedisError as exc:
        raise StorageError(f"redis: {exc}") from exc
    if finishing and results and results[-1] == 1:
        inbox.finished(claimed)
    return Staged(tuple(zip(row_ids, messages, strict=True)))


def record_sent(
    client: redis.Redis, outbox: RedisOutbox, messages: Any, sent: tuple[int, str | None, Outgoing],
) -> None:
    """A reply sent (``sent``: outbox id, message id, the message) and its message id kept for
    receipts, in one MULTI/EXEC."""
    outbox_id, message_id, out = sent
    try:
        with client.pipeline(transaction=True) as pipe:
            outbox.settle_on(pipe, outbox_id, "sent", {"message_id": message_id or "", "sent_at": outbox.clock()})
            if message_id and out.kind == "message":
                messages.record_sent_on(pipe, out.platform, out.recipient_id, message_id)
            pipe.execute()
    except redis.RedisError as exc:
        raise StorageError(f"redis: {exc}") from exc


def finish(
    client: redis.Redis, outbox: RedisOutbox, inbox: Any, messages: Any, claimed: Any,
    sent: tuple[int, str | None, Outgoing] | None = None,
) -> bool:
    """Finish a turn in one MULTI/EXEC: the last reply's send result (``sent``: outbox id, message
    id, the message) and the inbox event settled done while ``claimed``'s worker holds it."""
    try:
        with client.pipeline(transaction=True) as pipe:
            if sent is not None:
                outbox_id, message_id, out = sent
                outbox.settle_on(pipe, outbox_id, "sent", {"message_id": message_id or "", "sent_at": outbox.clock()})
                if message_id and out.kind == "message":
                    messages.record_sent_on(pipe, out.platform, out.recipient_id, message_id)
            inbox.complete_in(pipe, claimed)
            results = pipe.execute()
    except redis.RedisError as exc:
        raise StorageError(f"redis: {exc}") from exc
    done = bool(results) and results[-1] == 1
    if done:
        inbox.finished(claimed)
    return done


@contextlib.contextmanager
def transaction(client: redis.Redis) -> Iterator[redis.client.Pipeline]:
    """A MULTI/EXEC pipeline, executed when the block ends without an exception."""
    pipe = client.pipeline(transaction=True)
    yield pipe
    try:
        pipe.execute()
    except redis.RedisError as exc:
        raise StorageError(f"redis: {exc}") from exc


class RedisSessions:
    """Session documents per platform and customer."""

    def __init__(self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time) -> None:
        self.r: Any = client  # redis-py types every answer bytes | str; with decode_responses=True it is str
        self.p = prefix
        self.clock = clock

    def _key(self, platform: str, customer_id: str) -> str:
        return f"{self.p}session:{platform}:{customer_id}"

    def load(self, platform: str, customer_id: str) -> dict[str, Any]:
        try:
            data = self.r.hget(self._key(platform, customer_id), "data")
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc
        return json.loads(data) if data else {}

    def last_inbound(self, platform: str, customer_id: str) -> float | None:
        """When the customer last wrote (the start of the 24-hour window), or None."""
        try:
            value = self.r.hget(self._key(platform, customer_id), "last_inbound")
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc
        return float(value) if value else None

    def load_with_inbound(self, platform: str, customer_id: str) -> tuple[dict[str, Any], float | None]:
        """:meth:`load` and :meth:`last_inbound` in one round trip (a turn needs both)."""
        try:
            data, inbound = self.r.hmget(self._key(platform, customer_id), ["data", "last_inbound"])
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc
        return (json.loads(data) if data else {}), (float(inbound) if inbound else None)

    def save(
        self, pipe: redis.client.Pipeline, platform: str, customer_id: str, data: dict[str, Any],
        *, inbound_at: float | None = None,
    ) -> None:
        now = self.clock()
        key = self._key(platform, customer_id)
        fields: dict[FieldT, EncodableT] = {"data": json.dumps(data, ensure_ascii=False), "updated_at": now}
        if inbound_at is not None:
            fields["last_inbound"] = inbound_at
        pipe.hset(key, mapping=fields)
        pipe.expire(key, KEEP_S)
        pipe.zadd(f"{self.p}sessions", {f"{platform}:{customer_id}": now})

    def prune(self) -> None:
        """Forget the index entries of sessions that expired."""
        self.r.zremrangebyscore(f"{self.p}sessions", "-inf", self.clock() - KEEP_S)

    def all(self, limit: int = 100) -> list[dict[str, Any]]:
        found = []
        for member in self.r.zrevrange(f"{self.p}sessions", 0, limit - 1):
            platform, _, customer_id = member.partition(":")
            record = self.r.hgetall(self._key(platform, customer_id))
            if record:
                found.append({
                    "platform": platform, "customer_id": customer_id, "data": json.loads(record["data"]),
                    "last_inbound": float(record["last_inbound"]) if record.get("last_inbound") else None,
                    "updated_at": float(record["updated_at"]),
                })
        return found


class RedisOutbox:
    """Replies staged per inbox event, and their send results."""

    def __init__(self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time) -> None:
        self.r: Any = client  # redis-py types every answer bytes | str; with decode_responses=True it is str
        self.p = prefix
        self.clock = clock

    def stage(self, pipe: redis.client.Pipeline, event_id: int | None, messages: Iterable[Outgoing]) -> bool:
        """Queue the staging on ``pipe`` (a MULTI that watches the staged mark, see ``stage_turn``)."""
        self.stage_rows(pipe, event_id, list(messages))
        return True

    def stage_rows(self, pipe: redis.client.Pipeline, event_id: int | None, messages: Sequence[Outgoing]) -> list[int]:
        """:meth:`stage`, giving the new rows' ids in the messages' order (staged once the MULTI runs)."""
        pipe.set(f"{self.p}staged:{event_id}", 1, ex=KEEP_S)
        if not messages:
            return []
        last = self.r.incrby(f"{self.p}outbox:seq", len(messages))
        now = self.clock()
        for offset, out in enumerate(messages):
            row_id = last - len(messages) + 1 + offset
            pipe.hset(f"{self.p}outbox:{row_id}", mapping={
                "id": row_id, "event_id": event_id if event_id is not None else "", "platform": out.platform,
                "customer_id": out.recipient_id, "kind": out.kind, "state": "pending",
                "body": json.dumps(out.body, ensure_ascii=False), "created_at": now,
            })
            pipe.expire(f"{self.p}outbox:{row_id}", KEEP_S)
            pipe.rpush(f"{self.p}outbox:event:{event_id}", row_id)
            pipe.expire(f"{self.p}outbox:event:{event_id}", KEEP_S)
            customer_rows = f"{self.p}outbox:customer:{out.platform}:{out.recipient_id}"
            pipe.rpush(customer_rows, row_id)
            pipe.ltrim(customer_rows, -500, -1)
            pipe.expire(customer_rows, KEEP_S)
            pipe.incr(f"{self.p}outbox:count:pending")
        if event_id is not None and event_id < 0:
            pipe.zadd(f"{self.p}outbox:proactive", {str(event_id): now})   # see unsent_keys
        return [last - len(messages) + 1 + offset for offset in range(len(messages))]

    def is_staged(self, event_id: int) -> bool:
        return bool(self.r.exists(f"{self.p}staged:{event_id}"))

    def unsent(self, event_id: int) -> list[tuple[int, Outgoing]]:
        row_ids = self.r.lrange(f"{self.p}outbox:event:{event_id}", 0, -1)
        rows = [self.r.hgetall(f"{self.p}outbox:{row_id}") for row_id in row_ids]
        return [
            (int(row["id"]), Outgoing(row["platform"], row["customer_id"], json.loads(row["body"]), row["kind"]))
            for row in rows
            if row.get("state") == "pending"
        ]

    def unsent_keys(self, limit: int = 500) -> list[int]:
        """Keys below zero (messages the housekeeping staged: stock alerts) that still have messages
        to send, oldest first; keys with nothing left are forgotten on the way."""
        found: list[int] = []
        for key in self.r.zrange(f"{self.p}outbox:proactive", 0, limit - 1):
            if self.unsent(int(key)):
                found.append(int(key))
            else:
                self.r.zrem(f"{self.p}outbox:proactive", key)
        return found

    def mark_sent(self, outbox_id: int, message_id: str | None) -> None:
        self._settle(outbox_id, "sent", {"message_id": message_id or "", "sent_at": self.clock()})

    def mark_failed(self, outbox_id: int, code: int | None, error: str) -> None:
        self._settle(outbox_id, "failed", {"error_code": "" if code is None else code, "error": error[:1000]})

    def mark_unknown(self, outbox_id: int, error: str) -> None:
        """A message that may have been sent (no answer came): never sent again."""
        self._settle(outbox_id, "unknown", {"error": error[:1000], "sent_at": self.clock()})

    def _settle(self, outbox_id: int, state: str, fields: dict[str, Any]) -> None:
        pipe = self.r.pipeline(transaction=True)
        self.settle_on(pipe, outbox_id, state, fields)
        pipe.execute()

    def settle_on(self, pipe: Any, outbox_id: int, state: str, fields: dict[str, Any]) -> None:
        """Queue a row's new state on the caller's MULTI pipeline (a turn's finish)."""
        pipe.hset(f"{self.p}outbox:{outbox_id}", mapping={"state": state, **fields})
        pipe.decr(f"{self.p}outbox:count:pending")
        pipe.incr(f"{self.p}outbox:count:{state}")

    def conversation(self, platform: str, customer_id: str, after_id: int = 0, limit: int = 200) -> list[dict]:
        ids = [int(i) for i in self.r.lrange(f"{self.p}outbox:customer:{platform}:{customer_id}", 0, -1)]
        rows = []
        for row_id in [i for i in ids if i > after_id][:limit]:
            row = self.r.hgetall(f"{self.p}outbox:{row_id}")
            if row:
                rows.append({
                    "id": row_id, "event_id": int(row["event_id"]) if row.get("event_id") else None,
                    "kind": row["kind"], "body": json.loads(row["body"]), "state": row["state"],
                    "message_id": row.get("message_id") or None,
                    "error_code": int(row["error_code"]) if row.get("error_code") else None,
                    "error": row.get("error") or None, "created_at": float(row["created_at"]),
                })
        return rows

    def counts(self) -> dict[str, int]:
        states = ("pending", "sent", "failed", "unknown")
        return {state: int(self.r.get(f"{self.p}outbox:count:{state}") or 0) for state in states}


def record(pipe: redis.client.Pipeline, platform: str, customer_id: str, kind: str, data: dict, at: float,
           *, prefix: str = "dukkan:") -> None:
    """Keep something a customer did that needs no reply, in a capped list."""
    entry = {"platform": platform, "customer_id": customer_id, "kind": kind, "data": data, "created_at": at}
    pipe.lpush(f"{prefix}records", json.dumps(entry, ensure_ascii=False, default=str))
    pipe.ltrim(f"{prefix}records", 0, 9999)
