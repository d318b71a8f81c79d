"""Slots exactly as ``schema.json``: category, item, color, size, price bounds, references, quantity.

Rules (GUIDE.md §4–6): only what the text states; a slot named twice with different values is
left out; negated colours are exclusions, not filters; names, bands, clubs, product lines and
sale names are not colours; numbers are tagged by their neighbours (size after مقاس/size or
next to an item, price bounds after تحت/فوق/من..ل, ids after رقم/المنتج/product, quantities
before an item or after "add"); order numbers, weights, heights, ages, days and foot lengths
are never slots; list positions ("التالت", "2nd") only in the ``after_results`` context.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.nlu.analysis import Analysis, Number
from bot.nlu.lexicon import load_lexicon
from bot.nlu.numbers import read_number
from bot.nlu.vocab import Span

__all__ = ["extract_slots", "Words", "head_items", "negated", "category_named"]

_ARTICLE = frozenset({"ال", "el", "al", "the", "a", "an", "il", "l"})
_WANT = frozenset({"عايز", "عاوز", "عايزه", "عاوزه", "محتاج", "محتاجه", "want", "need", "3ayez",
                   "3ayza", "3awez", "3ayz", "الوان", "لون", "اللون", "بال", "color", "in"})
_MEN_NEXT = frozenset({"clothes", "clothing", "wear", "section", "collection", "stuff", "only"})
_FOR = frozenset({"for", "ل", "لل"})
_IN = frozenset({"in", "ب", "b", "bel", "size"})
_AND = frozenset({"و", "and", "w", "we", "wa", "&", ","})


class Words:
    """Single-token marker sets from the lexicon, built once."""

    def __init__(self) -> None:
        markers = load_lexicon().markers
        self.order = _single(markers["order"]) | {"#"}
        self.measure = _single(markers["measure"]) | _single(load_lexicon().currency)
        self.age = _single(markers["age"])
        self.negators = _single(markers["negators"])
        self.currency = _single(load_lexicon().currency)
        self.body_measure = self.measure - self.currency
        self.dual = _single(markers["dual"])


def _single(forms: tuple[str, ...]) -> frozenset[str]:
    """The one-token forms of a marker list."""
    return frozenset(f for f in forms if " " not in f)


@lru_cache(maxsize=1)
def words() -> Words:
    """The shared :class:`Words`."""
    return Words()


def extract_slots(an: Analysis) -> dict[str, Any]:
    """All slots the message states (an empty dict when it states none)."""
    used: set[int] = set()
    slots: dict[str, Any] = {}
    _drop_non_slots(an, used)
    _ids(an, used, slots)
    _prices(an, used, slots)
    _put(slots, "size", _sizes(an, used))
    _put(slots, "quantity", _quantity(an, used))
    _put(slots, "item", _item(an))
    _put(slots, "color", _one(_colors(an)))
    _put(slots, "category", _category(an, used))
    _positions(an, used, slots)
    return slots


def _put(slots: dict[str, Any], name: str, value: Any) -> None:
    """Set ``slots[name]`` unless ``value`` is None."""
    if value is not None:
        slots[name] = value


def _one(values: list[str]) -> str | None:
    """The value when all mentions agree, else None (two values of one slot: leave it out)."""
    distinct = set(values)
    return values[0] if len(distinct) == 1 else None


# -- numbers that are not slots -------------------------------------------------------------

def _drop_non_slots(an: Analysis, used: set[int]) -> None:
    """Mark order numbers, measures (weight, height, age, days, cm) and currency-less noise."""
    if not an.numbers:
        return
    w = words()
    phone = _phone_digits(an)
    tokens, keys = an.tokens, an.keys
    for num in an.numbers:
        low = max(0, num.start - 3)
        after = tokens[num.end] if num.end < len(tokens) else ""
        after_key = keys[num.end] if num.end < len(keys) else ""
        order = not (w.order.isdisjoint(tokens[low:num.start]) and w.order.isdisjoint(keys[low:num.start])) \
            and not an.key_in(num.start - 1, _TO_SIZE)  # الاوردر لـ ٣٤
        if order or _measure_before(an, num) or \
                (after in w.measure and after not in w.currency) or after_key in w.age \
                or (num.is_digits and num.value >= 10**8) or num.start in phone:
            used.add(num.start)  # order and phone numbers, measures: never prices or sizes


def _phone_digits(an: Analysis) -> set[int]:
    """Digit groups of a phone number: three or more in a row (``+966 50 123 4567``, ``02 2345
    6789``), a group with a leading zero (``0100``), or groups right after a phone word (``رقمي``)."""
    digit_starts = [n.start for n in an.numbers if n.is_digits and n.end == n.start + 1]
    out: set[int] = set()
    run: list[int] = []
    for start in digit_starts + [-2]:
        if run and start != run[-1] + 1:
            if len(run) >= 3:
                out.update(run)
            run = []
        run.append(start)
    for n in an.numbers:
        token = an.tokens[n.start]
        if n.is_digits and len(token) >= 2 and token.startswith("0"):
            out.add(n.start)
        elif n.is_digits and "address_words" in an.kinds_at(n.start - 1):
            out.add(n.start)
    return out


_ABOUT = frozenset({"حوالي", "حوالى", "تقريبا", "يعني", "around", "about", "approx", "approximately", "roughly",
                    "7awaly", "7awali", "ta2reeban", "ta2riban", "ya3ni"})


def _measure_before(an: Analysis, num: Number) -> bool:
    """True when a body-measure word (وزني, طولي, I'm) sits right before the number."""
    w = words()
    prev = num.start - 1
    if an.key_in(prev, _ABOUT) and prev >= 1:
        prev -= 1  # وزني حوالي ٧٠, my weight is about 70: a hedge between the measure and its number
    return prev >= 0 and (an.key_in(prev, w.body_measure)) and an.tokens[prev] not in _FROM_WORDS


_FROM_WORDS = frozenset({"من", "men", "mn"})


def _next_number(an: Analysis, i: int, used: set[int], skip: int = 2) -> Number | None:
    """The free number at token ``i`` or after up to ``skip`` articles/currency words."""
    for j in range(i, min(i + skip + 1, len(an.tokens))):
        num = an.number_at(j)
        if num is not None:
            return None if num.start in used else num
        if an.tokens[j] not in _ARTICLE and an.keys[j] not in {"رقم", "number", "no"}:
            return None
    return None


# -- ids and prices ------------------------------------------------------------------------

def _ids(an: Analysis, used: set[int], slots: dict[str, Any]) -> None:
    """Catalogue ids after رقم/المنتج/product/el montag (integers)."""
    refs: list[Any] = []
    for span in an.spans_of("product_id"):
        num = _next_number(an, span.end, used)
        while num is not None and num.is_digits:
            refs.append(num.value)
            used.add(num.start)
            num = _chained_id(an, num, used)
    slots["_ids"] = refs


def _chained_id(an: Analysis, num: Number, used: set[int]) -> Number | None:
    """The id after ``و``/``and``/``,`` that continues a list of ids (``المنتج ٢١٠ و ٢١٥``)."""
    if not an.key_in(num.end, _AND):
        return None
    nxt = an.number_at(num.end + 1)
    if nxt is None or nxt.start in used or not nxt.is_digits or nxt.value < 11:
        return None
    return nxt


def _prices(an: Analysis, used: set[int], slots: dict[str, Any]) -> None:
    """Price bounds: تحت/under X, فوق/above X, ranges من X ل Y / between X and Y."""
    _ranges(an, used, slots)
    for kind, slot in (("price_max", "price_max"), ("price_min", "price_min")):
        for span in an.spans_of(kind):
            num = _next_number(an, span.end, used)
            if num is not None and slot not in slots:
                slots[slot] = num.value
                used.add(num.start)
    for num in an.numbers:
        if num.start not in used and "max_suffix" in an.kinds_at(_after_currency(an, num.end)) \
                and "price_max" not in slots:
            slots["price_max"] = num.value  # ٧٥٠ جنيه بالكتير
            used.add(num.start)
    for num in an.numbers:
        if num.start not in used and "min_suffix" in an.kinds_at(num.end) \
                and "price_min" not in slots:
            slots["price_min"] = num.value
            used.add(num.start)


def _after_currency(an: Analysis, i: int) -> int:
    """The first token from ``i`` that is not a currency word (``جنيه مصري``)."""
    while i < len(an.tokens) and ("currency" in an.kinds_at(i) or an.tokens[i] in {"مصري", "masry"}):
        i += 1
    return i


def _ranges(an: Analysis, used: set[int], slots: dict[str, Any]) -> None:
    """``من X ل Y``, ``بين X و Y``, ``between X and Y``, ``men X l Y``, ``X-Y`` (prices)."""
    for k, low in enumerate(an.numbers):
        if low.start in used:
            continue
        high = _range_high(an, k, used)
        if high is None or high.value <= low.value or high.value < 50:
            continue
        has_from = "range_from" in an.kinds_at(low.start - 1)
        adjacent = high.start == low.end and low.value >= 100
        if has_from or adjacent or an.tokens[low.end] in {"to", "-"}:
            slots["price_min"], slots["price_max"] = low.value, high.value
            used.update({low.start, high.start})
            return


def _range_high(an: Analysis, k: int, used: set[int]) -> Number | None:
    """The number closing a range that starts with ``an.numbers[k]``."""
    low = an.numbers[k]
    if k + 1 >= len(an.numbers):
        return None
    high = an.numbers[k + 1]
    gap = high.start - low.end
    if high.start in used or gap > 2:
        return None
    if gap == 0:
        return high
    return high if "range_to" in an.kinds_at(low.end) else None


# -- sizes and quantities --------------------------------------------------------------------

_SIZE_SAYERS = frozenset({"sizecue", "wear_words"})


def _sizes(an: Analysis, used: set[int]) -> str | None:
    """Size after a size cue, a size code, or a clothing-size number next to an item."""
    found: list[str] = []
    slot_sizes = load_lexicon().slot_sizes
    for span in an.spans:
        value = span.value("size") if "size" in span.kind_set else None
        if value and _size_span_ok(an, span):
            if value in slot_sizes:
                found.append(value)
        elif not span.kind_set.isdisjoint(_SIZE_SAYERS):     # مقاس ٤٢, I usually wear a 42
            num = _next_number(an, span.end, used, skip=1)
            if num is not None:
                found.append(str(num.value))
                used.add(num.start)
    found += _bare_size_numbers(an, used)
    found += _size_changed_to(an, used)
    found += _swapped_for(an, used)
    return _one(found)


_SWAP = frozenset({"swap", "exchange", "switch", "change", "replace", "trade"})
_FOR_A = frozenset({"for", "to", "into", "with"})


def _swapped_for(an: Analysis, used: set[int]) -> list[str]:
    """``can I swap them for a 32``, ``exchange it for 42``: a clothing-size number after 'for (a)'
    when the message swaps something."""
    if not an.numbers or not an.any_key_in(_SWAP):
        return []
    out = []
    for num in an.numbers:
        if num.start in used or not num.is_digits or not 26 <= num.value <= 60:
            continue
        prev = num.start - 1 - (an.tokens[num.start - 1:num.start] in (["a"], ["an"]))
        if prev >= 0 and an.key_in(prev, _FOR_A):
            out.append(str(num.value))
            used.add(num.start)
    return out


_TO_SIZE = frozenset({"ل", "لل", "الى", "الي", "to", "into", "le", "l", "lel", "li"})
_SIZE_WORDS = frozenset({"مقاس", "المقاس", "مقاسه", "مقاسها", "size", "ma2as", "el ma2as", "نمره",
                         "النمره", "مقاسي"})


def _size_changed_to(an: Analysis, used: set[int]) -> list[str]:
    """``اغير مقاس الجينز في الاوردر لـ ٣٤``, ``change the size to 42``: a clothing-size number
    right after 'to' when the message speaks of a size."""
    if not an.numbers or not an.any_key_in(_SIZE_WORDS):
        return []
    out = []
    for num in an.numbers:
        if num.start in used or not num.is_digits or not 26 <= num.value <= 60:
            continue
        if an.key_in(num.start - 1, _TO_SIZE) or an.tokens[num.start - 1:num.start] == ["ل"]:
            out.append(str(num.value))
            used.add(num.start)
    return out


def _size_span_ok(an: Analysis, span: Span) -> bool:
    """Single letters (s, m, l) count only after a size cue or 'in', or typed in capitals."""
    token = an.tokens[span.start]
    if span.end - span.start > 1 or len(token) > 1:
        return True
    prev = span.start - 1
    if "sizecue" in an.kinds_at(prev) or an.key_in(prev, _IN):
        return True
    return token.upper() in an.upper_sizes and not _between_numbers(an, span.start)


def _between_numbers(an: Analysis, i: int) -> bool:
    """True for the 'l' of ``men 300 l 600``."""
    return an.number_at(i + 1) is not None and any(n.end == i for n in an.numbers)


def _bare_size_numbers(an: Analysis, used: set[int]) -> list[str]:
    """Two-digit clothing or shoe sizes (26–60) next to an item or footwear word."""
    if not an.numbers:
        return []
    if not (an.has("item") or _shoes(an) or an.has("sizecue") or an.context == "after_details"
            or an.has("product_id")):  # 'is product 408 available in 46?'
        return []  # with one product on screen, 'ضيفه ابيض ٣٩' gives its size
    out = []
    for num in an.numbers:
        if num.start in used or not num.is_digits or not 26 <= num.value <= 60:
            continue
        if _near_product(an, num):
            out.append(str(num.value))
            used.add(num.start)
    return out


def _shoes(an: Analysis) -> bool:
    """True when a footwear category word is present."""
    return an.has("category") and any(s.value("category") == "shoes" for s in an.spans)


def _near_product(an: Analysis, num: Number) -> bool:
    """True when an item/colour/category/size-help word is within two tokens of ``num``."""
    for j in (num.start - 1, num.start - 2, num.end, num.end + 1):
        kinds = an.kinds_at(j)
        if not kinds.isdisjoint(_NEAR) and kinds.isdisjoint(_NOT_NEAR):
            return True
    return an.key_in(num.start - 1, _IN_SIZE)


_NEAR = frozenset({"item", "color", "category", "cue", "sizecue"})
_NOT_NEAR = frozenset({"product_id", "price_max", "price_min"})
_IN_SIZE = frozenset({"ب", "b", "in"})


_OF_IT = frozenset({"منه", "منها", "منهم", "minno", "menno", "menha", "minha", "menhom"})


def _quantity(an: Analysis, used: set[int]) -> int | None:
    """A count of pieces: before an item / ``من ده`` / ``of the``, or right after 'add'."""
    adding = any(t.value == "cart_add" for _, t in an.cue_spans)
    for num in an.numbers:
        if num.start in used or num.value <= 0 or num.value > 50:
            continue
        if an.context == "after_details" and num.value >= 26 and num.is_digits:
            continue  # 'add it 32 black': a size of the product on screen, not 32 pieces
        nxt = an.kinds_at(num.end)
        prev_span = an.span_at(num.start - 1)
        after_add = prev_span is not None and any(
            t.kind == "cue" and t.value == "cart_add" for t in prev_span.tags)
        of_it = an.key_in(num.start - 1, _OF_IT) or an.key_in(num.end, _OF_IT)  # هاخد منها ٢, 3 menha
        if not nxt.isdisjoint(_COUNTED) or after_add or of_it or \
                ("category" in nxt and _shoes(an)) or ("color" in nxt and adding):
            used.add(num.start)
            return num.value
        if not num.is_digits and num.value <= 10 and "item" in an.kinds_at(num.start - 1):
            used.add(num.start)
            return num.value  # هودي واحد, قميصين اتنين: Arabic counts after the noun
    counted = _count_of_items(an)
    if counted is not None:
        return counted
    if any(t.value == "compare" for _, t in an.cue_spans) or \
            an.any_key_in(_BETWEEN):
        return None  # قارنلي بين الساعتين: two things compared, no count of pieces
    return None if words().dual.isdisjoint(an.tokens) else 2


_BETWEEN = frozenset({"بين", "ben", "bein", "between"})
_COUNTED = frozenset({"item", "quantity_after", "size", "sizecue"})
_OF_ITEMS = frozenset({"من", "men", "mn", "of"})
_ONLY = frozenset({"بس", "فقط", "bas", "only", "just"})


def _count_of_items(an: Analysis) -> int | None:
    """``شيل واحد من التيشيرتات``, ``wa7ed men el hoodies``: a small count word before 'of' and an
    item, also inside a cue phrase (``شيل واحد``)."""
    if not an.has("item") or not an.any_key_in(_OF_ITEMS):
        return None   # neither 'of' nor an item: no count of items
    for i in range(len(an.tokens) - 2):
        k = i + 1 + an.key_in(i + 1, _ONLY)          # نزل واحد بس من الشرابات
        if k >= len(an.tokens) - 1 or not an.key_in(k, _OF_ITEMS) or an.tokens[i].isdigit():
            continue
        j = k + 1 + (an.tokens[k + 1] in _ARTICLE)
        if "item" not in an.kinds_at(j):
            continue
        got = read_number(an.tokens, i)
        if got is not None and got[1] == 1 and 0 < got[0] <= 10:
            return got[0]
    return None


# -- items, colours, categories ------------------------------------------------------------

def _item(an: Analysis) -> str | None:
    """The item named (the head noun of a compound), if exactly one."""
    items = load_lexicon().items
    heads = [items[name].slot for name in head_items(an) if items[name].slot in _slot_items()]
    if not heads or len(set(heads)) > 1:
        return None  # items outside schema.json (wallet, shorts) give no item (GUIDE §4.4)
    return heads[0]


def head_items(an: Analysis) -> list[str]:
    """Catalogue items named as head nouns, in order (``جيبه جينز`` → skirt; ``denim jacket`` → jacket).

    Non-schema items (shorts, boots, wallet, ...) are included under their catalogue name.
    """
    heads: list[str] = []
    spans = an.spans_of("item")
    if len(spans) > 1:                  # "بلاش فساتين، عايزه عبايه": the refused item is not asked for
        spans = [span for span in spans if not negated(an, span)] or spans
    for k, span in enumerate(spans):
        if k > 0 and spans[k - 1].end == span.start and not _latin_modifier(an, spans[k - 1]) \
                and not _conjoined(an, span):
            continue  # جيبه جينز: the second noun describes the first
        if k + 1 < len(spans) and spans[k + 1].start == span.end and _latin_modifier(an, span):
            continue  # denim jacket: the first noun describes the second
        heads.append(span.value("item") or "")
    return heads


@lru_cache(maxsize=1)
def _slot_items() -> frozenset[str]:
    """Item values schema.json allows."""
    return frozenset(e.slot for e in load_lexicon().items.values() if e.slot)


def _conjoined(an: Analysis, span: Span) -> bool:
    """True for ``وبنطلون`` (and trousers): a glued و starts a new noun, not a modifier."""
    token = an.tokens[span.start]
    return token.startswith("و") and an.keys[span.start] != token


def _latin_modifier(an: Analysis, span: Span) -> bool:
    """English compounds put the modifier first: ``jeans jacket``, ``leather bag``."""
    return span.value("item") == "jeans" and an.tokens[span.start].isascii()


_NEGATING = frozenset({"negators", "instead_words"})
_WANT_OR_ARTICLE = _WANT | _ARTICLE


def negated(an: Analysis, span: Span) -> bool:
    """True after مش/بلاش/غير/not/msh (optionally with عايز or an article between)."""
    w = words()
    prev = span.start - 1
    if not an.kinds_at(prev).isdisjoint(_NEGATING) or an.key_in(prev, w.negators):
        return True  # بدل الفستان, instead of black: the thing replaced is not asked for
    if an.key_in(prev, _WANT_OR_ARTICLE):
        return "negators" in an.kinds_at(prev - 1) or an.key_in(prev - 1, w.negators)
    return False


def _colors(an: Analysis) -> list[str]:
    """Colour values stated and not negated."""
    return [s.value("color") or "" for s in an.spans_of("color")
            if not negated(an, s)]


def _category(an: Analysis, used: set[int]) -> str | None:
    """The store section named, a child or an age giving ``kids``."""
    found = [s.value("category") or "" for s in an.spans_of("category")
             if not negated(an, s) and category_named(an, s)]
    found += ["shoes" for s in an.spans_of("item") if s.end - s.start >= 2 and _footwear_word_first(an, s)]
    if _age_mentioned(an):
        found.append("kids")
    return _one(found)


def _footwear_word_first(an: Analysis, span: Span) -> bool:
    """``جزمه كلاسيك``, ``gazma rasmy``: an item phrase outside the schema's items that starts
    with a generic footwear word still names the shoes section (GUIDE §4.2); ``حذاء رياضي`` is
    the item sneakers, and gives no section."""
    if span.end - span.start < 2 or negated(an, span):
        return False
    entry = load_lexicon().items.get(span.value("item") or "")
    return entry is not None and entry.slot is None and \
        _category_forms().get(an.keys[span.start]) == "shoes"


@lru_cache(maxsize=1)
def _category_forms() -> dict[str, str]:
    return {form: value for form, value in load_lexicon().surface_map("category").items()
            if " " not in form}


def category_named(an: Analysis, span: Span) -> bool:
    """True unless the category word means something else here.

    Franco 'men' means 'from' unless it ends the message or names clothes ('men jacket').
    """
    if an.tokens[span.start] != "men" or span.end - span.start > 1:
        return True
    nxt = span.end
    if nxt >= len(an.tokens):
        return True
    return bool(an.kinds_at(nxt) & {"item", "category"}) or an.tokens[nxt] in _MEN_NEXT or \
        an.key_in(span.start - 1, _FOR)


def _age_mentioned(an: Analysis) -> bool:
    """A number followed by an age word (٥ سنين, 7 sneen, 4 year old), or سنتين."""
    w = words()
    for num in an.numbers:
        if num.end < len(an.tokens) and an.key_in(num.end, w.age) and \
                not an.key_in(num.start - 1, frozenset({"من", "men", "mn", "بقالي"})):
            return True
    return "سنتين" in an.tokens and not an.has("product_id")


# -- list positions and compare references ---------------------------------------------------

def _positions(an: Analysis, used: set[int], slots: dict[str, Any]) -> None:
    """Merge ids and list positions into ``product_ref`` / ``product_refs`` (compare)."""
    ids = slots.pop("_ids")
    refs = _ordered_refs(an, used, ids) if an.context == "after_results" else ids
    refs = list(dict.fromkeys(refs))
    if len(refs) == 1:
        slots["product_ref"] = refs[0]
    elif len(refs) > 1:
        slots["_refs"] = refs


def _ordered_refs(an: Analysis, used: set[int], ids: list[int]) -> list[Any]:
    """Ids and positions in the order written (bare 1–10 count as positions in a compare)."""
    events: list[tuple[int, Any]] = []
    for span in an.spans_of("ordinal"):
        events.append((span.start, span.value("ordinal")))
    id_positions = [n for n in an.numbers if n.value in ids and n.start in used]
    events += [(n.start, n.value) for n in id_positions]
    if an.has("cue") and _compare_cue(an):
        events += [(n.start, str(n.value)) for n in an.numbers
                   if n.start not in used and n.is_digits and 1 <= n.value <= 10]
    return [v for _, v in sorted(events, key=lambda e: e[0])]


def _compare_cue(an: Analysis) -> bool:
    """True when a compare cue is present."""
    return any(t.value == "compare" for _, t in an.cue_spans)
