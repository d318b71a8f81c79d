"""Orders, hand-offs and message states on Redis, when several hosts share one Redis.

The same contracts as :class:`~bot.storage.orders.OrderStore`,
:class:`~bot.storage.handoffs.HandoffStore` and :class:`~bot.storage.messages.MessageStates`:
a hand-off opened on one host silences the bot on every host, order numbers are unique across
hosts (a number drawn twice is refused by ``SET NX`` inside the script and drawn again), a
customer's failed order checks are counted once for every host, and a status reported to any
host moves the one message state.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis

from bot import order_numbers
from bot.errors import StorageError
from bot.order_numbers import NumberTaken
from bot.storage.messages import RANK
from bot.storage.orders import (
    CHECK_LIMIT,
    CHECK_WINDOW_S,
    PHONE_CHECK_LIMIT,
    STATUSES,
    Order,
    check_keys,
    fresh_numbers,
    left_of,
)
from bot.storage.windows import RedisWindow

KEEP_S = 30 * 24 * 3600

# The order saved under its idempotency key, or a new one under ARGV[2]; false when that number
# belongs to another order already (SET NX: the unique constraint), so the caller draws another.
CREATE_ORDER = """
local p, key, number = KEYS[1], ARGV[1], ARGV[2]
local existing = redis.call('GET', p .. 'orders:key:' .. key)
if existing then return existing end
if not redis.call('SET', p .. 'order:' .. number, ARGV[3], 'NX') then return false end
local n = redis.call('INCR', p .. 'orders:seq')
redis.call('SET', p .. 'orders:key:' .. key, number)
redis.call('ZADD', p .. 'orders:all', n, number)
redis.call('ZADD', p .. 'orders:phone:' .. ARGV[4], n, number)
redis.call('ZADD', p .. 'orders:customer:' .. ARGV[5], n, number)
return number
"""

# Move a message's status forward only (sent < delivered < read; failed is final).
ADVANCE = """
local key, status, rank = KEYS[1], ARGV[1], tonumber(ARGV[2])
local ranks = {sent = 1, delivered = 2, read = 3, failed = 4}
local current = redis.call('HGET', key, 'status')
if current == 'failed' then return 0 end
if current and ranks[current] >= rank then return 0 end
redis.call('HSET', key, 'status', status, 'updated_at', ARGV[3], 'error_code', ARGV[4], 'error', ARGV[5])
redis.call('EXPIRE', key, ARGV[6])
return 1
"""


def _guard(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except redis.RedisError as exc:
        raise StorageError(f"redis: {exc}") from exc


class RedisOrders:
    """Orders in Redis, numbered once across every host; see :class:`~bot.storage.orders.OrderStore`."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time,
        new_number: Callable[[], str] = order_numbers.new_number,
        check_limit: int = CHECK_LIMIT, check_window_s: float = CHECK_WINDOW_S,
        phone_check_limit: int = PHONE_CHECK_LIMIT,
    ) -> None:
        self.r = client
        self.p = prefix
        self.clock = clock
        self.new_number = new_number
        self.check_limit = check_limit
        self.check_window_s = check_window_s
        self.phone_check_limit = phone_check_limit
        self._create = client.register_script(CREATE_ORDER)
        self._checks = RedisWindow(client, prefix=f"{prefix}orders:checks:")

    def create(
        self, *, idempotency_key: str, platform: str, customer_id: str, name: str, phone: str,
        governorate: str, address: str, items: list[dict[str, Any]], shipping_fee: int, lang: str = "ar",
    ) -> Order:
        """Save an order, or return the one already saved under ``idempotency_key``."""
        subtotal = sum(int(item["unit_price"]) * int(item.get("quantity", 1)) for item in items)
        now = self.clock()
        fields = {
            "platform": platform, "customer_id": customer_id, "name": name, "phone": phone,
            "governorate": governorate, "address": address, "items": items, "subtotal": subtotal,
            "shipping_fee": shipping_fee, "total": subtotal + shipping_fee, "lang": lang, "status": "new",
            "created_at": now, "updated_at": now,
        }
        saved = json.dumps(fields, ensure_ascii=False)
        for attempt in fresh_numbers():
            with attempt:
                number = self._insert(self.new_number(), idempotency_key, saved, phone, f"{platform}:{customer_id}")
        order = self.get(number)
        if order is None:
            raise StorageError(f"order {idempotency_key!r} was not saved")
        return order

    def _insert(self, number: str, idempotency_key: str, saved: str, phone: str, customer: str) -> str:
        """The number saved under ``idempotency_key`` (``number`` when new); NumberTaken on a clash."""
        found = _guard(self._create, keys=[self.p], args=[idempotency_key, number, saved, phone, customer])
        if not found:
            raise NumberTaken("order number already taken")
        return found

    def get(self, number: str) -> Order | None:
        """The order with this number, typed any way ("dk 7k4qxe", "DK-10001"); None for an invalid one."""
        wanted = order_numbers.canonical(number)
        raw = _guard(self.r.get, f"{self.p}order:{wanted}") if wanted else None
        return _order(wanted, json.loads(raw)) if wanted and raw else None

    def by_phone(self, phone: str, limit: int = 5) -> list[Order]:
        return self._newest(f"orders:phone:{phone}", limit)

    def by_customer(self, platform: str, customer_id: str, limit: int = 5) -> list[Order]:
        return self._newest(f"orders:customer:{platform}:{customer_id}", limit)

    def list(self, status: str | None = None, limit: int = 100) -> list[Order]:
        orders = self._newest("orders:all", 1000 if status else limit)
        return [order for order in orders if not status or order.status == status][:limit]

    def set_status(self, number: str, status: str) -> Order | None:
        """Change an order's status (staff); None when there is no such order."""
        return self.transition(number, status, only_from=STATUSES)[1]

    def transition(self, number: str, status: str, *, only_from: Iterable[str]) -> tuple[bool, Order | None]:
        """Set ``status`` only while the order's status is one of ``only_from``: read and write
        under WATCH, in one MULTI/EXEC, so a status changed in between is seen, never overwritten.
        See :meth:`bot.storage.orders.OrderStore.transition`."""
        if status not in STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        wanted, allowed = order_numbers.canonical(number), frozenset(only_from)
        if not wanted:
            return False, None
        key = f"{self.p}order:{wanted}"
        try:
            with self.r.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        pipe.watch(key)
                        raw = pipe.get(key)
                        if not raw:
                            return False, None
                        fields = json.loads(raw)
                        if fields["status"] not in allowed:
                            return False, _order(wanted, fields)
                        fields |= {"status": status, "updated_at": self.clock()}
                        pipe.multi()
                        pipe.set(key, json.dumps(fields, ensure_ascii=False))
                        pipe.execute()
                        return True, _order(wanted, fields)
                    except redis.WatchError:
                        continue          # changed in between: read it again and decide again
        except redis.RedisError as exc:
            raise StorageError(f"redis: {exc}") from exc

    def checks_left(self, platform: str, customer_id: str, phone: str = "") -> int:
        """How many failed number + phone checks this customer may still make now (naming
        ``phone``: the fewer of the account's and the phone's checks left)."""
        now = self.clock()
        failed = [self._checks.count(key, now, self.check_window_s) for key in check_keys(platform, customer_id, phone)]
        return left_of(failed, self.check_limit, self.phone_check_limit)

    def fail_check(self, platform: str, customer_id: str, phone: str = "") -> int:
        """Count one failed check, for the account and for the phone it named (and forget the
        ones older than the window); the checks left."""
        failed = self._checks.add(check_keys(platform, customer_id, phone), self.clock(), self.check_window_s)
        return left_of(failed, self.check_limit, self.phone_check_limit)

    def _newest(self, index: str, limit: int) -> builtins.list[Order]:  # ``list`` is a method here
        numbers = _guard(self.r.zrevrange, self.p + index, 0, limit - 1)
        return [order for order in (self.get(number) for number in numbers) if order]


