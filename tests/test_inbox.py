"""The durable inbox: dedupe, per-customer order, leases, dead workers and dead letters."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.events import Event, Kind, Platform
from bot.storage import Database
from bot.storage.inbox import DEAD, DONE, PENDING, Inbox, worker_name
from bot.storage.redis_inbox import RedisInbox
from tests.factories import Clock


def text(customer: str, mid: str, body: str = "hi") -> Event:
    return Event(Platform.MESSENGER, customer, Kind.TEXT, text=body, message_id=mid, raw={"mid": mid})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_inbox(tmp_path, clock, backend, request):
    """Opens the inbox of the backend under test; a second call is the same inbox after a restart."""
    if backend == "redis":
        import uuid

        import redis

        url, prefix = request.getfixturevalue("redis_url"), f"t{uuid.uuid4().hex[:12]}:"
        return lambda: RedisInbox(redis.Redis.from_url(url, decode_responses=True), prefix=prefix, clock=clock,
                                  max_attempts=3, lease_s=60)
    return lambda: Inbox(Database(tmp_path / "inbox.sqlite3"), clock=clock, max_attempts=3, lease_s=60)


@pytest.fixture
def inbox(open_inbox):
    return open_inbox()


def test_accept_recognises_repeated_delivery(inbox):
    first = inbox.accept([text("u1", "m1"), text("u1", "m2")])
    again = inbox.accept([text("u1", "m1")])
    assert (first.new, first.duplicates) == (2, 0)
    assert (again.new, again.duplicates) == (0, 1)
    assert inbox.counts()[PENDING] == 2


def test_dedupe_survives_a_restart(open_inbox):
    open_inbox().accept([text("u1", "m1")])
    assert open_inbox().accept([text("u1", "m1")]).duplicates == 1


def test_one_customer_is_handled_in_arrival_order_one_at_a_time(inbox):
    inbox.accept([text("u1", "m1", "first"), text("u1", "m2", "second"), text("u2", "m3", "other")])
    a = inbox.claim(worker_name("a"))
    b = inbox.claim(worker_name("b"))
    assert a.accepted_at == b.accepted_at == 1_700_000_000.0
    assert a.event.text == "first"
    assert b.event.text == "other"  # u1's second message waits for the first
    assert inbox.claim(worker_name("c")) is None
    inbox.complete(a.id)
    assert inbox.claim(worker_name("c")).event.text == "second"


def test_a_worker_whose_candidates_were_all_taken_by_others_looks_again(tmp_path, clock):
    """Workers read the same oldest candidates; one whose every candidate another worker took
    between its read and its update claims the next waiting event instead of going idle."""
    inbox = Inbox(Database(tmp_path / "race.sqlite3"), clock=clock)
    inbox.accept([text(f"u{n}", f"m{n}", f"event {n}") for n in range(1, 7)])
    stale = inbox._candidates(clock())  # read, then the other workers claim all four
    assert [inbox.claim(worker_name(f"other{n}")).event.text for n in range(4)] == [
        "event 1", "event 2", "event 3", "event 4"]
    reads = iter([stale])
    real = inbox._candidates
    inbox._candidates = lambda now: next(reads, None) or real(now)  # type: ignore[method-assign]
    assert inbox.claim(worker_name("late")).event.text == "event 5"


def test_failed_event_is_retried_later_then_becomes_a_dead_letter(inbox, clock):
    inbox.accept([text("u1", "m1")])
    for attempt in range(1, 4):
        claimed = inbox.claim(worker_name("a"))
        assert claimed is not None and claimed.attempt == attempt
        state = inbox.fail(claimed.id, "boom")
        assert inbox.claim(worker_name("a")) is None  # not due yet
        clock.now += 1000
    assert state == DEAD
    assert inbox.counts()[DEAD] == 1
    [letter] = inbox.dead_letters()
    assert letter["last_error"] == "boom"
    assert inbox.retry_dead(letter["id"])
    assert inbox.claim(worker_name("a")).event.message_id == "m1"


def test_waiting_for_the_graph_api_uses_up_no_attempt_however_long_it_lasts(inbox, clock):
    inbox.accept([text("u1", "m1", "first"), text("u1", "m2", "second")])
    for _ in range(3 * inbox.max_attempts):
        claimed = inbox.claim(worker_name("a"))
        assert claimed is not None and claimed.event.text == "first" and claimed.attempt == 1
        assert inbox.defer(claimed.id, "waiting for the Graph API", retry_in=60, owner=claimed.owner) == PENDING
        assert inbox.claim(worker_name("a")) is None, "not due yet, and the customer's next event waits behind it"
        clock.now += 60
    claimed = inbox.claim(worker_name("a"))
    assert inbox.fail(claimed.id, "a real crash", owner=claimed.owner) == PENDING, "real failures still count"
    clock.now += 1000
    again = inbox.claim(worker_name("a"))
    assert again.attempt == 2 and inbox.counts()[DEAD] == 0


def test_defer_by_a_worker_that_lost_the_event_changes_nothing(inbox, clock):
    inbox.accept([text("u1", "m1")])
    claimed = inbox.claim(worker_name("a"))
    inbox.complete(claimed.id)
    assert inbox.defer(claimed.id, "late", retry_in=5, owner=claimed.owner) == DONE
    assert inbox.counts()[DONE] == 1 and inbox.counts()[PENDING] == 0


def test_waiting_lists_customers_put_back_to_wait_oldest_first(inbox, clock):
    inbox.accept([text("u1", "m1")])
    clock.now += 1
    inbox.accept([text("u2", "m2"), text("u2", "m3"), text("u3", "m4")])
    assert inbox.waiting()["customers"] == 0, "nothing tried yet"
    for owner in ("a", "b"):
        claimed = inbox.claim(worker_name(owner))
        inbox.defer(claimed.id, "waiting for the Graph API", retry_in=30, owner=claimed.owner)
    found = inbox.waiting()
    assert found["customers"] == 2
    listed = [(item["customer_key"], item["events"]) for item in found["sample"]]
    assert listed == [("messenger:u1", 1), ("messenger:u2", 2)]
    assert found["sample"][0]["since"] == clock.now - 1
    assert inbox.waiting(limit=1)["customers"] == 2 and len(inbox.waiting(limit=1)["sample"]) == 1
    clock.now += 30
    claimed = inbox.claim(worker_name("a"))
    assert claimed.event.customer_id in ("u1", "u2")
    inbox.complete(claimed.id, owner=claimed.owner)
    left = {"u1": "messenger:u2", "u2": "messenger:u1"}[claimed.event.customer_id]
    assert [item["customer_key"] for item in inbox.waiting()["sample"]] == [left], "an answered customer waits no more"


def test_a_failing_event_holds_back_the_same_customers_later_events(inbox, clock):
    inbox.accept([text("u1", "m1", "first"), text("u1", "m2", "second")])
    claimed = inbox.claim(worker_name("a"))
    inbox.fail(claimed.id, "transient", retry_in=5)
    assert inbox.claim(worker_name("a")) is None
    clock.now += 5
    assert inbox.claim(worker_name("a")).event.text == "first"


def test_expired_lease_is_reclaimed(inbox, clock):
    inbox.accept([text("u1", "m1")])
    claimed = inbox.claim(worker_name("a"))
    assert inbox.recover() == 0
    clock.now += 61
    assert inbox.recover() == 1
    again = inbox.claim(worker_name("b"))
    assert (again.id, again.attempt) == (claimed.id, 2)


def test_event_held_by_a_dead_process_is_reclaimed_at_once(inbox):
    inbox.accept([text("u1", "m1")])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    owner = worker_name("t").rsplit(":", 2)[0] + f":{dead.stdout.strip()}:t"
    claimed = inbox.claim(owner)
    assert claimed is not None
    assert inbox.recover() == 1
    assert inbox.claim(worker_name("b")).id == claimed.id


def test_completed_events_are_forgotten_after_the_retry_horizon(inbox, clock, backend):
    inbox.accept([text("u1", "m1")])
    claimed = inbox.claim(worker_name("a"))
    inbox.complete(claimed.id)
    assert inbox.state_of(text("u1", "m1").dedupe_key) == DONE
    if backend == "redis":  # Redis forgets by itself: the event and its dedupe key expire
        ttl = inbox.r.ttl(inbox.p + f"event:{claimed.id}")
        assert 7 * 24 * 3600 < ttl <= 8 * 24 * 3600
        return
    clock.now += 9 * 24 * 3600
    assert inbox.prune() == 1


def test_counts_and_the_customers_own_events(inbox):
    inbox.accept([text("u1", "m1", "first"), text("u1", "m2", "second")])
    claimed = inbox.claim(worker_name("a"))
    assert inbox.counts() | {"done": 0} == {"pending": 1, "processing": 1, "done": 0, "dead": 0}
    assert inbox.unfinished("messenger:u1") == 2
    inbox.complete(claimed.id)
    assert [row["text"] for row in inbox.inbound("messenger:u1")] == ["first", "second"]
    assert [row["state"] for row in inbox.inbound("messenger:u1")] == ["done", "pending"]
    assert inbox.unfinished("messenger:u1") == 1


def test_a_stream_entry_left_by_a_vanished_consumer_is_reclaimed(redis_url, clock):
    """Redis: an entry read by a consumer on another host that never came back is taken over."""
    import uuid

    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    inbox = RedisInbox(client, prefix=f"t{uuid.uuid4().hex[:12]}:", clock=clock, lease_s=0)
    inbox.accept([text("u1", "m1")])
    assert inbox._entries("otherhost:1:worker")  # read into that consumer's pending list, then lost
    claimed = inbox.claim(worker_name("b"))
    assert claimed is not None and claimed.event.message_id == "m1"


def test_concurrent_deliveries_are_committed_together_and_each_learns_its_own_outcome(tmp_path):
    """SQLite group commit: 16 threads at once, half of them repeating a delivery."""
    import threading

    inbox = Inbox(Database(tmp_path / "group.sqlite3"))
    start = threading.Barrier(16)
    outcomes: dict[int, tuple[int, int]] = {}

    def deliver(n: int) -> None:
        start.wait()
        accepted = inbox.accept([text(f"u{n % 8}", f"m{n % 8}"), text(f"u{n}", f"own-{n}")])
        outcomes[n] = (accepted.new, accepted.duplicates)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(new for new, _ in outcomes.values()) == 8 + 16
    assert sum(dup for _, dup in outcomes.values()) == 8
    assert all(new >= 1 for new, _ in outcomes.values())  # each delivery's own event is new
    assert inbox.counts()["pending"] == 24


def test_a_failed_group_commit_fails_every_delivery_in_it(tmp_path, monkeypatch):
    import contextlib

    from bot.errors import StorageError

    inbox = Inbox(Database(tmp_path / "broken.sqlite3"))

    @contextlib.contextmanager
    def broken():
        raise StorageError("disk full")
        yield

    monkeypatch.setattr(inbox.db, "transaction", broken)
    with pytest.raises(StorageError):
        inbox.accept([text("u1", "m1")])


def test_an_event_that_keeps_killing_its_worker_becomes_a_dead_letter(inbox):
    """Its process dies every time (no fail() is ever recorded): after max_attempts it is buried."""
    inbox.accept([text("u1", "m-poison"), text("u1", "m-next", "after")])
    dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    owner = worker_name("t").rsplit(":", 2)[0] + f":{dead_pid.stdout.strip()}:t"
    for _ in range(inbox.max_attempts):
        assert inbox.claim(owner).event.message_id == "m-poison"
        assert inbox.recover() == 1
    assert inbox.claim(worker_name("b")).event.text == "after"
    assert inbox.counts()["dead"] == 1


def test_a_failed_commit_leaves_the_database_usable(tmp_path):
    from bot.errors import StorageError

    db = Database(tmp_path / "fk.sqlite3")
    db.connection().executescript(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"
    )
    with pytest.raises(StorageError, match="commit failed"):
        with db.transaction() as conn:
            conn.execute("INSERT INTO child VALUES (42)")  # checked only at COMMIT
    with db.transaction() as conn:
        conn.execute("INSERT INTO parent VALUES (42)")
    assert db.query_one("SELECT COUNT(*) FROM parent")[0] == 1


def test_a_redis_customer_is_never_stranded_by_an_old_announcement(redis_url, clock):
    """Worker A reads an old announcement (an empty queue); right after, a new event comes and
    worker B reads its announcement. The claim script looked and let go in one step, so A never
    holds the customer and B takes the new event (before, B found A's lock and dropped it)."""
    import uuid

    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    inbox = RedisInbox(client, prefix=f"t{uuid.uuid4().hex[:12]}:", clock=clock)
    inbox.r.xadd(inbox.p + "stream", {"customer": "messenger:u1"})  # an announcement with no event
    original = inbox._claim_head
    taken_by_b = []

    def claim_then_new_event(**kwargs):
        found = original(**kwargs)
        inbox._claim_head = original
        inbox.accept([text("u1", "m-new", "new")])
        taken_by_b.append(inbox.claim(worker_name("b")))  # B reads the new announcement
        return found

    inbox._claim_head = claim_then_new_event
    assert inbox.claim(worker_name("a")) is None  # A: the old announcement, an empty queue
    assert taken_by_b[0] is not None and taken_by_b[0].event.text == "new"
    assert inbox.r.get(inbox.p + "lock:messenger:u1") == worker_name("b")


def test_sqlite_prune_forgets_sessions_untouched_for_30_days(tmp_path) -> None:
    from bot.storage import sqlite_state
    from bot.storage.db import Database

    now = [1_000_000.0]
    state = sqlite_state(Database(str(tmp_path / "p.sqlite3")), clock=lambda: now[0])
    with state.transaction() as conn:
        state.sessions.save(conn, "whatsapp", "old", {"cart": [1]})
    now[0] += 20 * 24 * 3600
    with state.transaction() as conn:
        state.sessions.save(conn, "whatsapp", "recent", {"cart": [2]})
    now[0] += 11 * 24 * 3600
    state.prune()
    assert state.sessions.load("whatsapp", "old") == {}
    assert state.sessions.load("whatsapp", "recent") == {"cart": [2]}
