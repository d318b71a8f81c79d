"""The orders' contract (:class:`bot.storage.contracts.Orders`), the same on SQLite and Redis."""

from __future__ import annotations

import pytest

from bot.storage import contracts
from tests.conftest import seeded_order_numbers

ITEMS = [{"product_id": 53, "name": "تيشيرت", "unit_price": 450, "quantity": 2}]


def place(stores, key: str, customer: str = "psid-1", phone: str = "01012345678"):
    stores.orders.new_number = seeded_order_numbers()  # the same numbers on both backends
    return stores.orders.create(
        idempotency_key=key, platform="messenger", customer_id=customer, name="منى", phone=phone,
        governorate="cairo", address="٢٢ شارع فؤاد", items=ITEMS, shipping_fee=60)


def test_both_backends_keep_the_orders_contract(stores) -> None:
    assert isinstance(stores.orders, contracts.Orders)


def test_an_order_is_saved_once_under_its_key_and_found_as_typed(stores) -> None:
    order = place(stores, "turn-1")
    assert place(stores, "turn-1") == order                      # a repeated confirmation
    assert (order.subtotal, order.total, order.status) == (900, 960, "new")
    assert stores.orders.get(order.number.lower().replace("-", " ")) == order
    assert stores.orders.get("not a number") is None


def test_orders_are_listed_newest_first_by_phone_customer_and_status(stores, clock) -> None:
    first = place(stores, "turn-1")
    clock.now += 1
    second = place(stores, "turn-2", customer="psid-2")
    assert [o.number for o in stores.orders.by_phone("01012345678")] == [second.number, first.number]
    assert [o.number for o in stores.orders.by_customer("messenger", "psid-2")] == [second.number]
    stores.orders.set_status(first.number, "shipped")
    assert [o.number for o in stores.orders.list("shipped")] == [first.number]
    assert [o.number for o in stores.orders.list()] == [second.number, first.number]


def test_a_transition_happens_only_from_the_statuses_named(stores) -> None:
    order = place(stores, "turn-1")
    moved, now = stores.orders.transition(order.number, "cancelled", only_from=("new",))
    assert moved and now.status == "cancelled"
    moved, now = stores.orders.transition(order.number, "confirmed", only_from=("new",))
    assert not moved and now.status == "cancelled"
    assert stores.orders.transition("DK-NOPE1", "cancelled", only_from=("new",)) == (False, None)
    with pytest.raises(ValueError):
        stores.orders.set_status(order.number, "lost")


def test_failed_checks_are_counted_per_account_and_per_phone(stores) -> None:
    left = stores.orders.checks_left("messenger", "psid-9", "01099999999")
    assert stores.orders.fail_check("messenger", "psid-9", "01099999999") == left - 1
    assert stores.orders.checks_left("messenger", "psid-9") == left - 1
    assert stores.orders.checks_left("messenger", "psid-8") == left
