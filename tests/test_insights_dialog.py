"""The dialog notes what it did where it did it, and the pipeline keeps the notes with the replies.

Conversations go through the real webhook, inbox, dialog and renderers on both backends; ``Script``
stands in for the intent matcher, so what is tested is which note each answer writes (never read
back from the replies): "I didn't get that", searches with and without results, product views,
cart lines, orders, cancellations, order changes, stock alerts and hand-offs with their reason.
"""

from __future__ import annotations

import pytest

from bot.dialog import Dialog
from bot.events import Event, Kind, Platform
from bot.notes import (
    CART_ADD,
    HANDOFF,
    MESSAGE,
    NO_RESULTS,
    NOT_UNDERSTOOD,
    ORDER,
    PRODUCT_VIEW,
    SEARCH,
    Answer,
    notes_of,
)
from tests.test_checkout import hoodie, to_summary
from tests.test_conversation_kit import Chat, Script, Understood, payloads
from tests.test_placed_orders import LINES as ORDER_LINES
from tests.test_placed_orders import place

PLATFORMS = ("messenger", "whatsapp")
CUSTOMER = {"messenger": "psid-notes", "whatsapp": "201001234567"}
LINES = ORDER_LINES | {
    "عايز تيشيرت اسود": Understood("search", {"item": "t-shirt", "color": "black"}),
    "عايز فستان بنفسجي بعشرة جنيه": Understood("search", {"item": "dress", "color": "purple", "price_max": 10}),
    "عايز اكلم حد": Understood("human_handoff"),
    "عرفني لما L يرجع": Understood("stock_alert", {"size": "L"}),
}
SOLD_OUT = 64          # a demo product with no stock left


@pytest.fixture
def script(services) -> Script:
    script = Script(LINES)
    services.dialog.deps.understand = script
    return script


def chat(client, services, platform: str) -> Chat:
    return Chat(client, services, platform, CUSTOMER[platform])


def counts(services) -> dict[str, int]:
    return services.insights.funnel(7)["counts"]


def misses(services, kind: str) -> list[dict]:
    return [row for row in services.insights.misses(7) if row["kind"] == kind]


def news(services) -> list[dict]:
    return services.staff_feed.since(0)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_i_didnt_get_that_is_noted_with_the_customers_words(client, services, script, platform) -> None:
    chat(client, services, platform).say("ازاي اعمل مرتجع لحاجة اشتريتها من الفرع")
    [miss] = misses(services, NOT_UNDERSTOOD)
    assert (miss["text"], miss["platform"], miss["customer_id"]) == (
        "ازاي اعمل مرتجع لحاجة اشتريتها من الفرع", platform, CUSTOMER[platform])
    assert counts(services) == {MESSAGE: 1, NOT_UNDERSTOOD: 1}
    assert news(services) == []


def test_a_search_is_noted_and_one_with_nothing_found_keeps_its_words(client, services, script) -> None:
    customer = chat(client, services, "messenger")
    customer.say("عايز تيشيرت اسود")
    assert counts(services) == {MESSAGE: 1, SEARCH: 1}
    customer.say("عايز فستان بنفسجي بعشرة جنيه")
    [miss] = misses(services, NO_RESULTS)
    assert miss["text"] == "عايز فستان بنفسجي بعشرة جنيه"
    assert "price_max=10" in miss["reason"]
    assert counts(services) == {MESSAGE: 2, SEARCH: 2, NO_RESULTS: 1}
    customer.tap("MORE:xyz")      # another page of a list is no new search
    assert counts(services)[SEARCH] == 2


def test_views_cart_lines_and_an_order_are_noted_with_the_revenue(client, services, script) -> None:
    customer = chat(client, services, "messenger")
    summary = to_summary(customer, services)
    confirm = next(p for p in payloads(summary) if p.startswith("CONFIRM:"))
    customer.press(confirm)
    [order] = services.orders.by_customer("messenger", CUSTOMER["messenger"])
    noted = counts(services)
    assert (noted[PRODUCT_VIEW], noted[CART_ADD], noted[ORDER], noted["revenue"]) == (1, 1, 1, order.total)
    [placed] = news(services)
    assert (placed["event"], placed["ref"], placed["amount"]) == ("order.placed", order.number, order.total)
    customer.press(confirm)       # the same confirmation again: no second order, no second note
    assert counts(services)[ORDER] == 1 and len(news(services)) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hand_offs_are_noted_with_their_reason(client, services, script, platform) -> None:
    chat(client, services, platform).say("عايز اكلم حد")
    services.handoffs.release(platform, CUSTOMER[platform])
    chat(client, services, platform).tap("HUMAN", "كلم حد")
    typed, pressed = sorted(misses(services, HANDOFF), key=lambda row: row["created_at"])
    assert (typed["reason"], typed["text"]) == ("asked", "عايز اكلم حد")
    assert (pressed["reason"], pressed["text"]) == ("asked", "")          # a button's title is not their words
    assert [event["event"] for event in news(services)] == ["handoff.opened", "handoff.opened"]


