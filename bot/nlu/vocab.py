"""The phrase index: lexicon forms as token tuples, matched longest first over a message.

Each message token is first mapped to a *lookup key* (:meth:`Vocabulary.key`): itself when the
lexicon knows it; else without an article or clitic (``الجزمه`` → ``جزمه``, ``بالكحلي`` → ``كحلي``,
``والمنتج`` → ``منتج``); else another topic's noun under a plural or possessive ending (``غسالات``,
``عربيتي``, ``iphones``; only topic nouns, the shop's forms are listed); else, for Latin tokens,
its Franco fold or consonant skeleton; else the closest shop token by ``rapidfuzz.fuzz.ratio``
above a length-aware cutoff (exact only under five letters, 80 for five or six, 75 beyond), scoring
only the words that can reach it (:class:`bot.nlu.near_words.NearWords`: length buckets and shared
subsequences; the same answer as scoring the whole pool). A fuzzy match must be a slip of the
candidate: for Arabic, letters left out, doubled or swapped, or a letter replaced by a keyboard
neighbour or a sound-alike (one slip up to seven letters, two beyond; an unrelated letter only once
in a long, uncommon word), so ``بيصلح`` is not ``بيوصل`` and ``بتشجع`` is not ``بترجع``. It is
refused when another topic's noun is as near (``عبيات``: عبايات or عربيات), and for a common word
of its own unless it is the candidate under another ending (``سماعات`` is not ``ساعات``,
``المواصلات`` not ``المواصفات``). Last, a Latin token with no shop match may be a Franco spelling
of a topic noun by its skeleton (``molokhiya`` is ``mol5eya``). Whole tokens only: ``بيج`` never
fires inside ``بيجامه``, nor ``بني`` inside ``ابني``.

:meth:`Vocabulary.scan` then walks the keys left to right, taking at each position the longest
phrase the lexicon holds (``ازرق فاتح`` before ``ازرق``, ``بكام لون`` before ``بكام``): one pass of
an Aho–Corasick automaton over all the phrases (:class:`bot.nlu.phrases.PhraseMatcher`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from bot.nlu.common_words import is_common_word
from bot.nlu.lexicon import Lexicon, load_lexicon
from bot.nlu.near_words import NearWords
from bot.nlu.normalize import franco_fold, is_arabic, skeleton
from bot.nlu.phrases import PhraseMatcher

__all__ = ["Tag", "Span", "Vocabulary", "get_vocabulary", "stems"]

_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")
_CLITICS = ("و", "ف", "ب", "ل")
_FRANCO_AND_ARTICLE = frozenset({"wel", "wil", "wl"})
# Tokens that must never be fuzzy-matched to a cue (names, look-alikes of colours and cues).
_NO_FUZZ = frozenset({"احمد", "محمد", "ابني", "لابني", "بيجامه", "جلديه", "اورانج", "السودان",
                      "ahmed", "mohamed", "ahmad", "hello", "please", "hours"})


@dataclass(frozen=True, slots=True)
class Tag:
    """What a phrase means: a slot value (``kind`` color/item/...), a marker, or an intent cue."""

    kind: str
    value: str
    weight: int = 0


class Span(NamedTuple):
    """A matched phrase: tokens ``start``..``end`` (exclusive) and what it means.

    A named tuple (immutable, like the frozen dataclass it was) because a message makes several
    and a frozen dataclass takes about four times as long to make."""

    start: int
    end: int
    tags: tuple[Tag, ...]
    kind_set: frozenset[str]
    fuzzy: bool = False

    def kinds(self) -> frozenset[str]:
        """The kinds of the span's tags."""
        return self.kind_set

    def value(self, kind: str) -> str | None:
        """The value of the first tag of ``kind``, if any."""
        if kind in self.kind_set:
            for tag in self.tags:
                if tag.kind == kind:
                    return tag.value
        return None


