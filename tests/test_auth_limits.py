"""The limit on wrong tokens: one count per client address, shared by every process and host.

Every test runs on SQLite and on Redis (the ``settings`` fixture). Apps built on the same
settings share one database file, or one Redis prefix, as gunicorn workers and hosts do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from bot import create_app
from bot.errors import StorageError
from bot.services import build_services
from bot.storage.auth_limits import LIMIT, WINDOW_S, open_auth_failures
from bot.storage.db import Database
from tests.test_admin import login

ADMIN = "admin-test-token"
METRICS = "metrics-test-token-Zx81"
VERIFY = "verify-me"
HERE = "198.51.100.23"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(1_700_000_000.0)


def make_app(settings, clock: Clock, **changes):
    """An app with the injected clock; apps made from the same settings share their storage."""
    settings = settings.with_overrides(metrics_token=METRICS, **changes)
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    app = create_app(overrides, start_workers=False, services=build_services(settings, clock=clock))
    app.testing = True
    return app


@pytest.fixture
def client(settings, clock):
    return make_app(settings, clock).test_client()


# ---- every authenticated route: (name, try a token -> response, status of a wrong token, status of the right one)


def try_login(client, token: str, **kwargs):
    return login(client, token=token, **kwargs)


def try_bearer(client, token: str, **kwargs):
    return client.get("/admin/api/status", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def try_metrics(client, token: str, **kwargs):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def try_verify(client, token: str, **kwargs):
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "4242"}
    return client.get("/webhook", query_string=query, **kwargs)


ROUTES: dict[str, tuple[Callable, str, int, int]] = {
    "console login": (try_login, ADMIN, 401, 302),
    "admin API bearer": (try_bearer, ADMIN, 401, 200),
    "metrics bearer": (try_metrics, METRICS, 401, 200),
    "webhook verify token": (try_verify, VERIFY, 403, 200),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_wrong_tokens_get_429_over_the_limit_and_the_right_token_still_works(client, route):
    attempt, right, refused, accepted = ROUTES[route]
    for _ in range(LIMIT):
        assert attempt(client, "wrong-guess").status_code == refused
    over = attempt(client, "wrong-guess")
    assert over.status_code == 429
    assert over.headers["Retry-After"] == str(int(WINDOW_S))
    assert attempt(client, "another-guess").status_code == 429
    assert attempt(client, right).status_code == accepted


def test_the_routes_share_one_count_per_address(client):
    guesses = [try_login, try_bearer, try_metrics, try_verify] * LIMIT
    for attempt in guesses[:LIMIT]:
        assert attempt(client, "wrong-guess").status_code in (401, 403)
    for attempt in (try_login, try_bearer, try_metrics, try_verify):
        assert attempt(client, "wrong-guess").status_code == 429
    other = {"REMOTE_ADDR": "203.0.113.5"}
    assert try_bearer(client, "wrong-guess", environ_base=other).status_code == 401


def test_two_apps_on_one_storage_share_the_count(settings, clock):
    first, second = make_app(settings, clock).test_client(), make_app(settings, clock).test_client()
    for n in range(LIMIT):
        assert try_bearer(first if n % 2 else second, "wrong-guess").status_code == 401
    assert try_bearer(second, "wrong-guess").status_code == 429
    assert try_metrics(first, "wrong-guess").status_code == 429
    assert try_bearer(second, ADMIN).status_code == 200


def test_an_address_may_guess_again_once_its_failures_leave_the_window(client, clock):
    for _ in range(LIMIT):
        assert try_bearer(client, "wrong-guess").status_code == 401
        clock.now += 10
    refused = try_bearer(client, "wrong-guess")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(int(WINDOW_S) - 10 * LIMIT)  # the first failure leaves then
    clock.now += WINDOW_S - 10 * LIMIT
    assert try_bearer(client, "wrong-guess").status_code == 401
    assert try_bearer(client, "wrong-guess").headers["Retry-After"] == "10"  # then the second one


def test_requests_without_a_token_are_not_counted(client):
    for _ in range(3 * LIMIT):
        assert client.get("/admin/api/status").status_code == 401
        assert client.get("/metrics").status_code == 401
    assert try_bearer(client, "wrong-guess").status_code == 401


def test_a_wrong_bearer_token_on_a_console_page_counts_too(client):
    for _ in range(LIMIT):
        assert client.get("/console", headers={"Authorization": "Bearer wrong-guess"}).status_code == 302
    refused = client.get("/console", headers={"Authorization": "Bearer wrong-guess"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_behind_a_proxy_each_forwarded_client_has_its_own_count(settings, clock):
    client = make_app(settings, clock, proxy_hops=1).test_client()
    first = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "10.0.0.1"}
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.1"}
    for _ in range(LIMIT):
        assert try_metrics(client, "wrong-guess", environ_base=first).status_code == 401
    assert try_metrics(client, "wrong-guess", environ_base=first).status_code == 429
    assert try_metrics(client, "wrong-guess", environ_base=second).status_code == 401


def test_failures_are_logged_with_the_address_never_the_guess(client, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(LIMIT + 1):
        try_bearer(client, "Guess-Abc123", environ_base={"REMOTE_ADDR": HERE})
        login(client, token="Guess-Def456", environ_base={"REMOTE_ADDR": HERE})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert f"wrong admin token (Authorization header) from {HERE}" in text
    assert f"console login token from {HERE} refused: too many failed attempts, retry in 600s" in text
    assert "Guess-Abc123" not in text and "Guess-Def456" not in text and ADMIN not in text


def test_storage_failure_refuses_wrong_tokens_and_keeps_the_right_one(settings, clock, monkeypatch):
    app = make_app(settings, clock)

    def broken(address: str) -> float:
        raise StorageError("database is locked")

    monkeypatch.setattr(app.extensions["dukkan"].auth_failures, "attempt", broken)
    client = app.test_client()
    refused = try_bearer(client, "wrong-guess")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert try_bearer(client, ADMIN).status_code == 200


# ---- the stores themselves


def stores(settings, clock: Clock, count: int = 2) -> list:
    """``count`` stores on the storage of ``settings``, each with its own connection, as separate processes have."""
    return [open_auth_failures(settings, Database(settings.database_path), clock) for _ in range(count)]


def test_the_store_counts_a_sliding_window_and_refused_attempts_do_not_count(settings, clock):
    limits, _ = stores(settings, clock)
    start = clock.now
    for n in range(LIMIT):
        clock.now = start + n
        assert limits.attempt(HERE) == 0
    assert limits.attempt(HERE) == WINDOW_S - (LIMIT - 1)
    for _ in range(50):
        assert limits.attempt(HERE) > 0
    assert limits.attempt("203.0.113.5") == 0
    clock.now = start + WINDOW_S  # the first failure leaves the window
    assert limits.attempt(HERE) == 0
    assert limits.attempt(HERE) == 1.0  # the second one leaves a second later


def test_two_stores_on_one_storage_count_together(settings, clock):
    first, second = stores(settings, clock)
    for n in range(LIMIT):
        assert (first if n % 2 else second).attempt(HERE) == 0
    assert first.attempt(HERE) == WINDOW_S
    assert second.attempt(HERE) == WINDOW_S


def test_concurrent_failures_from_two_processes_never_pass_the_limit(settings, clock):
    first, second = stores(settings, clock)
    results: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(4 * LIMIT)

    def guess(limits) -> None:
        start.wait()
        wait = limits.attempt(HERE)
        with lock:
            results.append(wait)

    threads = [threading.Thread(target=guess, args=(first if n % 2 else second,)) for n in range(4 * LIMIT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0.0] * LIMIT + [WINDOW_S] * (3 * LIMIT)


# ---- under real gunicorn: two worker processes, one count


@pytest.fixture(params=["sqlite", "redis"])
def gunicorn_server(request, tmp_path):
    from tests.fake_graph import FakeGraph
    from tests.test_gunicorn_e2e import Gunicorn

    graph = FakeGraph()
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    server = Gunicorn(graph.url, tmp_path / "limits.sqlite3", redis_url)
    yield server
    server.stop()
    graph.close()


def test_under_gunicorn_both_workers_share_the_count_and_the_right_token_still_works(gunicorn_server):
    import requests

    url = f"{gunicorn_server.url}/admin/api/status"
    wrong = {"Authorization": "Bearer wrong-guess"}
    right = {"Authorization": f"Bearer {gunicorn_server.env['ADMIN_TOKEN']}"}
    # a new connection each time, so both worker processes take some of the guesses
    statuses = [requests.get(url, headers=wrong, timeout=5).status_code for _ in range(LIMIT + 5)]
    assert statuses == [401] * LIMIT + [429] * 5
    refused = requests.get(url, headers=wrong, timeout=5)
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW_S
    assert requests.get(url, headers=right, timeout=5).status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_network(client):
    """One host holds a whole /64: walking through its addresses must not reset the count."""
    for n in range(LIMIT):
        here = {"REMOTE_ADDR": f"2001:db8:1:2::{n:x}"}
        assert try_bearer(client, "wrong-guess", environ_base=here).status_code == 401
    assert try_bearer(client, "wrong-guess", environ_base={"REMOTE_ADDR": "2001:db8:1:2:ffff::1"}).status_code == 429
    assert try_bearer(client, "wrong-guess", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 401


def test_counted_addresses() -> None:
    from bot.web.failed_auth import counted_address

    assert counted_address("203.0.113.5") == "203.0.113.5"
    assert counted_address("2001:db8:1:2:abcd::7") == "2001:db8:1:2::/64"
    assert counted_address("::ffff:203.0.113.5") == "203.0.113.5"
    assert counted_address("") == "unknown"
