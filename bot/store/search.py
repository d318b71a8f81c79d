"""Dialect-aware product search over the catalog snapshot: filters, BM25 relevance, ranking, cursors.

A query is read by the intent matcher's own machinery (:func:`bot.nlu.query.read_query`): the
items, colours, sections, kids' genders and size it names, the colours and sections it refuses
(``مش اسود``, ``not black``, ``غير الاسود``), its price bounds (``تحت 500``, ``fo2 1000``,
``between 300 and 600``), and the words left over. The item's words and the free words are
ranked by :class:`~bot.store.text_index.TextIndex` (BM25 over names, tags and descriptions, with
concepts across languages, typos and phrases), so materials, styles, product lines and the
store's own item names (boots, kaftans) are found with no code change.

Filters given by the caller (:class:`SearchFilters`) are hard and win over the text. What the
text states is hard while something matches it; when nothing does, the least important is
relaxed (kids' products for an adult query, size, refused colours, colour, gender, section,
price, item) and named in ``SearchPage.relaxed`` so the reply can say so. A section the text
refuses (``مش رجالي``) is always left out. An item is a strong boost, not a wall: products whose
name says the item (a "jacket" whose item field is coat) count as that item. "Men's" and
"women's" include unisex adult products; kids' products answer only a query that asks for kids.
Words the shop has nothing for (``برفان``), with no item named, find nothing rather than the
whole section. ``منتج رقم ١٢٠`` / ``product 57`` is that product.

Ranking (``sort="relevance"``): the exact item asked for, a colour asked for (or, for a refused
colour, products not sold in it), text relevance (0..1 of the best match), in stock, the gender
asked for, popularity; each further colour of one model steps down, so a page is not one product
in ten colours. A gender asked in the text (boys', girls', men's, women's) is answered by its own
products and by unisex ones: its own rank above the unisex ones that fit the rest as well (the
same item and stock, words about as close): ``كوتشي ولادي`` gives the boys' sneakers, then the
unisex kids' ones. The
reported ``score`` is that sum scaled to 0..1 (capped at 1). Ties go to the better static score, then position,
so the same query always gives the same page, and "more" continues the same ranking.
"""

from __future__ import annotations

import base64
import heapq
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from typing import TypedDict, cast

import numpy as np

from bot.nlu.lexicon import load_lexicon
from bot.nlu.query import QueryReading, read_query
from bot.store.bitsets import PriceIndex, mask_of, positions
from bot.store.product import Product
from bot.store.text import tokens
from bot.store.text_index import TextIndex, search_words

__all__ = ["SORTS", "SearchFilters", "SearchIndex", "SearchPage", "item_slots"]

SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest")
GENDER_SECTIONS = {"men": ("men",), "women": ("women",), "kids": ("boys", "girls")}
_W_ITEM, _W_COLOR, _W_STOCK, _W_TEXT, _W_POP = 0.5, 0.25, 0.125, 0.3, 0.025
_W_AVOIDED = 0.25      # sold in no refused colour: as strong as a colour asked for
_W_GENDER = 0.1        # the gender asked for, over unisex: below an item or colour, above popularity
_PRODUCT_CUES = frozenset({"منتج", "المنتج", "كود", "الكود", "موديل", "product", "item", "code", "sku", "model",
                           "mantag", "montag", "mntg", "muntag"})
_NUMBER_CUES = frozenset({"رقم", "number", "no", "num", "ra2am", "rakam", "raqam", "nemra"})
_SIZE_WORDS = frozenset({"مقاس", "مقاسي", "نمره", "size", "ma2as", "ma2asi", "m2as"})
# What else a number after رقم/number may be: an address, an order, a bill, a phone.
_NOT_PRODUCT_NUMBERS = frozenset({"عماره", "شقه", "دور", "شارع", "بلوك", "طلب", "اوردر", "الاوردر", "فاتوره", "تليفون",
                                  "موبايل", "order", "building", "flat", "apartment", "street", "floor", "invoice",
                                  "phone", "3omara", "sha2a", "shar3"})
