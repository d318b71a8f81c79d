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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

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

    def __bool__(self) -> bool:
        return bool(self._wordings)

    def __len__(self) -> int:
        return len(self.entries)

    def scores(self, text: str) -> list[tuple[float, float, _Wording]]:
        """(recall, precision, wording) for every wording: how much of the wording the message
        holds, and how much of the message the wording explains."""
        words = tuple(content_words(text))
        if not words:
            return []
        return [(_coverage(w.words, words), _coverage(words, w.words), w) for w in self._wordings]

    def best(self, text: str) -> FaqMatch | None:
        """The best wording for ``text`` by :func:`score` (any score), or None without words or FAQ."""
        found = [(score(recall, precision), w) for recall, precision, w in self.scores(text)]
        if not found:
            return None
        value, wording = max(found, key=lambda item: item[0])
        return FaqMatch(wording.entry, wording.text, value)

    def match(self, text: str, threshold: float = FAQ_MIN) -> FaqMatch | None:
        """The entry ``text`` asks when its score reaches ``threshold``."""
        found = self.best(text)
        return found if found is not None and found.score >= threshold else None

    def same(self, text: str, threshold: float = FAQ_SURE) -> FaqMatch | None:
        """The entry one of whose wordings ``text`` *is*: both ways alike (extra words cost)."""
        found = [(min(recall, precision), w) for recall, precision, w in self.scores(text)]
        if not found:
            return None
        value, wording = max(found, key=lambda item: item[0])
        return FaqMatch(wording.entry, wording.text, value) if value >= threshold else None


def score(recall: float, precision: float) -> float:
    """A message's score for one wording: mostly how much of the wording it holds, a quarter how
    much of the message the wording explains (extra words cost a little, a stray keyword a lot)."""
    return RECALL_WEIGHT * recall + (1 - RECALL_WEIGHT) * precision


RECALL_WEIGHT = 0.75


def _coverage(wanted: tuple[str, ...], words: tuple[str, ...]) -> float:
    """How much of ``wanted`` the ``words`` hold: each wanted word's best likeness, weighed by length."""
    total = weight = 0.0
    for word in wanted:
        best = max(_likeness(word, other) for other in words)
        total += best * len(word)
        weight += len(word)
    return total / weight if weight else 0.0


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
