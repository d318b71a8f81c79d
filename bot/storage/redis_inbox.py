"""The inbox on Redis, for several hosts: a stream with a consumer group, and a queue per customer.

Keys (under a prefix):

* ``seen:<dedupe key>`` → event id, kept 8 days: a repeated delivery is recognised;
* ``event:<id>`` → hash (event JSON, state, attempts, available_at, ...);
* ``q:<customer>`` → list of event ids, oldest first: one customer's events in arrival order;
* ``stream`` → entries ``{customer}`` saying "this customer has work", read through the consumer
  group ``workers``; an entry a dead consumer held is reclaimed with XAUTOCLAIM after the lease;
* ``lock:<customer>`` → the worker handling that customer now (expires after the lease);
* ``delayed`` → sorted set of customers whose head event waits for a retry time;
* ``dead`` → sorted set of dead-letter event ids.

A worker that reads a stream entry takes the customer's lock and handles the head of its queue;
when it finishes it re-announces the customer if more events wait. Accepting an event is one Lua
script, so an event is never marked seen without being queued.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Iterable

import redis

from bot.errors import StorageError
from bot.events import Event
from bot.storage.inbox import DEAD, DONE, PENDING, PROCESSING, Accepted, Claimed, _owner_alive, _summary, decode

KEEP_S = 8 * 24 * 3600
GROUP = "workers"

ACCEPT = """
local prefix, key, customer, kind, event, now, keep = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('EXISTS', prefix .. 'seen:' .. key) == 1 then return 0 end
local id = redis.call('INCR', prefix .. 'seq')
redis.call('SET', prefix .. 'seen:' .. key, id, 'EX', keep)
redis.call('HSET', prefix .. 'event:' .. id, 'event', event, 'customer', customer, 'kind', kind,
    'state', 'pending', 'attempts', 0, 'available_at', now, 'created_at', now)
