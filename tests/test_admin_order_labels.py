"""The console's Orders view shows labels, not keys: governorate and colour names in the staff's
language (``?lang=en|ar``, the console's own), sizes as written (issue 14, part 5).

The API returns the labels beside the stored keys; console.js shows the labels.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.dialog.texts import COLORS
from bot.web.order_labels import color_label, governorate_label, labelled
from tests.test_checkout import to_summary
from tests.test_conversation_kit import Chat, payloads

AUTH = {"Authorization": "Bearer admin-test-token"}
CONSOLE_JS = Path(__file__).resolve().parent.parent / "bot" / "web" / "static" / "console.js"
ITEMS = [
    {"product_id": 53, "name": "هودي ولادي", "size": "XL", "color": "light blue", "quantity": 1, "unit_price": 300},
    {"product_id": 405, "name": "Men's Leather Sneakers", "size": "42", "color": "burgundy", "quantity": 1,
     "unit_price": 900},
    {"product_id": 3, "name": "شنطة يد جلد حريمي", "size": "One Size", "color": "", "quantity": 1, "unit_price": 1299},
    {"product_id": 9, "name": "Shop's own", "size": "M", "color": "Mint Green", "quantity": 1, "unit_price": 100},
]


def make_order(services, governorate: str = "cairo", key: str = "labels-1"):
    return services.orders.create(
        idempotency_key=key, platform="whatsapp", customer_id="201001234567", name="منى", phone="01001234567",
        governorate=governorate, address="شارع التحرير", shipping_fee=50, items=ITEMS,
    )


def get(client, url: str, **params):
    response = client.get(url, query_string=params, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("lang", "governorate", "colors"), [
    ("en", "Cairo", ["Light blue", "Burgundy", "", "Mint Green"]),
    ("ar", "القاهرة", ["لبني", "نبيتي", "", "Mint Green"]),
])
def test_order_detail_and_list_carry_labels_in_the_staff_language(client, services, lang, governorate, colors):
    order = make_order(services)
    detail = get(client, f"/admin/api/orders/{order.number}", lang=lang)
    assert (detail["governorate"], detail["governorate_label"]) == ("cairo", governorate)
    assert [item["color_label"] for item in detail["items"]] == colors
    assert [item["size_label"] for item in detail["items"]] == ["XL", "42", "One Size", "M"]
    assert [item["color"] for item in detail["items"]] == [item["color"] for item in ITEMS]  # keys kept
    [listed] = get(client, "/admin/api/orders", lang=lang)["orders"]
    assert listed["governorate_label"] == governorate
    assert [item["color_label"] for item in listed["items"]] == colors


def test_labels_default_to_english_and_a_status_change_answers_with_them(client, services):
    order = make_order(services, governorate="alexandria")
    assert get(client, f"/admin/api/orders/{order.number}")["governorate_label"] == "Alexandria"
    changed = client.post(f"/admin/api/orders/{order.number}/status?lang=ar", json={"status": "shipped"}, headers=AUTH)
    assert changed.status_code == 200
    assert (changed.get_json()["status"], changed.get_json()["governorate_label"]) == ("shipped", "الإسكندرية")


def test_an_unknown_language_is_refused(client, services):
    order = make_order(services)
    assert client.get("/admin/api/orders?lang=fr", headers=AUTH).status_code == 400
    assert client.get(f"/admin/api/orders/{order.number}?lang=de", headers=AUTH).status_code == 400


def test_every_shipping_zone_of_the_profile_is_labelled(client, services):
    """Orders store the zone keys the dialog uses: none of them reaches the staff as a key."""
    info = services.store.info()
    for row in info.governorates:
        order = make_order(services, governorate=row.key, key=f"gov-{row.key}")
        detail = get(client, f"/admin/api/orders/{order.number}", lang="en")
        assert detail["governorate_label"] == row.name_en
        assert get(client, f"/admin/api/orders/{order.number}", lang="ar")["governorate_label"] == row.name_ar
    assert get(client, f"/admin/api/orders/{make_order(services, 'other', 'o').number}")["governorate_label"] == (
        "Other governorates")


def test_an_order_placed_in_arabic_reads_in_english_in_the_console(client, services):
    """A customer's checkout (Arabic, on Messenger) seen by English-speaking staff: names, not keys."""
    chat = Chat(client, services, "messenger", "psid-labels")
    confirm = next(p for p in payloads(to_summary(chat, services)) if p.startswith("CONFIRM:"))
    chat.press(confirm, "تأكيد ✅")
    [order] = services.orders.by_customer("messenger", "psid-labels")
    [item] = order.items
    assert order.governorate == "cairo" and item["color"] in COLORS
    detail = get(client, f"/admin/api/orders/{order.number}", lang="en")
    assert detail["governorate_label"] == "Cairo"
    assert detail["items"][0]["color_label"] == COLORS[item["color"]][1]
    assert detail["items"][0]["size_label"] == item["size"]
    arabic = get(client, f"/admin/api/orders/{order.number}", lang="ar")
    assert (arabic["governorate_label"], arabic["items"][0]["color_label"]) == ("القاهرة", COLORS[item["color"]][0])


def test_label_helpers_keep_what_they_do_not_know(services):
    info = services.store.info()
    assert governorate_label("giza", "en", info) == "Giza"
    assert governorate_label("الجيزة", "en", info) == "Giza"          # a name stored as written
    assert governorate_label("Atlantis", "en", info) == "Atlantis"
    assert governorate_label("cairo", "en", None) == "cairo"            # no profile: as stored
    assert color_label("light blue", "ar") == "لبني" and color_label("Light Blue", "en") == "Light blue"
    assert color_label("زيتوني غامق", "en") == "زيتوني غامق"
    assert labelled({"governorate": "", "items": []}, "en", info)["governorate_label"] == ""


def test_console_js_shows_the_labels_in_the_console_language():
    """The Orders view (table and detail) reads the labels and asks for the page's language."""
    script = CONSOLE_JS.read_text("utf-8")
    start = script.index("// ---- orders")
    orders = script[start:script.index("async function changeStatus", start)]
    assert 'document.documentElement.lang === "ar" ? "ar" : "en"' in orders
    assert orders.count("?lang=") == 2                                   # the list and the detail
    assert orders.count("order.governorate_label || order.governorate") == 2
    assert "item.color_label || item.color" in orders and "item.size_label || item.size" in orders
    assert not re.search(r"text: (order\.governorate|item\.color) [}]", orders)  # never a bare key
