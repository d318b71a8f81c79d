"""The store client's rate limit and caches on Redis: one budget and one cache for every host."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
import redis
import responses

from bot.store.client import BwwClient, ClientConfig
from bot.store.shared import RedisCache, RedisRateLimiter
from tests.store.test_client import BASE, PAGE, Clock

DETAILS = {"status": 200, "message": "ok", "data": PAGE["data"]["products"][0]}


@pytest.fixture
def shared(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    prefix = f"t{uuid.uuid4().hex[:12]}:"
    yield client, prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def host(shared, clock: Clock, **overrides) -> BwwClient:
    """A store client as one host of several would build it."""
    client, prefix = shared
    config = ClientConfig(base_url=BASE, secret="s3cret", jitter_s=0, **overrides)
    return BwwClient(config, clock=clock, sleep=clock.sleep, shared=client, shared_prefix=prefix)


def test_the_limit_is_never_exceeded_by_sixteen_threads_on_two_hosts(shared):
    client, prefix = shared
    clock = Clock()
    limiters = [RedisRateLimiter(client, 10, 60.0, key=prefix + "rate", clock=clock) for _ in range(2)]
    granted = []
    lock = threading.Lock()

    def take(limiter: RedisRateLimiter) -> None:
        for _ in range(5):
            if limiter.try_acquire() == 0.0:
                with lock:
                    granted.append(1)

    threads = [threading.Thread(target=take, args=(limiters[n % 2],)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 10
    assert limiters[0].remaining() == 0
    wait = limiters[1].try_acquire()
    assert 0 < wait <= 60.0
    clock.now += 60.5
    assert limiters[0].try_acquire() == 0.0


@responses.activate
def test_a_second_host_reads_what_the_first_fetched(shared):
    responses.add(responses.GET, f"{BASE}/product-details/7", json=DETAILS)
    first, second = host(shared, Clock()), host(shared, Clock())
    assert first.product_details(7, "en")["id"] == DETAILS["data"]["id"]
    assert second.product_details(7, "en") == first.product_details(7, "en")
    assert len(responses.calls) == 1
    assert (first.api_calls, second.api_calls) == (1, 0)
    assert second.status()["caches"]["details"]["hits"] == 1


@responses.activate
def test_cached_answers_expire_with_the_configured_ttl(shared):
    client, prefix = shared
    responses.add(responses.GET, f"{BASE}/product-details/7", json=DETAILS)
    host(shared, Clock(), ttl_details_s=600).product_details(7, "en")
    [key] = list(client.scan_iter(match=prefix + "store:details:*"))
    assert 590 <= client.ttl(key) <= 600


@responses.activate
def test_cached_answers_expire_on_the_injected_clock(shared):
    responses.add(responses.GET, f"{BASE}/product-details/7", json=DETAILS)
    clock = Clock()
    first, second = host(shared, clock, ttl_details_s=600), host(shared, clock, ttl_details_s=600)
    first.product_details(7, "en")
    clock.now += 599
    second.product_details(7, "en")
    assert len(responses.calls) == 1
    clock.now += 1
    second.product_details(7, "en")
    assert len(responses.calls) == 2, "600 s of the injected clock: expired, though Redis still holds it"


def test_an_entry_without_its_time_reads_as_a_miss(shared):
    client, prefix = shared
    cache = RedisCache(client, prefix, ttl=60, clock=Clock())
    cache[("k",)] = {"a": 1}
    assert cache[("k",)] == {"a": 1}
    client.set(cache._key(("k",)), json.dumps({"a": 1}))        # written before entries kept their time
    with pytest.raises(KeyError):
        cache[("k",)]


def test_a_redis_outage_reads_as_a_miss():
    broken = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    cache = RedisCache(broken, "x:", ttl=60)
    with pytest.raises(KeyError):
        cache[("k",)]
    cache[("k",)] = {"a": 1}  # skipped, no exception
    assert len(cache) == 0
