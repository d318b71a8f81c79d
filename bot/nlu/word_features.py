"""What a message is written with, as features for the learned readings (``shopness.py``,
``intent_model.py``): character 3- to 5-grams of each normalised word, the words, the word pairs."""

from __future__ import annotations

from functools import lru_cache

from bot.nlu.normalize import tokenize

__all__ = ["NGRAMS", "features", "feature_set"]

NGRAMS = (3, 5)


def features(text: str) -> list[str]:
    """The sorted, distinct features of ``text``: ``c`` + character n-grams of each word padded with
    spaces, ``w`` + each word, ``b`` + each pair of neighbouring words (all normalised)."""
    return sorted(feature_set(text))


def feature_set(text: str) -> set[str]:
    """The features of :func:`features`, unsorted (for look-ups whose order does not matter)."""
    tokens = tokenize(text)
    out = {"w" + t for t in tokens}
    out.update(["b" + a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)])
    for token in tokens:
        out |= _char_ngrams(token)
    return out


@lru_cache(maxsize=65536)
def _char_ngrams(token: str) -> frozenset[str]:
    """``c`` + each character n-gram of `` token `` (a word seen again costs a look-up)."""
    padded = f" {token} "
    low, high = NGRAMS
    return frozenset(["c" + padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)])
