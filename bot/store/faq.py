"""The shop's FAQ: the owner's questions (several wordings, Arabic and English) and their answers.

:class:`FaqMatcher` is built once, when the profile is loaded, from every wording normalised by
``bot.nlu.normalize`` (hamzas, taa marbuta, Arabic-Indic digits, repeated letters, Franco
digraphs), without function words ("هل", "عندكم", "انتو", "do", "you"...: the question's frame,
not what it asks). A message is compared with each wording word by word, in any order:

* a word's *likeness* to another is 100 when equal, else rapidfuzz's ``ratio`` (with and without
  an article: "بالجملة" / "جملة"), and 95 for an Arabic and a Franco spelling with the same
  consonants (``taghlif`` / ``تغليف``, :mod:`bot.store.franco`);
* *recall*: how much of the wording the message holds (each wording word's best likeness to a
  message word, longer words weighing more) — this is ``token_set_ratio``'s idea (the wording's
  words among the message's, extra words allowed) without its flaw for us: a one-word message
  ("عندكم؟") is a subset of every wording and would score 100 there;
* *precision*: the same the other way, how much of the message the wording explains.

A message's score for a wording is ``0.75 * recall + 0.25 * precision`` (extra words cost a
little, a stray keyword in a long unrelated message a lot). Two thresholds, chosen on a sweep
(``tests/store/test_profile.py::test_faq_threshold_sweep``): paraphrases of five FAQ questions
(typos, no hamza, Franco, English, extra words) and 2,302 labelled customer messages
(tests/data nlu_blind_a/c/d, nlu_dev, nlu_offtopic):

* :data:`FAQ_MIN` = 76: the router answers with the FAQ when the intent matcher found nothing
  more specific (``unknown``, ``store_info``, ``help``). At 76, 82% of the paraphrases are found
  and one labelled message that the router would send there and that asks no FAQ ("ازاي اعمل
  حساب انستا جديد", against "حسابكم على الانستا إيه؟"); at 70, 95% and three; at 82, 72% and none.
* :data:`FAQ_SURE` = 90 on ``min(recall, precision)`` (the message *is* the wording, nothing
  more): only then does an FAQ answer win over what the intent matcher understood (a shipping
  question, a search...), so "الشحن لاسكندرية بكام" still gets Alexandria's fee although an FAQ
  asks "الشحن بكام؟". No labelled message of another intent reaches 85.

The likeness is symmetric, so each message word is compared once with each word of the FAQ's
vocabulary (every wording's words, once), in three ``rapidfuzz.process.cdist`` calls
(:class:`_Vocabulary`); recall and precision are then read from that matrix, the same numbers as
comparing word by word, wording by wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.nlu.normalize import is_arabic, tokenize
from bot.store.franco import fine_key, skeleton

__all__ = ["FAQ_MIN", "FAQ_SURE", "FaqEntry", "FaqMatch", "FaqMatcher", "content_words"]

FAQ_MIN = 76.0
FAQ_SURE = 90.0

# Words that carry no question of their own ("do you…", "هل انتو…"), after normalisation.
FUNCTION_WORDS = frozenset({
    # Arabic (Egyptian and MSA)
    "هل", "في", "فى", "من", "على", "علي", "عن", "الى", "الي", "لو", "يا", "و", "او", "ولا", "ده", "دي", "دا",
    "انتو", "انتم", "انتوا", "انت", "انتي", "حضرتك", "انا", "احنا", "ممكن", "لوسمحت", "سمحت", "بس", "طيب",
    "كده", "كدا", "بقى", "بقي", "يعني", "اللي", "ايه", "اي", "هو", "هي",
    # English
    "do", "does", "did", "you", "your", "yours", "the", "a", "an", "is", "are", "am", "can", "could", "i", "me",
    "my", "we", "us", "to", "of", "for", "it", "please", "pls", "plz", "there", "any", "hi", "hello", "and", "or",
    # Franco
    "enta", "ento", "entu", "el", "fe", "fi", "3ala", "ana", "law", "ya", "momken", "howa", "heya",
    # "do you have", "is there", "I want": the question's frame, not what it asks
    "عندكم", "عندكو", "عندك", "فيه", "فيش", "عايز", "عاوز", "عايزه", "عاوزه", "محتاج", "محتاجه",
    "have", "has", "want", "need", "3andko", "3andkom", "feh", "fih", "3ayez", "3ayza",
})


def content_words(text: str) -> list[str]:
    """The normalised words of ``text`` without function words (all of them when nothing is left)."""
    words = [w for w in tokenize(text) if w != "#"]
    kept = [w for w in words if w not in FUNCTION_WORDS]
    return kept or words


@dataclass(frozen=True)
class FaqEntry:
    """One question of the FAQ: its wordings in both languages and its answer in both."""

    questions_ar: tuple[str, ...]
    questions_en: tuple[str, ...]
    answer_ar: str
    answer_en: str

    def answer(self, lang: str = "ar") -> str:
        return self.answer_en if lang == "en" else self.answer_ar

    @property
    def wordings(self) -> tuple[str, ...]:
        return self.questions_ar + self.questions_en


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    wording: str
    score: float


@dataclass(frozen=True)
class _Wording:
    entry: FaqEntry
    text: str
    words: tuple[str, ...]


class FaqMatcher:
    """Finds the FAQ entry a customer's message asks; immutable and thread-safe once built."""

    def __init__(self, entries: tuple[FaqEntry, ...] | list[FaqEntry] = ()) -> None:
        self.entries = tuple(entries)
        wordings = []
        for entry in self.entries:
            for text in entry.wordings:
                words = tuple(content_words(text))
                if words:
                    wordings.append(_Wording(entry, text, words))
        self._wordings = tuple(wordings)
        self._vocabulary = _Vocabulary(tuple(word for w in self._wordings for word in w.words))
        index = self._vocabulary.index
        # Every wording's words as vocabulary columns, padded to the longest wording with weight 0
        # (adding 0.0 changes no sum): recall is then a few array operations for all wordings at once.
        longest = max((len(w.words) for w in self._wordings), default=0)
        self._columns = np.array([[index[word] for word in w.words] + [0] * (longest - len(w.words))
                                  for w in self._wordings], dtype=np.intp).reshape(len(self._wordings), longest)
        self._lengths = np.array([[len(word) for word in w.words] + [0] * (longest - len(w.words))
                                  for w in self._wordings], dtype=np.float64).reshape(len(self._wordings), longest)
        self._weights = np.array([_weight(w.words) for w in self._wordings], dtype=np.float64)
        # The wordings' columns one after the other, and where each wording starts (for reduceat).
        self._flat = np.array([index[word] for w in self._wordings for word in w.words], dtype=np.intp)
        starts = np.cumsum([0] + [len(w.words) for w in self._wordings])[:-1]
        self._starts = starts.astype(np.intp)

    def __bool__(self) -> bool:
        return bool(self._wordings)

    def __len__(self) -> int:
        return len(self.entries)

    def scores(self, text: str) -> list[tuple[float, float, _Wording]]:
        """(recall, precision, wording) for every wording: how much of the wording the message
        holds, and how much of the message the wording explains."""
        table = self._table(text)
        if table is None:
            return []
        recall, precision = table
        return list(zip(recall.tolist(), precision.tolist(), self._wordings, strict=True))

    def best(self, text: str) -> FaqMatch | None:
        """The best wording for ``text`` by :func:`score` (any score), or None without words or FAQ."""
        table = self._table(text)
        if table is None:
            return None
        recall, precision = table                                  # :func:`score`, for every wording
        return self._found(RECALL_WEIGHT * recall + (1 - RECALL_WEIGHT) * precision)

    def match(self, text: str, threshold: float = FAQ_MIN) -> FaqMatch | None:
        """The entry ``text`` asks when its score reaches ``threshold``."""
        found = self.best(text)
        return found if found is not None and found.score >= threshold else None

    def same(self, text: str, threshold: float = FAQ_SURE) -> FaqMatch | None:
        """The entry one of whose wordings ``text`` *is*: both ways alike (extra words cost)."""
        table = self._table(text)
        if table is None:
            return None
        found = self._found(np.minimum(*table))
        return found if found.score >= threshold else None

    def _found(self, values: np.ndarray) -> FaqMatch:
        """The wording with the highest value (the first of equals)."""
        best = int(np.argmax(values))
        wording = self._wordings[best]
        return FaqMatch(wording.entry, wording.text, float(values[best]))

    def _table(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Recall and precision of every wording for ``text`` (None without words or FAQ).

        Each sum adds its terms in the words' order, as word-by-word comparing does, so the
        numbers are the same to the last bit.
        """
        words = tuple(content_words(text))
        if not words or not self._wordings:
            return None
        likeness = self._vocabulary.likeness(words)               # message words x vocabulary words
        # recall: each wording word's best likeness in the message, weighed by its length
        held = likeness.max(axis=0)[self._columns] * self._lengths
        total = np.zeros(len(self._wordings))
        for column in range(held.shape[1]):
            total = total + held[:, column]
        recall = np.divide(total, self._weights, out=np.zeros_like(total), where=self._weights > 0)
        # precision: each message word's best likeness among the wording's words, weighed by its length
        explained = np.maximum.reduceat(likeness[:, self._flat], self._starts, axis=1)
        lengths = [len(word) for word in words]
        total = np.zeros(len(self._wordings))
        for row, length in enumerate(lengths):
            total = total + explained[row] * length
        return recall, total / _weight(words)


def score(recall: float, precision: float) -> float:
    """A message's score for one wording: mostly how much of the wording it holds, a quarter how
    much of the message the wording explains (extra words cost a little, a stray keyword a lot)."""
    return RECALL_WEIGHT * recall + (1 - RECALL_WEIGHT) * precision


RECALL_WEIGHT = 0.75


def _weight(words: tuple[str, ...]) -> float:
    """The words' total length, summed as the coverage sums it."""
    weight = 0.0
    for word in words:
        weight += len(word)
    return weight


class _Vocabulary:
    """The FAQ's words, once each, with what :func:`_likeness` compares, to compare a message with
    all of them at once."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = tuple(dict.fromkeys(words))
        self.index = {word: column for column, word in enumerate(self.words)}
        features = [_features(word) for word in self.words]
        self.bare = [bare for bare, _, _, _ in features]
        self.keys = [key for _, _, key, _ in features]
        self.arabic = np.array([arabic for _, arabic, _, _ in features], dtype=bool)
        self.fine = np.array([fine for _, _, _, fine in features], dtype=object)
        self.long_key = np.array([len(key) >= 2 for key in self.keys], dtype=bool)
        self.key_array = np.array(self.keys, dtype=object)

    def likeness(self, words: tuple[str, ...]) -> np.ndarray:
        """:func:`_likeness` of every message word (rows) with every vocabulary word (columns)."""
        features = [_features(word) for word in words]
        same_script = np.maximum(
            process.cdist(words, self.words, scorer=fuzz.ratio, dtype=np.float64),
            process.cdist([bare for bare, _, _, _ in features], self.bare, scorer=fuzz.ratio, dtype=np.float64))
        keys = [key for _, _, key, _ in features]
        keys_alike = 0.8 * process.cdist(keys, self.keys, scorer=fuzz.ratio, dtype=np.float64)
        key_array = np.array(keys, dtype=object)
        equal_keys = key_array[:, None] == self.key_array[None, :]
        long_enough = np.array([len(key) >= 3 for key in keys], dtype=bool)[:, None]
        same_fine = np.array([fine for _, _, _, fine in features], dtype=object)[:, None] == self.fine[None, :]
        across = np.where(equal_keys, np.where(long_enough | same_fine, 95.0, 70.0), keys_alike)
        both_keyed = np.array([len(key) >= 2 for key in keys], dtype=bool)[:, None] & self.long_key[None, :]
        across = np.where(both_keyed, across, 0.0)
        arabic = np.array([arabic for _, arabic, _, _ in features], dtype=bool)[:, None]
        return np.where(arabic == self.arabic[None, :], same_script, across)


def _likeness(a: str, b: str) -> float:
    """0-100: the same word (100), a typo or a clitic away (rapidfuzz ratio), or one word in Arabic
    letters and the other in Franco with the same consonants (``taghlif`` / ``تغليف``: 95)."""
    if a == b:
        return 100.0
    bare_a, arabic_a, key_a, fine_a = _features(a)
    bare_b, arabic_b, key_b, fine_b = _features(b)
    if arabic_a != arabic_b:
        if len(key_a) < 2 or len(key_b) < 2:
            return 0.0
        if key_a == key_b:
            return 95.0 if len(key_a) >= 3 or fine_a == fine_b else 70.0
        return 0.8 * fuzz.ratio(key_a, key_b)
    return max(fuzz.ratio(a, b), fuzz.ratio(bare_a, bare_b))


@lru_cache(maxsize=16384)
def _features(word: str) -> tuple[str, bool, str, str]:
    """What :func:`_likeness` compares: the word without its article, its script, its consonants."""
    return _bare(word), is_arabic(word), skeleton(word), fine_key(word)


_CLITICS = re.compile(r"^(?:و|ف)?(?:بال|لل|ال|كال)(?=...)")


def _bare(word: str) -> str:
    """Without a leading article and its particles ("بالجملة" → "جملة", "والفروع" → "فروع")."""
    return _CLITICS.sub("", word)
