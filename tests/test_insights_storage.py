"""The owner's insights and the staff's news in storage, on both backends (SQLite and Redis).

A turn's notes are kept by ``stage_turn`` with its replies, once; the funnel counts each day's
notes and the distinct customers of each stage; the customers' words are kept masked, bounded per
day, and dropped with their days; the staff feed is read after an id, bounded, and its deliveries
are leased to one notifier at a time. Time moves through an injected clock, never by sleeping.
"""

from __future__ import annotations

import pytest

from bot.notes import (
    CART_ADD,
    HANDOFF,
    MESSAGE,
    NO_RESULTS,
    NOT_UNDERSTOOD,
    ORDER,
    ORDER_CHANGE,
    PRODUCT_VIEW,
    SEARCH,
    STOCK_ALERT,
    Note,
    staff_news,
)
from bot.replies import Outgoing
from bot.services import staff_channels
from bot.storage import Database, open_stores
from bot.storage.insights import KEEP_DAYS, day_of, days_back
from bot.storage.redis_keys import keyspace
from bot.storage.staff_feed import PENDING, SENT
from tests.factories import Clock

DAY = 24 * 3600.0
NOON = 1_778_360_400.0 + 14 * 3600      # 2026-05-10, 14:00 in Cairo (UTC+3 in May)



@pytest.fixture
def clock() -> Clock:
    return Clock(NOON)


@pytest.fixture
def stores(settings, tmp_path, clock):
    channelled = settings.with_overrides(staff_webhook_url="https://staff.test/hook",
                                         staff_webhook_secret="s" * 32, staff_whatsapp="201001112222")
    return open_stores(channelled, Database(tmp_path / "insights.sqlite3"), clock,
                       staff_channels=staff_channels(channelled))


_events = iter(range(1, 10_000))


def turn(stores, customer: str, *notes: Note, platform: str = "whatsapp") -> bool:
    """Stage one turn (a reply and the notes) the way the pipeline does."""
    reply = Outgoing(platform, customer, {"text": {"body": "ok"}})
    return stores.state.stage_turn(next(_events), platform, customer, {"lang": "ar"}, [reply], None, notes=notes)


def steps(report) -> dict[str, tuple[int, int]]:
    return {step["key"]: (step["events"], step["customers"]) for step in report["steps"]}


def test_a_turns_notes_are_kept_with_its_replies_once(stores) -> None:
    event = next(_events)
    reply = [Outgoing("messenger", "psid-1", {"message": {"text": "؟"}})]
    notes = (Note(MESSAGE), Note(NOT_UNDERSTOOD, text="ممكن اعرف مواعيد الفرع"))
    assert stores.state.stage_turn(event, "messenger", "psid-1", {}, reply, None, notes=notes)
    assert not stores.state.stage_turn(event, "messenger", "psid-1", {}, reply, None, notes=notes)   # another worker
    report = stores.insights.funnel(7)
    assert steps(report)["customers"] == (1, 1)
    assert report["counts"][NOT_UNDERSTOOD] == 1
    [miss] = stores.insights.misses(7)
    assert (miss["kind"], miss["text"], miss["platform"]) == (NOT_UNDERSTOOD, "ممكن اعرف مواعيد الفرع", "messenger")


def test_the_funnel_counts_events_and_distinct_customers_per_stage(stores, clock) -> None:
    for customer in ("201000000001", "201000000002", "201000000003"):
        turn(stores, customer, Note(MESSAGE), Note(SEARCH))
    turn(stores, "201000000001", Note(MESSAGE), Note(SEARCH), Note(PRODUCT_VIEW, ref="53"))
    turn(stores, "201000000001", Note(MESSAGE), Note(CART_ADD, ref="53", amount=450))
    turn(stores, "201000000001", Note(MESSAGE), Note(ORDER, ref="DK-7K4QXE", amount=515, detail={"items": 1}))
    turn(stores, "psid-9", Note(MESSAGE), Note(HANDOFF, text="عايز اكلم حد", reason="asked"), platform="messenger")
    report = stores.insights.funnel(7)
    assert steps(report) == {"customers": (7, 4), "searches": (4, 3), "product_views": (1, 1), "carts": (1, 1),
                             "orders": (1, 1), "handoffs": (1, 1)}
    assert report["revenue"] == 515
    assert (report["days"], report["until"]) == (7, day_of(clock.now))


