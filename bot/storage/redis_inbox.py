"""The inbox on Redis, for several hosts: a stream with a consumer group, and a queue per customer.

Keys (under a prefix):

* ``seen:<dedupe key>`` → event id, kept 8 days: a repeated delivery is recognised;
* ``event:<id>`` → hash (event JSON, state, attempts, available_at, ...);
* ``q:<customer>`` → list of event ids, oldest first: one customer's events in arrival order;
* ``stream`` → entries ``{customer}`` saying "this customer has work", read through the consumer
  group ``workers``; an entry a dead consumer held is announced again by recover() at once (a
  process of this host) or reclaimed with XAUTOCLAIM after the lease (another host's);
* ``lock:<customer>`` → the worker handling that customer now (expires after the lease);
* ``claims`` → hash customer → "<event id> <owner>": every held lock, for recover();
* ``delayed`` → sorted set of customers whose head event waits for a retry time;
* ``waiting`` → sorted set of customers whose head event was tried and waits, by when it came;
* ``dead`` → sorted set of dead-letter event ids.

A worker that reads a stream entry takes the customer's lock and handles the head of its queue;
when it finishes it re-announces the customer if more events wait. Accepting a delivery is one Lua
script for all its events, so an event is never marked seen without being queued. Claiming (lock, attempt and claim
record), renewing, and settling an event with handing its customer back are one script each, so
a worker killed at any point leaves no lock recover() cannot see: a dead process's claims are
taken back at once, another host's when their lease runs out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis

from bot.errors import StorageError
from bot.events import Event
from bot.storage.inbox import DEAD, DONE, PENDING, PROCESSING, Accepted, Claimed, _owner_alive, _summary, decode

KEEP_S = 8 * 24 * 3600
GROUP = "workers"

ACCEPT = """
local prefix, now, keep = KEYS[1], ARGV[1], ARGV[2]
local new = 0
for i = 3, #ARGV, 4 do
  local key, customer, kind, event = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if redis.call('EXISTS', prefix .. 'seen:' .. key) == 0 then
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
    new = new + 1
  end
end
return new
"""

# Claims: a worker holds a customer through ``lock:<customer>`` (its owner, expiring after the
# lease) and ``claims[<customer>]`` = "<event id> <owner>", which recover() reads. Both are set in
# one script and dropped in one script, so a worker killed at any point never leaves a lock that
# recover() cannot see. Each script starts with these helpers (KEYS[1] is the prefix).
HELPERS = f"""
local p, group = KEYS[1], '{GROUP}'
local function ack(entry)
  if entry and entry ~= '' then
    redis.call('XACK', p .. 'stream', group, entry)
    redis.call('XDEL', p .. 'stream', entry)
  end
end
local function claimed_by(customer)
  local claim = redis.call('HGET', p .. 'claims', customer)
  if not claim then return nil end
  return string.sub(claim, string.find(claim, ' ', 1, true) + 1)
end
local function hand_back(customer, owner, entry)
  local lock = p .. 'lock:' .. customer
  if redis.call('GET', lock) == owner then redis.call('DEL', lock) end
  if claimed_by(customer) == owner then redis.call('HDEL', p .. 'claims', customer) end
  if redis.call('LLEN', p .. 'q:' .. customer) > 0 then redis.call('XADD', p .. 'stream', '*', 'customer', customer) end
  ack(entry)
end
"""

# Take the head event of a customer announced by stream entry ``entry``: the lock, the attempt
# and the claim record together. Nil (the entry acknowledged) when the customer is held (its
# holder announces it again when done), has nothing queued, or its head waits for a retry time.
CLAIM = HELPERS + """
local customer, owner, entry, now, lease_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local lock = p .. 'lock:' .. customer
if redis.call('EXISTS', lock) == 1 then ack(entry) return false end
local head = redis.call('LINDEX', p .. 'q:' .. customer, 0)
if not head then ack(entry) return false end
local key = p .. 'event:' .. head
local due = redis.call('HGET', key, 'available_at') or '0'
if tonumber(due) > tonumber(now) then
  redis.call('ZADD', p .. 'delayed', due, customer)
  ack(entry)
  return false
