"""Ranked text relevance of every product to a customer's words: BM25 by field, in both languages.

Each product is one BM25 document (numpy; ``bm25s``'s Lucene arithmetic) whose words carry their field, and a
word's score is weighted by its field: ``name`` (both names, and their adjacent word pairs, so a phrase typed in order
scores more) ×3, ``kind`` (item, category, colours, tags, and the concepts its text names) ×2,
``body`` (both descriptions) ×1. Words are indexed by :func:`word_key`: the matcher's
normalisation, an Arabic article dropped (``الجلد`` → ``جلد``), an English plural ``s`` dropped
(``heels`` → ``heel``).

A *concept* joins the ways one thing is written: the lexicon's items and colours
(``bot/nlu/lexicon``), and ``search_words.json``'s further item words and its attributes
(``جلد``, ``leather``, ``gild``).
A product whose text names any form carries the concept in its ``kind`` field; a query naming
any form scores on it, so ``شنطة ضهر`` finds a product written only as "backpack". A query word
scores the best of: itself in any field, its concept, or (when the store has no such word) the
word without a clitic letter, the nearest concept form or store word within a typo (one edit from
four letters, two from eight), or the store's Arabic word a Franco word spells
(:mod:`bot.store.franco`: ``mayoh`` → ``مايوه``, for catalogs written in Arabic only).

Nothing is ever read in set or dict order: ties are broken by product position.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, count, pairwise
from operator import itemgetter
from pathlib import Path

import ahocorasick  # type: ignore[import-not-found]  # pyahocorasick is a C extension without type stubs
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.nlu.common_words import is_common_word
from bot.nlu.lexicon import load_lexicon
from bot.nlu.normalize import tokenize
from bot.store.franco import FrancoIndex
from bot.store.product import Product

__all__ = ["TextIndex", "word_key", "search_words"]

_WEIGHTS = {"name": 3.0, "kind": 2.0, "body": 1.0}
_TYPO_WEIGHT = 0.7       # a word found only through a typo counts this much
# BM25 parameters chosen by a grid (k1 0.9-2.0, b 0.3-0.9) on the tuned half of the blind search set:
# a low b, as a product's length says little about its relevance.
_K1, _B = 1.2, 0.3
_FRANCO_WEIGHT = 0.8     # a Franco word read as the store's Arabic word
_PHRASE_WEIGHT = 0.5     # two words typed in the order a product's name has them
_MAX_PHRASE = 3          # longest concept form, in words
_FIELDS = tuple(_WEIGHTS)       # a word's column code: its number, then two bits for its field (0, 1, 2)
_KIND, _BODY = _FIELDS.index("kind"), _FIELDS.index("body")
_PAIR = 3                       # ... or for two adjacent words of a name, each number in _WORD_BITS bits
_WORD_BITS = 30
_SECOND = itemgetter(1)         # an Aho–Corasick hit's value
_CODE = (2).__rlshift__         # a word's number, shifted past the field bits
_KIND_CODE, _BODY_CODE = _KIND.__or__, _BODY.__or__
_BLOCK = 1 << 20                # BM25 scores are computed this many entries at a time
_ARTICLES = ("بال", "وال", "فال", "كال", "لل", "ال")
_WORDS_FILE = Path(__file__).resolve().parent / "search_words.json"
_NOWHERE = np.zeros(0, dtype=np.int32)
_FIELD_WEIGHTS = {field_name: np.float32(weight) for field_name, weight in _WEIGHTS.items()}
_NO_SCORES = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True)
class SearchWords:
    """Concept forms (key phrase → concept names, sorted) and the request words never ranked."""

    concepts: dict[str, tuple[str, ...]]
    stop: frozenset[str]
    longest: int
    finder: ahocorasick.Automaton   # " form " → its concepts, over " key key key "
    attribute_finder: ahocorasick.Automaton   # the same for the forms of attributes: their attribute concepts
    colour_words: frozenset[str]    # one-word forms of a colour
    sections: dict[str, tuple[str, ...]]   # section → the items it holds
    chat_words: frozenset[str]      # the matcher's one-word cues and markers: never a typo of a product word


@lru_cache(maxsize=1)
def search_words() -> SearchWords:
    """The search vocabulary: the lexicon's items and colours, ``search_words.json``'s attributes."""
    data = json.loads(_WORDS_FILE.read_text("utf-8"))
    lex = load_lexicon()
    groups: list[tuple[str, Iterable[str]]] = []
    groups += [(f"item:{name}", (name, *entry.forms)) for name, entry in sorted(lex.items.items())]
    groups += [(f"color:{name}", (name, *forms)) for name, forms in sorted(lex.colors.items())]
    groups += [(f"item:{name}", forms) for name, forms in sorted(data["items"].items())]
    groups += [(f"attr:{name}", forms) for name, forms in sorted(data["attributes"].items())]
    concepts: dict[str, set[str]] = {}
    for concept, forms in groups:
        for form in forms:
            phrase = key_phrase(form)
            if phrase:
                concepts.setdefault(phrase, set()).add(concept)
    stop = frozenset(word_key(token) for word in data["stop"] for token in tokenize(word))
    finder, attribute_finder = ahocorasick.Automaton(), ahocorasick.Automaton()
    for phrase, names in sorted(concepts.items()):
        tokens = tuple(f"@{name}" for name in sorted(names))
        finder.add_word(f" {phrase} ", tokens)
        attributes = tuple(t for t in tokens if t.startswith("@attr:"))
        if attributes:
            attribute_finder.add_word(f" {phrase} ", attributes)
    finder.make_automaton()
    attribute_finder.make_automaton()
    longest = max((phrase.count(" ") + 1 for phrase in concepts), default=1)
    colour_words = frozenset(p for p, names in concepts.items()
                             if " " not in p and any(n.startswith("color:") for n in names))
    sections = {name: tuple(items) for name, items in sorted(data["sections"].items())}
    chat = [form for tiers in lex.cues.values() for forms in tiers.values() for form in forms]
    chat += [form for forms in lex.markers.values() if not isinstance(forms, dict) for form in forms
             if isinstance(form, str)]
    chat_words = frozenset(word_key(f) for f in chat if " " not in f) - set(concepts)
    return SearchWords({phrase: tuple(sorted(names)) for phrase, names in sorted(concepts.items())},
                       stop, min(longest, _MAX_PHRASE), finder, attribute_finder, colour_words, sections, chat_words)


def word_key(token: str) -> str:
    """The form a word is indexed and looked up by: without an Arabic article or an English plural ``s``."""
    for article in _ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= 3:
            token = token[len(article):]
            break
    if token.isascii() and len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        token = token[:-1]
    return token


def _unclitic(key: str) -> list[str]:
    """Other readings of an Arabic word: one clitic letter (و ب ل ف ك) off, or ``لل`` read as ``ل`` + word."""
    found = []
    if key.startswith("لل") and len(key) >= 5:
        found.append(key[1:])
    if key[:1] in ("و", "ب", "ل", "ف", "ك") and len(key) >= 5:
        found.append(word_key(key[1:]))
    return list(dict.fromkeys(found))


def key_phrase(text: str) -> str:
    """A text's word keys joined by spaces (how concept forms and phrases are compared)."""
    return " ".join(word_key(token) for token in tokenize(text))


