"""Rows of a catalog file → :class:`Product`: Dukkan's own column layout and Meta's catalog feed.

A shop without a store API runs Dukkan on its spreadsheet (``STORE_BACKEND=file``; reading the
file and reloading it is ``bot/store/catalog_file.py``). Two layouts are understood, told apart
by the header alone:

* **Dukkan's layout** (README, "Your catalog as a file"): one row is one product, its colours and
  sizes listed in one cell each (``أسود، أبيض`` / ``S, M, L``). Every column but a name and a
  price is optional and has a default.
* **Meta's catalog feed** (the CSV a shop already uploads to Facebook Commerce Manager:
  ``id, title, description, availability, condition, price, sale_price, image_link, link, brand,
  color, size, gender, age_group, product_type, google_product_category, item_group_id, ...``).
  A header with ``title`` and one of ``availability``/``image_link``/``item_group_id``/
  ``google_product_category`` is a feed.

**Variants.** A feed has one row per variant (one colour in one size) and ties the variants of
one model together with ``item_group_id``. Dukkan makes **one product per group**: its colours
and sizes are the union of the variants that can be ordered (of all variants when none can), its
stock is the sum of theirs (so it is in stock while any variant is), its price the cheapest
orderable variant's, and the group id is kept (``extra["group_id"]``, with every variant in
``extra["variants"]``). That is what the rest of the bot is built around:

* *search* shows one card per model instead of a page of the same T-shirt in five sizes, so
  "تيشيرت اسود" finds ten different T-shirts, and a colour or size filter still matches the
  model that comes in it;
* *details* list every colour and size in one answer, as a salesperson would;
* *checkout* asks the size, then the colour, among exactly the options that can be ordered, and
  the order line records them (``ADD:<id>:<size>:<colour>``); staff find the variant from the
  group and the two options. One product per row would make "which size?" meaningless (each
  row has one) and hide the other sizes from a customer who opened the wrong row.

A group gives a product id from the group id (the variant's id for a row without a group):
the number itself when it is a number of at most 9 digits (the bot's payloads carry at most 9),
else a stable number derived from the text, so ids survive reloads, reordered rows and new rows.
What a group cannot say: a colour sold out in one size only (the sizes and colours are
independent lists, as everywhere in Dukkan), and variants at different prices, which sell at the
cheapest (``extra["prices"]`` keeps the range).

**Words.** Colours, sizes, sections, genders and items are read with the shared lexicon
(``bot.nlu.lexicon``): ``أسود``/``Black`` → ``black``, ``Large`` → ``L``, ``حريمي`` → ``women``. A
missing ``item`` is inferred from ``product_type`` (its most specific segment first), then the
names (an English name's head noun is its last, an Arabic name's its first), then
``google_product_category`` (broad: "Shirts & Tops"); a word the lexicon does not know stays the
store's own (``kaftan``), which the search finds by its name anyway. Sections are the six the bot
browses (men, women, kids, shoes, accessories, sportswear); any other category stays a searchable
label of the product.

**Bad rows** (no id or name, a price that is not one, an unknown availability, a repeated id...)
are skipped and reported with their row number and reason; a value that is wrong but not needed
(a rating of 7) is ignored and reported, the row kept.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from bot.nlu.lexicon import load_lexicon, norm_form
from bot.nlu.normalize import tokenize
from bot.store.images import image_path
from bot.store.product import Category, Product

__all__ = [
    "DUKKAN", "META", "Mapped", "Problem", "SECTIONS", "UNCOUNTED_STOCK", "column_key", "detect_layout", "map_rows",
]

DUKKAN, META = "dukkan", "meta"
UNCOUNTED_STOCK = 20          # "in stock" without a number: as many as one customer may take (the cart's most)
MAX_ID = 999_999_999          # product ids travel in payloads of at most 9 digits (DETAILS:<id>)
_HASHED = (100_000_000, MAX_ID)
# The sections the bot lets customers browse (bot/dialog/texts.py CATEGORIES), with their names.
SECTIONS: dict[str, tuple[str, str]] = {
    "men": ("رجالي", "Men"), "women": ("حريمي", "Women"), "kids": ("أطفال", "Kids"),
    "shoes": ("أحذية", "Shoes"), "accessories": ("إكسسوارات", "Accessories"),
    "sportswear": ("ملابس رياضية", "Sportswear"),
}
_PEOPLE = ("men", "women", "kids")
_GENDERS = ("men", "women", "boys", "girls", "unisex")
_UNISEX = frozenset({"unisex", "both", "all", "any", "للجنسين", "يونيسكس", "يونيسيكس", "الجنسين"})
_KIDS_AGES = frozenset({"kids", "toddler", "infant", "newborn", "baby", "child", "children"})
# Meta's availability values (and Google's), and what they mean for an order.
_ORDERABLE = frozenset({"in stock", "available for order", "preorder", "pre order", "backorder", "متاح", "موجود"})
_NOT_ORDERABLE = frozenset({"out of stock", "discontinued", "sold out", "غير متاح", "نفذ", "خلص"})
_STOCK_WORDS = {**{word: None for word in _ORDERABLE | {"available", "yes", "نعم", "اه"}},
                **{word: 0 for word in _NOT_ORDERABLE | {"no", "لا", "0"}}}
_SIZE_ORDER = {size: rank for rank, size in enumerate(("XXS", "XS", "S", "M", "L", "XL", "XXL", "2XL", "3XL", "4XL",
                                                       "5XL", "ONE SIZE", "FREE SIZE"))}
_CURRENCIES = {"egp": "EGP", "le": "EGP", "l e": "EGP", "ج م": "EGP", "جم": "EGP", "جنيه": "EGP", "ج": "EGP",
               "جنيها": "EGP", "جنيه مصري": "EGP", "pound": "EGP", "pounds": "EGP", "$": "USD", "usd": "USD",
               "€": "EUR", "eur": "EUR", "sar": "SAR", "aed": "AED", "ريال": "SAR", "درهم": "AED"}
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_LIST_SPLIT = re.compile(r"\s*[,،;|\n]+\s*")
_WHITESPACE = re.compile(r"\s+")

# Dukkan's own layout: canonical column -> accepted headers (compared after column_key()).
DUKKAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "product_id", "رقم", "الرقم", "كود", "الكود", "رقم_المنتج", "كود_المنتج"),
    "sku": ("sku",),
    "name_ar": ("name_ar", "arabic_name", "الاسم_بالعربي", "الاسم_عربي", "الاسم_العربي"),
    "name_en": ("name_en", "english_name", "الاسم_بالانجليزي", "الاسم_انجليزي", "الاسم_الانجليزي"),
    "name": ("name", "title", "product_name", "product", "الاسم", "اسم_المنتج", "المنتج"),
    "description_ar": ("description_ar", "arabic_description", "الوصف_بالعربي", "الوصف_عربي"),
    "description_en": ("description_en", "english_description", "الوصف_بالانجليزي", "الوصف_انجليزي"),
    "description": ("description", "details", "الوصف", "التفاصيل"),
    "category": ("category", "section", "department", "القسم", "الفئه"),
    "item": ("item", "type", "product_type", "kind", "النوع", "الصنف"),
    "gender": ("gender", "for", "لمين", "الجنس"),
    "colors": ("colors", "colours", "color", "colour", "الالوان", "اللون", "الوان"),
    "sizes": ("sizes", "size", "المقاسات", "المقاس", "مقاسات"),
    "price": ("price", "السعر", "سعر"),
    "final_price": ("final_price", "sale_price", "sale", "offer_price", "price_after_discount", "سعر_العرض",
                    "السعر_بعد_الخصم", "بعد_الخصم", "سعر_البيع"),
    "discount_percent": ("discount_percent", "discount", "الخصم", "نسبه_الخصم"),
    "stock_quantity": ("stock_quantity", "stock", "quantity", "qty", "inventory", "availability", "الكميه",
                       "المخزون", "المتاح"),
    "image": ("image", "image_url", "image_link", "picture", "photo", "الصوره", "صوره"),
    "link": ("link", "url", "product_url", "product_link", "الرابط", "اللينك", "لينك"),
    "tags": ("tags", "labels", "keywords", "الوسوم", "تاجات", "كلمات"),
    "rating": ("rating", "التقييم"),
    "count_rating": ("count_rating", "ratings", "reviews", "عدد_التقييمات"),
    "created_at": ("created_at", "date_added", "added", "تاريخ_الاضافه"),
    "sold_count": ("sold_count", "sold", "المباع"),
    "brand": ("brand", "الماركه", "البراند"),
}
_DUKKAN_ALIASES = {alias: name for name, aliases in DUKKAN_COLUMNS.items() for alias in aliases}
_NAME_COLUMNS = ("name_ar", "name_en", "name")
_META_MARKERS = frozenset({"availability", "image_link", "item_group_id", "google_product_category"})


@dataclass(frozen=True)
class Problem:
    """One row the file cannot give as it is: skipped, or kept with a value ignored."""

    row: int
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}" + (" (row skipped)" if self.skipped else " (row kept)")


@dataclass(frozen=True)
class Mapped:
    """What a file's rows give: the products, their sections, and the rows that had problems."""

    products: list[Product]
    categories: list[Category]
    problems: list[Problem]
    layout: str
    rows: int

    @property
    def skipped(self) -> int:
        return len({problem.row for problem in self.problems if problem.skipped})


