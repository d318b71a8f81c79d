"""``python -m bot work`` runs nicer than the web (WORKER_NICE), so acknowledgements keep their
latency on cores the workers share."""

from __future__ import annotations

import os

import pytest

from bot import __main__ as cli
from bot.config import Settings


def test_worker_nice_is_ten_unless_set() -> None:
    assert Settings.from_env({}).worker_nice == 10
    assert Settings.from_env({"WORKER_NICE": "0"}).worker_nice == 0
    assert Settings.from_env({"WORKER_NICE": "19"}).worker_nice == 19


def test_a_negative_worker_nice_is_refused() -> None:
    assert cli._load_settings({"WORKER_NICE": "-5"}) is None


@pytest.mark.parametrize(("setting", "calls"), [(10, [10]), (3, [3]), (0, [])])
def test_the_worker_command_lowers_its_own_priority(monkeypatch: pytest.MonkeyPatch, setting: int,
                                                    calls: list[int]) -> None:
    seen: list[int] = []
    monkeypatch.setattr(os, "nice", seen.append)
    cli._lower_priority(setting)
    assert seen == calls


def test_cmd_work_is_niced_before_it_starts_answering(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import argparse

    import bot.services
    import bot.workers

    order: list[str] = []
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "w.sqlite3"))
    monkeypatch.setenv("WORKER_NICE", "7")
    monkeypatch.setattr(os, "nice", lambda increment: order.append(f"nice {increment}"))
    monkeypatch.setattr(bot.services, "build_services", lambda settings: order.append("services") or "services")
    monkeypatch.setattr(bot.workers, "run_worker_process", lambda services: order.append(f"run {services}") or 0)
    assert cli.cmd_work(argparse.Namespace()) == 0
    assert order == ["nice 7", "services", "run services"]
