"""The contract suite's fixtures: every store of one backend, on a settable clock.

``stores`` runs each test twice, on SQLite and on Redis (the ``settings`` fixture of
``tests/conftest.py`` is parametrized over both backends): the same assertions for both.
"""

from __future__ import annotations

import pytest

from bot.storage import Database, Stores, open_stores
from tests.factories import Clock

NOW = 1_780_000_000.0   # 2026-05-28



@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def stores(settings, tmp_path, clock) -> Stores:
    return open_stores(settings, Database(tmp_path / "contract.sqlite3"), clock)
