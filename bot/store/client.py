"""The BWW Store REST API client: the one place in ``bot.store`` that speaks HTTP.

Every call goes through the same layers, outermost first::

    cache (cachetools TTL, per kind)  ->  retries (tenacity)  ->  breaker check  ->  rate limit
        ->  pybreaker  ->  requests.Session with a timeout  ->  errors translated here, once

- Cache hits never spend the rate limit and never touch the breaker.
- tenacity retries timeouts, connection errors, 5xx and 429 (waiting at least its Retry-After),
  with exponential backoff and jitter; never a 4xx, never once the breaker is open.
- Every logical call has a time budget (``budget_s``, default 4 s) on the injected clock: an
  attempt's connect and read timeouts add up to at most what is left, no attempt starts with less
  than :data:`MIN_ATTEMPT_S` left, and no retry is made whose wait (a backoff or a Retry-After) and
  minimal attempt would pass the deadline. :meth:`BwwClient.budget` opens one deadline for several
  calls (the two catalogs of a load, a product's details and its fallback path); nested calls
  share it. So a customer never waits on the API for more than ``budget_s`` plus one minimal
  attempt, whatever ``timeout_s`` and ``retries`` say.
- The breaker counts transport failures, 5xx and garbage answers only (``StoreUnavailable``);
  "not found" and other 4xx are business answers and leave it alone. It half-opens after
  ``reset_s`` seconds of the injected clock.
- No ``requests`` exception leaves this module: they become :mod:`bot.errors` store errors.

pybreaker holds its lock during a guarded call, so HTTP calls of one process are serialised;
with a 60/minute budget and a snapshot that serves searches locally this costs nothing in
practice, and it makes the half-open trial truly a single call. Caches are per process.

:mod:`bot.metrics` sees every call (by endpoint and outcome, short-circuits included), every
cache hit and miss, and the breaker's state changes and failures (through a pybreaker listener).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

import cachetools
import pybreaker
import requests
import tenacity

from bot import metrics
from bot.errors import CircuitOpen, ProductNotFound, StoreError, StoreRateLimited, StoreUnavailable
from bot.store.limiter import RateLimiter
from bot.store.shared import RedisCache, RedisRateLimiter
from bot.store.password import Password

__all__ = ["BwwClient", "ClientConfig", "ClockedBreakerStorage", "MIN_ATTEMPT_S", "OutOfTime"]

log = logging.getLogger(__name__)
_REFUSED = object()          # the API refused the password (401/403)
_MAX_PAGES = 500
MIN_ATTEMPT_S = 0.5          # the shortest attempt worth making: less left and the call gives up
_CONNECT_S = 1.0             # longest connect timeout; at most a quarter of an attempt's time


@dataclass(frozen=True)
class ClientConfig:
    """Tuning of :class:`BwwClient`; the defaults follow DESIGN.md."""

    base_url: str
    secret: str = field(default="", repr=False)
    timeout_s: float = 5.0
    retries: int = 3
    budget_s: float = 4.0             # one logical call, retries and waits included
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    jitter_s: float = 0.5
    max_wait_s: float = 10.0          # longest Retry-After (or budget wait) worth waiting for
    fail_max: int = 5
    reset_s: float = 60.0
    rate: tuple[int, float] = (60, 60.0)
    page_size: int = 100
    ttl_search_s: float = 120.0
    ttl_details_s: float = 600.0
    ttl_catalog_s: float = 3600.0
    cache_size: int = 512


class ClockedBreakerStorage(pybreaker.CircuitMemoryStorage):
    """pybreaker memory storage whose "opened at" follows an injected clock.

    pybreaker compares ``datetime.now()`` with ``opened_at + reset_timeout``; reporting
    ``opened_at`` as "now minus the seconds the injected clock has moved since opening" makes that
    comparison follow the injected clock, so tests half-open the breaker without sleeping.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(pybreaker.STATE_CLOSED)
        self._clock = clock
        self._opened_clock: float | None = None

    @property
    def opened_at(self) -> datetime | None:
        if self._opened_clock is None:
            return None
        return datetime.now(timezone.utc) - timedelta(seconds=self.seconds_open())

    @opened_at.setter
    def opened_at(self, value: datetime) -> None:
        self._opened_clock = self._clock()

    def seconds_open(self) -> float:
        """Seconds of the injected clock since the breaker last opened (0 if it never did)."""
        return 0.0 if self._opened_clock is None else self._clock() - self._opened_clock


