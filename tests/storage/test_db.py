"""bot/storage/db.py: several processes opening one new SQLite file at once (gunicorn's workers at
start) all get it, in WAL mode; SQLite answers the switch to WAL "locked" without waiting."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from bot.storage.db import Database

OPENERS = 4
ROUNDS = 8


def _open(path: str, barrier) -> None:
    barrier.wait()
    Database(path)


def test_processes_opening_a_new_file_at_once_all_get_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = str(tmp_path / f"new-{round_}.sqlite3")
        barrier = context.Barrier(OPENERS)
        openers = [context.Process(target=_open, args=(path, barrier)) for _ in range(OPENERS)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(60)
        assert [opener.exitcode for opener in openers] == [0] * OPENERS, f"round {round_}"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
