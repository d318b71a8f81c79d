"""The store facade the dialog uses: search, details, compare, categories, recommend, info, status.

Every method is thread-safe and raises only :mod:`bot.errors` store errors. Searches run on the
local snapshot; product details are read live (medium TTL) and fall back to the snapshot, marked
``stale``. Once a snapshot exists no customer waits for a catalog reload: an expired snapshot is
still served at once while one refresh at a time runs through ``refresh_runner`` (a daemon thread
by default). A backend whose source can tell it changed (``changed()``: the catalog file's
``stat``) is asked at most every ``change_check_s`` seconds, on this same path, and a change is
refreshed like an expired snapshot. Even the first load runs off the customer's turn; a customer
waits for it ``first_wait_s`` at most, and a paged backend (BWW: a catalog of 10,000 products is
minutes of a 60/minute budget) publishes partial snapshots while it loads (after 1, 2, 4, 8...
pages a language), so the first customers get what is loaded so far instead of "store down".
When the store API fails, the last good snapshot keeps answering and ``stale`` says prices may
have changed (until a refresh succeeds); only a store that never loaded raises
:class:`StoreUnavailable`. A failed load is not tried again on every message (a refresh storm
against a lasting 429 or 401): the next one waits for the backend's hint (breaker reopening,
Retry-After) and a backoff that doubles from ``refresh_backoff_s`` to ``refresh_backoff_max_s``
(for a backend that has ``retry_in``: an API; a file is read again as soon as it changes).

Product details and pages come in the customer's language: ``product``, ``compare``, ``search``
and ``recommend`` take an optional ``lang`` (``ar``/``en``; the store's own language when
omitted): details are read live in it and ``Product.link`` is its storefront page.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import cachetools
from cachetools.keys import hashkey

from bot.errors import ProductNotFound, StoreError, StoreUnavailable
from bot.store.catalog import Backend, Snapshot
from bot.store.images import product_svg
from bot.store.info import StoreInfo
from bot.store.product import Category, Comparison, Product
from bot.store.search import SORTS, SearchFilters, SearchIndex, SearchPage, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from bot.nlu.query import QueryReading

__all__ = ["Store"]

log = logging.getLogger(__name__)
Runner = Callable[[Callable[[], None]], None]
_COMPARED = ("final_price", "discount_percent", "rating", "stock_quantity", "colors", "sizes",
             "category", "item", "gender")


def run_in_background(job: Callable[[], None]) -> None:
    """The default ``refresh_runner``: ``job`` on a daemon thread."""
    threading.Thread(target=job, name="catalog-refresh", daemon=True).start()


class Store:
    """Catalog snapshot + search index + live details behind one thread-safe object.

    ``refresh_runner`` runs a catalog refresh (a no-argument callable); tests pass
    ``lambda job: job()`` to refresh inline, or ``jobs.append`` to run it when they choose.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        clock: Callable[[], float] = time.time,
        snapshot_ttl_s: float = 3600.0,
        search_ttl_s: float = 60.0,
        cache_size: int = 512,
        refresh_runner: Runner = run_in_background,
        change_check_s: float = 2.0,
        info: StoreInfo | None = None,
        refresh_backoff_s: float = 30.0,
        refresh_backoff_max_s: float = 900.0,
    ) -> None:
        self.backend = backend
        self._info = info                      # the shop's profile; None: the backend's own information
        self.refresh_runner = refresh_runner
        self._clock = clock
        self._snapshot_ttl_s = snapshot_ttl_s
        self._change_check_s = change_check_s
        self._checked_at = -math.inf           # when the backend was last asked whether its source changed
        self._lock = threading.RLock()
        self._loaded = threading.Condition(self._lock)  # notified when a load ends, good or failed
        self.first_wait_s = 4.0                # how long a customer waits for the very first load
        self._good: tuple[Snapshot, SearchIndex] | None = None
        self._loaded_at = 0.0
        self._loads = 0                        # finished loads, good or failed
        self._last_error: StoreError | None = None
        self._refreshing = False
        self._refresh_backoff = (refresh_backoff_s, refresh_backoff_max_s)
        self._failures = 0                     # loads failed in a row
        self._retry_at = -math.inf             # no load starts before this (after a failed one)
        self._partial: dict[str, Any] | None = None  # progress of the load whose partial snapshot is served
        self._snapshot_stale = False
        self._details_stale = False
        self._snapshot_hits = self._snapshot_misses = 0
        cache: cachetools.TTLCache[tuple[Hashable, ...], SearchPage] = cachetools.TTLCache(
            cache_size, search_ttl_s, timer=clock)
        lock = threading.RLock()
        # The index is an argument but not part of the key: ``built_at`` names the snapshot it indexes.
        # ``read`` (the reading of the query the caller made) is not part of the key either: the query is.
        self._search_cache = cachetools.cached(
            cache, key=lambda index, *rest, read=None: hashkey(*rest), lock=lock, condition=threading.Condition(lock),
            info=True,
        )(self._search)

    # ---- snapshot -----------------------------------------------------------------------------

    def _load(self) -> tuple[Snapshot, SearchIndex]:
        """Load the catalog now; remember it as the good snapshot, or remember the failure."""
        with self._lock:
            self._checked_at = self._clock()   # a load reads the source: as good as asking whether it changed
        try:
            if getattr(self.backend, "paged", False):
                products, categories = self.backend.load(self._publish_partial)  # type: ignore[call-arg]
            else:
                products, categories = self.backend.load()
            current = _indexed(products, categories, self._clock, self.backend.name)
        except StoreError as error:
            with self._lock:
                self._loads += 1
                self._last_error = error
                self._failures += 1
                if hasattr(self.backend, "retry_in"):   # an API: no new load on every message
                    self._retry_at = self._clock() + self._retry_delay(error)
                self._snapshot_stale = self._good is not None and self._partial is None
                self._loaded.notify_all()
            raise
        with self._lock:
            self._loads += 1
            self._good, self._loaded_at, self._snapshot_stale, self._last_error = current, self._clock(), False, None
            self._failures, self._retry_at, self._partial = 0, -math.inf, None
            self._loaded.notify_all()
        return current

    def _publish_partial(self, products: list[Product], categories: list[Category], done: int,
                         total: int | None) -> None:
        """Serve what a load has read so far, while no complete snapshot exists (the first load)."""
        with self._lock:
            if self._good is not None and self._partial is None:
                return                          # a complete snapshot answers: the refresh replaces it at the end
            if self._partial is not None and len(products) <= self._partial["products"]:
                return                          # a resumed load re-reads its kept pages: nothing new yet
        snapshot, index = _indexed(products, categories, self._clock, self.backend.name)
        with self._lock:
            self._good = snapshot, index
            self._partial = {"pages_done": done, "pages_total": total, "products": len(snapshot.products)}
            self._loaded.notify_all()
        log.info("serving a partial catalog: %d products (%s of %s pages a language)", len(products), done, total)

    def _retry_delay(self, error: StoreError) -> float:
        """How long after a failed load the next may start: the backend's hint, at least a backoff."""
        base, most = self._refresh_backoff
        backoff = min(base * 2 ** max(self._failures - 1, 0), most)
        hint = getattr(error, "retry_after", None) or 0.0
        retry_in = getattr(self.backend, "retry_in", None)
        if retry_in is not None:
            try:
                hint = max(hint, float(retry_in()))
            except Exception:
                log.exception("the store backend could not say when to retry")
        return max(backoff, min(hint, most))

    def _current(self) -> tuple[Snapshot, SearchIndex]:
        """The snapshot to serve now: the good one (refreshed behind the customer's back once it
        expires), or, before there is any, one loaded now.
        """
        start, changed = False, self._source_changed()
        with self._lock:
            now = self._clock()
            good = self._good
            due = changed or self._partial is not None or now - self._loaded_at >= self._snapshot_ttl_s
            if good is not None:
                self._snapshot_hits += not due
                self._snapshot_misses += due
                start = due and not self._refreshing and now >= self._retry_at
                self._refreshing = self._refreshing or start
        if good is None:
            return self._first()
        if start:
            self.refresh_runner(self._refresh)
            with self._lock:            # an inline runner has refreshed (or failed) already
                good = self._good or good
        return good

    def _source_changed(self) -> bool:
        """True when the backend says its source changed since it was last read; asked at most every
        ``change_check_s`` seconds, only while a snapshot is served and no refresh is running."""
        changed = getattr(self.backend, "changed", None)
        if changed is None:
            return False
        with self._lock:
            now = self._clock()
            if self._good is None or self._refreshing or now - self._checked_at < self._change_check_s:
                return False
            self._checked_at = now
        try:
            return bool(changed())
        except Exception:
            log.exception("could not tell whether the catalog source changed")
            return False

    def _first(self) -> tuple[Snapshot, SearchIndex]:
        """The first snapshot: loaded off the customer's turn (a whole catalog may take many
        calls), waited for ``first_wait_s`` at most; callers waiting together share its outcome.
        """
        with self._lock:
            self._snapshot_misses += 1
            if not self._refreshing and self._clock() < self._retry_at and self._last_error is not None:
                failed = self._last_error         # the last load failed moments ago: no new one yet
                raise StoreUnavailable(f"the catalog could not be loaded: {failed}") from failed
            seen, start = self._loads, not self._refreshing
            self._refreshing = True
        if start:
            self.refresh_runner(self._refresh)
        with self._lock:
            self._loaded.wait_for(lambda: self._good is not None or self._loads != seen, self.first_wait_s)
            good, error = self._good, self._last_error
        if good is not None:
            return good
        if error is not None and self._loads != seen:
            raise StoreUnavailable(f"the catalog could not be loaded: {error}") from error
        raise StoreUnavailable("the catalog is still loading")

    def _refresh(self) -> None:
        """Reload an expired snapshot (the ``refresh_runner`` job); the old one serves meanwhile."""
        try:
            self._load()
        except StoreError as error:
            log.warning("catalog refresh failed, serving the last good snapshot: %s", error)
        except Exception:
            log.exception("catalog refresh crashed, serving the last good snapshot")
            with self._lock:
                self._snapshot_stale = True
        finally:
            with self._lock:
                self._refreshing = False

    def budget(self) -> AbstractContextManager[None]:
        """A block whose store calls share one time budget (e.g. everything one customer message asks)."""
        return self.backend.budget()

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
        limit: int = 10, cursor: str | None = None, lang: str | None = None,
        read: Callable[[], QueryReading] | None = None,
    ) -> SearchPage:
        """Products for a customer's words and/or structured filters, best first, one page at a time;
        their ``link`` is the storefront page in ``lang``. ``read`` gives the words' reading
        (:func:`bot.nlu.query.read_query`) when the caller already analysed them; called only on a cache miss."""
        if sort not in SORTS:
            sort = "relevance"
        snapshot, index = self._current()
        page = self._search_cache(index, snapshot.built_at, query or "", filters, sort, max(1, int(limit)),
                                  decode_cursor(cursor), read=read)
        products = tuple(_localized(product, lang) for product in page.products) if lang else page.products
        return replace(page, stale=self.stale, products=products)

    def _search(self, index: SearchIndex, built_at: float, query: str, filters: SearchFilters | None, sort: str,
                limit: int, offset: int, read: Callable[[], QueryReading] | None = None) -> SearchPage:
        ranked, total, understood, relaxed = index.search(query, filters, sort, limit, offset, read)
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

    def product(self, product_id: int, lang: str | None = None) -> Product:
        """Live details of one product in ``lang`` (medium TTL, per language), else the snapshot's
        copy with ``stale`` set; ``link`` is the storefront page in ``lang``.

        Raises:
            ProductNotFound: the store does not know ``product_id``.
        """
        with self.budget():
            return self._product(product_id, lang)

    def _product(self, product_id: int, lang: str | None = None) -> Product:
        known = self._known(product_id)
        try:
            product = self.backend.details(int(product_id), known, lang)
        except ProductNotFound:
            raise
        except StoreError as error:
            if known is None:
                raise
            log.warning("live details of %s unavailable, using the snapshot: %s", product_id, error)
            self._details_stale = True
            return _localized(replace(known, stale=True), lang)
        self._details_stale = False
        return _localized(product, lang)

    def cached_product(self, product_id: int, lang: str | None = None) -> Product:
        """A product as the snapshot has it (no API call).

        Raises:
            ProductNotFound: the snapshot does not hold ``product_id``.
        """
        product = self._known(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        return _localized(product, lang)

    def _known(self, product_id: int) -> Product | None:
        try:
            snapshot, _ = self._current()
        except StoreError:
            return None
        return snapshot.by_id.get(int(product_id))

    def picture(self, product_id: int, color: str = "") -> str:
        """The SVG picture of a product, in ``color`` when it comes in it (from the snapshot; no API call)."""
        return product_svg(self.cached_product(product_id), color)

    def converted_picture(self, product_id: int) -> bytes:
        """A store picture WhatsApp would refuse (WebP, GIF, SVG), as PNG (``/media/store/<id>.png``).

        Raises:
            ProductNotFound: the snapshot does not hold the product, or it has no picture to convert.
            StoreUnavailable: the picture could not be fetched or converted.
        """
        convert = getattr(self.backend, "converted_picture", None)
        if convert is None:
            raise ProductNotFound(product_id)
        return convert(self.cached_product(product_id))

    def compare(self, ids: list[int], lang: str | None = None) -> Comparison:
        """2–4 products side by side (live details); unknown ids are listed in ``missing_ids``.

        Raises:
            ProductNotFound: fewer than two of the ids are known.
        """
        products, missing = [], []
        with self.budget():
            for product_id in list(dict.fromkeys(int(i) for i in ids))[:4]:
                try:
                    products.append(self._product(product_id, lang))
                except ProductNotFound:
                    missing.append(product_id)
        if len(products) < 2:
            raise ProductNotFound(missing[0] if missing else (ids[0] if ids else 0))
        return _comparison(products, missing)

    def categories(self) -> list[Category]:
        """The store's sections with product counts (from the snapshot)."""
        snapshot, _ = self._current()
        return [category for category in snapshot.categories if category.count]

    def recommend(self, kind: str = "best_sellers", product_id: int | None = None, limit: int = 10,
                  lang: str | None = None) -> list[Product]:
        """Best sellers, new arrivals, offers, or products related to ``product_id``; in stock first."""
        if lang:
            return [_localized(product, lang) for product in self.recommend(kind, product_id, limit)]
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
        """Shipping, payment, policies, size chart and contact: the shop's profile (never calls the API)."""
        return self._info if self._info is not None else self.backend.info()

    def status(self) -> dict[str, Any]:
        """Caches, limiter, breaker, snapshot age, API calls and the stale flag, for the console."""
        backend = self.backend.status()
        snapshot = {"hits": self._snapshot_hits, "misses": self._snapshot_misses, "maxsize": 1,
                    "currsize": int(self._good is not None)}
        caches = {"snapshot": snapshot, "search": self._search_cache.cache_info()._asdict(),
                  **backend.get("caches", {})}
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
            **({"file": backend["file"]} if "file" in backend else {}),
            **{key: backend[key] for key in ("auth", "password_variant", "retry_after_s", "shared", "catalog_load")
               if key in backend},
            "snapshot": {
                "products": len(good[0].products) if good else 0,
                "age_s": round(self._clock() - good[0].built_at, 1) if good else None,
                "stale": self._snapshot_stale,
                "refreshing": self._refreshing,
                "partial": self._partial,
                "failed_loads": self._failures,
                "next_load_in_s": round(max(self._retry_at - self._clock(), 0.0), 1) if self._failures else 0.0,
                "last_error": str(self._last_error) if self._last_error else None,
            },
        }

    def health(self) -> dict[str, Any]:
        """The store API's state for ``/readyz`` and the console: ``ok``, or what is wrong and since when.

        ``state`` is ``auth_failed`` (the password is refused: the key or a clock), ``breaker_open``,
        ``rate_limited`` (a Retry-After is running), ``loading`` (no complete catalog yet) or ``ok``.
        """
        backend = self.backend.status()
        auth, breaker = backend.get("auth"), backend.get("breaker") or {}
        body: dict[str, Any] = {"backend": self.backend.name, "serving": self._good is not None,
                                "stale": self.stale, "partial": self._partial}
        if auth:
            state = "auth_failed"
            body["auth"] = {key: auth.get(key) for key in ("status", "variants_tried", "hour", "since_iso",
                                                          "refusals", "server_clock_offset_s")}
        elif breaker.get("state") == "open":
            state = "breaker_open"
        elif backend.get("retry_after_s"):
            state = "rate_limited"
        elif self._good is None or self._partial is not None:
            state = "loading"
        else:
            state = "ok"
        body["state"] = state
        if breaker:
            body["breaker"] = breaker.get("state")
        if self._last_error is not None:
            body["last_error"] = str(self._last_error)
        return body


def _indexed(products: list[Product], categories: list[Category], clock: Callable[[], float],
             source: str) -> tuple[Snapshot, SearchIndex]:
    """The snapshot and its search index; ``built_at`` is when both are ready."""
    frozen = tuple(products)
    index = SearchIndex(frozen)
    return Snapshot.build(frozen, categories, clock(), source), index


def _localized(product: Product, lang: str | None) -> Product:
    """``product`` with ``link`` on its storefront page in ``lang`` (unchanged without one)."""
    if not lang:
        return product
    link = product.link_for(lang)
    return product if link == product.link else replace(product, link=link)


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