class RowError(ValueError):
    """A row that cannot become (part of) a product; the message is the reason."""


# ---- the header ---------------------------------------------------------------------------------


_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def column_key(name: Any) -> str:
    """A header cell compared loosely: case, spaces, dashes, a ``g:`` prefix and hamzas do not count."""
    text = unicodedata.normalize("NFKC", str(name if name is not None else "")).strip().lstrip("\ufeff").lower()
    if text.startswith("g:"):
        text = text[2:]
    text = "".join(ch for ch in text.translate(_ARABIC_FOLD) if not unicodedata.combining(ch))
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


def detect_layout(keys: Iterable[str]) -> str | None:
    """``meta`` for a Meta catalog feed header, ``dukkan`` for Dukkan's own, None for neither."""
    keys = set(keys)
    if {"id", "title"} <= keys and keys & _META_MARKERS:
        return META
    if any(_DUKKAN_ALIASES.get(key) in _NAME_COLUMNS for key in keys):
        return DUKKAN
    return None


def dukkan_columns(keys: Iterable[str]) -> dict[str, str]:
    """Header key → canonical column of Dukkan's layout (the first of two headers for one column wins)."""
    found: dict[str, str] = {}
    for key in keys:
        name = _DUKKAN_ALIASES.get(key)
        if name and name not in found.values():
            found[key] = name
    return found


