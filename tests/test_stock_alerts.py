"""Stock alerts: "tell me when L is back" is recorded once, told once when the store has it again,
and only inside the 24-hour window (else at the customer's next message).

Conversations go through the real webhook, inbox, dialog and renderers, on both platforms and both
backends (SQLite, Redis); ``Script`` stands in for the intent matcher (``stock_alert`` and its
slots). The store "changes" the way a real one does: its catalog gets new stock and the snapshot
is reloaded. Time moves through injected clocks, never by sleeping.
"""

from __future__ import annotations

import logging
import time

import pytest

from bot.channels.meta.graph import SendResult
from bot.errors import AuthError, StoreUnavailable, TransientSendError
from bot.replies import Outgoing
from bot.storage.stock_alerts import KEEP_S, AlertsFull
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


# ---- told once, delivered at least once: the outbox owns the message ------------------------------

OTHER_SOLD_OUT = 259                # a second sold-out demo product (sizes too)


class Outage:
    """A sender whose Graph API is down (503 after Meta's retries) until ``up`` is set."""

    def __init__(self, inner, error=None) -> None:
        self.inner = inner
        self.error = error or TransientSendError("HTTP 503", http_status=503)
        self.up = False
        self.tried = 0

    def send(self, out):
        if out.kind == "message" and not self.up:
            self.tried += 1
            return SendResult(ok=False, error=self.error)
        return self.inner.send(out)


def states(services, platform: str) -> list[str]:
    return [row["state"] for row in services.pipeline.outbox.conversation(platform, CUSTOMER[platform])
            if row["event_id"] is not None and row["event_id"] < 0]


@pytest.mark.parametrize("error", [TransientSendError("HTTP 503", http_status=503),
                                   AuthError("Session has expired", code=190, subcode=463)])
def test_an_alert_told_while_the_graph_api_is_down_is_sent_by_a_later_run(client, services, script, error) -> None:
    customer = open_product(client, services, "whatsapp")
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)
    outage = Outage(services.stock_watch.sender, error)
    services.stock_watch.sender = outage
    assert services.stock_watch() == 1 and outage.tried == 1
    assert states(services, "whatsapp") == ["pending"]                 # staged, not lost, not failed
    assert alerts_of(services, "whatsapp") == []                       # and told: never staged twice
    assert services.stock_watch() == 0 and states(services, "whatsapp") == ["pending"]   # still down
    outage.up = True
    assert services.stock_watch() == 0
    assert states(services, "whatsapp") == ["sent"]
    told = customer.sent()
    assert len(told) == 1 and "رجع تاني" in joined(told)                # one message, once
    services.stock_watch()
    assert states(services, "whatsapp") == ["sent"] and customer.sent() == []


def test_a_staged_alert_whose_window_closed_during_the_outage_is_given_up(client, services, script) -> None:
    customer = open_product(client, services, "messenger")
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)
    outage = Outage(services.stock_watch.sender)
    services.stock_watch.sender = outage
    services.stock_watch()
    outage.up = True
    services.stock_watch.clock = Later(25 * 3600)                       # the API came back a day later
    services.stock_watch()
    assert set(states(services, "messenger")) == {"failed"}
    assert outage.tried == 1                                            # never sent outside the window


def test_the_told_mark_and_the_staged_message_are_one_step(client, services, script, monkeypatch) -> None:
    customer = open_product(client, services, "messenger")
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)

    def disk_full(*args, **kwargs):
        raise RuntimeError("the outbox cannot be written")

    monkeypatch.setattr(services.pipeline.outbox, "stage", disk_full)
    with pytest.raises(RuntimeError):
        services.stock_watch()
    assert len(alerts_of(services, "messenger")) == 1                   # not marked told without its message
    monkeypatch.undo()
    assert services.stock_watch() == 1 and "رجع تاني" in joined(customer.sent())


