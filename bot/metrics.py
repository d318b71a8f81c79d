"""Prometheus metrics: the metric objects, the small functions instrumented code calls, the scrape.

No Flask here: ``bot/web/metrics.py`` serves :func:`render` at ``GET /metrics``.

Under gunicorn every worker process counts on its own; with ``PROMETHEUS_MULTIPROC_DIR`` set
(``gunicorn.conf.py`` sets it before the workers import anything) prometheus-client keeps the
values in files there and a scrape sums them over all processes, dead ones included, except the
live gauge (the breaker state: the worst breaker among the processes alive). Without the variable
(tests, ``python -m bot serve``) the default registry of the one process is used.

The inbox depth is not counted by anyone: it is read from the shared inbox at scrape time, once,
by the process that answers the scrape.

Metric names::

    dukkan_webhook_deliveries_total{object,status}    POST /webhook answers
    dukkan_webhook_duration_seconds                   time to acknowledge a delivery
    dukkan_events_received_total{platform,kind}       events parsed from signed deliveries
    dukkan_events_accepted_total{result}              new | duplicate, as the inbox saw them
    dukkan_inbox_events{state}                        pending, processing, done, dead (scrape time)
    dukkan_event_handled_total{kind,outcome}          done | wait | retry | dead
    dukkan_event_handling_seconds{kind}               claim -> handled
    dukkan_event_latency_seconds{kind}                accepted into the inbox -> handled
    dukkan_store_requests_total{endpoint,outcome}     store API calls, short-circuits included
    dukkan_store_request_seconds{endpoint}            store API HTTP exchanges
    dukkan_store_cache_hits_total{cache}              search | details | catalog
    dukkan_store_cache_misses_total{cache}
    dukkan_store_breaker_state                        0 closed, 1 half-open, 2 open
    dukkan_store_breaker_failures_total               failures the breaker counted
    dukkan_graph_sends_total{platform,kind,outcome}   ok | failed, after retries
    dukkan_graph_send_errors_total{platform,code}     failed sends by Graph code (or http_<status>)
    dukkan_graph_send_retries_total{platform}         extra HTTP attempts
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from bot.errors import BotError

__all__ = [
    "BREAKER_STATES",
    "CONTENT_TYPE",
    "breaker_failure",
    "breaker_state",
    "cache_lookup",
    "acknowledged",
    "delivery",
    "event_handled",
    "events_accepted",
    "events_received",
    "graph_send",
    "multiprocess_dir",
    "render",
    "store_request",
]

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
# The ``*_created`` timestamps double the exposition and no dashboard of ours reads them.
disable_created_metrics()
BREAKER_STATES = {"closed": 0, "half-open": 1, "open": 2}
WEBHOOK_OBJECTS = frozenset({"page", "whatsapp_business_account", "instagram"})
_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
_FAST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)

WEBHOOK_DELIVERIES = Counter(
    "dukkan_webhook_deliveries", "POST /webhook answers, by the body's object and the HTTP status.",
    ["object", "status"],
)
WEBHOOK_SECONDS = Histogram(
    "dukkan_webhook_duration_seconds", "Time to verify, parse, store and acknowledge a delivery.",
    buckets=_FAST_BUCKETS,
)
EVENTS_RECEIVED = Counter(
    "dukkan_events_received", "Events parsed from signed deliveries, by platform and kind.", ["platform", "kind"]
)
EVENTS_ACCEPTED = Counter(
    "dukkan_events_accepted", "Events accepted into the inbox: new, or a duplicate of one already there.", ["result"]
)
EVENTS_HANDLED = Counter(
    "dukkan_event_handled", "Inbox events handled by a worker, by kind and outcome (done, wait, retry, dead).",
    ["kind", "outcome"],
)
HANDLING_SECONDS = Histogram(
    "dukkan_event_handling_seconds", "Time a worker spent on one event (claim to handled).", ["kind"],
    buckets=_LATENCY_BUCKETS,
)
LATENCY_SECONDS = Histogram(
    "dukkan_event_latency_seconds", "Time from accepting an event into the inbox to its handling.", ["kind"],
    buckets=_LATENCY_BUCKETS,
)
STORE_REQUESTS = Counter(
    "dukkan_store_requests", "Store API calls by endpoint and outcome (short-circuits included).",
    ["endpoint", "outcome"],
)
STORE_SECONDS = Histogram(
    "dukkan_store_request_seconds", "Store API HTTP exchanges.", ["endpoint"], buckets=_LATENCY_BUCKETS
)
CACHE_HITS = Counter("dukkan_store_cache_hits", "Store client cache hits.", ["cache"])
CACHE_MISSES = Counter("dukkan_store_cache_misses", "Store client cache misses (a fetch followed).", ["cache"])
BREAKER_STATE = Gauge(
    "dukkan_store_breaker_state", "Store API breaker: 0 closed, 1 half-open, 2 open (worst live process).",
    multiprocess_mode="livemax",
)
BREAKER_FAILURES = Counter("dukkan_store_breaker_failures", "Store API failures counted by the breaker.")
GRAPH_SENDS = Counter(
    "dukkan_graph_sends", "Graph API sends by platform, kind and outcome (ok, failed) after retries.",
    ["platform", "kind", "outcome"],
)
GRAPH_ERRORS = Counter(
    "dukkan_graph_send_errors", "Failed Graph API sends by platform and Graph error code.", ["platform", "code"]
)
GRAPH_RETRIES = Counter(
    "dukkan_graph_send_retries", "Extra Graph API attempts after a retryable failure.", ["platform"]
)


# --------------------------------------------------------------------------- recording

# Label children bound once per label values (a handful each), so the webhook's one update per
# delivery does a dictionary lookup, not prometheus-client's label validation and locking.
_DELIVERY_CHILDREN: dict[tuple[object, int], Counter] = {}
_RECEIVED_CHILDREN: dict[tuple[str, str], Counter] = {}
_ACCEPTED_NEW = EVENTS_ACCEPTED.labels("new")
_ACCEPTED_DUPLICATE = EVENTS_ACCEPTED.labels("duplicate")


def acknowledged(body_object: object, status: int, seconds: float, events: Iterable[object] = (),
                 new: int = 0, duplicates: int = 0) -> None:
    """Everything a POST /webhook counts, once per delivery: its answer and time, the events
    parsed (by platform and kind) and what the inbox did with them."""
    key = (body_object if isinstance(body_object, str) and body_object in WEBHOOK_OBJECTS else
           ("unknown" if body_object is None else "other"), status)
    child = _DELIVERY_CHILDREN.get(key)
    if child is None:
        child = _DELIVERY_CHILDREN.setdefault(key, WEBHOOK_DELIVERIES.labels(key[0], str(status)))
    child.inc()
    WEBHOOK_SECONDS.observe(seconds)
    for event in events:
        kind = (str(getattr(event, "platform", "")), str(getattr(event, "kind", "")))
        received = _RECEIVED_CHILDREN.get(kind)
        if received is None:
            received = _RECEIVED_CHILDREN.setdefault(kind, EVENTS_RECEIVED.labels(*kind))
        received.inc()
    if new:
        _ACCEPTED_NEW.inc(new)
    if duplicates:
        _ACCEPTED_DUPLICATE.inc(duplicates)


def delivery(body_object: object, status: int, seconds: float) -> None:
    """A POST /webhook answered ``status``; ``body_object`` is the body's ``object`` (or None)."""
    name = body_object if isinstance(body_object, str) and body_object in WEBHOOK_OBJECTS else (
        "unknown" if body_object is None else "other"
    )
    WEBHOOK_DELIVERIES.labels(name, str(status)).inc()
    WEBHOOK_SECONDS.observe(seconds)