# ---- the rows -----------------------------------------------------------------------------------


def map_rows(rows: Sequence[tuple[int, Mapping[str, Any]]], layout: str, base_url: str, now: float,
             given_categories: Sequence[Mapping[str, Any]] = ()) -> Mapped:
    """Products from ``rows`` (row number, header key → cell) read in ``layout``.

    ``now`` (seconds since the epoch) decides whether a feed's ``sale_price_effective_date`` holds.
    """
    problems: list[Problem] = []
    if layout == META:
        drafts = _meta_drafts(rows, problems, now)
    else:
        drafts = _dukkan_drafts(rows, problems)
    ids = _claim_ids([(draft.key, draft.number) for draft in drafts])
    products = [draft.build(ids[draft.key], base_url.rstrip("/")) for draft in drafts]
    problems.sort(key=lambda problem: problem.row)
    return Mapped(products, _categories(products, given_categories), problems, layout, len(rows))


@dataclass
class _Draft:
    """A product before its id is known (ids are given once every row is read)."""

    key: str                      # what the id is derived from: "i:<id>", "g:<group>", "n:<name>"
    number: str                   # the store's own id, when it may be the product id as it is
    fields: dict[str, Any]
    image: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def build(self, product_id: int, base_url: str) -> Product:
        drawn = not self.image
        image = self.image or base_url + image_path(product_id)
        return Product(id=product_id, image_url=image, drawn=drawn, extra=self.extra, **self.fields)


def _claim_ids(keys: list[tuple[str, str]]) -> dict[str, int]:
    """A product id per key: the store's own number when it fits and is free, else a stable number
    derived from the key (the next free one after it). Independent of the order of the rows."""
    taken: dict[int, str] = {}
    ids: dict[str, int] = {}
    ordered = sorted(set(keys))
    for key, number in ordered:
        if number and re.fullmatch(r"\d{1,9}", number) and int(number) > 0 and int(number) not in taken:
            taken[int(number)] = key
            ids[key] = int(number)
    low, high = _HASHED
    for key, _ in ordered:
        if key in ids:
            continue
        digest = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")
        candidate = low + digest % (high - low + 1)
        while candidate in taken:
            candidate = low if candidate >= high else candidate + 1
        taken[candidate] = key
        ids[key] = candidate
    return ids


def _categories(products: list[Product], given: Sequence[Mapping[str, Any]]) -> list[Category]:
    """The browsable sections the products are in, named as the file names them or as the bot does."""
    names = {str(row.get("slug", "")): row for row in given if isinstance(row, Mapping)}
    used = {product.category for product in products}
    out = []
    for number, (slug, (name_ar, name_en)) in enumerate(SECTIONS.items(), 1):
        if slug in used:
            row = names.get(slug, {})
            given_id = str(row.get("id", ""))
            out.append(Category(slug, str(row.get("name_ar") or name_ar), str(row.get("name_en") or name_en),
                                id=int(given_id) if given_id.isdigit() else number))
    return out


# ---- Dukkan's layout ----------------------------------------------------------------------------


def _read_rows(rows: Sequence[tuple[int, Mapping[str, Any]]], problems: list[Problem],
               read: Callable[[int, Mapping[str, Any]], Any]) -> Iterator[tuple[int, Any]]:
    """``(row number, read(row))`` for each row that reads; a row that does not is reported and skipped."""
    for number, row in rows:
        try:
            yield number, read(number, row)
        except RowError as error:
            problems.append(Problem(number, str(error)))
        except Exception as error:                 # a cell of a kind no one foresaw: the row, not the file
            problems.append(Problem(number, f"could not be read ({type(error).__name__})"))