_MAX_QUERY_WORDS = 32
_W_REPEAT = 0.15       # each further colour of one model, down the page
_SCALE = _W_ITEM + _W_COLOR + _W_TEXT + _W_STOCK + _W_POP     # reported scores are 0..1
_RELAX_ORDER = ("size", "exclude_colors", "color", "gender", "category", "price", "adult", "item")
_RELAXED_FIELDS = {"price": ("price_min", "price_max"), "adult": ()}


class FilterValues(TypedDict, total=False):
    """:class:`SearchFilters` fields by name: keyword arguments for ``dataclasses.replace``."""

    category: str | None
    item: str | None
    color: str | None
    size: str | None
    price_min: int | None
    price_max: int | None
    in_stock: bool | None
    gender: str | None
    exclude_colors: tuple[str, ...]


@dataclass(frozen=True)
class SearchFilters:
    """Structured filters (values exactly as schema.json's slots; ``gender`` as in the catalog).

    ``exclude_colors``: products sold only in these colours are left out.
    """

    category: str | None = None
    item: str | None = None
    color: str | None = None
    size: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool | None = None
    gender: str | None = None
    exclude_colors: tuple[str, ...] = ()

    def merged(self, other: SearchFilters) -> SearchFilters:
        """These filters, with ``other``'s values where this one has none."""
        mine = self.as_dict()
        return replace(other, **mine) if mine else other

    def as_dict(self) -> FilterValues:
        """The filters that are set."""
        values = {name: getattr(self, name) for name in _FILTER_FIELDS}
        # the keys are this dataclass's own field names, each with its field's value
        return cast(FilterValues, {name: value for name, value in values.items() if value not in (None, ())})


_FILTER_FIELDS = tuple(SearchFilters.__dataclass_fields__)


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


@lru_cache(maxsize=1)
def item_slots() -> dict[str, str | None]:
    """Catalogue item → the schema item value it gives (``sweatshirt`` → ``hoodie``), from the lexicon."""
    return {name: entry.slot for name, entry in load_lexicon().items.items()}


@lru_cache(maxsize=256)
def _items_for_slot(slot: str) -> frozenset[str]:
    """Catalogue items a schema item value covers (``hoodie`` covers hoodie and sweatshirt)."""
    return frozenset({item for item, value in item_slots().items() if value == slot} | {slot})


@dataclass(frozen=True)
class _Plan:
    """One search, worked out: hard and soft sets, ranking features, what was understood."""

    hard: int
    soft: list[tuple[str, int]]
    features: list[tuple[float, int]]
    understood: SearchFilters
    text_only: int | None
    explicit_prices: tuple[str, ...] = ()
    text: np.ndarray | None = None     # text relevance, 0..1 of the best match; None without words


