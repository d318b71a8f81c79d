"""The worker pool: acknowledgements first, but no event waits for ever behind them."""

from __future__ import annotations

import threading
import time

from bot.errors import WaitForGraph
from bot.events import Event, Kind, Platform
from bot.storage import Database
from bot.storage.inbox import Inbox
from bot.workers import WorkerPool


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.01)
    return True


def test_workers_let_acknowledgements_pass_but_never_starve(tmp_path):
    inbox = Inbox(Database(tmp_path / "w.sqlite3"))
    handled: list[str] = []
    pool = WorkerPool(inbox, lambda claimed: handled.append(claimed.event.text), threads=1, poll_s=0.01)
    pool.start()
    try:
        with pool.acknowledging():  # a webhook request in flight the whole time
            inbox.accept([Event(Platform.MESSENGER, "u1", Kind.TEXT, text="hi", message_id="m1")])
            pool.wake()
            assert wait_for(lambda: handled == ["hi"]), "a worker waited for ever behind acknowledgements"
    finally:
        pool.stop()


def test_waiting_for_the_graph_api_is_no_failed_attempt_but_a_crash_is(tmp_path):
    now = [1_700_000_000.0]
    inbox = Inbox(Database(tmp_path / "w.sqlite3"), clock=lambda: now[0], max_attempts=2)
    outcomes: list[BaseException] = [WaitForGraph("Graph API down", delay=30.0)] * 5 + [RuntimeError("dialog bug")] * 2
    seen: list[int] = []

    def handler(claimed) -> None:
        seen.append(claimed.attempt)
        raise outcomes[len(seen) - 1]

    pool = WorkerPool(inbox, handler, threads=1)
    inbox.accept([Event(Platform.MESSENGER, "u1", Kind.TEXT, text="hi", message_id="m1")])
    while len(seen) < len(outcomes):
        assert pool.run_once(), "the event was not due after its wait"
        assert not pool.run_once(), "retried before its wait was over"
        now[0] += 30.0
    assert seen == [1, 1, 1, 1, 1, 1, 2], "waits use up no attempt, crashes do"
    assert inbox.counts()["dead"] == 1
    assert "dialog bug" in inbox.dead_letters()[0]["last_error"]