def _dukkan_drafts(rows: Sequence[tuple[int, Mapping[str, Any]]], problems: list[Problem]) -> list[_Draft]:
    drafts: list[_Draft] = []
    seen: dict[str, int] = {}
    for number, draft in _read_rows(rows, problems, lambda number, row: _dukkan_draft(number, row, problems)):
        if draft.key in seen:
            what = "id" if draft.key.startswith("i:") else "name"
            problems.append(Problem(number, f"the same {what} as row {seen[draft.key]} ({draft.key[2:]!r})"))
            continue
        seen[draft.key] = number
        drafts.append(draft)
    return drafts


def _dukkan_draft(number: int, row: Mapping[str, Any], problems: list[Problem]) -> _Draft:
    notes: list[Problem] = []           # values ignored in a row that is kept: reported once it is

    def warn(reason: str) -> None:
        notes.append(Problem(number, reason, skipped=False))

    name_ar, name_en = _text(row.get("name_ar")), _text(row.get("name_en"))
    name = _text(row.get("name"))
    if name and not (name_ar if _is_arabic(name) else name_en):
        name_ar, name_en = (name, name_en) if _is_arabic(name) else (name_ar, name)
    if not (name_ar or name_en):
        raise RowError("no name (name_ar, name_en or name)")
    source_id = _text(row.get("id"))
    if "id" in row and not source_id:
        raise RowError("no id")
    description_ar, description_en = _text(row.get("description_ar")), _text(row.get("description_en"))
    description = _text(row.get("description"))
    if description and not (description_ar if _is_arabic(description) else description_en):
        description_ar, description_en = ((description, description_en) if _is_arabic(description)
                                          else (description_ar, description))
    if "price" not in row or _text(row.get("price")) == "":
        raise RowError("no price")
    price = _price(row.get("price"), "price")
    final = price
    if _text(row.get("final_price")):
        final = _price(row.get("final_price"), "sale price")
        if final > price:
            warn(f"sale price {final} is above the price {price}: the price is used")
            final = price
    elif _text(row.get("discount_percent")):
        try:
            percent = _number(row.get("discount_percent"), "discount")
        except RowError as error:
            warn(f"{error}: no discount")
            percent = 0.0
        if 0 < percent < 100:
            final = int(math.floor(price * (100 - percent) / 100 + 0.5))
    stock = UNCOUNTED_STOCK
    if "stock_quantity" in row:
        stock = _stock(row.get("stock_quantity"))
    words = _Words.get()
    names = (name_en, name_ar)
    category_text = _text(row.get("category"))
    section, category_names = _section(category_text, "")
    gender = _gender_value(_text(row.get("gender")), warn) if _text(row.get("gender")) else None
    if gender is None:
        gender = words.gender_in(names) or (section if section in ("men", "women") else "unisex")
    if gender == "kids":
        gender, section = "unisex", section or "kids"
    if not section:
        section = _people_section(gender)
    item = words.item_value(_text(row.get("item"))) if _text(row.get("item")) else ""
    item = item or words.item_in([], "", names) or ""
    colors = tuple(dict.fromkeys(words.color(value) for value in _listed(row.get("colors")) if _clean(value)))
    if not colors:                      # no colours column, or an empty cell: the colours the names say
        colors = words.colors_in(names)
    sizes = _sorted_sizes(words.size(value) for value in _listed(row.get("sizes")) if _clean(value))
    tags = [_clean(tag).lower() for tag in _listed(row.get("tags")) if _clean(tag)]
    brand = _text(row.get("brand"))
    rating = 0.0
    if _text(row.get("rating")):
        try:
            rating = _number(row.get("rating"), "rating")
        except RowError as error:
            warn(f"{error}: no rating shown")
        if not 0 <= rating <= 5:
            warn(f"rating {rating} is not between 0 and 5: no rating shown")
            rating = 0.0
    fields = {
        "name_ar": name_ar, "name_en": name_en, "description_ar": description_ar, "description_en": description_en,
        "category": section or _slug(category_text), "item": item, "gender": gender, "colors": colors,
        "sizes": sizes, "price": price, "final_price": final,
        "discount_percent": _percent(price, final), "stock_quantity": stock, "rating": rating,
        "count_rating": _count(row.get("count_rating")), "link": _url(row.get("link")),
        "tags": _tags(tags + ([brand] if brand else []), price, final), "created_at": _date(row.get("created_at")),
        "sold_count": _count(row.get("sold_count")),
        "category_name_ar": category_names[0], "category_name_en": category_names[1],
    }
    sku = _text(row.get("sku"))
    if source_id:
        key = f"i:{source_id}"
    elif sku:
        key, source_id = f"i:{sku}", sku
    else:
        key = f"n:{name_ar or name_en}"
    extra = {"sku": sku, "source_id": source_id, "row": number, "brand": brand}
    problems.extend(notes)
    return _Draft(key, source_id, fields, _url(row.get("image")), extra)


