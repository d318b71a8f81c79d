"""The session's typed fields: StrEnums that store as the plain strings older sessions hold."""

from __future__ import annotations

import json

import pytest

from bot.dialog.session import Checkout, Context, Session, Step
from bot.language import Lang

# A session as an older version stored it: every typed field a plain string.
OLD = {"lang": "en", "lang_chosen": True, "context": "after_details", "focus": 53,
       "checkout": {"id": "0a1b2c3d4e5f", "step": "governorate", "name": "Mona", "phone": "01001234567"},
       "cart": [{"product_id": 53, "name_ar": "هودي", "name_en": "Hoodie", "unit_price": 450, "size": "M",
                 "color": "black"}]}


def test_an_older_session_of_plain_strings_loads_typed() -> None:
    session = Session.from_dict(OLD)
    assert session.lang is Lang.EN and session.context is Context.AFTER_DETAILS
    assert session.checkout is not None and session.checkout.step is Step.GOVERNORATE
    assert session.checkout.name == "Mona" and session.cart[0].key() == (53, "M", "black")


def test_a_session_stores_as_the_same_plain_strings() -> None:
    stored = json.loads(json.dumps(Session.from_dict(OLD).to_dict()))
    assert stored["lang"] == "en" and stored["context"] == "after_details"
    assert stored["checkout"]["step"] == "governorate"
    assert Session.from_dict(stored) == Session.from_dict(OLD)


@pytest.mark.parametrize(("field", "value"), [("lang", "fr"), ("lang", 3), ("lang", None), ("context", "after_cart"),
                                              ("context", ["none"]), ("context", {"a": 1})])
def test_an_unknown_value_takes_the_default(field: str, value: object) -> None:
    session = Session.from_dict({field: value})
    assert (session.lang, session.context) == (Lang.AR, Context.NONE)


@pytest.mark.parametrize("step", ["payment", "", None, 7, ["name"]])
def test_a_checkout_at_an_unknown_step_is_dropped(step: object) -> None:
    assert Checkout.from_dict({"id": "x", "step": step}) is None


def test_the_enums_compare_equal_to_their_strings() -> None:
    """The intent matcher and older code still pass plain strings."""
    assert Lang.AR == "ar" and Context.AFTER_RESULTS == "after_results" and Step.CONFIRM == "confirm"
    assert {"ar": 1}[Lang.AR] == 1 and Lang.read("en") is Lang.EN and Lang.read("xx") is Lang.AR
    assert Lang.AR.other is Lang.EN and Lang.EN.other is Lang.AR
