"""The store API failing every way, through the whole app: signed delivery → inbox → dialog → outbox.

The BWW backend is simulated with ``responses`` (the recorded envelope is the good answer) and
can fail as a 500, a timeout, garbage JSON, a proxy's HTML error page, a 429 with Retry-After or
an answer slower than the timeout. Whatever happens the customer gets a polite answer — from the
last good snapshot, flagged as possibly outdated, when there is one; a "try again" otherwise —
and the event is done, never a dead letter. The breaker opens after ``BREAKER_FAIL_MAX``
failures and lets one trial through after ``BREAKER_RESET_S`` seconds of the injected clock.

Time is injected: :class:`tests.store.test_client.Clock` is the store client's clock and its
sleep (every backoff is recorded, nothing waits), the breaker's clock and the TTL timer (also of
the caches in Redis), so expiring the snapshot or half-opening the breaker is a matter of moving
``clock.now``. Catalog refreshes run inline unless a test collects them. "Answered within 5 s" is
measured on that clock: with every failed attempt charged its whole connect and read timeouts (the
worst it can cost), the waits and attempts of one customer message add up to 5 s at most.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests
import responses

from bot import create_app
from bot.services import build_services
from tests.conftest import TEST_SECRET
from tests.factories import messenger_postback, messenger_text, post_signed, whatsapp_text
from tests.store.test_client import Clock
from tests.test_conversation_kit import ids_of, payloads, texts

STORE = "http://store.test"
PAGE = json.loads((Path(__file__).parent / "payloads/store/bww_filter_products_page1_en.json").read_text("utf-8"))
CATALOG = {"status": 200, "message": "Products list",
           "data": {**PAGE["data"], "total_pages": 1, "total": len(PAGE["data"]["products"])}}
SNAPSHOT_TTL_S = 3600.0       # ClientConfig.ttl_catalog_s, the snapshot's lifetime
STALE = {"ar": "ملحوظة: بعرضلك آخر نسخة", "en": "Note: I'm showing my last copy"}
DOWN = {"ar": "المتجر مش بيرد دلوقتي", "en": "The shop isn't answering right now"}
FAILURES = ("500", "timeout", "garbage_json", "proxy_html", "429_retry_after", "slow")
ANSWERED_WITHIN_S = 5.0


class FakeStore:
    """The BWW API on ``responses``: healthy or failing in one of :data:`FAILURES` ways.

    ``script`` lists the modes of the next requests (then ``mode`` applies to the rest).

    ``timeouts`` keeps the (connect, read) timeout of every request the client made, so a test
    can add up what one message may cost; ``slow`` answers after the read timeout has passed on
    the injected clock (requests would raise ReadTimeout), so it costs a whole timeout. With
    ``worst_case`` every failure costs its whole connect and read timeouts on the injected clock.
    """

    def __init__(self, mock: responses.RequestsMock, clock: Clock) -> None:
        self.mode = "ok"
        self.script: list[str] = []       # modes for the next requests, in order, before ``mode``
        self.clock = clock
        self.worst_case = False
        self.timeouts: list[tuple[float, float]] = []
        mock.add_callback(responses.POST, f"{STORE}/filter-products", callback=self.answer)
        mock.add_callback(responses.GET, re.compile(rf"{re.escape(STORE)}/product(-details)?/\d+"),
                          callback=self.details)

    def answer(self, request: requests.PreparedRequest):
        self.timeouts.append(request.req_kwargs["timeout"])
        failure = self._failure(request)
        return failure if failure is not None else (200, {}, json.dumps(CATALOG))

    def details(self, request: requests.PreparedRequest):
        self.timeouts.append(request.req_kwargs["timeout"])
        failure = self._failure(request)
        if failure is not None:
            return failure
        product_id = int(request.url.rsplit("/", 1)[1])
        product = next(p for p in PAGE["data"]["products"] if p["id"] == product_id)
        return 200, {}, json.dumps({"status": 200, "message": "", "data": product})

    def _failure(self, request: requests.PreparedRequest):
        mode = self.script.pop(0) if self.script else self.mode
        if mode == "ok":
            return None
        if self.worst_case:
            self.clock.now += sum(request.req_kwargs["timeout"])
            if mode == "slow":
                return requests.ReadTimeout("the answer took longer than the read timeout")
            return self._answer(mode, request)
        return self._answer(mode, request)

    def _answer(self, mode: str, request: requests.PreparedRequest):
        if mode == "500":
            return 500, {}, json.dumps({"status": 500, "message": "Server Error"})
        if mode == "timeout":
            return requests.ReadTimeout("read timed out")
        if mode == "garbage_json":
            return 200, {"Content-Type": "application/json"}, '{"status": 200, "data": {"products": [{"id": 1,'
        if mode == "proxy_html":
            page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
            return 502, {"Content-Type": "text/html"}, page
        if mode == "429_retry_after":
            return 429, {"Retry-After": "2"}, json.dumps({"message": "Too Many Attempts."})
        if mode == "slow":
            self.clock.now += request.req_kwargs["timeout"][1]
            return requests.ReadTimeout("the answer took longer than the read timeout")
        raise AssertionError(mode)


@pytest.fixture
def clock() -> Clock:
    """Starts at the real time: deliveries are stamped now, and older ones are past the 24-hour window."""
    return Clock(time.time())


@pytest.fixture
def bww(settings, clock):
    """(app, services, store): the app on the simulated BWW API, every clock and sleep injected."""
    settings = settings.with_overrides(store_backend="bww", store_api_url=STORE, store_api_key="k",
                                       breaker_fail_max=5, breaker_reset_s=60.0)
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        store = FakeStore(mock, clock)
        services = build_services(settings, clock=clock, sleep=clock.sleep)
        services.store.refresh_runner = lambda job: job()     # refresh inline: the test sees its outcome
        app = create_app(overrides, start_workers=False, services=services)
        yield app.test_client(), services, store
        services.workers.stop()


def ask(bww, customer: str, text: str, platform: str = "messenger", *, body: dict | None = None) -> list[dict]:
    """Post ``text`` (or ``body``) signed as ``customer``, run the workers, return the bodies staged for them."""
    client, services, _ = bww
    if body is None:
        body = messenger_text(customer, text) if platform == "messenger" else whatsapp_text(customer, text)
    before = len(services.pipeline.outbox.conversation(platform, customer))
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()
    return [row["body"] for row in services.pipeline.outbox.conversation(platform, customer)[before:]]


def assert_settled(services) -> None:
    """Every event handled once: nothing left waiting, in processing, or dead."""
    counts = services.inbox.counts()
    assert (counts["pending"], counts["processing"], counts["dead"]) == (0, 0, 0), counts


def fail_until_open(bww, customer: str, limit: int = 10) -> None:
    """Ask until the breaker opens (bounded, so a breaker that never opens fails the test).

    A failed refresh is not tried again on every message (no refresh storm): before each message
    the clock moves to when the next refresh may start, as customers keep writing meanwhile.
    """
    services, store = bww[1], bww[2]
    for _ in range(limit):
        store.clock.now += services.store.status()["snapshot"]["next_load_in_s"]
        assert texts(ask(bww, customer, "عايز تيشيرت"))[0].startswith(STALE["ar"])
        if services.store.status()["breaker"]["state"] == "open":
            return
    raise AssertionError(f"the breaker did not open after {limit} messages: {services.store.status()['breaker']}")


def warm_up(bww, clock: Clock, *, expire: bool = True) -> None:
    """A first customer loads the snapshot from a healthy API; then (``expire``) the snapshot expires."""
    assert ids_of(payloads(ask(bww, "psid-warm", "عايز تيشيرت")), "DETAILS")
    if expire:
        clock.now += SNAPSHOT_TTL_S + 1


# ---- a polite answer whatever the failure ------------------------------------------------------


@pytest.mark.parametrize("failure", FAILURES)
def test_with_a_good_snapshot_customers_get_results_flagged_as_possibly_outdated(bww, clock, failure) -> None:
    _, services, store = bww
    warm_up(bww, clock)
    store.mode = failure
    calls = len(store.timeouts)
    bodies = ask(bww, "psid-1", "عايز تيشيرت")
    assert len(store.timeouts) > calls, "the expired snapshot was refreshed through the API"
    assert texts(bodies)[0].startswith(STALE["ar"])
    assert ids_of(payloads(bodies), "DETAILS"), "results from the last good snapshot"
    assert services.store.status()["stale"] is True
    assert_settled(services)


@pytest.mark.parametrize("failure", FAILURES)
def test_without_a_snapshot_customers_are_asked_to_try_again(bww, failure) -> None:
    _, services, store = bww
    store.mode = failure
    bodies = ask(bww, "201001234567", "I want a t-shirt", platform="whatsapp")
    assert len(bodies) == 1
    assert bodies[0]["to"] == "201001234567"
    assert texts(bodies)[0].startswith(DOWN["en"])
    assert_settled(services)


@pytest.mark.parametrize("failure", ("500", "timeout", "proxy_html"))
def test_product_details_fall_back_to_the_snapshot(bww, clock, failure) -> None:
    _, services, store = bww
    warm_up(bww, clock, expire=False)     # the snapshot stays fresh; only the live details fail
    shown = ids_of(payloads(ask(bww, "psid-details", "عايز تيشيرت")), "DETAILS")
    store.mode = failure
    calls = len(store.timeouts)
    details = ask(bww, "psid-details", "", body=messenger_postback("psid-details", f"DETAILS:{shown[0]}"))
    assert len(store.timeouts) > calls, "the live details were asked for"
    assert not texts(details)[0].startswith(DOWN["ar"])
    assert f"RELATED:{shown[0]}" in payloads(details), "the product from the snapshot, with its buttons"
    assert texts(details)[0].startswith(STALE["ar"]), "flagged as possibly outdated"
    assert_settled(services)


@pytest.mark.parametrize("failure", ("500", "slow"))
def test_a_price_from_the_snapshot_is_flagged_as_possibly_outdated(bww, clock, failure) -> None:
    _, services, store = bww
    warm_up(bww, clock, expire=False)
    assert ids_of(payloads(ask(bww, "psid-price", "عايز تيشيرت")), "DETAILS")
    store.mode = failure
    bodies = ask(bww, "psid-price", "التاني بكام")
    assert texts(bodies)[0].startswith(STALE["ar"]), texts(bodies)
    assert "ج.م" in texts(bodies)[1], "the note, then the price"
    assert_settled(services)


def test_a_429_is_retried_after_its_retry_after_and_then_answered(bww, clock) -> None:
    _, services, store = bww
    store.script = ["429_retry_after"]
    bodies = ask(bww, "psid-429", "عايز تيشيرت")
    assert ids_of(payloads(bodies), "DETAILS")
    assert not texts(bodies)[0].startswith(STALE["ar"])
    assert clock.sleeps and clock.sleeps[0] >= 2.0, "the client waited at least Retry-After"
    assert_settled(services)


# ---- the breaker ----------------------------------------------------------------------------------


def test_the_breaker_opens_after_fail_max_failures_and_stops_calling_the_api(bww, clock) -> None:
    _, services, store = bww
    warm_up(bww, clock)
    store.mode = "500"
    fail_until_open(bww, "psid-b", limit=2)       # fail_max=5: four tries of one refresh, then one more
    breaker = services.store.status()["breaker"]
    assert breaker["state"] == "open" and breaker["failures"] >= 5
    calls = len(store.timeouts)
    bodies = ask(bww, "psid-open", "عايز تيشيرت")
    assert len(store.timeouts) == calls, "an open breaker makes no API call"
    assert texts(bodies)[0].startswith(STALE["ar"]) and ids_of(payloads(bodies), "DETAILS")
    assert_settled(services)


def test_the_breaker_half_opens_after_reset_s_and_recovers(bww, clock) -> None:
    _, services, store = bww
    warm_up(bww, clock)
    store.mode = "timeout"
    fail_until_open(bww, "psid-r")
    store.mode = "ok"
    clock.now += 59
    calls = len(store.timeouts)
    assert texts(ask(bww, "psid-r", "عايز تيشيرت"))[0].startswith(STALE["ar"])
    assert len(store.timeouts) == calls, "still open one second before BREAKER_RESET_S"
    clock.now += 1
    bodies = ask(bww, "psid-r", "عايز تيشيرت")
    assert len(store.timeouts) > calls, "the half-open breaker let a trial call through"
    assert not texts(bodies)[0].startswith(STALE["ar"]) and ids_of(payloads(bodies), "DETAILS")
    assert services.store.status()["breaker"]["state"] == "closed"
    assert services.store.status()["stale"] is False
    assert_settled(services)


def test_a_failed_trial_reopens_the_breaker_for_another_reset_s(bww, clock) -> None:
    _, services, store = bww
    warm_up(bww, clock)
    store.mode = "proxy_html"
    fail_until_open(bww, "psid-t")
    clock.now += 60
    calls, slept = len(store.timeouts), len(clock.sleeps)
    assert texts(ask(bww, "psid-t", "عايز تيشيرت"))[0].startswith(STALE["ar"])
    assert len(store.timeouts) == calls + 1, "exactly one trial call while half-open"
    breaker = services.store.status()["breaker"]
    since_trial = sum(clock.sleeps[slept:])      # the backoff slept after the failed trial
    assert breaker["state"] == "open" and breaker["reopens_in_s"] == pytest.approx(60.0 - since_trial)
    assert_settled(services)


# ---- answered within 5 s ------------------------------------------------------------------------


def spent_on(store: FakeStore, clock: Clock, customer: str, text: str = "عايز تيشيرت",
             **kwargs) -> tuple[list[dict], float]:
    """Ask, and add up what the store cost this message: the waits slept and the attempts made."""
    calls, slept, started = len(store.timeouts), len(clock.sleeps), clock.now
    bodies = ask(store.bww, customer, text, **kwargs)
    spent = sum(clock.sleeps[slept:]) + sum(connect + read for connect, read in store.timeouts[calls:])
    assert clock.now - started == pytest.approx(spent), "nothing else moved the clock"
    return bodies, spent


@pytest.mark.parametrize("failure", FAILURES)
def test_without_a_snapshot_a_customer_is_answered_within_5_s(bww, clock, failure) -> None:
    _, services, store = bww
    store.bww, store.mode, store.worst_case = bww, failure, True
    bodies, spent = spent_on(store, clock, "psid-5s")
    assert texts(bodies)[0].startswith(DOWN["ar"])
    assert 0 < spent <= ANSWERED_WITHIN_S, spent
    assert_settled(services)


@pytest.mark.parametrize("failure", FAILURES)
def test_with_a_snapshot_a_customer_is_answered_within_5_s(bww, clock, failure) -> None:
    _, services, store = bww
    store.bww = bww
    warm_up(bww, clock)
    jobs: list = []
    services.store.refresh_runner = jobs.append
    store.mode, store.worst_case = failure, True
    bodies, spent = spent_on(store, clock, "psid-5s")
    assert spent == 0 and len(jobs) == 1, "the expired snapshot answers at once; the refresh waits its turn"
    assert ids_of(payloads(bodies), "DETAILS")
    jobs.pop()()                                   # the refresh fails, off any customer's turn
    bodies, spent = spent_on(store, clock, "psid-5s")
    assert texts(bodies)[0].startswith(STALE["ar"]) and spent == 0
    shown = ids_of(payloads(bodies), "DETAILS")
    details, spent = spent_on(store, clock, "psid-5s", "", body=messenger_postback("psid-5s", f"DETAILS:{shown[0]}"))
    assert texts(details)[0].startswith(STALE["ar"]), "live details failed: the snapshot's copy, flagged"
    assert spent <= ANSWERED_WITHIN_S, spent
    assert_settled(services)
