"""Production fails fast under real gunicorn: a configuration problem stops gunicorn itself.

The master checks the settings before it binds the port (gunicorn.conf.py, ``on_starting``) and
exits at once with the ``config:`` lines; without that check (another config file) the worker
exits with gunicorn's boot-error code and the master halts instead of booting it forever.
"""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_gunicorn_e2e import free_port

ROOT = Path(__file__).resolve().parent.parent
EXIT_WITHIN_S = 10.0
STRONG = {
    "META_APP_SECRET": "5f0c2b9e81d4a7363e9f1c0b2a8d4e67",
    "VERIFY_TOKEN": "FjtTXHdcVletM44pX9CFAFSCSwkP_KYP",
    "ADMIN_TOKEN": "tguYb_dABJ5VsIPAqLCqpVd6eBbcGSPZ",
    "WHATSAPP_ACCESS_TOKEN": "wa-token-fail-fast",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
}


def run_gunicorn(tmp_path: Path, env: dict[str, str],
                 config: str = "gunicorn.conf.py") -> tuple[subprocess.CompletedProcess, float, int]:
    """Start gunicorn in production with ``env``; (its result, seconds until it exited, its port)."""
    port = free_port()
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DUKKAN", "META", "VERIFY", "ADMIN", "METRICS", "WHATSAPP", "MESSENGER",
                                    "PROMETHEUS"))}
    env = clean | {"DUKKAN_ENV": "production", "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                   "TMPDIR": str(tmp_path), "WEB_CONCURRENCY": "2"} | env
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    started = time.monotonic()
    result = subprocess.run(
        [gunicorn, "wsgi:app", "-c", config, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=EXIT_WITHIN_S,
    )
    return result, time.monotonic() - started, port


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def config_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("config: ")]


def test_a_missing_secret_stops_gunicorn_before_it_binds_the_port(tmp_path):
    missing = {key: value for key, value in STRONG.items() if key != "META_APP_SECRET"}
    result, took, port = run_gunicorn(tmp_path, missing)
    assert result.returncode == 2, result.stderr
    assert config_lines(result.stderr) == ["config: META_APP_SECRET is required in production"]
    assert "Booting worker" not in result.stderr and "Listening at" not in result.stderr
    assert took < EXIT_WITHIN_S
    assert port_is_free(port)
    assert not list(tmp_path.glob("dukkan-metrics-*")), "the metrics directory it made is removed"


@pytest.mark.parametrize(("name", "value", "line"), [
    ("ADMIN_TOKEN", "admin", "config: ADMIN_TOKEN is too short for production: at least 20 characters (got 5)"),
    ("META_APP_SECRET", "s3cret-9",
     "config: META_APP_SECRET is too short for production: at least 20 characters (got 8)"),
    ("VERIFY_TOKEN", "password-password-password",
     "config: VERIFY_TOKEN is a common word (admin, password, secret, ...): use a random value"),
])
def test_a_weak_secret_stops_gunicorn_and_is_not_printed(tmp_path, name, value, line):
    result, took, port = run_gunicorn(tmp_path, STRONG | {name: value})
    assert result.returncode == 2, result.stderr
    assert config_lines(result.stderr) == [line]
    assert value not in result.stderr.replace(line, "")
    assert "Booting worker" not in result.stderr
    assert took < EXIT_WITHIN_S
    assert port_is_free(port)


def test_without_the_master_check_the_worker_boot_error_halts_gunicorn(tmp_path):
    empty = tmp_path / "bare.conf.py"  # gunicorn's defaults: nothing checks the settings in the master
    empty.write_text("")
    # One worker: with two failing at once, gunicorn 27 halts with a HaltServer traceback and status 1.
    result, took, port = run_gunicorn(tmp_path, {"ADMIN_TOKEN": "admin", "WEB_CONCURRENCY": "1"}, config=str(empty))
    assert result.returncode == 3, result.stderr  # gunicorn's WORKER_BOOT_ERROR
    assert "Reason: Worker failed to boot." in result.stderr
    assert "config: META_APP_SECRET is required in production" in config_lines(result.stderr)
    assert result.stderr.count("Booting worker") == 1, "the worker is not booted again"
    assert took < EXIT_WITHIN_S
    assert port_is_free(port)


def test_the_master_check_passes_strong_secrets_and_refuses_a_weak_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name, value in ({"DUKKAN_ENV": "production", "DATABASE_PATH": str(tmp_path / "db.sqlite3")} | STRONG).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["config_ok"]() is True
    monkeypatch.setenv("ADMIN_TOKEN", "changeme")
    assert config["config_ok"]() is False
    assert capsys.readouterr().err.splitlines() == [
        "config: ADMIN_TOKEN is too short for production: at least 20 characters (got 8)"]
