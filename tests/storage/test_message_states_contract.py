"""The message states' contract (:class:`bot.storage.contracts.MessageStates`), the same on SQLite and Redis."""

from __future__ import annotations

import pytest

from bot.storage import contracts


def test_both_backends_keep_the_message_states_contract(stores) -> None:
    assert isinstance(stores.messages, contracts.MessageStates)


def test_a_state_moves_forward_only_and_failed_is_final(stores) -> None:
    states = stores.messages
    to = {"platform": "whatsapp", "customer_id": "201000000001"}
    states.record_sent("whatsapp", "201000000001", "wamid.A")
    assert states.status_of("wamid.A") == "sent" and states.status_of("wamid.unknown") is None
    assert states.apply_status("wamid.A", "read", **to)
    assert not states.apply_status("wamid.A", "delivered", **to)            # late, out of order
    assert states.status_of("wamid.A") == "read"
    states.record_sent("whatsapp", "201000000001", "wamid.B")
    assert states.apply_status("wamid.B", "failed", **to, error_code=131047, error="window closed")
    assert not states.apply_status("wamid.B", "read", **to) and states.status_of("wamid.B") == "failed"
    assert not states.apply_status("wamid.B", "bounced", **to)               # not a state


def test_a_watermark_moves_every_message_sent_up_to_it(stores, clock) -> None:
    states = stores.messages
    for mid in ("m_1", "m_2"):
        states.record_sent("messenger", "psid-1", mid)
    clock.now += 60
    states.record_sent("messenger", "psid-1", "m_3")
    assert states.apply_watermark("messenger", "psid-1", clock.now - 30, "delivered") == 2
    assert [states.status_of(mid) for mid in ("m_1", "m_2", "m_3")] == ["delivered", "delivered", "sent"]


def test_a_status_names_its_platform_and_customer(stores) -> None:
    stores.messages.record_sent("instagram", "1789", "ig.A")
    with pytest.raises(TypeError):
        stores.messages.apply_status("ig.A", "read")   # no platform assumed: the caller names it
    assert stores.messages.apply_status("ig.A", "read", platform="instagram", customer_id="1789")
    assert stores.messages.status_of("ig.A") == "read"
