"""The store: products, store information, the catalog snapshot, search and the BWW client.

``build_store(settings)`` gives the :class:`Store` the dialog uses, on the backend the settings
name (``demo``: the embedded catalog; ``bww``: the BWW Store REST API; ``file``: the shop's own
catalog file, CSV, XLSX or JSON, reloaded when it changes). Nothing here imports Flask.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.store.catalog import BwwBackend, DemoBackend
from bot.store.catalog_file import FileBackend
from bot.store.client import BwwClient, ClientConfig
from bot.store.info import Governorate, PaymentMethod, StoreInfo
from bot.store.product import Category, Comparison, Product
from bot.store.profile import load_profile
from bot.store.search import SearchFilters, SearchPage
from bot.store.store import Runner, Store, run_in_background

__all__ = [
    "Category", "Comparison", "Governorate", "PaymentMethod", "Product", "SearchFilters", "SearchPage",
    "Store", "StoreInfo", "build_store",
]

FILE_CHECK_S = 2.0     # how often (at most) a customer's request checks whether the catalog file changed


def build_store(
    settings: Settings,
    *,
    session: Any = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    refresh_runner: Runner = run_in_background,
    shared_dir: str | None = None,
) -> Store:
    """The store for ``settings``; nothing is fetched until the first call that needs the catalog.

    On BWW the client's rate limit, caches and state are shared by every host with ``REDIS_URL``,
    else by every process of this host through a SQLite file in ``shared_dir`` (the app passes
    the directory of ``DATABASE_PATH``), else kept in this process.
    """
    clock = clock or time.time
    info = profile_info(settings)  # what the shop tells customers: its profile, on every backend
    if settings.store_backend == "file":
        backend = FileBackend(settings.catalog_path, settings.public_base_url, info, clock=clock)
        # No expiry: the file is read again when it changes (asked every FILE_CHECK_S on a request).
        return Store(backend, clock=clock, snapshot_ttl_s=math.inf, refresh_runner=refresh_runner,
                     change_check_s=FILE_CHECK_S, info=info)
    if settings.store_backend != "bww":
        return Store(DemoBackend(settings.public_base_url), clock=clock, refresh_runner=refresh_runner, info=info)
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
    sleep = sleep or time.sleep
    client = BwwClient(
        config, session=session, clock=clock, sleep=sleep, shared=shared,
        shared_prefix=settings.redis_prefix, shared_dir=shared_dir,
    )
    bww = BwwBackend(client, info, settings.store_language, public_base_url=settings.public_base_url,
                     clock=clock, sleep=sleep)
    return Store(bww, clock=clock, snapshot_ttl_s=config.ttl_catalog_s, refresh_runner=refresh_runner, info=info)


def profile_info(settings: Settings) -> StoreInfo:
    """The shop's profile (``STORE_PROFILE``), else the demo shop's; on BWW without a profile of
    its own the demo terms apply under BWW's name (BWW publishes no shipping or policy endpoint)."""
    path = getattr(settings, "store_profile", "")
    info = load_profile(path or None)
    if not path and settings.store_backend == "bww":
        info = dataclasses.replace(info, name_ar="متجر BWW", name_en="BWW Store", website="https://bww-store.com")
    return info
