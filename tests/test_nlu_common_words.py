"""Fuzzy matching corrects typos, never real words: a common word is not read as a shop word."""

from __future__ import annotations

import pytest

from bot.nlu import understand
from bot.nlu.common_words import is_common_word


@pytest.mark.parametrize("text", ["سماعات بلوتوث", "speakers", "عندك سماعات؟", "speakers for my car"])
def test_a_common_word_is_not_fuzzed_onto_an_item(text: str) -> None:
    got = understand(text)
    assert "item" not in got.slots and got.intent != "search", got


@pytest.mark.parametrize(("text", "item"), [
    ("snekers", "sneakers"),
    ("بنطلوم اسود", "trousers"),
    ("hoody", "hoodie"),
])
def test_a_misspelling_is_still_corrected(text: str, item: str) -> None:
    assert understand(text).slots.get("item") == item


def test_common_words_are_normalised_like_messages() -> None:
    assert is_common_word("عربيه")  # written عربية in the word list; ة folds to ه
    assert is_common_word("speakers")
    assert not is_common_word("snekers")


@pytest.mark.parametrize("text", [
    "امسح المنبه",                      # delete an alarm
    "ضيف رقم ده لجروب العيلة",           # add a contact
    "الفرق بين الكشري والمكرونة",        # two recipes
    "سعر سهم البنك التجاري",             # a share price
    "عايز لون بيج للحيطه",               # a colour for a wall
    "ezay a3mel delete lel alarm",
    "what's the difference between baking soda and baking powder",
])
def test_a_shop_verb_on_other_things_is_not_a_shop_request(text: str) -> None:
    assert understand(text).intent == "unknown", understand(text)


@pytest.mark.parametrize(("text", "intent"), [
    ("امسح التيشيرت", "cart_remove"),
    ("ضيف ده للسله", "cart_add"),
    ("الفرق بين الجاكيت الجلد والجينز", "compare"),
    ("عايزه حاجه بيج قطن", "search"),
    ("عندكم ايه اصلا؟", "browse_categories"),
])
def test_the_same_verbs_on_the_shops_goods_still_work(text: str, intent: str) -> None:
    assert understand(text).intent == intent, understand(text)
