"""Franco-Arabic words matched to a store's Arabic words by their consonants (``mayoh`` → ``مايوه``).

Many Egyptian catalogs are written in Arabic only, while customers type Franco. Both are reduced
to a *skeleton*: consonant classes (س/ص/ث and ``s`` are one, ق/ك and ``2``/``q``/``k`` one, ج and
``g``/``j`` one...), with the weak letters dropped (ا و ي ع ء; Latin vowels, ``y``, ``w``, ``3``),
a final ه (ta marbuta) or a Latin ``h`` after a vowel dropped, doubled letters single. A second,
finer key keeps و/ي as ``w``/``y`` (Latin ``o``/``u`` and ``i``/``e``), so short skeletons must agree
on their long vowels too::

    >>> skeleton("fostan"), skeleton("فستان")
    ('fstn', 'fstn')
    >>> fine_key("mayoh") == fine_key("مايوه")
    True

:class:`FrancoIndex` holds the Arabic words of one catalog by skeleton; a lookup gives the store
words a Franco word can be (short skeletons must also agree on their long vowels).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

__all__ = ["FrancoIndex", "fine_key", "skeleton"]

_ARABIC = {
    "ب": "b", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "g", "ح": "h", "ه": "h", "خ": "X",
    "د": "d", "ض": "d", "ذ": "z", "ز": "z", "ظ": "z", "ر": "r", "ش": "C", "غ": "G", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "و": "w", "ي": "y", "ا": "", "ع": "", "ء": "", "ى": "y",
}
_LATIN_DIGRAPHS = (("sh", "C"), ("ch", "C"), ("kh", "X"), ("gh", "G"), ("th", "s"), ("ph", "f"), ("ou", "w"),
                   ("ee", "y"), ("oo", "w"))
_LATIN = {"a": "", "e": "y", "i": "y", "o": "w", "u": "w", "y": "y", "w": "w", "2": "k", "3": "", "5": "X",
          "7": "h", "8": "G", "9": "k", "q": "k", "c": "k", "j": "g", "p": "b", "v": "f", "x": "ks"}
_WEAK = re.compile("[wy]")
_DOUBLE = re.compile(r"(.)\1+")
_LATIN_WORD = re.compile(r"[a-z2-9]+")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def fine_key(word: str) -> str:
    """Consonant classes with the long vowels (``w``/``y``) kept; '' for a word of neither script."""
    if _ARABIC_WORD.fullmatch(word):
        if word.endswith("ه") and len(word) > 2:
            word = word[:-1]                            # ta marbuta: Franco writes it as a vowel
        key = "".join(_ARABIC.get(letter, "") for letter in word)
    elif _LATIN_WORD.fullmatch(word) and any(c.isalpha() for c in word):
        if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
            word = word[:-1]
        for pair, value in _LATIN_DIGRAPHS:
            word = word.replace(pair, value)
        key = "".join(_LATIN.get(letter, letter) for letter in word)
    else:
        return ""
    return _DOUBLE.sub(r"\1", key)


def skeleton(word: str) -> str:
    """The consonants alone (weak letters dropped): what a Franco and an Arabic spelling share."""
    return _DOUBLE.sub(r"\1", _WEAK.sub("", fine_key(word)))


class FrancoIndex:
    """A catalog's Arabic words by skeleton, for Franco words the catalog does not have."""

    def __init__(self, arabic_words: Iterable[str]) -> None:
        self._by_skeleton: dict[str, list[str]] = {}
        for word in sorted(set(arabic_words)):
            key = skeleton(word)
            if key:
                self._by_skeleton.setdefault(key, []).append(word)

    def candidates(self, latin: str) -> list[str]:
        """The Arabic store words ``latin`` can be: same skeleton; at three consonants the long vowels
        nearly the same (one difference), under three exactly the same."""
        key = skeleton(latin)
        if not key or not _LATIN_WORD.fullmatch(latin):
            return []
        found = self._by_skeleton.get(key, [])
        fine = fine_key(latin)
        if len(key) < 3:
            found = [word for word in found if len(fine) >= 3 and fine_key(word) == fine]
        elif len(key) == 3:                        # "qwerty" is not كروت: the long vowels must nearly agree
            found = [word for word in found if Levenshtein.distance(fine_key(word), fine) <= 1]
        return found
