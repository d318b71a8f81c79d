"""Command line: ``python -m bot serve|work|chat|nlu|search|check-config|messenger-profile``."""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings, development_admin_token, local_base_url, print_problems
from bot.errors import ConfigError
from bot.events import Platform

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(environ: Mapping[str, str] | None = None) -> Settings | None:
    """The settings from ``environ`` (default: the process environment), or None after printing every problem."""
    try:
        return Settings.from_env(environ)
    except ConfigError as exc:
        print_problems(exc)
        return None


def cmd_check_config(args: argparse.Namespace) -> int:
    """Print every configuration problem, or a one-line summary when there is none."""
    settings = _load_settings()
    if settings is None:
        return 2
    if settings.store_backend == "file" and not _check_catalog(settings):
        return 2
    print(
        f"config ok: {settings.env}, send mode {settings.send_mode}, store {settings.store_backend},"
        f" database {settings.database_path}"
    )
    _print_profile(settings)
    return 0


def _print_profile(settings: Settings) -> None:
    """One line on the shop's profile (already checked by ``Settings.from_env``)."""
    from bot.store.profile import DEMO_PROFILE, load_profile

    info = load_profile(settings.store_profile or None)
    where = settings.store_profile or f"{DEMO_PROFILE.name} (the demo shop; set STORE_PROFILE for yours)"
    print(f"profile ok: {info.name_en} / {info.name_ar} from {where}: {len(info.governorates)} shipping zones,"
          f" {len(info.payment_methods)} payment methods, {len(info.faq)} FAQ answers")


def _check_catalog(settings: Settings) -> bool:
    """Read the catalog file as the bot will: one ``catalog:`` line per bad row (skipped or kept
    with a value ignored) on stderr, a summary on stdout. False when it cannot be read at all."""
    from bot.store.catalog_file import CatalogFileError, read_catalog

    try:
        mapped = read_catalog(settings.catalog_path, settings.public_base_url)
    except CatalogFileError as error:
        print(f"config: CATALOG_PATH {error}", file=sys.stderr)
        return False
    layout = "Meta catalog feed" if mapped.layout == "meta" else "Dukkan layout"
    print(f"catalog ok: {len(mapped.products)} products from {mapped.rows} rows of {settings.catalog_path}"
          f" ({layout}); {mapped.skipped} rows skipped, {len(mapped.problems)} problems")
    for problem in mapped.problems:
        print(f"catalog: {problem}", file=sys.stderr)
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    """Run everything on this machine: the web under gunicorn (the same server as production),
    which only accepts deliveries, and ``WORKER_PROCESSES`` inbox worker processes beside it."""
    environ = dict(os.environ)
    if args.port is not None:          # settings, gunicorn.conf.py and the workers all read PORT
        environ["PORT"] = str(args.port)
    settings = _load_settings(environ)
    if settings is None:
        return 2
    host = args.host or ("0.0.0.0" if settings.production else "127.0.0.1")
    base = local_base_url(settings.port, host)
    if not environ.get("PUBLIC_BASE_URL", "").strip():
        environ["PUBLIC_BASE_URL"] = base  # links and product pictures on the address and port served
    print(f"Dukkan ({settings.env}) on {base}  store: {settings.store_backend}  replies: {settings.send_mode}")
    print(f"Console: {base}/console")
    if settings.admin_token_generated:
        token = development_admin_token(settings.database_path)
        print(f"Admin token (development, kept in {Path(settings.database_path).parent}/admin-token): {token}")
    sys.stdout.flush()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    argv = [gunicorn, "wsgi:app", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"{host}:{settings.port}"]
    if settings.catalog_path:          # absolute: gunicorn runs from the project's folder
        environ["CATALOG_PATH"] = settings.catalog_path
    environ["WORKERS_IN_WEB"] = "false"  # the worker processes answer; the web only accepts
    worker = [sys.executable, "-m", "bot", "work"]
    return supervise(ServePlan(web=argv, worker=worker, workers=settings.worker_processes, environ=environ))


@dataclass(frozen=True)
class ServePlan:
    """What ``serve`` runs: the gunicorn command, the worker command and how many, their environment."""

    web: list[str]
    worker: list[str]
    workers: int
    environ: dict[str, str]


