"""The shortcuts of issue 17 read every message as before: tokens found a piece at a time are the
tokens of the whole normalised text, and the learned readings of the analysed words are those of
the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.texts import Texts
from bot.nlu import learned
from bot.nlu.analysis import analyse
from bot.nlu.normalize import _TOKEN, normalize, tokenize
from tests.nlu.test_normalize_pieces import _HARD


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_HARD), max_size=24).map("".join))
def test_tokens_a_piece_at_a_time_are_the_whole_texts(text: str) -> None:
    assert tokenize(text) == _TOKEN.findall(normalize(text))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_tokens_a_piece_at_a_time_for_any_unicode(text: str) -> None:
    assert tokenize(text) == _TOKEN.findall(normalize(text))


def test_the_analysed_words_read_as_the_text() -> None:
    readings = learned.load_readings()
    for n, text in enumerate(Texts(seed=17).batch(300) + ["", "   ", "!!", "عايز عايز عايز تيشيرت"]):
        context = ("none", "after_results", "after_details")[n % 3]
        an = analyse(text, context)
        assert an.tokens == tokenize(text)
        assert readings.read_tokens(an.tokens, context) == learned.read(text, context) == \
            readings.read(text, context)

