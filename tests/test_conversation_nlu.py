"""Whole conversations with the real intent matcher, and the store API budget per customer message.

The budget test runs a scripted conversation against the BWW backend simulated with ``responses``
and counts the store's own ``api_calls``: after warm-up, at most one call per customer message on
average.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
import responses

from bot import create_app
from tests.test_conversation_kit import Chat, ids_of, joined, payloads, rows, texts

BASE = "https://api.test/api/v1"
PAGE = json.loads((Path(__file__).parent / "payloads/store/bww_filter_products_page1_en.json").read_text("utf-8"))


def test_arabic_conversation_from_search_to_the_cart(client, services) -> None:
    fb = Chat(client, services, "messenger", "psid-ar")
    assert texts(fb.say("السلام عليكم"))[0].startswith("أهلاً وسهلاً في دولاب")
    shown = ids_of(payloads(fb.say("عايز هودي اسود")), "DETAILS")
    assert len(shown) >= 2
    second = services.store.product(shown[1])
    assert joined(fb.say("التاني بكام")).startswith(f"{second.name_ar}: ")
    assert ids_of(payloads(fb.say("ارخص")), "DETAILS")
    compared = fb.say("قارن الاول والتاني")
    assert "الأرخص:" in joined(compared)
    fb.press(f"DETAILS:{shown[0]}")
    asked = fb.say("ضيف ده")
    product = services.store.product(shown[0])
    assert f"ADD:{product.id}:{product.sizes[0]}:" in payloads(asked)


def test_franco_conversation_on_whatsapp(client, services) -> None:
    wa = Chat(client, services, "whatsapp", "201221234567")
    listed = rows(wa.say("3ayez jeans azra2"))
    assert listed and all(r["id"].startswith("DETAILS:") for r in listed)
    second = services.store.product(int(listed[1]["id"].split(":")[1]))
    answer = wa.say("el tany b kam?")
    assert answer[0]["interactive"]["body"]["text"].startswith(f"{second.name_ar}: ")
    assert joined(wa.say("sha7n l alex b kam")).startswith("الشحن لمحافظة الإسكندرية")


def test_english_conversation_with_a_hand_off(client, services) -> None:
    fb = Chat(client, services, "messenger", "psid-en")
    assert texts(fb.say("hi"))[0].startswith("Welcome to Dolab")
    found = fb.say("black sneakers size 42")
    assert texts(found)[0].startswith("I found ")
    assert texts(fb.say("I want to talk to a real person"))[0].startswith("Sure, a teammate will reply")
    assert fb.say("hello?") == []


# ---- the store API budget ------------------------------------------------------------------------


def _catalog() -> dict:
    return {"status": 200, "message": "", "data": {**PAGE["data"], "total_pages": 1}}


@pytest.fixture
def bww_app(settings):
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    overrides |= {"store_backend": "bww", "store_api_url": BASE, "store_api_key": "k"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(f"{BASE}/filter-products", json=_catalog())
        for product in PAGE["data"]["products"]:
            mock.get(f"{BASE}/product-details/{product['id']}", json={"status": 200, "message": "", "data": product})
        app = create_app(overrides, start_workers=False)
        yield app
        app.extensions["dukkan"].workers.stop()


def test_store_api_calls_per_message_after_warm_up(bww_app) -> None:
    services = bww_app.extensions["dukkan"]
    chat = Chat(bww_app.test_client(), services, "messenger", "psid-budget")
    first = PAGE["data"]["products"][0]["id"]
    second = PAGE["data"]["products"][1]["id"]
    steps = [
        lambda: chat.say("عايز بيجامة"),
        lambda: chat.press(f"DETAILS:{first}"),
        lambda: chat.say("بكام ده"),
        lambda: chat.press(f"ADD:{first}"),
        lambda: chat.tap(f"COMPARE:{first},{second}"),
        lambda: chat.say("polo"),
        lambda: chat.tap("OFFERS"),
        lambda: chat.tap("CATEGORIES"),
        lambda: chat.say("sha7n l alex b kam"),
        lambda: chat.tap("CART"),
    ]
    counts = []
    for step in steps * 2:
        before = services.store.status()["api_calls"]
        assert step(), "every message is answered"
        counts.append(services.store.status()["api_calls"] - before)
    warm = counts[len(steps):]
    print(f"store API calls per message: first pass {counts[:len(steps)]}, after warm-up {warm}")
    assert statistics.mean(warm) <= 1.0, counts
    assert sum(counts[:len(steps)]) >= 1                   # the catalog really came from the API
