"""A turn's writes (:class:`bot.storage.ConversationState`): one transaction to stage it, one to
finish it (the last reply's send result and the inbox event done), the same on SQLite and Redis."""

from __future__ import annotations

from bot.events import Event, Kind, Platform
from bot.replies import Outgoing
from bot.storage.inbox import worker_name


def text(customer: str, mid: str) -> Event:
    return Event(platform=Platform.MESSENGER, kind=Kind.TEXT, customer_id=customer, recipient_id="page",
                 message_id=mid, text="hello")


def reply(text_: str, customer: str) -> Outgoing:
    return Outgoing("messenger", customer, {"recipient": {"id": customer}, "message": {"text": text_}})


def claim(stores, customer: str, mid: str, owner: str = "turn-test"):
    stores.inbox.accept([text(customer, mid)])
    claimed = stores.inbox.claim(worker_name(owner))
    assert claimed is not None and claimed.event.message_id == mid
    return claimed


def test_a_turn_without_replies_is_finished_by_its_staging(stores) -> None:
    claimed = claim(stores, "psid-quiet", "m_quiet")
    assert stores.state.stage_turn(claimed.id, "messenger", "psid-quiet", {"seen": 1}, [], 10.0, claimed=claimed)
    assert stores.inbox.state_of("messenger:text:m_quiet") == "done"
    assert stores.state.sessions.load("messenger", "psid-quiet") == {"seen": 1}
    assert stores.inbox.complete(claimed.id, owner=claimed.owner)  # nothing left to write
    assert stores.inbox.counts()["done"] == 1


def test_a_turn_with_replies_waits_for_its_finish(stores) -> None:
    claimed = claim(stores, "psid-turn", "m_turn")
    messages = [reply("one", "psid-turn"), reply("two", "psid-turn")]
    assert stores.state.stage_turn(claimed.id, "messenger", "psid-turn", {}, messages, 10.0, claimed=claimed)
    assert stores.inbox.state_of("messenger:text:m_turn") == "processing"  # replies still to send
    (first, _), (last, last_out) = stores.state.outbox.unsent(claimed.id)
    stores.state.outbox.mark_sent(first, "m_sent_1")
    assert stores.state.finish(claimed, (last, "m_sent_2", last_out))
    assert stores.state.outbox.unsent(claimed.id) == []
    assert stores.messages.status_of("m_sent_2") == "sent"
    assert stores.inbox.state_of("messenger:text:m_turn") == "done"
    assert stores.inbox.complete(claimed.id, owner=claimed.owner)
    assert stores.inbox.counts() == {"pending": 0, "processing": 0, "done": 1, "dead": 0}


def test_a_finish_without_a_reply_only_settles_the_event(stores) -> None:
    claimed = claim(stores, "psid-bare", "m_bare")
    assert stores.state.finish(claimed)
    assert stores.inbox.state_of("messenger:text:m_bare") == "done"


def test_a_worker_that_lost_its_claim_cannot_finish_it(stores, clock) -> None:
    claimed = claim(stores, "psid-late", "m_late")
    clock.now += stores.inbox.lease_s + 1  # the lease ran out: another worker takes the event
    assert stores.inbox.recover() == 1
    again = stores.inbox.claim(worker_name("the-other"))
    assert again is not None and again.id == claimed.id
    assert not stores.state.finish(claimed)
    assert stores.inbox.state_of("messenger:text:m_late") == "processing"
    assert stores.state.finish(again)
    assert stores.inbox.state_of("messenger:text:m_late") == "done"


def test_the_old_stage_turn_call_still_works(stores) -> None:
    claimed = claim(stores, "psid-old", "m_old")
    assert stores.state.stage_turn(claimed.id, "messenger", "psid-old", {}, [], None)
    assert stores.inbox.state_of("messenger:text:m_old") == "processing"
    assert stores.inbox.complete(claimed.id, owner=claimed.owner)
    assert stores.inbox.state_of("messenger:text:m_old") == "done"
