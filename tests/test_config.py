"""Settings from the environment: defaults, validation, production's required secrets."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SECRET_MIN_BITS, Settings, _common_words, estimated_entropy_bits, secret_weakness
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
# Strong production secrets (what `python -c "import secrets; print(secrets.token_hex(16))"` gives).
STRONG = {
    "META_APP_SECRET": "5f0c2b9e81d4a7363e9f1c0b2a8d4e67",
    "VERIFY_TOKEN": "FjtTXHdcVletM44pX9CFAFSCSwkP_KYP",
    "ADMIN_TOKEN": "tguYb_dABJ5VsIPAqLCqpVd6eBbcGSPZ",
}
PRODUCTION = {"DUKKAN_ENV": "production", "WHATSAPP_ACCESS_TOKEN": "w", "WHATSAPP_PHONE_NUMBER_ID": "1", **STRONG}


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
    settings = Settings.from_env(PRODUCTION)
    assert settings.production and settings.send_mode == "graph" and not settings.admin_token_generated
    assert settings.admin_token == STRONG["ADMIN_TOKEN"]


WEAK = {
    "short": ("s3cr3t-Tq9", "is too short for production: at least 20 characters (got 10)"),
    "one character": ("x" * 32, "is one character repeated"),
    "a word": ("Admin-2024!!!!!!!!!!!", "is a common word (admin, password, secret, ...): use a random value"),
    "two words": ("ChangeMe-Password-2024", "is a common word (admin, password, secret, ...): use a random value"),
    "a sequence": ("abcdefghijklmnopqrstuvwxyz", "is too predictable for production: about 10 bits, at least 80"),
    "a repeated unit": ("Zq81Zq81Zq81Zq81Zq81", "is too predictable for production: about 24 bits, at least 80"),
    "words and a year": ("dukkan-shop-cairo-2024", "is too predictable for production: about 36 bits, at least 80"),
    "a passphrase": ("correct-horse-battery-staple", "is too predictable for production: about 53 bits, at least 80"),
}


@pytest.mark.parametrize("name", ["META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN"])
@pytest.mark.parametrize("kind", sorted(WEAK))
def test_production_refuses_a_weak_secret_with_one_line_that_does_not_show_it(name, kind):
    value, why = WEAK[kind]
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(PRODUCTION | {name: value})
    assert caught.value.problems == [f"{name} {why}"]
    assert value not in str(caught.value)


def test_every_weak_production_secret_gets_its_own_line():
    weak = {"DUKKAN_ENV": "production", "META_APP_SECRET": "x", "VERIFY_TOKEN": "admin", "ADMIN_TOKEN": "admin",
            "METRICS_TOKEN": "password", "WHATSAPP_ACCESS_TOKEN": "w", "WHATSAPP_PHONE_NUMBER_ID": "1"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(weak)
    assert [problem.split()[0] for problem in caught.value.problems] == [
        "META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN"]


def test_production_accepts_a_strong_metrics_token_and_no_metrics_token():
    assert Settings.from_env(PRODUCTION).metrics_token == ""
    assert Settings.from_env(PRODUCTION | {"METRICS_TOKEN": "qj5Gf2FriX6sKXJID0xpu6YCnbXWVrMf"}).metrics_token


def test_development_keeps_its_weak_defaults_and_accepts_weak_values():
    settings = Settings.from_env({"ADMIN_TOKEN": "admin", "METRICS_TOKEN": "x", "META_APP_SECRET": "x"})
    assert settings.admin_token == "admin" and settings.meta_app_secret == "x"
    assert Settings.from_env({}).verify_token == "dukkan-dev"


@pytest.mark.parametrize("value", [
    "5f0c2b9e81d4a7363e9f1c0b2a8d4e67", "vly-LPqp9sPDPzUlR_2oBa6x", "wE2e-rrr-5pc1lmlaq6UBeShrEl4lPnM",
    "48119302756041827733940561930275",
])
def test_random_secrets_pass(value):
    assert secret_weakness(value) is None
    assert estimated_entropy_bits(value) >= SECRET_MIN_BITS


def test_the_entropy_estimate_prices_runs_walks_words_years_and_repeats_at_their_guesses():
    letter, digit = math.log2(26), math.log2(10)
    assert estimated_entropy_bits("k") == letter and estimated_entropy_bits("7") == digit
    assert estimated_entropy_bits("kq7x") == 3 * letter + digit  # random characters keep their bits
    assert estimated_entropy_bits("abcdefgh") == estimated_entropy_bits("hgfedcba") == letter + math.log2(8) + 1
    assert estimated_entropy_bits("aaaaaaaa") < 10 and estimated_entropy_bits("qwertyui") < 10  # a run, a walk
    assert estimated_entropy_bits("1qaz") == digit + 2 + 1
    assert estimated_entropy_bits("2024") == math.log2(200)  # a year
    assert estimated_entropy_bits("password") == math.log2(_common_words()["password"] + 2) < 6  # a weak word first
    assert estimated_entropy_bits("Password") == estimated_entropy_bits("password") + 1
    assert estimated_entropy_bits("k7Qx9k7Qx9") < estimated_entropy_bits("k7Qx9") + 7  # a repeat: where and how long


@pytest.mark.parametrize("value", [
    "iloveyou12345678", "qwertyuiopasdfgh", "1qaz2wsx3edc4rfv", "mohamed123456789", "P@ssw0rd12345678",
    "ahmed.mohamed1990", "Mohamed@2024Cairo", "iloveyoumohamed1", "ILoveMyShop2024!", "mySecretToken2024",
])
def test_password_list_shapes_score_far_under_the_floor_whatever_their_length(value):
    assert estimated_entropy_bits(value) < 50
    assert estimated_entropy_bits(value * 2) < 60 and secret_weakness(value * 2) is not None


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


OURS = ("DUKKAN", "META", "VERIFY", "ADMIN")  # the environment variables a run of the bot must not inherit


def run_bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OURS)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True)


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
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OURS)}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=clean | {"DUKKAN_ENV": "production"},
        capture_output=True, text=True,
    )
    assert result.returncode == 3  # gunicorn's boot-error exit: the master halts instead of rebooting it
    assert "config: META_APP_SECRET is required in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_names_a_weak_admin_token_without_showing_it():
    result = run_bot("check-config", env=PRODUCTION | {"ADMIN_TOKEN": "changeme"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "config: ADMIN_TOKEN is too short for production: at least 20 characters (got 8)"]
    assert "changeme" not in result.stderr + result.stdout


def test_a_development_run_without_a_token_shares_one_token_between_processes(tmp_path):
    database = str(tmp_path / "var" / "dukkan.sqlite3")
    code = "from bot.config import development_admin_token as t; import sys; print(t(sys.argv[1]))"
    tokens = {
        subprocess.run([sys.executable, "-c", code, database], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        for _ in range(3)
    }
    assert len(tokens) == 1 and len(tokens.pop()) >= 20
    assert oct((tmp_path / "var" / "admin-token").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("value", ["iloveyou12345678", "qwertyuiopasdfgh", "1qaz2wsx3edc4rfv", "mohamed123456789",
                                   "zxcvbnmasdfghjkl"])
def test_keyboard_walks_and_word_and_digits_shapes_are_refused(value):
    assert secret_weakness(value) is not None


def test_random_secrets_of_the_documented_shapes_pass():
    import secrets as random_secrets

    assert all(secret_weakness(random_secrets.token_hex(16)) is None for _ in range(2000))
    assert all(secret_weakness(random_secrets.token_urlsafe(32)) is None for _ in range(2000))


# --------------------------------------------------------------------------- Instagram and the one list of secrets

INSTAGRAM = {"INSTAGRAM_ACCESS_TOKEN": "IGAAtoken123", "INSTAGRAM_ACCOUNT_ID": "17841400000000001"}


def test_instagram_settings_are_read_with_their_defaults():
    assert Settings.from_env({}).instagram_api_url == "https://graph.instagram.com"
    settings = Settings.from_env(INSTAGRAM | {"INSTAGRAM_API_URL": "http://127.0.0.1:9000"})
    assert (settings.instagram_access_token, settings.instagram_account_id) == ("IGAAtoken123", "17841400000000001")
    assert settings.instagram_api_url == "http://127.0.0.1:9000" and settings.instagram_app_secret == ""


def test_instagram_api_url_is_checked_like_the_graph_api_url():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"INSTAGRAM_API_URL": "graph.instagram.com"})
    assert caught.value.problems == ["INSTAGRAM_API_URL must be an http(s) URL (got 'graph.instagram.com')"]


def test_production_graph_mode_is_content_with_only_an_instagram_token():
    only_instagram = {key: value for key, value in PRODUCTION.items() if not key.startswith("WHATSAPP")}
    settings = Settings.from_env(only_instagram | INSTAGRAM)
    assert settings.send_mode == "graph" and settings.instagram_access_token == "IGAAtoken123"


def test_production_graph_mode_without_any_channel_token_names_the_three():
    only_secrets = {"DUKKAN_ENV": "production", **STRONG}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(only_secrets)
    assert caught.value.problems == [
        "MESSENGER_PAGE_ACCESS_TOKEN, WHATSAPP_ACCESS_TOKEN or INSTAGRAM_ACCESS_TOKEN is required with SEND_MODE=graph"
        " (one of them)"]


@pytest.mark.parametrize(("given", "problem"), [
    ("INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_ACCOUNT_ID is required when INSTAGRAM_ACCESS_TOKEN is set"),
    ("INSTAGRAM_ACCOUNT_ID", "INSTAGRAM_ACCESS_TOKEN is required when INSTAGRAM_ACCOUNT_ID is set"),
])
def test_an_instagram_token_without_its_account_or_the_reverse_is_a_problem(given, problem):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({given: INSTAGRAM[given]})
    assert caught.value.problems == [problem]


def test_the_instagram_app_secret_is_optional_and_strong_when_set_in_production():
    assert Settings.from_env(PRODUCTION).instagram_app_secret == ""
    assert Settings.from_env({"INSTAGRAM_APP_SECRET": "short"}).instagram_app_secret == "short"  # development
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(PRODUCTION | {"INSTAGRAM_APP_SECRET": "short"})
    assert caught.value.problems == ["INSTAGRAM_APP_SECRET is too short for production: at least 20 characters (got 5)"]
    strong = "9c1f4e7a2b8d0c3f6e5a1b2c7d8e9f03"
    assert Settings.from_env(PRODUCTION | {"INSTAGRAM_APP_SECRET": strong}).instagram_app_secret == strong


def test_the_declared_secrets_are_the_settings_kept_out_of_repr_and_judged_in_production():
    from dataclasses import fields

    from bot.config import SECRETS, STRONG_SECRETS

    attributes = {field.name for field in fields(Settings)}
    assert {secret.attribute for secret in SECRETS} <= attributes
    assert {secret.env for secret in SECRETS} >= {
        "META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN", "STAFF_WEBHOOK_SECRET",
        "MESSENGER_PAGE_ACCESS_TOKEN", "WHATSAPP_ACCESS_TOKEN", "INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_APP_SECRET",
        "STORE_API_KEY", "REDIS_URL"}
    assert [secret.env for secret in SECRETS if secret.required] == ["META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN"]
    assert STRONG_SECRETS == ("META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN",
                              "STAFF_WEBHOOK_SECRET", "INSTAGRAM_APP_SECRET")
    settings = Settings.from_env(INSTAGRAM | {"INSTAGRAM_APP_SECRET": "ig-app-secret-value",
                                              "REDIS_URL": "redis://:redis-password@localhost:6379/0"})
    shown = repr(settings)
    assert "IGAAtoken123" not in shown and "ig-app-secret-value" not in shown and "redis-password" not in shown
    assert "instagram_account_id='17841400000000001'" in shown


def test_the_channel_tokens_config_asks_for_are_the_registry_s(monkeypatch):
    import bot.config
    from bot.channels.registry import channels

    assert bot.config.channel_token_envs() == tuple(found.send_api.token_env for found in channels())
    monkeypatch.setattr(bot.config, "channel_token_envs", lambda: ("A_TOKEN", "B_TOKEN", "C_TOKEN"))
    monkeypatch.setattr(bot.config, "NEEDS", ())
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DUKKAN_ENV": "production", **STRONG, "WHATSAPP_ACCESS_TOKEN": "EAAtoken"})
    assert caught.value.problems == ["A_TOKEN, B_TOKEN or C_TOKEN is required with SEND_MODE=graph (one of them)"]


def test_a_whatsapp_token_without_its_phone_number_id_is_a_problem_only_when_sending_through_graph():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"SEND_MODE": "graph", "WHATSAPP_ACCESS_TOKEN": "EAAtoken"})
    assert caught.value.problems == ["WHATSAPP_PHONE_NUMBER_ID is required when WHATSAPP_ACCESS_TOKEN is set"]
    assert Settings.from_env({"SEND_MODE": "console", "WHATSAPP_ACCESS_TOKEN": "EAAtoken"}).send_mode == "console"
