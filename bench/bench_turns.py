"""End-to-end turn latency under gunicorn: a signed customer message → its reply at the Graph API.

Dukkan runs under gunicorn.conf.py in ``SEND_MODE=graph`` against a local fake Graph API that
notes when each message arrives. Customers hold scripted conversations (Arabic, Franco-Arabic,
English; Messenger and WhatsApp), each waiting for the answer before writing again, first one
customer at a time, then several at once. For every turn it measures, from the moment the POST
starts:

- ack: the webhook's 200 (the baseline: what Meta waits for),
- first reply: the first message of the answer reaching the Graph API (what the customer sees),
- turn done: the inbox event finished, every message of the answer sent (``finished_at`` in
  the inbox, read from the SQLite file after the run; same host, same clock).

Prints p50/p95/p99 of each and the ratio of the first reply to the ack. Asserts nothing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from bench.bench_webhook import pct, start
from bot.channels import parse_delivery
from bot.channels.signature import sign
from tests.factories import encode, messenger_text, whatsapp_text
from tests.fake_graph import FakeGraph

SECRET = "bench-secret"
SCRIPTS = {
    "ar": ["السلام عليكم", "عايز تيشيرت اسود", "التاني بكام", "ارخص", "بتبيعوا ايه؟", "الف شكر"],
    "franco": ["ahlan", "3ayez jeans azra2", "el tany b kam?", "sha7n l alex b kam", "shokran"],
    "en": ["hi there", "black sneakers size 42", "how much is this one", "what do you sell?", "thanks a lot"],
}
ROUNDS_ALONE = int(os.environ.get("BENCH_TURNS_ROUNDS", "3"))
CUSTOMERS_AT_ONCE = 8
REPLY_DEADLINE_S = 15.0


def first_after(graph: FakeGraph, customer: str, seen: int, deadline: float) -> tuple[float | None, int]:
    """Wait for a message to ``customer`` beyond the ``seen`` first ones; (its arrival, count)."""
    got = graph.wait_for(customer, seen + 1, timeout=max(deadline - time.monotonic(), 0.0))
    return (got[seen]["at"], len(got)) if len(got) > seen else (None, seen)


@dataclass
class Turn:
    dedupe_key: str
    started: float
    ack: float
    first_reply: float | None


def converse(url: str, graph: FakeGraph, customer: str, platform: str, lines: list[str]) -> list[Turn]:
    """One customer's conversation, waiting for each answer before the next line."""
    session = requests.Session()
    turns = []
    for text in lines:
        body = messenger_text(customer, text) if platform == "messenger" else whatsapp_text(customer, text)
        raw = encode(body)
        seen = len(graph.messages_to(customer))
        started = time.time()
        response = session.post(f"{url}/webhook", data=raw, headers={"X-Hub-Signature-256": sign(raw, SECRET)}, timeout=10)
        acked = time.time()
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code}")
        arrived, _ = first_after(graph, customer, seen, time.monotonic() + REPLY_DEADLINE_S)
        turns.append(Turn(parse_delivery(body)[0].dedupe_key, started, acked - started,
                          None if arrived is None else arrived - started))
    return turns


def finished(database: str, turns: list[Turn]) -> list[float]:
    """Seconds from each POST to its inbox event's ``finished_at`` (waits for stragglers)."""
    deadline = time.monotonic() + REPLY_DEADLINE_S
    keys = {turn.dedupe_key: turn.started for turn in turns}
    done: dict[str, float] = {}
    while time.monotonic() < deadline and len(done) < len(keys):
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            for key, at in conn.execute("SELECT dedupe_key, finished_at FROM inbox WHERE state = 'done'"):
                if key in keys and at:
                    done[key] = at - keys[key]
        time.sleep(0.05)
    return list(done.values())


def customers(count: int, tag: str) -> list[tuple[str, str, list[str]]]:
    out = []
    for n in range(count):
        language = list(SCRIPTS)[n % len(SCRIPTS)]
        platform = "messenger" if n % 2 == 0 else "whatsapp"
        customer = f"psid-{tag}-{n}" if platform == "messenger" else f"2010{tag}{n:04d}"
        out.append((customer, platform, SCRIPTS[language]))
    return out


def report(label: str, turns: list[Turn], done: list[float]) -> None:
    acks = [turn.ack for turn in turns]
    firsts = [turn.first_reply for turn in turns if turn.first_reply is not None]
    missing = len(turns) - len(firsts)
    line = lambda name, values: (f"{'':>4}{name:>12}: p50 {pct(values, .5):7.1f} ms  p95 {pct(values, .95):7.1f} ms"
                                 f"  p99 {pct(values, .99):7.1f} ms")
    print(f"{label}: {len(turns)} turns" + (f", {missing} unanswered within {REPLY_DEADLINE_S:.0f} s" if missing else ""))
    print(line("ack", acks))
    if firsts:
        print(line("first reply", firsts))
    if done:
        print(line("turn done", done))
    if firsts:
        print(f"{'':>4}first reply / ack (p50): {statistics.median(firsts) / statistics.median(acks):.1f}x")


def main() -> None:
    graph = FakeGraph()
    with tempfile.TemporaryDirectory() as tmp:
        database = f"{tmp}/turns.sqlite3"
        env = {
            "META_APP_SECRET": SECRET, "DATABASE_PATH": database, "ADMIN_TOKEN": "bench", "LOG_LEVEL": "WARNING",
            "SEND_MODE": "graph", "GRAPH_API_URL": graph.url, "MESSENGER_PAGE_ACCESS_TOKEN": "bench-page-token",
            "WHATSAPP_ACCESS_TOKEN": "bench-wa-token", "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        }
        process, url = start("wsgi:app", env)
        try:
            converse(url, graph, "psid-warm", "messenger", ["hi", "عايز تيشيرت"])      # load the catalog and the matcher
            alone: list[Turn] = []
            for customer, platform, lines in customers(ROUNDS_ALONE * len(SCRIPTS), "1"):
                alone += converse(url, graph, customer, platform, lines)
            report("one customer at a time", alone, finished(database, alone))
            together: list[Turn] = []
            with ThreadPoolExecutor(CUSTOMERS_AT_ONCE) as pool:
                for turns in pool.map(lambda c: converse(url, graph, *c), customers(CUSTOMERS_AT_ONCE * 2, "2")):
                    together += turns
            report(f"{CUSTOMERS_AT_ONCE} customers at once", together, finished(database, together))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(20)
            graph.close()


if __name__ == "__main__":
    main()
