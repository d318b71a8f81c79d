"""What the server benchmarks share: servers under gunicorn, the fake Graph API, the load client, deliveries.

- :func:`gunicorn` starts an app under the project's ``gunicorn.conf.py`` (Dukkan, bare Flask) or,
  for pywa in its own virtualenv, under ``bench/peer_gunicorn_conf.py`` (the same settings
  without Dukkan's hooks).
- :func:`dukkan` starts Dukkan as production runs it (the ``Procfile``, ``python -m bot serve``):
  the web under gunicorn with ``WORKERS_IN_WEB=false`` plus ``BENCH_WORKER_PROCESSES`` (2)
  ``python -m bot work`` processes, one environment, one SQLite file and one metrics directory,
  stopped together; or (``in_web=True``) the older topology, a lone gunicorn whose processes run
  the inbox workers themselves.
- :func:`stub` starts ``bench/graph_stub.py`` (the fake Graph API) or ``bench/trivial_server.py``
  in a process of its own; :func:`graph_stats` reads the stub's counts.
- :func:`load` runs ``bench/httpload.py`` (the open-loop raw-socket client) in a process of its
  own on fully serialised, pre-signed requests built by :func:`deliveries`.
- :func:`pywa_python` creates ``var/bench/pywa-venv`` with the latest pywa, Flask and gunicorn
  the first time (``BENCH_PYWA_UPGRADE=1`` upgrades it).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.payloads import WA_PHONE_ID, messenger_text, sign, whatsapp_text
from bench.texts import Texts

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
PYWA_VENV = ROOT / "var" / "bench" / "pywa-venv"
PEER_CONF = ROOT / "bench" / "peer_gunicorn_conf.py"
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", "2"))
WORKER_READY_S = 120.0
TOKENS = {"MESSENGER_PAGE_ACCESS_TOKEN": "bench-page-token", "WHATSAPP_ACCESS_TOKEN": "bench-wa-token",
          "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: its gunicorn master (or stub process), its port and, for Dukkan in the
    production topology, its inbox worker processes (``python -m bot work``)."""

    name: str
    process: subprocess.Popen
    port: int
    database: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    worker_processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        """SIGTERM to the web and every worker process at once, then wait (SIGKILL after 25 s)."""
        every = [self.process, *self.worker_processes]
        for process in every:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in every:
            try:
                process.wait(25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self.extra.get("metrics_dir"):
            shutil.rmtree(self.extra["metrics_dir"], ignore_errors=True)

    def web_processes(self) -> list[int]:
        """The pids of the gunicorn worker processes (the master's children): the web."""
        pid = self.process.pid
        try:
            return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        except OSError:
            return []

    def answers(self) -> bool:
        """Whether something answers the events this server accepts (Dukkan with inbox workers)."""
        return bool(self.database) and self.extra.get("answering", True)


def _wait_listening(port: int, process: subprocess.Popen, name: str, seconds: float = 60) -> None:
    """Until an HTTP request to the port gets any answer (every worker may still be booting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/webhook?hub.mode=x", timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)  # not listening yet
    process.kill()
    raise RuntimeError(f"{name} did not start")


def _server_log() -> int:
    """Where servers' stderr goes: ``BENCH_SERVER_LOG`` (a file, appended) or nowhere."""
    path = os.environ.get("BENCH_SERVER_LOG")
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if path else subprocess.DEVNULL


def gunicorn(name: str, target: str, env: dict[str, str], *, python: Path | None = None) -> Server:
    """``target`` under gunicorn with the project's settings (the peer config for another virtualenv)."""
    port = free_port()
    bindir = (python or Path(sys.executable)).parent
    config = str(PEER_CONF) if python else "gunicorn.conf.py"
    process = subprocess.Popen(
        [str(bindir / "gunicorn"), target, "-c", config, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=os.environ | {"LOG_LEVEL": "WARNING"} | env, stdout=subprocess.DEVNULL, stderr=_server_log(),
    )
    _wait_listening(port, process, name)
    return Server(name, process, port, env.get("DATABASE_PATH", ""))


def dukkan(name: str, env: dict[str, str], *, in_web: bool = False, workers: int | None = None) -> Server:
    """Dukkan in the production topology: web (gunicorn, ``WORKERS_IN_WEB=false``) plus ``workers``
    (default ``BENCH_WORKER_PROCESSES``) ``python -m bot work`` processes on the same environment,
    ready when each has warmed up and listens on the wake-up FIFO. ``workers=0``: the web alone,
    accepting events nobody answers. ``in_web``: a lone gunicorn running its inbox workers itself."""
    if in_web:
        return gunicorn(name, "wsgi:app", env | {"WORKERS_IN_WEB": "true"})
    count = WORKER_PROCESSES if workers is None else workers
    metrics = tempfile.mkdtemp(prefix="bench-metrics-")  # shared by web and workers, as ``python -m bot serve``
    env = env | {"WORKERS_IN_WEB": "false", "PROMETHEUS_MULTIPROC_DIR": metrics, "DUKKAN_METRICS_FRESH": "1"}
    server = gunicorn(name, "wsgi:app", env)
    server.extra.update(metrics_dir=metrics, answering=count > 0)
    try:
        for _ in range(count):
            server.worker_processes.append(subprocess.Popen(
                [sys.executable, "-m", "bot", "work"], cwd=ROOT, env=os.environ | {"LOG_LEVEL": "WARNING"} | env,
                stdout=subprocess.DEVNULL, stderr=_server_log()))
        _wait_workers_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_workers_ready(server: Server) -> None:
    """Until every worker process holds the wake-up FIFO open (it opens it after its warm-up)."""
    fifo = os.path.realpath(f"{server.database}.wake")
    deadline = time.monotonic() + WORKER_READY_S
    waiting = list(server.worker_processes)
    while waiting:
        for process in waiting:
            if process.poll() is not None:
                raise RuntimeError(f"{server.name}: worker process exited with status {process.returncode}")
        waiting = [process for process in waiting if fifo not in _open_files(process.pid)]
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"{server.name}: {len(waiting)} worker processes not ready in {WORKER_READY_S:.0f} s")
        if waiting:
            time.sleep(0.2)  # polling another process's state


def _open_files(pid: int) -> set[str]:
    """What the process's file descriptors point at (paths, ``pipe:[...]``, ``socket:[...]``)."""
    found = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):  # closed meanwhile
                found.add(os.readlink(fd))
    except OSError:
        pass
    return found