def _entries(lex: Lexicon) -> Iterator[tuple[str, Tag]]:
    """Every (normalised form, tag) pair of the lexicon."""
    for name, item in lex.items.items():
        yield from ((f, Tag("item", name)) for f in item.forms)
    for kind, groups in (("color", lex.colors), ("category", lex.categories),
                         ("size", lex.sizes), ("ordinal", lex.ordinals), ("gender", lex.genders)):
        for value, forms in groups.items():
            yield from ((f, Tag(kind, value)) for f in forms)
    for family, forms in lex.topics.items():
        yield from ((f, Tag("topic", family)) for f in forms)
    yield from ((f, Tag("sizecue", "")) for f in lex.size_cues)
    yield from ((f, Tag("fit", "")) for f in lex.fits)
    yield from ((f, Tag("currency", "")) for f in lex.currency)
    for kind, forms in lex.markers.items():
        yield from ((f, Tag(kind, "")) for f in forms)
    for intent, tiers in lex.cues.items():
        for weight, forms in tiers.items():
            yield from ((f, Tag("cue", intent, weight)) for f in forms)


class Vocabulary:
    """The lexicon as a phrase index over lookup keys (build once with :func:`get_vocabulary`)."""

    def __init__(self, lex: Lexicon) -> None:
        entries = list(_entries(lex))
        self.tokens = frozenset(t for form, _ in entries for t in form.split())
        self.keep = frozenset(f for forms in lex.ordinals.values() for f in forms
                              if " " not in f and f.startswith("ال")) | set(
                                  lex.markers.get("keep_whole", ()))
        self.index: dict[tuple[str, ...], list[Tag]] = {}
        for form, tag in entries:
            tags = self.index.setdefault(tuple(self._exact_key(t) for t in form.split()), [])
            if tag not in tags:
                tags.append(tag)
        self.max_len = max(len(k) for k in self.index)
        self.meaning = {k: (tuple(v), frozenset(t.kind for t in v)) for k, v in self.index.items()}
        self._phrases = PhraseMatcher(self.meaning)   # every phrase, found in one pass
        # Every table below is built from the tokens in sorted order, so nothing depends on
        # set iteration (and so on PYTHONHASHSEED): same text, same answer in every process.
        ordered = sorted(self.tokens)
        latin = [t for t in ordered if not is_arabic(t)]
        self._by_fold = _unambiguous((t for t in latin if len(t) >= 5), franco_fold, self._meaning_of)
        # Consonant skeletons are loose: only the shop's own words stand for theirs, so that a
        # typo of a shop word is not lost to another topic's noun (ssippers is not espresso).
        self._by_skeleton = _unambiguous((t for t in latin if len(t) >= 4 and not any(c.isdigit() for c in t)
                                          and not self._topic_only(t)),
                                         skeleton, self._meaning_of, min_key=3, needs_meaning=True)
        pools = {
            script: [t for t in ordered if len(t) >= 5 and (is_arabic(t) == (script == "ar"))
                     and not t.isdigit()]
            for script in ("ar", "latin")}
        # The shop's words are searched first; other topics' nouns only when a shop word is
        # near, to see whether one of them is as near (then the token is no shop word).
        self._fuzzy_pool = {script: NearWords([t for t in pool if not self._topic_only(t)])
                            for script, pool in pools.items()}
        # Franco spellings of another topic's noun vary (so5oneya, sokhoneya, so5neya): its
        # consonant skeleton, with kh/gh as 5/8, finds it, unless a shop word shares it.
        shop_skeletons = {_franco_skeleton(t) for t in latin if not self._topic_only(t)}
        self._topic_by_skeleton = {
            key: ts[0] for key, ts in _grouped(
                (t for t in latin if len(t) >= 5 and self._topic_only(t)), _franco_skeleton).items()
            if len(key) >= 4 and key not in shop_skeletons}
        self._topic_pool = {script: NearWords([t for t in pool if self._topic_only(t)])
                            for script, pool in pools.items()}
        self.key = lru_cache(maxsize=65536)(self._key)

    def _exact_key(self, token: str) -> str:
        """Key of ``token`` using exact lookups only (articles and clitics stripped)."""
        if token in self.keep:
            return token
        if token in _FRANCO_AND_ARTICLE and token not in self.tokens:
            return "el"  # Franco 'wel tany' = 'w el tany' (and the second)
        if token[:1] in "وفب" and token[1:] in self.keep:
            return token[1:]
        for prefix in _ARTICLES:
            rest = token[len(prefix):]
            if token.startswith(prefix) and len(rest) >= 2 and rest in self.tokens:
                return rest
        if token in self.tokens:
            return token
        if len(token) >= 4 and token.endswith("ا") and token[:-1] in self.tokens and is_arabic(token):
            return token[:-1]  # MSA accusative: قميصا (قميصاً) is قميص
        for prefix in _CLITICS:
            rest = token[1:]
            if token.startswith(prefix) and len(rest) >= 3 and (rest in self.tokens
                                                                 or rest in self.keep):
                return self._exact_key(rest)
        return token

    def _key(self, token: str) -> tuple[str, bool]:
        """``(lookup key, fuzzy?)`` of a message token."""
        key = self._exact_key(token)
        if key in self.tokens or key in self.keep or token in _NO_FUZZ or token.isdigit():
            return key, False
        inflected = self._topic_inflection(key)
        if inflected:
            return inflected, False
        single = _DOUBLED.sub(r"\1", token)
        if single != token and is_arabic(token):
            known = self._exact_key(single)       # Arabic writes no doubled letter: بكاام is بكام
            if known in self.tokens or known in self.keep:
                return known, True
        if is_arabic(token):
            return self._fuzzy(_strip_article(token))
        loose = self._loose_latin(token)
        if loose:  # a topic noun's fold is that noun (3arabiyya is 3arabiya)
            return (self._exact_key(loose), False) if self._topic_only(loose) else (loose, True)
        found = self._fuzzy(token)
        if found[1] or len(token) < 5:
            return found
        topic = self._topic_by_skeleton.get(_franco_skeleton(token))
        return (self._exact_key(topic), False) if topic else found

    def _loose_latin(self, token: str) -> str | None:
        """Franco fold, then consonant skeleton, for Latin tokens of five letters or more."""
        if len(token) < 5:
            return None
        return self._by_fold.get(franco_fold(token)) or self._by_skeleton.get(skeleton(token))

    def _topic_inflection(self, token: str) -> str | None:
        """Another topic's noun under a plural or possessive ending: ``غسالات`` (غساله),
        ``عربيتي`` (عربيه), ``موبايلاتهم``, ``iphones``, ``laptopat``. Only topic nouns are read
        this way; the shop's own words have their forms listed."""
        for stem in _inflection_stems(token):
            if stem in self.tokens and self._topic_only(stem):
                return self._exact_key(stem)
        return None

    def _topic_only(self, token: str) -> bool:
        """True for another topic's noun: a typo nearest to one is no shop word (``اعمله`` is not
        ``عمله``), so it stays unmatched rather than read as that noun."""
        meaning = self._meaning_of(token)
        return bool(meaning) and all(t.kind == "topic" for t in meaning)

    def _fuzzy(self, token: str) -> tuple[str, bool]:
        """The closest lexicon token above a length-aware cutoff, else ``token`` itself.

        Arabic: 80 for five or six letters, 75 beyond. Latin: 85 and 80, and the Franco digit
        letters must agree (``a2dar`` is not ``a5dar``). Shorter tokens match exactly or not at all.
        """
        if len(token) < 5:
            return token, False
        arabic = is_arabic(token)
        cutoff = (80 if len(token) <= 6 else 75) if arabic else (85 if len(token) <= 6 else 80)
        script = "ar" if arabic else "latin"
        found = self._nearest(token, self._fuzzy_pool[script], cutoff, arabic)
        best = [choice for choice, score, _ in found if score == found[0][1]] if found else []
        if not best or _digit_letters(best[0]) != _digit_letters(token):
            return token, False
        if self._nearest(token, self._topic_pool[script], found[0][1], arabic):
            return token, False  # as near to another topic's noun: no shop word
        if len({self._meaning_of(choice) for choice in best}) > 1:
            return token, False  # a tie between words that mean different things: no guess
        if is_common_word(token) and not _same_stem(token, best[0]):
            return token, False  # a real word of its own (سماعات, speakers), not a typo
        return self._exact_key(best[0]), True

    @staticmethod
    def _nearest(token: str, pool: NearWords, cutoff: float, arabic: bool) -> list[tuple[str, float, int]]:
        """``pool`` words scoring ``cutoff`` or more (``fuzz.ratio``, eight at most), best first; for
        Arabic only those ``token`` can be a slip of (بيصلح is no slip of بيوصل)."""
        found = pool.extract(token, cutoff, limit=8)
        return [f for f in found if _arabic_typo(token, f[0])] if arabic else found

    def _meaning_of(self, token: str) -> frozenset[Tag]:
        """What ``token`` means on its own (empty when it only occurs inside phrases)."""
        return frozenset(self.index.get((self._exact_key(token),), ()))

    def scan(self, tokens: list[str]) -> tuple[list[Span], list[str]]:
        """Longest-first phrase matches over ``tokens``; also returns the lookup keys."""
        key = self.key
        looked = [key(t) for t in tokens]
        keys = [k for k, _ in looked]
        found = self._phrases.find(keys)
        if not any([fuzzy for _, fuzzy in looked]):   # nearly every message: no word was a guess
            return [Span(start, end, tags, kinds) for start, end, (tags, kinds) in found], keys
        spans = [Span(start, end, tags, kinds, any([f for _, f in looked[start:end]]))
                 for start, end, (tags, kinds) in found]
        return spans, keys


