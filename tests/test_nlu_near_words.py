"""The fuzzy look-up's index (``bot/nlu/near_words.py``).

``NearWords.extract`` must answer exactly what ``rapidfuzz.process.extract`` answers over the whole
pool (same words, scores and order of ties) while scoring only the candidates its index gives.
"""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process

from bot.nlu.near_words import NearWords, shared_letters_needed
from bot.nlu.vocab import get_vocabulary

_AR = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_LATIN = "abcdefghijklmnopqrstuvwxyz2357"


def _typos(words: list[str], alphabet: str, count: int, seed: int) -> list[str]:
    """Words with a letter cut, added, replaced or two swapped; some cut short or run together."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        word = rng.choice(words)
        i = rng.randrange(len(word))
        op = rng.randrange(6)
        if op == 0:
            word = word[:i] + word[i + 1:]
        elif op == 1:
            word = word[:i] + rng.choice(alphabet) + word[i + 1:]
        elif op == 2:
            word = word[:i] + rng.choice(alphabet) + word[i:]
        elif op == 3 and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif op == 4:
            word = word + rng.choice(words)[:rng.randrange(1, 5)]
        out.append(word)
    return out


@pytest.mark.parametrize(("script", "alphabet"), [("ar", _AR), ("latin", _LATIN)])
def test_extract_answers_what_the_whole_pool_answers(script: str, alphabet: str) -> None:
    vocabulary = get_vocabulary()
    for pools in (vocabulary._fuzzy_pool, vocabulary._topic_pool):
        near = pools[script]
        tokens = [t for t in _typos(near.words, alphabet, 400, seed=17) if len(t) >= 5]
        for token in tokens:
            for cutoff in (75, 80, 85, 83.33333333333334):
                whole = process.extract(token, near.words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
                assert near.extract(token, cutoff) == whole, (token, cutoff)


def test_candidates_are_few_for_a_short_typo() -> None:
    near = get_vocabulary()._fuzzy_pool["latin"]
    candidates = near.candidates("snekers", 80)
    assert "sneakers" in candidates
    assert len(candidates) < len(near.words) // 20


def test_extract_on_a_small_pool_keeps_pool_order_for_ties() -> None:
    near = NearWords(["abcde", "abcdx", "zzzzz", "abcdy"])
    assert near.extract("abcdq", 80) == [("abcde", 80.0, 0), ("abcdx", 80.0, 1), ("abcdy", 80.0, 3)]
    assert near.extract("qqqqq", 50) == []


def test_shared_letters_needed_is_the_ratio_bound() -> None:
    assert shared_letters_needed(5, 5, 80) == 4     # 2 * 4 / 10 = 0.8
    assert shared_letters_needed(5, 6, 80) == 5     # 2 * 4 / 11 < 0.8
    assert shared_letters_needed(8, 8, 75) == 6
