"""Resident memory of every gunicorn process after 20,000 messages, and how much it grew.

Dukkan runs under the project's ``gunicorn.conf.py`` with ``SEND_MODE=graph`` (replies to
``bench/graph_stub.py``) on its demo store. Its processes: the gunicorn master, and
``WEB_CONCURRENCY`` worker processes, each serving the webhook on its HTTP threads *and* running
the inbox worker threads that answer (there is no separate worker process). Messages come in
chunks of 2,000 from a pool of 3,000 customers (WhatsApp and Messenger in turn, every text new),
each chunk sent as fast as acknowledged and then answered to the last before the next.

RSS (``VmRSS``) is read after the first 1,000 messages (warm: matcher, catalog and caches built)
and after 5,000, 10,000 and 20,000; growth is 20,000 minus 1,000. pywa (one reply, under the same
gunicorn settings) gets the same 20,000 WhatsApp messages for reference. ``BENCH_MEMORY_MESSAGES``
sets the total. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import os
import tempfile

from bench import harness as h
from bench.texts import Texts

TOTAL = int(os.environ.get("BENCH_MEMORY_MESSAGES", "20000"))
CHUNK = 2_000
WARM = 1_000
CHECKPOINTS = (WARM, 5_000, 10_000, TOTAL)


def _rss(server: h.Server) -> list[float]:
    """MB: the master, then each worker process."""
    return [h.rss_mb(server.process.pid)] + [h.rss_mb(pid) for pid in sorted(server.workers())]


def _line(label: str, rss: list[float]) -> str:
    workers = ", ".join(f"{mb:.0f}" for mb in rss[1:])
    return f"  {label:>18}: master {rss[0]:5.0f} MB; workers {workers} MB; total {sum(rss):5.0f} MB"


def feed(server: h.Server, graph: h.Server, texts: Texts, customers: list[str], platforms: tuple[str, ...],
         label: str) -> dict[int, list[float]]:
    """Send ``TOTAL`` messages in chunks, answered to the last between chunks; RSS at the checkpoints."""
    seen: dict[int, list[float]] = {}
    sent = 0
    while sent < TOTAL:
        size = min(CHUNK, TOTAL - sent, *(point - sent for point in CHECKPOINTS if point > sent))
        platform = platforms[(sent // CHUNK) % len(platforms)]
        h.load(server.port, h.deliveries(texts, size, customers=customers, platform=platform)[0], connections=32)
        if server.database:
            h.drain(server.database)
        h.graph_stats(graph, reset=True)
        sent += size
        if sent in CHECKPOINTS:
            seen[sent] = _rss(server)
            print(_line(f"{label} {sent:,}", seen[sent]), flush=True)
    return seen


def main() -> None:
    texts = Texts(seed=303)
    python = h.pywa_python()
    customers = [f"2016{n:07d}" for n in range(3_000)]
    graph = h.stub("bench.graph_stub")
    print(f"RSS (VmRSS) after N messages; chunks of {CHUNK:,}, each answered before the next; "
          f"{len(customers):,} customers")
    with tempfile.TemporaryDirectory() as tmp:
        dukkan = h.gunicorn("dukkan", "wsgi:app", h.dukkan_env(tmp, graph, "memory"))
        try:
            print(_line("dukkan at start", _rss(dukkan)))
            grown = feed(dukkan, graph, texts, customers, ("whatsapp", "messenger"), "dukkan after")
            size = os.path.getsize(dukkan.database) / 2**20
        finally:
            dukkan.stop()
        pywa = h.gunicorn("pywa", "bench.pywa_app:app", h.pywa_env(graph, reply=True), python=python)
        try:
            print(_line("pywa at start", _rss(pywa)))
            pywa_grown = feed(pywa, graph, texts, customers, ("whatsapp",), "pywa after")
        finally:
            pywa.stop()
            graph.stop()
    for name, rss in (("dukkan", grown), ("pywa (one reply)", pywa_grown)):
        growth = [after - before for before, after in zip(rss[WARM], rss[TOTAL], strict=True)]
        print(f"{name}: growth from {WARM:,} to {TOTAL:,} messages: master {growth[0]:+.1f} MB, workers "
              + ", ".join(f"{mb:+.1f}" for mb in growth[1:]) + f" MB ({sum(growth[1:]) * 1024 / (TOTAL - WARM):+.1f} "
              f"KB a message over all workers)")
    print(f"dukkan's SQLite file after {TOTAL:,} messages: {size:.1f} MB (inbox, outbox, sessions, insights)")
    print("included: RSS counts the interpreter, the libraries and everything each process keeps (Dukkan: the matcher,"
          " the demo store's search index, caches, the SQLite page cache, HTTP and inbox threads); pages shared with"
          " the master after fork are counted in every process")


if __name__ == "__main__":
    main()