end
redis.call('SET', lock, owner, 'PX', lease_ms)
local attempts = redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'state', 'processing', 'claimed_by', owner, 'claimed_at', now, 'entry', entry)
redis.call('SADD', p .. 'processing', head)
redis.call('HSET', p .. 'claims', customer, head .. ' ' .. owner)
return {head, attempts, redis.call('HGET', key, 'event') or '', redis.call('HGET', key, 'created_at') or '0'}
"""

# Renew a claim's lease (lock and claim time) while ``owner`` still holds the event.
EXTEND = HELPERS + """
local customer, id, owner, now, lease_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = p .. 'event:' .. id
local state, by = unpack(redis.call('HMGET', key, 'state', 'claimed_by'))
if state ~= 'processing' or by ~= owner then return 0 end
if redis.call('HGET', p .. 'claims', customer) ~= id .. ' ' .. owner then return 0 end
local holder = redis.call('GET', p .. 'lock:' .. customer)
if holder and holder ~= owner then return 0 end
redis.call('SET', p .. 'lock:' .. customer, owner, 'PX', lease_ms)
redis.call('HSET', key, 'claimed_at', now)
return 1
"""

# Settle an event (done or dead) and hand its customer back, in one step; with ``holder`` set,
# only while that worker still holds the event (0 otherwise).
FINISH = HELPERS + """
local id, state, err, now, keep, customer, owner, entry, holder = unpack(ARGV)
local key = p .. 'event:' .. id
if holder ~= '' then
  local current, by = unpack(redis.call('HMGET', key, 'state', 'claimed_by'))
  if current ~= 'processing' or by ~= holder then return 0 end
end
redis.call('LREM', p .. 'q:' .. customer, 1, id)
redis.call('HSET', key, 'state', state, 'finished_at', now, 'last_error', err)
redis.call('SREM', p .. 'processing', id)
redis.call('ZREM', p .. 'waiting', customer)
redis.call('DECR', p .. 'count:pending')
if state == 'done' then
  redis.call('INCR', p .. 'count:done')
  redis.call('EXPIRE', key, keep)
else
  redis.call('ZADD', p .. 'dead', now, id)
end
hand_back(customer, owner, entry)
return 1
"""

# Take back claim ``ARGV[2]`` of customer ``ARGV[1]`` when its owner is dead (``ARGV[3]`` = '1')
# or its lease ran out; 1 when an event or a held lock was freed. A claim whose lock is gone
# and whose event was settled is only forgotten.
RECLAIM = HELPERS + """
local customer, claim, dead, now, lease_s = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('HGET', p .. 'claims', customer) ~= claim then return 0 end
local space = string.find(claim, ' ', 1, true)
local id, owner = string.sub(claim, 1, space - 1), string.sub(claim, space + 1)
local key = p .. 'event:' .. id
local state, by, at, entry = unpack(redis.call('HMGET', key, 'state', 'claimed_by', 'claimed_at', 'entry'))
local holding = state == 'processing' and by == owner
local locked = redis.call('GET', p .. 'lock:' .. customer) == owner
if dead ~= '1' then
  if holding and tonumber(at or 0) + lease_s >= now then return 0 end
  if locked and not holding then return 0 end
end
if not holding and not locked then
  redis.call('HDEL', p .. 'claims', customer)
  return 0
end
if holding then
  redis.call('HSET', key, 'state', 'pending', 'claimed_by', '')
  redis.call('SREM', p .. 'processing', id)
end
hand_back(customer, owner, entry)
return 1
"""

# Announce again the customers a dead consumer had read from the stream but not yet claimed,
# then forget the consumer.
DROP_CONSUMER = HELPERS + """
local consumer = ARGV[1]
local pending = redis.call('XPENDING', p .. 'stream', group, '-', '+', 100, consumer)
for _, item in ipairs(pending) do
  local found = redis.call('XRANGE', p .. 'stream', item[1], item[1])[1]
  if found then redis.call('XADD', p .. 'stream', '*', unpack(found[2])) end
  ack(item[1])
end
if #pending < 100 then redis.call('XGROUP', 'DELCONSUMER', p .. 'stream', group, consumer) end
return #pending
"""

# Put an event back to wait until ``due`` (``refund`` = '1': its claim's attempt is given back,
# the wait is not its fault) and release its customer without announcing it: ``delayed`` does.
# With ``holder`` set, only while that worker still holds the event (0 otherwise).
POSTPONE = HELPERS + """
local id, err, due, refund, customer, owner, entry, holder = unpack(ARGV)
local key = p .. 'event:' .. id
if holder ~= '' then
  local current, by = unpack(redis.call('HMGET', key, 'state', 'claimed_by'))
  if current ~= 'processing' or by ~= holder then return 0 end