class _BackoffOrRetryAfter(tenacity.wait.wait_base):
    """Exponential backoff with jitter, but never shorter than the error's ``retry_after``."""

    def __init__(self, backoff: tenacity.wait.wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        delay = self.backoff(retry_state)
        error = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        return max(delay, retry_after) if retry_after else delay


class _BreakerMetrics(pybreaker.CircuitBreakerListener):
    """Reports the breaker's state and failures to :mod:`bot.metrics`."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        metrics.breaker_state(new_state.name)
        log.warning("store API breaker %s -> %s", getattr(old_state, "name", old_state), new_state.name)

    def failure(self, cb: pybreaker.CircuitBreaker, exc: BaseException) -> None:
        metrics.breaker_failure()


class BwwClient:
    """Cached, rate-limited, breaker-guarded, retrying access to the BWW Store API; thread-safe."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        shared: Any = None,
        shared_prefix: str = "dukkan:",
    ) -> None:
        """``shared`` (a Redis client) moves the rate limit and the caches to Redis for every host."""
        self.config = config
        self._shared = shared
        self._shared_prefix = shared_prefix + "store:"
        self._base = config.base_url.rstrip("/")
        self._session = session or requests.Session()
        self._clock = clock
        self._password = Password(config.secret, clock)
        self._limiter = (
            RedisRateLimiter(shared, *config.rate, key=self._shared_prefix + "rate", clock=clock)
            if shared is not None
            else RateLimiter(*config.rate, clock=clock)
        )
        self._storage = ClockedBreakerStorage(clock)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=config.fail_max,
            reset_timeout=config.reset_s,
            exclude=[lambda error: not isinstance(error, StoreUnavailable)],
            state_storage=self._storage,
            throw_new_error_on_trip=False,
            listeners=[_BreakerMetrics()],
            name="bww",
        )
        metrics.breaker_state(self._breaker.current_state)
        self._retrying = tenacity.Retrying(
            stop=self._should_stop,
            wait=_BackoffOrRetryAfter(
                tenacity.wait_exponential_jitter(
                    multiplier=config.backoff_initial_s, max=config.backoff_max_s, jitter=config.jitter_s
                )
            ),
            retry=tenacity.retry_if_exception(self._is_transient),
            before_sleep=self._count_retry,
            sleep=sleep,
            reraise=True,
        )
        self._counter_lock = threading.Lock()
        self.api_calls = 0
        self.retries = 0
        self._missed = threading.local()
        self._scope = threading.local()       # this thread's deadline, while a call is running
        self._caches = self._build_caches()

    # ---- public reads -------------------------------------------------------------------------

    def filter_products(self, language: str = "ar", page: int = 1, page_size: int = 10, **filters: Any) -> dict:
        """One page of ``POST /filter-products`` (the envelope's ``data``); cached short."""
        body = tuple(sorted((key, _hashable(value)) for key, value in filters.items() if value not in (None, "", [])))
        return self._read("search", language, page, page_size, body)

    def catalog(self, language: str = "ar") -> list[dict]:
        """Every product of the store in ``language``, paging through /filter-products; cached long."""
        return self._read("catalog", language)

    def product_details(self, product_id: int, language: str = "ar") -> dict:
        """One product from /product-details/{id}, else /product/{id}; cached medium.

        Raises:
            ProductNotFound: neither path knows the id.
            StoreUnavailable / CircuitOpen / StoreRateLimited: the API cannot answer now.
        """
        return self._read("details", int(product_id), language)

    @contextmanager
    def budget(self) -> Iterator[None]:
        """Share one deadline (``budget_s`` from now) between every call made inside the block.

        Nested blocks and calls reuse the outer deadline; the deadline is per thread.
        """
        if getattr(self._scope, "deadline", None) is not None:
            yield
            return
        self._scope.deadline = self._clock() + self.config.budget_s
        try:
            yield
        finally:
            self._scope.deadline = None

    def _left(self) -> float:
        """Seconds left before this thread's deadline (the whole budget outside a call)."""
        deadline = getattr(self._scope, "deadline", None)
        return self.config.budget_s if deadline is None else deadline - self._clock()

    def status(self) -> dict[str, Any]:
        """Counters for the console: caches, limiter, breaker, API calls, retries."""
        caches = {kind: cached.cache_info()._asdict() for kind, cached in self._caches.items()}
        state = self._breaker.current_state
        return {
            "api_calls": self.api_calls,
            "retries": self.retries,
            "caches": caches,
            "limiter": self._limiter.status(),
            "breaker": {
                "state": state,
                "failures": self._breaker.fail_counter,
                "fail_max": self.config.fail_max,
                "reopens_in_s": max(0.0, self.config.reset_s - self._storage.seconds_open()) if state == "open" else 0.0,
            },
            "password_variant": self._password.variant,
        }

    # ---- caches -------------------------------------------------------------------------------

    def _read(self, kind: str, *key: Any) -> Any:
        """Read through cache ``kind``, counting a hit or a miss (the fetch marks the miss)."""
        self._missed.value = False
        try:
            # Both details paths share one deadline; a catalog's pages get one each (a whole
            # catalog may need many calls, and it is loaded off any customer's turn).
            with self.budget() if kind != "catalog" else contextlib.nullcontext():
                return self._caches[kind](*key)
        finally:
            metrics.cache_lookup(kind, hit=not self._missed.value)

    def _fetching(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def fetch(*key: Any) -> Any:
            self._missed.value = True
            return function(*key)

        return fetch

    def _build_caches(self) -> dict[str, Any]:
        config = self.config
        plan = {
            "search": (self._fetch_page, config.ttl_search_s, config.cache_size),
            "details": (self._fetch_details, config.ttl_details_s, config.cache_size),
            "catalog": (self._fetch_catalog, config.ttl_catalog_s, 4),
        }
        caches = {}
        for kind, (function, ttl, size) in plan.items():
            lock = threading.RLock()
            cache = (
                RedisCache(self._shared, f"{self._shared_prefix}{kind}:", ttl, maxsize=size, clock=self._clock)
                if self._shared is not None
                else cachetools.TTLCache(maxsize=size, ttl=ttl, timer=self._clock)
            )
            decorate = cachetools.cached(cache, lock=lock, condition=threading.Condition(lock), info=True)
            caches[kind] = decorate(self._fetching(function))
        return caches

    # ---- fetches (what the caches call) -------------------------------------------------------

    def _fetch_page(self, language: str, page: int, page_size: int, body: tuple) -> dict:
        payload = {key: list(value) if isinstance(value, tuple) else value for key, value in body}
        payload.update(page=page, page_size=page_size)
        data = self._call("POST", "/filter-products", language, payload)
        if not isinstance(data, dict) or not isinstance(data.get("products"), list):
            raise StoreUnavailable("the /filter-products answer has no product list")
        return data

    def _fetch_catalog(self, language: str) -> list[dict]:
        products: list[dict] = []
        page, pages = 1, 1
        while page <= min(pages, _MAX_PAGES):
            data = self._fetch_page(language, page, self.config.page_size, ())
            products.extend(item for item in data["products"] if isinstance(item, dict) and "id" in item)
            pages = int(data.get("total_pages") or 1)
            if not data["products"]:
                break
            page += 1
        return products

    def _fetch_details(self, product_id: int, language: str) -> dict:
        try:
            data = self._call("GET", f"/product-details/{product_id}", language, None, product_id)
        except (ProductNotFound, _ClientError):
            data = self._call("GET", f"/product/{product_id}", language, None, product_id)
        product = data.get("product") if isinstance(data, dict) and isinstance(data.get("product"), dict) else data
        if not isinstance(product, dict) or "id" not in product:
            raise StoreUnavailable(f"the details answer for product {product_id} holds no product")
        return product

    # ---- one logical call: retries, password variants, breaker, limiter ------------------------

    def _call(self, method: str, path: str, language: str, body: dict | None, product_id: int | None = None) -> Any:
        with self.budget():
            return self._retrying(self._attempt, method, path, language, body, product_id)

    def _attempt(self, method: str, path: str, language: str, body: dict | None, product_id: int | None) -> Any:
        for variant, password in self._password.candidates():
            data = self._guarded(method, path, language, body, product_id, password)
            if data is not _REFUSED:
                self._password.remember(variant)
                return data
            log.warning("store API refused the %s password variant", variant)
        raise StoreError("the store API refused every password variant (check STORE_API_KEY)")

    def _guarded(self, method: str, path: str, language: str, body: dict | None, product_id: int | None, password: str) -> Any:
        if self._breaker.current_state == pybreaker.STATE_OPEN and self._storage.seconds_open() < self.config.reset_s:
            metrics.store_request(_endpoint(path), "breaker_open")
            raise CircuitOpen("the store API breaker is open")
        if self._left() < MIN_ATTEMPT_S:
            metrics.store_request(_endpoint(path), "out_of_time")
            raise OutOfTime(f"no time left for {path} in this call's {self.config.budget_s:g} s budget")
        wait = self._limiter.try_acquire()
        if wait:
            metrics.store_request(_endpoint(path), "budget_spent")
            raise StoreRateLimited("our store API budget is spent for now", retry_after=wait)
        try:
            return self._breaker.call(self._timed_exchange, method, path, language, body, product_id, password)
        except pybreaker.CircuitBreakerError as error:
            metrics.store_request(_endpoint(path), "breaker_open")
            raise CircuitOpen("the store API breaker is open") from error

    def _timed_exchange(self, method: str, path: str, *args: Any) -> Any:
        """:meth:`_exchange`, timed and counted by its outcome."""
        started = time.perf_counter()
        outcome = "error"
        try:
            data = self._exchange(method, path, *args)
            outcome = "refused" if data is _REFUSED else "ok"
            return data
        except StoreError as error:
            outcome = _outcome(error)
            raise
        finally:
            metrics.store_request(_endpoint(path), outcome, time.perf_counter() - started)

    def _exchange(self, method: str, path: str, language: str, body: dict | None, product_id: int | None, password: str) -> Any:
        """Send one request and unwrap its envelope; the single translation boundary."""
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Accept-Language": language,
            "X-API-PASSWORD": password,
        }
        with self._counter_lock:
            self.api_calls += 1
        timeout = self._attempt_timeouts()
        try:
            response = self._session.request(method, self._base + path, json=body, headers=headers, timeout=timeout)
        except requests.Timeout as error:
            raise StoreUnavailable(f"the store API timed out on {path}") from error
        except requests.RequestException as error:
            raise StoreUnavailable(f"the store API is unreachable ({type(error).__name__})") from error
        return _unwrap(response, path, product_id)

    def _attempt_timeouts(self) -> tuple[float, float]:
        """(connect, read) timeouts adding up to what is left of the budget, at most ``timeout_s``.

        Waiting for another thread's call (pybreaker's lock) may have eaten into the budget since
        :meth:`_guarded` checked it: the attempt still gets :data:`MIN_ATTEMPT_S`.
        """
        allowed = min(self.config.timeout_s, max(self._left(), MIN_ATTEMPT_S))
        connect = min(_CONNECT_S, allowed / 4)
        return connect, allowed - connect

    # ---- tenacity hooks -----------------------------------------------------------------------

    def _should_stop(self, retry_state: tenacity.RetryCallState) -> bool:
        """Stop after ``retries``, or when the wait and a minimal attempt would pass the deadline.

        tenacity's own ``stop_after_delay`` reads the real monotonic clock; this reads the
        injected one (tenacity computes ``upcoming_sleep`` before it asks whether to stop).
        """
        if retry_state.attempt_number > self.config.retries:
            return True
        return retry_state.upcoming_sleep + MIN_ATTEMPT_S > self._left()

    def _is_transient(self, error: BaseException) -> bool:
        if isinstance(error, (CircuitOpen, OutOfTime)) or self._breaker.current_state == pybreaker.STATE_OPEN:
            return False          # the next attempt would be refused: sleeping before it is waste
        if isinstance(error, StoreRateLimited):
            return error.retry_after is None or error.retry_after <= self.config.max_wait_s
        return isinstance(error, StoreUnavailable)

    def _count_retry(self, retry_state: tenacity.RetryCallState) -> None:
        with self._counter_lock:
            self.retries += 1


