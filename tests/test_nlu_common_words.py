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
