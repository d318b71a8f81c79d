"""The SQLite inbox's claim looks at the oldest due events first, and at all of them when those are held back."""

from __future__ import annotations

from bot.events import Event, Kind, Platform
from bot.storage import Database
from bot.storage.inbox import CLAIM_WINDOW, DONE, Inbox, worker_name
from tests.factories import Clock


def text(customer: str, mid: str) -> Event:
    return Event(Platform.MESSENGER, customer, Kind.TEXT, text="hi", message_id=mid, raw={"mid": mid})


def test_an_event_behind_a_long_queue_of_a_busy_customer_is_still_claimed(tmp_path) -> None:
    inbox = Inbox(Database(tmp_path / "inbox.sqlite3"), clock=Clock())
    inbox.accept([text("busy", f"b{n}") for n in range(CLAIM_WINDOW + 5)])
    inbox.accept([text("other", "o1")])
    first = inbox.claim(worker_name("w1"))
    assert first is not None and first.event.message_id == "b0"   # the busy customer's others wait behind it

    second = inbox.claim(worker_name("w2"))
    assert second is not None and second.event.message_id == "o1"
    assert inbox.claim(worker_name("w3")) is None, "nothing else is free while b0 and o1 are in hand"

    assert inbox.complete(first.id, owner=first.owner)
    third = inbox.claim(worker_name("w3"))
    assert third is not None and third.event.message_id == "b1"   # arrival order within a customer


def test_a_deep_backlog_is_claimed_oldest_first_one_customer_at_a_time(tmp_path) -> None:
    inbox = Inbox(Database(tmp_path / "inbox.sqlite3"), clock=Clock())
    inbox.accept([text(f"c{n % 7}", f"m{n}") for n in range(3 * CLAIM_WINDOW)])
    order = []
    while (claimed := inbox.claim(worker_name("w"))) is not None:
        order.append(claimed.event.message_id)
        inbox.complete(claimed.id, owner=claimed.owner)
    assert order == [f"m{n}" for n in range(3 * CLAIM_WINDOW)]
    assert inbox.counts()[DONE] == 3 * CLAIM_WINDOW