def events_received(events: Iterable[object]) -> None:
    """Count parsed events by platform and kind."""
    for event in events:
        EVENTS_RECEIVED.labels(str(getattr(event, "platform", "")), str(getattr(event, "kind", ""))).inc()


def events_accepted(new: int, duplicates: int) -> None:
    """Count what the inbox did with a delivery's events."""
    if new:
        EVENTS_ACCEPTED.labels("new").inc(new)
    if duplicates:
        EVENTS_ACCEPTED.labels("duplicate").inc(duplicates)


def event_handled(kind: str, outcome: str, seconds: float, since_accepted: float | None = None) -> None:
    """A worker finished with an event: ``outcome`` is done, wait (for the Graph API), retry or dead."""
    EVENTS_HANDLED.labels(kind, outcome).inc()
    HANDLING_SECONDS.labels(kind).observe(seconds)
    if since_accepted is not None:
        LATENCY_SECONDS.labels(kind).observe(max(0.0, since_accepted))


def store_request(endpoint: str, outcome: str, seconds: float | None = None) -> None:
    """One store API call (``seconds`` when an HTTP exchange happened)."""
    STORE_REQUESTS.labels(endpoint, outcome).inc()
    if seconds is not None:
        STORE_SECONDS.labels(endpoint).observe(seconds)


def cache_lookup(cache: str, hit: bool) -> None:
    (CACHE_HITS if hit else CACHE_MISSES).labels(cache).inc()


def breaker_state(state: str) -> None:
    """The store breaker is now ``state`` (pybreaker's names: closed, half-open, open)."""
    BREAKER_STATE.set(BREAKER_STATES.get(state, 0))


def breaker_failure() -> None:
    BREAKER_FAILURES.inc()


def graph_send(platform: str, kind: str, *, ok: bool, code: str | None = None, attempts: int = 1) -> None:
    """One Graph API send finished (after its retries)."""
    GRAPH_SENDS.labels(platform, kind, "ok" if ok else "failed").inc()
    if not ok:
        GRAPH_ERRORS.labels(platform, code or "unknown").inc()
    if attempts > 1:
        GRAPH_RETRIES.labels(platform).inc(attempts - 1)


# --------------------------------------------------------------------------- scraping


def multiprocess_dir() -> str | None:
    """The multiprocess directory when prometheus-client runs in multiprocess mode."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class InboxCollector:
    """``dukkan_inbox_events{state}`` read from the shared inbox when scraped."""

    def __init__(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterable[Metric]:
        try:
            counts = self.counts()
        except BotError as exc:  # a scrape must not fail because the inbox is briefly locked
            log.warning("inbox depth unavailable for /metrics: %s", exc)
            return []
        family = GaugeMetricFamily("dukkan_inbox_events", "Inbox events by state.", labels=["state"])
        for state, count in sorted(counts.items()):
            family.add_metric([state], count)
        return [family]


class _Default:
    """The default registry as one collector, so a per-scrape registry can add the inbox to it."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def render(inbox_counts: Callable[[], Mapping[str, int]] | None = None) -> bytes:
    """The text exposition of every metric (summed over processes in multiprocess mode)."""
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    if path:
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(_Default())
    if inbox_counts is not None:
        registry.register(InboxCollector(inbox_counts))
    return generate_latest(registry)