@lru_cache(maxsize=131072)
def _keys_of_chunk(chunk: str) -> tuple[str, ...]:
    return tuple(word_key(token) for token in tokenize(chunk))


@lru_cache(maxsize=8192)
def _keys_of_text(text: str) -> tuple[str, ...]:
    """A short text's keys, cached (labels and names repeat across a catalog's products)."""
    return tuple(text_keys(text))


def text_keys(text: str) -> list[str]:
    """Word keys of a product text; normalised a whitespace-separated chunk at a time (cached)."""
    return list(chain.from_iterable(map(_keys_of_chunk, text.split())))


class TextIndex:
    """BM25 over one snapshot's products (in the order given); immutable, shared by threads."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.size = len(products)
        self.words = search_words()
        families: defaultdict[tuple[str, ...], int] = defaultdict(count().__next__)
        family = []
        numbers: defaultdict[str, int] = defaultdict(count().__next__)   # every word of any field -> its number
        number = numbers.__getitem__                  # a new word gets the next number
        columns, counts, entries = array("q"), array("I"), array("i")    # one entry per word of a product; entries
        lengths = array("q")
        for product in products:
            names, kind, body = self._documents(product)
            ids = list(map(number, names))
            codes = list(map(_CODE, ids))             # (map over C methods: no Python call per word)
            codes += [(first << _WORD_BITS | second) << 2 | _PAIR for first, second in pairwise(ids)]
            codes += map(_KIND_CODE, map(_CODE, map(number, kind)))
            codes += map(_BODY_CODE, map(_CODE, map(number, body)))
            found = Counter(codes)
            columns.extend(found.keys())
            counts.extend(found.values())
            entries.append(len(found))               # of each product
            lengths.append(len(codes) + 1)            # and one word every document has: never empty
            family.append(families[(product.item, *self._model_words(product))])
        self._words: dict[str, int] = dict(numbers)
        self.family = np.array(family, dtype=np.int64)
        self.has_families = len(families) < self.size   # some model comes in several products
        counted = [columns, counts, entries, lengths]
        del columns, counts, entries, lengths         # _bm25_matrix frees each once it is used
        self._columns, self._indptr, self._indices, self._data = _bm25_matrix(counted)
        words = self._columns & 3 != _PAIR           # each word's column in each field, -1 where it is not
        self._word_columns = np.full(3 * len(self._words), -1, dtype=np.int32)
        self._word_columns[(self._columns[words] >> 2) * 3 + (self._columns[words] & 3)] = np.flatnonzero(words)
        _keys_of_chunk.cache_clear()                  # only a build needs them
        _keys_of_text.cache_clear()
        known = sorted(w for w in self._words if " " not in w and not w.startswith("@") and len(w) >= 4
                       and not w.isdigit())
        concept_words = sorted(phrase for phrase in self.words.concepts if " " not in phrase and len(phrase) >= 4)
        self._arabic = FrancoIndex(w for w in self._words if w[:1] > "\u0600" and " " not in w)
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(set(known) | set(concept_words)):
            self._by_length.setdefault(len(word), []).append(word)

    # ---- documents --------------------------------------------------------------------------

    def _documents(self, product: Product) -> tuple[list[str], list[str], list[str]]:
        """A product's words by field: names (their adjacent pairs are words of the name too), kind, body."""
        names = text_keys(f"{product.name_ar} . {product.name_en}")
        body = text_keys(f"{product.description_ar} {product.description_en}")
        labels = list(_keys_of_text(" ".join((product.item, product.category, product.category_name_ar,
                                              product.category_name_en, *product.tags))))
        kind = labels + [f"@item:{product.item}"] + [f"@color:{color}" for color in product.colors]
        kind += sorted(self._concepts(names + labels, attributes_only=False) | self._concepts(body, True))
        if product.discount_percent > 0:
            kind.append("@attr:offer")
        return names, kind, body

    def _model_words(self, product: Product) -> tuple[str, ...]:
        """A product's English (else Arabic) name without its colour words: the same model in another colour."""
        return tuple(k for k in _keys_of_text(product.name_en or product.name_ar) if k not in self.words.colour_words)

    def _concepts(self, keys: list[str], attributes_only: bool) -> set[str]:
        finder = self.words.attribute_finder if attributes_only else self.words.finder   # every form, in one pass
        if not len(finder):
            return set()                                  # (an automaton with no forms cannot be searched)
        return set(chain.from_iterable(map(_SECOND, finder.iter(f" {' '.join(keys)} "))))

    # ---- scoring ----------------------------------------------------------------------------

    def scores(self, words: Sequence[str]) -> np.ndarray:
        """Each product's relevance to ``words`` (a query's content tokens, in order); 0 = no match."""
        return self.read(words)[0]

    def read(self, words: Sequence[str]) -> tuple[np.ndarray, bool]:
        """``(scores, known)``: each product's relevance to ``words`` (0 = no match), and whether any
        content word is a store word, a concept or a typo of one (True when there is none to judge)."""
        total = np.zeros(self.size, dtype=np.float32)
        keys = self.content_words(words)
        found, pairs = self._groups(keys)
        for group in found + pairs:
            postings = [(at, scores * weight) for at, scores, weight in
                        ((*self._posting(field_name, token), weight) for field_name, token, weight in group) if len(at)]
            if not postings:
                continue
            if len(postings) == 1:            # one posting: its scores are the group's best (all are above 0)
                at, scores = postings[0]
                total[at] += scores
                continue
            best = np.zeros(self.size, dtype=np.float32)
            for at, scores in postings:       # only the products that have the word: the rest stay as they are
                best[at] = np.maximum(best[at], scores)
            total += best
        return total, bool(found) or all(key.isdigit() for key in keys)

    def content_words(self, words: Sequence[str]) -> list[str]:
        """The keys of ``words`` that can describe a product: no request word, each once, in order."""
        keys = (word_key(w) for w in words)
        return list(dict.fromkeys(k for k in keys if k and k not in self.words.stop))

    def named(self, words: Sequence[str], items: Iterable[str]) -> np.ndarray:
        """Products whose name holds one of ``words`` that is a form of one of ``items``."""
        wanted = {f"item:{item}" for item in items}
        found = np.zeros(self.size, dtype=bool)
        for key in (word_key(w) for w in words):
            if wanted & set(self.words.concepts.get(key, ())):
                found[self._posting("name", key)[0]] = True     # a word's BM25 score is never 0 where it is
        return found

    def _groups(self, keys: list[str]) -> tuple[list[list[tuple[str, str, float]]], list[list[tuple[str, str, float]]]]:
        """The query's scoring groups, (its words', its adjacent pairs'): each group is alternatives
        (field, token, weight), scored by their best. A word the store cannot read has no group."""
        groups: list[list[tuple[str, str, float]]] = []
        position = 0
        while position < len(keys):
            size, concepts = self._concept_at(keys, position)
            phrase = keys[position:position + size]
            group = [(f, token, 1.0) for token in phrase if not token.isdigit() for f in _WEIGHTS]
            group += [("kind", f"@{concept}", 1.0) for concept in concepts]
            if not concepts and size == 1 and not self._known(phrase[0]):
                group = self._segmented(phrase[0]) or (self._typo(phrase[0]) + self._franco(phrase[0]))
            if group:
                groups.append(group)
            position += size
        pairs = [[("name", f"{a} {b}", _PHRASE_WEIGHT)] for a, b in pairwise(keys)]
        return groups, pairs

    def _concept_at(self, keys: list[str], position: int) -> tuple[int, tuple[str, ...]]:
        for size in range(min(self.words.longest, len(keys) - position), 0, -1):
            concepts = self.words.concepts.get(" ".join(keys[position:position + size]))
            if concepts:
                return size, concepts
        return 1, ()

    def _segmented(self, key: str) -> list[tuple[str, str, float]]:
        """The word without a clitic letter (``للابتوب`` → ``لابتوب``, ``وجلد`` → ``جلد``) when that is known."""
        for other in _unclitic(key):
            concepts = self.words.concepts.get(other, ())
            if concepts or self._known(other):
                return [(f, other, 1.0) for f in _WEIGHTS] + [("kind", f"@{c}", 1.0) for c in concepts]
        return []

    def _known(self, key: str) -> bool:
        return key in self._words

    def _typo(self, key: str) -> list[tuple[str, str, float]]:
        """The nearest store word or concept form within a typo, as scoring alternatives."""
        if len(key) < 4 or key.isdigit() or is_common_word(key) or key in self.words.chat_words:
            return []                   # a real word (احمد, speakers, بكام) is not a typo of a store word
        limit = 1 if len(key) < 8 else 2
        best: tuple[int, str] | None = None
        for length in range(len(key) - limit, len(key) + limit + 1):
            choices = self._by_length.get(length)
            if not choices:
                continue
            found = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=limit)
            if found and (best is None or (found[1], found[0]) < best):
                best = (found[1], found[0])
        if best is None:
            return []
        near = best[1]
        group = [(f, near, _TYPO_WEIGHT) for f in _WEIGHTS]
        group += [("kind", f"@{concept}", _TYPO_WEIGHT) for concept in self.words.concepts.get(near, ())]
        return group

    def _franco(self, key: str) -> list[tuple[str, str, float]]:
        """The store's Arabic words a Franco word spells (``mayoh`` → ``مايوه``), as scoring alternatives."""
        if key in self.words.chat_words or is_common_word(key):
            return []                   # "bekam", "salam": the customer's own words, not the store's
        return [(f, word, _FRANCO_WEIGHT) for word in self._arabic.candidates(key) for f in _WEIGHTS]

    def _posting(self, field_name: str, token: str) -> tuple[np.ndarray, np.ndarray]:
        """The products whose ``field_name`` has ``token`` (ascending) and their weighted BM25 scores."""
        column = self._column(field_name, token)
        if column < 0:
            return _NOWHERE, _NO_SCORES
        start, end = self._indptr[column:column + 2].tolist()
        return self._indices[start:end], self._data[start:end] * _FIELD_WEIGHTS[field_name]

    def _column(self, field_name: str, token: str) -> int:
        """The column of ``token`` in ``field_name`` (a name's "word word" is a pair of its words); -1 for none."""
        if field_name == "name" and " " in token:
            first, _, second = token.partition(" ")
            ids = self._words.get(first), self._words.get(second)
            if ids[0] is None or ids[1] is None:
                return -1
            code = (ids[0] << _WORD_BITS | ids[1]) << 2 | _PAIR
            at = int(np.searchsorted(self._columns, code))
            return at if at < len(self._columns) and self._columns[at] == code else -1
        found = self._words.get(token)
        return -1 if found is None else int(self._word_columns[3 * found + _FIELDS.index(field_name)])


