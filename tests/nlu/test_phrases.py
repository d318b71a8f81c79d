"""The phrase automaton (``bot/nlu/phrases.py``) finds the spans of the old scan: at each position the
longest phrase starting there, left to right, going on after each phrase taken."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu.normalize import tokenize
from bot.nlu.phrases import PhraseMatcher
from bot.nlu.vocab import get_vocabulary

_WORDS = ("a", "b", "c", "d", "ازرق", "فاتح")


def _tried_at_every_position(phrases: dict[tuple[str, ...], int], keys: list[str]) -> list[tuple[int, int, int]]:
    """The scan as it was: every phrase length at every position, longest first."""
    lengths = sorted({len(p) for p in phrases}, reverse=True)
    found, i = [], 0
    while i < len(keys):
        for n in lengths:
            if i + n <= len(keys) and tuple(keys[i:i + n]) in phrases:
                found.append((i, i + n, phrases[tuple(keys[i:i + n])]))
                i += n
                break
        else:
            i += 1
    return found


_PHRASE = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(tuple)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PHRASE, min_size=1, max_size=8, unique=True),
       st.lists(st.sampled_from(_WORDS + ("x", "")), max_size=12))
def test_the_automaton_finds_what_trying_every_length_finds(phrases: list[tuple[str, ...]], keys: list[str]) -> None:
    table = {phrase: n for n, phrase in enumerate(phrases)}
    assert PhraseMatcher(table).find(keys) == _tried_at_every_position(table, keys)


def test_a_phrase_that_ends_the_text_after_a_longer_one_failed_is_found() -> None:
    # pyahocorasick's iter_long misses this one ('a' after 'c b' started 'c b a c')
    table = {("a",): 0, ("c", "c", "b"): 1, ("a", "b"): 2, ("c", "b", "a", "c"): 3}
    assert PhraseMatcher(table).find(["c", "y", "y", "c", "b", "a"]) == [(5, 6, 0)]


def test_no_phrases_and_no_tokens() -> None:
    assert PhraseMatcher({}).find(["a"]) == []
    assert PhraseMatcher({("a",): 1}).find([]) == []


def test_the_lexicon_scan_takes_the_longest_phrase() -> None:
    vocab = get_vocabulary()
    spans, _ = vocab.scan(tokenize("عايز قميص ازرق فاتح بكام"))
    colour = next(s for s in spans if "color" in s.kind_set)
    assert (colour.start, colour.end, colour.value("color")) == (2, 4, "light blue")
    assert [(s.start, s.end) for s in spans] == sorted({(s.start, s.end) for s in spans})
