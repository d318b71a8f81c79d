"""Stock alerts: "tell me when L is back" is recorded once, told once when the store has it again,
and only inside the 24-hour window (else at the customer's next message).

Conversations go through the real webhook, inbox, dialog and renderers, on both platforms and both
backends (SQLite, Redis); ``Script`` stands in for the intent matcher (``stock_alert`` and its
slots). The store "changes" the way a real one does: its catalog gets new stock and the snapshot
is reloaded. Time moves through injected clocks, never by sleeping.
"""

from __future__ import annotations

import time

import pytest

from bot.errors import StoreUnavailable
from bot.storage.stock_alerts import KEEP_S
from tests.test_conversation_kit import Chat, Script, Understood, joined, payloads

PLATFORMS = ("messenger", "whatsapp")
CUSTOMER = {"messenger": "psid-waiting", "whatsapp": "201005550000"}
SOLD_OUT, IN_STOCK = 64, 3          # demo products: 64 (sizes S–XL, navy/burgundy/olive) has none left

LINES = {
    "عرفني لما L يرجع": Understood("stock_alert", {"size": "L"}),
    "tell me when it's back in L": Understood("stock_alert", {"size": "L"}, language="en"),
    "اول ما الكحلي ينزل عرفني": Understood("stock_alert", {"color": "navy"}),
    "عرفني لما XXL يرجع": Understood("stock_alert", {"size": "XXL"}),
    "عرفني لما يرجع": Understood("stock_alert"),
    "ازيك": Understood("greeting"),
}


class Later:
    """A clock ``offset_s`` ahead of now."""

    def __init__(self, offset_s: float) -> None:
        self.offset_s = offset_s

    def __call__(self) -> float:
        return time.time() + self.offset_s


@pytest.fixture
def script(services) -> Script:
    script = Script(LINES)
    services.dialog.deps.understand = script
    return script


def restock(services, product_id: int, count: int = 5) -> None:
    """The store gets ``count`` pieces of a product and the catalog snapshot refreshes."""
    row = next(row for row in services.store.backend._data["products"] if row["id"] == product_id)
    row["stock_quantity"] = count
    services.store._load()


def open_product(client, services, platform: str, product_id: int = SOLD_OUT) -> Chat:
    customer = Chat(client, services, platform, CUSTOMER[platform])
    customer.press(f"DETAILS:{product_id}")
    return customer


def alerts_of(services, platform: str) -> list:
    return services.alerts.for_customer(platform, CUSTOMER[platform])


