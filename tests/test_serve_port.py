"""Product pictures follow the port served when ``PUBLIC_BASE_URL`` is unset (issue 14, part 5).

``python -m bot serve --port N`` (and ``PORT=N make run``) must hand out picture links on port N:
the settings' default, the environment ``serve`` gives gunicorn, the app's demo products, and a
real ``serve`` whose WhatsApp details picture is fetched over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import __main__ as cli
from bot import create_app
from bot.config import Settings, local_base_url
from tests.test_gunicorn_e2e import free_port

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DEADLINE_S = 60.0


def test_the_default_base_url_follows_port() -> None:
    assert Settings.from_env({}).public_base_url == "http://127.0.0.1:8000"
    assert Settings.from_env({"PORT": "8123"}).public_base_url == "http://127.0.0.1:8123"
    assert Settings.from_env({"PORT": "8123", "PUBLIC_BASE_URL": "https://shop.example/"}).public_base_url == (
        "https://shop.example")


@pytest.mark.parametrize(("host", "expected"), [
    ("", "http://127.0.0.1:9000"), ("0.0.0.0", "http://127.0.0.1:9000"), ("::", "http://127.0.0.1:9000"),
    ("192.168.1.20", "http://192.168.1.20:9000"), ("fe80::1", "http://[fe80::1]:9000"),
])
def test_local_base_url(host: str, expected: str) -> None:
    assert local_base_url(9000, host) == expected


class Exec(Exception):
    """Raised instead of replacing the process: carries what ``serve`` would run."""

    def __init__(self, argv: list[str], environ: dict[str, str]) -> None:
        super().__init__(argv[0])
        self.argv, self.environ = argv, environ


def serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str, **env: str) -> Exec:
    """Run ``python -m bot serve *args`` in-process up to the start of gunicorn and the workers."""
    for name in ("PORT", "PUBLIC_BASE_URL", "DUKKAN_ENV", "STORE_BACKEND", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "dukkan.sqlite3"))
    monkeypatch.setenv("ADMIN_TOKEN", "serve-test-admin-token")
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def fake_supervise(plan: cli.ServePlan) -> int:
        raise Exec(plan.web, plan.environ)

    monkeypatch.setattr(cli, "supervise", fake_supervise)
    with pytest.raises(Exec) as caught:
        cli.main(["serve", *args])
    return caught.value


def test_serve_port_sets_port_bind_and_base_url(monkeypatch, tmp_path, capsys) -> None:
    started = serve(monkeypatch, tmp_path, "--port", "8123")
    assert started.argv[-2:] == ["--bind", "127.0.0.1:8123"]
    assert started.environ["PORT"] == "8123"
    assert started.environ["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    assert "Console: http://127.0.0.1:8123/console" in capsys.readouterr().out


def test_serve_without_port_reads_port_and_a_given_base_url_is_kept(monkeypatch, tmp_path) -> None:
    started = serve(monkeypatch, tmp_path, PORT="8200")
    assert started.argv[-1] == "127.0.0.1:8200" and started.environ["PUBLIC_BASE_URL"] == "http://127.0.0.1:8200"
    kept = serve(monkeypatch, tmp_path, "--port", "8300", PUBLIC_BASE_URL="https://bot.shop.example")
    assert kept.environ["PUBLIC_BASE_URL"] == "https://bot.shop.example"
    other_host = serve(monkeypatch, tmp_path, "--host", "192.168.1.20", "--port", "8400")
    assert other_host.environ["PUBLIC_BASE_URL"] == "http://192.168.1.20:8400"


def test_serve_refuses_a_bad_port(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setattr(cli, "supervise", lambda *a: pytest.fail("gunicorn started with a bad port"))
    assert cli.main(["serve", "--port", "0"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_the_app_on_another_port_links_pictures_it_serves(tmp_path) -> None:
    settings = Settings.from_env({"PORT": "8123", "DATABASE_PATH": str(tmp_path / "d.sqlite3"),
                                  "ADMIN_TOKEN": "port-test-admin-token"})
    app = create_app({name: getattr(settings, name) for name in settings.__dataclass_fields__}, start_workers=False)
    try:
        product = app.extensions["dukkan"].store.product(262)
        assert product.image_url == "http://127.0.0.1:8123/media/products/262.png"
        response = app.test_client().get(product.image_url.removeprefix("http://127.0.0.1:8123"))
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data.startswith(PNG_MAGIC)
    finally:
        app.extensions["dukkan"].workers.stop()


def _until(deadline: float, probe: Callable[[], Any], what: str, why: Callable[[], str] = str) -> Any:
    """``probe()`` until it gives something, polling every 0.1 s; fail at ``deadline`` with ``why()``."""
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        threading.Event().wait(0.1)
    pytest.fail(f"timed out waiting for {what}\n{why()}")


def test_python_m_bot_serve_port_serves_the_pictures_it_links(tmp_path) -> None:
    """A real ``python -m bot serve --port N``: the WhatsApp details picture loads from port N."""
    port, token = free_port(), "serve-e2e-admin-token-7Qx"
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL", "REDIS_URL", "DUKKAN_ENV",
                                                             "STORE_BACKEND", "SEND_MODE", "PROMETHEUS_MULTIPROC_DIR")}
    env |= {"DATABASE_PATH": str(tmp_path / "dukkan.sqlite3"), "ADMIN_TOKEN": token, "WEB_CONCURRENCY": "1",
            "WORKER_THREADS": "1", "LOG_LEVEL": "WARNING"}
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + DEADLINE_S

    def healthy() -> bool:
        assert process.poll() is None, log.read_text()[-4000:]
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        _until(deadline, healthy, "the server", lambda: log.read_text()[-4000:])
        customer = {"platform": "whatsapp", "customer_id": "201001112223"}
        posted = requests.post(f"{base}/admin/api/simulate", json=customer | {"payload": "DETAILS:262"},
                               headers=auth, timeout=10)
        assert posted.status_code == 200, posted.text

        def picture() -> str:
            rows = requests.get(f"{base}/admin/api/conversation", params=customer, headers=auth, timeout=5).json()
            images = [r["body"]["image"]["link"] for r in rows["messages"] if r["body"].get("type") == "image"]
            return images[0] if images else ""

        link = _until(deadline, picture, "the details picture", lambda: log.read_text()[-4000:])
        assert link == f"{base}/media/products/262.png"
        image = requests.get(link, timeout=10)
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
        assert image.content.startswith(PNG_MAGIC)
    finally:
        process.terminate()
        process.wait(timeout=30)
