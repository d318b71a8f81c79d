"""Which words of a pool can score ``cutoff`` or more under ``rapidfuzz.fuzz.ratio`` with a token.

``fuzz.ratio`` is ``100 * 2 * LCS / (a + b)`` for lengths ``a`` and ``b`` (LCS: the longest common
subsequence, as the Indel distance is ``a + b - 2 * LCS``). A word scores ``cutoff`` or more only if
it shares a subsequence of ``need = ceil(cutoff * (a + b) / 200)`` letters with the token, so:

* only the lengths ``b`` where ``need <= min(a, b)`` are looked at (length buckets);
* in a bucket, the words are indexed by their subsequences with up to :data:`MAX_WORD_CUTS` letters
  cut; the token's subsequences of ``need`` letters are looked up (a handful for short words);
* a bucket the index cannot answer (too many cuts) is taken whole.

:meth:`NearWords.extract` then scores only those candidates, in pool order, so its answer is the
answer of ``process.extract`` over the whole pool: same words, same scores, same order of ties.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

__all__ = ["NearWords", "MAX_WORD_CUTS", "MAX_TOKEN_SUBSEQUENCES"]

MAX_WORD_CUTS = 2            # letters cut from a pool word in the index (1 + b + b*(b-1)/2 keys a word)
MAX_TOKEN_SUBSEQUENCES = 120  # beyond this many look-ups for one bucket, the bucket is scored whole
_SLACK = 1e-6                 # float safety: ask one letter less rather than miss a word at the edge


def cut_levels(word: str, cuts: int) -> list[set[str]]:
    """``word`` with 0, 1, ... ``cuts`` letters cut: the distinct subsequences of each length."""
    levels = [{word}]
    for _ in range(cuts):
        levels.append({w[:i] + w[i + 1:] for w in levels[-1] for i in range(len(w))})
    return levels


@lru_cache(maxsize=4096)
def _plan(a: int, cutoff: float, lengths: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """For a token of ``a`` letters: ``(b, need)`` of each bucket length ``b`` that can reach
    ``cutoff``; ``need`` is -1 for a bucket to take whole."""
    plan = []
    for b in lengths:
        need = shared_letters_needed(a, b, cutoff)
        if need > min(a, b):
            continue
        whole = b - need > MAX_WORD_CUTS or math.comb(a, need) > MAX_TOKEN_SUBSEQUENCES
        plan.append((b, -1 if whole else need))
    return tuple(plan)


def shared_letters_needed(a: int, b: int, cutoff: float) -> int:
    """Fewest common-subsequence letters for ``fuzz.ratio`` of lengths ``a``, ``b`` to reach ``cutoff``."""
    return max(0, math.ceil(cutoff * (a + b) / 200 - _SLACK))


class NearWords:
    """A word pool (kept in its order) indexed for :meth:`extract` (build once; read-only after)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self._position = {w: i for i, w in reversed(list(enumerate(self.words)))}
        self._bucket: dict[int, list[int]] = {}
        self._lengths: tuple[int, ...] = ()
        self._index: dict[int, dict[str, list[int]]] = {}   # length → subsequence → positions
        for position, word in enumerate(self.words):
            self._bucket.setdefault(len(word), []).append(position)
            index = self._index.setdefault(len(word), {})
            for level in cut_levels(word, min(MAX_WORD_CUTS, len(word))):
                for sub in sorted(level):
                    index.setdefault(sub, []).append(position)
        self._lengths = tuple(sorted(self._bucket))

    def candidates(self, token: str, cutoff: float) -> list[str]:
        """Pool words (in pool order) that may score ``cutoff`` or more: a superset of those that do."""
        a = len(token)
        plan = _plan(a, cutoff, self._lengths)
        deepest = max((a - need for _, need in plan if need >= 0), default=0)
        levels = cut_levels(token, deepest)
        found: set[int] = set()
        for b, need in plan:
            if need < 0:
                found.update(self._bucket[b])
                continue
            index = self._index[b]
            for sub in index.keys() & levels[a - need]:
                found.update(index[sub])
        return [self.words[i] for i in sorted(found)]

    def extract(self, token: str, cutoff: float, limit: int = 8) -> list[tuple[str, float, int]]:
        """``process.extract(token, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)``,
        the third item being the word's position in the pool, computed on the candidates only."""
        choices = self.candidates(token, cutoff)
        found = process.extract(token, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
        return [(word, score, self._position[word]) for word, score, _ in found]
