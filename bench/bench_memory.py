"""Resident memory of every web and worker process after 20,000 messages, and how much it grew.

Dukkan runs as production runs it (the ``Procfile``; ``bench.harness.dukkan``) with
``SEND_MODE=graph`` (replies to ``bench/graph_stub.py``) on its demo store. Its processes: the
web, i.e. the gunicorn master and ``WEB_CONCURRENCY`` gunicorn processes (``WORKERS_IN_WEB=false``:
they verify, parse and accept deliveries), and ``BENCH_WORKER_PROCESSES`` (2) inbox worker
processes (``python -m bot work``, ``WORKER_THREADS`` threads each: they answer). Messages come in
chunks of 2,000 from a pool of 3,000 customers (WhatsApp and Messenger in turn, every text new),
each chunk sent as fast as acknowledged and then answered to the last before the next.

RSS (``VmRSS``) of each process is read after the first 1,000 messages (warm: matcher, catalog and
caches built) and after 5,000, 10,000 and 20,000; growth is 20,000 minus 1,000. pywa (one reply,
under the same gunicorn settings, no worker process) gets the same 20,000 WhatsApp messages for
reference. ``BENCH_MEMORY_MESSAGES`` sets the total. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import os
import tempfile

from bench import harness as h
from bench.texts import Texts

TOTAL = int(os.environ.get("BENCH_MEMORY_MESSAGES", "20000"))
CHUNK = 2_000
WARM = min(1_000, TOTAL // 2)  # smaller only in short trial runs
CHECKPOINTS = tuple(sorted({point for point in (WARM, 5_000, 10_000, TOTAL) if point <= TOTAL}))
Rss = list[tuple[str, float]]  # (role, MB) of each process: "master", "web", "worker"


def _rss(server: h.Server) -> Rss:
    """MB: the gunicorn master, each gunicorn (web) process, each inbox worker process."""
    return ([("master", h.rss_mb(server.process.pid))] + [("web", h.rss_mb(pid)) for pid in server.web_processes()]
            + [("worker", h.rss_mb(process.pid)) for process in server.worker_processes])


def _by_role(rss: Rss, role: str) -> list[float]:
    return [mb for who, mb in rss if who == role]


def _line(label: str, rss: Rss) -> str:
    parts = [f"master {_by_role(rss, 'master')[0]:5.0f} MB",
             "web " + ", ".join(f"{mb:.0f}" for mb in _by_role(rss, "web")) + " MB"]
    if _by_role(rss, "worker"):
        parts.append("workers " + ", ".join(f"{mb:.0f}" for mb in _by_role(rss, "worker")) + " MB")
    return f"  {label:>18}: " + "; ".join(parts) + f"; total {sum(mb for _, mb in rss):5.0f} MB"


def _growth(name: str, rss: dict[int, Rss]) -> str:
    """Per process, from the warm checkpoint to the last; and per message over the answering processes."""
    deltas = [(who, after - before) for (who, before), (_, after) in zip(rss[WARM], rss[TOTAL], strict=True)]
    parts = []
    for role, title in (("master", "master"), ("web", "web"), ("worker", "workers")):
        values = [mb for who, mb in deltas if who == role]
        if values:
            parts.append(f"{title} " + ", ".join(f"{mb:+.1f}" for mb in values) + " MB")
    answering = "worker" if any(who == "worker" for who, _ in deltas) else "web"
    per_message = sum(mb for who, mb in deltas if who == answering) * 1024 / max(1, TOTAL - WARM)
    return (f"{name}: growth from {WARM:,} to {TOTAL:,} messages: " + "; ".join(parts)
            + f" ({per_message:+.1f} KB a message over all {answering} processes, the ones that answer)")


def feed(server: h.Server, graph: h.Server, texts: Texts, customers: list[str], platforms: tuple[str, ...],
         label: str) -> dict[int, Rss]:
    """Send ``TOTAL`` messages in chunks, answered to the last between chunks; RSS at the checkpoints."""
    seen: dict[int, Rss] = {}
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
          f"{len(customers):,} customers; dukkan: web = gunicorn master + WEB_CONCURRENCY="
          f"{os.environ.get('WEB_CONCURRENCY', '2')} processes (WORKERS_IN_WEB=false), workers = "
          f"{h.WORKER_PROCESSES} x python -m bot work (WORKER_THREADS={os.environ.get('WORKER_THREADS', '2')})")
    with tempfile.TemporaryDirectory() as tmp:
        dukkan = h.dukkan("dukkan", h.dukkan_env(tmp, graph, "memory"))
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
        print(_growth(name, rss))
    print(f"dukkan's SQLite file after {TOTAL:,} messages: {size:.1f} MB (inbox, outbox, sessions, insights)")
    print("included: RSS counts the interpreter, the libraries and everything each process keeps (Dukkan's web"
          " processes: the app and the services it builds at start, though they only accept, HTTP threads, the SQLite"
          " page cache; its workers: the matcher, the demo store's search index, caches, the SQLite page cache, inbox"
          " threads); pages a gunicorn process shares with its master after"
          " fork are counted in both; the worker processes are started on their own (no pages shared); pywa answers"
          " in its web processes")


if __name__ == "__main__":
    main()
