"""Whole turns per second: a signed delivery in, its reply at the (fake) Graph API; Dukkan against pywa.

Both run under the project's gunicorn settings (pywa in its own virtualenv, see
``bench/bench_webhook.py``), started once and measured in turn, round after round. Dukkan runs as
production runs it (the ``Procfile``; ``bench.harness.dukkan``): the web under gunicorn with
``WORKERS_IN_WEB=false`` accepts deliveries, and ``BENCH_WORKER_PROCESSES`` (2) ``python -m bot
work`` processes answer them, with ``SEND_MODE=graph`` on the demo store: understanding the
message, searching the store, rendering, and sending every message of the answer (with the read
mark and typing indicator before it) to ``bench/graph_stub.py``. pywa answers each message with
one short text from its handler, inside the webhook request (``bench/pywa_app.py``).

Each round sends ``BENCH_TURNS`` deliveries (600), every one from a new customer and with a text
never sent before, as fast as the webhook acknowledges them on 32 connections (the load client
of ``bench/httpload.py``), and waits until every customer has an answer:

- **turns/s** = deliveries answered / seconds from the first send to the last answer's last
  message arriving at the fake Graph API (a turn is done when its whole answer is sent);
- **turn time** = from a delivery's send to the last message of its answer, p50/p99 (under this
  full load: mostly waiting in the inbox behind the other deliveries).

A third variant, Dukkan on Messenger deliveries, shows the other platform (pywa has none); a
fourth, "dukkan, workers in web", is the older topology (a lone gunicorn whose processes also run
the inbox workers) on WhatsApp, so the A/B shows what moving the workers out changed; a fifth has
as many worker threads as the first, each in a worker process of its own (``WORKER_THREADS=1``):
threads of one process share its GIL.
``BENCH_ROUNDS`` sets the rounds (5). Prints numbers; asserts nothing.

Then **a worker turn's CPU**, in this process, with no web, no load client and nothing else
answering (:func:`worker_cpu`): ``BENCH_CPU_TURNS`` (1,500) WhatsApp deliveries of new texts from
new customers put in a fresh inbox, then claimed and answered one after the other by the
production pipeline (``SEND_MODE=graph``, to the fake Graph API in its own process), on a
connection that commits as a worker thread's does. Printed: CPU milliseconds a turn (this
process's ``time.process_time``), the share of the dialog (NLU, search, replies) and of the
Graph sends in it, HTTP calls, SQLite transactions and statements a turn.
``python -c "from bench import bench_turns as b; b.cpu_main()"`` runs this part alone.
"""

from __future__ import annotations

import collections
import json
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench import harness as h
from bench.payloads import whatsapp_text
from bench.texts import Texts

