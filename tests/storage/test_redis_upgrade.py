"""Release 1's Redis keys (right under ``REDIS_PREFIX``) are moved under ``<REDIS_PREFIX>v1:`` at start.

Release 1 is written with the stores of today under the bare prefix: the key names below the
prefix did not change, only where they sit. Then the service's stores are opened as a start
does (:func:`bot.storage.open_stores`), and what release 1 kept is read back through them.
"""

from __future__ import annotations

import threading
import uuid

import pytest
import redis

from bot.config import Settings
from bot.events import Event, Kind, Platform
from bot.storage import Database, open_stores
from bot.storage.auth_limits import open_auth_failures
from bot.storage.pauses import open_pauses
from bot.storage.redis_inbox import RedisInbox
from bot.storage.redis_keys import keyspace
from bot.storage.redis_shared import RedisHandoffs, RedisOrders
from bot.storage.redis_state import RedisSessions, transaction
from bot.storage.redis_upgrade import LOCK, MARKER, release_1_keys, upgrade
from tests.conftest import seeded_order_numbers
from tests.factories import Clock
from tests.storage.conftest import NOW

CUSTOMER = "24000000000000001"


@pytest.fixture
def prefix() -> str:
    return f"up{uuid.uuid4().hex[:10]}:"


@pytest.fixture
def client(redis_url) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def redis_settings(redis_url, prefix, tmp_path) -> Settings:
    return Settings.from_env({}).with_overrides(redis_url=redis_url, redis_prefix=prefix,
                                                database_path=str(tmp_path / "db.sqlite3"))


def write_release_1(client: redis.Redis, prefix: str) -> str:
    """What a release-1 deployment holds: a waiting event, its dedupe key, a session, a hand-off, an order."""
    clock = Clock(NOW)
    inbox = RedisInbox(client, prefix=prefix, clock=clock)
    assert inbox.accept([Event(Platform.MESSENGER, CUSTOMER, Kind.TEXT, text="عايز تيشيرت اسود",
                               message_id="m_release_1", timestamp=NOW)]).new == 1
    with transaction(client) as tx:
        RedisSessions(client, prefix=prefix, clock=clock).save(tx, "messenger", CUSTOMER, {"lang": "ar"},
                                                               inbound_at=NOW)
    RedisHandoffs(client, prefix=prefix, clock=clock).open("messenger", CUSTOMER, "asked for a person", {})
    orders = RedisOrders(client, prefix=prefix, clock=clock, new_number=seeded_order_numbers(1))
    order = orders.create(idempotency_key="checkout-1", platform="messenger", customer_id=CUSTOMER,
                          name="Mona", phone="01012345678", governorate="Cairo", address="12 Tahrir St",
                          items=[{"product_id": 53, "quantity": 1, "unit_price": 450}], shipping_fee=50)
    client.set(prefix + "store:details:53", "cached", ex=600)   # the store client's cache: not versioned
    return order.number


