"""The limit helpers (bot/channels/limits.py): lengths in UTF-16 units and UTF-8 bytes, cuts at words,
texts split at lines, sentences and words."""

from __future__ import annotations

from bot.channels import limits

# ---------------------------------------------------------------------------------------------
# Limit helpers


def test_truncate_cuts_at_a_word_and_adds_an_ellipsis():
    assert limits.truncate("Classic cotton shirt with long sleeves", 20) == "Classic cotton…"
    assert limits.truncate("short", 20) == "short"
    assert limits.truncate("x" * 30, 20) == "x" * 19 + "…"
    assert limits.truncate("قميص قطن مصري أبيض بأكمام طويلة", 20) == "قميص قطن مصري أبيض…"


def test_units_count_emoji_as_two():
    assert limits.units("👟") == 2 and limits.units("abc") == 3
    assert limits.units(limits.truncate("👟" * 30, 20)) <= 20


def test_split_text_prefers_lines_then_sentences_then_words():
    assert limits.split_text("first line\nsecond line", 15) == ["first line", "second line"]
    assert limits.split_text("One. Two three four.", 12) == ["One.", "Two three", "four."]
    assert limits.split_text("", 10) == []


def test_split_tail_keeps_the_end_within_the_limit():
    head, last = limits.split_tail("Intro sentence. Final question?", 16)
    assert (head, last) == ("Intro sentence.", "Final question?")
    assert limits.split_tail("fits", 10) == ("", "fits")


def test_utf8_bytes_count_arabic_as_two_and_emoji_as_four():
    assert [limits.utf8_bytes(text) for text in ("abc", "قميص", "👟")] == [3, 8, 4]


def test_split_text_bytes_keeps_every_chunk_within_the_bytes_and_loses_nothing():
    text = "قميص قطن مصري. " * 200 + "👟" * 300
    chunks = limits.split_text_bytes(text, 1000)
    assert len(chunks) > 3 and all(limits.utf8_bytes(chunk) <= 1000 for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())
    assert limits.split_text_bytes("short", 1000) == ["short"]


def test_split_tail_bytes_gives_a_last_part_within_the_bytes():
    text = "أهلا بيك. " * 300
    head, last = limits.split_tail_bytes(text, 640, 1000)
    assert limits.utf8_bytes(last) <= 1000 and limits.units(last) <= 640
    assert "".join((head + last).split()) == "".join(text.split())
