"""The console's JSON API: simulate through /webhook, conversations, status, dead letters, orders, hand-offs."""

from __future__ import annotations

import json

import pytest
from flask import request

from bot.channels.meta.signature import verify
from bot.events import Event, Kind, Platform
from bot.web.simulate import build_delivery
from tests.conftest import TEST_SECRET

AUTH = {"Authorization": "Bearer admin-test-token"}


def simulate(client, **body):
    return client.post("/admin/api/simulate", json=body, headers=AUTH)


def conversation(client, platform: str, customer_id: str, **params):
    query = {"platform": platform, "customer_id": customer_id} | params
    response = client.get("/admin/api/conversation", query_string=query, headers=AUTH)
    assert response.status_code == 200
    return response.get_json()


def test_simulate_posts_a_signed_delivery_through_the_webhook(app, client, services):
    requests_seen = []
    app.before_request(lambda: requests_seen.append((request.path, dict(request.headers))))
    response = simulate(client, platform="messenger", customer_id="psid-1", text="عايز تيشيرت اسود")
    assert response.status_code == 200
    result = response.get_json()
    assert result["status"] == 200
    assert result["webhook"] == "EVENT_RECEIVED"
    webhook_calls = [headers for path, headers in requests_seen if path == "/webhook"]
    assert len(webhook_calls) == 1
    raw = result["raw"].encode()
    verify(raw, result["signature"], TEST_SECRET)
    assert json.loads(raw) == result["delivery"]
    assert webhook_calls[0]["X-Hub-Signature-256"] == result["signature"]
    [event] = result["events"]
    assert (event["kind"], event["text"], event["customer_id"]) == ("text", "عايز تيشيرت اسود", "psid-1")
    assert event["inbox_state"] == "pending"
    assert services.inbox.counts()["pending"] == 1


def test_simulated_messages_produce_outbox_replies_after_drain(client, services):
    simulate(client, platform="messenger", customer_id="psid-2", text="hello")
    before = conversation(client, "messenger", "psid-2")
    assert before["pending"] == 1
    assert before["messages"] == []
    assert [row["text"] for row in before["inbound"]] == ["hello"]
    services.workers.drain()
    after = conversation(client, "messenger", "psid-2")
    assert after["pending"] == 0
    messages = [row for row in after["messages"] if row["kind"] == "message"]
    assert messages, "the bot answered nothing"
    assert all(row["body"]["recipient"]["id"] == "psid-2" for row in messages)
    assert all(row["state"] == "sent" for row in messages)
    assert after["inbound"][0]["state"] == "done"
    last = after["messages"][-1]["id"]
    assert conversation(client, "messenger", "psid-2", after=last)["messages"] == []


