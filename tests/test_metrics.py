"""/metrics: counters moved by real deliveries and worker runs, the inbox depth, the store client
(calls, cache, breaker), Graph sends, access rules, and multiprocess mode across processes and
under real gunicorn.

Metrics are process-wide, so tests compare a scrape before and after (deltas), except for the
inbox depth, which is read from each test's own database.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import responses
from prometheus_client.parser import text_string_to_metric_families
from responses.registries import OrderedRegistry

from bot import create_app, metrics
from bot.channels.meta.graph import GraphSender
from bot.errors import CircuitOpen, ProductNotFound, RetryLater, StoreUnavailable
from bot.replies import Outgoing
from tests.conftest import TEST_SECRET
from tests.factories import messenger_text, post_signed, whatsapp_text
from tests.store.test_client import BASE as STORE_BASE
from tests.store.test_client import PAGE, Clock, make_client
from tests.test_gunicorn_e2e import FakeGraph, Gunicorn

ROOT = Path(__file__).resolve().parent.parent
GRAPH = "http://graph.test"
PHONE_ID = "109876543210"


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Samples of a text exposition: (name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(client, **headers: str) -> dict:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain")
    return parse(response.get_data(as_text=True))


def here() -> dict:
    """The metrics of this process (no app, no inbox)."""
    return parse(metrics.render().decode())


def moved(before: dict, after: dict, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# --------------------------------------------------------------------------- webhook and workers


def test_a_delivery_and_a_worker_drain_move_the_counters(client, services):
    before = scrape(client)
    body = messenger_text("psid-metrics-1", "عايز تيشيرت اسود")
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    assert post_signed(client, body, TEST_SECRET).status_code == 200  # Meta's retry
    assert services.workers.drain() == 1
    after = scrape(client)

    assert moved(before, after, "dukkan_webhook_deliveries_total", object="page", status="200") == 2
    assert moved(before, after, "dukkan_webhook_duration_seconds_count") == 2
    assert moved(before, after, "dukkan_events_received_total", platform="messenger", kind="text") == 2
    assert moved(before, after, "dukkan_events_accepted_total", result="new") == 1
    assert moved(before, after, "dukkan_events_accepted_total", result="duplicate") == 1
    assert moved(before, after, "dukkan_event_handled_total", kind="text", outcome="done") == 1
    assert moved(before, after, "dukkan_event_handling_seconds_count", kind="text") == 1


def test_refused_deliveries_are_counted_by_status(client):
    before = scrape(client)
    raw = b'{"object": "whatsapp_business_account", "entry": []}'
    assert client.post("/webhook", data=raw).status_code == 401
    assert post_signed(client, raw, TEST_SECRET, signature="sha256=" + "0" * 64).status_code == 403
    assert post_signed(client, b"{not json", TEST_SECRET).status_code == 400
    assert post_signed(client, b'{"object": "user", "entry": []}', TEST_SECRET).status_code == 200
    after = scrape(client)

    assert moved(before, after, "dukkan_webhook_deliveries_total", object="unknown", status="401") == 1
    assert moved(before, after, "dukkan_webhook_deliveries_total", object="unknown", status="403") == 1
    assert moved(before, after, "dukkan_webhook_deliveries_total", object="unknown", status="400") == 1
    assert moved(before, after, "dukkan_webhook_deliveries_total", object="other", status="200") == 1


def test_inbox_depth_is_read_from_the_inbox_at_scrape_time(client, services):
    for n in range(3):
        post_signed(client, whatsapp_text(f"20100000{n:04d}", "hi"), TEST_SECRET)
    pending = scrape(client)
    assert value(pending, "dukkan_inbox_events", state="pending") == 3
    assert value(pending, "dukkan_inbox_events", state="done") == 0

    services.workers.drain()
    drained = scrape(client)
    assert value(drained, "dukkan_inbox_events", state="pending") == 0
    assert value(drained, "dukkan_inbox_events", state="done") == 3
    assert value(drained, "dukkan_inbox_events", state="dead") == 0


def test_retries_and_dead_letters_are_counted_as_outcomes(client, services):
    def always_later(claimed):
        raise RetryLater("Graph is throttling", delay=0)

    services.workers.handler = always_later
    post_signed(client, messenger_text("psid-metrics-2", "hello"), TEST_SECRET)
    before = scrape(client)
    assert services.workers.drain() == services.inbox.max_attempts
    after = scrape(client)

    retries = services.inbox.max_attempts - 1
    assert moved(before, after, "dukkan_event_handled_total", kind="text", outcome="retry") == retries
    assert moved(before, after, "dukkan_event_handled_total", kind="text", outcome="dead") == 1
    assert value(after, "dukkan_inbox_events", state="dead") == 1


def test_latency_from_acceptance_to_handling_is_observed(client, services):
    before = here()
    post_signed(client, messenger_text("psid-latency", "hello"), TEST_SECRET)
    services.workers.drain()
    after = here()
    assert moved(before, after, "dukkan_event_latency_seconds_count", kind="text") == 1
    assert moved(before, after, "dukkan_event_handling_seconds_count", kind="text") == 1


# --------------------------------------------------------------------------- store client


@responses.activate
def test_store_calls_and_cache_hits_and_misses_are_counted():
    clock = Clock()
    responses.post(f"{STORE_BASE}/filter-products", json=PAGE)
    responses.get(f"{STORE_BASE}/product-details/404404", status=404, json={})
    responses.get(f"{STORE_BASE}/product/404404", status=404, json={})
    client = make_client(clock)
    before = here()
    client.filter_products("en", search="polo")
    client.filter_products("en", search="polo")
    with pytest.raises(ProductNotFound):
        client.product_details(404404, "en")
    after = here()

    assert moved(before, after, "dukkan_store_requests_total", endpoint="filter-products", outcome="ok") == 1
    assert moved(before, after, "dukkan_store_request_seconds_count", endpoint="filter-products") == 1
    assert moved(before, after, "dukkan_store_requests_total", endpoint="product-details", outcome="not_found") == 1
    assert moved(before, after, "dukkan_store_requests_total", endpoint="product", outcome="not_found") == 1
    assert moved(before, after, "dukkan_store_cache_misses_total", cache="search") == 1
    assert moved(before, after, "dukkan_store_cache_hits_total", cache="search") == 1
    assert moved(before, after, "dukkan_store_cache_misses_total", cache="details") == 1


@responses.activate
def test_breaker_state_and_failures_follow_the_breaker():
    clock = Clock()
    responses.post(f"{STORE_BASE}/filter-products", status=500, json={})
    client = make_client(clock, retries=0, fail_max=2, reset_s=60.0)
    before = here()
    assert value(before, "dukkan_store_breaker_state") == 0
    for page in (1, 2):
        with pytest.raises(StoreUnavailable):
            client.filter_products("en", page=page)
    opened = here()
    assert value(opened, "dukkan_store_breaker_state") == 2
    assert moved(before, opened, "dukkan_store_breaker_failures_total") == 2
    assert moved(before, opened, "dukkan_store_requests_total", endpoint="filter-products", outcome="server_error") == 2

    with pytest.raises(CircuitOpen):
        client.filter_products("en", page=3)
    assert moved(opened, here(), "dukkan_store_requests_total", endpoint="filter-products", outcome="breaker_open") == 1

    responses.replace(responses.POST, f"{STORE_BASE}/filter-products", json=PAGE)
    clock.now += 61
    client.filter_products("en", page=4)
    assert value(here(), "dukkan_store_breaker_state") == 0


def test_the_breaker_gauge_shows_half_open_as_1():
    metrics.breaker_state("half-open")
    assert value(here(), "dukkan_store_breaker_state") == 1
    metrics.breaker_state("closed")
    assert value(here(), "dukkan_store_breaker_state") == 0


# --------------------------------------------------------------------------- Graph sender


def test_graph_sends_errors_by_code_and_retries_are_counted(settings):
    settings = settings.with_overrides(
        send_mode="graph", graph_api_url=GRAPH, messenger_page_access_token="EAAGpagetoken123",
        whatsapp_access_token="EAAGwhatsapptoken456", whatsapp_phone_number_id=PHONE_ID,
    )
    sender = GraphSender(settings, sleep=lambda s: None, clock=lambda: 1000.0, rand=lambda: 0.5)
    closed = {"error": {"message": "window", "code": 131047, "fbtrace_id": "x"}}
    before = here()
    with responses.RequestsMock(registry=OrderedRegistry) as graph:
        graph.post(f"{GRAPH}/v25.0/me/messages", status=500, json={})
        graph.post(f"{GRAPH}/v25.0/me/messages", json={"recipient_id": "1", "message_id": "m_1"})
        graph.post(f"{GRAPH}/v25.0/{PHONE_ID}/messages", status=400, json=closed)
        assert sender.send(Outgoing("messenger", "1", {"message": {"text": "hi"}}, "message")).ok
        assert not sender.send(Outgoing("whatsapp", "201001234567", {"type": "text"}, "message")).ok
    after = here()

    assert moved(before, after, "dukkan_graph_sends_total", platform="messenger", kind="message", outcome="ok") == 1
    assert moved(before, after, "dukkan_graph_send_retries_total", platform="messenger") == 1
    assert moved(before, after, "dukkan_graph_sends_total", platform="whatsapp", kind="message", outcome="failed") == 1
    assert moved(before, after, "dukkan_graph_send_errors_total", platform="whatsapp", code="131047") == 1


# --------------------------------------------------------------------------- access


def test_metrics_are_open_in_development_without_a_token(client):
    assert client.get("/metrics").status_code == 200


def test_a_metrics_token_is_required_when_set(settings):
    app = create_app(vars(settings) | {"metrics_token": "scrape-me-please"}, start_workers=False)
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    samples = scrape(client, Authorization="Bearer scrape-me-please")
    assert ("dukkan_store_breaker_state", frozenset()) in samples


def test_production_refuses_metrics_until_a_token_is_set(settings):
    app = create_app(vars(settings) | {"env": "production"}, start_workers=False)
    response = app.test_client().get("/metrics")
    assert response.status_code == 403
    assert b"METRICS_TOKEN" in response.data


# --------------------------------------------------------------------------- multiprocess mode

WRITER = textwrap.dedent("""
    import os
    import sys
    from bot import metrics
    for _ in range(int(sys.argv[1])):
        metrics.delivery("page", 200, 0.002)
    metrics.events_accepted(int(sys.argv[1]), 0)
    metrics.breaker_state(sys.argv[2])
    print(os.getpid())