def _unambiguous(tokens: Iterable[str], fold: Callable[[str], str],
                 meaning: Callable[[str], frozenset[Tag]], min_key: int = 1,
                 needs_meaning: bool = False) -> dict[str, str]:
    """Folded form → token, for folds of ``min_key``+ letters whose tokens all mean the same thing.

    ``tokens`` come sorted; the first token of a fold stands for it. A fold shared by tokens of
    different meanings is left out rather than decided by order; with ``needs_meaning`` a token
    that only occurs inside phrases does not stand for its fold.
    """
    seen: dict[str, list[str]] = {}
    for token in tokens:
        seen.setdefault(fold(token), []).append(token)
    return {key: ts[0] for key, ts in seen.items()
            if len(key) >= min_key and (meaning(ts[0]) or not needs_meaning)
            and len({meaning(t) for t in ts}) == 1}


def _franco_skeleton(token: str) -> str:
    """Consonant skeleton of a Latin token with Franco kh/gh written as 5/8 (``sokhoneya`` and
    ``so5oneya`` → ``s5ny``)."""
    return skeleton(franco_fold(token).replace("kh", "5").replace("gh", "8"))


def _grouped(tokens: Iterable[str], key: Callable[[str], str]) -> dict[str, list[str]]:
    """Tokens by key, keeping only keys shared by tokens of one meaning is the caller's job."""
    out: dict[str, list[str]] = {}
    for token in tokens:
        out.setdefault(key(token), []).append(token)
    return out


