"""The shared lexicon (``bot/nlu/lexicon/*.json``) seen as a phrase table for the store.

The words themselves live only in the lexicon; this module normalises them with
``bot.nlu.normalize`` and answers two questions: which concepts (item, colour, category, size)
does a token sequence name, matched as whole normalised tokens, longest phrase first; and which
words name a given concept (to index products under every spelling customers use).

No substring matching anywhere: ``بيج`` never matches inside ``بيجامه``, nor ``بني`` inside
``ابني``. Typo tolerance is per whole token and only for tokens of five letters or more
(Levenshtein distance 1, or 2 from eight letters), because short Arabic words one letter apart are
different words (``احمر``/``احمد``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

import bot.nlu.normalize
from bot.store.text import tokens

__all__ = ["Concept", "Match", "Vocabulary", "vocabulary"]

LEXICON = Path(bot.nlu.normalize.__file__).parent / "lexicon"
_KINDS = ("item", "color", "category")
_FILES = {"item": "items.json", "color": "colors.json", "category": "categories.json"}
# Arabic proclitics tried when a whole token is not a known word: "البنطلون", "بالاسود", "للبنات".
_PROCLITICS = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")


@dataclass(frozen=True, slots=True)
class Concept:
    """One meaning: ``kind`` is item, color, category, size or cue; ``value`` its canonical name."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Match:
    """Concepts named by ``tokens[start:end]``; ``exact`` is False for a typo-tolerant match."""

    start: int
    end: int
    concepts: tuple[Concept, ...]
    exact: bool = True


class Vocabulary:
    """Phrase table over the lexicon; immutable after construction, so shared by threads."""

    def __init__(self, directory: Path = LEXICON) -> None:
        self.phrases: dict[tuple[str, ...], tuple[Concept, ...]] = {}
        self.forms: dict[Concept, set[str]] = {}
        self.item_slot: dict[str, str | None] = {}
        self.size_letters: set[str] = set()
        for kind in _KINDS:
            self._load_kind(kind, json.loads((directory / _FILES[kind]).read_text("utf-8")))
        self._load_sizes(json.loads((directory / "sizes.json").read_text("utf-8")))
        self.longest = max(len(phrase) for phrase in self.phrases)
        self._single = sorted(phrase[0] for phrase in self.phrases if len(phrase) == 1 and len(phrase[0]) >= 4)
        self.nearest = lru_cache(maxsize=8192)(self._nearest)

    # ---- loading ------------------------------------------------------------------------------

    def _load_kind(self, kind: str, table: dict) -> None:
        for value, entry in table.items():
            if value.startswith("_"):
                continue
            if kind == "item":
                self.item_slot[value] = entry.get("slot")
            words = [value] + [word for key in ("ar", "franco", "en") for word in entry.get(key, [])]
            self._add(Concept(kind, value), words)

    def _load_sizes(self, table: dict) -> None:
        for value, entry in table.get("letters", {}).items():
            self._add(Concept("size", value), entry.get("forms", []))
            self.size_letters.update(form for form in entry.get("forms", []) if len(form) == 1)
        cues = [word for words in table.get("cues", {}).values() for word in words]
        self._add(Concept("cue", "size"), cues)
        self._add(Concept("fit", "fit"), table.get("fits", []))

    def _add(self, concept: Concept, words: Iterable[str]) -> None:
        for word in words:
            phrase = tuple(tokens(word))
            if not phrase:
                continue
            known = self.phrases.get(phrase, ())
            if concept not in known:
                self.phrases[phrase] = known + (concept,)
            self.forms.setdefault(concept, set()).add(" ".join(phrase))

    # ---- lookups ------------------------------------------------------------------------------

    def scan(self, words: list[str]) -> list[Match | None]:
        """For each position, the match that starts there (longest first), skipping covered tokens.

        Returns a list as long as ``words``: a :class:`Match` where a phrase starts, ``None`` for a
        token no phrase covers. Tokens inside an earlier match are left out of the list's matches.
        """
        found: list[Match | None] = [None] * len(words)
        position = 0
        while position < len(words):
            match = self._match_at(words, position)
            if match is None:
                position += 1
                continue
            found[position] = match
            position = match.end
        return found

    def _match_at(self, words: list[str], start: int) -> Match | None:
        for size in range(min(self.longest, len(words) - start), 0, -1):
            concepts = self.phrases.get(tuple(words[start:start + size]))
            if concepts:
                return Match(start, start + size, concepts)
        single = self.lookup(words[start])
        if single:
            concepts, exact = single
            return Match(start, start + 1, concepts, exact)
        return None

    def lookup(self, word: str) -> tuple[tuple[Concept, ...], bool] | None:
        """Concepts of one token: as written, without an Arabic proclitic, or within a typo."""
        concepts = self.phrases.get((word,))
        if concepts:
            return concepts, True
        for stem in strip_proclitics(word):
            concepts = self.phrases.get((stem,))
            if concepts:
                return concepts, True
        near = self.nearest(word)
        return (self.phrases[(near,)], False) if near else None

    def _nearest(self, word: str) -> str | None:
        """The single-token form within a typo of ``word`` (five letters or more), if any."""
        if len(word) < 5 or word.isdigit():
            return None
        limit = 2 if len(word) >= 8 else 1
        best = process.extractOne(word, self._single, scorer=Levenshtein.distance, score_cutoff=limit)
        return best[0] if best else None

    def items_for_slot(self, slot: str) -> set[str]:
        """Catalogue items a schema item value covers (``hoodie`` covers hoodie and sweatshirt)."""
        return {item for item, value in self.item_slot.items() if value == slot} | {slot}

    def words_for(self, concept: Concept) -> set[str]:
        """Every normalised form that names ``concept``."""
        return self.forms.get(concept, set())


def strip_proclitics(word: str) -> list[str]:
    """Stems of an Arabic token without a leading proclitic, longest proclitic first."""
    return [word[len(prefix):] for prefix in _PROCLITICS if word.startswith(prefix) and len(word) - len(prefix) >= 3]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The process-wide vocabulary, built on first use."""
    return Vocabulary()