def test_whatsapp_text_and_replies(client, services):
    result = simulate(client, platform="whatsapp", customer_id="201001234567", text="ازيك").get_json()
    delivery = result["delivery"]
    assert delivery["object"] == "whatsapp_business_account"
    message = delivery["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message["from"] == "201001234567"
    assert message["text"] == {"body": "ازيك"}
    services.workers.drain()
    rows = [row for row in conversation(client, "whatsapp", "201001234567")["messages"] if row["kind"] == "message"]
    assert rows
    assert all(row["body"]["messaging_product"] == "whatsapp" for row in rows)


@pytest.mark.parametrize(
    ("platform", "kind", "expected_kind"),
    [
        ("messenger", "postback", Kind.PAYLOAD),
        ("messenger", "quick_reply", Kind.PAYLOAD),
        ("whatsapp", "button_reply", Kind.PAYLOAD),
        ("whatsapp", "list_reply", Kind.PAYLOAD),
    ],
)
def test_button_presses_become_payload_events(client, platform, kind, expected_kind):
    result = simulate(
        client, platform=platform, customer_id="20100000001", kind=kind, payload="DETAILS:53", title="التفاصيل"
    ).get_json()
    [event] = result["events"]
    assert event["kind"] == expected_kind
    assert event["payload"] == "DETAILS:53"
    assert event["text"] == "التفاصيل"
    assert result["understanding"] == {"route": "payload", "payload": "DETAILS:53"}


@pytest.mark.parametrize(("platform", "source"), [("messenger", "postback"), ("whatsapp", "button_reply")])
def test_a_press_without_a_kind_is_a_postback_or_a_reply_button(client, platform, source):
    [event] = simulate(client, platform=platform, customer_id="2010", payload="MENU").get_json()["events"]
    assert (event["kind"], event["payload"]) == ("payload", "MENU")
    assert source in json.dumps(event["data"])


def test_built_deliveries_have_the_platform_shapes():
    messenger = build_delivery("messenger", "p", kind="postback", payload="ADD:1", title="Add")
    assert messenger["entry"][0]["messaging"][0]["postback"] == {
        "mid": messenger["entry"][0]["messaging"][0]["postback"]["mid"],
        "title": "Add",
        "payload": "ADD:1",
    }
    whatsapp = build_delivery("whatsapp", "2010", kind="list_reply", payload="P:1", title="T", description="D")
    interactive = whatsapp["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]
    assert interactive == {"type": "list_reply", "list_reply": {"id": "P:1", "title": "T", "description": "D"}}


def test_typed_text_gets_an_understanding(client):
    understanding = simulate(client, platform="messenger", customer_id="u", text="عايز تيشيرت اسود").get_json()[
        "understanding"
    ]
    assert understanding["route"] == "text"
    assert understanding["context"] == "none"
    assert understanding["intent"] == "search"
    assert 0 <= understanding["confidence"] <= 1
    assert understanding["slots"]["item"] == "t-shirt"
    assert understanding["slots"]["color"] == "black"


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "telegram", "customer_id": "u", "text": "hi"},
        {"platform": "messenger", "customer_id": "", "text": "hi"},
        {"platform": "messenger", "customer_id": "a b", "text": "hi"},
        {"platform": "messenger", "customer_id": "u"},
        {"platform": "messenger", "customer_id": "u", "text": 5},
        {"platform": "messenger", "customer_id": "u", "text": "x" * 5000},
        {"platform": "whatsapp", "customer_id": "u", "payload": "X", "kind": "postback"},
    ],
)
def test_simulate_refuses_bad_requests(client, services, body):
    response = simulate(client, **body)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert services.inbox.counts()["pending"] == 0


def test_simulate_needs_a_json_object(client):
    response = client.post("/admin/api/simulate", data="[]", content_type="application/json", headers=AUTH)
    assert response.status_code == 400


def test_status_reports_store_inbox_sender_and_alarms(client, services):
    services.alarms.raise_("whatsapp.invalid_token", "token expired")
    status = client.get("/admin/api/status", headers=AUTH).get_json()
    assert {"store", "inbox", "sender", "alarms", "outbox", "dead_letters"} <= set(status)
    assert status["inbox"]["pending"] == 0
    assert status["alarms"]["whatsapp.invalid_token"]["detail"] == "token expired"
    assert status["sender"]["mode"] == "console"


def kill(services, event: Event) -> int:
    services.inbox.accept([event])
    for _ in range(services.inbox.max_attempts):
        claimed = services.inbox.claim("test")
        services.inbox.fail(claimed.id, "boom", retry_in=0)
    return claimed.id


def test_dead_letters_are_listed_and_retried(client, services):
    event = Event(platform=Platform.MESSENGER, customer_id="u9", kind=Kind.TEXT, text="help", message_id="m_dead")
    event_id = kill(services, event)
    status = client.get("/admin/api/status", headers=AUTH).get_json()
    assert status["inbox"]["dead"] == 1
    [letter] = status["dead_letters"]
    assert (letter["id"], letter["text"], letter["last_error"]) == (event_id, "help", "boom")
    response = client.post(f"/admin/api/inbox/{event_id}/retry", headers=AUTH)
    assert response.get_json() == {"retried": True, "id": event_id}
    assert services.inbox.state_of(event.dedupe_key) == "pending"
    assert client.post(f"/admin/api/inbox/{event_id}/retry", headers=AUTH).status_code == 404


