"""One message, analysed once: tokens, lookup keys, matched phrases and numbers.

Both the slot extractor (``slots.py``) and the intent scorer (``intents.py``) read an
:class:`Analysis`; neither looks at the raw text again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from bot.nlu.normalize import tokenize
from bot.nlu.numbers import may_start_number, read_number
from bot.nlu.vocab import Span, Tag, get_vocabulary

__all__ = ["Number", "Analysis", "analyse"]

_UPPER_SIZE = re.compile(r"(?<![A-Za-z'])([SML])(?![A-Za-z'])")


class Number(NamedTuple):
    """A number in the message: tokens ``start``..``end`` and its value (a named tuple, as :class:`Span`)."""

    start: int
    end: int
    value: int
    is_digits: bool


_NO_KINDS: frozenset[str] = frozenset()


@dataclass(slots=True)
class Analysis:
    """Tokens, lookup keys, phrase spans (one per covered token) and numbers of one message."""

    tokens: list[str]
    keys: list[str]
    spans: list[Span]
    at: list[Span | None]
    numbers: list[Number]
    upper_sizes: frozenset[str]
    context: str
    cue_spans: list[tuple[Span, Tag]] = field(default_factory=list)
    all_kinds: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()   # every token and every lookup key
    # ``has(kind)``: True when some span holds a tag of ``kind`` (``all_kinds``' own membership test:
    # the rules ask it some thirty times a message).
    has: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.has = self.all_kinds.__contains__

    def in_context(self, context: str) -> Analysis:
        """This analysis read in another conversation context (the words are not read again: only
        the slots and the intent depend on the context)."""
        return self if context == self.context else replace(self, context=context)

    def span_at(self, i: int) -> Span | None:
        """The span covering token ``i`` (None outside the message or uncovered)."""
        return self.at[i] if 0 <= i < len(self.at) else None

    def kinds_at(self, i: int) -> frozenset[str]:
        """Tag kinds of the span covering token ``i``."""
        if 0 <= i < len(self.at):
            span = self.at[i]
            if span is not None:
                return span.kind_set
        return _NO_KINDS

    def number_at(self, i: int) -> Number | None:
        """The number starting at token ``i``."""
        for number in self.numbers:
            if number.start == i:
                return number
        return None

    def spans_of(self, kind: str) -> list[Span]:
        """Spans holding a tag of ``kind``, in order."""
        if kind not in self.all_kinds:
            return []
        return [s for s in self.spans if kind in s.kind_set]

    def key_in(self, i: int, words: frozenset[str]) -> bool:
        """True when token ``i`` (or its lookup key) is one of ``words``."""
        if not 0 <= i < len(self.tokens):
            return False
        return self.tokens[i] in words or self.keys[i] in words

    def any_key_in(self, words: frozenset[str]) -> bool:
        """True when some token (or its lookup key) is one of ``words``."""
        return not self.words.isdisjoint(words)


@lru_cache(maxsize=1)
def _number_blockers() -> frozenset[str]:
    """Kinds whose spans are never read as numbers (ordinals hold 'one', sizes hold '2xl')."""
    return frozenset({"ordinal", "size", "item", "color", "category", "cue", "not_slots"})


def _numbers(tokens: list[str], at: list[Span | None]) -> list[Number]:
    """Numbers starting at tokens that no slot or cue phrase covers."""
    starts = list(map(may_start_number, tokens))
    if not any(starts):
        return []
    blockers = _number_blockers()
    found: list[Number] = []
    i = 0
    while i < len(tokens):
        if not starts[i]:
            i += 1
            continue
        span = at[i]
        if span is not None and (span.kind_set & blockers) and not tokens[i].isdigit():
            i += 1
            continue
        got = read_number(tokens, i)
        if got is None:
            i += 1
            continue
        found.append(Number(i, i + got[1], got[0], tokens[i][:1].isdigit()))
        i += got[1]
    return found


def _may_have_upper_size(text: str) -> bool:
    """True when ``text`` holds a capital S, M or L (the only letters :data:`_UPPER_SIZE` finds)."""
    return "S" in text or "M" in text or "L" in text


@lru_cache(maxsize=1)
def _reread() -> Callable[[Analysis], list[Span]]:
    """:func:`bot.nlu.senses.reread`, imported once (senses reads an Analysis: not imported at the top;
    an import statement in :func:`analyse` would cost half a microsecond a message)."""
    from bot.nlu.senses import reread

    return reread


def analyse(text: str, context: str = "none") -> Analysis:
    """Tokenise ``text``, match the lexicon phrases, read the numbers, and settle the words that
    their neighbours give another sense (:func:`bot.nlu.senses.reread`)."""
    reread = _reread()
    tokens = tokenize(text)
    spans, keys = get_vocabulary().scan(tokens)
    upper = frozenset(_UPPER_SIZE.findall(text)) if len(text) < 400 and _may_have_upper_size(text) else frozenset()
    an = _build(tokens, keys, spans, upper, context)
    reread_spans = reread(an)
    return an if reread_spans is spans else _build(tokens, keys, reread_spans, upper, context)


def _build(tokens: list[str], keys: list[str], spans: list[Span], upper: frozenset[str],
           context: str) -> Analysis:
    at: list[Span | None] = [None] * len(tokens)
    for span in spans:
        at[span.start:span.end] = [span] * (span.end - span.start)
    cues = [(s, t) for s in spans if "cue" in s.kind_set for t in s.tags if t.kind == "cue"]
    kinds = frozenset().union(*[s.kind_set for s in spans])
    return Analysis(tokens, keys, spans, at, _numbers(tokens, at), upper, context, cues, kinds,
                    frozenset(tokens).union(keys))