TURNS = int(os.environ.get("BENCH_TURNS", "600"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = 32
DEADLINE_S = 120.0
CPU_TURNS = int(os.environ.get("BENCH_CPU_TURNS", "1500"))
# The same number of worker threads as "dukkan", each in a process of its own (no GIL shared).
SINGLE = f"dukkan, {2 * h.WORKER_PROCESSES} worker processes x 1 thread"


def one_round(server: h.Server, graph: h.Server, texts: Texts, tag: str, platform: str) -> tuple[float, str]:
    """Send a round of deliveries and wait for every answer; (turns/s, a line describing the round).

    ``tag`` (digits: a WhatsApp id is a phone number) makes this round's customers new ones.
    """
    raw, who = h.deliveries(texts, TURNS, tag=tag, platform=platform)
    h.graph_stats(graph, reset=True)
    result = h.load(server.port, raw, connections=CONNECTIONS)
    deadline = time.monotonic() + DEADLINE_S
    while True:
        stats = h.graph_stats(graph)
        answered = [stats["messages"][customer] for customer in who if customer in stats["messages"]]
        settled = server.database == "" or not h.pending(server.database)
        if (len(answered) == len(who) and settled) or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # waiting for the server's workers; nothing to do meanwhile
    if not answered:
        raise RuntimeError(f"{server.name}: no delivery answered within {DEADLINE_S:.0f} s")
    last = max(seen[2] for seen in answered)
    rate = len(answered) / (last - result["started"])
    turn_times = [stats["messages"][customer][2] - sent for customer, sent in zip(who, result["sent_at"], strict=True)
                  if customer in stats["messages"]]
    messages = sum(seen[0] for seen in answered) / max(1, len(answered))
    missing = f", {len(who) - len(answered)} UNANSWERED" if len(answered) < len(who) else ""
    return rate, (f"{server.name} {rate:,.0f} turns/s (turn p50 {h.pct(turn_times, .5):,.0f} ms, p99 "
                  f"{h.pct(turn_times, .99):,.0f} ms; {messages:.1f} messages a turn{missing})")


def main() -> None:
    texts = Texts(seed=202)
    python = h.pywa_python()
    print(f"{TURNS} deliveries a round, each from a new customer with a new text, {CONNECTIONS} connections; "
          f"{ROUNDS} alternated rounds; peer: {h.versions(python)}")
    print(f"dukkan: web = gunicorn WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2')} x GUNICORN_THREADS="
          f"{os.environ.get('GUNICORN_THREADS', '8')} (WORKERS_IN_WEB=false) + {h.WORKER_PROCESSES} worker processes x "
          f"WORKER_THREADS={os.environ.get('WORKER_THREADS', '2')}; workers in web: the same gunicorn, "
          f"WORKER_THREADS inbox threads in each of its processes")
    graph = h.stub("bench.graph_stub")
    servers: list[h.Server] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            dukkan = h.dukkan("dukkan", h.dukkan_env(tmp, graph, "turns"))
            servers.append(dukkan)
            pywa = h.gunicorn("pywa (one reply)", "bench.pywa_app:app", h.pywa_env(graph, reply=True), python=python)
            servers.append(pywa)
            in_web = h.dukkan("dukkan, workers in web", h.dukkan_env(tmp, graph, "turns-in-web"), in_web=True)
            servers.append(in_web)
            single = h.dukkan(SINGLE, h.dukkan_env(tmp, graph, "turns-single") | {"WORKER_THREADS": "1"},
                              workers=2 * h.WORKER_PROCESSES)
            servers.append(single)
            variants = [(dukkan, "whatsapp"), (pywa, "whatsapp"), (dukkan, "messenger"), (in_web, "whatsapp"),
                        (single, "whatsapp")]
            for index, (server, platform) in enumerate(variants):  # warm up: imports, matcher, catalog
                one_round(server, graph, texts, f"9{index}", platform)
            rates: dict[str, list[float]] = {}
            for round_number in range(1, ROUNDS + 1):
                parts = []
                for index, (server, platform) in enumerate(variants):
                    rate, line = one_round(server, graph, texts, f"{round_number}{index}", platform)
                    name = server.name + (" (messenger)" if platform == "messenger" else "")
                    rates.setdefault(name, []).append(rate)
                    parts.append(line.replace(server.name, name, 1))
                print(f"  round {round_number}: " + "; ".join(parts), flush=True)
            cpu_line = worker_cpu(graph, texts)
        finally:
            for server in servers:
                server.stop()
            graph.stop()
    print("medians: " + "; ".join(f"{name} {h.median(values):,.0f} turns/s" for name, values in rates.items()))
    per_round = [a / b for a, b in zip(rates["dukkan"], rates["pywa (one reply)"], strict=True)]
    print(f"ratio dukkan / pywa answering each delivery with one reply: {h.median(per_round):.2f} "
          f"(rounds {min(per_round):.2f}-{max(per_round):.2f})")
    apart = [a / b for a, b in zip(rates[SINGLE], rates["pywa (one reply)"], strict=True)]
    print(f"ratio {SINGLE} / pywa answering each delivery with one reply: {h.median(apart):.2f} "
          f"(rounds {min(apart):.2f}-{max(apart):.2f})")
    moved = [a / b for a, b in zip(rates["dukkan"], rates["dukkan, workers in web"], strict=True)]
    print(f"ratio dukkan (worker processes) / dukkan with workers in web: {h.median(moved):.2f} "
          f"(rounds {min(moved):.2f}-{max(moved):.2f})")
    print("included: a turn = signed delivery posted -> acknowledged (web) -> a worker woken through the FIFO, claims "
          "and answers it -> every message of the answer received by the fake Graph API; Dukkan's answer is its real "
          "one (NLU, search on the demo store, rendering, a read mark and typing indicator, then the messages), "
          "pywa's one fixed text; workers in web: the same without the FIFO, the web process's own threads answer")
    print(cpu_line)


def worker_cpu(graph: h.Server, texts: Texts, turns: int = CPU_TURNS) -> str:
    """One line: the CPU of a worker turn in this process (see the module), after a warm-up of 200 turns."""
    from bot.channels.delivery import parse_delivery
    from bot.config import Settings
    from bot.nlu import warm_up
    from bot.services import build_services

    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings.from_env(h.dukkan_env(tmp, graph, "cpu") | {"WORKERS_IN_WEB": "false"}))
        services.db.relax_this_thread()  # the worker threads' commits (bot/services.py: on_thread_start)
        spent: collections.defaultdict[str, float] = collections.defaultdict(float)
        pipeline = services.pipeline
        pipeline.dialog = _timed(pipeline.dialog, "handle", spent, "dialog")
        pipeline.sender = _timed(pipeline.sender, "send", spent, "send")
        sql: collections.Counter[str] = collections.Counter()
        services.db.connection().set_trace_callback(lambda statement: sql.update([statement.split(None, 1)[0].upper()]))

        def answer(count: int, tag: str) -> tuple[int, float]:
            for n in range(count):
                body = whatsapp_text(f"2014{tag}{n:07d}", texts.next())
                services.inbox.accept(parse_delivery(json.loads(body), time.time()))
            spent.clear()
            sql.clear()
            sent = services.sender.status()["sent"]
            started = time.process_time()
            done = services.workers.drain(count)
            cpu = time.process_time() - started
            spent["http"] = services.sender.status()["sent"] - sent
            return done, cpu

        answer(200, "0")
        done, cpu = answer(turns, "1")
    per = cpu / done * 1000
    statements = sum(count for word, count in sql.items() if word not in ("BEGIN", "COMMIT"))
    return (f"worker turn in one process: {per:.2f} ms CPU a turn over {done:,} turns (dialog "
            f"{spent['dialog'] / done * 1000:.2f} ms, Graph sends {spent['send'] / done * 1000:.2f} ms for "
            f"{spent['http'] / done:.2f} HTTP calls); SQLite {sql['BEGIN'] / done:.2f} transactions and "
            f"{statements / done:.1f} statements a turn")


def _timed(target: Any, method: str, spent: collections.defaultdict[str, float], name: str) -> Any:
    """``target`` with ``method`` wrapped to add its thread CPU seconds to ``spent[name]``."""
    original: Callable[..., Any] = getattr(target, method)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] += time.thread_time() - started

    setattr(target, method, timed)
    return target


def cpu_main() -> None:
    """The worker turn's CPU alone (no servers but the fake Graph API)."""
    graph = h.stub("bench.graph_stub")
    try:
        print(worker_cpu(graph, Texts(seed=203)), flush=True)
    finally:
        graph.stop()


if __name__ == "__main__":
    main()
