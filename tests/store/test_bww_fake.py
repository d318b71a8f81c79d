"""The bww backend at real size against the fake BWW API (tests/fake_bww.py): a real HTTP server.

Time is injected: the client, the store, the loader and the fake server share one :class:`Clock`;
waiting for a permit or a Retry-After moves it (``Clock.sleep``) and may let a customer in
(``on_sleep``), so a 10,000-product load under 60 calls a minute takes minutes of that clock and
seconds of real time, with customers served while it runs.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.errors import ProductNotFound, StoreUnavailable
from bot.store import build_store
from bot.store.sharing import SqliteFile, SqliteRateLimiter
from tests.fake_bww import FakeBww

NOW = datetime(2026, 5, 10, 14, 30, tzinfo=UTC).timestamp()
LIMIT = 60


class Clock:
    """A settable clock; ``sleep`` advances it, then runs ``on_sleep`` (not re-entered)."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.slept = 0.0
        self.on_sleep: Callable[[], None] | None = None

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        hook, self.on_sleep = self.on_sleep, None
        try:
            if hook is not None:
                hook()
        finally:
            self.on_sleep = hook


def make_store(api: FakeBww, clock: Clock, jobs: list, shared_dir=None, **overrides):
    """A bww store on the fake; refreshes wait in ``jobs`` until the test runs them."""
    settings = Settings(**{"store_backend": "bww", "store_api_url": api.url, "store_api_key": api.secret,
                           "public_base_url": "http://bot.test", **overrides})
    store = build_store(settings, clock=clock, sleep=clock.sleep, refresh_runner=jobs.append,
                        shared_dir=str(shared_dir) if shared_dir else None)
    store.first_wait_s = 0
    return store


def loaded(api: FakeBww, clock: Clock, shared_dir=None, **overrides):
    """A store whose first load has run."""
    jobs: list = []
    store = make_store(api, clock, jobs, shared_dir, **overrides)
    with pytest.raises(StoreUnavailable, match="still loading"):
        store.search("")
    jobs.pop()()
    assert not store.status()["snapshot"]["partial"]
    return store


# ---- size --------------------------------------------------------------------------------------


def test_ten_thousand_products_load_under_60_a_minute_while_customers_are_served(tmp_path) -> None:
    clock = Clock()
    with FakeBww(10_000, clock=clock) as api:
        jobs: list = []
        store = make_store(api, clock, jobs, tmp_path)
        with pytest.raises(StoreUnavailable, match="still loading"):
            store.search("تيشيرت")                  # nothing at all yet: the only "try again later"
        served: list = []
        shown = iter(range(100_020, 110_000, 7))

        def customer() -> None:                     # a customer writes while the load waits for permits
            page = store.search("hoodie", lang="en")
            assert page.products, "the partial snapshot answers"
            for _ in range(3):
                served.append(store.product(next(shown), lang="en"))

        clock.on_sleep = customer
        started, real = clock.now, time.perf_counter()
        jobs.pop()()
        fake_minutes, real_s = (clock.now - started) / 60, time.perf_counter() - real
        clock.on_sleep = None
        status = store.status()
        assert status["snapshot"]["products"] == 10_000 and not status["snapshot"]["partial"]
        assert len(api.api_calls(path="/filter-products")) == 200, "100 pages a language, each once"
        assert api.most_in_window(60) <= LIMIT, "never more than the limit in any minute"
        assert served and not any(product.stale for product in served), "live details kept their share"
        assert 3 <= fake_minutes <= 6, fake_minutes
        assert real_s < 60, real_s
        print(f"\n10,000 products: {fake_minutes:.1f} fake minutes, {real_s:.1f} s real, "
              f"{len(served)} live details served meanwhile")


