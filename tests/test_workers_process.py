"""Inbox workers in their own processes (``python -m bot work``, :func:`bot.workers.run_worker_process`).

A web app with ``WORKERS_IN_WEB=false`` only accepts; a real worker process answers what it
accepted: beside it on SQLite (woken through the FIFO), or as another host sharing one Redis. A
worker killed with SIGKILL mid-turn leaves its event to the next worker, answered once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot import create_app
from bot.config import Settings
from tests.conftest import TEST_SECRET
from tests.factories import messenger_text, post_signed
from tests.fake_graph import FakeGraph

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 60.0
# A worker process that believes it runs on another machine: its claims name that host.
AS_ANOTHER_HOST = (
    "import socket, sys; socket.gethostname = lambda: 'host-b';"
    " from bot.__main__ import main; sys.exit(main(['work']))"
)


def until(probe: Callable[[], Any], what: str, why: Callable[[], str] = str) -> Any:
    """``probe()`` until it gives something; fail after ``DEADLINE_S`` with ``why()``."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        threading.Event().wait(0.05)
    pytest.fail(f"timed out waiting for {what}\n{why()}")


class Worker:
    """``python -m bot work`` (or ``code`` run with ``python -c``) with its output kept."""

    def __init__(self, tmp_path: Path, env: dict[str, str], code: str = "") -> None:
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "bot", "work"]
        with self.log.open("w") as sink:
            self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text()[-4000:]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)


def worker_env(database: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (
        "PORT", "PUBLIC_BASE_URL", "REDIS_URL", "DUKKAN_ENV", "STORE_BACKEND", "SEND_MODE", "PROMETHEUS_MULTIPROC_DIR")}
    return env | {"DATABASE_PATH": str(database), "META_APP_SECRET": TEST_SECRET, "ADMIN_TOKEN": "worker-admin-token",
                  "WORKER_THREADS": "1", "LOG_LEVEL": "INFO"} | extra


def web_app(database: Path, **overrides: Any):
    """The web side only: it verifies, parses and accepts (``workers_in_web`` false)."""
    settings = Settings.from_env({}).with_overrides(
        meta_app_secret=TEST_SECRET, admin_token="admin", admin_token_generated=False,
        database_path=str(database), workers_in_web=False, **overrides,
    )
    app = create_app({name: getattr(settings, name) for name in settings.__dataclass_fields__})
    assert not app.extensions["dukkan"].workers.running, "a web process with WORKERS_IN_WEB=false runs no workers"
    return app


def answered(services, customer: str) -> list[dict]:
    return services.pipeline.outbox.conversation("messenger", customer)


def test_a_worker_process_answers_what_the_web_accepted_on_sqlite(tmp_path) -> None:
    database = tmp_path / "one-host.sqlite3"
    app = web_app(database)
    services = app.extensions["dukkan"]
    worker = Worker(tmp_path, worker_env(database))
    try:
        until(lambda: Path(f"{database}.wake").exists(), "the worker's wake-up FIFO", worker.output)
        body = messenger_text("psid-proc", "عايز تيشيرت اسود")
        assert post_signed(app.test_client(), body, TEST_SECRET).status_code == 200
        replies = until(lambda: answered(services, "psid-proc"), "the worker's reply", worker.output)
        assert replies[0]["body"]["recipient"] == {"id": "psid-proc"}
        until(lambda: services.inbox.counts()["done"] == 1, "the event done", worker.output)
    finally:
        assert worker.stop() == 0, worker.output()
    assert "finishing the turns in hand" in worker.output()


def test_with_redis_a_worker_on_another_host_answers_what_this_host_accepted(tmp_path, redis_url) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    app = web_app(tmp_path / "host-a.sqlite3", redis_url=redis_url, redis_prefix=prefix)
    services = app.extensions["dukkan"]
    env = worker_env(tmp_path / "host-b.sqlite3", REDIS_URL=redis_url, REDIS_PREFIX=prefix)
    worker = Worker(tmp_path, env, code=AS_ANOTHER_HOST)
    try:
        until(lambda: "worker process ready" in worker.output(), "the worker on host b", worker.output)
        body = messenger_text("psid-far", "hello")
        client = app.test_client()
        assert post_signed(client, body, TEST_SECRET).status_code == 200
        assert post_signed(client, body, TEST_SECRET).status_code == 200  # Meta's retry: recognised
        replies = until(lambda: answered(services, "psid-far"), "host b's reply", worker.output)
        until(lambda: services.inbox.counts()["done"] == 1, "the event done", worker.output)
        assert services.inbox.counts()["pending"] == 0
        assert replies == answered(services, "psid-far")
        events = services.inbox.inbound("messenger:psid-far")
        assert [event["state"] for event in events] == ["done"], "the retry was not queued again"
    finally:
        assert worker.stop() == 0, worker.output()


def test_a_worker_killed_mid_turn_leaves_the_event_to_the_next_answered_once(tmp_path) -> None:
    graph = FakeGraph()
    database = tmp_path / "kill.sqlite3"
    app = web_app(database)
    env = worker_env(database, SEND_MODE="graph", GRAPH_API_URL=graph.url, MESSENGER_PAGE_ACCESS_TOKEN="page-token")
    first = Worker(tmp_path, env)
    second = None
    try:
        graph.hold.set()
        assert post_signed(app.test_client(), messenger_text("psid-kill9", "hello"), TEST_SECRET).status_code == 200
        assert graph.arrived.wait(DEADLINE_S), first.output()  # the reply is at the Graph API, unanswered
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)
        graph.hold.clear()
        graph.release.set()
        second = Worker(tmp_path, env)
        replies = until(lambda: graph.messages_to("psid-kill9"), "the reply after the kill", second.output)
        until(lambda: app.extensions["dukkan"].inbox.counts()["done"] == 1, "the event done", second.output)
        bodies = [json.dumps(reply["body"], sort_keys=True) for reply in graph.messages_to("psid-kill9")]
        assert len(bodies) == len(set(bodies)), "a reply was sent twice"
        assert replies[0]["body"]["recipient"] == {"id": "psid-kill9"}
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.output()
        graph.close()