def stub(module: str) -> Server:
    """``python -m <module>`` that prints its port when listening (the fake Graph API, the trivial server)."""
    process = subprocess.Popen([sys.executable, "-m", module], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return Server(module, process, int(process.stdout.readline()))


def graph_stats(graph: Server, reset: bool = False) -> dict[str, Any]:
    """The fake Graph API's counts: ``messages`` {recipient: [count, first, last]}, ``other``, ``cpu``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{graph.port}/_stats", timeout=10) as answer:
        stats = json.loads(answer.read())
    if reset:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{graph.port}/_reset", b"", method="POST"),
                               timeout=10).read()
    return stats


def dukkan_env(tmp: str, graph: Server, name: str) -> dict[str, str]:
    """Dukkan's settings as in production: replies sent to the (fake) Graph API, its own SQLite file
    (shared by its web and worker processes)."""
    return {"META_APP_SECRET": SECRET, "ADMIN_TOKEN": "bench-admin-token", "DATABASE_PATH": f"{tmp}/{name}.sqlite3",
            "SEND_MODE": "graph", "GRAPH_API_URL": f"http://127.0.0.1:{graph.port}"} | TOKENS


def pywa_env(graph: Server, reply: bool) -> dict[str, str]:
    return {"META_APP_SECRET": SECRET, "GRAPH_API_URL": f"http://127.0.0.1:{graph.port}",
            "PYWA_REPLY": "1" if reply else "0", "PROMETHEUS_MULTIPROC_DIR": tempfile.gettempdir()} | TOKENS


def pywa_python() -> Path:
    """The pywa virtualenv's python, created with the latest pywa, Flask and gunicorn when missing."""
    python = PYWA_VENV / "bin" / "python"
    if not python.exists() or os.environ.get("BENCH_PYWA_UPGRADE") == "1":
        print(f"creating {PYWA_VENV.relative_to(ROOT)} (pip install --upgrade pywa flask gunicorn)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PYWA_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pywa", "flask", "gunicorn"],
                       check=True)
    return python


def versions(python: Path, packages: tuple[str, ...] = ("pywa", "flask", "gunicorn", "httpx")) -> str:
    code = ("import importlib.metadata as m, sys; "
            "print(', '.join(f'{p} {m.version(p)}' for p in sys.argv[1:]))")
    done = subprocess.run([str(python), "-c", code, *packages], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def deliveries(texts: Texts, count: int, *, customers: list[str] | None = None, platform: str = "whatsapp",
               tag: str = "") -> tuple[list[bytes], list[str]]:
    """``count`` signed POST /webhook requests, each a new text; (raw requests, the customer of each).

    ``customers`` None: every delivery from a new customer (so each answer is one delivery's);
    else customers are drawn in turn from the list.
    """
    raw, who = [], []
    for n in range(count):
        customer = customers[n % len(customers)] if customers else f"2012{tag}{n:07d}"
        text = texts.next()
        body = whatsapp_text(customer, text) if platform == "whatsapp" else messenger_text(customer, text)
        head = (b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"X-Hub-Signature-256: %s\r\nContent-Length: %d\r\n\r\n" % (sign(body, SECRET).encode(), len(body)))
        raw.append(head + body)
        who.append(customer)
    return raw, who


def load(port: int, requests: list[bytes], *, rate: float = 0, connections: int = 32) -> dict[str, Any]:
    """Run the load client in a process of its own; its JSON answer (see ``bench/httpload.py``)."""
    with tempfile.NamedTemporaryFile(suffix=".pickle") as job:
        pickle.dump({"host": "127.0.0.1", "port": port, "requests": requests, "rate": rate,
                     "connections": connections}, job)
        job.flush()
        done = subprocess.run([sys.executable, "-m", "bench.httpload", job.name], cwd=ROOT, capture_output=True,
                              text=True, timeout=900)
    if done.returncode:
        raise RuntimeError(f"load client failed: {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout)
    bad = {status: n for status, n in result["statuses"].items() if status != "200"}
    if bad:
        raise RuntimeError(f"non-200 answers: {bad}")
    return result


def pending(database: str) -> int:
    """Inbox events not finished yet (read-only)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute("SELECT count(*) FROM inbox WHERE state IN ('pending', 'processing')").fetchone()[0]


def drain(database: str, seconds: float = 300) -> float:
    """Wait until the inbox has no unfinished event; the seconds it took."""
    began = time.monotonic()
    while pending(database) and time.monotonic() - began < seconds:
        time.sleep(0.2)  # polling another process's SQLite file
    return time.monotonic() - began


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def median(values: list[float]) -> float:
    return statistics.median(values)


def client_share(result: dict[str, Any]) -> str:
    """The load client's CPU: microseconds per request and share of one core."""
    per_request = 1e6 * result["cpu"] / len(result["latency"])
    return f"client {per_request:.0f} us CPU/req, {100 * result['cpu'] / result['elapsed']:.0f}% of a core"
