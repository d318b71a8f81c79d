"""``python -m bot serve`` (bot/__main__.py): one command starts the web (gunicorn, accepting only)
and the inbox worker processes, and SIGTERM stops them all cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import __main__ as cli
from tests.test_gunicorn_e2e import free_port

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 60.0
TOKEN = "serve-workers-admin-token-4Kq"


def until(probe: Callable[[], Any], what: str, why: Callable[[], str] = str) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        threading.Event().wait(0.1)
    pytest.fail(f"timed out waiting for {what}\n{why()}")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def test_serve_runs_the_web_without_workers_and_worker_processes_beside_it(monkeypatch, tmp_path) -> None:
    plans: list[cli.ServePlan] = []
    monkeypatch.setattr(cli, "supervise", lambda plan: plans.append(plan) or 0)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "d.sqlite3"))
    monkeypatch.setenv("WORKER_PROCESSES", "3")
    assert cli.main(["serve", "--port", "8311"]) == 0
    plan = plans[0]
    assert plan.environ["WORKERS_IN_WEB"] == "false" and "wsgi:app" in plan.web
    assert plan.worker[-3:] == ["-m", "bot", "work"] and plan.workers == 3


def test_serve_starts_its_worker_processes_and_stops_them_on_sigterm(tmp_path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL", "REDIS_URL", "DUKKAN_ENV",
                                                             "SEND_MODE", "PROMETHEUS_MULTIPROC_DIR")}
    env |= {"DATABASE_PATH": str(tmp_path / "serve.sqlite3"), "ADMIN_TOKEN": TOKEN, "WEB_CONCURRENCY": "1",
            "WORKER_THREADS": "1", "WORKER_PROCESSES": "2", "LOG_LEVEL": "INFO"}
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        serve = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                 stdout=sink, stderr=subprocess.STDOUT)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {TOKEN}"}

    def output() -> str:
        return log.read_text()[-4000:]

    def healthy() -> bool:
        assert serve.poll() is None, output()
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        until(healthy, "the web", output)
        until(lambda: output().count("worker process ready") == 2, "two worker processes", output)
        started = children(serve.pid)
        workers = [pid for pid in started if command_of(pid).endswith("-m bot work ")]
        webs = [pid for pid in started if "wsgi:app" in command_of(pid)]
        assert len(workers) == 2 and len(webs) == 1, [command_of(pid) for pid in started]
        customer = {"platform": "messenger", "customer_id": "psid-serve"}
        posted = requests.post(f"{base}/admin/api/simulate", json=customer | {"text": "hello"}, headers=auth,
                               timeout=10)
        assert posted.status_code == 200, posted.text

        def reply() -> list:
            rows = requests.get(f"{base}/admin/api/conversation", params=customer, headers=auth, timeout=5).json()
            return rows["messages"]

        until(reply, "the reply of a worker process", output)
    finally:
        serve.send_signal(signal.SIGTERM)
        status = serve.wait(90)
    assert status == 0, output()
    assert output().count("finishing the turns in hand") == 2
    assert not any(alive(pid) for pid in started), "a child outlived serve"
