"""A turn reads and writes less: ``stage_turn`` gives the rows it staged (no read back), a reply
before the last is settled with its message id in one write (``record_sent``), the session and
when the customer last wrote come from one read, and a claimed event is decoded without being
cleaned again when its stored JSON cannot hold a surrogate. The same on SQLite and Redis."""

from __future__ import annotations

import json

from bot.events import Event, Kind, Platform
from bot.storage.contracts import Staged
from bot.storage.inbox import decode
from tests.storage.test_turn_contract import claim, reply


def test_stage_turn_gives_the_rows_it_staged_in_sending_order(stores) -> None:
    claimed = claim(stores, "psid-rows", "m_rows")
    messages = [reply("one", "psid-rows"), reply("two", "psid-rows"), reply("three", "psid-rows")]
    staged = stores.state.stage_turn(claimed.id, "messenger", "psid-rows", {}, messages, 10.0, claimed=claimed)
    assert isinstance(staged, Staged)
    assert list(staged.rows) == stores.state.outbox.unsent(claimed.id)
    assert [out for _, out in staged.rows] == messages
    assert stores.state.stage_turn(claimed.id, "messenger", "psid-rows", {}, messages, 10.0) is None  # once
    quiet = claim(stores, "psid-none", "m_none")
    nothing = stores.state.stage_turn(quiet.id, "messenger", "psid-none", {}, [], 10.0, claimed=quiet)
    assert nothing is not None and nothing.rows == () and nothing   # staged, with nothing to send


def test_a_reply_before_the_last_is_settled_with_its_message_id(stores) -> None:
    claimed = claim(stores, "psid-sent", "m_sent")
    messages = [reply("one", "psid-sent"), reply("two", "psid-sent")]
    staged = stores.state.stage_turn(claimed.id, "messenger", "psid-sent", {}, messages, 10.0, claimed=claimed)
    (first, first_out), (last, last_out) = staged.rows
    stores.state.record_sent((first, "m_out_1", first_out))
    assert stores.state.outbox.unsent(claimed.id) == [(last, last_out)]
    assert stores.messages.status_of("m_out_1") == "sent"
    assert stores.state.outbox.counts()["sent"] == 1
    stores.state.record_sent((last, None, last_out))          # no message id: only the row is settled
    assert stores.state.outbox.unsent(claimed.id) == []


def test_the_session_and_the_last_inbound_come_from_one_read(stores) -> None:
    sessions = stores.state.sessions
    assert sessions.load_with_inbound("whatsapp", "201000000009") == ({}, None)
    with stores.state.transaction() as tx:
        sessions.save(tx, "whatsapp", "201000000009", {"cart": [1, 2]}, inbound_at=500.0)
    assert sessions.load_with_inbound("whatsapp", "201000000009") == ({"cart": [1, 2]}, 500.0)
    with stores.state.transaction() as tx:
        sessions.save(tx, "whatsapp", "201000000009", {"cart": []})       # a turn of ours: inbound kept
    assert sessions.load_with_inbound("whatsapp", "201000000009") == ({"cart": []}, 500.0)
    assert (sessions.load("whatsapp", "201000000009"), sessions.last_inbound("whatsapp", "201000000009")) == (
        {"cart": []}, 500.0)


EVENTS = [
    Event(platform=Platform.WHATSAPP, customer_id="201000000001", kind=Kind.TEXT, text="عايز قميص كتان",
          message_id="wamid.1", timestamp=1.7e9, recipient_id="pnid", data={"a": [1, "ب"]},
          raw={"from": "201000000001", "text": {"body": "عايز قميص كتان"}}),
    Event(platform=Platform.MESSENGER, customer_id="psid", kind=Kind.PAYLOAD, payload="DETAILS:5",
          text="تفاصيل 😀", raw={"postback": {"title": "😀"}}),                       # an emoji's surrogate pair
    Event(platform=Platform.MESSENGER, customer_id="psid", kind=Kind.TEXT, text="a\ud800b",   # cleaned when made
          raw={"mid": "x\udfffy"}),
    Event(platform=Platform.INSTAGRAM, customer_id="igsid", kind=Kind.TEXT, text=r"a backslash \ud800 typed"),
    Event(platform=Platform.WHATSAPP, customer_id="2010", kind=Kind.STATUS, message_id="wamid.2",
          data={"status": "read", "errors": []}),
]


def test_a_stored_event_decodes_to_the_event_it_was() -> None:
    for event in EVENTS:
        stored = json.dumps(event.to_dict(), default=str)    # as the inboxes store it
        assert decode(stored) == event == Event.from_dict(json.loads(stored))
    dirty = json.dumps({"platform": "messenger", "kind": "text", "customer_id": "p", "text": "a\ud800",
                        "raw": {"k": "\udc00"}})                # stored by hand with lone surrogates
    assert decode(dirty) == Event(platform=Platform.MESSENGER, customer_id="p", kind=Kind.TEXT, text="a\ufffd",
                                  raw={"k": "\ufffd"})
    long_text = json.dumps({"platform": "messenger", "kind": "text", "customer_id": "p", "text": "x" * 5000})
    assert len(decode(long_text).text) == 4096                  # over the limit: cut as when made
    assert decode("{") is None and decode('{"platform": "messenger", "kind": "nope"}') is None
