"""Settings from the environment, validated once (DESIGN.md, "Environment").

``Settings.from_env()`` collects every problem before failing, so ``python -m bot check-config``
can print them all; secrets are kept out of ``repr`` so they never reach a log.
"""

from __future__ import annotations

import math
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
# Production's floors for its secrets (Meta app secrets are 32 hex characters). The limit on wrong
# tokens slows guessing but cannot stop it (the right token must always work), so a secret must be
# beyond guessing: random-looking, long enough for a pessimistic estimate of 48 bits (32 random
# hex characters, a Meta app secret, never scored under 69 in 200,000 draws; keyboard walks and
# word-and-digits shapes score under 40).
SECRET_MIN_LENGTH = 16
SECRET_MIN_BITS = 48.0
# Keyboard rows: a key next to the previous one (qwerty, 1qaz, asdf) is a walk, not a choice.
_KEYBOARD = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_AT = {ch: (row, col) for row, keys in enumerate(_KEYBOARD) for col, ch in enumerate(keys)}
STRONG_SECRETS = ("META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN", "METRICS_TOKEN")
# Words a person picks for a "secret"; a value made of nothing else (digits and signs aside) is refused.
WEAK_WORDS = frozenset({
    "admin", "administrator", "app", "changeme", "default", "demo", "dev", "development", "dukkan",
    "facebook", "guest", "hello", "key", "letmein", "login", "master", "meta", "metrics", "pass",
    "passwd", "password", "private", "prod", "production", "qwerty", "root", "secret", "shop", "staging",
    "store", "test", "token", "user", "verify", "webhook", "welcome", "whatsapp",
})


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
        if production:
            for name in STRONG_SECRETS:
                weakness = secret_weakness(values[name.lower()])
                if weakness:
                    problems.append(f"{name} {weakness}")
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


def secret_weakness(value: str) -> str | None:
    """Why ``value`` is too weak for a production secret (the end of a ``config:`` line), or None.

    An empty value is not judged here (a missing secret has its own line). The value itself is
    never part of the answer, so it cannot reach a terminal or a log.
    """
    if not value:
        return None
    if len(value) < SECRET_MIN_LENGTH:
        return f"is too short for production: at least {SECRET_MIN_LENGTH} characters (got {len(value)})"
    if len(set(value)) == 1:
        return "is one character repeated"
    if _only_weak_words(value):
        return "is a common word (admin, password, secret, ...): use a random value"
    bits = estimated_entropy_bits(value)
    if bits < SECRET_MIN_BITS:
        return f"is too predictable for production: about {bits:.0f} bits, at least {SECRET_MIN_BITS:.0f}"
    return None


def _only_weak_words(value: str) -> bool:
    """True when the letters of ``value`` are only words of :data:`WEAK_WORDS` ("Admin-2024!")."""
    letters = "".join(ch for ch in value.lower() if ch.isalpha())
    if not letters:
        return False
    ends = {0}  # positions where a run of weak words can end
    for end in range(1, len(letters) + 1):
        if any(start in ends and letters[start:end] in WEAK_WORDS for start in range(end)):
            ends.add(end)
    return len(letters) in ends


def estimated_entropy_bits(value: str) -> float:
    """A pessimistic estimate of a secret's entropy, in bits.

    Only one copy of a repeated unit counts ("qwertyqwerty" is "qwerty"); a character that
    continues a run or a one-step sequence (aaaa, abcd, 9876), or a keyboard walk (qwerty, 1qaz),
    adds nothing; every other character adds the Shannon entropy of the unit's character
    frequencies.
    """
    unit = _repeating_unit(value)
    counts = [unit.count(ch) for ch in sorted(set(unit))]
    per_character = sum(n / len(unit) * math.log2(len(unit) / n) for n in counts)
    steps = [ord(b) - ord(a) for a, b in zip(unit, unit[1:])]
    predictable = sum(1 for before, step in zip(steps, steps[1:]) if step == before and abs(step) <= 1)
    walked = sum(1 for i, (a, b) in enumerate(zip(unit, unit[1:])) if abs(steps[i]) > 1 and _next_key(a, b))
    return per_character * (len(unit) - predictable - walked)


def _next_key(a: str, b: str) -> bool:
    """True when ``b`` is a keyboard neighbour of ``a`` (same or next row, next column)."""
    here, there = _KEY_AT.get(a.lower()), _KEY_AT.get(b.lower())
    if here is None or there is None or here == there:
        return False
    return abs(here[0] - there[0]) <= 1 and abs(here[1] - there[1]) <= 1


def _repeating_unit(value: str) -> str:
    """The shortest prefix that, repeated, makes ``value`` ("abcabcab" gives "abc")."""
    for size in range(1, len(value)):
        if all(value[i] == value[i % size] for i in range(size, len(value))):
            return value[:size]
    return value


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
