"""Settings from the environment: defaults, validation, production's required secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_development_defaults_need_nothing():
    settings = Settings.from_env({})
    assert (settings.env, settings.send_mode, settings.store_backend) == ("development", "console", "demo")
    assert settings.meta_app_secret == "dev-secret" and settings.verify_token == "dukkan-dev"
    assert settings.admin_token and settings.admin_token_generated
    assert settings.graph_base() == "https://graph.facebook.com/v25.0"
    assert settings.store_rate == (60, 60.0)


def test_production_lists_every_missing_secret():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DUKKAN_ENV": "production"})
    problems = caught.value.problems
    for name in ("META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN", "MESSENGER_PAGE_ACCESS_TOKEN"):
        assert any(problem.startswith(name) for problem in problems), name


def test_production_with_its_secrets_starts():
    settings = Settings.from_env({
        "DUKKAN_ENV": "production", "META_APP_SECRET": "s", "VERIFY_TOKEN": "v", "ADMIN_TOKEN": "a",
        "WHATSAPP_ACCESS_TOKEN": "w", "WHATSAPP_PHONE_NUMBER_ID": "1",
    })
    assert settings.production and settings.send_mode == "graph" and not settings.admin_token_generated


@pytest.mark.parametrize(("name", "value"), [
    ("PORT", "eighty"), ("STORE_RATE_LIMIT", "lots"), ("SEND_MODE", "pigeon"), ("GRAPH_API_URL", "ftp://x"),
    ("BREAKER_FAIL_MAX", "0"), ("LOG_FORMAT", "xml"), ("STORE_BACKEND", "mongo"),
])
def test_an_invalid_value_names_its_variable(name, value):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    assert [problem.split()[0] for problem in caught.value.problems] == [name]


def test_bww_backend_needs_its_url():
    with pytest.raises(ConfigError, match="STORE_API_URL"):
        Settings.from_env({"STORE_BACKEND": "bww"})


def test_secrets_stay_out_of_repr():
    settings = Settings.from_env({"META_APP_SECRET": "very-secret-value", "ADMIN_TOKEN": "admin-secret-value"})
    assert "very-secret-value" not in repr(settings) and "admin-secret-value" not in repr(settings)


def run_bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DUKKAN", "META", "VERIFY", "ADMIN"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True)


def test_check_config_prints_one_line_per_problem():
    result = run_bot("check-config", env={"DUKKAN_ENV": "production", "PORT": "x"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 5 and all(line.startswith("config: ") for line in lines)
    assert any("PORT" in line for line in lines)


def test_check_config_ok_in_development(tmp_path):
    result = run_bot("check-config", env={"DATABASE_PATH": str(tmp_path / "x.sqlite3")})
    assert result.returncode == 0 and result.stdout.startswith("config ok")


def test_production_refuses_to_start_the_app():
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DUKKAN", "META", "VERIFY", "ADMIN"))}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=clean | {"DUKKAN_ENV": "production"},
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "config: META_APP_SECRET is required in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_development_run_without_a_token_shares_one_token_between_processes(tmp_path):
    database = str(tmp_path / "var" / "dukkan.sqlite3")
    code = "from bot.config import development_admin_token as t; import sys; print(t(sys.argv[1]))"
    tokens = {
        subprocess.run([sys.executable, "-c", code, database], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        for _ in range(3)
    }
    assert len(tokens) == 1 and len(tokens.pop()) >= 20
    assert oct((tmp_path / "var" / "admin-token").stat().st_mode & 0o777) == "0o600"