# ---- recording -----------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_alert_is_recorded_once_for_the_product_in_focus(client, services, script, platform) -> None:
    customer = open_product(client, services, platform)
    saved = joined(customer.say("عرفني لما L يرجع"))
    assert "هبعتلك" in saved and "(L)" in saved
    again = joined(customer.say("عرفني لما L يرجع"))
    assert "مسجل خلاص" in again
    [alert] = alerts_of(services, platform)
    assert (alert.product_id, alert.size, alert.color, alert.lang) == (SOLD_OUT, "L", "", "ar")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_colour_alert_keeps_the_colour_and_english_is_answered_in_english(client, services, script,
                                                                            platform) -> None:
    customer = open_product(client, services, platform)
    customer.say("اول ما الكحلي ينزل عرفني")
    assert [(a.size, a.color) for a in alerts_of(services, platform)] == [("", "navy")]
    assert "I'll message you" in joined(customer.say("tell me when it's back in L"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_product_in_stock_is_offered_for_the_cart_instead(client, services, script, platform) -> None:
    customer = open_product(client, services, platform, IN_STOCK)
    answer = customer.say("عرفني لما يرجع")
    assert "متاح دلوقتي" in joined(answer) and f"ADD:{IN_STOCK}" in payloads(answer)
    assert alerts_of(services, platform) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_size_the_product_never_comes_in_is_not_recorded(client, services, script, platform) -> None:
    answer = joined(open_product(client, services, platform).say("عرفني لما XXL يرجع"))
    assert "مش بييجي مقاس XXL" in answer and "XL" in answer
    assert alerts_of(services, platform) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_without_a_product_the_customer_is_asked_which(client, services, script, platform) -> None:
    answer = joined(Chat(client, services, platform, CUSTOMER[platform]).say("عرفني لما L يرجع"))
    assert "أنهي منتج" in answer
    assert alerts_of(services, platform) == []


# ---- telling ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_alert_fires_once_when_the_product_is_back(client, services, script, platform) -> None:
    customer = open_product(client, services, platform)
    customer.say("عرفني لما L يرجع")
    assert services.stock_watch() == 0 and customer.sent() == []        # still sold out: nothing said
    restock(services, SOLD_OUT)
    assert services.stock_watch() == 1
    told = customer.sent()
    assert "رجع تاني" in joined(told) and f"DETAILS:{SOLD_OUT}" in payloads(told)
    assert platform == "whatsapp" or f"ADD:{SOLD_OUT}" in payloads(told)   # a WhatsApp list row opens the details
    assert services.stock_watch() == 0 and customer.sent() == []        # once
    assert "رجع تاني" not in joined(customer.say("ازيك"))
    assert alerts_of(services, platform) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_outside_the_window_it_waits_for_the_next_message(client, services, script, platform) -> None:
    customer = open_product(client, services, platform)
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)
    services.stock_watch.clock = Later(25 * 3600)                        # a day later: Meta forbids writing first
    assert services.stock_watch() == 0 and customer.sent() == []
    assert len(alerts_of(services, platform)) == 1
    answer = customer.say("ازيك")                                        # the customer writes again
    assert "رجع تاني" in joined(answer) and f"DETAILS:{SOLD_OUT}" in payloads(answer)
    services.stock_watch.clock = time.time
    assert services.stock_watch() == 0 and customer.sent() == []        # told once
    assert "رجع تاني" not in joined(customer.say("ازيك"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_customer_with_a_person_is_not_written_to(client, services, script, platform) -> None:
    customer = open_product(client, services, platform)
    customer.say("عرفني لما L يرجع")
    services.handoffs.open(platform, CUSTOMER[platform], "test", {})
    restock(services, SOLD_OUT)
    assert services.stock_watch() == 0 and customer.sent() == []
    services.handoffs.release(platform, CUSTOMER[platform])
    assert services.stock_watch() == 1


def test_alerts_are_checked_in_the_workers_housekeeping(client, services, script) -> None:
    customer = open_product(client, services, "whatsapp")
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)
    services.workers.housekeeping()
    assert "رجع تاني" in joined(customer.sent())


# ---- the store, on SQLite and Redis ----------------------------------------------------------------


def test_the_store_records_once_fires_once_and_forgets_old_alerts(services) -> None:
    alerts = services.alerts
    assert alerts.add("whatsapp", "2010", 64, "L", "", "ar") is True
    assert alerts.add("whatsapp", "2010", 64, "L", "", "ar") is False
    assert alerts.add("whatsapp", "2010", 64, "M", "", "en") is True
    assert alerts.add("messenger", "2010", 64, "L", "", "ar") is True
    first, second = alerts.for_customer("whatsapp", "2010")
    assert (first.size, second.size, second.lang) == ("L", "M", "en")
    assert [a.id for a in alerts.waiting()] == [first.id, second.id, alerts.for_customer("messenger", "2010")[0].id]
    assert alerts.fire(first.id) is True and alerts.fire(first.id) is False
    assert [a.id for a in alerts.for_customer("whatsapp", "2010")] == [second.id]
    assert alerts.add("whatsapp", "2010", 64, "L", "", "ar") is True      # asked again after it fired
    alerts.clock = Later(KEEP_S + 60)
    alerts.prune()
    assert alerts.waiting() == [] and alerts.for_customer("whatsapp", "2010") == []


def test_a_store_that_is_down_keeps_the_alerts_for_the_next_run(client, services, script, monkeypatch) -> None:
    customer = open_product(client, services, "messenger")
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)

    def down(product_id: int):
        raise StoreUnavailable("the store API is down")

    monkeypatch.setattr(services.store, "product", down)
    assert services.stock_watch() == 0 and customer.sent() == []
    monkeypatch.undo()
    assert services.stock_watch() == 1 and "رجع تاني" in joined(customer.sent())
