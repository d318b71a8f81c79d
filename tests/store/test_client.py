"""BwwClient against `responses`: envelope, retries, breaker, limiter, TTLs, password fallbacks."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers, registries

from bot.errors import (
    CircuitOpen,
    ProductNotFound,
    StoreAuthFailed,
    StoreError,
    StoreRateLimited,
    StoreUnavailable,
)
from bot.store.catalog_load import CatalogLoader
from bot.store.client import MIN_ATTEMPT_S, BwwClient, ClientConfig, OutOfTime
from bot.store.limiter import RateLimiter
from bot.store.password import password_for

BASE = "https://api.test/api/v1"
PAYLOADS = Path(__file__).parent.parent / "payloads/store"
PAGE = json.loads((PAYLOADS / "bww_filter_products_page1_en.json").read_text("utf-8"))
# 2026-05-10 14:30 UTC (Egyptian summer time: Cairo is UTC+3)
NOW = datetime(2026, 5, 10, 14, 30, tzinfo=UTC).timestamp()


class Clock:
    """A settable clock; ``sleep`` advances it and records the waits."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(clock: Clock, **overrides) -> BwwClient:
    config = ClientConfig(base_url=BASE, secret="s3cret", jitter_s=0, **overrides)
    return BwwClient(config, clock=clock, sleep=clock.sleep)


def one_page(products: list[dict]) -> dict:
    return {"status": 200, "message": "Products list",
            "data": {"total": len(products), "page": 1, "page_size": 100, "total_pages": 1,
                     "products": products, "applied_filters": []}}


