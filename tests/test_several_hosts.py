"""Two hosts (two apps with their own SQLite files) sharing one Redis, as with REDIS_URL in production."""

from __future__ import annotations

import uuid

import pytest

from bot import create_app
from bot.config import Settings
from tests.conftest import TEST_SECRET
from tests.factories import messenger_text, post_signed


@pytest.fixture
def hosts(tmp_path, redis_url):
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    apps = []
    for name in ("a", "b"):
        settings = Settings.from_env({}).with_overrides(
            meta_app_secret=TEST_SECRET, admin_token="admin", admin_token_generated=False,
            database_path=str(tmp_path / f"{name}.sqlite3"), redis_url=redis_url, redis_prefix=prefix,
        )
        overrides = {field: getattr(settings, field) for field in settings.__dataclass_fields__}
        apps.append(create_app(overrides, start_workers=False))
    yield [app.extensions["dukkan"] for app in apps], [app.test_client() for app in apps]
    for app in apps:
        app.extensions["dukkan"].workers.stop()


def test_an_event_accepted_by_one_host_is_answered_once_by_either(hosts):
    (a, b), (client_a, client_b) = hosts
    body = messenger_text("psid-hosts", "hello")
    assert post_signed(client_a, body, TEST_SECRET).status_code == 200
    assert post_signed(client_b, body, TEST_SECRET).status_code == 200  # Meta's retry reaches host b
    assert b.workers.drain() == 1 and a.workers.drain() == 0
    assert a.pipeline.outbox.conversation("messenger", "psid-hosts") == b.pipeline.outbox.conversation(
        "messenger", "psid-hosts")


def test_a_hand_off_opened_on_one_host_silences_every_host(hosts):
    (a, b), (_, client_b) = hosts
    a.handoffs.open("messenger", "psid-human", "asked for a person", {"query": "jeans"})
    post_signed(client_b, messenger_text("psid-human", "hello?"), TEST_SECRET)
    b.workers.drain()
    assert b.pipeline.outbox.conversation("messenger", "psid-human") == []
    assert [h["customer_id"] for h in b.handoffs.list_open()] == ["psid-human"]
    assert b.handoffs.release("messenger", "psid-human")
    assert not a.handoffs.active("messenger", "psid-human")


def test_order_numbers_are_unique_and_orders_are_seen_from_every_host(hosts):
    (a, b), _ = hosts
    line = [{"product_id": 3, "name": "bag", "size": "One Size", "color": "black", "quantity": 1, "unit_price": 1299}]
    details = dict(platform="whatsapp", customer_id="201000000001", name="Mona", phone="01000000001",
                   governorate="cairo", address="Nasr City", items=line, shipping_fee=65)
    first = a.orders.create(idempotency_key="k-1", **details)
    second = b.orders.create(idempotency_key="k-2", **details)
    again = b.orders.create(idempotency_key="k-1", **details)
    assert first.number != second.number and again.number == first.number
    assert first.total == 1299 + 65
    assert [o.number for o in a.orders.by_phone("01000000001")] == [second.number, first.number]
    b.orders.set_status(first.number, "shipped")
    assert a.orders.get(first.number).status == "shipped"
    assert [o.number for o in a.orders.list(status="shipped")] == [first.number]


def test_a_status_reported_to_another_host_moves_the_message_forward_only(hosts):
    (a, b), (_, client_b) = hosts
    a.pipeline.messages.record_sent("whatsapp", "201000000002", "wamid.sent-by-a")
    for status in ("read", "delivered"):
        value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"},
                 "statuses": [{"id": "wamid.sent-by-a", "status": status, "timestamp": "1700000000",
                               "recipient_id": "201000000002"}]}
        body = {"object": "whatsapp_business_account",
                "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}]}
        post_signed(client_b, body, TEST_SECRET)
    b.workers.drain()
    assert a.pipeline.messages.status_of("wamid.sent-by-a") == "read"
