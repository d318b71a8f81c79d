"""Webhook acknowledgement under gunicorn: Dukkan's /webhook against a bare Flask endpoint.

Both run under the same gunicorn settings (gunicorn.conf.py) on loopback; a client with a few
keep-alive threads posts signed Messenger text deliveries (each with a new message id) for a
fixed number of requests, then at fixed rates. Prints requests/s, the ratio Dukkan/bare (goal
≥ 0.8), and ack latency p50/p99. The inbox workers run meanwhile, as in production, answering
into the console outbox.

Three more Dukkan runs explain the ratio: with one inbox worker thread per process instead of
four; then, through bench/app_variants.py's bench-only switches, with the inbox workers not
started (the ack path alone: signature, parse, one SQLite transaction), and the same with
``PRAGMA synchronous=NORMAL`` (no fsync per commit). Each is a ratio to the bare
endpoint of the same run. ``BENCH_WEBHOOK_REQUESTS`` sets the burst size (default 3000).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bot.channels.signature import sign
from tests.factories import encode, messenger_text

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
REQUESTS = int(os.environ.get("BENCH_WEBHOOK_REQUESTS", "3000"))
CLIENT_THREADS = 8
RATES = (100, 300)
RATE_SECONDS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(target: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, target, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.post(f"{url}/webhook", data=b"{}", timeout=5)
            return process, url
        except requests.RequestException:   # not listening yet, or a worker still booting
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def bodies(count: int, prefix: str) -> list[tuple[bytes, str]]:
    out = []
    for n in range(count):
        raw = encode(messenger_text(f"bench-{n % 50}", "عايز تيشيرت اسود", mid=f"m_{prefix}_{n}"))
        out.append((raw, sign(raw, SECRET)))
    return out


def blast(url: str, work: list[tuple[bytes, str]]) -> tuple[float, list[float]]:
    """Post everything as fast as the client threads can; returns (requests/s, latencies)."""
    local = threading.local()
    latencies: list[float] = []

    def post(item: tuple[bytes, str]) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        began = time.perf_counter()
        response = session.post(f"{url}/webhook", data=item[0], headers={"X-Hub-Signature-256": item[1]}, timeout=10)
        latencies.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"status {response.status_code}")

    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(post, work))
    return len(work) / (time.perf_counter() - began), latencies


def paced(url: str, work: list[tuple[bytes, str]], rate: int) -> list[float]:
    """Post at a fixed rate; returns the latencies."""
    latencies: list[float] = []
    session = requests.Session()
    interval = 1.0 / rate
    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        futures = []
        for n, item in enumerate(work):
            delay = began + n * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(_timed, session, url, item, latencies))
        for future in futures:
            future.result()
    return latencies


def _timed(session: requests.Session, url: str, item: tuple[bytes, str], latencies: list[float]) -> None:
    began = time.perf_counter()
    session.post(f"{url}/webhook", data=item[0], headers={"X-Hub-Signature-256": item[1]}, timeout=10)
    latencies.append(time.perf_counter() - began)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "META_APP_SECRET": SECRET, "DATABASE_PATH": f"{tmp}/bench.sqlite3", "ADMIN_TOKEN": "bench",
            "LOG_LEVEL": "WARNING", "SEND_MODE": "console",
        }
        results = {}
        variants = (
            ("bare flask", "bench.bare_app:app", {}),
            ("dukkan", "wsgi:app", {}),
            ("dukkan, WORKER_THREADS=1", "wsgi:app", {"WORKER_THREADS": "1"}),
            ("dukkan, inbox workers idle", "bench.app_variants:app", {"BENCH_INBOX_WORKERS": "0"}),
            ("dukkan, idle + sync=NORMAL", "bench.app_variants:app", {"BENCH_INBOX_WORKERS": "0", "BENCH_SQLITE_SYNC": "NORMAL"}),
        )
        print(f"gunicorn.conf.py: WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2')} processes x "
              f"GUNICORN_THREADS={os.environ.get('GUNICORN_THREADS', '8')} threads; inbox WORKER_THREADS="
              f"{os.environ.get('WORKER_THREADS', '2')} per process; {os.cpu_count()} cores")
        for index, (name, target, extra) in enumerate(variants):
            database = {"DATABASE_PATH": f"{tmp}/bench{index}.sqlite3"}
            process, url = start(target, env | database | extra)
            try:
                blast(url, bodies(200, f"warm{index}"))
                rps, latencies = blast(url, bodies(REQUESTS, f"b{index}"))
                results[name] = rps
                ratio = f"  ratio {rps / results['bare flask']:.2f}" if name != "bare flask" else ""
                print(f"{name:>27}: {rps:6.0f} acks/s  p50 {pct(latencies, .5):6.1f} ms  p99 {pct(latencies, .99):6.1f} ms"
                      f"  ({REQUESTS} deliveries, {CLIENT_THREADS} client threads){ratio}", flush=True)
                for rate in RATES:
                    lat = paced(url, bodies(rate * RATE_SECONDS, f"{index}r{rate}"), rate)
                    print(f"{'':>27}  at {rate:4d}/s: p50 {pct(lat, .5):6.1f} ms  p99 {pct(lat, .99):6.1f} ms", flush=True)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(20)
        ratio = results["dukkan"] / results["bare flask"]
        print(f"ratio dukkan/bare: {ratio:.2f} (goal >= 0.80); with the inbox workers idle "
              f"{results['dukkan, inbox workers idle'] / results['bare flask']:.2f}; idle and no fsync per commit "
              f"{results['dukkan, idle + sync=NORMAL'] / results['bare flask']:.2f}")
        explain(results)


def explain(results: dict[str, float]) -> None:
    """Split Dukkan's time per ack (1 / throughput) into what each variant takes away."""
    per_ack = {name: 1000.0 / rps for name, rps in results.items()}
    steps = [
        ("the bare endpoint (gunicorn, Flask, loopback HTTP)", per_ack["bare flask"]),
        ("the ack's own work (signature, parse, metrics, one transaction)",
         per_ack["dukkan, idle + sync=NORMAL"] - per_ack["bare flask"]),
        ("the fsync of the ack's commit (synchronous=FULL)",
         per_ack["dukkan, inbox workers idle"] - per_ack["dukkan, idle + sync=NORMAL"]),
        ("the inbox workers meanwhile (their commits hold the write lock; CPU)",
         per_ack["dukkan"] - per_ack["dukkan, inbox workers idle"]),
    ]
    print(f"time per ack {per_ack['dukkan']:.2f} ms (1 / throughput), made of:")
    for label, ms in steps:
        print(f"  {ms:6.2f} ms  {100 * ms / per_ack['dukkan']:3.0f}%  {label}")


if __name__ == "__main__":
    main()
