"""The sessions' contract (:class:`bot.storage.contracts.Sessions`), the same on SQLite and Redis."""

from __future__ import annotations

from bot.storage import contracts


def save(stores, platform: str, customer: str, data: dict, inbound_at: float | None = None) -> None:
    with stores.state.transaction() as tx:
        stores.state.sessions.save(tx, platform, customer, data, inbound_at=inbound_at)


def test_both_backends_keep_the_sessions_contract(stores) -> None:
    assert isinstance(stores.state.sessions, contracts.Sessions)


def test_a_saved_session_is_loaded_back_and_an_unknown_one_is_empty(stores) -> None:
    session = {"lang": "ar", "cart": [{"product_id": 53, "quantity": 2}]}
    save(stores, "messenger", "psid-1", session, 100.0)
    assert stores.state.sessions.load("messenger", "psid-1") == session
    assert stores.state.sessions.load("whatsapp", "psid-1") == {}   # another platform, another customer
    assert stores.state.sessions.last_inbound("whatsapp", "psid-1") is None


def test_the_last_inbound_time_stays_when_a_save_has_none(stores, clock) -> None:
    save(stores, "whatsapp", "201000000001", {"step": 1}, inbound_at=500.0)
    save(stores, "whatsapp", "201000000001", {"step": 2})                  # a proactive message: no inbound
    assert stores.state.sessions.last_inbound("whatsapp", "201000000001") == 500.0
    assert stores.state.sessions.load("whatsapp", "201000000001") == {"step": 2}


def test_all_lists_the_most_recently_active_first(stores, clock) -> None:
    for customer in ("a-1", "b-2", "c-3"):
        clock.now += 10
        save(stores, "messenger", customer, {"who": customer})
    listed = stores.state.sessions.all(limit=2)
    assert [(row["customer_id"], row["data"]) for row in listed] == [("c-3", {"who": "c-3"}), ("b-2", {"who": "b-2"})]
    assert listed[0]["updated_at"] == clock.now and listed[0]["platform"] == "messenger"
