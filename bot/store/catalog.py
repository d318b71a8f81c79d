"""The catalog snapshot and the two backends that fill it: the demo file and the BWW API.

A :class:`Snapshot` is an immutable copy of the whole catalog (169 products at BWW when it was
recorded, 249 in the demo, 10,000+ for a growing shop): searches and filters run on it locally.
Backends turn their source into :class:`Product` objects; the live details of one product come
from :meth:`details`, in the customer's language (the demo answers from the file, BWW from
``/product-details/{id}`` with that ``Accept-Language``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from bot.errors import ProductNotFound
from bot.store.bww import product_from_bww, store_image_path
from bot.store.catalog_load import CatalogLoader
from bot.store.client import BwwClient
from bot.store.images import image_path
from bot.store.info import StoreInfo
from bot.store.product import Category, Product
from bot.store.remote_images import PictureConverter

__all__ = ["BwwBackend", "DEMO_CATALOG", "DemoBackend", "Snapshot", "demo_categories"]

DEMO_CATALOG = Path(__file__).parent / "data" / "demo_catalog.json"
log = logging.getLogger(__name__)
Progress = Callable[[list[Product], list[Category], int, "int | None"], None]


@dataclass(frozen=True)
class Snapshot:
    """The whole catalog at one moment; ``built_at`` is on the store's clock."""

    products: tuple[Product, ...]
    categories: tuple[Category, ...]
    built_at: float
    source: str
    by_id: Mapping[int, Product] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, products: Iterable[Product], categories: Iterable[Category], built_at: float,
              source: str) -> Snapshot:
        products = tuple(products)
        counts: dict[str, int] = {}
        for product in products:
            counts[product.category] = counts.get(product.category, 0) + 1
        categories = tuple(replace(category, count=counts.get(category.slug, 0)) for category in categories)
        return cls(products, categories, built_at, source, {product.id: product for product in products})


class Backend(Protocol):
    """What the store facade needs from a backend.

    A backend may also have ``changed() -> bool`` (the file backend, ``bot/store/catalog_file.py``):
    the store then asks it every few seconds whether its source changed, and reloads when it did.
    One whose ``paged`` is true takes ``load(on_progress)`` and reports partial catalogs while it
    loads; one with ``retry_in() -> float`` says how long a failed load should wait before the next.
    """

    name: str

    def load(self) -> tuple[list[Product], list[Category]]: ...

    def details(self, product_id: int, known: Product | None, lang: str | None = None) -> Product: ...

    def info(self) -> StoreInfo: ...

    def status(self) -> dict[str, Any]: ...

    def budget(self) -> AbstractContextManager[None]:
        """One time budget shared by every call made inside the block."""
        ...


class LocalBackend:
    """A catalog read from a local file: the snapshot is the live source, and nothing costs API time."""

    _info: StoreInfo

    def details(self, product_id: int, known: Product | None, lang: str | None = None) -> Product:
        """The file is the live source: details are the snapshot's product (in both languages)."""
        if known is None:
            raise ProductNotFound(product_id)
        return known

    def info(self) -> StoreInfo:
        return self._info

    def budget(self) -> AbstractContextManager[None]:
        """Reading a local file costs no API time: nothing to budget."""
        return nullcontext()


class DemoBackend(LocalBackend):
    """The embedded demo catalog; pictures are served by the app under ``public_base_url``."""

    name = "demo"

    def __init__(self, public_base_url: str, path: Path = DEMO_CATALOG) -> None:
        self._data = json.loads(Path(path).read_text("utf-8"))
        self._base = public_base_url.rstrip("/")
        self._info = StoreInfo.from_dict(self._data["store"])
        self.loads = 0

    def load(self) -> tuple[list[Product], list[Category]]:
        self.loads += 1
        categories = demo_categories(self._data["categories"])
        names = {category.slug: category for category in categories}
        products = [product_from_demo(row, self._base, names.get(row.get("category", "")))
                    for row in self._data["products"]]
        return products, categories

    def status(self) -> dict[str, Any]:
        return {"api_calls": 0, "limiter": None, "breaker": None}