def test_a_load_stopped_by_a_failing_page_resumes_there(tmp_path) -> None:
    clock = Clock()
    with FakeBww(2_000, clock=clock) as api:
        jobs: list = []
        store = make_store(api, clock, jobs, tmp_path, breaker_fail_max=10)
        api.fail("status", times=-1, path="/filter-products", value=500, page=7)
        with pytest.raises(StoreUnavailable):
            store.search("")
        jobs.pop()()
        snapshot = store.status()["snapshot"]
        assert snapshot["partial"] == {"pages_done": 4, "pages_total": 20, "products": 400}
        assert snapshot["failed_loads"] == 1 and snapshot["next_load_in_s"] >= 30
        assert store.search("jeans").products, "customers get the partial catalog, not 'store down'"
        calls = len(api.api_calls())
        store.search("jeans")
        assert jobs == [] and len(api.api_calls()) == calls, "no new load before the backoff"
        api.clear()
        clock.now += snapshot["next_load_in_s"]
        store.search("jeans")
        jobs.pop()()
        report = store.status()["catalog_load"]
        assert store.status()["snapshot"]["products"] == 2_000
        assert report["reused"] == 12 and report["fetched"] == 28, "pages 1-6 of both languages were kept"


@pytest.mark.parametrize("shape", ["page_size_ignored", "no_total_pages", "no_pagination_at_all"])
def test_pagination_is_read_from_what_the_server_sends(shape) -> None:
    clock = Clock()
    options = {"page_size_ignored": {"ignore_page_size": True},
               "no_total_pages": {"ignore_page_size": True, "omit": ("total_pages",)},
               "no_pagination_at_all": {"ignore_page_size": True, "omit": ("total_pages", "total", "page_size")}}
    with FakeBww(600, clock=clock, **options[shape]) as api:
        store = loaded(api, clock)
        assert store.status()["snapshot"]["products"] == 600
        pages = len(api.api_calls(path="/filter-products")) // 2
        assert pages == (61 if shape == "no_pagination_at_all" else 60), "10 a page; the last, empty, ends it"


def test_an_hourly_refresh_leaves_live_details_their_share(tmp_path) -> None:
    clock = Clock()
    with FakeBww(6_000, clock=clock) as api:
        store = loaded(api, clock, tmp_path)
        jobs: list = []
        store.refresh_runner = jobs.append
        clock.now += 3601
        before = len(api.api_calls())
        details: list = []
        shown = iter(range(100_100, 106_000, 3))

        def customer() -> None:
            assert store.search("dress").products
            details.extend(store.product(next(shown)) for _ in range(5))

        assert not store.search("dress").stale and len(jobs) == 1, "the expired snapshot answers at once"
        clock.on_sleep = customer
        jobs.pop()()
        clock.on_sleep = None
        assert len(api.api_calls(before, "/filter-products")) == 120
        assert details and not any(product.stale for product in details), "no live call refused meanwhile"
        assert api.most_in_window(60) <= LIMIT
        assert store.status()["snapshot"]["age_s"] == 0


# ---- one limit per store API, across processes ---------------------------------------------------


def _grab(path: str, now: float, tries: int, results) -> None:
    """One process taking permits from the host's shared limiter at ``now``."""
    try:
        limiter = SqliteRateLimiter(SqliteFile(path), LIMIT, 60.0, clock=lambda: now)
        results.put(sum(limiter.try_acquire() == 0.0 for _ in range(tries)))
    except Exception as error:                      # shown by the test instead of a silent timeout
        results.put(repr(error))