def supervise(plan: ServePlan, stopped: threading.Event | None = None) -> int:
    """Start the web and the worker processes, wait for SIGTERM/SIGINT (or ``stopped``) or a child
    that exits, then stop them all with SIGTERM: gunicorn finishes its requests, each worker its
    turn in hand (events not yet claimed stay in the inbox). The exit status is 0 after a stop,
    else the status of the child that ended first (a supervisor above restarts the whole).

    The worker processes count their metrics in the web's ``PROMETHEUS_MULTIPROC_DIR``, so
    ``/metrics`` shows them too."""
    stopped = stopped or threading.Event()
    changed = threading.Event()

    def on_stop(*_: object) -> None:
        stopped.set()
        changed.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGCHLD, lambda *_: changed.set())
    environ, own_metrics = _shared_metrics_dir(plan.environ)
    children = [subprocess.Popen(plan.web, env=environ, cwd=ROOT)]
    children += [subprocess.Popen(plan.worker, env=environ, cwd=ROOT) for _ in range(plan.workers)]
    status = 0
    while not stopped.is_set():
        changed.wait(1.0)
        changed.clear()
        ended = [child for child in children if child.poll() is not None]
        if ended and not stopped.is_set():
            status = ended[0].returncode or 1
            which = "the web (gunicorn)" if ended[0] is children[0] else f"worker process {ended[0].pid}"
            print(f"serve: {which} exited with {ended[0].returncode}; stopping everything", file=sys.stderr)
            break
    _stop_children(children, environ)
    if own_metrics:
        shutil.rmtree(own_metrics, ignore_errors=True)
    return status


def _shared_metrics_dir(environ: dict[str, str]) -> tuple[dict[str, str], str]:
    """One metrics directory for the web and the workers, emptied here (not by gunicorn, which would
    drop the files of workers started before it); (the environment, the directory if made here)."""
    environ = dict(environ)
    own = ""
    if not environ.get("PROMETHEUS_MULTIPROC_DIR"):
        own = environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="dukkan-metrics-")
    for stale in Path(environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()
    environ["DUKKAN_METRICS_FRESH"] = "1"  # gunicorn.conf.py: already emptied, keep the workers' files
    return environ, own


def _stop_children(children: list[subprocess.Popen], environ: dict[str, str]) -> None:
    """SIGTERM to every child still running; SIGKILL to those not gone after the workers' grace."""
    from bot.workers import STOP_TIMEOUT_S

    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S + 5
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        for child in children[1:]:  # the workers' live gauges (gunicorn drops its own workers')
            multiprocess.mark_process_dead(child.pid, environ["PROMETHEUS_MULTIPROC_DIR"])


def cmd_work(args: argparse.Namespace) -> int:
    """An inbox worker process: claims accepted events and answers them until SIGTERM."""
    settings = _load_settings()
    if settings is None:
        return 2
    from bot.logs import configure_logging
    from bot.services import build_services
    from bot.workers import run_worker_process

    configure_logging(settings)
    _lower_priority(settings.worker_nice)
    return run_worker_process(build_services(settings))


def _lower_priority(increment: int) -> None:
    """Run this worker process ``increment`` steps nicer (``WORKER_NICE``): on cores it shares with
    the web processes, the kernel then serves their acknowledgements first and the turns with
    what is left, instead of slicing the time evenly. Beyond the kernel's 19, it stays at 19."""
    if increment > 0:
        os.nice(increment)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.chat import run_chat

    return run_chat(args.platform, customer_id=args.customer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Dukkan, the shop bot.")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("check-config", help="list every configuration problem").set_defaults(func=cmd_check_config)

    serve = commands.add_parser("serve", help="run the web service under gunicorn")
    serve.add_argument("--host", default="", help="bind address (default 127.0.0.1 in development)")
    serve.add_argument("--port", type=int, default=None, help="listen port (default: $PORT, else 8000)")
    serve.set_defaults(func=cmd_serve)

    work = commands.add_parser("work", help="run an inbox worker process (the Procfile's worker)")
    work.set_defaults(func=cmd_work)

    chat = commands.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--platform", choices=[str(platform) for platform in Platform], default=str(Platform.MESSENGER))
    chat.add_argument("--customer", default="terminal-customer")
    chat.set_defaults(func=cmd_chat)

    from bot.channels import channels
    from bot.nlu import cli as nlu_cli
    from bot.store import cli as store_cli

    setups = [(f"{found.platform}-profile", importlib.import_module(found.setup),
               f"set the {found.console.label} profile") for found in channels() if found.setup]
    for name, module, text in (
        ("nlu", nlu_cli, "understand a customer message"),
        ("search", store_cli, "search the configured store"),
        *setups,
    ):
        sub = commands.add_parser(name, help=text)
        module.add_arguments(sub)
        sub.set_defaults(func=module.run)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