end
redis.call('HSET', key, 'state', 'pending', 'available_at', due, 'last_error', err, 'claimed_by', '')
if refund == '1' then redis.call('HINCRBY', key, 'attempts', -1) end
redis.call('SREM', p .. 'processing', id)
redis.call('ZADD', p .. 'delayed', due, customer)
redis.call('ZADD', p .. 'waiting', redis.call('HGET', key, 'created_at') or due, customer)
if owner ~= '' then
  if redis.call('GET', p .. 'lock:' .. customer) == owner then redis.call('DEL', p .. 'lock:' .. customer) end
  if claimed_by(customer) == owner then redis.call('HDEL', p .. 'claims', customer) end
end
ack(entry)
return 1
"""

# Put customers whose retry time has come back on the stream.
ANNOUNCE_DUE = HELPERS + """
local due = redis.call('ZRANGEBYSCORE', p .. 'delayed', '-inf', ARGV[1], 'LIMIT', 0, 16)
for _, customer in ipairs(due) do
  redis.call('ZREM', p .. 'delayed', customer)
  redis.call('XADD', p .. 'stream', '*', 'customer', customer)
end
return #due
"""

# A staff action: dead letter ``ARGV[1]`` back at the head of its customer's queue, announced.
RETRY_DEAD = HELPERS + """
local id, now = ARGV[1], ARGV[2]
if redis.call('ZREM', p .. 'dead', id) == 0 then return 0 end
local key = p .. 'event:' .. id
local customer = redis.call('HGET', key, 'customer') or ''
redis.call('HSET', key, 'state', 'pending', 'attempts', 0, 'available_at', now)
redis.call('LPUSH', p .. 'q:' .. customer, id)
redis.call('INCR', p .. 'count:pending')
redis.call('XADD', p .. 'stream', '*', 'customer', customer)
return 1
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
        self.r: Any = client  # redis-py types every answer bytes | str; with decode_responses=True it is str
        self.p = prefix
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.clock = clock
        self._lease_ms = max(int(lease_s * 1000), 1)
        self._accept = client.register_script(ACCEPT)
        self._claim_head = client.register_script(CLAIM)
        self._extend_claim = client.register_script(EXTEND)
        self._finish_claim = client.register_script(FINISH)
        self._reclaim = client.register_script(RECLAIM)
        self._drop_consumer = client.register_script(DROP_CONSUMER)
        self._announce = client.register_script(ANNOUNCE_DUE)
        self._retry_dead = client.register_script(RETRY_DEAD)
        self._postpone_claim = client.register_script(POSTPONE)
        self._held: dict[int, tuple[str, str, str]] = {}  # event id -> (stream entry, customer, owner)
        self._finished: set[int] = set()  # events a turn's own MULTI marked done (complete is free)
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
        """Queue the new events of a delivery in one script (one round trip, atomic); repeated
        deliveries are recognised and skipped.

        An event that cannot be stored (one that cannot be encoded) does not stop the others of its
        delivery: they are queued, then the delivery fails with :class:`StorageError`, so the
        platform sends it again and the queued ones are recognised as repeats. Redis itself
        failing stops at once.
        """
        events = list(events)
        args: list[Any] = [repr(self.clock()), KEEP_S]
        refused: Exception | None = None
        for event in events:
            try:
                body = json.dumps(event.to_dict(), default=str)  # ASCII: a lone surrogate cannot break it
                fields = [event.dedupe_key, f"{event.platform}:{event.customer_id}", str(event.kind), body]
                for field in fields:
                    field.encode("utf-8")  # what redis-py will do: refuse it here, alone
            except Exception as exc:  # this event's data only
                refused = exc
                continue
            args.extend(fields)
        count = len(args[2:]) // 4
        new = int(self._guard(lambda: self._accept(keys=[self.p], args=args))) if count else 0
        if refused is not None:
            raise StorageError(f"an event was not stored: {type(refused).__name__}: {refused}") from refused
        return Accepted(new=new, duplicates=count - new)

    # -- claiming --------------------------------------------------------------------------------

    def claim(self, owner: str) -> Claimed | None:
        """Take the head event of a customer announced on the stream, under that customer's lock."""
        return self._guard(self._claim, owner)

    def _claim(self, owner: str, tries: int = 32) -> Claimed | None:
        """One read of the stream and one claim script when work waits; customers whose retry time
        came are announced only when the stream has nothing new (and by recover())."""
        announced = False
        for _ in range(tries):  # announcements of customers with nothing due are skipped
            entries = self._entries(owner)
            if not entries:
                if announced or not self._announce_due():
                    return None
                announced = True
                continue
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
        """Claim the customer's head event in one script: its lock and the record recover() reads."""
        now = self.clock()
        taken = self._claim_head(keys=[self.p], args=[customer, owner, entry_id, repr(now), self._lease_ms])
        if taken is None:  # held by another worker, nothing queued, or waiting for a retry time
            return None
        head, attempts, body, created_at = int(taken[0]), int(taken[1]), taken[2], float(taken[3])
        self._held[head] = (entry_id, customer, owner)
        if attempts > self.max_attempts:  # it took its workers down with it every time
            self._finish(head, DEAD, f"given up after {self.max_attempts} attempts that never finished")
            return None
        event = decode(body)
        if event is None:
            self._finish(head, DEAD, "the stored event cannot be read")
            return None
        return Claimed(head, event, attempts, created_at, owner, now)

    def extend(self, claimed: Claimed) -> bool:
        """Renew the lease (the customer's lock and the claim time) while still the holder."""
        return bool(self._guard(self._extend, claimed))

    def _extend(self, claimed: Claimed) -> bool:
        customer = f"{claimed.event.platform}:{claimed.event.customer_id}"
        args: list[Any] = [customer, claimed.id, claimed.owner, repr(self.clock()), self._lease_ms]
        return bool(self._extend_claim(keys=[self.p], args=args))

    def _holds(self, event_id: int, owner: str | None) -> bool:
        """True when no owner is given, or ``owner`` still holds the event."""
        if owner is None:
            return True
        record = self.r.hmget(self.p + f"event:{event_id}", "state", "claimed_by")
        return record == [PROCESSING, owner]

    def _announce_due(self) -> int:
        """Put customers whose retry time has come back on the stream (one script: none is lost);
        how many."""
        return int(self._announce(keys=[self.p], args=[repr(self.clock())]))

    # -- finishing -------------------------------------------------------------------------------

    def complete(self, event_id: int, owner: str | None = None) -> bool:
        """The event is handled: drop it from the customer's queue (only while ``owner`` holds it).
        Free when the turn's own MULTI already did (:meth:`complete_in`)."""
        if event_id in self._finished:
            self._finished.discard(event_id)
            return True
        return self._guard(self._finish, event_id, DONE, "", owner)

    def complete_in(self, pipe: Any, claimed: Claimed) -> None:
        """Queue :meth:`complete` of ``claimed`` on a MULTI pipeline (the turn's last write); its
        reply, the pipeline's last, is 1 while the worker held the event: then call :meth:`finished`."""
        entry_id, customer, owner = self._held.get(
            claimed.id, ("", f"{claimed.event.platform}:{claimed.event.customer_id}", claimed.owner))
        args: list[Any] = [
            claimed.id, DONE, "", repr(self.clock()), KEEP_S, customer, owner, entry_id, claimed.owner or ""]
        self._finish_claim(keys=[self.p], args=args, client=pipe)

    def finished(self, claimed: Claimed) -> None:
        """A committed :meth:`complete_in` marked ``claimed`` done: forget its claim here."""
        self._held.pop(claimed.id, None)
        self._finished.add(claimed.id)

    def fail(self, event_id: int, error: str, *, retry_in: float | None = None, owner: str | None = None) -> str:
        """Retry later (the customer's later events wait behind it) or make it a dead letter.

        With ``owner``, only while that worker still holds the event: the script that settles or
        postpones it checks the holder itself, so a worker whose lease ran out cannot touch an
        event another worker has claimed since (its current state is returned instead).
        """
        if not self._guard(self._holds, event_id, owner):
            return self._state(event_id)
        attempts = int(self._guard(self.r.hget, self.p + f"event:{event_id}", "attempts") or 0)
        if attempts >= self.max_attempts:
            settled = self._guard(self._finish, event_id, DEAD, error, owner)
            return DEAD if settled else self._state(event_id)
        delay = retry_in if retry_in is not None else min(2.0**attempts, 300.0)
        if self._guard(self._postpone, event_id, error, self.clock() + delay, False, owner):
            return PENDING
        return self._state(event_id)

    def _state(self, event_id: int) -> str:
        return self._guard(self.r.hget, self.p + f"event:{event_id}", "state") or DEAD

    def defer(self, event_id: int, reason: str, *, retry_in: float, owner: str | None = None) -> str:
        """Put an event back to wait ``retry_in`` seconds without using up an attempt (see Inbox.defer)."""
        if self._guard(self._postpone, event_id, reason, self.clock() + retry_in, True, owner):
            return PENDING
        return self._state(event_id)

    def _finish(self, event_id: int, state: str, error: str, holder: str | None = None) -> bool:
        """Settle the event and hand its customer back in one script; with ``holder``, only while
        that worker still holds it (False otherwise)."""
        entry_id, customer, owner = self._release_held(event_id)
        args: list[Any] = [
            event_id, state, error[:2000], repr(self.clock()), KEEP_S, customer, owner, entry_id, holder or ""]
        return bool(self._finish_claim(keys=[self.p], args=args))

    def _postpone(self, event_id: int, error: str, due: float, refund: bool = False, holder: str | None = None) -> bool:
        """Back to pending until ``due`` and the customer released, in one script; ``refund``
        gives back the attempt its claim counted. With ``holder``, only while that worker still
        holds the event (False otherwise)."""
        entry_id, customer, owner = self._release_held(event_id)
        args: list[Any] = [
            event_id, error[:2000], repr(due), "1" if refund else "0", customer, owner, entry_id, holder or ""]
        return bool(self._postpone_claim(keys=[self.p], args=args))

    def _release_held(self, event_id: int) -> tuple[str, str, str]:
        """What this process knew of a claim it held (stream entry, customer, owner), forgotten;
        for an event it does not hold, its customer read back from Redis."""
        held = self._held.pop(event_id, None)
        return held if held is not None else ("", self._customer(event_id), "")

    def _customer(self, event_id: int) -> str:
        return self.r.hget(self.p + f"event:{event_id}", "customer") or ""

    # -- recovery and staff actions ----------------------------------------------------------------

    def recover(self) -> int:
        """Free customers held by dead processes on this host at once (others wait for the lease)."""
        return self._guard(self._recover)

    def _recover(self) -> int:
        """Every claim (the registry the claim script writes with the lock), then every stream
        consumer of a dead process of this host (entries read but not yet claimed); customers
        whose retry time came are announced on the way."""
        self._announce_due()
        recovered = 0
        for customer, claim in sorted(self.r.hgetall(self.p + "claims").items()):
            owner = claim.partition(" ")[2]
            dead = "0" if _owner_alive(owner) else "1"
            args = [customer, claim, dead, repr(self.clock()), repr(float(self.lease_s))]
            recovered += int(self._reclaim(keys=[self.p], args=args))
        for consumer in sorted(item["name"] for item in self.r.xinfo_consumers(self.p + "stream", GROUP)):
            if not _owner_alive(consumer):
                recovered += int(self._drop_consumer(keys=[self.p], args=[consumer]))
        return recovered

    def retry_dead(self, event_id: int) -> bool:
        """Put a dead letter back at the head of its customer's queue (one script: never lost)."""
        return bool(self._guard(lambda: self._retry_dead(keys=[self.p], args=[event_id, repr(self.clock())])))

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

    def waiting(self, limit: int = 20) -> dict[str, Any]:
        """Customers whose head event was tried and waits to be tried again (see Inbox.waiting)."""
        return self._guard(self._waiting, limit)

    def _waiting(self, limit: int) -> dict[str, Any]:
        oldest = self.r.zrange(self.p + "waiting", 0, limit - 1, withscores=True)
        sample = [
            {"customer_key": customer, "since": since, "events": int(self.r.llen(self.p + "q:" + customer))}
            for customer, since in oldest
        ]
        return {"customers": int(self.r.zcard(self.p + "waiting")), "sample": sample}

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