def _bm25_matrix(counted: list[array[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """BM25 scores by column: (column codes ascending, where each column's entries start, the products of
    each column ascending, their scores), from ``counted``: the column and count of each (product, column)
    entry, how many entries each product has (they come product by product), and each product's length.
    The arrays are taken out of the list and freed once used, so a 100,000-product build never holds
    them all twice.

    The arithmetic is ``bm25s``'s (its "lucene" BM25, as this index used before) operation for operation,
    in the same types, so the scores are the same to the bit: idf = ln(1 + (N - df + 0.5) / (df + 0.5)) in
    float32; tf / (k1 * (1 - b + b * length / mean length) + tf) in float64; their product in float32.
    Built from flat arrays in blocks, so 100,000 products never hold a Python list per word.
    """
    lengths = np.frombuffer(counted.pop(), dtype=np.int64)
    entries = np.frombuffer(counted.pop(), dtype=np.int32)
    products = np.repeat(np.arange(len(entries), dtype=np.int32), entries)
    del entries
    counts = np.frombuffer(counted.pop(), dtype=np.uint32)
    columns = np.frombuffer(counted.pop(), dtype=np.int64)
    order = np.argsort(columns, kind="stable")     # by column; each column's products stay ascending
    columns = columns[order]                      # (the unsorted array is freed here)
    starts = np.flatnonzero(np.diff(columns)) + 1
    codes = columns[np.concatenate(([0], starts))] if len(columns) else columns
    indptr = np.concatenate(([0], starts, [len(columns)])).astype(np.int64) if len(columns) else np.zeros(1, np.int64)
    del columns
    indices = products[order]
    del products
    frequencies = np.diff(indptr)
    seen, which = np.unique(frequencies, return_inverse=True)      # few document frequencies, many columns
    size = len(lengths)
    idf = np.array([math.log(1 + (size - df + 0.5) / (df + 0.5)) for df in seen.tolist()], dtype=np.float32)[which]
    saturation = _K1 * ((1 - _B) + _B * lengths / lengths.mean()) if len(lengths) else lengths.astype(np.float64)
    data = np.empty(len(indices), dtype=np.float32)
    column_idf = np.repeat(idf, frequencies)
    for begin in range(0, len(indices), _BLOCK):
        block = slice(begin, begin + _BLOCK)
        tf = counts[order[block]].astype(np.float32).astype(np.float64)
        data[block] = column_idf[block].astype(np.float64) * (tf / (saturation[indices[block]] + tf))
    return codes, indptr, indices, data