def make_order(services, key: str = "k1"):
    return services.orders.create(
        idempotency_key=key, platform="whatsapp", customer_id="201001234567", name="منى", phone="01001234567",
        governorate="القاهرة", address="شارع التحرير", shipping_fee=50,
        items=[{"product_id": 53, "name": "تيشيرت", "size": "L", "color": "اسود", "quantity": 2, "unit_price": 300}],
    )


def test_orders_list_detail_and_status_change(client, services):
    order = make_order(services)
    listed = client.get("/admin/api/orders", headers=AUTH).get_json()
    assert [o["number"] for o in listed["orders"]] == [order.number]
    assert "shipped" in listed["statuses"]
    detail = client.get(f"/admin/api/orders/{order.number}", headers=AUTH).get_json()
    assert (detail["total"], detail["items"][0]["quantity"]) == (650, 2)
    changed = client.post(f"/admin/api/orders/{order.number}/status", json={"status": "shipped"}, headers=AUTH)
    assert changed.get_json()["status"] == "shipped"
    assert services.orders.get(order.number).status == "shipped"
    assert client.get("/admin/api/orders?status=new", headers=AUTH).get_json()["orders"] == []
    assert len(client.get("/admin/api/orders?status=shipped", headers=AUTH).get_json()["orders"]) == 1


def test_order_errors(client, services):
    order = make_order(services)
    assert client.get("/admin/api/orders/DK-99999", headers=AUTH).status_code == 404
    assert client.post("/admin/api/orders/DK-99999/status", json={"status": "shipped"}, headers=AUTH).status_code == 404
    bad = client.post(f"/admin/api/orders/{order.number}/status", json={"status": "lost"}, headers=AUTH)
    assert bad.status_code == 400
    assert client.get("/admin/api/orders?status=lost", headers=AUTH).status_code == 400


def test_handoffs_are_listed_with_context_and_released(client, services):
    services.handoffs.open("messenger", "psid-7", "asked for a person", {"last_text": "عايز اكلم حد"})
    listed = client.get("/admin/api/handoffs", headers=AUTH).get_json()["handoffs"]
    assert [(h["customer_id"], h["context"]["last_text"]) for h in listed] == [("psid-7", "عايز اكلم حد")]
    assert conversation(client, "messenger", "psid-7")["handoff"]["reason"] == "asked for a person"
    body = {"platform": "messenger", "customer_id": "psid-7"}
    assert client.post("/admin/api/handoffs/release", json=body, headers=AUTH).get_json()["released"] is True
    assert not services.handoffs.active("messenger", "psid-7")
    assert client.post("/admin/api/handoffs/release", json=body, headers=AUTH).status_code == 404
    assert client.get("/admin/api/handoffs", headers=AUTH).get_json()["handoffs"] == []


def test_customers_lists_recent_sessions(client, services):
    simulate(client, platform="messenger", customer_id="psid-c", text="hi")
    services.workers.drain()
    customers = client.get("/admin/api/customers", headers=AUTH).get_json()["customers"]
    assert {"platform": "messenger", "customer_id": "psid-c"}.items() <= customers[0].items()


def test_simulate_is_refused_when_replies_would_really_be_sent(settings):
    from bot import create_app

    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__} | {"send_mode": "graph"}
    live = create_app(overrides, start_workers=False)
    client = live.test_client()
    response = simulate(client, platform="messenger", customer_id="u1", text="hi")
    assert response.status_code == 409
    assert "SEND_MODE=console" in response.get_json()["error"]
    assert live.extensions["dukkan"].inbox.counts()["pending"] == 0
    assert client.get("/admin/api/status", headers=AUTH).get_json()["send_mode"] == "graph"
