"""The worker pool: acknowledgements first, but no event waits for ever behind them."""

from __future__ import annotations

import threading
import time

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
