"""The store's vocabulary: :class:`Product`, :class:`Category` and :class:`Comparison`.

Products are immutable; the catalog snapshot shares them between threads. Both backends
(the demo file and the BWW API) build them here, so the dialog sees one shape whatever the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

__all__ = ["Category", "Comparison", "Product"]


@dataclass(frozen=True, slots=True)
class Product:
    """One product, in both languages. Prices are whole EGP; ``final_price`` is what the customer pays."""

    id: int
    name_ar: str
    name_en: str
    description_ar: str = ""
    description_en: str = ""
    category: str = ""
    item: str = ""
    gender: str = "unisex"
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    price: int = 0
    final_price: int = 0
    discount_percent: int = 0
    stock_quantity: int = 0
    rating: float = 0.0
    count_rating: int = 0
    image_url: str = ""
    link: str = ""
    tags: tuple[str, ...] = ()
    created_at: str = ""
    sold_count: int = 0
    category_name_ar: str = ""
    category_name_en: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    stale: bool = field(default=False, compare=False, hash=False)   # the snapshot's copy: the live read failed
    drawn: bool = False             # the picture is drawn by the store (demo): it comes in any of its colours
    link_ar: str = ""               # the product page in each language, when the store has one per language
    link_en: str = ""

    def name(self, lang: str = "ar") -> str:
        """The name in ``lang`` (``ar`` or ``en``), falling back to the other language."""
        first, second = (self.name_en, self.name_ar) if lang == "en" else (self.name_ar, self.name_en)
        return first or second

    def description(self, lang: str = "ar") -> str:
        """The description in ``lang``, falling back to the other language."""
        first, second = (
            (self.description_en, self.description_ar) if lang == "en" else (self.description_ar, self.description_en)
        )
        return first or second

    def link_for(self, lang: str = "ar") -> str:
        """The product page in ``lang`` when the store has one per language, else ``link``."""
        return (self.link_en if lang == "en" else self.link_ar) or self.link

    def image_for(self, color: str = "") -> str:
        """The picture in ``color`` when the store draws it and the product comes in it."""
        if self.drawn and color in self.colors and self.image_url:
            return f"{self.image_url}?{urlencode({'color': color})}"
        return self.image_url

    @property
    def in_stock(self) -> bool:
        return self.stock_quantity > 0

    @property
    def has_discount(self) -> bool:
        return self.discount_percent > 0 and self.final_price < self.price

    @property
    def is_best_seller(self) -> bool:
        return "best-seller" in self.tags

    @property
    def is_new(self) -> bool:
        return "new" in self.tags

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists instead of tuples, no ``extra``)."""
        data = asdict(self)
        data.pop("extra")
        data.pop("stale")
        for key in ("colors", "sizes", "tags"):
            data[key] = list(data[key])
        return data


@dataclass(frozen=True, slots=True)
class Category:
    """A store section (``men``, ``women``, ``kids``, ...) with how many products it holds."""

    slug: str
    name_ar: str
    name_en: str
    count: int = 0
    id: int = 0

    def name(self, lang: str = "ar") -> str:
        return (self.name_en or self.name_ar) if lang == "en" else (self.name_ar or self.name_en)


@dataclass(frozen=True, slots=True)
class Comparison:
    """2–4 products side by side: which is cheapest, best rated, and which attributes differ.

    ``differences`` maps an attribute name (``final_price``, ``colors``, ``sizes``, ``rating``,
    ``stock_quantity``, ``category``, ``item``, ``gender``, ``discount_percent``) to the value of
    each product, in the order of ``products``; attributes every product shares are left out and
    listed in ``same``.
    """

    products: tuple[Product, ...]
    cheapest: Product
    best_rated: Product
    differences: dict[str, tuple[Any, ...]]
    same: tuple[str, ...] = ()
    missing_ids: tuple[int, ...] = ()
