"""A search query read with the matcher's own vocabulary: filters it states, and its free words.

``understand`` gives the slots of schema.json, one value each. A store search needs a little
more from the same analysis: every item named (heads first, schema or not: shorts, boots,
wallet, scarf, sunglasses, coat, ...), every colour and section wanted, the colours and sections
*not* wanted (``مش اسود``, ``not black``, ``غير الاسود``, ``بلاش الاسود ولا الكحلي``), kids'
genders, the size and the price bounds, and the words no phrase of the lexicon took (materials,
styles, names), which the store ranks against its own product words::

    >>> q = read_query("عايز تيشيرت قطن مش اسود تحت 500")
    >>> q.items, q.not_colors, q.price_max, q.words
    (('t-shirt',), ('black',), 500, ('عايز', 'قطن'))

Nothing here changes what ``understand`` returns; both read one :class:`~bot.nlu.analysis.Analysis`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.nlu.analysis import Analysis, analyse
from bot.nlu.slots import category_named, extract_slots, head_items, negated
from bot.nlu.vocab import Span

__all__ = ["QueryReading", "read_query"]

# Span kinds a query reading consumes: what they say becomes a filter, never a free word.
_CONSUMED = frozenset({"item", "color", "category", "gender", "size", "sizecue", "currency",
                       "negators", "price_max", "price_min", "min_suffix", "range_from",
                       "range_to", "disjunction"})
# Words that carry a negation over a list: "مش اسود ولا كحلي", "not black or navy".
_LIST_JOINERS = frozenset({"و", "ولا", "او", "or", "nor", "and", "w", "wala", "walla", "aw"})


@dataclass(frozen=True, slots=True)
class QueryReading:
    """What a search query states (catalogue names and schema values) and its free words.

    ``items`` are catalogue item names, head nouns first, then the nouns that describe them
    (``جيبه جينز`` → skirt, jeans); ``item_words`` holds the tokens of each, in the same order.
    """

    items: tuple[str, ...] = ()
    item_words: tuple[tuple[str, ...], ...] = ()
    colors: tuple[str, ...] = ()
    not_colors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    size: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    words: tuple[str, ...] = ()


def read_query(text: str, analysis: Analysis | None = None) -> QueryReading:
    """Read a customer's search words (any script) into a :class:`QueryReading`.

    ``analysis``: the one :func:`bot.nlu.understand` made of this very ``text`` (``Understanding.analysis``),
    so that the words of a turn are analysed once."""
    an = analysis.in_context("none") if analysis is not None else analyse(text)
    slots = extract_slots(an)
    items = _items(an)
    colors, not_colors = _split_negated(an, an.spans_of("color"), "color")
    categories, not_categories = _split_negated(
        an, [s for s in an.spans_of("category") if category_named(an, s)], "category")
    if slots.get("category") and slots["category"] not in categories:
        categories.append(slots["category"])   # an age names the kids section
    genders, _ = _split_negated(an, an.spans_of("gender"), "gender")
    return QueryReading(
        items=tuple(name for name, _ in items),
        item_words=tuple(words for _, words in items),
        colors=_unique(colors), not_colors=_unique(c for c in not_colors if c not in colors),
        categories=_unique(categories), not_categories=_unique(not_categories),
        genders=_unique(genders), size=slots.get("size"),
        price_min=slots.get("price_min"), price_max=slots.get("price_max"),
        words=_free_words(an),
    )


def _items(an: Analysis) -> list[tuple[str, tuple[str, ...]]]:
    """(catalogue item, its tokens) for every item span, the likeliest head first.

    Heads as the matcher reads them (``جيبه جينز`` → skirt), except that an English compound
    ends with its head (``cargo shorts``, ``polo t-shirt``, ``shirt dress``); then exact matches
    before typo matches (``satin pajamas``: pajamas, even if ``satin`` is one letter from a
    dress word), then the order written.
    """
    spans = an.spans_of("item")
    heads = set(head_items(an))
    head = [span.value("item") in heads for span in spans]
    for k in range(1, len(spans)):
        if spans[k - 1].end == spans[k].start and _latin(an, spans[k - 1]) and _latin(an, spans[k]):
            head[k - 1], head[k] = False, True
    order = sorted(range(len(spans)), key=lambda k: (not head[k], spans[k].fuzzy, k))
    return [(spans[k].value("item") or "", tuple(an.tokens[spans[k].start:spans[k].end])) for k in order]


def _latin(an: Analysis, span: Span) -> bool:
    """True when the span is written in Latin letters (English or Franco)."""
    return all(token.isascii() for token in an.tokens[span.start:span.end])


def _split_negated(an: Analysis, spans: list[Span], kind: str) -> tuple[list[str], list[str]]:
    """Values of ``spans`` wanted, and values negated (a negation carries over ``ولا``/``or``)."""
    wanted: list[str] = []
    unwanted: list[str] = []
    previous: Span | None = None
    for span in spans:
        value = span.value(kind) or ""
        if negated(an, span) or (previous is not None and value and _continues(an, previous, span)):
            unwanted.append(value)
            previous = span
        else:
            wanted.append(value)
            previous = None
    return wanted, unwanted


def _continues(an: Analysis, previous: Span, span: Span) -> bool:
    """True when only list joiners sit between a negated ``previous`` and ``span``."""
    between = range(previous.end, span.start)
    return 0 < len(between) <= 2 and all(an.key_in(i, _LIST_JOINERS) or
                                         an.key_in(i, frozenset({"ال", "el", "the"}))
                                         for i in between)


def _free_words(an: Analysis) -> tuple[str, ...]:
    """Tokens no filter phrase and no number took, in order, once each."""
    numbers = {i for n in an.numbers for i in range(n.start, n.end)}
    return _unique(token for i, token in enumerate(an.tokens)
                   if i not in numbers and not (an.kinds_at(i) & _CONSUMED) and token != "#")


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` in order without repeats (empty strings dropped)."""
    return tuple(dict.fromkeys(v for v in values if v))