class BwwBackend:
    """The BWW Store REST API through :class:`BwwClient` (Arabic and English merged by id)."""

    name = "bww"
    paged = True

    def __init__(self, client: BwwClient, info: StoreInfo, language: str = "ar", *, public_base_url: str = "",
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self._info = info
        self.language = language
        self.public_base_url = public_base_url
        self.loader = CatalogLoader(client, ttl_s=client.config.ttl_catalog_s, clock=clock, sleep=sleep)
        self.pictures = PictureConverter()

    def converted_picture(self, product: Product) -> bytes:
        """The product's own picture as PNG (it is WebP, GIF or SVG: WhatsApp would refuse it)."""
        source = str(product.extra.get("source_image") or "")
        if not source or not product.image_url.endswith(store_image_path(product.id)):
            raise ProductNotFound(product.id)       # its picture goes to the platforms as it is
        return self.pictures.png(source)

    def load(self, on_progress: Progress | None = None) -> tuple[list[Product], list[Category]]:
        """The whole catalog in both languages, page by page (:mod:`bot.store.catalog_load`): it
        waits for permits, keeps and resumes pages, and reports partial catalogs to ``on_progress``."""

        def report(rows: dict[str, list[dict]], done: int, total: int | None) -> None:
            products = self._products(rows)
            on_progress(products, _bww_categories(products), done, total)  # type: ignore[misc]

        products = self._products(self.loader.load(report if on_progress else None))
        return products, _bww_categories(products)

    def details(self, product_id: int, known: Product | None, lang: str | None = None) -> Product:
        """Live price, stock, rating and the description in ``lang`` (the store's language by
        default), merged over the snapshot's product."""
        lang = lang if lang in ("ar", "en") else self.language
        raw = self.client.product_details(product_id, lang)
        arabic, english = (raw, None) if lang == "ar" else (None, raw)
        live = product_from_bww(arabic, english, lang, self.public_base_url)
        return _merge(known, live, lang) if known else live

    def retry_in(self) -> float:
        """Seconds before the API may be called again (breaker, remembered Retry-After)."""
        return self.client.retry_in()

    def info(self) -> StoreInfo:
        return self._info

    def status(self) -> dict[str, Any]:
        return {**self.client.status(), "catalog_load": self.loader.report.as_dict()}

    def budget(self) -> AbstractContextManager[None]:
        return self.client.budget()

    def _products(self, rows: dict[str, list[dict]]) -> list[Product]:
        arabic = {str(row.get("id")): row for row in rows.get("ar", ())}
        english = {str(row.get("id")): row for row in rows.get("en", ())}
        products = []
        for pid in dict.fromkeys([*arabic, *english]):
            try:
                products.append(product_from_bww(arabic.get(pid), english.get(pid), self.language,
                                                 self.public_base_url))
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                log.warning("store product %s skipped: its row could not be read (%s)", pid, error)
        return [product for product in products if product.id > 0]


def product_from_demo(row: Mapping[str, Any], base_url: str, category: Category | None = None) -> Product:
    """A :class:`Product` from one demo catalog row (fields unchanged, picture made absolute)."""
    return Product(
        id=int(row["id"]),
        name_ar=row.get("name_ar", ""),
        name_en=row.get("name_en", ""),
        description_ar=row.get("description_ar", ""),
        description_en=row.get("description_en", ""),
        category=row.get("category", ""),
        item=row.get("item", ""),
        gender=row.get("gender", "unisex"),
        colors=tuple(row.get("colors", ())),
        sizes=tuple(str(size) for size in row.get("sizes", ())),
        price=int(row.get("price", 0)),
        final_price=int(row.get("final_price", row.get("price", 0))),
        discount_percent=int(row.get("discount_percent", 0)),
        stock_quantity=int(row.get("stock_quantity", 0)),
        rating=float(row.get("rating", 0)),
        count_rating=int(row.get("count_rating", 0)),
        image_url=base_url + image_path(row["id"]),
        drawn=True,
        link=row.get("link", ""),
        tags=tuple(row.get("tags", ())),
        created_at=row.get("created_at", ""),
        category_name_ar=category.name_ar if category else "",
        category_name_en=category.name_en if category else "",
        extra={"sku": row.get("sku", "")},
    )


def demo_categories(rows: Iterable[Mapping[str, Any]]) -> list[Category]:
    return [Category(slug=row["slug"], name_ar=row["name_ar"], name_en=row["name_en"], id=int(row.get("id", 0)))
            for row in rows]


def _bww_categories(products: list[Product]) -> list[Category]:
    seen: dict[str, Category] = {}
    for product in products:
        if product.category and product.category not in seen:
            seen[product.category] = Category(product.category, product.category_name_ar, product.category_name_en)
    return list(seen.values())


def _merge(known: Product, live: Product, language: str) -> Product:
    """Live fields over the snapshot product; names in the other language and derived fields kept."""
    changes: dict[str, Any] = {
        "price": live.price, "final_price": live.final_price, "discount_percent": live.discount_percent,
        "stock_quantity": live.stock_quantity, "rating": live.rating, "count_rating": live.count_rating,
    }
    for name in ("image_url", "description_ar", "description_en", f"name_{language}", f"link_{language}"):
        if getattr(live, name):
            changes[name] = getattr(live, name)
    if live.extra.get("colors_given"):
        changes["colors"] = live.colors
    if live.sizes:
        changes["sizes"] = live.sizes
    return replace(known, **changes)