class OutOfTime(StoreUnavailable):
    """The call's time budget is spent before an attempt could start; never sent, never retried."""


class _ClientError(StoreError):
    """A 4xx other than 404/401/403/429: our request was wrong; never retried."""


def _unwrap(response: requests.Response, path: str, product_id: int | None) -> Any:
    """Turn one HTTP answer into the envelope's ``data``, or a project error."""
    status = response.status_code
    if status in (401, 403):
        return _REFUSED
    if status == 429:
        raise StoreRateLimited("the store API rate limit was hit", retry_after=_retry_after(response))
    if status >= 500:
        raise StoreUnavailable(f"the store API answered {status} on {path}")
    if status == 404:
        raise ProductNotFound(product_id if product_id is not None else path)
    if status != 200:
        raise _ClientError(f"the store API answered {status} on {path}")
    try:
        envelope = response.json()
    except ValueError as error:
        raise StoreUnavailable(f"the store API answer on {path} is not JSON") from error
    if not isinstance(envelope, dict) or "data" not in envelope:
        raise StoreUnavailable(f"the store API answer on {path} is not the {{status, message, data}} envelope")
    inner = envelope.get("status")
    if inner == 404 or (envelope["data"] is None and product_id is not None):
        raise ProductNotFound(product_id if product_id is not None else path)
    if isinstance(inner, int) and inner >= 500:
        raise StoreUnavailable(f"the store API envelope says {inner} on {path}")
    return envelope["data"]


def _endpoint(path: str) -> str:
    """The metric label of an API path: ``/product-details/53`` -> ``product-details``."""
    return path.strip("/").split("/", 1)[0] or "root"


def _outcome(error: StoreError) -> str:
    """The metric outcome of a failed exchange."""
    if isinstance(error, ProductNotFound):
        return "not_found"
    if isinstance(error, StoreRateLimited):
        return "rate_limited"
    if isinstance(error, _ClientError):
        return "client_error"
    if isinstance(error, StoreUnavailable):
        cause = error.__cause__
        if isinstance(cause, requests.Timeout):
            return "timeout"
        if isinstance(cause, requests.RequestException):
            return "unreachable"
        return "bad_answer" if isinstance(cause, ValueError) else "server_error"
    return "error"


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (the delta form; an HTTP date is ignored)."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple, set)) else value
