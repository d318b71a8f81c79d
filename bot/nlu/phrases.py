"""Phrases of several tokens found in one pass: an Aho–Corasick automaton (``ahocorasick_rs``).

Each token a phrase holds is written as one character of its own (a private code point), so a
phrase is a short string and a message's keys are another; a token no phrase holds is written as
:data:`_NONE`, which no phrase contains. The automaton's leftmost-longest search then gives, left to
right, the longest phrase at each position and goes on after it: the same spans as trying every
phrase length at every position, longest first, in one pass of compiled code::

    >>> m = PhraseMatcher({("ازرق",): 1, ("ازرق", "فاتح"): 2, ("بكام",): 3})
    >>> m.find(["عايز", "ازرق", "فاتح", "بكام"])
    [(1, 3, 2), (3, 4, 3)]

``ahocorasick_rs`` (the Rust ``aho-corasick`` crate) rather than ``pyahocorasick``: with thousands
of phrase tokens, pyahocorasick's nodes search their children one by one (about 7 us a message
here against 1 us), and its ``iter_long`` misses a phrase that ends the text after a longer one
failed (``a`` in ``c b a`` next to ``c b a c``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

import ahocorasick_rs

__all__ = ["PhraseMatcher"]

V = TypeVar("V")

_FIRST = 0x20000   # code points from the supplementary planes: no surrogates, no real text here
_NONE = "\x00"     # a token no phrase holds


class PhraseMatcher(Generic[V]):
    """Token phrases → values, matched longest first, left to right (build once; read-only after)."""

    def __init__(self, phrases: Mapping[tuple[str, ...], V]) -> None:
        ordered = sorted(phrases)
        tokens = sorted({token for phrase in ordered for token in phrase})
        self._code = {token: chr(_FIRST + n) for n, token in enumerate(tokens)}
        self._values = [phrases[phrase] for phrase in ordered]
        self._automaton = ahocorasick_rs.AhoCorasick(
            [self.encode(phrase) for phrase in ordered], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def encode(self, tokens: Sequence[str]) -> str:
        """One character a token: its code, or :data:`_NONE` for a token no phrase holds."""
        code = self._code
        return "".join([code.get(token, _NONE) for token in tokens])

    def find(self, tokens: Sequence[str]) -> list[tuple[int, int, V]]:
        """``(start, end, value)`` of the longest phrase at each position, left to right, skipping
        the tokens a phrase took (``end`` exclusive)."""
        values = self._values
        return [(start, end, values[n]) for n, start, end in
                self._automaton.find_matches_as_indexes(self.encode(tokens))]
