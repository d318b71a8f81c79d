"""Settings from the environment, validated once (DESIGN.md, "Environment").

``Settings.from_env()`` collects every problem before failing, so ``python -m bot check-config``
can print them all; secrets are kept out of ``repr`` so they never reach a log.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from bot.errors import ConfigError

DEV_APP_SECRET = "dev-secret"
DEV_VERIFY_TOKEN = "dukkan-dev"
DEFAULT_GRAPH_VERSION = "v25.0"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$")
_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


def print_problems(error: ConfigError) -> None:
    """Print each configuration problem as one ``config: ...`` line on stderr."""
    for problem in error.problems:
        print(f"config: {problem}", file=sys.stderr)


@dataclass(frozen=True)
class Settings:
    """Every setting of the service. Build with :meth:`from_env`; tests use :meth:`with_overrides`."""

    env: str = "development"
    meta_app_secret: str = field(default=DEV_APP_SECRET, repr=False)
    verify_token: str = field(default=DEV_VERIFY_TOKEN, repr=False)
    messenger_page_access_token: str = field(default="", repr=False)
    whatsapp_access_token: str = field(default="", repr=False)
    whatsapp_phone_number_id: str = ""
    messenger_inbox_app_id: str = ""
    send_mode: str = "console"
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = DEFAULT_GRAPH_VERSION
    store_backend: str = "demo"
    store_api_url: str = ""
    store_api_key: str = field(default="", repr=False)
    store_language: str = "ar"
    store_rate_limit: str = "60/minute"
    store_timeout_s: float = 5.0
    store_retries: int = 3
    store_budget_s: float = 4.0
    breaker_fail_max: int = 5
    breaker_reset_s: float = 60.0
    database_path: str = "var/dukkan.sqlite3"
    redis_url: str = field(default="", repr=False)
    redis_prefix: str = "dukkan:"
    admin_token: str = field(default="", repr=False)
    admin_token_generated: bool = False
    metrics_token: str = field(default="", repr=False)
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_format: str = "text"
    port: int = 8000
    proxy_hops: int = 0
    workers_per_process: int = 2
    handoff_timeout_s: float = 24 * 3600.0
    max_body_bytes: int = 4 * 1024 * 1024

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def store_rate(self) -> tuple[int, float]:
        """The store rate limit as (calls, period in seconds)."""
        calls, unit = _RATE.match(self.store_rate_limit).groups()  # validated in from_env
        return int(calls), _PERIODS[unit]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read and validate the environment; raise :class:`ConfigError` listing every problem."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        reader = _Reader(env, problems)
        mode = reader.choice("DUKKAN_ENV", ("development", "production"), "development")
        production = mode == "production"
        values: dict[str, Any] = {
            "env": mode,
            "meta_app_secret": reader.text("META_APP_SECRET", None if production else DEV_APP_SECRET),
            "verify_token": reader.text("VERIFY_TOKEN", None if production else DEV_VERIFY_TOKEN),
            "messenger_page_access_token": reader.text("MESSENGER_PAGE_ACCESS_TOKEN", ""),
            "whatsapp_access_token": reader.text("WHATSAPP_ACCESS_TOKEN", ""),
            "whatsapp_phone_number_id": reader.text("WHATSAPP_PHONE_NUMBER_ID", ""),
            "messenger_inbox_app_id": reader.text("MESSENGER_INBOX_APP_ID", ""),
            "send_mode": reader.choice("SEND_MODE", ("console", "graph"), "graph" if production else "console"),
            "graph_api_url": reader.url("GRAPH_API_URL", "https://graph.facebook.com"),
            "graph_api_version": reader.text("GRAPH_API_VERSION", DEFAULT_GRAPH_VERSION),
            "store_backend": reader.choice("STORE_BACKEND", ("demo", "bww"), "demo"),
            "store_api_url": reader.text("STORE_API_URL", ""),
            "store_api_key": reader.text("STORE_API_KEY", ""),
            "store_language": reader.choice("STORE_LANGUAGE", ("ar", "en"), "ar"),
            "store_rate_limit": reader.rate("STORE_RATE_LIMIT", "60/minute"),
            "store_timeout_s": reader.number("STORE_TIMEOUT_S", 5.0, float),
            "store_retries": reader.number("STORE_RETRIES", 3, int, minimum=0),
            "store_budget_s": reader.number("STORE_BUDGET_S", 4.0, float, minimum=0.5),
            "breaker_fail_max": reader.number("BREAKER_FAIL_MAX", 5, int, minimum=1),
            "breaker_reset_s": reader.number("BREAKER_RESET_S", 60.0, float),
            "database_path": reader.text("DATABASE_PATH", "var/dukkan.sqlite3"),
            "redis_url": reader.redis("REDIS_URL"),
            "redis_prefix": reader.text("REDIS_PREFIX", "dukkan:"),
            "admin_token": reader.text("ADMIN_TOKEN", None if production else ""),
            "metrics_token": reader.text("METRICS_TOKEN", ""),
            "public_base_url": reader.url("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            "log_level": reader.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", upper=True),
            "log_format": reader.choice("LOG_FORMAT", ("text", "json"), "text"),
            "port": reader.number("PORT", 8000, int, minimum=1),
            "proxy_hops": reader.number("PROXY_HOPS", 0, int),
            "workers_per_process": reader.number("WORKER_THREADS", 2, int, minimum=1),
            "handoff_timeout_s": reader.number("HANDOFF_TIMEOUT_S", 24 * 3600.0, float),
        }
        if values["store_backend"] == "bww" and not values["store_api_url"]:
            problems.append("STORE_API_URL is required when STORE_BACKEND=bww")
        if values["send_mode"] == "graph":
            if production and not values["messenger_page_access_token"] and not values["whatsapp_access_token"]:
                problems.append(
                    "MESSENGER_PAGE_ACCESS_TOKEN or WHATSAPP_ACCESS_TOKEN is required with SEND_MODE=graph"
                )
            if values["whatsapp_access_token"] and not values["whatsapp_phone_number_id"]:
                problems.append("WHATSAPP_PHONE_NUMBER_ID is required when WHATSAPP_ACCESS_TOKEN is set")
        if problems:
            raise ConfigError(problems)
        if not values["admin_token"]:
            values["admin_token"] = secrets.token_urlsafe(18)
            values["admin_token_generated"] = True
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> "Settings":
        """A copy with some values replaced (tests and the console)."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError([f"unknown setting {name}" for name in sorted(unknown)])
        return replace(self, **overrides)

    def graph_base(self) -> str:
        """The Graph API base with its version, e.g. ``https://graph.facebook.com/v25.0``."""
        return f"{self.graph_api_url.rstrip('/')}/{self.graph_api_version}"