def accept_only(password: str, refusal: int = 401) -> None:
    """Serve the recorded page to ``password`` and refuse any other."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        if request.headers["X-API-PASSWORD"] == password:
            return 200, {}, json.dumps(PAGE)
        return refusal, {}, "{}"

    responses.add_callback(responses.POST, f"{BASE}/filter-products", callback=answer)


@responses.activate
def test_filter_products_unwraps_the_recorded_envelope_and_sends_the_headers() -> None:
    clock = Clock()
    expected_password = password_for("s3cret", datetime(2026, 5, 10, 14, tzinfo=UTC))
    responses.post(
        f"{BASE}/filter-products",
        json=PAGE,
        match=[
            matchers.json_params_matcher({"search": "polo", "page": 1, "page_size": 10}),
            matchers.header_matcher({"X-API-PASSWORD": expected_password, "Accept-Language": "en",
                                     "Accept": "application/json"}),
        ],
    )
    data = make_client(clock).filter_products("en", search="polo", colors=None)
    assert data["total"] == 169
    assert data["products"][0]["name"] == "UNITED | Men's Dotted Polo T-Shirt"
    assert expected_password == f"{int(expected_password, 16):064x}"


@responses.activate
def test_cache_hits_spend_no_budget_and_expire_with_the_injected_timer() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=PAGE)
    client = make_client(clock, ttl_search_s=120, rate=(5, 60.0))
    for _ in range(3):
        client.filter_products("en", search="polo")
    assert len(responses.calls) == 1
    assert client.status()["limiter"]["remaining"] == 4
    clock.now += 119
    client.filter_products("en", search="polo")
    assert len(responses.calls) == 1
    clock.now += 2
    client.filter_products("en", search="polo")
    assert len(responses.calls) == 2
    info = client.status()["caches"]["search"]
    assert (info["hits"], info["misses"]) == (3, 2)


@responses.activate(registry=registries.OrderedRegistry)
def test_retries_5xx_then_succeeds_with_exponential_backoff() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=502)
    responses.post(f"{BASE}/filter-products", body=requests.ConnectTimeout("slow"))
    responses.post(f"{BASE}/filter-products", json=PAGE)
    client = make_client(clock, backoff_initial_s=0.5)
    assert client.filter_products("en")["page"] == 1
    assert clock.sleeps == [0.5, 1.0]
    assert client.api_calls == 3 and client.retries == 2


@responses.activate(registry=registries.OrderedRegistry)
def test_gives_up_after_the_configured_retries() -> None:
    clock = Clock()
    for _ in range(3):
        responses.post(f"{BASE}/filter-products", body=requests.ConnectionError("down"))
    client = make_client(clock, retries=2)
    with pytest.raises(StoreUnavailable) as caught:
        client.filter_products("en")
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert client.api_calls == 3


@responses.activate(registry=registries.OrderedRegistry)
def test_429_waits_at_least_retry_after() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=429, headers={"Retry-After": "3"})
    responses.post(f"{BASE}/filter-products", json=PAGE)
    client = make_client(clock, backoff_initial_s=0.5)
    client.filter_products("en")
    assert clock.sleeps == [3.0]


@responses.activate
def test_429_with_a_long_retry_after_is_not_waited_for() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=429, headers={"Retry-After": "3600"})
    client = make_client(clock)
    with pytest.raises(StoreRateLimited) as caught:
        client.filter_products("en")
    assert caught.value.retry_after == 3600
    assert clock.sleeps == [] and client.api_calls == 1


@responses.activate
def test_4xx_is_never_retried_and_404_is_product_not_found() -> None:
    clock = Clock()
    responses.get(f"{BASE}/product-details/7", status=404)
    responses.get(f"{BASE}/product/7", status=404)
    responses.post(f"{BASE}/filter-products", status=422)
    client = make_client(clock)
    with pytest.raises(ProductNotFound):
        client.product_details(7)
    with pytest.raises(StoreError):
        client.filter_products("en")
    assert client.api_calls == 3 and clock.sleeps == []
    assert client.status()["breaker"]["failures"] == 0


@responses.activate
def test_details_fall_back_to_the_older_path_and_unwrap_the_envelope() -> None:
    clock = Clock()
    product = PAGE["data"]["products"][0]
    responses.get(f"{BASE}/product-details/188", status=404)
    responses.get(f"{BASE}/product/188", json={"status": 200, "message": "ok", "data": product})
    client = make_client(clock)
    assert client.product_details(188, "en")["name"] == product["name"]
    assert client.product_details(188, "en")["id"] == 188     # medium-TTL cache
    assert client.api_calls == 2


@responses.activate
def test_details_answer_without_the_envelope_is_unavailable() -> None:
    clock = Clock()
    responses.get(f"{BASE}/product-details/5", json={"id": 5, "name": "bare"})
    with pytest.raises(StoreUnavailable):
        make_client(clock, retries=0).product_details(5)


@responses.activate
def test_breaker_opens_after_fail_max_and_half_opens_after_reset() -> None:
    clock = Clock()
    failing = responses.post(f"{BASE}/filter-products", status=503)
    client = make_client(clock, retries=0, fail_max=3, reset_s=60)
    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            client.filter_products("en", search=str(clock.now))
            clock.now += 0.001
        clock.now += 1
    assert client.status()["breaker"]["state"] == "open"
    with pytest.raises(CircuitOpen):
        client.filter_products("en", search="while open")
    assert failing.call_count == 3 and client.api_calls == 3
    clock.now += 58                      # 59 s since it opened
    with pytest.raises(CircuitOpen):
        client.filter_products("en", search="still open")
    clock.now += 1.5
    responses.replace(responses.POST, f"{BASE}/filter-products", json=PAGE)
    assert client.filter_products("en", search="trial")["total"] == 169
    assert client.status()["breaker"] == {"state": "closed", "failures": 0, "fail_max": 3, "reopens_in_s": 0.0}


@responses.activate
def test_a_failed_half_open_trial_reopens_the_breaker() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", body=requests.ReadTimeout("slow"))
    client = make_client(clock, retries=0, fail_max=2, reset_s=30)
    for query in ("a", "b"):
        with pytest.raises(StoreUnavailable):
            client.filter_products("en", search=query)
    clock.now += 31
    with pytest.raises(StoreUnavailable):
        client.filter_products("en", search="trial")
    assert client.api_calls == 3
    status = client.status()["breaker"]
    assert status["state"] == "open" and status["reopens_in_s"] == 30


@responses.activate
def test_not_found_never_trips_the_breaker() -> None:
    clock = Clock()
    responses.get(f"{BASE}/product-details/9", status=404)
    responses.get(f"{BASE}/product/9", status=404)
    client = make_client(clock, fail_max=1)
    for _ in range(3):
        with pytest.raises(ProductNotFound):
            client.product_details(9)
    assert client.status()["breaker"]["state"] == "closed"


@responses.activate
def test_password_falls_back_to_a_neighbouring_hour_and_remembers_it() -> None:
    clock = Clock()
    accept_only(password_for("s3cret", datetime(2026, 5, 10, 13, tzinfo=UTC)))
    client = make_client(clock)
    client.filter_products("en", search="one")
    assert client.status()["password_variant"] == "utc-1h"
    assert client.api_calls == 2
    client.filter_products("en", search="two")
    assert client.api_calls == 3
    assert client.status()["breaker"]["failures"] == 0


@responses.activate
def test_password_cairo_minus_three_in_winter() -> None:
    winter = datetime(2026, 1, 15, 10, 20, tzinfo=UTC).timestamp()   # Cairo UTC+2 -> 09 h
    clock = Clock(winter)
    cairo = password_for("s3cret", datetime(2026, 1, 15, 9))
    assert cairo == password_for("s3cret", datetime(2026, 1, 15, 9, tzinfo=UTC))
    accept_only(cairo, refusal=403)
    client = make_client(clock)
    client.filter_products("en")
    # Cairo-3h equals UTC-1h in winter: the same password is sent once, under the first name.
    assert client.api_calls == 2
    assert client.status()["password_variant"] == "utc-1h"


@responses.activate
def test_every_password_refused_is_an_auth_failure_counted_by_the_breaker_not_retried() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=401)
    client = make_client(clock)
    with pytest.raises(StoreAuthFailed) as caught:
        client.filter_products("en")
    assert isinstance(caught.value, StoreUnavailable), "an outage for the customer: the snapshot answers"
    assert caught.value.variants == ("utc", "utc-1h", "utc+1h") and caught.value.status == 401
    assert client.api_calls == 3 and clock.sleeps == []   # in May Cairo-3h is the UTC hour
    assert client.status()["breaker"]["failures"] == 3
    auth = client.status()["auth"]
    assert auth["status"] == 401 and auth["variants_tried"] == ["utc", "utc-1h", "utc+1h"]
    assert "s3cret" not in repr(client.config) and "s3cret" not in str(caught.value)
    with pytest.raises(StoreAuthFailed):
        client.filter_products("en", search="again")
    assert client.api_calls == 4, "every variant was refused this hour: only the preferred one is tried again"


@responses.activate
def test_catalog_pages_through_every_page() -> None:
    clock = Clock()
    first = {"status": 200, "message": "", "data": {**PAGE["data"], "total_pages": 2, "page_size": 10, "total": 13}}
    second = {"status": 200, "message": "", "data": {**PAGE["data"], "page": 2, "total_pages": 2,
                                                     "products": PAGE["data"]["products"][:3]}}
    responses.post(f"{BASE}/filter-products", json=first,
                   match=[matchers.json_params_matcher({"page": 1, "page_size": 100})])
    responses.post(f"{BASE}/filter-products", json=second,
                   match=[matchers.json_params_matcher({"page": 2, "page_size": 100})])
    client = make_client(clock)
    loader = CatalogLoader(client, languages=("en",), clock=clock, sleep=clock.sleep)
    assert len(loader.load()["en"]) == 10, "the second page repeats three products: kept once"
    assert client.api_calls == 2
    assert loader.report.pages_total == 2 and loader.report.fetched == 2


@responses.activate
def test_own_budget_is_enforced_before_sending() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=PAGE)
    client = make_client(clock, rate=(2, 60.0), max_wait_s=5)
    client.filter_products("en", search="a")
    client.filter_products("en", search="b")
    with pytest.raises(StoreRateLimited) as caught:
        client.filter_products("en", search="c")
    assert caught.value.retry_after == pytest.approx(60)
    assert client.api_calls == 2


def _hammer(limiter: RateLimiter, threads: int = 16, tries: int = 200) -> int:
    """Let ``threads`` threads race for permits; return how many were granted."""
    granted = []
    barrier = threading.Barrier(threads)

    def worker() -> None:
        barrier.wait()
        granted.extend(1 for _ in range(tries) if limiter.try_acquire() == 0.0)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(granted)


def test_limiter_under_16_threads_never_exceeds_its_budget() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(10, 60.0, clock=clock)
    assert _hammer(limiter) == 10
    clock.now = 59.9
    assert _hammer(limiter) == 0
    clock.now = 60.0
    assert _hammer(limiter) == 10
    assert limiter.refused == 3 * 16 * 200 - 20


def test_limiter_frees_a_permit_when_the_window_slides() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(2, 60.0, clock=clock)
    assert limiter.try_acquire() == 0.0
    clock.now = 10
    assert limiter.try_acquire() == 0.0
    clock.now = 30
    assert limiter.try_acquire() == pytest.approx(30.0)
    clock.now = 60.5
    assert limiter.try_acquire() == 0.0
    assert limiter.remaining() == 0


# ---- the time budget of one call --------------------------------------------------------------


def slow_api(clock: Clock, timeouts: list) -> None:
    """Every request hangs until its read timeout passes on ``clock``, then times out."""

    def answer(request: requests.PreparedRequest):
        connect, read = request.req_kwargs["timeout"]
        timeouts.append((connect, read))
        clock.now += connect + read          # the worst an attempt can cost: connect, then read
        return requests.ReadTimeout("slow")

    responses.add_callback(responses.POST, f"{BASE}/filter-products", callback=answer)
    responses.add_callback(responses.GET, re.compile(rf"{re.escape(BASE)}/product(-details)?/\d+"), callback=answer)


@responses.activate
def test_a_call_never_spends_more_than_its_budget_whatever_the_timeout_and_retries() -> None:
    clock, timeouts = Clock(), []
    slow_api(clock, timeouts)
    client = make_client(clock, timeout_s=5.0, retries=3, budget_s=4.0)
    started = clock.now
    with pytest.raises(StoreUnavailable):
        client.filter_products("en")
    assert clock.now - started == pytest.approx(sum(clock.sleeps) + sum(c + r for c, r in timeouts))
    assert clock.now - started <= 4.0
    assert timeouts[0] == (1.0, 3.0), "connect and read add up to the budget, not to STORE_TIMEOUT_S"


@responses.activate
def test_attempts_are_capped_at_what_is_left_and_stop_when_a_wait_would_pass_the_deadline() -> None:
    clock, timeouts = Clock(), []

    def answer(request: requests.PreparedRequest):
        timeouts.append(request.req_kwargs["timeout"])
        clock.now += min(1.0, sum(request.req_kwargs["timeout"]))    # a failure takes a second
        return 503, {}, "{}"

    responses.add_callback(responses.POST, f"{BASE}/filter-products", callback=answer)
    client = make_client(clock, timeout_s=5.0, retries=5, backoff_initial_s=0.5, budget_s=4.0)
    with pytest.raises(StoreUnavailable):
        client.filter_products("en")
    # 1 s fail, 0.5 s wait, 1 s fail (1.5 s left: a 1 s wait and a 0.5 s attempt just fit), 1 s wait,
    # then 0.5 s left: the attempt gets exactly that and the 2 s backoff would pass the deadline.
    assert clock.sleeps == [0.5, 1.0]
    assert [c + r for c, r in timeouts] == pytest.approx([4.0, 2.5, 0.5])
    assert client.api_calls == 3 and clock.now - NOW == pytest.approx(4.0)


@responses.activate
def test_a_retry_after_that_does_not_fit_in_the_budget_is_not_waited_for() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=429, headers={"Retry-After": "5"})
    client = make_client(clock, max_wait_s=10.0, budget_s=4.0)
    with pytest.raises(StoreRateLimited):
        client.filter_products("en")
    assert clock.sleeps == [] and client.api_calls == 1


@responses.activate
def test_no_backoff_after_the_failure_that_opened_the_breaker() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=500)
    client = make_client(clock, retries=3, fail_max=2, backoff_initial_s=0.5)
    with pytest.raises(StoreUnavailable):
        client.filter_products("en")
    assert client.status()["breaker"]["state"] == "open"
    assert clock.sleeps == [0.5], "one backoff between the two failures, none after the one that opened it"
    assert client.api_calls == 2


@responses.activate
def test_calls_inside_one_budget_share_its_deadline_and_other_threads_have_their_own() -> None:
    clock, timeouts = Clock(), []
    slow_api(clock, timeouts)
    client = make_client(clock, retries=0, budget_s=4.0)
    with client.budget():
        with pytest.raises(StoreUnavailable):
            client.filter_products("en", search="first")        # spends the whole budget
        other: list[BaseException] = []
        thread = threading.Thread(target=lambda: other.append(_failure(client)))
        thread.start()
        thread.join()
        with pytest.raises(OutOfTime):
            client.product_details(7)                           # nothing left: not even sent
    assert isinstance(other[0], StoreUnavailable) and not isinstance(other[0], OutOfTime)
    assert len(timeouts) == 2 and client.api_calls == 2
    assert client.status()["breaker"]["failures"] == 2, "running out of time is not the store's failure"
    with pytest.raises(StoreUnavailable):
        client.filter_products("en", search="after")             # a new call, a new budget
    assert len(timeouts) == 3


def _failure(client: BwwClient) -> BaseException:
    try:
        client.filter_products("en", search="another thread")
    except StoreError as error:
        return error
    raise AssertionError("the slow API answered")


def test_min_attempt_is_half_a_second() -> None:
    assert MIN_ATTEMPT_S == 0.5
