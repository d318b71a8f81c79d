"""The SQLite funnel's bound on distinct customers per day and stage, kept without counting the day's rows."""

from __future__ import annotations

from bot.notes import MESSAGE, SEARCH, Note
from bot.storage import Database
from bot.storage.insights import InsightStore
from tests.factories import Clock

NOON = 1_778_360_400.0 + 14 * 3600      # 2026-05-10, 14:00 in Cairo
DAY = 24 * 3600.0


def record(db: Database, insights: InsightStore, customer: str, *notes: Note) -> None:
    with db.transaction() as conn:
        insights.record(conn, "whatsapp", customer, list(notes))


def customers(report) -> dict[str, int]:
    return {step["key"]: step["customers"] for step in report["steps"]}


def test_a_days_stage_stops_counting_new_customers_at_the_bound_and_its_counts_go_on(tmp_path) -> None:
    clock = Clock(NOON)
    db = Database(tmp_path / "insights.sqlite3")
    insights = InsightStore(db, clock=clock, reach_per_day=2)
    for customer in ("201000000001", "201000000002", "201000000003", "201000000001"):
        record(db, insights, customer, Note(MESSAGE), Note(SEARCH))
    report = insights.funnel(7)
    assert customers(report)["customers"] == 2 and customers(report)["searches"] == 2
    assert report["counts"] == {MESSAGE: 4, SEARCH: 4}, "the bound's own tally is in no report"
    assert db.query_one("SELECT COUNT(*) FROM insight_reach")[0] == 4   # two stages, two customers each

    clock.now += DAY   # a new day counts from nothing
    record(db, insights, "201000000003", Note(MESSAGE))
    assert customers(insights.funnel(7))["customers"] == 3
    assert customers(insights.funnel(1))["customers"] == 1


def test_a_customer_counted_again_the_same_day_is_not_counted_twice_towards_the_bound(tmp_path) -> None:
    db = Database(tmp_path / "insights.sqlite3")
    insights = InsightStore(db, clock=Clock(NOON), reach_per_day=2)
    for _ in range(3):
        record(db, insights, "201000000001", Note(MESSAGE))
    record(db, insights, "201000000002", Note(MESSAGE))
    assert customers(insights.funnel(7))["customers"] == 2
