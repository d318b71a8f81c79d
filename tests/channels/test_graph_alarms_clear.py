"""A successful send clears its channel's pauses with one read of the shared storage."""

from __future__ import annotations

from bot.channels.meta.graph import Alarms
from bot.storage import Database
from bot.storage.pauses import SqlitePauses
from tests.factories import Clock

NAMES = ("messenger.invalid_token", "messenger.permission")


def test_a_pause_raised_by_one_process_is_cleared_by_anothers_success(tmp_path) -> None:
    shared = SqlitePauses(Database(tmp_path / "pauses.sqlite3"), clock=Clock())
    here, there = Alarms(shared=shared), Alarms(shared=shared)
    assert there.raise_("messenger.permission", "(#10) no permission")
    assert "messenger.permission" in here
    assert here.clear_all(NAMES) == ["messenger.permission"]
    assert "messenger.permission" not in there and shared.active() == {}
    assert here.clear_all(NAMES) == []


def test_nothing_paused_asks_the_storage_once_and_writes_nothing(tmp_path) -> None:
    shared = SqlitePauses(Database(tmp_path / "pauses.sqlite3"), clock=Clock())
    asked: list[list[str]] = []
    has_any = shared.has_any
    shared.has_any = lambda names: asked.append(list(names)) or has_any(names)  # type: ignore[method-assign]
    shared.clear = lambda name: (_ for _ in ()).throw(AssertionError("a write"))  # type: ignore[method-assign]
    alarms = Alarms(shared=shared)
    assert alarms.clear_all(NAMES) == []
    assert asked == [list(NAMES)]


def test_local_alarms_are_cleared_too() -> None:
    alarms = Alarms()
    alarms.raise_("whatsapp.invalid_token", "190")
    assert alarms.clear_all(("whatsapp.invalid_token", "whatsapp.permission")) == ["whatsapp.invalid_token"]
    assert alarms.active() == {}
