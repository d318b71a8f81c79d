"""``normalize`` reads a message a space-separated piece at a time: the same text as normalising
the whole message in one string, for any mix of the characters that make normalisation hard."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu.normalize import _normalize_piece, normalize

# Characters each step acts on, and their neighbours: spaces of every kind (NFKC makes U+00A0 and
# U+3000 plain spaces), capitals and the Greek sigma (lower case reads the neighbours), Arabic
# letters, hamzas, tashkeel and tatweel, Eastern and Persian digits, Franco 3'/7', apostrophes,
# presentation forms and ligatures NFKC splits into several letters or words (ﻻ, ﬁ, ﷺ, ㎏, ½),
# invisible marks, and a combining mark that may follow a space.
_HARD = (" ", " ", " ", "\u00a0", "\u3000", "\t", "\n", "a", "A", "z", "x", "l", "s", "3", "7", "0", "9", "'",
         "\u2019", "`", "Σ", "ς", "İ", "Ａ", "ا", "أ", "إ", "آ", "ى", "ي", "ة", "ه", "ؤ", "ئ", "ء", "ب", "ك",
         "ل", "\u064b", "\u0651", "\u0640", "٣", "٠", "۴", "،", "؟", "ﻻ", "ﬁ", "ﷺ", "㎏", "½", "²", "\u200b",
         "\u00ad", "\u200f", "\u0308", "é", "e\u0301", "ک", "ی", "ڤ", "#", ".", "-")


def _whole(text: str) -> str:
    """Normalise ``text`` as one string (the way every message was read before pieces)."""
    return _normalize_piece.__wrapped__(text)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_HARD), max_size=24).map("".join))
def test_pieces_read_as_the_whole_text(text: str) -> None:
    assert normalize.__wrapped__(text) == _whole(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_pieces_read_as_the_whole_text_for_any_unicode(text: str) -> None:
    assert normalize.__wrapped__(text) == _whole(text)


def test_a_message_reads_as_before() -> None:
    assert normalize("عايزززز  تيشيرت أسوَد مقاس ٤٢؟") == "عايز تيشيرت اسود مقاس 42?"
    assert normalize("  3ayez\u00a0T-Shirt ال٣٠٠  ") == _whole("  3ayez\u00a0T-Shirt ال٣٠٠  ") == "3ayez t-shirt ال 300"