def test_two_processes_together_never_exceed_the_limit(tmp_path) -> None:
    context = multiprocessing.get_context("spawn")
    path = str(tmp_path / "store-api.sqlite3")
    for at, expected in ((NOW, LIMIT), (NOW + 30, 0), (NOW + 60.5, LIMIT)):
        results = context.Queue()
        workers = [context.Process(target=_grab, args=(path, at, 150, results)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        granted = [results.get(timeout=30) for _ in workers]
        assert sum(granted) == expected, (at - NOW, granted)


def test_two_processes_of_one_host_share_the_limit_and_the_pages(tmp_path) -> None:
    """Two stores on one data directory (two gunicorn processes), both loading, one serving customers."""
    clock = Clock()
    with FakeBww(3_000, clock=clock) as api:
        jobs_a: list = []
        jobs_b: list = []
        first, second = make_store(api, clock, jobs_a, tmp_path), make_store(api, clock, jobs_b, tmp_path)
        for store in (first, second):
            with pytest.raises(StoreUnavailable):
                store.search("")
        served: list = []

        def meanwhile() -> None:                    # the second process loads, then answers customers
            if jobs_b:
                jobs_b.pop()()
            served.extend(second.product(100_010 + n) for n in range(len(served), len(served) + 5))

        clock.on_sleep = meanwhile
        jobs_a.pop()()
        clock.on_sleep = None
        for store in (first, second):
            assert store.status()["snapshot"]["products"] == 3_000
        pages = [(call.lang, call.page) for call in api.api_calls(path="/filter-products")]
        # One page may be fetched twice: the one the first process had claimed when it paused to wait
        # for a permit (here it waits while the second loads, longer than its claim holds).
        assert len(pages) <= 61 and len(set(pages)) == 60, "each page fetched by one process"
        assert second.status()["catalog_load"]["reused"] > 0, "the second read what the first fetched"
        assert api.most_in_window(60) <= LIMIT
        assert served and not any(product.stale for product in served)
        limits = [store.status()["limiter"] for store in (first, second)]
        assert limits[0]["shared"] == "host" and limits[0]["used"] == limits[1]["used"] > 0, limits


# ---- languages -------------------------------------------------------------------------------------


def test_details_and_links_come_in_the_customers_language() -> None:
    clock = Clock()
    with FakeBww(60, clock=clock) as api:
        store = loaded(api, clock)
        english = store.product(100_020, lang="en")
        assert english.description("en").startswith("A ") and "cotton" in english.description("en")
        assert english.link == english.link_en and "/en/product-details/" in english.link
        assert english.name("en").startswith("Star Fashion") and english.name("ar").startswith("تيشيرت")
        arabic = store.product(100_020, lang="ar")
        assert "قطن" in arabic.description("ar") and "/ar/product-details/" in arabic.link
        calls = len(api.api_calls())
        store.product(100_020, lang="en")
        assert len(api.api_calls()) == calls, "cached per language"
        langs = [call.lang for call in api.api_calls(path="/product-details")]
        assert langs == ["en", "ar"]
        card = store.search("hoodie", lang="en").products[0]
        assert "/en/product-details/" in card.link
        assert "/ar/product-details/" in store.search("hoodie").products[0].link, "the store's language by default"


# ---- errors as errors ------------------------------------------------------------------------------


def test_an_envelope_500_on_details_is_an_outage_served_from_the_snapshot() -> None:
    clock = Clock()
    with FakeBww(60, clock=clock) as api:
        store = loaded(api, clock, breaker_fail_max=5, store_retries=0)
        api.fail("envelope", times=-1, path="/product-details", value=500)
        product = store.product(100_030)
        assert product.stale and product.id == 100_030, "not 'removed': the snapshot's copy, flagged"
        assert store.status()["breaker"]["failures"] == 1, "counted by the breaker"
        assert [call.path for call in api.api_calls(path="/product")] == ["/api/v1/product-details/100030"]
        api.clear()
        api.fail("envelope", times=-1, path="/product-details", value=404)
        api.fail("envelope", times=-1, path="/product/", value=404)
        with pytest.raises(ProductNotFound):
            store.product(100_031)


@pytest.mark.parametrize("fault", ["status", "html", "garbage", "truncated", "reset", "html200"])
def test_every_fault_is_answered_from_the_snapshot_and_the_breaker_opens_then_recovers(fault) -> None:
    clock = Clock()
    with FakeBww(60, clock=clock) as api:
        store = loaded(api, clock, breaker_fail_max=3, store_retries=0)
        api.fail(fault, times=-1)
        for product_id in (100_010, 100_011, 100_012):
            assert store.product(product_id).stale
        assert store.status()["breaker"]["state"] == "open"
        calls = len(api.api_calls())
        assert store.product(100_013).stale and len(api.api_calls()) == calls, "open: no call"
        api.clear()
        clock.now += 60
        assert not store.product(100_014).stale
        assert store.status()["breaker"]["state"] == "closed"


def test_a_timeout_is_answered_from_the_snapshot() -> None:
    clock = Clock()
    with FakeBww(60, clock=clock) as api:
        store = loaded(api, clock, store_retries=0, store_timeout_s=0.2)
        api.fail("hang", value=0.6, path="/product-details")
        assert store.product(100_010).stale
        assert store.status()["breaker"]["failures"] == 1


def test_a_refused_connection_is_answered_from_the_snapshot() -> None:
    clock = Clock()
    with FakeBww(60, clock=clock) as api:
        store = loaded(api, clock, store_retries=0)
        api.stop()
        assert store.product(100_010).stale and store.stale
        assert "unreachable" in str(store.status()["snapshot"]["last_error"] or "") or store.stale


def test_a_401_storm_shows_opens_the_breaker_and_costs_one_call_a_window() -> None:
    clock = Clock()
    with FakeBww(100, clock=clock) as api:
        store = loaded(api, clock, breaker_fail_max=5, breaker_reset_s=60.0)
        api.secret = "rotated-on-the-server"          # our key is now wrong: every call is 401
        costs = []
        for number in range(60):                       # a customer message every 10 s for 10 minutes
            before = len(api.api_calls())
            assert store.product(100_010 + number).stale
            costs.append(len(api.api_calls()) - before)
            clock.now += 10
        assert costs[:3] == [3, 1, 1], "every variant once, then only the preferred, until the breaker opens"
        opened = costs[3:]
        assert sum(opened) <= len(opened) * 10 / 60 + 1, "at most one call per breaker window"
        assert max(opened) <= 1
        status = store.status()
        assert status["breaker"]["state"] == "open"
        assert status["auth"]["status"] == 401 and status["auth"]["variants_tried"] == ["utc", "utc-1h", "utc+1h"]
        health = store.health()
        assert health["state"] == "auth_failed" and health["auth"]["variants_tried"] == ["utc", "utc-1h", "utc+1h"]
        api.secret = "s3cret"
        clock.now += 60
        assert not store.product(100_080).stale
        assert store.status()["auth"] is None and store.health()["state"] == "ok"


def test_a_server_clock_hours_off_is_learnt_from_its_date_header() -> None:
    clock = Clock()
    with FakeBww(60, clock=clock, skew_s=-3 * 3600) as api:
        store = loaded(api, clock)
        assert store.status()["password_variant"] == "server-clock"
        before = len(api.api_calls())
        assert not store.product(100_011).stale
        assert len(api.api_calls()) - before == 1, "the working variant is remembered"


def test_a_retry_after_is_remembered_and_an_expired_snapshot_does_not_storm() -> None:
    clock = Clock()
    with FakeBww(60, clock=clock) as api:
        store = loaded(api, clock)
        jobs: list = []
        store.refresh_runner = jobs.append
        api.fail("429", times=-1, value=600)
        assert store.product(100_011).stale
        calls = len(api.api_calls())
        assert store.product(100_012).stale and len(api.api_calls()) == calls, "Retry-After remembered: no call"
        assert store.status()["retry_after_s"] == 600 and store.health()["state"] == "rate_limited"
        clock.now += 3601 - 600 + 600                  # the snapshot expires; the 429s go on
        api.fail("429", times=-1, value=600)
        store.search("dress")
        jobs.pop()()                                   # one refresh: it meets the 429 and gives up
        calls = len(api.api_calls())
        for _ in range(20):
            clock.now += 5
            assert store.search("dress").stale
        assert jobs == [] and len(api.api_calls()) == calls, "no refresh on every message"
        assert store.status()["snapshot"]["next_load_in_s"] >= 500
