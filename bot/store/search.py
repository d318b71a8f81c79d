"""Dialect-aware search over the catalog snapshot: an inverted index, filters, ranking, cursors.

A query is read with the shared lexicon (:mod:`bot.store.vocab`): whole normalised tokens, longest
phrase first, name an item, colours, sections (men, women, kids, shoes, ...) and sizes in
Egyptian Arabic, Franco or English. Whatever is left is free text, matched word by word (a typo
allowed from five letters) against names, descriptions and category names in both languages,
weighted by rarity, so a word most products carry counts for nothing.

Filters given by the dialog (:class:`SearchFilters`) are hard. Filters read from the query are
hard while something matches them; when nothing does, the least important is relaxed (size, then
colour, then section) and named in ``SearchPage.relaxed`` so the reply can say so.

Ranking (``sort="relevance"``) orders by: the exact item asked for, a colour asked for, in stock,
free-text match, popularity; the reported ``score`` (0..1) follows that order.
"""

from __future__ import annotations

import base64
import heapq
import json
import math
from dataclasses import dataclass, field, replace
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.store.product import Product
from bot.store.text import tokens
from bot.store.vocab import Concept, Vocabulary, strip_proclitics, vocabulary

__all__ = ["SORTS", "Query", "SearchFilters", "SearchIndex", "SearchPage"]

SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest")
GENDER_SECTIONS = {"men": ("men",), "women": ("women",), "kids": ("boys", "girls")}
_W_ITEM, _W_COLOR, _W_STOCK, _W_TEXT, _W_POP = 0.5, 0.25, 0.125, 0.1, 0.025
_COMMON = 0.3          # a word in more than 30% of products carries no meaning for ranking
_KIND_ORDER = ("category", "color", "item", "size")