def _order(number: str, fields: dict[str, Any]) -> Order:
    return Order(number=number, **(fields | {"items": tuple(fields["items"])}))


class RedisHandoffs:
    """Open hand-offs in Redis: one per customer, expiring by itself after ``timeout_s``."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = "dukkan:", timeout_s: float = 24 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.r = client
        self.p = prefix
        self.timeout_s = timeout_s
        self.clock = clock

    def _key(self, platform: str, customer_id: str) -> str:
        return f"{self.p}handoff:{platform}:{customer_id}"

    def open(self, platform: str, customer_id: str, reason: str, context: dict[str, Any]) -> int:
        current = self.current(platform, customer_id)
        if current:
            return current["id"]
        handoff_id = _guard(self.r.incr, f"{self.p}handoffs:seq")
        now = self.clock()
        record = {"id": handoff_id, "platform": platform, "customer_id": customer_id, "reason": reason,
                  "context": context, "opened_at": now, "released_at": None, "released_by": None}
        pipe = self.r.pipeline(transaction=True)
        pipe.set(self._key(platform, customer_id), json.dumps(record, ensure_ascii=False, default=str),
                 ex=max(int(self.timeout_s), 1))
        pipe.zadd(f"{self.p}handoffs:open", {f"{platform}:{customer_id}": now})
        _guard(pipe.execute)
        return handoff_id

    def current(self, platform: str, customer_id: str) -> dict[str, Any] | None:
        raw = _guard(self.r.get, self._key(platform, customer_id))
        if not raw:
            return None
        record = json.loads(raw)
        return record if record["opened_at"] > self.clock() - self.timeout_s else None

    def active(self, platform: str, customer_id: str) -> bool:
        return self.current(platform, customer_id) is not None

    def release(self, platform: str, customer_id: str, by: str = "staff") -> bool:
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(self._key(platform, customer_id))
        pipe.zrem(f"{self.p}handoffs:open", f"{platform}:{customer_id}")
        deleted, _ = _guard(pipe.execute)
        return bool(deleted)

    def list_open(self, limit: int = 100) -> list[dict[str, Any]]:
        _guard(self.r.zremrangebyscore, f"{self.p}handoffs:open", "-inf", self.clock() - self.timeout_s)
        members = _guard(self.r.zrevrangebyscore, f"{self.p}handoffs:open", "+inf",
                         self.clock() - self.timeout_s, start=0, num=limit)
        found = []
        for member in members:
            platform, _, customer_id = member.partition(":")
            record = self.current(platform, customer_id)
            if record:
                found.append(record)
        return found


class RedisMessageStates:
    """States of the messages we sent, shared by every host."""

    def __init__(self, client: redis.Redis, *, prefix: str = "dukkan:", clock: Callable[[], float] = time.time) -> None:
        self.r = client
        self.p = prefix
        self.clock = clock
        self._advance = client.register_script(ADVANCE)

    def record_sent(self, platform: str, customer_id: str, message_id: str) -> None:
        pipe = self.r.pipeline(transaction=True)
        self.record_sent_on(pipe, platform, customer_id, message_id)
        _guard(pipe.execute)

    def record_sent_on(self, pipe: Any, platform: str, customer_id: str, message_id: str) -> None:
        """:meth:`record_sent` queued on the caller's MULTI pipeline (a turn's finish)."""
        now = self.clock()
        key = f"{self.p}msg:{message_id}"
        pipe.hsetnx(key, "status", "sent")
        pipe.hset(key, mapping={"platform": platform, "customer_id": customer_id, "sent_at": now})
        pipe.expire(key, KEEP_S)
        pipe.zadd(f"{self.p}msgs:{platform}:{customer_id}", {message_id: now})
        pipe.expire(f"{self.p}msgs:{platform}:{customer_id}", KEEP_S)

    def apply_status(
        self, message_id: str, status: str, *, platform: str, customer_id: str,
        error_code: int | None = None, error: str | None = None,
    ) -> bool:
        if status not in RANK:
            return False
        args = [status, RANK[status], self.clock(), "" if error_code is None else error_code, error or "", KEEP_S]
        return bool(_guard(self._advance, keys=[f"{self.p}msg:{message_id}"], args=args))

    def apply_watermark(self, platform: str, customer_id: str, watermark: float, status: str) -> int:
        ids = _guard(self.r.zrangebyscore, f"{self.p}msgs:{platform}:{customer_id}", "-inf", watermark)
        return sum(self.apply_status(message_id, status, platform=platform, customer_id=customer_id)
                   for message_id in ids)

    def status_of(self, message_id: str) -> str | None:
        return _guard(self.r.hget, f"{self.p}msg:{message_id}", "status")
