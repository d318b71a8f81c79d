"""Webhook acknowledgements under gunicorn: Dukkan against bare Flask and pywa, alternated, in one run.

Every server runs under the project's ``gunicorn.conf.py`` settings (pywa, in its own virtualenv,
under ``bench/peer_gunicorn_conf.py``: the same settings without Dukkan's hooks) on loopback, all
started once and measured in turn, round after round (bare, pywa, the Dukkan variants; then again),
so a slow moment of the machine hits every variant; medians are quoted and every round is printed.

Dukkan runs in three ways (``bench.harness.dukkan``):

- **dukkan**: as production runs it (the ``Procfile``): the web under gunicorn with
  ``WORKERS_IN_WEB=false`` (verify, parse, accept, wake a worker through the FIFO) plus
  ``BENCH_WORKER_PROCESSES`` (2) ``python -m bot work`` processes answering beside it;
- **dukkan, workers in web**: the older topology, a lone gunicorn whose processes also run the
  inbox workers (``WORKERS_IN_WEB=true``); the A/B with the first shows what moving them out changed;
- **dukkan web alone**: the production web with no worker process, so nothing but acknowledging
  runs (events pile up unanswered): the ack path's own cost.

The load client is ``bench/httpload.py`` in a process of its own: raw keep-alive sockets, the
requests serialised and signed before the clock starts, open loop. Its ceiling is measured first
against ``bench/trivial_server.py``. Every delivery is a WhatsApp text message (pywa speaks
WhatsApp only), signed with the app secret (checked by all but bare Flask), with a text never sent
before in the run, from a pool of customers. Dukkan runs with ``SEND_MODE=graph``: its inbox
workers answer every delivery meanwhile, sending the replies to ``bench/graph_stub.py`` (a fast
fake Graph API); after each burst of a Dukkan that answers, the run waits until every event is answered.

- **acks/s**: a burst of ``BENCH_WEBHOOK_REQUESTS`` deliveries (2,000) on 32 connections, as fast
  as the server answers 200 (saturation): deliveries / seconds from the first send to the last 200.
- **ack latency at 300/s**: ``BENCH_RATE_SECONDS`` (5) seconds of deliveries offered at 300/s on a
  schedule, latency from each one's due time to its 200 (queueing included): the median over the
  rounds of each round's p50 and p99 (a moment when the shared machine stalls hits one round),
  and the p99 and maximum of all rounds pooled.

``BENCH_ROUNDS`` sets the rounds (5). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

from bench import harness as h
from bench.texts import Texts

REQUESTS = int(os.environ.get("BENCH_WEBHOOK_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
RATE = 300
RATE_SECONDS = float(os.environ.get("BENCH_RATE_SECONDS", "5"))
CONNECTIONS = 32
CEILING_REQUESTS = 20_000


def _header(python: str) -> None:
    print(f"gunicorn.conf.py: WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2')} processes x "
          f"GUNICORN_THREADS={os.environ.get('GUNICORN_THREADS', '8')} threads (gthread); inbox WORKER_THREADS="
          f"{os.environ.get('WORKER_THREADS', '2')} per process that answers (dukkan: {h.WORKER_PROCESSES} worker "
          f"processes; workers in web: each gunicorn process); {os.cpu_count()} cores shared by servers, client "
          f"and fake Graph API (nothing pinned)")
    print(f"peer: {python}; one WhatsApp text per delivery, every text different, {ROUNDS} alternated rounds")


def ceiling(texts: Texts) -> float:
    """What the load client sends per second against a server that does nothing."""
    trivial = h.stub("bench.trivial_server")
    try:
        raw, _ = h.deliveries(texts, CEILING_REQUESTS, customers=[f"2011{n:07d}" for n in range(500)])
        result = h.load(trivial.port, raw, connections=CONNECTIONS)
    finally:
        trivial.stop()
    rate = len(raw) / result["elapsed"]
    print(f"load client ceiling (raw asyncio server that answers at once, {CEILING_REQUESTS:,} signed deliveries, "
          f"{CONNECTIONS} connections): {rate:,.0f} req/s; {h.client_share(result)}")
    return rate


def main() -> None:
    texts = Texts(seed=101)
    python = h.pywa_python()
    _header(h.versions(python))
    client_max = ceiling(texts)
    customers = [f"2015{n:07d}" for n in range(1_000)]
    graph = h.stub("bench.graph_stub")
    servers: list[h.Server] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            bare = h.gunicorn("bare flask", "bench.bare_app:app", {})
            servers.append(bare)
            pywa = h.gunicorn("pywa (ack only)", "bench.pywa_app:app", h.pywa_env(graph, reply=False), python=python)
            servers.append(pywa)
            pywa_reply = h.gunicorn("pywa (one reply)", "bench.pywa_app:app", h.pywa_env(graph, reply=True),
                                    python=python)
            servers.append(pywa_reply)
            dukkan = h.dukkan("dukkan", h.dukkan_env(tmp, graph, "dukkan"))
            servers.append(dukkan)
            in_web = h.dukkan("dukkan, workers in web", h.dukkan_env(tmp, graph, "in-web"), in_web=True)
            servers.append(in_web)
            alone = h.dukkan("dukkan web alone", h.dukkan_env(tmp, graph, "alone"), workers=0)
            servers.append(alone)
            for server in servers:  # first requests: imports, the matcher, the catalog, connections
                h.load(server.port, h.deliveries(texts, 300, customers=customers)[0], connections=CONNECTIONS)
                _after(server, graph)
            h.graph_stats(graph, reset=True)
            acks = saturation(texts, customers, [bare, pywa, dukkan, in_web, alone], graph, client_max)
            latency(texts, [bare, pywa, pywa_reply, dukkan, in_web], graph)
        finally:
            for server in servers:
                server.stop()
            graph.stop()
    summary(acks)


def _after(server: h.Server, graph: h.Server) -> str:
    """For a Dukkan that answers, wait until its workers answered every event: how long that took after the
    last ack."""
    if not server.answers():
        return ""
    seconds = h.drain(server.database)
    h.graph_stats(graph, reset=True)
    return f" (all answered {seconds:.1f} s after the last ack)"


def saturation(texts: Texts, customers: list[str], variants: list[h.Server], graph: h.Server,
               client_max: float) -> dict[str, list[float]]:
    print(f"\nacks/s: bursts of {REQUESTS:,} deliveries on {CONNECTIONS} keep-alive connections, as fast as answered")
    acks: dict[str, list[float]] = {server.name: [] for server in variants}
    for round_number in range(1, ROUNDS + 1):
        parts = []
        for server in variants:
            raw, _ = h.deliveries(texts, REQUESTS, customers=customers)
            result = h.load(server.port, raw, connections=CONNECTIONS)
            rate = len(raw) / result["elapsed"]
            acks[server.name].append(rate)
            parts.append(f"{server.name} {rate:,.0f}/s{_after(server, graph)}")
            client_cpu = 100 * result["cpu"] / result["elapsed"]
            if server is variants[0]:
                parts[-1] += f" [client {client_cpu:.0f}% of a core]"
        print(f"  round {round_number}: " + "; ".join(parts), flush=True)
    print("  medians: " + "; ".join(f"{name} {h.median(rates):,.0f} acks/s" for name, rates in acks.items()))
    best = max(h.median(rates) for rates in acks.values())
    print(f"  the client's ceiling ({client_max:,.0f}/s) is {client_max / best:.0f}x the fastest server")
    return acks


def latency(texts: Texts, variants: list[h.Server], graph: h.Server) -> None:
    count = int(RATE * RATE_SECONDS)
    print(f"\nack latency at {RATE}/s offered: {count:,} deliveries on a schedule, from each one's due time to its 200,"
          f" each from a new customer")
    rounds: dict[str, list[list[float]]] = {server.name: [] for server in variants}
    answered: dict[str, list[str]] = {server.name: [] for server in variants if server.answers()}
    for round_number in range(1, ROUNDS + 1):
        parts = []
        for index, server in enumerate(variants):
            raw, who = h.deliveries(texts, count, tag=f"{round_number}{index}")
            h.graph_stats(graph, reset=True)
            result = h.load(server.port, raw, rate=RATE, connections=128)
            rounds[server.name].append(result["latency"])
            note = ""
            if server.answers():
                end = result["started"] + result["elapsed"]
                stats = h.graph_stats(graph)["messages"]
                answered[server.name].append(f"{sum(1 for seen in stats.values() if seen[1] <= end):,}")
                note = _after(server, graph)
            parts.append(f"{server.name} p50 {h.pct(result['latency'], .5):.1f} / p99 "
                         f"{h.pct(result['latency'], .99):.1f} ms{note}")
        print(f"  round {round_number}: " + "; ".join(parts), flush=True)
    print("  median of the rounds' p50 and p99 (and over all rounds pooled: p99, max):")
    for name, per_round in rounds.items():
        pooled = [value for values in per_round for value in values]
        print(f"  {name:>22}: p50 {h.median([h.pct(v, .5) for v in per_round]):6.1f} ms  p99 "
              f"{h.median([h.pct(v, .99) for v in per_round]):6.1f} ms   (pooled p99 {h.pct(pooled, .99):6.1f} ms, "
              f"max {max(pooled) * 1000:6.1f} ms; {len(pooled):,} deliveries)")
    for name, counts in answered.items():
        print(f"  {name}: its workers answered meanwhile: of each round's {count:,} deliveries, {', '.join(counts)}"
              f" had their reply when the last ack came (the rest after, see the rounds)")
    print("  pywa (one reply) answers inside the request: its ack includes sending the reply to the fake Graph API")


def summary(acks: dict[str, list[float]]) -> None:
    def ratio(a: str, b: str) -> Callable[[], str]:
        per_round = [x / y for x, y in zip(acks[a], acks[b], strict=True)]
        return lambda: f"{h.median(per_round):.2f} (rounds {min(per_round):.2f}-{max(per_round):.2f})"

    print(f"\nratios of acks/s, median of the rounds: dukkan / bare flask {ratio('dukkan', 'bare flask')()}; "
          f"dukkan / pywa {ratio('dukkan', 'pywa (ack only)')()}; dukkan / dukkan with workers in web "
          f"{ratio('dukkan', 'dukkan, workers in web')()}; dukkan web alone / bare flask "
          f"{ratio('dukkan web alone', 'bare flask')()}")
    print("included: bare flask = gunicorn + Flask + loopback HTTP, reading the body; pywa = that + signature check,"
          " parsing the update, its handler (nothing); dukkan web alone = that + signature, parsing, one durable"
          " SQLite transaction per delivery, the attempt to wake a worker (no FIFO without workers: skipped);"
          " dukkan = the same web while its worker processes answer on the same cores (NLU, search, replies sent to"
          " the fake Graph API);"
          " dukkan, workers in web = the same work with the inbox workers inside the gunicorn processes")


if __name__ == "__main__":
    main()