def test_seven_and_thirty_days_are_cairo_days_back_from_today(stores, clock) -> None:
    clock.now = NOON - 10 * DAY
    turn(stores, "201000000001", Note(MESSAGE), Note(ORDER, ref="DK-1", amount=100))
    clock.now = NOON - 3 * DAY
    turn(stores, "201000000002", Note(MESSAGE), Note(ORDER, ref="DK-2", amount=200))
    clock.now = NOON
    turn(stores, "201000000002", Note(MESSAGE))
    week, month = stores.insights.funnel(7), stores.insights.funnel(30)
    assert (steps(week)["customers"], week["revenue"]) == ((2, 1), 200)
    assert (steps(month)["customers"], month["revenue"]) == ((3, 2), 300)
    assert month["since"] == days_back(NOON, 30)[0]
    with pytest.raises(ValueError):
        stores.insights.funnel(KEEP_DAYS + 5)


def test_a_cairo_day_starts_at_cairo_midnight() -> None:
    assert day_of(1_778_360_400.0) == "2026-05-10"          # 00:00 in Cairo (UTC+3 in May)
    assert day_of(1_778_360_400.0 - 1) == "2026-05-09"


def test_phone_numbers_are_masked_before_the_words_are_kept(stores) -> None:
    turn(stores, "201001234567", Note(MESSAGE), Note(NOT_UNDERSTOOD, text="كلموني على 0100 123 4567 ضروري"))
    turn(stores, "201001234567", Note(NO_RESULTS, text="call +20 100 123 4567", reason="item=jeans"))
    kept = stores.insights.misses(7)
    assert [row["text"] for row in kept] == ["call [redacted]", "كلموني على [redacted] ضروري"]
    assert all("4567" not in row["text"] for row in kept)


def test_misses_are_newest_first_and_found_again_by_reference(stores) -> None:
    turn(stores, "psid-1", Note(NOT_UNDERSTOOD, text="اول"), platform="messenger")
    turn(stores, "psid-2", Note(HANDOFF, text="عايز حد", reason="asked"), platform="messenger")
    newest, oldest = stores.insights.misses(7)
    assert (newest["kind"], newest["reason"], oldest["text"]) == (HANDOFF, "asked", "اول")
    assert stores.insights.miss(oldest["ref"])["customer_id"] == "psid-1"
    assert stores.insights.miss("2026-05-10:999999") is None
    assert stores.insights.miss("not a ref") is None


def test_each_kind_keeps_the_newest_words_of_a_day_only(stores, clock) -> None:
    stores.insights.misses_per_day = 3
    for n in range(5):
        turn(stores, "psid-1", Note(NOT_UNDERSTOOD, text=f"سؤال {n}"), platform="messenger")
    turn(stores, "psid-1", Note(NO_RESULTS, text="شنطة سفر"), platform="messenger")
    clock.now += DAY
    turn(stores, "psid-1", Note(NOT_UNDERSTOOD, text="بكرة"), platform="messenger")
    texts = [row["text"] for row in stores.insights.misses(7)]
    assert texts == ["بكرة", "شنطة سفر", "سؤال 4", "سؤال 3", "سؤال 2"]
    assert stores.insights.funnel(7)["counts"][NOT_UNDERSTOOD] == 6     # the counts go on


def test_old_days_are_dropped(stores, clock) -> None:
    turn(stores, "psid-1", Note(MESSAGE), Note(NOT_UNDERSTOOD, text="قديم"), platform="messenger")
    clock.now += (KEEP_DAYS + 1) * DAY
    stores.insights.prune()
    turn(stores, "psid-2", Note(MESSAGE), platform="messenger")
    assert steps(stores.insights.funnel(30))["customers"] == (1, 1)
    assert stores.insights.misses(30) == []


def test_the_sqlite_prune_deletes_the_rows(tmp_path, clock) -> None:
    from bot.storage.insights import InsightStore

    db = Database(tmp_path / "prune.sqlite3")
    store = InsightStore(db, clock=clock)
    with db.transaction() as conn:
        store.record(conn, "messenger", "psid-1", [Note(MESSAGE), Note(NOT_UNDERSTOOD, text="x")])
    clock.now += (KEEP_DAYS + 1) * DAY
    store.prune()
    for table in ("insight_counts", "insight_reach", "insight_misses"):
        assert db.query_one(f"SELECT COUNT(*) FROM {table}")[0] == 0


