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
the inbox workers) on WhatsApp, so the A/B shows what moving the workers out changed.
``BENCH_ROUNDS`` sets the rounds (5). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import os
import tempfile
import time

from bench import harness as h
from bench.texts import Texts

TURNS = int(os.environ.get("BENCH_TURNS", "600"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = 32
DEADLINE_S = 120.0


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
            variants = [(dukkan, "whatsapp"), (pywa, "whatsapp"), (dukkan, "messenger"), (in_web, "whatsapp")]
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
        finally:
            for server in servers:
                server.stop()
            graph.stop()
    print("medians: " + "; ".join(f"{name} {h.median(values):,.0f} turns/s" for name, values in rates.items()))
    per_round = [a / b for a, b in zip(rates["dukkan"], rates["pywa (one reply)"], strict=True)]
    print(f"ratio dukkan / pywa answering each delivery with one reply: {h.median(per_round):.2f} "
          f"(rounds {min(per_round):.2f}-{max(per_round):.2f})")
    moved = [a / b for a, b in zip(rates["dukkan"], rates["dukkan, workers in web"], strict=True)]
    print(f"ratio dukkan (worker processes) / dukkan with workers in web: {h.median(moved):.2f} "
          f"(rounds {min(moved):.2f}-{max(moved):.2f})")
    print("included: a turn = signed delivery posted -> acknowledged (web) -> a worker woken through the FIFO, claims "
          "and answers it -> every message of the answer received by the fake Graph API; Dukkan's answer is its real "
          "one (NLU, search on the demo store, rendering, a read mark and typing indicator, then the messages), "
          "pywa's one fixed text; workers in web: the same without the FIFO, the web process's own threads answer")


if __name__ == "__main__":
    main()