# ---- Meta's catalog feed ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variant:
    """One feed row: one variant of a product group."""

    row: int
    id: str
    group: str
    title: str
    description: str
    orderable: bool
    quantity: int | None
    price: int
    final: int
    image: str
    link: str
    brand: str
    color: str
    size: str
    gender: str
    age_group: str
    product_type: str
    google_category: str
    labels: tuple[str, ...]


def _meta_drafts(rows: Sequence[tuple[int, Mapping[str, Any]]], problems: list[Problem], now: float) -> list[_Draft]:
    groups: dict[str, list[_Variant]] = {}
    seen: dict[str, int] = {}
    for number, variant in _read_rows(rows, problems, lambda number, row: _meta_variant(number, row, problems, now)):
        if variant is None:
            continue
        if variant.id in seen:
            problems.append(Problem(number, f"id {variant.id!r} repeats row {seen[variant.id]}"))
            continue
        seen[variant.id] = number
        key = f"g:{variant.group}" if variant.group else f"i:{variant.id}"
        groups.setdefault(key, []).append(variant)
    drafts = []
    for key, variants in groups.items():
        try:
            drafts.append(_group_draft(key, variants))
        except Exception as error:
            problems.extend(Problem(variant.row, f"its group could not be read ({type(error).__name__})")
                            for variant in variants)
    return drafts


def _meta_variant(number: int, row: Mapping[str, Any], problems: list[Problem], now: float) -> _Variant | None:
    notes: list[Problem] = []           # values ignored in a row that is kept: reported once it is
    source_id = _text(row.get("id"))
    title = _text(row.get("title"))
    if not source_id and not title:
        raise RowError("no id and no title")
    if not source_id:
        raise RowError("no id")
    if not title:
        raise RowError(f"no title (id {source_id!r})")
    if _text(row.get("status")).lower() in ("archived", "staging"):
        return None                                         # not for sale: Meta hides it too
    availability = re.sub(r"[\s_\-]+", " ", _text(row.get("availability")).lower())
    if availability in _ORDERABLE:
        orderable = True
    elif availability in _NOT_ORDERABLE:
        orderable = False
    elif not availability:
        raise RowError("no availability (in stock, out of stock, preorder, available for order, discontinued)")
    else:
        raise RowError(f"availability {_text(row.get('availability'))!r} is not one of in stock, out of stock,"
                       " preorder, available for order, discontinued")
    if not _text(row.get("price")):
        raise RowError("no price")
    price = _price(row.get("price"), "price")
    final = price
    if _text(row.get("sale_price")):
        sale = _price(row.get("sale_price"), "sale_price")
        window = _text(row.get("sale_price_effective_date"))
        if sale < price and _sale_holds(window, now, number, notes):
            final = sale
    quantity = None
    for column in ("quantity_to_sell_on_facebook", "inventory", "quantity"):
        if _text(row.get(column)):
            quantity = _count_strict(row.get(column), column)
            break
    if quantity is not None and quantity <= 0:
        orderable = False
    labels = tuple(_text(row.get(f"custom_label_{i}")) for i in range(5))
    problems.extend(notes)
    return _Variant(
        row=number, id=source_id, group=_text(row.get("item_group_id")), title=title,
        description=_text(row.get("description")), orderable=orderable, quantity=quantity, price=price, final=final,
        image=_url(row.get("image_link")), link=_url(row.get("link")), brand=_text(row.get("brand")),
        color=_text(row.get("color")), size=_text(row.get("size")), gender=_text(row.get("gender")).lower(),
        age_group=_text(row.get("age_group")).lower(), product_type=_text(row.get("product_type")),
        google_category=_text(row.get("google_product_category") or row.get("fb_product_category")),
        labels=tuple(label for label in labels if label),
    )