class SearchIndex:
    """Bitset index over one snapshot's products; immutable, shared by threads.

    Products are held best static score first (in stock, then popularity), so the lowest
    positions of any set are its best products when nothing else tells them apart.
    """

    def __init__(self, products: Iterable[Product]) -> None:
        given = tuple(products)
        statics = [_static_score(product) for product in given]
        order = sorted(range(len(given)), key=lambda i: (-statics[i], i))
        self.products: tuple[Product, ...] = tuple(given[i] for i in order)
        self.item_slot = item_slots()
        self.size = len(self.products)
        self.everything = (1 << self.size) - 1
        self.postings = self._build()
        self.text = TextIndex(self.products)
        self.static_scores = np.array([statics[i] for i in order], dtype=np.float64)
        self.in_stock = np.array([product.in_stock for product in self.products], dtype=bool)
        self._bytes = (self.size + 7) // 8
        ids = np.array([product.id for product in self.products], dtype=np.int64)
        self._id_order = np.argsort(ids, kind="stable")
        self._ids_sorted = ids[self._id_order]
        self.prices = PriceIndex([product.final_price for product in self.products])
        self._sorted: dict[str, list[int]] = {}

    # ---- building -----------------------------------------------------------------------------

    def _build(self) -> dict[str, int]:
        """Each key's products as a bitset: products grouped by what their keys depend on (item, gender,
        section and stock; each colour; sizes), each group's keys made once."""
        kinds: dict[tuple[str, str, str, bool], list[int]] = {}
        colours: dict[str, list[int]] = {}
        sizes: dict[tuple[str, ...], list[int]] = {}
        for position, product in enumerate(self.products):
            kinds.setdefault((product.item, product.gender, product.category, product.in_stock), []).append(position)
            for colour in product.colors or ("",):
                colours.setdefault(colour, []).append(position)
            sizes.setdefault(tuple(product.sizes), []).append(position)
        main_category = _main_categories(self.products)
        keys: dict[str, list[int]] = {}
        for kind, found in kinds.items():
            for key in _kind_keys(*kind, main_category):
                keys.setdefault(key, []).extend(found)
        for colour, found in colours.items():
            keys.setdefault(f"color:{colour}", []).extend(found)
        for sized, found in sizes.items():
            for size in _expand_sizes(sized):
                keys.setdefault(f"size:{size}", []).extend(found)
        return {key: mask_of(found, self.size) for key, found in sorted(keys.items())}

    def _array(self, mask: int) -> np.ndarray:
        """A position set as a boolean array."""
        raw = np.frombuffer(mask.to_bytes(self._bytes, "little"), dtype=np.uint8)
        return np.unpackbits(raw, bitorder="little", count=self.size).astype(bool)

    def _mask(self, found: np.ndarray) -> int:
        """A boolean array as a position set."""
        return int.from_bytes(np.packbits(found, bitorder="little").tobytes(), "little")

    # ---- searching ----------------------------------------------------------------------------

    def search(
        self, text: str = "", filters: SearchFilters | None = None, sort: str = "relevance",
        limit: int = 10, offset: int = 0, read: Callable[[], QueryReading] | None = None,
    ) -> tuple[list[tuple[Product, float]], int, SearchFilters, tuple[str, ...]]:
        """Rank the products for ``text`` and ``filters``: (page of (product, score), total, understood, relaxed).

        ``read`` gives ``read_query(text)`` from an analysis the caller already made of these very words
        (the dialog's, of the customer's message); it is used only when ``text`` is searched as given.
        """
        words = " ".join(text.split()[:_MAX_QUERY_WORDS])       # a pasted essay is not a query
        if not words:
            reading = QueryReading()
        else:
            reading = read() if read is not None and words == text else read_query(words)
        text = words
        numbered = None if filters and filters.as_dict() else self._numbered(text, reading)
        if numbered is not None:
            page = [(self.products[numbered], 1.0)] if offset == 0 else []
            return page, 1, filters or SearchFilters(), ()
        limit, offset = max(0, limit), max(0, offset)
        plan = self._plan(reading, filters or SearchFilters())
        candidates, relaxed = self._candidates(plan)
        if plan.text_only is not None:
            candidates &= plan.text_only
        needed = offset + limit
        understood = replace(plan.understood, **_cleared(relaxed, plan)) if relaxed else plan.understood
        if not needed:
            return [], candidates.bit_count(), understood, relaxed
        if sort == "relevance":
            ranked = self._relevance(candidates, plan, needed)
        else:
            ranked = [(i, self._score(i, plan)) for i in self._sorted_by(sort, candidates, needed)]
        page = [(self.products[i], round(min(1.0, max(0.0, score / _SCALE)), 4)) for i, score in ranked[offset:needed]]
        return page, candidates.bit_count(), understood, relaxed

    def _plan(self, reading: QueryReading, explicit: SearchFilters) -> _Plan:
        item, words = self._carried_item(reading)
        exclude = tuple(c for c in explicit.exclude_colors or reading.not_colors if c != explicit.color)
        understood = explicit.merged(_filters_from(reading, item, exclude))
        hard = _intersect(self._explicit_sets(explicit) + self._sections_refused(reading, understood),
                          self.everything)
        if explicit.price_min is not None or explicit.price_max is not None:
            hard &= self.prices.between(explicit.price_min, explicit.price_max)
        text_words = tuple(w for found in reading.item_words for w in found) + reading.words
        text, known = self.text.read(text_words) if text_words else (None, True)
        if text is not None:
            best = float(text.max(initial=0.0))        # (an empty catalog has no best)
            text = text.astype(np.float64) / best if best > 0 else np.zeros(self.size)
        soft = self._query_sets(reading, item, explicit) + self._text_limits(reading, explicit)
        features = self._features(reading, item, explicit, exclude)
        names = bool(item or reading.colors or reading.categories or reading.genders or reading.size
                     or understood.as_dict())
        text_only = None
        if text is not None and not item and not known:
            text_only = 0               # "برفان رجالي": words the shop has nothing for, not its men's section
        elif not names and text is not None:
            text_only = self._mask(text > 0)
        given = tuple(n for n in ("price_min", "price_max") if getattr(explicit, n) is not None)
        return _Plan(hard, soft, features, understood, text_only, given, text)

    def _numbered(self, text: str, reading: QueryReading) -> int | None:
        """The position of the product a query names by number (``منتج رقم ١٢٠``, ``product #57``).

        ``رقم``/``number`` alone counts only when the query says nothing else about a product: not
        ``جزمه رقم 42`` (a shoe size), ``عمارة رقم 9`` (an address) or ``order number 9``.
        """
        words = tokens(text) if text else []
        weak_only = bool(reading.items or reading.categories or reading.size or reading.colors) or \
            any(w in _SIZE_WORDS or w in _NOT_PRODUCT_NUMBERS for w in words) or \
            bool(self.text.content_words(reading.words))
        for at, (cue, number) in enumerate(pairwise(words)):
            strong = cue in _PRODUCT_CUES or (cue in _NUMBER_CUES and at > 0 and words[at - 1] in _PRODUCT_CUES)
            if (strong or (cue in _NUMBER_CUES and not weak_only)) and number.isdigit():
                position = self._position_of(int(number))
                if position is not None:
                    return position
        return None

    def _position_of(self, product_id: int) -> int | None:
        at = int(np.searchsorted(self._ids_sorted, product_id))
        if at < len(self._ids_sorted) and self._ids_sorted[at] == product_id:
            return int(self._id_order[at])
        return None

    def _carried_item(self, reading: QueryReading) -> tuple[str | None, tuple[str, ...]]:
        """The first item named that the catalog carries, and the words of the others.

        An item the catalog does not carry (polo, suit) is searched as words instead, and so are
        the nouns that describe the head (``جيبه جينز``: skirts first, denim ones up).
        """
        item = next((name for name in reading.items if self._carries(name)), None)
        words = [w for name, found in zip(reading.items, reading.item_words, strict=True) if name != item
                 for w in found]
        return item, tuple(words)

    def _carries(self, item: str) -> bool:
        slot = self.item_slot.get(item)
        group = _items_for_slot(slot) if slot else {item}
        return any(f"item:{name}" in self.postings for name in group | {item})

    def _candidates(self, plan: _Plan) -> tuple[int, tuple[str, ...]]:
        soft = list(plan.soft)
        relaxed: list[str] = []
        for name in _RELAX_ORDER:
            current = _intersect([found for _, found in soft], plan.hard)
            if current or not soft:
                return current, tuple(relaxed)
            if any(kind == name for kind, _ in soft):
                relaxed.append(name)
                soft = [(kind, found) for kind, found in soft if kind != name]
        return _intersect([found for _, found in soft], plan.hard), tuple(relaxed)

    def _explicit_sets(self, filters: SearchFilters) -> list[int]:
        sets = []
        if filters.item:
            sets.append(self._union(f"item:{item}" for item in _items_for_slot(filters.item)))
        if filters.color:
            sets.append(self.postings.get(f"color:{filters.color}", 0))
        if filters.category:
            sets.append(self._section(filters.category))
        if filters.gender:
            sets.append(self.postings.get(f"gender:{filters.gender}", 0))
        if filters.size:
            sets.append(self.postings.get(f"size:{_size_key(filters.size)}", 0))
        if filters.in_stock:
            sets.append(self.postings.get("stock", 0))
        if filters.exclude_colors:
            sets.append(self._sold_in_others(filters.exclude_colors))
        return sets

    def _sold_in_others(self, refused: Iterable[str]) -> int:
        """Products sold in a colour not refused (``"color:"`` holds the colourless ones)."""
        refused = set(refused)
        return self._union(key for key in self.postings if key.startswith("color:") and key[6:] not in refused)

    def _sections_refused(self, reading: QueryReading, understood: SearchFilters) -> list[int]:
        """Everything outside the sections the text refuses (``مش رجالي``)."""
        return [self.everything & ~self._section(section)
                for section in reading.not_categories if section != understood.category]

    def _text_limits(self, reading: QueryReading, explicit: SearchFilters) -> list[tuple[str, int]]:
        """Price bounds and refused colours read from the text, unless the caller gave their own."""
        limits: list[tuple[str, int]] = []
        low = reading.price_min if explicit.price_min is None else None
        high = reading.price_max if explicit.price_max is None else None
        if low is not None or high is not None:
            limits.append(("price", self.prices.between(low, high)))
        refused = tuple(c for c in reading.not_colors if c != explicit.color)
        if refused and not explicit.exclude_colors and not explicit.color:
            limits.append(("exclude_colors", self._sold_in_others(refused)))
        return limits

    def _query_sets(self, reading: QueryReading, item: str | None, explicit: SearchFilters) -> list[tuple[str, int]]:
        sets: list[tuple[str, int]] = []
        if item and not explicit.item:
            slot = self.item_slot.get(item)
            group = _items_for_slot(slot) if slot else {item}
            found = self._union(f"item:{name}" for name in group | {item})
            words = next((w for name, w in zip(reading.items, reading.item_words, strict=True) if name == item), ())
            named = self.text.named(words, group | {item})   # a "jacket" named so, whatever its item field
            sets.append(("item", found | self._mask(named)))
        if reading != QueryReading() and not self._asks_for_kids(reading, explicit):
            sets.append(("adult", self.everything & ~self._section("kids")))
        if reading.colors and not explicit.color:
            sets.append(("color", self._union(f"color:{color}" for color in reading.colors)))
        if reading.genders and not explicit.gender:
            genders = (*reading.genders, "unisex")
            sets.append(("gender", self._union(f"gender:{gender}" for gender in genders)))
        if reading.categories and not explicit.category:
            for kind, sections in _section_groups(reading.categories):
                sets.append((kind, _union(self._section(section) for section in sections)))
        if reading.size and not explicit.size:
            sets.append(("size", self.postings.get(f"size:{_size_key(reading.size)}", 0)))
        return sets

    def _features(self, reading: QueryReading, item: str | None, explicit: SearchFilters,
                  exclude: tuple[str, ...]) -> list[tuple[float, int]]:
        """Ranking bonuses: the exact item asked for, a colour asked for, a refused colour avoided."""
        features = []
        if item and not explicit.item:
            features.append((_W_ITEM, self.postings.get(f"item:{item}", 0)))
        colors = (explicit.color,) if explicit.color else reading.colors
        if colors:
            features.append((_W_COLOR, self._union(f"color:{color}" for color in colors)))
        elif exclude:
            # below a free-word match: "polo, not black" wants polos first, black-free ones among them
            features.append((_W_AVOIDED, self.everything & ~self._union(f"color:{c}" for c in exclude)))
        genders = _genders_asked(reading, explicit)
        if genders:
            features.append((_W_GENDER, self._union(f"gender:{gender}" for gender in genders)))
        return features

    @staticmethod
    def _asks_for_kids(reading: QueryReading, explicit: SearchFilters) -> bool:
        """The customer (or the caller's filters) asked for kids, or named a gender or section."""
        sections = {*reading.categories, explicit.category or "", explicit.gender or ""}
        return bool(reading.genders) or bool(sections & {"kids", "boys", "girls"})

    def _union(self, keys: Iterable[str]) -> int:
        return _union(self.postings.get(key, 0) for key in keys)

    def _section(self, section: str) -> int:
        """The products of a section: the catalog's own, else the items that section holds
        (a shop filed only by men/women/kids still has shoes); nothing, never everything."""
        found = self.postings.get(f"section:{section}")
        if found is not None:
            return found
        return self._union(f"item:{item}" for item in search_words().sections.get(section, ()))

    # ---- ranking ------------------------------------------------------------------------------

    def _relevance(self, candidates: int, plan: _Plan, needed: int) -> list[tuple[int, float]]:
        """The ``needed`` best candidates by score, best first; equal scores by position (static order)."""
        if not candidates:
            return []
        found = np.flatnonzero(self._array(candidates))
        scores = self._scores(plan, found)
        if self.text.has_families:
            ranked = self._diverse(found, scores, needed)
        else:
            top, chosen = _best(found, scores, needed)
            ranked = [(int(position), float(score)) for position, score in zip(top, chosen, strict=True)]
        return self._in_stock_first(ranked, found, scores)

    def _in_stock_first(self, ranked: list[tuple[int, float]], found: np.ndarray,
                        scores: np.ndarray) -> list[tuple[int, float]]:
        """A sold-out product is never first while an in-stock one matches: the best in-stock one
        moves to the front (it takes the first score, so scores still read best first). ``scores``
        are ``found``'s."""
        if not ranked or self.in_stock[ranked[0][0]]:
            return ranked
        stocked = self.in_stock[found]
        if not stocked.any():
            return ranked
        best = int(_best(found[stocked], scores[stocked], 1)[0][0])
        order = [best] + [position for position, _ in ranked if position != best]
        return list(zip(order[:len(ranked)], (score for _, score in ranked), strict=True))

    def _diverse(self, found: np.ndarray, chosen: np.ndarray, needed: int) -> list[tuple[int, float]]:
        """The best ``needed``, each further colour of one model (same item and name) a step down.

        A model's second product loses ``_W_REPEAT``, its third twice that, and so on, counted in
        score order; so ten colours of one product never fill the first page, and the order is one
        ranking over all pages. The window of best products grows until no product outside it
        could enter the page.
        """
        window = max(4 * needed, 40)
        while True:
            top, base = _best(found, chosen, window)
            family = self.text.family[top]
            repeats = np.array(_repeat_counts(family.tolist()))
            penalised = base - _W_REPEAT * repeats
            order = np.lexsort((top, -penalised))[:needed]
            if len(top) == len(found) or (len(order) == needed and not self._could_enter(
                    found, chosen, top, penalised[order[-1]], top[order[-1]])):
                return [(int(top[i]), float(penalised[i])) for i in order]
            window *= 4

    @staticmethod
    def _could_enter(found: np.ndarray, chosen: np.ndarray, top: np.ndarray, last: float, last_position: int) -> bool:
        """True when a product outside the window would rank before the page's last one (a higher
        score, or the same score and an earlier position)."""
        outside = ~np.isin(found, top)
        scores, positions = chosen[outside], found[outside]
        return bool(((scores > last) | ((scores == last) & (positions < last_position))).any())

    def _scores(self, plan: _Plan, found: np.ndarray) -> np.ndarray:
        """The scores of the products at ``found``: static score, feature bonuses, text relevance (0..1 of the best)."""
        scores = self.static_scores[found]
        for weight, mask in plan.features:
            scores += weight * self._array(mask)[found]
        if plan.text is not None:
            scores += _W_TEXT * plan.text[found]
        return scores

    def _score(self, position: int, plan: _Plan) -> float:
        text = _W_TEXT * float(plan.text[position]) if plan.text is not None else 0.0
        return float(self.static_scores[position]) + text + \
            sum(weight for weight, mask in plan.features if mask >> position & 1)

    def _sorted_by(self, sort: str, candidates: int, needed: int) -> list[int]:
        """The first ``needed`` candidates in ``sort`` order (in stock first)."""
        count = candidates.bit_count()
        if count * 16 < self.size:
            return heapq.nsmallest(needed, positions(candidates), key=self._sort_key(sort))
        order = self._sorted.get(sort)
        if order is None:
            order = self._sorted.setdefault(sort, sorted(range(self.size), key=self._sort_key(sort)))
        bits = bin(candidates)[:1:-1]
        picked = []
        for position in order:
            if position < len(bits) and bits[position] == "1":
                picked.append(position)
                if len(picked) == needed:
                    break
        return picked

    def _sort_key(self, sort: str) -> Callable[[int], tuple[object, ...]]:
        products = self.products
        return {
            "price_asc": lambda i: (not products[i].in_stock, products[i].final_price, i),
            "price_desc": lambda i: (not products[i].in_stock, -products[i].final_price, i),
            "rating": lambda i: (not products[i].in_stock, -products[i].rating, -products[i].count_rating, i),
            "newest": lambda i: (not products[i].in_stock, _negated_date(products[i].created_at), i),
        }[sort]


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
    except (ValueError, KeyError, TypeError, OverflowError):
        return 0


