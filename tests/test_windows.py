"""The sliding-window counter shared by the limit on wrong tokens and the limit on failed order
checks (bot/storage/windows.py): the same answers on SQLite and on Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from bot.storage.db import Database
from bot.storage.windows import RedisWindow, SqliteWindow

START, WINDOW = 1_700_000_000.0, 600.0


@pytest.fixture(params=["sqlite", "redis"])
def window(request, tmp_path):
    if request.param == "sqlite":
        db = Database(tmp_path / "windows.sqlite3")
        db.connection().executescript("CREATE TABLE hits (who TEXT NOT NULL, at REAL NOT NULL)")
        return SqliteWindow(db, table="hits", key_column="who", at_column="at")
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"), decode_responses=True)
    return RedisWindow(client, prefix=f"t{uuid.uuid4().hex[:12]}:hits:")


def test_add_counts_under_every_key_and_entries_leave_the_window(window) -> None:
    assert window.add(["account", "phone"], START, WINDOW) == [1, 1]
    assert window.add(["account"], START + 10, WINDOW) == [2]
    assert window.add(["account", "phone"], START + 20, WINDOW) == [3, 2]
    assert window.count("account", START + 20, WINDOW) == 3
    assert window.count("nobody", START + 20, WINDOW) == 0
    assert window.count("account", START + WINDOW, WINDOW) == 2            # the first is exactly a window old
    assert window.add(["account"], START + WINDOW + 10, WINDOW) == [2]     # ... and forgotten
    assert window.count("phone", START + WINDOW + 30, WINDOW) == 0


def test_attempt_refuses_over_the_limit_without_counting_and_says_how_long(window) -> None:
    for n in range(3):
        assert window.attempt("10.0.0.1", START + n, WINDOW, 3) == 0.0
    assert window.attempt("10.0.0.1", START + 5, WINDOW, 3) == WINDOW - 5
    assert window.attempt("10.0.0.1", START + 6, WINDOW, 3) == WINDOW - 6  # refused: not counted
    assert window.count("10.0.0.1", START + 6, WINDOW) == 3
    assert window.attempt("10.0.0.2", START + 6, WINDOW, 3) == 0.0
    assert window.attempt("10.0.0.1", START + WINDOW, WINDOW, 3) == 0.0    # the oldest left
    assert window.attempt("10.0.0.1", START + WINDOW, WINDOW, 3) == 1.0


def test_two_entries_in_one_instant_both_count(window) -> None:
    assert window.add(["k"], START, WINDOW) == [1]
    assert window.add(["k"], START, WINDOW) == [2]


def test_the_wrong_token_limit_and_the_order_check_limit_share_it(services) -> None:
    engines = (SqliteWindow, RedisWindow)
    assert isinstance(services.auth_failures._window, engines)
    assert isinstance(services.orders._checks, engines)