@pytest.mark.parametrize("backend", ["redis"], indirect=True)     # SQLite keys are pruned, above
def test_the_redis_keys_expire_by_themselves(settings, stores, backend) -> None:
    assert settings.redis_url
    turn(stores, "psid-1", Note(MESSAGE), Note(NOT_UNDERSTOOD, text="x"), platform="messenger")
    client = stores.insights.r
    keys = client.keys(f"{keyspace(settings.redis_prefix)}insights:*:2026-*")
    assert keys and all(0 < client.ttl(key) <= (KEEP_DAYS + 1) * DAY for key in keys)


# ---- the staff's news --------------------------------------------------------------------------


def test_staff_news_is_read_after_an_id_in_order(stores) -> None:
    turn(stores, "201000000001", Note(MESSAGE), Note(ORDER, ref="DK-7K4QXE", amount=515, detail={"items": 2}))
    turn(stores, "201000000002", Note(STOCK_ALERT, ref="64", detail={"name": "Hoodie", "size": "L", "color": ""}))
    turn(stores, "201000000003", Note(SEARCH))                                     # no news
    first, second = stores.staff.since(0)
    assert (first["event"], first["summary"]) == ("order.placed", "New order DK-7K4QXE: 2 items, 515 EGP")
    assert first["customer"] == "whatsapp:…0001" and "201000000001" not in str(first)
    assert (second["event"], second["summary"]) == ("stock_alert.requested", "Stock alert requested: Hoodie (L)")
    assert stores.staff.since(first["id"]) == [second]
    assert stores.staff.since(second["id"]) == []
    assert stores.staff.recent(1) == [second]


def test_an_order_change_is_one_piece_of_news(stores) -> None:
    notes = [Note(ORDER_CHANGE, text="غيروا العنوان", ref="DK-7K4QXE"), Note(HANDOFF, reason="order_change")]
    assert [note.kind for note in staff_news(notes)] == [ORDER_CHANGE]
    turn(stores, "psid-1", *notes, platform="messenger")
    [news] = stores.staff.since(0)
    assert news["summary"] == "Change requested for order DK-7K4QXE: غيروا العنوان"


def test_the_feed_keeps_the_newest_events_only(stores) -> None:
    stores.staff.keep = 3
    for n in range(5):
        turn(stores, "psid-1", Note(HANDOFF, reason="asked", text=f"حد {n}"), platform="messenger")
    assert [event["text"] for event in stores.staff.since(0)] == ["حد 2", "حد 3", "حد 4"]


def test_deliveries_are_leased_to_one_notifier_and_settled(stores, clock) -> None:
    turn(stores, "psid-1", Note(ORDER, ref="DK-7K4QXE", amount=515), platform="messenger")
    claimed = stores.staff.claim(10, lease_s=60)
    assert sorted(d.channel for d in claimed) == ["webhook", "whatsapp"]
    assert all(d.attempts == 1 and d.event["ref"] == "DK-7K4QXE" for d in claimed)
    assert stores.staff.claim(10) == []                        # leased: no other notifier takes them
    webhook = next(d for d in claimed if d.channel == "webhook")
    whatsapp = next(d for d in claimed if d.channel == "whatsapp")
    stores.staff.settle(webhook, SENT)
    stores.staff.settle(whatsapp, PENDING, "HTTP 503", retry_at=clock.now + 30)
    clock.now += 31
    [again] = stores.staff.claim(10)
    assert (again.channel, again.attempts) == ("whatsapp", 2)
    clock.now += 61                                              # the lease ran out: taken again
    assert [d.channel for d in stores.staff.claim(10)] == ["whatsapp"]
    states = {row["channel"]: row["state"] for row in stores.staff.deliveries()}
    assert states == {"webhook": "sent", "whatsapp": "pending"}


def test_without_staff_channels_nothing_is_to_deliver(settings, tmp_path, clock) -> None:
    plain = open_stores(settings, Database(tmp_path / "plain.sqlite3"), clock)
    turn(plain, "psid-1", Note(ORDER, ref="DK-1", amount=1), platform="messenger")
    assert len(plain.staff.since(0)) == 1
    assert plain.staff.claim(10) == []