class _Reader:
    """Reads typed values from the environment, collecting a line per problem."""

    def __init__(self, env: Mapping[str, str], problems: list[str]) -> None:
        self.env = env
        self.problems = problems

    def _raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return value.strip() if value is not None and value.strip() else None

    def text(self, name: str, default: str | None) -> str:
        value = self._raw(name)
        if value is None:
            if default is None:
                self.problems.append(f"{name} is required in production")
                return ""
            return default
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str, upper: bool = False) -> str:
        value = self._raw(name)
        if value is None:
            return default
        value = value.upper() if upper else value.lower()
        if value not in options:
            self.problems.append(f"{name} must be one of {', '.join(options)} (got {value!r})")
            return default
        return value

    def number(self, name: str, default: Any, kind: type, minimum: float = 0) -> Any:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = kind(value)
        except ValueError:
            self.problems.append(f"{name} must be a {'whole ' if kind is int else ''}number (got {value!r})")
            return default
        if number < minimum:
            self.problems.append(f"{name} must be at least {minimum} (got {value!r})")
            return default
        return number

    def url(self, name: str, default: str) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if not re.match(r"^https?://[^\s/]+", value):
            self.problems.append(f"{name} must be an http(s) URL (got {value!r})")
            return default
        return value

    def redis(self, name: str) -> str:
        value = self._raw(name)
        if value is None:
            return ""
        if not re.match(r"^(redis|rediss|unix)://", value):
            self.problems.append(f"{name} must be a redis://, rediss:// or unix:// URL")
            return ""
        return value

    def rate(self, name: str, default: str) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if not _RATE.match(value):
            self.problems.append(f"{name} must look like 60/minute (got {value!r})")
            return default
        return value


def development_admin_token(database_path: str) -> str:
    """The console token of a development run without ``ADMIN_TOKEN``, shared by every process.

    Kept beside the database (``admin-token``, mode 0600) and created once, atomically, so
    every gunicorn worker and ``make run`` print and accept the same token.
    """
    path = Path(database_path).resolve().parent / "admin-token"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as draft:
            draft.write(secrets.token_urlsafe(18))
        os.chmod(draft.name, 0o600)
        try:
            os.link(draft.name, path)  # fails when another process was first: its token wins
        except FileExistsError:
            pass
        finally:
            os.unlink(draft.name)
    return path.read_text().strip()
