"""The store: products, store information, the catalog snapshot, search and the BWW client.

``build_store(settings)`` gives the :class:`Store` the dialog uses, on the backend the settings
name (``demo``: the embedded catalog; ``bww``: the BWW Store REST API). Nothing here imports Flask.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from bot.config import Settings
from bot.store.catalog import DEMO_CATALOG, BwwBackend, DemoBackend
from bot.store.client import BwwClient, ClientConfig
from bot.store.info import Governorate, PaymentMethod, StoreInfo
from bot.store.product import Category, Comparison, Product
from bot.store.search import SearchFilters, SearchPage
from bot.store.store import Runner, Store, run_in_background

__all__ = [
    "Category", "Comparison", "Governorate", "PaymentMethod", "Product", "SearchFilters", "SearchPage",
    "Store", "StoreInfo", "build_store",
]

BWW_INFO = {"name_ar": "متجر BWW", "name_en": "BWW Store", "website": "https://bww-store.com"}


def build_store(
    settings: Settings,
    *,
    session: Any = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    refresh_runner: Runner = run_in_background,
) -> Store:
    """The store for ``settings``; nothing is fetched until the first call that needs the catalog."""
    clock = clock or time.time
    if settings.store_backend != "bww":
        return Store(DemoBackend(settings.public_base_url), clock=clock, refresh_runner=refresh_runner)
    config = ClientConfig(
        base_url=settings.store_api_url,
        secret=settings.store_api_key,
        timeout_s=settings.store_timeout_s,
        retries=settings.store_retries,
        budget_s=settings.store_budget_s,
        fail_max=settings.breaker_fail_max,
        reset_s=settings.breaker_reset_s,
        rate=settings.store_rate,
    )
    shared = None
    if settings.redis_url:
        import redis

        shared = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=5)
    client = BwwClient(
        config, session=session, clock=clock, sleep=sleep or time.sleep, shared=shared,
        shared_prefix=settings.redis_prefix,
    )
    backend = BwwBackend(client, _bww_info(), settings.store_language)
    return Store(backend, clock=clock, snapshot_ttl_s=config.ttl_catalog_s, refresh_runner=refresh_runner)


def _bww_info() -> StoreInfo:
    """BWW publishes no shipping or policy endpoint: the bundled store terms apply, under BWW's name."""
    store = json.loads(DEMO_CATALOG.read_text("utf-8"))["store"]
    return StoreInfo.from_dict(store, **BWW_INFO)