def _group_draft(key: str, variants: list[_Variant]) -> _Draft:
    """One product for the variants of one group (see the module docstring)."""
    words = _Words.get()
    first = variants[0]
    live = [variant for variant in variants if variant.orderable]
    offered = live or variants
    name = _common_title([variant.title for variant in variants])
    description = next((variant.description for variant in variants if variant.description), "")
    colors = tuple(dict.fromkeys(words.color(v.color, split_slash=False) for v in offered if _clean(v.color)))
    if not any(variant.color for variant in variants):
        colors = words.colors_in([variant.title for variant in variants])
    sizes = _sorted_sizes(words.size(variant.size) for variant in offered if _clean(variant.size))
    cheapest = min(offered, key=lambda variant: (variant.final, variant.price, variant.row))
    stock = sum(UNCOUNTED_STOCK if variant.quantity is None else variant.quantity for variant in live)
    segments = [segment.strip() for segment in re.split(r"\s*>\s*", first.product_type) if segment.strip()]
    names = (name, "") if not _is_arabic(name) else ("", name)
    gender = _feed_gender(first.gender, first.age_group) or words.gender_in(names + tuple(segments)) or "unisex"
    section, section_names = _section(" > ".join(segments), first.age_group)
    if not section:
        section = _people_section(gender)
    if section == "kids" and gender in ("men", "women"):
        gender = {"men": "boys", "women": "girls"}[gender]
    google = [segment.strip() for segment in re.split(r"\s*>\s*", first.google_category)
              if segment.strip() and not segment.strip().isdigit()]
    item = words.item_in(segments, google[-1] if google else "", names)
    if item is None:
        own = segments[-1] if segments else ""
        item = own.lower() if own and len(own.split()) <= 3 else ""
    brand = next((variant.brand for variant in variants if variant.brand), "")
    labels = [label.lower() for variant in variants for label in variant.labels]
    image = next((variant.image for variant in offered if variant.image), "") or next(
        (variant.image for variant in variants if variant.image), "")
    link = next((variant.link for variant in offered if variant.link), "") or next(
        (variant.link for variant in variants if variant.link), "")
    is_arabic = _is_arabic(name)
    finals = sorted({variant.final for variant in offered})
    fields = {
        "name_ar": name if is_arabic else "", "name_en": "" if is_arabic else name,
        "description_ar": description if _is_arabic(description) else "",
        "description_en": "" if _is_arabic(description) else description,
        "category": section or _slug(segments[0] if segments else ""), "item": item, "gender": gender,
        "colors": colors, "sizes": sizes, "price": cheapest.price, "final_price": cheapest.final,
        "discount_percent": _percent(cheapest.price, cheapest.final), "stock_quantity": stock,
        "link": link, "tags": _tags(labels + ([brand] if brand else []), cheapest.price, cheapest.final),
        "category_name_ar": section_names[0], "category_name_en": section_names[1],
    }
    extra = {
        "feed": META, "source_id": first.group or first.id, "group_id": first.group, "row": first.row,
        "brand": brand, "sku": first.id if not first.group else "",
        "prices": (finals[0], finals[-1]),
        "variants": tuple({"id": v.id, "row": v.row,
                           "color": words.color(v.color, split_slash=False) if v.color else "",
                           "size": words.size(v.size) if v.size else "", "orderable": v.orderable,
                           "quantity": v.quantity, "price": v.price, "final_price": v.final, "image": v.image,
                           "link": v.link} for v in variants),
    }
    number = first.group if first.group else first.id
    return _Draft(key, number, fields, image, extra)


def _common_title(titles: list[str]) -> str:
    """The group's name: the title its variants share, or the words they all begin with
    ("Basic Tee - Red - M" and "Basic Tee - Blue - L" → "Basic Tee"), else the first title."""
    unique = list(dict.fromkeys(titles))
    if len(unique) == 1:
        return unique[0]
    split = [title.split() for title in unique]
    common: list[str] = []
    for words in zip(*split, strict=False):  # up to the shortest title
        if len(set(words)) != 1:
            break
        common.append(words[0])
    shared = " ".join(common).rstrip(" -–—|/,:(").strip()
    shortest = min(len(title) for title in unique)
    return shared if shared and (len(common) >= 2 or len(shared) * 2 >= shortest) else unique[0]


def _feed_gender(gender: str, age_group: str) -> str | None:
    """Meta's ``gender`` (male, female, unisex) and ``age_group`` as a catalog gender."""
    kids = age_group in _KIDS_AGES
    if gender in ("male", "men", "man", "boy", "boys"):
        return "boys" if kids else "men"
    if gender in ("female", "women", "woman", "girl", "girls"):
        return "girls" if kids else "women"
    if gender == "unisex":
        return "unisex"
    return None


def _sale_holds(window: str, now: float, number: int, problems: list[Problem]) -> bool:
    """True when ``sale_price_effective_date`` (``start/end`` in ISO 8601) is empty or holds ``now``."""
    if not window:
        return True
    try:
        start, _, end = window.partition("/")
        moments = [_moment(part) for part in (start, end)]
    except ValueError:
        problems.append(Problem(number, f"sale_price_effective_date {window!r} is not start/end in ISO 8601:"
                                        " the sale price is used", skipped=False))
        return True
    low, high = moments
    return (low is None or low <= now) and (high is None or now < high)


