"""Wordings customers use that the matcher read wrong (issue 12): each rule with a shop message
and the near message it must not change. Variants, not the sentences the rules were found on."""

from __future__ import annotations

import pytest

from bot.nlu import understand


@pytest.mark.parametrize(("text", "context", "intent", "slots"), [
    # Arabic writes no doubled letter: an elongated word is the word
    ("بكاام ده", "after_details", "price_inquiry", {}),
    ("الشنططه دي بكام", "after_details", "price_inquiry", {"item": "bag"}),
    # feminine Franco ordinals
    ("el tanya b kam", "after_results", "price_inquiry", {"product_ref": "2"}),
    ("el awla fe size M?", "after_results", "product_details", {"product_ref": "1", "size": "M"}),
    # adding, in the forms people type (feminine, MSA, "get me one")
    ("حطيلي ٣ كحلي", "after_details", "cart_add", {"quantity": 3, "color": "navy"}),
    ("اضفها للسله لو سمحت", "after_details", "cart_add", {}),
    ("هاتيلي واحد اسود", "after_details", "cart_add", {"color": "black"}),
    ("هاخد منه اتنين", "after_details", "cart_add", {"quantity": 2}),
    # what the bot can do
    ("تقدر تعملي ايه بالظبط؟", "none", "help", {}),
    # a future arrival of one order is its status; the shipping time in general is shipping
    ("اوردري هيجي امتى", "none", "order_status", {}),
    ("الطلب بتاعي هيوصل امتى", "none", "order_status", {}),
    ("الشحن لطنطا بياخد قد ايه", "none", "shipping_info", {}),
    # another product of a kind, after details, is a search; this one is a question about it
    ("فيه جاكيت تاني حريمي؟", "after_details", "search", {"item": "jacket", "category": "women"}),
    ("الجاكيت ده متاح؟", "after_details", "product_details", {"item": "jacket"}),
    # a refused item is not the item asked for
    ("مش عايزه جيب، عايزه فستان طويل", "none", "search", {"item": "dress"}),
])
def test_wording(text: str, context: str, intent: str, slots: dict) -> None:
    got = understand(text, context)
    assert (got.intent, got.slots) == (intent, slots), (got.intent, got.slots)


def test_a_real_doubled_letter_is_kept() -> None:
    assert understand("ممكن تيشيرت اسود", "none").slots == {"item": "t-shirt", "color": "black"}