def test_telling_is_all_or_nothing_and_only_once(client, services, script) -> None:
    Chat(client, services, "whatsapp", "2010").say("ازيك")
    alerts, outbox = services.alerts, services.pipeline.outbox
    alerts.add("whatsapp", "2010", SOLD_OUT, "M")
    alerts.add("whatsapp", "2010", SOLD_OUT, "L")
    first, second = alerts.for_customer("whatsapp", "2010")
    message = [Outgoing("whatsapp", "2010", {"text": {"body": "back"}})]
    assert alerts.fire(second.id) is True                               # the dialog told one meanwhile
    assert alerts.tell([first.id, second.id], -first.id, message, outbox) is False
    assert [a.id for a in alerts.for_customer("whatsapp", "2010")] == [first.id]   # nothing half done
    assert outbox.unsent(-first.id) == []
    assert alerts.tell([first.id], -first.id, message, outbox) is True
    assert alerts.tell([first.id], -first.id, message, outbox) is False  # a second host: never twice
    assert len(outbox.unsent(-first.id)) == 1 and outbox.unsent_keys() == [-first.id]


# ---- one message per customer ----------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_several_alerts_back_at_once_are_told_in_one_message(client, services, script, platform) -> None:
    customer = open_product(client, services, platform)
    for product_id, size in ((SOLD_OUT, "M"), (SOLD_OUT, "L"), (OTHER_SOLD_OUT, "")):
        services.alerts.add(platform, CUSTOMER[platform], product_id, size)
    restock(services, SOLD_OUT)
    restock(services, OTHER_SOLD_OUT)
    assert services.stock_watch() == 3
    rows = [row for row in services.pipeline.outbox.conversation(platform, CUSTOMER[platform])
            if row["event_id"] is not None and row["event_id"] < 0]
    assert len({row["event_id"] for row in rows}) == 1                  # one staged message
    assert len(rows) == (2 if platform == "messenger" else 1)           # Messenger: its text, then the carousel
    told = customer.sent()
    text = joined(told)
    assert "رجع تاني" in text and "(M)" in text and "(L)" in text
    assert services.store.product(OTHER_SOLD_OUT).name("ar") in text
    assert {f"DETAILS:{SOLD_OUT}", f"DETAILS:{OTHER_SOLD_OUT}"} <= set(payloads(told))
    assert payloads(told).count(f"DETAILS:{SOLD_OUT}") == 1            # a card per product, not per size
    assert alerts_of(services, platform) == []


def test_at_the_next_message_several_alerts_come_in_one_reply(client, services, script) -> None:
    customer = open_product(client, services, "whatsapp")
    services.alerts.add("whatsapp", CUSTOMER["whatsapp"], SOLD_OUT, "M")
    services.alerts.add("whatsapp", CUSTOMER["whatsapp"], OTHER_SOLD_OUT, "")
    restock(services, SOLD_OUT)
    restock(services, OTHER_SOLD_OUT)
    answer = customer.say("ازيك")
    lists = [body for body in answer if body.get("interactive", {}).get("type") == "list"
             and f"DETAILS:{SOLD_OUT}" in payloads([body])]
    assert len(lists) == 1 and f"DETAILS:{OTHER_SOLD_OUT}" in payloads(lists)


class LongName:
    """A product whose name goes on and on."""

    def __init__(self, product, words: int = 80) -> None:
        self._product, self._words = product, words

    def __getattr__(self, name):
        return getattr(self._product, name)

    def name(self, lang: str) -> str:
        return " ".join(["تيشيرت"] * self._words)


