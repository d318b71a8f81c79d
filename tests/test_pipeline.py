"""What a worker does with an event: staging once, resuming a half-sent answer, poison events,
takeovers, silence during a hand-off. Runs on both backends (conftest)."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest

from bot.channels.meta.errors import parse_graph_error
from bot.channels.meta.graph import SendResult
from bot.errors import AuthError, DeliveryUnknown, InvalidRequest, Throttled, TransientSendError, WindowClosed
from bot.events import Event, Kind, Platform
from bot.logs import customer_ref
from bot.pipeline import INBOUND_SKEW_S, inbound_at, waits_for_graph
from bot.replies import Outgoing
from bot.storage.inbox import worker_name
from tests.conftest import TEST_SECRET
from tests.factories import (
    IG_ACCOUNT_ID,
    instagram,
    instagram_text,
    messenger,
    messenger_text,
    post_signed,
    whatsapp_text,
)


class FlakySender:
    """Fails the ``fail_at``-th real message once (a 5xx after Meta's retries), then recovers."""

    def __init__(self, inner, fail_at: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.messages: list[dict] = []
        self.actions: list[dict] = []
        self.failed = False

    def send(self, out):
        if out.kind != "message":
            self.actions.append(out.body)
            return self.inner.send(out)
        if len(self.messages) + 1 == self.fail_at and not self.failed:
            self.failed = True
            return SendResult(ok=False, error=TransientSendError("HTTP 503", http_status=503))
        self.messages.append(out.body)
        return self.inner.send(out)


def test_a_half_sent_answer_is_resumed_without_running_the_dialog_again(client, services, monkeypatch):
    sender = FlakySender(services.pipeline.sender, fail_at=2)
    monkeypatch.setattr(services.pipeline, "sender", sender)
    turns = []
    handle = services.pipeline.dialog.handle
    monkeypatch.setattr(services.pipeline.dialog, "handle", lambda e, s: turns.append(e) or handle(e, s))
    post_signed(client, messenger_text("psid-half", "عايز تيشيرت اسود"), TEST_SECRET)
    [claimed_id] = [row["id"] for row in services.inbox.inbound("messenger:psid-half")]
    services.workers.run_once()  # first attempt: the second message fails, the event waits
    assert services.inbox.counts()["pending"] == 1 and len(sender.messages) == 1
    _make_due(services, claimed_id)  # the retry waits for its backoff: make it due now
    services.workers.drain()
    staged = [row["body"] for row in services.pipeline.outbox.conversation("messenger", "psid-half")]
    assert len(turns) == 1, "the dialog ran again"
    assert len(staged) >= 2
    assert [json.dumps(b, sort_keys=True) for b in sender.messages] == [json.dumps(b, sort_keys=True) for b in staged]


def _make_due(services, event_id: int) -> None:
    """Move the retry time of an event to now (both backends keep it as ``available_at``)."""
    inbox = services.inbox
    if hasattr(inbox, "db"):
        with inbox.db.transaction() as conn:
            conn.execute("UPDATE inbox SET available_at = 0 WHERE id = ?", (event_id,))
    else:
        inbox.r.hset(inbox.p + f"event:{event_id}", "available_at", 0)
        inbox.r.zadd(inbox.p + "delayed", {"messenger:psid-half": 0})


def test_an_event_that_cannot_be_read_becomes_a_dead_letter_and_the_worker_goes_on(client, services):
    bad = Event(Platform.MESSENGER, "psid-bad", Kind.TEXT, text="hi", message_id="m_bad", raw={"x": 1})
    services.inbox.accept([bad])
    _corrupt(services, bad)
    post_signed(client, messenger_text("psid-good", "hello"), TEST_SECRET)
    services.workers.drain()
    assert services.inbox.counts()["dead"] == 1
    assert services.pipeline.outbox.conversation("messenger", "psid-good")


def _corrupt(services, event: Event) -> None:
    inbox = services.inbox
    body = json.dumps(event.to_dict() | {"kind": "a-kind-from-the-future"})
    if hasattr(inbox, "db"):
        with inbox.db.transaction() as conn:
            conn.execute("UPDATE inbox SET event = ? WHERE dedupe_key = ?", (body, event.dedupe_key))
    else:
        event_id = inbox.r.get(inbox.p + "seen:" + event.dedupe_key)
        inbox.r.hset(inbox.p + f"event:{event_id}", "event", body)


def test_a_worker_whose_event_was_taken_over_cannot_settle_it(services):
    services.inbox.accept([Event(Platform.MESSENGER, "psid-slow", Kind.TEXT, text="hi", message_id="m_slow")])
    first = services.inbox.claim(worker_name("slow"))
    services.inbox.clock = lambda: 10**12  # the first worker's lease ran out long ago
    assert services.inbox.recover() == 1
    second = services.inbox.claim(worker_name("fresh"))
    assert second.id == first.id
    assert not services.inbox.extend(first)
    assert not services.inbox.complete(first.id, owner=first.owner)
    assert services.inbox.complete(second.id, owner=second.owner)


def test_no_typing_dots_while_a_person_handles_the_customer(client, services, monkeypatch):
    sender = FlakySender(services.pipeline.sender, fail_at=0)
    monkeypatch.setattr(services.pipeline, "sender", sender)
    monkeypatch.setattr(services.pipeline.typing, "delay_s", 0.0)  # every turn is slow: its preamble is due
    services.handoffs.open("messenger", "psid-quiet", "asked for a person", {})
    post_signed(client, messenger_text("psid-quiet", "انتو فين؟"), TEST_SECRET)
    services.workers.drain()
    assert sender.actions == [] and sender.messages == []
    services.handoffs.release("messenger", "psid-quiet")
    post_signed(client, messenger_text("psid-quiet", "hello"), TEST_SECRET)
    services.workers.drain()
    assert {body.get("sender_action") for body in sender.actions} == {"mark_seen", "typing_on"}
    assert sender.messages


class OrderedSender:
    """Records every item sent (preamble and replies) in order; ``on_action`` runs when an action goes."""

    def __init__(self, inner, on_action=lambda: None) -> None:
        self.inner = inner
        self.sent: list[Outgoing] = []
        self.on_action = on_action

    def send(self, out):
        self.sent.append(out)
        if out.kind == "action":
            self.on_action()
        return self.inner.send(out)

    def kinds(self) -> list[str]:
        return [out.kind for out in self.sent]


def test_a_quick_turn_goes_without_seen_or_typing(client, services, monkeypatch):
    sender = OrderedSender(services.pipeline.sender)
    monkeypatch.setattr(services.pipeline, "sender", sender)
    monkeypatch.setattr(services.pipeline.typing, "clock", lambda: 100.0)  # no time passes: the turn is quick
    post_signed(client, messenger_text("psid-quick", "عايز تيشيرت اسود"), TEST_SECRET)
    services.workers.drain()
    assert sender.kinds() and set(sender.kinds()) == {"message"}


def test_a_slow_turn_marks_seen_and_types_before_its_reply(client, services, monkeypatch):
    sender = OrderedSender(services.pipeline.sender)
    monkeypatch.setattr(services.pipeline, "sender", sender)
    now = [100.0]
    monkeypatch.setattr(services.pipeline.typing, "clock", lambda: now[0])
    handle = services.pipeline.dialog.handle

    def slow_store(event, session):
        now[0] += 5.0  # the store took five seconds
        return handle(event, session)

    monkeypatch.setattr(services.pipeline.dialog, "handle", slow_store)
    post_signed(client, messenger_text("psid-slow-store", "عايز تيشيرت اسود"), TEST_SECRET)
    services.workers.drain()
    kinds = sender.kinds()
    assert kinds[:2] == ["action", "action"] and set(kinds[2:]) == {"message"} and len(kinds) > 2
    assert [out.body.get("sender_action") for out in sender.sent[:2]] == ["mark_seen", "typing_on"]


def test_the_typing_dots_show_while_a_slow_turn_is_still_deciding(client, services, monkeypatch):
    """The timer's thread sends the preamble while the dialog waits (here: for that very preamble)."""
    shown = threading.Event()
    sender = OrderedSender(services.pipeline.sender, on_action=shown.set)
    monkeypatch.setattr(services.pipeline, "sender", sender)
    monkeypatch.setattr(services.pipeline.typing, "delay_s", 0.001)
    handle = services.pipeline.dialog.handle
    seen_while_deciding = []

    def waits_for_the_dots(event, session):
        seen_while_deciding.append(shown.wait(10.0))
        return handle(event, session)

    monkeypatch.setattr(services.pipeline.dialog, "handle", waits_for_the_dots)
    post_signed(client, messenger_text("psid-deciding", "عايز تيشيرت اسود"), TEST_SECRET)
    services.workers.drain()
    assert seen_while_deciding == [True]
    assert sender.kinds()[:2] == ["action", "action"] and sender.kinds().count("action") == 2


def test_a_slow_whatsapp_turn_marks_read_and_types_in_one_call(client, services, monkeypatch):
    sender = OrderedSender(services.pipeline.sender)
    monkeypatch.setattr(services.pipeline, "sender", sender)
    monkeypatch.setattr(services.pipeline.typing, "delay_s", 0.0)
    post_signed(client, whatsapp_text("201001112223", "عايز تيشيرت اسود"), TEST_SECRET)
    services.workers.drain()
    [action] = [out for out in sender.sent if out.kind == "action"]
    assert sender.sent[0] is action
    assert action.body["status"] == "read" and action.body["typing_indicator"] == {"type": "text"}


class ScriptedSender:
    """Answers the customer's real messages with ``script`` in order (an error, or None: sent)."""

    def __init__(self, inner, script: list) -> None:
        self.inner = inner
        self.script = list(script)
        self.messages: list[dict] = []

    def send(self, out):
        if out.kind != "message":
            return self.inner.send(out)
        self.messages.append(out.body)
        error = self.script.pop(0) if self.script else None
        return self.inner.send(out) if error is None else SendResult(ok=False, error=error)


def test_an_unanswered_reply_is_marked_unknown_never_resent_and_the_rest_is_sent(client, services, monkeypatch):
    unanswered = DeliveryUnknown("Graph API did not answer a request it may have acted on (ReadTimeout)")
    sender = ScriptedSender(services.pipeline.sender, [unanswered])
    monkeypatch.setattr(services.pipeline, "sender", sender)
    post_signed(client, messenger_text("psid-unknown", "عايز تيشيرت اسود"), TEST_SECRET)
    services.workers.drain()
    rows = services.pipeline.outbox.conversation("messenger", "psid-unknown")
    assert len(rows) >= 2
    assert [row["state"] for row in rows] == ["unknown"] + ["sent"] * (len(rows) - 1)
    assert "ReadTimeout" in rows[0]["error"]
    assert services.inbox.counts()["done"] == 1 and services.inbox.counts()["pending"] == 0
    assert services.pipeline.outbox.counts()["unknown"] == 1
    services.workers.drain()
    assert [json.dumps(b, sort_keys=True) for b in sender.messages] == [
        json.dumps(row["body"], sort_keys=True) for row in rows
    ], "each staged message was tried exactly once"


@pytest.mark.parametrize(
    ("kind", "error", "waits"),
    [
        ("message", TransientSendError("HTTP 503", http_status=503), True),
        ("message", Throttled("(#613) rate limit", code=613), True),
        ("message", AuthError("Session has expired", code=190, subcode=463), True),
        ("message", AuthError("Access denied", code=131005), True),
        ("message", AuthError("no access token configured for whatsapp"), False),
        ("handover", AuthError("(#200) not the primary receiver", code=200), False),
        ("message", DeliveryUnknown("read timeout"), False),
        ("message", InvalidRequest("(#100) Invalid parameter", code=100), False),
        ("message", WindowClosed("Re-engagement message", code=131047), False),
        ("message", parse_graph_error(400, {"error": {"message": "This message is sent outside of allowed window.",
                                                      "type": "OAuthException", "code": 10,
                                                      "error_subcode": 2534022}}), False),  # Instagram's
    ],
)
def test_which_send_errors_wait_for_the_graph_api(kind, error, waits):
    out = Outgoing("messenger", "psid", {"recipient": {"id": "psid"}}, kind)
    assert waits_for_graph(out, error) is waits


# ---- the 24-hour window starts at the customer's message, as the platform stamped it ----------------


def _write_at(client, services, psid: str, at: float) -> None:
    """A Messenger message the platform stamped ``at`` (epoch seconds), handled now."""
    body = messenger(psid, {"message": {"mid": f"m_{psid}_{at}", "text": "hello"}}, time_ms=int(at * 1000))
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()


def test_the_window_starts_at_the_events_own_timestamp_not_when_a_worker_handled_it(client, services):
    written = time.time() - 2 * 3600                    # sent two hours ago, handled now (a backlog, an outage)
    _write_at(client, services, "psid-late", written)
    assert services.pipeline.sessions.last_inbound("messenger", "psid-late") == pytest.approx(written, abs=0.01)


def test_an_older_message_handled_late_never_moves_the_window_back(client, services):
    newer = time.time() - 60
    _write_at(client, services, "psid-order", newer)
    _write_at(client, services, "psid-order", newer - 3 * 3600)   # an older message redelivered afterwards
    assert services.pipeline.sessions.last_inbound("messenger", "psid-order") == pytest.approx(newer, abs=0.01)


def test_a_timestamp_from_the_future_is_held_to_a_small_skew(client, services):
    _write_at(client, services, "psid-ahead", time.time() + 3600)
    assert services.pipeline.sessions.last_inbound("messenger", "psid-ahead") <= time.time() + INBOUND_SKEW_S


def test_inbound_at_falls_back_to_the_receipt_time() -> None:
    now = 1_800_000_000.0
    assert inbound_at(0.0, now - 30, now) == now - 30                  # no platform timestamp: when we got it
    assert inbound_at(0.0, 0.0, now) == now
    assert inbound_at(now - 100, now - 30, now) == now - 100            # the platform's own time wins
    assert inbound_at(now + 10, now, now) == now + 10                   # a little clock skew is believed
    assert inbound_at(now + 7200, now, now) == now + INBOUND_SKEW_S
    assert inbound_at(now - 100, now, now, previous=now - 50) == now - 50


def test_an_instagram_hand_off_sends_no_request_and_the_bot_stays_quiet(client, services):
    customer = "ig-handoff-1"
    press = instagram(customer, {"postback": {"mid": "ig_pb_1", "title": "كلم حد", "payload": "HUMAN"}})
    assert post_signed(client, press, TEST_SECRET).status_code == 200
    services.workers.drain()
    rows = services.pipeline.outbox.conversation("instagram", customer)
    assert rows and {row["kind"] for row in rows} == {"message"}  # no pass_thread_control on Instagram
    assert services.handoffs.active("instagram", customer)
    assert post_signed(client, instagram_text(customer, "لسه مستني"), TEST_SECRET).status_code == 200
    services.workers.drain()
    assert len(services.pipeline.outbox.conversation("instagram", customer)) == len(rows)  # a person answers now


def test_an_edited_message_is_recorded_quietly_and_an_unreadable_item_with_a_warning(client, services, caplog):
    edit = instagram("ig-edit-1", {"message_edit": {"mid": "ig_e1", "text": "بكام؟", "num_edit": 1}})
    odd = instagram("ig-odd-1", {"something_new": {"x": 1}})
    with caplog.at_level(logging.INFO, logger="bot.pipeline"):
        for body in (edit, odd):
            assert post_signed(client, body, TEST_SECRET).status_code == 200
        services.workers.drain()
    recorded = [r for r in caplog.records if "recorded, not answered" in r.getMessage()]
    level_of = {who: r.levelno for r in recorded for who in ("ig-edit-1", "ig-odd-1")
                if customer_ref("instagram", who) in r.getMessage()}
    assert level_of == {"ig-edit-1": logging.INFO, "ig-odd-1": logging.WARNING}
    assert not services.pipeline.outbox.conversation("instagram", "ig-edit-1")


def test_a_message_from_the_shop_s_own_account_is_never_answered(client, services):
    own = instagram("ig-customer-own", {"message": {"mid": "ig_own_1", "text": "عايز تيشيرت اسود"}})
    own["entry"][0]["messaging"][0]["sender"] = {"id": IG_ACCOUNT_ID}
    own["entry"][0]["messaging"][0]["recipient"] = {"id": "ig-customer-own"}
    assert post_signed(client, own, TEST_SECRET).status_code == 200
    services.workers.drain()
    assert services.pipeline.outbox.conversation("instagram", "ig-customer-own") == []
    assert services.pipeline.outbox.conversation("instagram", IG_ACCOUNT_ID) == []


def test_a_turn_sends_the_rows_it_staged_and_keeps_every_message_id(client, services, monkeypatch):
    """The first attempt sends what ``stage_turn`` gave back (the outbox is not read again), and
    every reply sent, the last one and those before it, is settled with its message id."""
    read_back = []
    unsent = services.pipeline.outbox.unsent
    monkeypatch.setattr(services.pipeline.outbox, "unsent", lambda event_id: read_back.append(event_id) or
                        unsent(event_id))
    results = []
    send = services.pipeline.sender.send
    monkeypatch.setattr(services.pipeline.sender, "send", lambda out: results.append(send(out)) or results[-1])
    post_signed(client, messenger_text("psid-rows", "عايز تيشيرت اسود"), TEST_SECRET)
    services.workers.drain()
    assert read_back == []
    rows = services.pipeline.outbox.conversation("messenger", "psid-rows")
    assert len(rows) >= 2 and {row["state"] for row in rows} == {"sent"}
    ids = [result.message_id for result in results if result.message_id]
    assert [row["message_id"] for row in rows] == ids
    assert all(services.pipeline.messages.status_of(message_id) == "sent" for message_id in ids)