_AR_ENDINGS = ("هم", "ها", "كم", "كو", "نا", "ي", "ك", "ه")


def _inflection_stems(token: str) -> list[str]:
    """Candidate stems of ``token`` without a plural or possessive ending (longest ending first)."""
    out: list[str] = []
    if is_arabic(token):
        bases = [token] + [token[:-len(e)] for e in _AR_ENDINGS
                           if token.endswith(e) and len(token) - len(e) >= 3]
        for base in bases:
            if base.endswith("ات") and len(base) >= 5:
                out += [base[:-2] + "ه", base[:-2]]
            if base.endswith("ت") and base != token:
                out.append(base[:-1] + "ه")  # عربيتي: the ة of عربيه before an ending
            if base != token:
                out.append(base)
        return out
    if token.endswith("ies") and len(token) > 4:
        out.append(token[:-3] + "y")
    if token.endswith("es") and len(token) > 4:
        out.append(token[:-2])
    if token.endswith("s") and len(token) > 3:
        out.append(token[:-1])
    if token.endswith("at") and len(token) > 4:
        out += [token[:-2], token[:-2] + "a"]  # Franco plural: laptopat, tallagat
    if token.endswith(("y", "i")) and len(token) > 4:
        out.append(token[:-1])  # Franco possessive: mobily
    return out