def test_the_one_message_stays_within_the_platform_limits(services) -> None:
    from bot.channels import limits, messenger, whatsapp
    from bot.dialog import alerts as alert_replies
    from bot.dialog.session import Session
    from bot.dialog.turn import Turn
    from bot.events import Event, Kind, Platform
    from bot.storage.stock_alerts import StockAlert

    product = services.store.product(SOLD_OUT)
    found = [(StockAlert(n, "whatsapp", "2010", SOLD_OUT, size), LongName(product))
             for n, size in enumerate(("S", "M", "L", "XL") * 3, start=1)]
    event = Event(Platform.WHATSAPP, "2010", Kind.TEXT)
    turn = Turn(event=event, session=Session(lang="ar"), deps=services.dialog.deps)
    [reply] = alert_replies.back(turn, found)
    assert limits.units(reply.text) <= limits.WHATSAPP_INTERACTIVE_BODY_MAX
    assert reply.text.startswith("رجع تاني") and "وكمان" in reply.text.splitlines()[-1]
    assert all(line.endswith("…") for line in reply.text.splitlines()[1:-1])    # names cut cleanly, at a word
    [out] = whatsapp.render(reply, "2010")                              # one WhatsApp message, no split head
    assert out.body["interactive"]["body"]["text"] == reply.text
    assert len(messenger.render(reply, "psid")) == 2                    # Messenger: one text and one carousel


# ---- every alert is checked; per-customer cap; expired ones are dropped ------------------------------


def test_alerts_are_paged_by_id_so_the_newest_are_reached(client, services, script) -> None:
    alerts = services.alerts
    for n in range(5):
        Chat(client, services, "whatsapp", f"20100000{n}").say("ازيك")
        alerts.add("whatsapp", f"20100000{n}", SOLD_OUT, "L")
    ids = [a.id for a in alerts.waiting()]
    pages, after = [], 0
    while page := alerts.waiting(limit=2, after_id=after):
        pages.append([a.id for a in page])
        after = page[-1].id
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    restock(services, SOLD_OUT)
    services.stock_watch.batch = 2
    assert services.stock_watch() == 5 and alerts.waiting() == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_customer_may_wait_for_ten_things_and_the_eleventh_is_answered_politely(client, services, script,
                                                                                  platform) -> None:
    sold_out = [13, 29, 35, 53, 87, 104, 157, 259, 279, 1]
    for product_id in sold_out:
        assert services.alerts.add(platform, CUSTOMER[platform], product_id, "") is True
    customer = open_product(client, services, platform)
    answer = joined(customer.say("عرفني لما L يرجع"))
    assert "١٠ تنبيهات" in answer and "هبعتلك" not in answer
    assert len(alerts_of(services, platform)) == 10
    assert services.alerts.add(platform, CUSTOMER[platform], 13, "") is False   # the same one: "already"


def test_the_cap_counts_waiting_alerts_only(services) -> None:
    alerts = services.alerts
    for product_id in range(1, 11):
        alerts.add("messenger", "psid-cap", product_id)
    with pytest.raises(AlertsFull) as full:
        alerts.add("messenger", "psid-cap", 11)
    assert full.value.count == 10
    first = alerts.for_customer("messenger", "psid-cap")[0]
    assert alerts.fire(first.id)
    assert alerts.add("messenger", "psid-cap", 11) is True               # told one: room for one more
    assert alerts.add("whatsapp", "psid-cap", 11) is True                 # another account's own ten


def test_an_alert_older_than_the_keep_is_dropped_with_a_log_line_not_sent(client, services, script, caplog) -> None:
    customer = open_product(client, services, "whatsapp")
    customer.say("عرفني لما L يرجع")
    restock(services, SOLD_OUT)
    services.alerts.clock = Later(KEEP_S + 60)
    Chat(client, services, "whatsapp", CUSTOMER["whatsapp"]).say("ازيك")  # window open: only the age stops it
    customer.sent()
    with caplog.at_level(logging.INFO, logger="bot.storage.stock_alerts"):
        assert services.stock_watch() == 0
    assert customer.sent() == [] and states(services, "whatsapp") == []
    assert any("dropped" in record.getMessage() and "never told" in record.getMessage() for record in caplog.records)
    services.alerts.clock = time.time
    assert alerts_of(services, "whatsapp") == []                        # gone, not just hidden