# ---- helpers ------------------------------------------------------------------------------------

def _kind_keys(item: str, gender: str, category: str, in_stock: bool, main_category: dict[str, str]) -> set[str]:
    """The index keys of a product's item, gender, section and stock (its colours and sizes are keys too)."""
    keys = {f"item:{item}", f"gender:{gender}", f"section:{category}"}
    for section, genders in GENDER_SECTIONS.items():
        if gender in genders:
            keys.add(f"section:{section}")
    if gender == "unisex" and category != "kids":
        keys.update(("section:men", "section:women"))      # "men's" includes unisex adult products
    main = main_category.get(item)
    if main and main not in GENDER_SECTIONS:
        keys.add(f"section:{main}")      # kids' sneakers are shoes too, a kids' bag an accessory
    if in_stock:
        keys.add("stock")
    return keys


def _cleared(relaxed: tuple[str, ...], plan: _Plan) -> FilterValues:
    """The understood filters a relaxation drops (only ever ones read from the text)."""
    names = [name for kind in relaxed for name in _RELAXED_FIELDS.get(kind, (kind,))]
    if "price" in relaxed:
        names = [n for n in names if n not in plan.explicit_prices]
    # relaxations are named by filter fields (_RELAX_ORDER), "price" and "adult" by _RELAXED_FIELDS
    return cast(FilterValues, {name: () if name == "exclude_colors" else None for name in names})