def test_release_1_keys_are_read_back_through_the_stores_after_the_upgrade(client, prefix, redis_settings,
                                                                           tmp_path) -> None:
    number = write_release_1(client, prefix)
    old_keys = release_1_keys(client, prefix)
    assert f"{prefix}orders:seq" in old_keys and f"{prefix}seen:messenger:text:m_release_1" in old_keys
    ttl = client.ttl(f"{prefix}seen:messenger:text:m_release_1")

    stores = open_stores(redis_settings, Database(tmp_path / "db.sqlite3"), Clock(NOW + 60))

    assert release_1_keys(client, prefix) == []
    assert client.get(keyspace(prefix) + MARKER) == "1"
    assert client.get(prefix + "store:details:53") == "cached"          # left where it was
    assert 0 < client.ttl(f"{keyspace(prefix)}seen:messenger:text:m_release_1") <= ttl   # the expiry came along
    assert stores.orders.get(number).name == "Mona"
    assert [o.number for o in stores.orders.by_customer("messenger", CUSTOMER)] == [number]
    assert stores.state.sessions.load("messenger", CUSTOMER) == {"lang": "ar"}
    assert stores.handoffs.active("messenger", CUSTOMER)
    assert stores.inbox.state_of("messenger:text:m_release_1") == "pending"
    again = Event(Platform.MESSENGER, CUSTOMER, Kind.TEXT, text="عايز تيشيرت اسود", message_id="m_release_1",
                  timestamp=NOW)
    assert stores.inbox.accept([again]).new == 0                    # still a duplicate
    claimed = stores.inbox.claim("host-a:1")
    assert claimed is not None and claimed.event.text == "عايز تيشيرت اسود"
    stores.orders.new_number = seeded_order_numbers(2)
    newer = stores.orders.create(idempotency_key="checkout-2", platform="messenger", customer_id=CUSTOMER,
                                 name="Mona", phone="01012345678", governorate="Cairo", address="12 Tahrir St",
                                 items=[{"product_id": 7, "quantity": 1, "unit_price": 300}], shipping_fee=50)
    assert client.get(keyspace(prefix) + "orders:seq") == "2"           # the count goes on from release 1
    assert [o.number for o in stores.orders.list()] == [newer.number, number]


def test_the_upgrade_runs_once_and_a_later_start_moves_nothing(client, prefix, redis_settings, tmp_path) -> None:
    write_release_1(client, prefix)
    moved = len(release_1_keys(client, prefix))
    assert upgrade(client, prefix) == moved
    client.set(prefix + "orders:seq", "99")          # written after the upgrade (an old process still running)
    assert upgrade(client, prefix) == 0              # the marker says it is done: nothing more is moved
    assert client.get(keyspace(prefix) + "orders:seq") == "1"
    open_pauses(redis_settings, Database(tmp_path / "db.sqlite3"))
    open_auth_failures(redis_settings, Database(tmp_path / "db.sqlite3"))
    assert client.get(prefix + "orders:seq") == "99"


def test_a_key_already_under_v1_is_kept_and_the_old_one_left(client, prefix) -> None:
    client.set(prefix + "orders:seq", "5")
    client.set(keyspace(prefix) + "orders:seq", "7")
    assert upgrade(client, prefix) == 0
    assert client.get(keyspace(prefix) + "orders:seq") == "7"
    assert client.get(prefix + "orders:seq") == "5"


def test_several_processes_starting_at_once_move_each_key_once(client, redis_url, prefix) -> None:
    write_release_1(client, prefix)
    for n in range(300):
        client.set(f"{prefix}seen:whatsapp:wamid.{n}", n, ex=3600)
    expected = len(release_1_keys(client, prefix))
    start, results = threading.Barrier(4), []

    def start_process() -> None:
        own = redis.Redis.from_url(redis_url, decode_responses=True)
        start.wait()
        results.append(upgrade(own, prefix, poll_s=0.01))

    threads = [threading.Thread(target=start_process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 0, 0, expected]
    assert release_1_keys(client, prefix) == []
    assert client.get(f"{keyspace(prefix)}seen:whatsapp:wamid.299") == "299"
    assert client.get(keyspace(prefix) + LOCK) is None


def test_a_lock_held_by_another_process_past_the_wait_is_a_clear_error(client, prefix) -> None:
    from bot.errors import StorageError

    client.set(keyspace(prefix) + LOCK, "someone-else", ex=60)
    with pytest.raises(StorageError, match="still being upgraded"):
        upgrade(client, prefix, wait_s=0.2, poll_s=0.05)


def test_a_prefix_with_glob_characters_matches_only_itself(client) -> None:
    prefix = f"g[{uuid.uuid4().hex[:6]}]*:"
    client.set(prefix + "orders:seq", "3")
    assert release_1_keys(client, prefix) == [prefix + "orders:seq"]
    assert upgrade(client, prefix) == 1
    assert client.get(keyspace(prefix) + "orders:seq") == "3"