def _strip_article(token: str) -> str:
    """``token`` without a leading article (fuzzy matching compares the bare word)."""
    for prefix in _ARTICLES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix):]
    return token


def stems(token: str) -> list[str]:
    """``token`` without a leading article or clitic, longest prefix first (``بالقطن`` → ``قطن``, ...).

    For looking a free word up in another index (the store's product words); stems keep three
    letters or more.
    """
    found = [token[len(p):] for p in _ARTICLES if token.startswith(p) and len(token) - len(p) >= 3]
    found += [token[1:] for p in _CLITICS if token.startswith(p) and len(token) > 3]
    return list(dict.fromkeys(found))


def _same_stem(word: str, other: str) -> bool:
    """True when one word is the other under another ending (``عبايات``/``عبايه``, ``shoes``/
    ``shoe``): a form of the same word; not ``المواصلات``/``المواصفات``, ``عندنا``/``عندما``."""
    if not is_arabic(word):
        return word[:3] == other[:3]
    return any(a.startswith(b[:-1]) and a[len(b) - 1:] in _SUFFIXED.get(b[-1], ())
               for a, b in ((word, other), (other, word)))


# Arabic letters a typist swaps for one another: neighbours on the Arabic keyboard's rows, and
# letters Egyptians write for one another (س/ص/ث, ت/ط, د/ض, ز/ذ/ظ, ق/ك/ا, ه/ة/ا, ي/ى).
_KEY_ROWS = ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ءؤرىةوزظ")
_SOUNDS = ("سصث", "تط", "دضذ", "زذظض", "قكا", "هحا", "يى", "اوي")


# Endings that inflect a word (plural, pronoun, person): the candidate's last letter, then what
# the token may end with in its place.
_ENDINGS = ("ات", "ها", "هم", "ين", "ه", "ي", "كو", "كم", "نا", "اها", "اه", "اهم", "وا", "و", "ته",
            "تها", "تي", "ا", "م")
_SUFFIXED = {last: tuple(last + e for e in _ENDINGS) + tuple(e for e in _ENDINGS if e[0] != last)
             for last in "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"}


_DOUBLED = re.compile(r"(.)\1")


@lru_cache(maxsize=1)
def _confusable() -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for row in _KEY_ROWS:
        pairs.update(pairwise(row))
    for group in _SOUNDS:
        pairs.update((a, b) for a in group for b in group if a != b)
    return frozenset(pairs | {(b, a) for a, b in pairs})


def _arabic_typo(token: str, candidate: str) -> bool:
    """True when ``token`` can be a mistyped ``candidate``: letters left out, doubled or added,
    two neighbours swapped, or one letter replaced by a neighbour key or a sound-alike; one such
    slip up to seven letters, two beyond. Replacing a root letter by an unrelated one makes
    another word (``بتشجع``/``بترجع``, ``المواصلات``/``المواصفات``), not a typo."""
    if token.startswith(candidate[:-1]) and token[len(candidate) - 1:] in _SUFFIXED.get(candidate[-1], ()):
        return True  # another ending of the same word: دولارات/دولار, عايزاها/عايزه
    if OSA.distance(token, candidate) == 1:
        ops = Levenshtein.editops(token, candidate)
        if len(ops) == 2:
            return True  # two neighbours swapped
    ops = Levenshtein.editops(token, candidate)
    if len(ops) > (1 if len(token) <= 7 else 2):
        return False
    pairs = _confusable()
    unlike = [op for op in ops
              if op.tag == "replace" and (token[op.src_pos], candidate[op.dest_pos]) not in pairs]
    # One letter replaced by an unrelated one: a slip in a long word (بيجايه), another root in a
    # short one (بتشجع/بترجع); never in a word of its own (المواصلات/المواصفات).
    return not unlike or (len(ops) == 1 and len(token) >= 6 and not is_common_word(token))


def _digit_letters(token: str) -> str:
    """The Franco digit letters of a token, sorted (``ma2as`` → ``2``)."""
    return "".join(sorted(c for c in token if c.isdigit()))


@lru_cache(maxsize=1)
def get_vocabulary() -> Vocabulary:
    """The process-wide vocabulary, built on first use."""
    return Vocabulary(load_lexicon())