def _filters_from(reading: QueryReading, item: str | None, exclude: tuple[str, ...]) -> SearchFilters:
    """What the text asks for, as filters (one value per field, or none when it names several)."""
    people = [section for section in reading.categories if section in GENDER_SECTIONS]
    kinds = [section for section in reading.categories if section not in GENDER_SECTIONS]
    category = (kinds or people)[0] if len(kinds) <= 1 and len(people) <= 1 and reading.categories else None
    gender = people[0] if kinds and len(people) == 1 and people[0] != "kids" else None
    if gender is None and len(reading.genders) == 1:
        gender = reading.genders[0]
    return SearchFilters(
        item=(item_slots().get(item) or item) if item else None,
        color=reading.colors[0] if len(reading.colors) == 1 else None,
        category=category,
        size=reading.size,
        price_min=reading.price_min,
        price_max=reading.price_max,
        gender=gender,
        exclude_colors=exclude,
    )


def _genders_asked(reading: QueryReading, explicit: SearchFilters) -> tuple[str, ...]:
    """The genders the text asks for (boys, girls; men, women by their sections), unless the caller's
    filters already hold one gender or section: their own products rank above the unisex ones."""
    if explicit.gender or explicit.category:
        return ()
    return (*reading.genders, *(s for s in reading.categories if s in GENDER_SECTIONS and s != "kids"))


