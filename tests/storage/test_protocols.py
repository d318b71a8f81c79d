"""Every store of both backends keeps its contract (:mod:`bot.storage.contracts`).

mypy checks the same where :func:`bot.storage.open_stores` builds :class:`bot.storage.Stores`
(its fields are the Protocols); this checks it at run time, on the objects the service uses.
"""

from __future__ import annotations

import pytest

from bot.storage import Database, contracts
from bot.storage.auth_limits import open_auth_failures
from bot.storage.pauses import open_pauses
from bot.storage.redis_keys import keyspace

EXPECTED = {
    "inbox": contracts.Inbox, "orders": contracts.Orders, "handoffs": contracts.Handoffs,
    "messages": contracts.MessageStates, "alerts": contracts.StockAlerts, "insights": contracts.Insights,
    "staff": contracts.StaffFeed,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_store_keeps_its_contract(stores, name) -> None:
    assert isinstance(getattr(stores, name), EXPECTED[name])


def test_the_conversation_state_and_the_shared_alarms_keep_theirs(stores, settings, tmp_path) -> None:
    assert isinstance(stores.state.sessions, contracts.Sessions)
    assert isinstance(stores.state.outbox, contracts.Outbox)
    db = Database(tmp_path / "alarms.sqlite3")
    assert isinstance(open_pauses(settings, db), contracts.Pauses)
    assert isinstance(open_auth_failures(settings, db), contracts.AuthFailures)


def test_a_store_missing_a_method_is_not_taken_for_one() -> None:
    class HalfInbox:
        def accept(self, events): ...

    assert not isinstance(HalfInbox(), contracts.Inbox)


def test_redis_keys_carry_the_key_version(stores, backend) -> None:
    if backend == "sqlite":
        assert stores.inbox.__class__.__module__ == "bot.storage.inbox"
        return
    stores.handoffs.open("messenger", "psid-1", "asked", {})
    prefix = keyspace(stores.handoffs.p.removesuffix("v1:"))
    assert prefix.endswith(":v1:") and stores.handoffs.p == prefix
    assert list(stores.handoffs.r.scan_iter(match=f"{prefix}handoff:*")) == [f"{prefix}handoff:messenger:psid-1"]
