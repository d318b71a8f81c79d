"""The outbox's contract (:class:`bot.storage.contracts.Outbox`), the same on SQLite and Redis."""

from __future__ import annotations

from bot.replies import Outgoing
from bot.storage import contracts


def reply(text: str, customer: str = "psid-1") -> Outgoing:
    return Outgoing("messenger", customer, {"recipient": {"id": customer}, "message": {"text": text}})


def stage(stores, key: int, *messages: Outgoing) -> bool:
    with stores.state.transaction() as tx:
        return stores.state.outbox.stage(tx, key, list(messages))


def test_both_backends_keep_the_outbox_contract(stores) -> None:
    assert isinstance(stores.state.outbox, contracts.Outbox)


def test_an_events_replies_are_staged_once_and_come_back_in_order(stores) -> None:
    assert stores.state.stage_turn(7, "messenger", "psid-1", {}, [reply("one"), reply("two")], None)
    assert not stores.state.stage_turn(7, "messenger", "psid-1", {}, [reply("again")], None)   # another worker
    assert stores.state.outbox.is_staged(7) and not stores.state.outbox.is_staged(8)
    unsent = stores.state.outbox.unsent(7)
    assert [out.body["message"]["text"] for _, out in unsent] == ["one", "two"]
    assert unsent[0][1] == reply("one")


def test_an_event_without_replies_is_staged_too(stores) -> None:
    assert stores.state.stage_turn(9, "messenger", "psid-1", {}, [], None)
    assert stores.state.outbox.is_staged(9) and stores.state.outbox.unsent(9) == []


def test_settled_messages_leave_the_unsent_and_are_counted(stores) -> None:
    stores.state.stage_turn(11, "messenger", "psid-1", {}, [reply("a"), reply("b"), reply("c")], None)
    (sent, _), (failed, _), (unknown, _) = stores.state.outbox.unsent(11)
    stores.state.outbox.mark_sent(sent, "m_1")
    stores.state.outbox.mark_failed(failed, 551, "person not available")
    stores.state.outbox.mark_unknown(unknown, "read timeout")
    assert stores.state.outbox.unsent(11) == []
    assert stores.state.outbox.counts() == {"pending": 0, "sent": 1, "failed": 1, "unknown": 1}
    rows = stores.state.outbox.conversation("messenger", "psid-1")
    assert [(row["state"], row["message_id"], row["error_code"]) for row in rows] == [
        ("sent", "m_1", None), ("failed", None, 551), ("unknown", None, None)]
    assert stores.state.outbox.conversation("messenger", "psid-1", after_id=rows[1]["id"]) == rows[2:]


def test_proactive_keys_with_messages_left_are_listed(stores) -> None:
    assert stage(stores, -1, reply("back in stock")) and stage(stores, -2, reply("also back"))
    assert sorted(stores.state.outbox.unsent_keys()) == [-2, -1]
    (row_id, _), = stores.state.outbox.unsent(-1)
    stores.state.outbox.mark_sent(row_id, "m_2")
    assert stores.state.outbox.unsent_keys() == [-2]