""")


def write_from_a_process(directory: Path, deliveries: int, breaker: str) -> int:
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(directory)}
    process = subprocess.run(
        [sys.executable, "-c", WRITER, str(deliveries), breaker], cwd=ROOT, env=env, capture_output=True, timeout=60,
    )
    assert process.returncode == 0, process.stderr
    return int(process.stdout)


def test_two_processes_write_one_directory_and_a_scrape_sums_them(tmp_path, monkeypatch):
    first = write_from_a_process(tmp_path, 3, "closed")
    second = write_from_a_process(tmp_path, 4, "open")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = parse(metrics.render(lambda: {"pending": 5, "dead": 1}).decode())

    assert value(samples, "dukkan_webhook_deliveries_total", object="page", status="200") == 7
    assert value(samples, "dukkan_webhook_duration_seconds_count") == 7
    assert value(samples, "dukkan_events_accepted_total", result="new") == 7
    assert value(samples, "dukkan_store_breaker_state") == 2  # the worst live process
    assert value(samples, "dukkan_inbox_events", state="pending") == 5  # read once, not per process

    # gunicorn's child_exit hook drops a dead worker's live gauge; its counters stay summed.
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config["child_exit"](None, SimpleNamespace(pid=second))
    samples = parse(metrics.render().decode())
    assert value(samples, "dukkan_store_breaker_state") == 0
    assert value(samples, "dukkan_webhook_deliveries_total", object="page", status="200") == 7
    assert first != second


def test_gunicorn_config_sets_a_fresh_directory_and_cleans_it_at_start(tmp_path, monkeypatch):
    # set, then deleted: monkeypatch then removes what gunicorn.conf.py sets when the test ends
    for name in ("PROMETHEUS_MULTIPROC_DIR", "DUKKAN_OWN_METRICS_DIR"):
        monkeypatch.setenv(name, "unset")
        monkeypatch.delenv(name)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    created = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert created.is_dir() and not any(created.iterdir())
    (created / "counter_123.db").write_bytes(b"stale")
    config["on_starting"](None)
    assert not any(created.iterdir())
    config["on_exit"](None)
    assert not created.exists()

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.delenv("DUKKAN_OWN_METRICS_DIR")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)
    config["on_exit"](None)
    assert tmp_path.is_dir()  # a directory we were given is never removed


def test_under_gunicorn_with_two_workers_the_scrape_sums_every_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "metrics-Xr8k2Qv-7LmNz4Tp9bWc3")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    graph = FakeGraph()
    server = Gunicorn(graph.url, tmp_path / "metrics.sqlite3")
    try:
        deliveries = 12
        for n in range(deliveries):
            # a new connection each time, so both workers get some of them
            assert server.post(whatsapp_text(f"2010000{n:05d}", "hi")) == 200
        auth = {"Authorization": "Bearer metrics-Xr8k2Qv-7LmNz4Tp9bWc3"}
        assert requests.get(f"{server.url}/metrics", timeout=5).status_code == 401
        response = requests.get(f"{server.url}/metrics", headers=auth, timeout=5)
        samples = parse(response.text)
        pids = server.worker_pids()
    finally:
        server.stop()
        graph.close()
    assert len(pids) == 2
    delivered = value(samples, "dukkan_webhook_deliveries_total", object="whatsapp_business_account", status="200")
    assert delivered == deliveries
    assert value(samples, "dukkan_events_accepted_total", result="new") == deliveries
    assert sum(v for (name, _), v in samples.items() if name == "dukkan_inbox_events") == deliveries