def _section_groups(sections: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """Gender sections (men, women, kids) and product sections (shoes, ...) combine with AND; each
    is relaxed on its own (``gender`` before ``category``), so "men's shoes" never loses both."""
    people = tuple(section for section in sections if section in GENDER_SECTIONS)
    kinds = tuple(section for section in sections if section not in GENDER_SECTIONS)
    return [(kind, group) for kind, group in (("gender", people), ("category", kinds)) if group]


def _best(found: np.ndarray, chosen: np.ndarray, needed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``needed`` best of ``found`` by score, best first; equal scores by position (deterministic)."""
    if len(found) > needed:
        threshold = np.partition(chosen, len(found) - needed)[len(found) - needed]
        keep = chosen >= threshold
        found, chosen = found[keep], chosen[keep]
    order = np.lexsort((found, -chosen))[:needed]
    return found[order], chosen[order]


def _union(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


def _intersect(sets: list[int], base: int) -> int:
    result = base
    for found in sorted(sets, key=int.bit_count):
        result &= found
        if not result:
            break
    return result


def _size_key(size: str) -> str:
    return str(size).strip().upper().replace("2XL", "XXL")


@lru_cache(maxsize=4096)
def _expand_sizes(sizes: tuple[str, ...]) -> frozenset[str]:
    """Size keys of a product: ``40-45`` (socks) also counts as 40, 41, ... 45 (cached: sizes repeat)."""
    keys = set()
    for size in sizes:
        keys.add(_size_key(size))
        low, _, high = str(size).partition("-")
        if low.isdigit() and high.isdigit():
            keys.update(str(number) for number in range(int(low), int(high) + 1))
    return frozenset(keys)


def _main_categories(products: tuple[Product, ...]) -> dict[str, str]:
    """The category most products of each item sit in (sneakers -> shoes, bag -> accessories).

    Only a majority counts: trousers spread over men, women and sportswear have none, so formal
    trousers never turn up as sportswear.
    """
    counts: dict[str, dict[str, int]] = {}
    for product in products:
        per_item = counts.setdefault(product.item, {})
        per_item[product.category] = per_item.get(product.category, 0) + 1
    mains = {item: max(found, key=found.__getitem__) for item, found in counts.items()}
    return {item: main for item, main in mains.items() if 2 * counts[item][main] > sum(counts[item].values())}


def _static_score(product: Product) -> float:
    """In stock, then popularity (rating weighted by how many rated it, best sellers a little up)."""
    popularity = (product.rating / 5.0) * min(1.0, math.log1p(product.count_rating) / math.log1p(200))
    popularity = min(1.0, 0.8 * popularity + (0.2 if product.is_best_seller else 0.0))
    return (_W_STOCK if product.in_stock else 0.0) + _W_POP * popularity


def _repeat_counts(families: list[int]) -> list[int]:
    """For each entry, how many entries before it share its family (0 for the first of each)."""
    seen: dict[int, int] = {}
    counts = []
    for family in families:
        seen[family] = seen.get(family, -1) + 1
        counts.append(seen[family])
    return counts


def _negated_date(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-") if part.isdigit()) or (0,)
