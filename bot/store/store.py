"""The store facade the dialog uses: search, details, compare, categories, recommend, info, status.

Every method is thread-safe and raises only :mod:`bot.errors` store errors. Searches run on the
local snapshot (refreshed through the backend after a long TTL); product details are read live
(medium TTL) and fall back to the snapshot. When the store API fails, the last good snapshot
keeps answering and ``stale`` says prices may have changed; only a store that never loaded raises
:class:`StoreUnavailable`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any, Callable

import cachetools

from bot.errors import ProductNotFound, StoreError, StoreUnavailable
from bot.store.catalog import Backend, Snapshot
from bot.store.images import product_svg
from bot.store.info import StoreInfo
from bot.store.product import Category, Comparison, Product
from bot.store.search import SORTS, SearchFilters, SearchIndex, SearchPage, decode_cursor, encode_cursor

__all__ = ["Store"]

log = logging.getLogger(__name__)
_COMPARED = ("final_price", "discount_percent", "rating", "stock_quantity", "colors", "sizes",
             "category", "item", "gender")


class Store:
    """Catalog snapshot + search index + live details behind one thread-safe object."""

    def __init__(
        self,
        backend: Backend,
        *,
        clock: Callable[[], float] = time.time,
        snapshot_ttl_s: float = 3600.0,
        search_ttl_s: float = 60.0,
        cache_size: int = 512,
    ) -> None:
        self.backend = backend
        self._clock = clock
        self._lock = threading.RLock()
        self._good: tuple[Snapshot, SearchIndex] | None = None
        self._snapshot_stale = False
        self._details_stale = False
        self._snapshot_cache = self._cached(cachetools.TTLCache(1, snapshot_ttl_s, timer=clock), self._load)
        self._search_cache = self._cached(cachetools.TTLCache(cache_size, search_ttl_s, timer=clock), self._search)

    def _cached(self, cache: cachetools.Cache, function: Callable) -> Any:
        lock = threading.RLock()
        return cachetools.cached(cache, lock=lock, condition=threading.Condition(lock), info=True)(function)

    # ---- snapshot -----------------------------------------------------------------------------

    def _load(self) -> tuple[Snapshot, SearchIndex]:
        products, categories = self.backend.load()
        snapshot = Snapshot.build(products, categories, self._clock(), self.backend.name)
        return snapshot, SearchIndex(snapshot.products)

    def _current(self) -> tuple[Snapshot, SearchIndex]:
        """The fresh snapshot, or the last good one (stale) while the backend fails."""
        try:
            current = self._snapshot_cache()
        except StoreError as error:
            with self._lock:
                if self._good is None:
                    raise StoreUnavailable(f"the catalog could not be loaded: {error}") from error
                self._snapshot_stale = True
                log.warning("catalog refresh failed, serving the last good snapshot: %s", error)
                return self._good
        with self._lock:
            self._good, self._snapshot_stale = current, False
        return current

    @property
    def stale(self) -> bool:
        """True while answers come from the last good snapshot because the store API failed."""
        return self._snapshot_stale or self._details_stale

    def ready(self) -> bool:
        """A catalog (fresh or last good) can be served."""
        try:
            self._current()
        except StoreError:
            return False
        return True

    # ---- search -------------------------------------------------------------------------------

    def search(
        self, query: str = "", *, filters: SearchFilters | None = None, sort: str = "relevance",
        limit: int = 10, cursor: str | None = None,
    ) -> SearchPage:
        """Products for a customer's words and/or structured filters, best first, one page at a time."""
        if sort not in SORTS:
            sort = "relevance"
        snapshot, index = self._current()
        page = self._search_cache(snapshot.built_at, query or "", filters, sort, max(1, int(limit)), decode_cursor(cursor))
        return replace(page, stale=self.stale)

    def _search(self, built_at: float, query: str, filters: SearchFilters | None, sort: str, limit: int, offset: int) -> SearchPage:
        _, index = self._current()
        ranked, total, understood, relaxed = index.search(query, filters, sort, limit, offset)
        following = offset + limit
        return SearchPage(
            products=tuple(product for product, _ in ranked),
            total=total,
            next_cursor=encode_cursor(following) if following < total else None,
            filters=understood,
            scores=tuple(score for _, score in ranked),
            relaxed=relaxed,
            query=query,
        )

    # ---- products -----------------------------------------------------------------------------

    def product(self, product_id: int) -> Product:
        """Live details of one product (medium TTL), else the snapshot's copy (marked stale).

        Raises:
            ProductNotFound: the store does not know ``product_id``.
        """
        known = self._known(product_id)
        try:
            product = self.backend.details(int(product_id), known)
        except ProductNotFound:
            raise
        except StoreError as error:
            if known is None:
                raise
            log.warning("live details of %s unavailable, using the snapshot: %s", product_id, error)
            self._details_stale = True
            return known
        self._details_stale = False
        return product

    def _known(self, product_id: int) -> Product | None:
        try:
            snapshot, _ = self._current()
        except StoreError:
            return None
        return snapshot.by_id.get(int(product_id))

    def picture(self, product_id: int) -> str:
        """The SVG picture of a product (from the snapshot; no API call)."""
        product = self._known(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        return product_svg(product)

    def compare(self, ids: list[int]) -> Comparison:
        """2–4 products side by side (live details); unknown ids are listed in ``missing_ids``.

        Raises:
            ProductNotFound: fewer than two of the ids are known.
        """
        products, missing = [], []
        for product_id in list(dict.fromkeys(int(i) for i in ids))[:4]:
            try:
                products.append(self.product(product_id))
            except ProductNotFound:
                missing.append(product_id)
        if len(products) < 2:
            raise ProductNotFound(missing[0] if missing else (ids[0] if ids else 0))
        return _comparison(products, missing)

    def categories(self) -> list[Category]:
        """The store's sections with product counts (from the snapshot)."""
        snapshot, _ = self._current()
        return [category for category in snapshot.categories if category.count]

    def recommend(self, kind: str = "best_sellers", product_id: int | None = None, limit: int = 10) -> list[Product]:
        """Best sellers, new arrivals, offers, or products related to ``product_id``; in stock first."""
        snapshot, index = self._current()
        if kind == "related":
            return self._related(snapshot, index, product_id, limit)
        chosen = {
            "best_sellers": lambda p: p.is_best_seller,
            "new": lambda p: p.is_new,
            "offers": lambda p: p.has_discount,
        }.get(kind, lambda p: p.is_best_seller)
        ranked = sorted((p for p in snapshot.products if chosen(p)), key=lambda p: _popularity(p, kind), reverse=True)
        return ranked[:limit]

    def _related(self, snapshot: Snapshot, index: SearchIndex, product_id: int | None, limit: int) -> list[Product]:
        base = snapshot.by_id.get(int(product_id)) if product_id is not None else None
        if base is None:
            return []
        same_item = SearchFilters(item=index.item_slot.get(base.item) or base.item, in_stock=True)
        found = [p for p, _ in index.search("", same_item, "relevance", limit + 1)[0] if p.id != base.id]
        found.sort(key=lambda p: (p.gender != base.gender, p.category != base.category, -p.rating))
        return found[:limit]

    # ---- information --------------------------------------------------------------------------

    def info(self) -> StoreInfo:
        """Shipping, payment, policies, size chart and contact (bundled; never calls the API)."""
        return self.backend.info()

    def status(self) -> dict[str, Any]:
        """Caches, limiter, breaker, snapshot age, API calls and the stale flag, for the console."""
        backend = self.backend.status()
        caches = {"snapshot": self._snapshot_cache.cache_info()._asdict(),
                  "search": self._search_cache.cache_info()._asdict(), **backend.get("caches", {})}
        hits = sum(info["hits"] for info in caches.values())
        misses = sum(info["misses"] for info in caches.values())
        good = self._good
        return {
            "backend": self.backend.name,
            "stale": self.stale,
            "cache": {
                "size": sum(info["currsize"] for info in caches.values()),
                "hits": hits, "misses": misses,
                "hit_rate": round(hits / (hits + misses), 3) if hits + misses else 0.0,
                "kinds": caches,
            },
            "limiter": backend.get("limiter"),
            "breaker": backend.get("breaker"),
            "api_calls": backend.get("api_calls", 0),
            "retries": backend.get("retries", 0),
            "snapshot": {
                "products": len(good[0].products) if good else 0,
                "age_s": round(self._clock() - good[0].built_at, 1) if good else None,
                "stale": self._snapshot_stale,
            },
        }


def _comparison(products: list[Product], missing: list[int]) -> Comparison:
    differences, same = {}, []
    for name in _COMPARED:
        values = tuple(getattr(product, name) for product in products)
        if len(set(values)) > 1:
            differences[name] = values
        else:
            same.append(name)
    cheapest = min(products, key=lambda p: (p.final_price, -p.rating))
    best = max(products, key=lambda p: (p.rating, p.count_rating, -p.final_price))
    return Comparison(tuple(products), cheapest, best, differences, tuple(same), tuple(missing))


def _popularity(product: Product, kind: str) -> tuple:
    lead = product.discount_percent if kind == "offers" else (product.created_at if kind == "new" else 0)
    return (product.in_stock, lead, product.rating * min(product.count_rating, 200), product.sold_count)