redis.call('RPUSH', prefix .. 'q:' .. customer, id)
redis.call('RPUSH', prefix .. 'inbound:' .. customer, id)
redis.call('LTRIM', prefix .. 'inbound:' .. customer, -200, -1)
redis.call('EXPIRE', prefix .. 'inbound:' .. customer, keep)
redis.call('INCR', prefix .. 'count:pending')
redis.call('XADD', prefix .. 'stream', '*', 'customer', customer)
return id
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisInbox:
    """The same contract as :class:`bot.storage.inbox.Inbox`, shared by every host."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "dukkan:",
        lease_s: float = 120.0,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.r = client
        self.p = prefix
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.clock = clock
        self._lease_ms = max(int(lease_s * 1000), 1)
        self._accept = client.register_script(ACCEPT)
        self._release = client.register_script(RELEASE)
        self._held: dict[int, tuple[str, str, str]] = {}  # event id -> (stream entry, customer, owner)
        self._guard(self._create_group)

    def _create_group(self) -> None:
        try:
            self.r.xgroup_create(self.p + "stream", GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a Redis call, translating its errors into StorageError."""
        try:
            return call(*args)
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc

    # -- accepting -------------------------------------------------------------------------------

    def accept(self, events: Iterable[Event]) -> Accepted:
        """Queue each new event atomically; repeated deliveries are recognised and skipped."""
        new = duplicates = 0
        now = self.clock()
        for event in events:
            body = json.dumps(event.to_dict(), default=str)  # ASCII: a lone surrogate cannot break it
            customer = f"{event.platform}:{event.customer_id}"
            args = [event.dedupe_key, customer, str(event.kind), body, repr(now), KEEP_S]
            if self._guard(lambda: self._accept(keys=[self.p], args=args)):
                new += 1
            else:
                duplicates += 1
        return Accepted(new=new, duplicates=duplicates)

    # -- claiming --------------------------------------------------------------------------------

    def claim(self, owner: str) -> Claimed | None:
        """Take the head event of a customer announced on the stream, under that customer's lock."""
        return self._guard(self._claim, owner)

    def _claim(self, owner: str, tries: int = 32) -> Claimed | None:
        self._announce_due()
        for _ in range(tries):  # announcements of customers with nothing due are skipped
            entries = self._entries(owner)
            if not entries:
                return None
            for entry_id, customer in entries:
                claimed = self._take_head(owner, entry_id, customer)
                if claimed is not None:
                    return claimed
        return None

    def _entries(self, owner: str) -> list[tuple[str, str]]:
        consumer = owner.replace(" ", "_")
        fresh = self.r.xreadgroup(GROUP, consumer, {self.p + "stream": ">"}, count=1)
        entries = [(entry_id, fields["customer"]) for _, items in fresh for entry_id, fields in items]
        if not entries:
            idle_ms = int(self.lease_s * 1000)
            stalled = self.r.xautoclaim(self.p + "stream", GROUP, consumer, idle_ms, "0-0", count=1)[1]
            entries = [(entry_id, fields["customer"]) for entry_id, fields in stalled if fields]
        return entries

    def _take_head(self, owner: str, entry_id: str, customer: str) -> Claimed | None:
        lock = self.p + "lock:" + customer
        if not self.r.set(lock, owner, nx=True, px=self._lease_ms):
            self._ack(entry_id)  # whoever holds the customer re-announces it when done
            return None
        head = self.r.lindex(self.p + "q:" + customer, 0)
        if head is None:  # an old announcement; an event may have come meanwhile: hand back
            self._hand_back(customer, owner, entry_id)
            return None
        key = self.p + f"event:{head}"
        record = self.r.hgetall(key)
        due = float(record.get("available_at", 0))
        if due > self.clock():
            self.r.zadd(self.p + "delayed", {customer: due})
            self._release(keys=[lock], args=[owner])
            self._ack(entry_id)
            return None
        attempts = self.r.hincrby(key, "attempts", 1)
        now = self.clock()
        if attempts > self.max_attempts:  # it took its workers down with it every time
            self._held[int(head)] = (entry_id, customer, owner)
            self._finish(int(head), DEAD, f"given up after {self.max_attempts} attempts that never finished")
            return None
        self.r.hset(key, mapping={"state": PROCESSING, "claimed_by": owner, "claimed_at": now, "entry": entry_id})
        self.r.sadd(self.p + "processing", head)
        self._held[int(head)] = (entry_id, customer, owner)
        event = decode(record.get("event", ""))
        if event is None:
            self._finish(int(head), DEAD, "the stored event cannot be read")
            return None
        return Claimed(int(head), event, int(attempts), float(record.get("created_at", 0)), owner, now)

    def extend(self, claimed: Claimed) -> bool:
        """Renew the lease (the customer's lock and the claim time) while still the holder."""
        return bool(self._guard(self._extend, claimed))

    def _extend(self, claimed: Claimed) -> bool:
        key = self.p + f"event:{claimed.id}"
        if self.r.hget(key, "claimed_by") != claimed.owner:
            return False
        customer = f"{claimed.event.platform}:{claimed.event.customer_id}"
        self.r.hset(key, "claimed_at", self.clock())
        self.r.pexpire(self.p + "lock:" + customer, self._lease_ms)
        return True

    def _holds(self, event_id: int, owner: str | None) -> bool:
        """True when no owner is given, or ``owner`` still holds the event."""
        if owner is None:
            return True
        record = self.r.hmget(self.p + f"event:{event_id}", "state", "claimed_by")
        return record == [PROCESSING, owner]

    def _announce_due(self) -> None:
        """Put customers whose retry time has come back on the stream."""
        for customer in self.r.zrangebyscore(self.p + "delayed", "-inf", self.clock(), start=0, num=16):
            if self.r.zrem(self.p + "delayed", customer):
                self.r.xadd(self.p + "stream", {"customer": customer})

    # -- finishing -------------------------------------------------------------------------------

    def complete(self, event_id: int, owner: str | None = None) -> bool:
        """The event is handled: drop it from the customer's queue (only while ``owner`` holds it)."""
        if not self._guard(self._holds, event_id, owner):
            return False
        self._guard(self._finish, event_id, DONE, "")
        return True

    def fail(self, event_id: int, error: str, *, retry_in: float | None = None, owner: str | None = None) -> str:
        """Retry later (the customer's later events wait behind it) or make it a dead letter."""
        if not self._guard(self._holds, event_id, owner):
            return self.r.hget(self.p + f"event:{event_id}", "state") or DEAD
        attempts = int(self._guard(self.r.hget, self.p + f"event:{event_id}", "attempts") or 0)
        if attempts >= self.max_attempts:
            self._guard(self._finish, event_id, DEAD, error)
            return DEAD
        delay = retry_in if retry_in is not None else min(2.0**attempts, 300.0)
        self._guard(self._postpone, event_id, error, self.clock() + delay)
        return PENDING

    def _finish(self, event_id: int, state: str, error: str) -> None:
        entry_id, customer, owner = self._held.pop(event_id, None) or ("", self._customer(event_id), "")
        key = self.p + f"event:{event_id}"
        pipe = self.r.pipeline(transaction=True)
        pipe.lrem(self.p + "q:" + customer, 1, event_id)
        pipe.hset(key, mapping={"state": state, "finished_at": self.clock(), "last_error": error[:2000]})
        pipe.srem(self.p + "processing", event_id)
        pipe.decr(self.p + "count:pending")
        if state == DONE:
            pipe.incr(self.p + "count:done")
            pipe.expire(key, KEEP_S)
        else:
            pipe.zadd(self.p + "dead", {event_id: self.clock()})
        pipe.execute()
        self._hand_back(customer, owner, entry_id)

    def _postpone(self, event_id: int, error: str, due: float) -> None:
        entry_id, customer, owner = self._held.pop(event_id, None) or ("", self._customer(event_id), "")
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.p + f"event:{event_id}", mapping={"state": PENDING, "available_at": due, "last_error": error[:2000]})
        pipe.srem(self.p + "processing", event_id)
        pipe.zadd(self.p + "delayed", {customer: due})
        pipe.execute()
        self._release(keys=[self.p + "lock:" + customer], args=[owner])
        self._ack(entry_id)

    def _hand_back(self, customer: str, owner: str, entry_id: str) -> None:
        """Release the customer and announce it again when more of its events wait."""
        self._release(keys=[self.p + "lock:" + customer], args=[owner])
        if self.r.llen(self.p + "q:" + customer):
            self.r.xadd(self.p + "stream", {"customer": customer})
        self._ack(entry_id)

    def _ack(self, entry_id: str) -> None:
        if entry_id:
            self.r.xack(self.p + "stream", GROUP, entry_id)
            self.r.xdel(self.p + "stream", entry_id)

    def _customer(self, event_id: int) -> str:
        return self.r.hget(self.p + f"event:{event_id}", "customer") or ""

    # -- recovery and staff actions ----------------------------------------------------------------

    def recover(self) -> int:
        """Free customers held by dead processes on this host at once (others wait for the lease)."""
        return self._guard(self._recover)

    def _recover(self) -> int:
        recovered = 0
        for event_id in self.r.smembers(self.p + "processing"):
            record = self.r.hgetall(self.p + f"event:{event_id}")
            owner = record.get("claimed_by", "")
            expired = float(record.get("claimed_at", 0)) + self.lease_s < self.clock()
            if record and (expired or not _owner_alive(owner)):
                customer = record["customer"]
                self._release(keys=[self.p + "lock:" + customer], args=[owner])
                self.r.hset(self.p + f"event:{event_id}", mapping={"state": PENDING, "claimed_by": ""})
                self.r.srem(self.p + "processing", event_id)
                self._ack(record.get("entry", ""))
                self.r.xadd(self.p + "stream", {"customer": customer})
                recovered += 1
        return recovered

    def retry_dead(self, event_id: int) -> bool:
        """Put a dead letter back at the head of its customer's queue."""
        if not self._guard(self.r.zrem, self.p + "dead", event_id):
            return False
        customer = self._customer(event_id)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.p + f"event:{event_id}", mapping={"state": PENDING, "attempts": 0, "available_at": self.clock()})
        pipe.lpush(self.p + "q:" + customer, event_id)
        pipe.incr(self.p + "count:pending")
        pipe.xadd(self.p + "stream", {"customer": customer})
        self._guard(pipe.execute)
        return True

    # -- reading -----------------------------------------------------------------------------------

    def dead_letters(self, limit: int = 50) -> list[dict]:
        ids = self._guard(self.r.zrevrange, self.p + "dead", 0, limit - 1)
        letters = []
        for event_id in ids:
            record = self.r.hgetall(self.p + f"event:{event_id}")
            letters.append({
                "id": int(event_id), "kind": record.get("kind"), "customer_key": record.get("customer"),
                "attempts": int(record.get("attempts", 0)), "last_error": record.get("last_error"),
                "created_at": float(record.get("created_at", 0)), "event": json.loads(record.get("event", "{}")),
            })
        return letters

    def counts(self) -> dict[str, int]:
        processing = int(self._guard(self.r.scard, self.p + "processing"))
        waiting = int(self.r.get(self.p + "count:pending") or 0)
        return {
            PENDING: max(waiting - processing, 0),
            PROCESSING: processing,
            DONE: int(self.r.get(self.p + "count:done") or 0),
            DEAD: int(self.r.zcard(self.p + "dead")),
        }

    def state_of(self, dedupe_key: str) -> str | None:
        event_id = self._guard(self.r.get, self.p + "seen:" + dedupe_key)
        return self.r.hget(self.p + f"event:{event_id}", "state") if event_id else None

    def ping(self) -> bool:
        """True when Redis answers (for /readyz)."""
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def inbound(self, customer_key: str, after_id: int = 0, limit: int = 200) -> list[dict]:
        ids = [int(i) for i in self._guard(self.r.lrange, self.p + "inbound:" + customer_key, 0, -1)]
        found = []
        for event_id in [i for i in ids if i > after_id][:limit]:
            record = self.r.hgetall(self.p + f"event:{event_id}")
            if record:
                found.append(_summary(event_id, record["state"], record.get("last_error"),
                                      float(record["created_at"]), record["event"]))
        return found

    def unfinished(self, customer_key: str) -> int:
        return int(self._guard(self.r.llen, self.p + "q:" + customer_key))

    def prune(self, older_than_s: float = KEEP_S) -> int:
        """Finished events expire by themselves in Redis."""
        return 0