@dataclass(frozen=True)
class SearchFilters:
    """Structured filters (values exactly as schema.json's slots; ``gender`` as in the catalog)."""

    category: str | None = None
    item: str | None = None
    color: str | None = None
    size: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool | None = None
    gender: str | None = None

    def merged(self, other: "SearchFilters") -> "SearchFilters":
        """These filters, with ``other``'s values where this one has none."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return replace(other, **{key: value for key, value in values.items() if value is not None})

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if getattr(self, name) is not None}


@dataclass(frozen=True)
class SearchPage:
    """One page of results, best first; ``filters`` is what the search understood and applied."""

    products: tuple[Product, ...]
    total: int
    next_cursor: str | None = None
    stale: bool = False
    filters: SearchFilters = field(default_factory=SearchFilters)
    scores: tuple[float, ...] = ()
    relaxed: tuple[str, ...] = ()
    query: str = ""


@dataclass(frozen=True)
class Query:
    """What a query text names: an item, colours, sections, sizes, and the remaining words."""

    item: str | None = None
    colors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    item_words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, vocab: Vocabulary) -> "Query":
        """Read ``text`` with the lexicon (whole tokens, longest phrase first)."""
        words = tokens(text)
        found: dict[str, list[str]] = {"item": [], "color": [], "category": [], "size": []}
        free: list[str] = []
        item_words: list[str] = []
        matches = vocab.scan(words)
        covered: set[int] = set()
        for position, match in enumerate(matches):
            if match is None:
                continue
            covered.update(range(match.start, match.end))
            concept = _choose(match.concepts)
            if concept.kind == "size" and not _size_allowed(words, match.start, match.end, vocab, matches):
                continue
            if concept.kind in found:
                found[concept.kind].append(concept.value)
            if concept.kind == "item":
                # the first item is the head noun; a second one is a modifier (جيبه جينز)
                (free if len(found["item"]) > 1 else item_words).extend(words[match.start:match.end])
        found["size"].extend(_cue_numbers(words, matches))
        free.extend(word for index, word in enumerate(words) if index not in covered and not word.isdigit())
        return cls(
            item=found["item"][0] if found["item"] else None,
            colors=tuple(dict.fromkeys(found["color"])),
            sections=tuple(dict.fromkeys(found["category"])),
            sizes=tuple(dict.fromkeys(found["size"])),
            words=tuple(dict.fromkeys(free)),
            item_words=tuple(item_words),
        )


def _choose(concepts: tuple[Concept, ...]) -> Concept:
    """One reading of an ambiguous phrase: a section before a colour before an item; first of a kind."""
    return min(concepts, key=lambda concept: _KIND_ORDER.index(concept.kind) if concept.kind in _KIND_ORDER else 9)


def _size_allowed(words: list[str], start: int, end: int, vocab: Vocabulary, matches: list) -> bool:
    """A one-letter size (s, m, l) counts only right after a size cue (مقاس L, size m)."""
    if end - start > 1 or words[start] not in vocab.size_letters:
        return True
    previous = matches[start - 1] if start else None
    return previous is not None and any(concept.kind == "cue" for concept in previous.concepts)


def _cue_numbers(words: list[str], matches: list) -> list[str]:
    """Numbers right after a size cue are sizes (مقاس 42, size 40)."""
    return [
        words[match.end]
        for match in matches
        if match is not None and match.end < len(words) and words[match.end].isdigit()
        and any(concept.kind == "cue" for concept in match.concepts)
    ]


class SearchIndex:
    """Inverted index over one snapshot's products; immutable, shared by threads."""

    def __init__(self, products: Iterable[Product], vocab: Vocabulary | None = None) -> None:
        self.vocab = vocab or vocabulary()
        self.products: tuple[Product, ...] = tuple(products)
        self.postings: dict[str, set[int]] = {}
        self.words: dict[str, set[int]] = {}
        self._main_category = _main_categories(self.products)
        for position, product in enumerate(self.products):
            self._index(position, product)
        count = max(1, len(self.products))
        self.idf = {word: math.log(count / len(found)) for word, found in self.words.items()
                    if len(found) / count <= _COMMON}
        self._long_words = sorted(word for word in self.idf if len(word) >= 5)
        self.static = [_static_score(product) for product in self.products]
        self.everything = frozenset(range(len(self.products)))

    # ---- building -----------------------------------------------------------------------------

    def _index(self, position: int, product: Product) -> None:
        keys = {f"item:{product.item}", f"gender:{product.gender}"}
        keys.update(f"color:{color}" for color in product.colors)
        keys.update(f"size:{size}" for size in _expand_sizes(product.sizes))
        keys.update(f"section:{section}" for section in self._sections(product))
        if product.in_stock:
            keys.add("stock")
        for key in keys:
            self.postings.setdefault(key, set()).add(position)
        text = " ".join((product.name_ar, product.name_en, product.description_ar, product.description_en,
                         product.category_name_ar, product.category_name_en))
        for word in set(tokens(text)):
            self.words.setdefault(word, set()).add(position)

    def _sections(self, product: Product) -> set[str]:
        sections = {product.category}
        for section, genders in GENDER_SECTIONS.items():
            if product.gender in genders:
                sections.add(section)
        main = self._main_category.get(product.item)
        if main and main not in GENDER_SECTIONS:
            sections.add(main)      # kids' sneakers are shoes too, a kids' bag an accessory
        return sections

    # ---- searching ----------------------------------------------------------------------------

    def search(
        self, text: str = "", filters: SearchFilters | None = None, sort: str = "relevance",
        limit: int = 10, offset: int = 0,
    ) -> tuple[list[tuple[Product, float]], int, SearchFilters, tuple[str, ...]]:
        """Rank the products for ``text`` and ``filters``: (page of (product, score), total, understood, relaxed)."""
        query = self._known_item(Query.parse(text, self.vocab))
        explicit = filters or SearchFilters()
        understood = explicit.merged(_filters_from(query, self.vocab))
        candidates, relaxed = self._candidates(query, explicit)
        text_scores = self._text_scores(query.words)
        if not _names_anything(query, explicit) and query.words:
            candidates = candidates & set(text_scores)
        bonus = self._bonus(query, explicit, candidates, text_scores)
        ranked = self._rank(candidates, bonus, sort, offset + limit)
        page = [(self.products[i], round(self.static[i] + bonus.get(i, 0.0), 4)) for i in ranked[offset:]]
        for name in relaxed:
            understood = replace(understood, **{name: None})
        return page, len(candidates), understood, relaxed

    def _known_item(self, query: Query) -> Query:
        """An item the catalog does not carry (polo, suit) is searched as words instead."""
        if query.item and f"item:{query.item}" not in self.postings:
            slot = self.vocab.item_slot.get(query.item)
            if not slot or not any(f"item:{item}" in self.postings for item in self.vocab.items_for_slot(slot)):
                return replace(query, item=None, words=query.item_words + query.words)
        return query

    def _candidates(self, query: Query, explicit: SearchFilters) -> tuple[set[int], tuple[str, ...]]:
        hard = self._explicit_sets(explicit)
        soft = self._query_sets(query, explicit)
        base = _intersect(hard, self.everything)
        base = {i for i in base if _price_ok(self.products[i], explicit)}
        relaxed: list[str] = []
        for name in ("size", "color", "category", "item"):
            current = _intersect([found for _, found in soft], base)
            if current or not soft:
                return current, tuple(relaxed)
            if any(kind == name for kind, _ in soft):
                relaxed.append(name)
                soft = [(kind, found) for kind, found in soft if kind != name]
        return _intersect([found for _, found in soft], base), tuple(relaxed)

    def _explicit_sets(self, filters: SearchFilters) -> list[set[int]]:
        sets = []
        if filters.item:
            sets.append(self._union(f"item:{item}" for item in self.vocab.items_for_slot(filters.item)))
        if filters.color:
            sets.append(self.postings.get(f"color:{filters.color}", set()))
        if filters.category:
            sets.append(self.postings.get(f"section:{filters.category}", set()))
        if filters.gender:
            sets.append(self.postings.get(f"gender:{filters.gender}", set()))
        if filters.size:
            sets.append(self.postings.get(f"size:{_size_key(filters.size)}", set()))
        if filters.in_stock:
            sets.append(self.postings.get("stock", set()))
        return sets

    def _query_sets(self, query: Query, explicit: SearchFilters) -> list[tuple[str, set[int]]]:
        sets: list[tuple[str, set[int]]] = []
        if query.item and not explicit.item:
            slot = self.vocab.item_slot.get(query.item)
            items = self.vocab.items_for_slot(slot) if slot else {query.item}
            found = self._union(f"item:{item}" for item in items | {query.item})
            if found:
                sets.append(("item", found))
        if query.colors and not explicit.color:
            sets.append(("color", self._union(f"color:{color}" for color in query.colors)))
        if query.sections and not explicit.category:
            for group in _section_groups(query.sections):
                sets.append(("category", self._union(f"section:{section}" for section in group)))
        if query.sizes and not explicit.size:
            sets.append(("size", self._union(f"size:{_size_key(size)}" for size in query.sizes)))
        return sets

    def _union(self, keys: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for key in keys:
            found |= self.postings.get(key, set())
        return found

    def _text_scores(self, words: tuple[str, ...]) -> dict[int, float]:
        """Share of the query's meaningful free words (weighted by rarity) each product contains."""
        weights: list[tuple[float, set[int]]] = []
        for word in words:
            found = self._word_postings(word)
            if found:
                weights.append(found)
        total = sum(weight for weight, _ in weights)
        scores: dict[int, float] = {}
        for weight, found in weights:
            for position in found:
                scores[position] = scores.get(position, 0.0) + weight / total
        return scores

    def _word_postings(self, word: str) -> tuple[float, set[int]] | None:
        for candidate in (word, *strip_proclitics(word)):
            if candidate in self.idf:
                return self.idf[candidate], self.words[candidate]
        if len(word) >= 5 and not word.isdigit():
            limit = 2 if len(word) >= 8 else 1
            near = process.extractOne(word, self._long_words, scorer=Levenshtein.distance, score_cutoff=limit)
            if near:
                return self.idf[near[0]] * 0.8, self.words[near[0]]
        return None

    def _bonus(self, query: Query, explicit: SearchFilters, candidates: set[int], text: dict[int, float]) -> dict[int, float]:
        bonus: dict[int, float] = {}
        if query.item and not explicit.item:
            for i in candidates & self.postings.get(f"item:{query.item}", set()):
                bonus[i] = _W_ITEM
        colors = (explicit.color,) if explicit.color else query.colors
        if colors:
            for i in candidates & self._union(f"color:{color}" for color in colors):
                bonus[i] = bonus.get(i, 0.0) + _W_COLOR
        for i, share in text.items():
            if i in candidates:
                bonus[i] = bonus.get(i, 0.0) + _W_TEXT * share
        return bonus

    def _rank(self, candidates: set[int], bonus: dict[int, float], sort: str, needed: int) -> list[int]:
        static, products = self.static, self.products
        if sort == "relevance":
            return heapq.nlargest(needed, candidates, key=lambda i: (static[i] + bonus.get(i, 0.0), -i))
        keys = {
            "price_asc": lambda i: (not products[i].in_stock, products[i].final_price, -i),
            "price_desc": lambda i: (not products[i].in_stock, -products[i].final_price, -i),
            "rating": lambda i: (not products[i].in_stock, -products[i].rating, -products[i].count_rating, -i),
            "newest": lambda i: (not products[i].in_stock, _negated_date(products[i].created_at), -i),
        }
        return heapq.nsmallest(needed, candidates, key=keys[sort])


# ---- cursors ------------------------------------------------------------------------------------

def encode_cursor(offset: int) -> str:
    """An opaque cursor for the page that starts at ``offset``."""
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset in ``cursor``; 0 for none or a cursor that does not parse."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return max(0, int(data["o"]))
    except (ValueError, KeyError, TypeError):
        return 0


# ---- helpers ------------------------------------------------------------------------------------

def _filters_from(query: Query, vocab: Vocabulary) -> SearchFilters:
    item = vocab.item_slot.get(query.item) if query.item else None
    people = [section for section in query.sections if section in GENDER_SECTIONS]
    kinds = [section for section in query.sections if section not in GENDER_SECTIONS]
    category = (kinds or people)[0] if len(kinds) <= 1 and len(people) <= 1 and query.sections else None
    gender = people[0] if kinds and len(people) == 1 and people[0] != "kids" else None
    return SearchFilters(
        item=item or query.item,
        color=query.colors[0] if len(query.colors) == 1 else None,
        category=category,
        size=query.sizes[0] if len(query.sizes) == 1 else None,
        gender=gender,
    )


def _names_anything(query: Query, explicit: SearchFilters) -> bool:
    return bool(query.item or query.colors or query.sections or query.sizes or explicit.as_dict())


def _section_groups(sections: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Gender sections (men, women, kids) and product sections (shoes, ...) combine with AND."""
    people = tuple(section for section in sections if section in GENDER_SECTIONS)
    kinds = tuple(section for section in sections if section not in GENDER_SECTIONS)
    return [group for group in (people, kinds) if group]


def _intersect(sets: list[set[int]], base: Iterable[int]) -> set[int]:
    result = set(base)
    for found in sorted(sets, key=len):
        result &= found
        if not result:
            break
    return result


def _price_ok(product: Product, filters: SearchFilters) -> bool:
    if filters.price_min is not None and product.final_price < filters.price_min:
        return False
    return filters.price_max is None or product.final_price <= filters.price_max


def _size_key(size: str) -> str:
    return str(size).strip().upper().replace("2XL", "XXL")


def _expand_sizes(sizes: Iterable[str]) -> set[str]:
    """Size keys of a product: ``40-45`` (socks) also counts as 40, 41, ... 45."""
    keys = set()
    for size in sizes:
        keys.add(_size_key(size))
        low, _, high = str(size).partition("-")
        if low.isdigit() and high.isdigit():
            keys.update(str(number) for number in range(int(low), int(high) + 1))
    return keys


def _main_categories(products: tuple[Product, ...]) -> dict[str, str]:
    """The category most products of each item sit in (sneakers -> shoes, bag -> accessories)."""
    counts: dict[str, dict[str, int]] = {}
    for product in products:
        per_item = counts.setdefault(product.item, {})
        per_item[product.category] = per_item.get(product.category, 0) + 1
    return {item: max(found, key=found.get) for item, found in counts.items()}


def _static_score(product: Product) -> float:
    """In stock, then popularity (rating weighted by how many rated it, best sellers a little up)."""
    popularity = (product.rating / 5.0) * min(1.0, math.log1p(product.count_rating) / math.log1p(200))
    popularity = min(1.0, 0.8 * popularity + (0.2 if product.is_best_seller else 0.0))
    return (_W_STOCK if product.in_stock else 0.0) + _W_POP * popularity


def _negated_date(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-") if part.isdigit()) or (0,)
