"""Common words of Arabic and English, normalised the way messages are.

A token that is itself a common word is a word, not a typo: fuzzy matching must not turn
``سماعات`` (headphones) into ``ساعات`` (watches), ``عربيات`` (cars) into ``عبايات`` or
``speakers`` into ``sneakers``. The lists are wordfreq's "small" ones (words seen at least once
in a million across its sources, about 57,000 Arabic and 29,000 English words), so a real
misspelling (``snekers``, ``بنطلوم``) is not among them.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import get_frequency_dict

from bot.nlu.normalize import tokenize

__all__ = ["is_common_word"]

_LANGUAGES = ("ar", "en")


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Every single-token common word, normalised (built once, about 0.3 s)."""
    words: set[str] = set()
    for language in _LANGUAGES:
        for word in get_frequency_dict(language, wordlist="small"):
            tokens = tokenize(word)
            if len(tokens) == 1:
                words.add(tokens[0])
    return frozenset(words)


def is_common_word(token: str) -> bool:
    """True when the normalised ``token`` is a common Arabic or English word."""
    return token in _common_words()
