"""The BWW Store REST API client: the one place in ``bot.store`` that speaks HTTP.

Every call goes through the same layers, outermost first::

    cache (per kind)  ->  retries (tenacity)  ->  password variants  ->  breaker check
        ->  remembered Retry-After  ->  rate limit  ->  pybreaker  ->  requests with a timeout
        ->  the envelope read once (bot.store.envelope)

- Cache hits never spend the rate limit and never touch the breaker. Caches are per process,
  per host (the shared SQLite file) or per cluster (Redis), as the limiter is
  (:mod:`bot.store.sharing`).
- tenacity retries timeouts, connection errors, 5xx and 429 (waiting at least its Retry-After),
  with exponential backoff and jitter; never a 4xx or a refused password, never once the breaker
  is open.
- Every live call has a time budget (``budget_s``, default 4 s) on the injected clock: an
  attempt's connect and read timeouts add up to at most what is left, no attempt starts with less
  than :data:`MIN_ATTEMPT_S` left, and no retry is made whose wait and minimal attempt would pass
  the deadline. :meth:`BwwClient.budget` opens one deadline for several calls; nested calls share it.
- Catalog pages (:meth:`BwwClient.catalog_page`) are background calls, made off any customer's
  turn: each attempt has ``page_budget_s``; they leave ``reserve`` permits of every window to live
  calls, and wait (tenacity, the injected sleep) for a permit or a Retry-After of up to
  ``background_wait_s`` instead of failing.
- A 429's Retry-After is remembered (shared): until it passes no call is sent; live calls fail at
  once (the snapshot answers), background calls wait.
- The breaker counts transport failures, 5xx, garbage answers, envelope errors and refused
  passwords (``StoreUnavailable``); "not found" and other 4xx leave it alone. It half-opens after
  ``reset_s`` seconds of the injected clock, and is per process.
- A refused password (401/403, in HTTP or the envelope) tries the other variants once an hour;
  after that only the preferred one, so a lasting refusal costs one call a message until the
  breaker opens, and one call per breaker window after. The failure shows in :meth:`status`
  (:mod:`bot.store.auth_watch`).
- No ``requests`` exception leaves this module: they become :mod:`bot.errors` store errors.

pybreaker holds its lock during a guarded call, so HTTP calls of one process are serialised,
which makes the half-open trial truly a single call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import cachetools
import pybreaker
import requests
import tenacity

from bot import metrics
from bot.errors import (
    CircuitOpen,
    ProductNotFound,
    StoreAuthFailed,
    StoreError,
    StoreRateLimited,
    StoreUnavailable,
)
from bot.store.auth_watch import AuthWatch
from bot.store.breaker import BreakerMetrics, ClockedBreakerStorage
from bot.store.envelope import ClientError, Refused, unwrap
from bot.store.password import Password
from bot.store.shared import RedisCache
from bot.store.sharing import MapCache, Sharing, open_sharing

__all__ = ["BwwClient", "ClientConfig", "ClockedBreakerStorage", "MIN_ATTEMPT_S", "OutOfTime"]

MIN_ATTEMPT_S = 0.5          # the shortest attempt worth making: less left and the call gives up
_CONNECT_S = 1.0             # longest connect timeout; at most a quarter of an attempt's time


@dataclass(frozen=True)
class ClientConfig:
    """Tuning of :class:`BwwClient`; the defaults follow DESIGN.md."""

    base_url: str
    secret: str = field(default="", repr=False)
    timeout_s: float = 5.0
    retries: int = 3
    budget_s: float = 4.0             # one live call, retries and waits included
    page_budget_s: float = 20.0       # one background catalog page, retries included
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    jitter_s: float = 0.5
    max_wait_s: float = 10.0          # longest Retry-After (or budget wait) worth waiting for in a live call
    background_wait_s: float = 900.0  # longest a catalog page waits for a permit or a Retry-After
    reserve_share: float = 0.25       # of every window's permits, kept from catalog loads for live calls
    fail_max: int = 5
    reset_s: float = 60.0
    rate: tuple[int, float] = (60, 60.0)
    page_size: int = 100
    ttl_search_s: float = 120.0
    ttl_details_s: float = 600.0
    ttl_catalog_s: float = 3600.0
    cache_size: int = 512

    @property
    def reserve(self) -> int:
        """Permits of every window a catalog load leaves to live calls (at least one, when there are two)."""
        calls = self.rate[0]
        return min(max(round(calls * self.reserve_share), 1), calls - 1) if calls > 1 else 0


class _BackoffOrRetryAfter(tenacity.wait.wait_base):
    """Exponential backoff with jitter, but never shorter than the error's ``retry_after``."""

    def __init__(self, backoff: tenacity.wait.wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        delay = self.backoff(retry_state)
        error = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        return max(delay, retry_after) if retry_after else delay


def _wait_retry_after(retry_state: tenacity.RetryCallState) -> float:
    """tenacity wait: the ``retry_after`` of the error (a permit freeing up, the API's Retry-After)."""
    error = retry_state.outcome.exception() if retry_state.outcome else None
    return float(getattr(error, "retry_after", None) or 1.0)


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
        shared_dir: str | None = None,
        sharing: Sharing | None = None,
    ) -> None:
        """``shared`` (a Redis client) shares the rate limit, caches and state between hosts;
        else ``shared_dir`` shares them between the processes of this host (a SQLite file there);
        else they are this process's. ``sharing`` gives them ready-made (tests)."""
        self.config = config
        self._prefix = shared_prefix + "store:"
        self.sharing = sharing or open_sharing(config.rate, clock=clock, directory=shared_dir,
                                               redis_client=shared, prefix=self._prefix)
        self.state = self.sharing.state
        self._limiter = self.sharing.limiter
        self._base = config.base_url.rstrip("/")
        self._session = session or requests.Session()
        self._clock = clock
        self._sleep = sleep
        self.auth = AuthWatch(Password(config.secret, clock), self.state, clock)
        self._storage = ClockedBreakerStorage(clock)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=config.fail_max,
            reset_timeout=config.reset_s,
            exclude=[lambda error: not isinstance(error, StoreUnavailable)],
            state_storage=self._storage,
            throw_new_error_on_trip=False,
            listeners=[BreakerMetrics()],
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
        self.waits = 0                        # background waits for a permit or a Retry-After
        self.waited_s = 0.0
        self._missed = threading.local()
        self._scope = threading.local()       # this thread's deadline and priority, while a call runs
        self._caches = self._build_caches()

    # ---- public reads -------------------------------------------------------------------------

    def filter_products(self, language: str = "ar", page: int = 1, page_size: int = 10, **filters: Any) -> dict:
        """One page of ``POST /filter-products`` (the envelope's ``data``), a live call; cached short."""
        body = tuple(sorted((key, _hashable(value)) for key, value in filters.items() if value not in (None, "", [])))
        return self._read("search", language, page, page_size, body)

    def catalog_page(self, language: str, page: int, page_size: int | None = None) -> dict:
        """One page of the whole catalog, a background call (not cached here: the loader keeps pages).

        Waits for a permit (leaving :attr:`ClientConfig.reserve` to live calls) or a remembered
        Retry-After of up to ``background_wait_s``, with the injected sleep.
        """
        size = page_size or self.config.page_size

        def once() -> dict:
            with self.background(), self.budget(self.config.page_budget_s):
                return self._fetch_page(language, page, size, ())

        started, outer = self._clock(), getattr(self._scope, "deadline", None)

        def give_up(state: tenacity.RetryCallState) -> bool:
            """Waited long enough; or a customer's budget holds this thread and the wait would pass it."""
            ready_at = self._clock() + state.upcoming_sleep
            if outer is not None and ready_at + MIN_ATTEMPT_S > outer:
                return True
            return ready_at - started > self.config.background_wait_s

        patience = tenacity.Retrying(
            stop=give_up,
            wait=_wait_retry_after,
            retry=tenacity.retry_if_exception(self._worth_waiting),
            before_sleep=self._count_wait,
            sleep=self._sleep,
            reraise=True,
        )
        return patience(once)

    def product_details(self, product_id: int, language: str = "ar") -> dict:
        """One product from /product-details/{id}, else /product/{id}, in ``language``; cached
        medium, per language.

        Raises:
            ProductNotFound: neither path knows the id.
            StoreUnavailable / CircuitOpen / StoreAuthFailed / StoreRateLimited: the API cannot answer now.
        """
        return self._read("details", int(product_id), language)

    @contextmanager
    def budget(self, seconds: float | None = None) -> Iterator[None]:
        """Share one deadline (``seconds``, default ``budget_s``, from now) between every call made
        inside the block. Nested blocks and calls reuse the outer deadline; it is per thread."""
        if getattr(self._scope, "deadline", None) is not None:
            yield
            return
        self._scope.deadline = self._clock() + (self.config.budget_s if seconds is None else seconds)
        try:
            yield
        finally:
            self._scope.deadline = None

    @contextmanager
    def background(self) -> Iterator[None]:
        """Calls made inside the block are background calls: they leave the reserve to live ones."""
        previous = getattr(self._scope, "background", False)
        self._scope.background = True
        try:
            yield
        finally:
            self._scope.background = previous

    def retry_in(self) -> float:
        """Seconds before a call could be sent: the breaker's reopening, a remembered Retry-After."""
        breaker = 0.0
        if self._breaker.current_state == pybreaker.STATE_OPEN:
            breaker = max(0.0, self.config.reset_s - self._storage.seconds_open())
        return max(breaker, self._blocked_for())

    def status(self) -> dict[str, Any]:
        """Counters for the console: caches, the (shared) limiter, breaker, password, Retry-After."""
        caches = {kind: cached.cache_info()._asdict() for kind, cached in self._caches.items()}
        state = self._breaker.current_state
        return {
            "api_calls": self.api_calls,
            "retries": self.retries,
            "background_waits": self.waits,
            "background_waited_s": round(self.waited_s, 1),
            "caches": caches,
            "limiter": {**self._limiter.status(), "reserved_for_live": self.config.reserve},
            "breaker": {
                "state": state,
                "failures": self._breaker.fail_counter,
                "fail_max": self.config.fail_max,
                "reopens_in_s": (max(0.0, self.config.reset_s - self._storage.seconds_open())
                                 if state == "open" else 0.0),
            },
            "password_variant": self.auth.password.variant,
            "auth": self.auth.status(),
            "retry_after_s": round(self._blocked_for(), 1),
            "shared": self.sharing.scope,
        }

    # ---- caches -------------------------------------------------------------------------------

    def _left(self) -> float:
        """Seconds left before this thread's deadline (the whole budget outside a call)."""
        deadline = getattr(self._scope, "deadline", None)
        return self.config.budget_s if deadline is None else deadline - self._clock()

    def _read(self, kind: str, *key: Any) -> Any:
        """Read through cache ``kind``, counting a hit or a miss (the fetch marks the miss)."""
        self._missed.value = False
        try:
            with self.budget():
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
        plan: dict[str, tuple[Callable[..., Any], float, int]] = {
            "search": (self._fetch_page, config.ttl_search_s, config.cache_size),
            "details": (self._fetch_details, config.ttl_details_s, config.cache_size),
        }
        caches = {}
        for kind, (function, ttl, size) in plan.items():
            lock = threading.RLock()
            if self.sharing.scope == "hosts":
                cache: Any = RedisCache(self.sharing.redis, f"{self._prefix}{kind}:", ttl, maxsize=size,
                                        clock=self._clock)
            elif self.sharing.scope == "host":
                cache = MapCache(self.state, f"cache:{kind}:", ttl, maxsize=size)
            else:
                cache = cachetools.TTLCache(maxsize=size, ttl=ttl, timer=self._clock)
            decorate = cachetools.cached(cache, lock=lock, condition=threading.Condition(lock), info=True)
            caches[kind] = decorate(self._fetching(function))
        return caches

    # ---- fetches (what the caches call) -------------------------------------------------------

    def _fetch_page(self, language: str, page: int, page_size: int, body: tuple) -> dict:
        payload = {key: list(value) if isinstance(value, tuple) else value for key, value in body}
        payload.update(page=page, page_size=page_size)
        data = self._call("POST", "/filter-products", language, payload)
        if isinstance(data, list):                     # the products without the pagination around them
            data = {"products": data}
        if not isinstance(data, dict) or not isinstance(data.get("products"), list):
            raise StoreUnavailable("the /filter-products answer has no product list")
        return data

    def _fetch_details(self, product_id: int, language: str) -> dict:
        try:
            data = self._call("GET", f"/product-details/{product_id}", language, None, product_id)
        except (ProductNotFound, ClientError):
            data = self._call("GET", f"/product/{product_id}", language, None, product_id)
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        product = data.get("product") if isinstance(data, dict) and isinstance(data.get("product"), dict) else data
        if not isinstance(product, dict) or "id" not in product:
            raise StoreUnavailable(f"the details answer for product {product_id} holds no product")
        return product

    # ---- one logical call: retries, password variants, breaker, limiter ------------------------

    def _call(self, method: str, path: str, language: str, body: dict | None, product_id: int | None = None) -> Any:
        with self.budget():
            return self._retrying(self._attempt, method, path, language, body, product_id)

    def _attempt(self, method: str, path: str, language: str, body: dict | None, product_id: int | None) -> Any:
        """One try, with the password variants worth trying; a refused password is an auth failure."""
        pairs = self.auth.candidates()
        everything = len(pairs) > 1 or len(self.auth.password.candidates()) == 1
        tried: list[str] = []
        refusal: Refused | None = None
        index = 0
        while index < len(pairs):
            variant, password = pairs[index]
            index += 1
            tried.append(variant)
            try:
                data = self._guarded(method, path, language, body, product_id, password)
            except Refused as error:
                refusal = error
                if everything and self.auth.password.saw_server_time(error.server_now):
                    pairs += [pair for pair in self.auth.password.candidates() if pair[0] == "server-clock"]
                continue
            self.auth.accepted(variant)
            return data
        assert refusal is not None
        offset = None if refusal.server_now is None else refusal.server_now - self._clock()
        failure = self.auth.refused(refusal.status, tried, everything, offset)
        raise StoreAuthFailed(
            f"the store API refused the password ({refusal.status}) with the {', '.join(tried)} variant(s) "
            f"for hour {failure['hour']} UTC (check STORE_API_KEY and the clocks)",
            status=refusal.status, variants=tuple(tried),
        )

    def _guarded(self, method: str, path: str, language: str, body: dict | None, product_id: int | None,
                 password: str) -> Any:
        endpoint = _endpoint(path)
        if self._breaker.current_state == pybreaker.STATE_OPEN and self._storage.seconds_open() < self.config.reset_s:
            metrics.store_request(endpoint, "breaker_open")
            raise CircuitOpen("the store API breaker is open")
        if self._left() < MIN_ATTEMPT_S:
            metrics.store_request(endpoint, "out_of_time")
            raise OutOfTime(f"no time left for {path} in this call's budget")
        blocked = self._blocked_for()
        if blocked > 0:
            metrics.store_request(endpoint, "retry_after")
            raise StoreRateLimited("the store API asked us to wait (Retry-After)", retry_after=blocked)
        reserve = self.config.reserve if getattr(self._scope, "background", False) else 0
        wait = self._limiter.try_acquire(reserve)
        if wait:
            metrics.store_request(endpoint, "budget_spent")
            raise OwnBudgetSpent("our store API budget is spent for now", retry_after=wait)
        try:
            return self._breaker.call(self._timed_exchange, method, path, language, body, product_id, password)
        except pybreaker.CircuitBreakerError as error:
            metrics.store_request(endpoint, "breaker_open")
            raise CircuitOpen("the store API breaker is open") from error

    def _timed_exchange(self, method: str, path: str, *args: Any) -> Any:
        """:meth:`_exchange`, timed and counted by its outcome."""
        started = time.perf_counter()
        outcome = "error"
        try:
            data = self._exchange(method, path, *args)
            outcome = "ok"
            return data
        except StoreError as error:
            outcome = _outcome(error)
            if isinstance(error, StoreRateLimited) and error.retry_after:
                self._remember_retry_after(error.retry_after)
            raise
        finally:
            metrics.store_request(_endpoint(path), outcome, time.perf_counter() - started)

    def _exchange(self, method: str, path: str, language: str, body: dict | None, product_id: int | None,
                  password: str) -> Any:
        """Send one request and read its envelope."""
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
        return unwrap(response, path, product_id, self._clock())

    def _attempt_timeouts(self) -> tuple[float, float]:
        """(connect, read) timeouts adding up to what is left of the budget, at most ``timeout_s``.

        Waiting for another thread's call (pybreaker's lock) may have eaten into the budget since
        :meth:`_guarded` checked it: the attempt still gets :data:`MIN_ATTEMPT_S`.
        """
        allowed = min(self.config.timeout_s, max(self._left(), MIN_ATTEMPT_S))
        connect = min(_CONNECT_S, allowed / 4)
        return connect, allowed - connect

    # ---- Retry-After, remembered for every process ---------------------------------------------

    def _remember_retry_after(self, seconds: float) -> None:
        try:
            self.state.set("retry_after", self._clock() + seconds, seconds)
        except StoreError:
            return

    def _blocked_for(self) -> float:
        try:
            until = self.state.get("retry_after")
        except StoreError:
            return 0.0
        return max(0.0, float(until) - self._clock()) if isinstance(until, (int, float)) else 0.0

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
        if isinstance(error, (CircuitOpen, OutOfTime, StoreAuthFailed)):
            return False          # the next attempt would be refused: sleeping before it is waste
        if self._breaker.current_state == pybreaker.STATE_OPEN:
            return False
        if isinstance(error, StoreRateLimited):
            return error.retry_after is None or error.retry_after <= self.config.max_wait_s
        return isinstance(error, StoreUnavailable)

    def _worth_waiting(self, error: BaseException) -> bool:
        """A background call waits for a permit or a Retry-After that comes soon enough."""
        if not isinstance(error, StoreRateLimited) or error.retry_after is None:
            return False
        return error.retry_after <= self.config.background_wait_s

    def _count_retry(self, retry_state: tenacity.RetryCallState) -> None:
        with self._counter_lock:
            self.retries += 1

    def _count_wait(self, retry_state: tenacity.RetryCallState) -> None:
        with self._counter_lock:
            self.waits += 1
            self.waited_s += retry_state.upcoming_sleep


class OutOfTime(StoreUnavailable):
    """The call's time budget is spent before an attempt could start; never sent, never retried."""


class OwnBudgetSpent(StoreRateLimited):
    """Our own rate limit has no permit for this call now (``retry_after``: when one frees)."""


def _endpoint(path: str) -> str:
    """The metric label of an API path: ``/product-details/53`` -> ``product-details``."""
    return path.strip("/").split("/", 1)[0] or "root"


def _outcome(error: StoreError) -> str:
    """The metric outcome of a failed exchange."""
    if isinstance(error, ProductNotFound):
        return "not_found"
    if isinstance(error, StoreRateLimited):
        return "rate_limited"
    if isinstance(error, ClientError):
        return "client_error"
    if isinstance(error, Refused):
        return "refused"
    if isinstance(error, StoreUnavailable):
        cause = error.__cause__
        if isinstance(cause, requests.Timeout):
            return "timeout"
        if isinstance(cause, requests.RequestException):
            return "unreachable"
        return "bad_answer" if isinstance(cause, ValueError) else "server_error"
    return "error"


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple, set)) else value

