"""gunicorn settings: threaded workers on $PORT. With ``WORKERS_IN_WEB=false`` (``python -m bot
serve``, the Procfile's web) they only accept deliveries and ``python -m bot work`` answers them;
otherwise each gunicorn process also runs its own inbox workers.

The master checks the configuration first (``on_starting``, before it binds the port or forks):
with a problem it prints the ``config:`` lines and gunicorn exits with status 2 at once, so a
supervisor sees the failure instead of workers that die and are booted again forever.

Metrics: every worker process counts on its own, so prometheus-client runs in multiprocess mode
with its files in ``PROMETHEUS_MULTIPROC_DIR``. The variable must be set before a worker imports
prometheus_client, so it is set here, in the master, when this file is read: to a fresh
temporary directory when unset (removed at exit). The directory is emptied when the master
starts (a previous run's counters are not ours), and a worker's live gauges are dropped when it
exits (``child_exit``).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-" if os.environ.get("ACCESS_LOG", "") == "1" else None
# A webhook body reaches 3 MB on WhatsApp; gunicorn limits only the request line and headers.
limit_request_line = 8190

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="dukkan-metrics-")
    os.environ["DUKKAN_OWN_METRICS_DIR"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def on_starting(server):
    """Refuse a bad configuration; then start from empty metric files (counters of an earlier run
    would be summed with ours)."""
    if not config_ok():
        on_exit(server)
        raise SystemExit(2)
    path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    if os.environ.get("DUKKAN_METRICS_FRESH") == "1":  # serve emptied it and its workers count there already
        return
    for stale in path.glob("*.db"):
        stale.unlink()


def config_ok():
    """False, after one ``config:`` line per problem on stderr, when the settings are not valid."""
    from bot.config import Settings, print_problems
    from bot.errors import ConfigError

    try:
        Settings.from_env()
    except ConfigError as error:
        print_problems(error)
        sys.stderr.flush()
        return False
    return True


def child_exit(server, worker):
    """Drop the live gauges of a worker that is gone (its counters stay in the sums)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics directory this file created."""
    own = os.environ.get("DUKKAN_OWN_METRICS_DIR")
    if own and own == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(own, ignore_errors=True)


def worker_exit(server, worker):
    """Let the inbox workers finish the event they hold before the process ends."""
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("dukkan") if app is not None else None
    if services is not None and services.workers.running:
        services.workers.stop()