def test_a_customer_writing_during_a_hand_off_is_still_counted(client, services, script) -> None:
    customer = chat(client, services, "whatsapp")
    customer.say("عايز اكلم حد")
    customer.say("انتو فين؟")            # a person handles them: the bot is quiet
    assert counts(services)[MESSAGE] == 2
    assert misses(services, NOT_UNDERSTOOD) == []


def test_a_cancel_and_a_change_are_news_for_the_staff(client, services, script) -> None:
    first, second = place(services, "messenger", "a"), place(services, "messenger", "b")
    buyer = Chat(client, services, "messenger", "psid-buyer")
    buyer.tap(f"CANCEL_ASK:{first.number}")
    buyer.tap(f"CANCEL_ORDER:{first.number}")
    buyer.say("عايز اغير العنوان في الطلب لمدينة نصر")
    cancelled, change = news(services)
    assert (cancelled["event"], cancelled["ref"]) == ("order.cancelled", first.number)
    assert (change["event"], change["ref"]) == ("order.change_requested", second.number)
    assert change["text"] == "عايز اغير العنوان في الطلب لمدينة نصر"
    [handed] = misses(services, HANDOFF)             # the change is a hand-off too, told once
    assert handed["reason"] == "order_change"


def test_a_stock_alert_request_is_news_for_the_staff(client, services, script) -> None:
    customer = chat(client, services, "whatsapp")
    customer.press(f"DETAILS:{SOLD_OUT}")
    customer.say("عرفني لما L يرجع")
    customer.say("عرفني لما L يرجع")                # already waiting: no second piece of news
    [alert] = news(services)
    assert alert["event"] == "stock_alert.requested" and alert["ref"] == str(SOLD_OUT)
    assert alert["detail"]["size"] == "L" and "(L)" in alert["summary"]


# ---- the dialog's answer carries its notes ------------------------------------------------------


def _event(kind: Kind, value: str) -> Event:
    return Event(platform=Platform.MESSENGER, customer_id="p-1", kind=kind, message_id="m-1",
                 text=value if kind is Kind.TEXT else "", payload=value if kind is Kind.PAYLOAD else "")


def test_the_answer_unpacks_as_before_and_carries_the_notes(services) -> None:
    dialog = Dialog(store=services.store, understand=Script())
    answer = dialog.handle(_event(Kind.TEXT, "zzz qqq"), {})
    replies, session = answer
    assert isinstance(answer, Answer) and replies and session
    assert [note.kind for note in notes_of(answer)] == [MESSAGE, NOT_UNDERSTOOD]
    assert notes_of((replies, session)) == ()


def test_a_failed_turn_keeps_only_that_the_customer_wrote(services, monkeypatch) -> None:
    from bot.dialog import browse

    def broken(turn, product_id):
        turn.note(PRODUCT_VIEW, ref=str(product_id))
        raise RuntimeError("a bug")

    monkeypatch.setattr(browse, "details", broken)
    dialog = Dialog(store=services.store, understand=Script())
    answer = dialog.handle(_event(Kind.PAYLOAD, f"DETAILS:{hoodie(services).id}"), {})
    assert [note.kind for note in notes_of(answer)] == [MESSAGE]


def test_the_housekeeping_prunes_the_insights_and_the_news(client, services, script, settings) -> None:
    import time

    from bot.storage.insights import KEEP_DAYS

    chat(client, services, "messenger").say("عايز اكلم حد")
    later = time.time() + (KEEP_DAYS + 2) * 24 * 3600
    services.insights.clock = services.staff_feed.clock = lambda: later
    services.workers.housekeeping()
    assert services.insights.misses(30) == [] and services.insights.funnel(30)["counts"] == {}
    assert news(services) == []
    if not settings.redis_url:                   # SQLite deletes the rows; Redis keys expire by themselves
        for table in ("insight_counts", "insight_reach", "insight_misses", "staff_events"):
            assert services.db.query_one(f"SELECT COUNT(*) FROM {table}")[0] == 0, table