def _moment(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# ---- words --------------------------------------------------------------------------------------


class _Words:
    """The lexicon's forms for items, colours, sections, genders and sizes, matched on whole tokens."""

    def __init__(self) -> None:
        lexicon = load_lexicon()
        self.items = lexicon.surface_map("item")
        self.colors = lexicon.surface_map("color")
        self.sections = lexicon.surface_map("category")
        self.genders = lexicon.surface_map("gender")
        self.sizes = lexicon.surface_map("size")
        self.longest = max(len(form.split()) for table in (self.items, self.colors, self.sections, self.genders)
                           for form in table)

    @staticmethod
    @lru_cache(maxsize=1)
    def get() -> _Words:
        return _Words()

    def find(self, table: Mapping[str, str], text: str) -> list[str]:
        """The values ``text`` names, in its order, longest form first at each word."""
        tokens = tokenize(text)
        found, i = [], 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                value = table.get(" ".join(tokens[i:i + size]))
                if value is not None:
                    found.append(value)
                    i += size
                    break
            else:
                i += 1
        return found

    def item_value(self, text: str) -> str:
        """An ``item`` cell: the lexicon's item it names, else the store's own word."""
        value = self.items.get(norm_form(text))
        if value:
            return value
        found = self.find(self.items, text)
        return (found[-1] if not _is_arabic(text) else found[0]) if found else _clean(text).lower()

    def item_in(self, segments: Sequence[str], google: str, names: Sequence[str]) -> str | None:
        """The item named by the product type (most specific segment first), the English name (its
        last item word) or the Arabic name (its first), then the Google category (broad: "Shirts &
        Tops"); None for none."""
        for text in [*reversed(segments), *names, google]:
            found = self.find(self.items, text) if text else []
            if found:
                return found[0] if _is_arabic(text) else found[-1]
        return None

    def color(self, text: str, split_slash: bool = True) -> str:
        """A colour cell value as the lexicon's colour (``أسود``, ``Black`` → ``black``), else as written."""
        text = _clean(text)
        value = self.colors.get(norm_form(text))
        if value:
            return value
        if "/" in text and not split_slash:          # "Black/White": one two-tone variant, kept as written
            return text
        found = self.find(self.colors, text)
        return found[0] if found else text

    def colors_in(self, texts: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(color for text in texts if text for color in self.find(self.colors, text)))

    def size(self, text: str) -> str:
        """A size as the bot writes it: ``Large`` → ``L``, ``٤٢`` → ``42``, ``xl`` → ``XL``."""
        text = _clean(text).translate(_ARABIC_DIGITS)
        value = self.sizes.get(norm_form(text))
        if value:
            return value
        return text.upper() if text.isascii() and len(text) <= 5 else text

    def gender_in(self, texts: Iterable[str]) -> str | None:
        """The gender the names say (boys, girls from the kids' words; men, women from the sections)."""
        for text in texts:
            if not text:
                continue
            kids = self.find(self.genders, text)
            if kids:
                return kids[0]
            people = [section for section in self.find(self.sections, text) if section in ("men", "women")]
            if people:
                return people[0]
        return None


def _gender_value(text: str, warn: Any) -> str | None:
    """A ``gender`` cell as a catalog gender (men, women, boys, girls, unisex; ``kids`` for the section)."""
    key = norm_form(text)
    if key in _GENDERS:
        return key
    if key in _UNISEX or text.strip() in _UNISEX:
        return "unisex"
    words = _Words.get()
    value = words.genders.get(key) or words.sections.get(key) or _feed_gender(key, "")
    if value in ("men", "women", "boys", "girls", "unisex", "kids"):
        return value
    warn(f"gender {text!r} is not men, women, boys, girls or unisex: read from the name")
    return None


def _section(text: str, age_group: str) -> tuple[str, tuple[str, str]]:
    """The browsable section a category text names (a kind of product before a kind of people),
    and the names to show and search it by."""
    if not text and age_group not in _KIDS_AGES:
        return "", ("", "")
    words = _Words.get()
    found = words.find(words.sections, text) if text else []
    kinds = [section for section in found if section not in _PEOPLE]
    people = [section for section in found if section in _PEOPLE]
    if age_group in _KIDS_AGES:
        people = ["kids"]
    section = (kinds or people or [""])[0]
    if section:
        names = SECTIONS[section]
        if text and norm_form(text) not in {norm_form(name) for name in names}:
            own = text.split(">")[-1].strip()
            names = (own, names[1]) if _is_arabic(own) else (names[0], own)
        return section, names
    return "", ((text, "") if _is_arabic(text) else ("", text))


def _people_section(gender: str) -> str:
    return {"men": "men", "women": "women", "boys": "kids", "girls": "kids"}.get(gender, "")


def _sorted_sizes(sizes: Iterable[str]) -> tuple[str, ...]:
    """Letter sizes in their order, then numbers ascending, then the rest as first written."""
    unique = [size for size in dict.fromkeys(sizes) if size]

    def rank(pair: tuple[int, str]) -> tuple:
        position, size = pair
        if size.upper() in _SIZE_ORDER:
            return (0, _SIZE_ORDER[size.upper()], 0.0, position)
        number = re.fullmatch(r"\d+(?:\.\d+)?", size)
        if number:
            return (1, 0, float(size), position)
        return (2, 0, 0.0, position)

    return tuple(size for _, size in sorted(enumerate(unique), key=rank))


# ---- values -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: numbers without a needless ``.0``, dates as ISO, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(item) for item in value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _clean(value: Any) -> str:
    """A short label (colour, size, tag): one line, no ``:`` (it separates the parts of a payload)."""
    return _WHITESPACE.sub(" ", _text(value).replace(":", " ")).strip()[:60]


def _listed(value: Any) -> list[str]:
    """A list cell: a JSON list, or text separated by commas (also ``،``), semicolons or bars."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [_text(item) for item in value]
    return [part for part in _LIST_SPLIT.split(_text(value)) if part]


def _is_arabic(text: str) -> bool:
    return bool(_ARABIC_LETTER.search(text or ""))


def _price(value: Any, what: str) -> int:
    """A price in whole EGP from ``450``, ``450.00 EGP``, ``EGP 1,250.50``, ``٤٥٠ ج.م``."""
    currency: str | None
    amount: float | None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount, currency = float(value), "EGP"
    else:
        text = _text(value).translate(_ARABIC_DIGITS)
        if re.match(r"^[^\d]*-\s*\d", text):
            raise RowError(f"{what} {_text(value)!r} must be more than 0")
        match = re.fullmatch(r"([^\d.,\s]*)\s*([\d][\d.,\s]*)\s*([^\d]*)", text)
        if not match:
            raise RowError(f"{what} {_text(value)!r} is not a price like 450.00 EGP")
        before, digits, after = match.groups()
        word = norm_form(before + " " + after) if _ARABIC_LETTER.search(before + after) else \
            re.sub(r"[\s.]+", " ", (before + " " + after).lower()).strip()
        currency = "EGP" if not word else _CURRENCIES.get(word, _CURRENCIES.get(word.replace(" ", "")))
        if currency is None:
            currency = word.upper() if re.fullmatch(r"[a-z]{3}", word) else None
        if currency is None:
            raise RowError(f"{what} {_text(value)!r} is not a price like 450.00 EGP")
        amount = _amount(digits.replace(" ", ""))
        if amount is None:
            raise RowError(f"{what} {_text(value)!r} is not a price like 450.00 EGP")
    if currency != "EGP":
        raise RowError(f"{what} {_text(value)!r} is in {currency}: the bot sells in EGP")
    if not math.isfinite(amount) or amount <= 0:
        raise RowError(f"{what} {_text(value)!r} must be more than 0")
    if amount >= 10**9:
        raise RowError(f"{what} {_text(value)!r} is too large")
    whole = int(math.floor(amount + 0.5))            # prices are whole EGP
    if whole < 1:
        raise RowError(f"{what} {_text(value)!r} is under 1 EGP")
    return whole


def _amount(digits: str) -> float | None:
    """``1,250.00`` → 1250.0; ``450,50`` → 450.5 (a decimal comma); None when it is no number."""
    if "," in digits and "." in digits:
        thousands, decimal = (",", ".") if digits.rfind(".") > digits.rfind(",") else (".", ",")
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif "," in digits:
        digits = digits.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", digits) else digits.replace(",", ".")
    elif digits.count(".") > 1:
        digits = digits.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", digits) else digits
    try:
        return float(digits)
    except ValueError:
        return None


def _number(value: Any, what: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = _text(value).translate(_ARABIC_DIGITS).rstrip("%٪ ").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise RowError(f"{what} {_text(value)!r} is not a number") from None


def _stock(value: Any) -> int:
    """A stock cell: a count, or a word (``in stock``/``متاح`` → counted as available, ``نفذ`` → 0)."""
    text = _text(value)
    if not text:
        return UNCOUNTED_STOCK
    word = re.sub(r"[\s_\-]+", " ", text.lower()).strip()
    if word in _STOCK_WORDS:
        found = _STOCK_WORDS[word]
        return UNCOUNTED_STOCK if found is None else found
    return _count_strict(value, "stock_quantity")


def _count_strict(value: Any, what: str) -> int:
    try:
        number = _number(value, what)
    except RowError:
        raise RowError(f"{what} {_text(value)!r} is not a whole number") from None
    if not number.is_integer() or number < 0:
        raise RowError(f"{what} {_text(value)!r} is not a whole number")
    return int(number)


def _count(value: Any) -> int:
    try:
        return max(0, int(_number(value, "count"))) if _text(value) else 0
    except (RowError, ValueError, OverflowError):
        return 0


def _percent(price: int, final: int) -> int:
    return int(math.floor((price - final) * 100 / price + 0.5)) if 0 < final < price else 0


def _tags(labels: Iterable[str], price: int, final: int) -> tuple[str, ...]:
    tags = [label for label in (_clean(label).lower() for label in labels) if label]
    if final < price:
        tags.append("offer")
    return tuple(dict.fromkeys(tags))


def _url(value: Any) -> str:
    text = _text(value)
    return text if re.match(r"^https?://\S+$", text) else ""


def _date(value: Any) -> str:
    text = _text(value)
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else ""


def _slug(text: str) -> str:
    """An own category's key (not browsable, kept for search): its words joined by dashes."""
    return "-".join(tokenize(text.split(">")[0]))[:40]
