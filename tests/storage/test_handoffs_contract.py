"""The hand-offs' contract (:class:`bot.storage.contracts.Handoffs`), the same on SQLite and Redis."""

from __future__ import annotations

from bot.storage import contracts


def test_both_backends_keep_the_handoffs_contract(stores) -> None:
    assert isinstance(stores.handoffs, contracts.Handoffs)


def test_one_handoff_a_customer_until_it_is_released(stores) -> None:
    first = stores.handoffs.open("whatsapp", "201000000001", "asked", {"text": "عايز حد"})
    assert stores.handoffs.open("whatsapp", "201000000001", "asked", {}) == first
    assert stores.handoffs.active("whatsapp", "201000000001") and not stores.handoffs.active("messenger", "x-1")
    current = stores.handoffs.current("whatsapp", "201000000001")
    assert (current["id"], current["reason"], current["context"]) == (first, "asked", {"text": "عايز حد"})
    assert [h["id"] for h in stores.handoffs.list_open()] == [first]
    assert stores.handoffs.release("whatsapp", "201000000001")
    assert not stores.handoffs.release("whatsapp", "201000000001")
    assert not stores.handoffs.active("whatsapp", "201000000001") and stores.handoffs.list_open() == []


def test_a_handoff_ends_by_itself_after_the_timeout(stores, clock) -> None:
    stores.handoffs.open("messenger", "psid-1", "catalog_order", {})
    clock.now += stores.handoffs.timeout_s + 1
    assert not stores.handoffs.active("messenger", "psid-1") and stores.handoffs.list_open() == []
