"""Settings from the environment, validated once (DESIGN.md, "Environment").

``Settings.from_env()`` collects every problem before failing, so ``python -m bot check-config``
can print them all; secrets are kept out of ``repr`` so they never reach a log.
"""

from __future__ import annotations

import functools
import math
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

DEV_APP_SECRET = "dev-secret"
DEV_VERIFY_TOKEN = "dukkan-dev"
DEFAULT_GRAPH_VERSION = "v25.0"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$")
_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
# Production's floors for its secrets (Meta app secrets are 32 hex characters). The limit on wrong
# tokens slows guessing but cannot stop it (the right token must always work), so a secret must be
# beyond guessing: random, at least 20 characters and about 80 bits by a conservative estimate
# (estimated_entropy_bits) that prices common words, names' shapes, years, runs, keyboard walks
# and repeats at what it takes to guess them. Random secrets are far above it: no draw refused in
# 300,000 of secrets.token_hex(16) (lowest 95 bits) or 100,000 of token_urlsafe(32) (lowest 144);
# password-list shapes (iloveyou12345678, 1qaz2wsx3edc4rfv, mohamed123456789) score under 50.
SECRET_MIN_LENGTH = 20
SECRET_MIN_BITS = 80.0
SECRET_JUDGED_CHARS = 256  # a longer secret is judged on its first 256 characters (more only adds)
# Keyboard rows: a key next to the previous one (qwerty, 1qaz, asdf) is a walk, not a choice.
_KEYBOARD = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_AT = {ch: (row, col) for row, keys in enumerate(_KEYBOARD) for col, ch in enumerate(keys)}
# Words a person picks for a "secret"; a value made of nothing else (digits and signs aside) is refused.
WEAK_WORDS = frozenset({
    "admin", "administrator", "app", "changeme", "default", "demo", "dev", "development", "dukkan",
    "facebook", "guest", "hello", "key", "letmein", "login", "master", "meta", "metrics", "pass",
    "passwd", "password", "private", "prod", "production", "qwerty", "root", "secret", "shop", "staging",
    "store", "test", "token", "user", "verify", "webhook", "welcome", "whatsapp",
})


@dataclass(frozen=True)
class Secret:
    """One secret setting: read from ``env`` into ``Settings.<attribute>``, kept out of ``repr``
    and redacted from every log line (:func:`bot.logs.settings_secrets`).

    ``required``: production refuses to start without it (``dev_default`` is used in development);
    ``strong``: in production a value that is set must pass :func:`secret_weakness`.
    """

    env: str
    attribute: str
    required: bool = False
    strong: bool = False
    dev_default: str = ""


# The one list of secrets: Settings' repr, check-config and the logs' redaction all read it.
SECRETS = (
    Secret("META_APP_SECRET", "meta_app_secret", required=True, strong=True, dev_default=DEV_APP_SECRET),
    Secret("VERIFY_TOKEN", "verify_token", required=True, strong=True, dev_default=DEV_VERIFY_TOKEN),
    Secret("ADMIN_TOKEN", "admin_token", required=True, strong=True),
    Secret("METRICS_TOKEN", "metrics_token", strong=True),
    Secret("STAFF_WEBHOOK_SECRET", "staff_webhook_secret", strong=True),
    Secret("INSTAGRAM_APP_SECRET", "instagram_app_secret", strong=True),
    Secret("MESSENGER_PAGE_ACCESS_TOKEN", "messenger_page_access_token"),
    Secret("WHATSAPP_ACCESS_TOKEN", "whatsapp_access_token"),
    Secret("INSTAGRAM_ACCESS_TOKEN", "instagram_access_token"),
    Secret("STORE_API_KEY", "store_api_key"),
    Secret("REDIS_URL", "redis_url"),  # may carry the Redis password
)
SECRET_ATTRIBUTES = frozenset(secret.attribute for secret in SECRETS)
STRONG_SECRETS = tuple(secret.env for secret in SECRETS if secret.strong)
# Settings that work only together: (a setting, the one it needs, checked only with SEND_MODE=graph).
# A token without the account id it sends from sends nowhere; an account id without its token is a
# channel half set up. Which tokens exist is the channel registry's (each channel's send_api.token_env).
NEEDS = (
    ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", True),
    ("INSTAGRAM_ACCESS_TOKEN", "INSTAGRAM_ACCOUNT_ID", False),
    ("INSTAGRAM_ACCOUNT_ID", "INSTAGRAM_ACCESS_TOKEN", False),
)

CATALOG_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".json")


def catalog_path_problem(path: str) -> str | None:
    """Why ``path`` cannot be the catalog file (the end of a ``CATALOG_PATH ...`` line), or None.

    Only what the path says; the rows are read by the store (``python -m bot check-config`` too).
    """
    file = Path(path).expanduser()
    if file.suffix.lower() == ".xls":
        return f"{path!r} is an old Excel file (.xls): save it as .xlsx or .csv"
    if file.suffix.lower() not in CATALOG_SUFFIXES:
        return f"{path!r} must be a .csv, .xlsx or .json file"
    if not file.exists():
        return f"{path!r} does not exist"
    if not file.is_file():
        return f"{path!r} is not a file"
    if not os.access(file, os.R_OK):
        return f"{path!r} cannot be read (permissions)"
    return None


def print_problems(error: ConfigError) -> None:
    """Print each configuration problem as one ``config: ...`` line on stderr."""
    for problem in error.problems:
        print(f"config: {problem}", file=sys.stderr)


@dataclass(frozen=True, repr=False)
class Settings:
    """Every setting of the service. Build with :meth:`from_env`; tests use :meth:`with_overrides`.

    The attributes named in :data:`SECRETS` never appear in ``repr``.
    """

    env: str = "development"
    meta_app_secret: str = DEV_APP_SECRET
    verify_token: str = DEV_VERIFY_TOKEN
    messenger_page_access_token: str = ""
    whatsapp_access_token: str = ""
    whatsapp_phone_number_id: str = ""
    instagram_access_token: str = ""
    instagram_account_id: str = ""   # the Instagram professional account's id
    instagram_api_url: str = "https://graph.instagram.com"
    instagram_app_secret: str = ""   # optional; strong when set (production)
    messenger_inbox_app_id: str = ""
    send_mode: str = "console"
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = DEFAULT_GRAPH_VERSION
    store_backend: str = "demo"
    catalog_path: str = ""
    store_api_url: str = ""
    store_api_key: str = ""
    store_language: str = "ar"
    store_profile: str = ""        # the shop's profile (TOML); empty: the demo shop's
    store_rate_limit: str = "60/minute"
    store_timeout_s: float = 5.0
    store_retries: int = 3
    store_budget_s: float = 4.0
    breaker_fail_max: int = 5
    breaker_reset_s: float = 60.0
    database_path: str = "var/dukkan.sqlite3"
    redis_url: str = ""
    redis_prefix: str = "dukkan:"
    admin_token: str = ""
    admin_token_generated: bool = False
    metrics_token: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_format: str = "text"
    port: int = 8000
    proxy_hops: int = 0
    workers_per_process: int = 2
    typing_after_ms: int = 400
    # Inbox workers (and their housekeeping) inside each web process: true for a lone gunicorn;
    # false when ``python -m bot work`` processes answer (``serve`` and the Procfile's web set it).
    workers_in_web: bool = True
    worker_processes: int = 2      # ``python -m bot serve``: how many ``python -m bot work`` it starts
    # ``python -m bot work`` lowers its CPU priority by this much (os.nice), so the web processes'
    # acknowledgements keep their latency on cores the workers share; 0 leaves it as it is.
    worker_nice: int = 10
    handoff_timeout_s: float = 24 * 3600.0
    max_body_bytes: int = 4 * 1024 * 1024
    # Staff are told of new orders, cancellations, order changes, stock-alert requests and
    # hand-offs in the console; also, when set, by a signed POST to ``staff_webhook_url``
    # (``X-Dukkan-Signature-256``: HMAC-SHA256 with ``staff_webhook_secret``) and by a WhatsApp
    # or Messenger message to ``staff_whatsapp`` / ``staff_psid``: only while that staff member
    # wrote to the bot in the last 24 hours (Meta's window), else skipped (bot.staff_notify).
    staff_webhook_url: str = ""
    staff_webhook_secret: str = ""
    staff_whatsapp: str = ""       # a WhatsApp number, digits with the country code (201001234567)
    staff_psid: str = ""           # a Messenger page-scoped id of a staff member

    def __repr__(self) -> str:
        shown = (f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name not in SECRET_ATTRIBUTES)
        return f"Settings({', '.join(shown)})"

    def secret_values(self) -> tuple[str, ...]:
        """The values of the secrets of :data:`SECRETS` that are set (for the logs' redaction)."""
        values = (getattr(self, secret.attribute) for secret in SECRETS)
        return tuple(value for value in values if value)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def store_rate(self) -> tuple[int, float]:
        """The store rate limit as (calls, period in seconds)."""
        matched = _RATE.match(self.store_rate_limit)
        if matched is None:  # from_env refuses such a value; with_overrides does not check
            raise ConfigError([f"STORE_RATE_LIMIT must look like 60/minute (got {self.store_rate_limit!r})"])
        calls, unit = matched.groups()
        return int(calls), _PERIODS[unit]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the environment; raise :class:`ConfigError` listing every problem."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        reader = _Reader(env, problems)
        mode = reader.choice("DUKKAN_ENV", ("development", "production"), "development")
        production = mode == "production"
        port = reader.number("PORT", 8000, int, minimum=1)
        values: dict[str, Any] = {
            "env": mode,
            **{secret.attribute: reader.text(secret.env, None if production and secret.required else secret.dev_default)
               for secret in SECRETS if secret.env != "REDIS_URL"},
            "whatsapp_phone_number_id": reader.text("WHATSAPP_PHONE_NUMBER_ID", ""),
            "instagram_account_id": reader.text("INSTAGRAM_ACCOUNT_ID", ""),
            "instagram_api_url": reader.url("INSTAGRAM_API_URL", "https://graph.instagram.com"),
            "messenger_inbox_app_id": reader.text("MESSENGER_INBOX_APP_ID", ""),
            "send_mode": reader.choice("SEND_MODE", ("console", "graph"), "graph" if production else "console"),
            "graph_api_url": reader.url("GRAPH_API_URL", "https://graph.facebook.com"),
            "graph_api_version": reader.text("GRAPH_API_VERSION", DEFAULT_GRAPH_VERSION),
            "store_backend": reader.choice("STORE_BACKEND", ("demo", "bww", "file"), "demo"),
            "catalog_path": reader.text("CATALOG_PATH", ""),
            "store_api_url": reader.text("STORE_API_URL", ""),
            "store_language": reader.choice("STORE_LANGUAGE", ("ar", "en"), "ar"),
            "store_profile": reader.text("STORE_PROFILE", ""),
            "store_rate_limit": reader.rate("STORE_RATE_LIMIT", "60/minute"),
            "store_timeout_s": reader.number("STORE_TIMEOUT_S", 5.0, float),
            "store_retries": reader.number("STORE_RETRIES", 3, int, minimum=0),
            "store_budget_s": reader.number("STORE_BUDGET_S", 4.0, float, minimum=0.5),
            "breaker_fail_max": reader.number("BREAKER_FAIL_MAX", 5, int, minimum=1),
            "breaker_reset_s": reader.number("BREAKER_RESET_S", 60.0, float),
            "database_path": reader.text("DATABASE_PATH", "var/dukkan.sqlite3"),
            "redis_url": reader.redis("REDIS_URL"),
            "redis_prefix": reader.text("REDIS_PREFIX", "dukkan:"),
            # unset: this machine on the port served, so the demo's product pictures load under any PORT
            "public_base_url": reader.url("PUBLIC_BASE_URL", local_base_url(port)).rstrip("/"),
            "log_level": reader.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", upper=True),
            "log_format": reader.choice("LOG_FORMAT", ("text", "json"), "text"),
            "port": port,
            "proxy_hops": reader.number("PROXY_HOPS", 0, int),
            "workers_per_process": reader.number("WORKER_THREADS", 2, int, minimum=1),
            "typing_after_ms": reader.number("TYPING_AFTER_MS", 400, int),
            "workers_in_web": reader.choice("WORKERS_IN_WEB", ("true", "false"), "true") == "true",
            "worker_processes": reader.number("WORKER_PROCESSES", 2, int, minimum=1),
            "worker_nice": reader.number("WORKER_NICE", 10, int),
            "handoff_timeout_s": reader.number("HANDOFF_TIMEOUT_S", 24 * 3600.0, float),
            "staff_webhook_url": reader.url("STAFF_WEBHOOK_URL", ""),
            "staff_whatsapp": reader.digits("STAFF_WHATSAPP", 8, 15),
            "staff_psid": reader.digits("STAFF_PSID", 5, 32),
        }
        if values["staff_webhook_url"] and not values["staff_webhook_secret"]:
            problems.append("STAFF_WEBHOOK_SECRET is required when STAFF_WEBHOOK_URL is set (it signs every POST)")
        if production and values["staff_webhook_url"].startswith("http://"):
            problems.append("STAFF_WEBHOOK_URL must be an https:// URL in production")
        if values["store_backend"] == "bww" and not values["store_api_url"]:
            problems.append("STORE_API_URL is required when STORE_BACKEND=bww")
        if values["store_backend"] == "file":
            if not values["catalog_path"]:
                problems.append("CATALOG_PATH is required when STORE_BACKEND=file (a .csv, .xlsx or .json file)")
            else:
                problem = catalog_path_problem(values["catalog_path"])
                if problem:
                    problems.append(f"CATALOG_PATH {problem}")
                # absolute (gunicorn runs from the project's folder), a symlink kept: re-pointing it is a change
                values["catalog_path"] = os.path.abspath(os.path.expanduser(values["catalog_path"]))
        if values["store_profile"]:  # the shop's profile: every problem, each with its line
            from bot.store.profile import profile_problems

            values["store_profile"] = str(Path(values["store_profile"]).expanduser().resolve())
            problems.extend(profile_problems(values["store_profile"]))
        problems.extend(_channel_problems(values, production))
        if production:
            for secret in SECRETS:
                weakness = secret_weakness(values[secret.attribute]) if secret.strong else None
                if weakness:
                    problems.append(f"{secret.env} {weakness}")
        if problems:
            raise ConfigError(problems)
        if not values["admin_token"]:
            values["admin_token"] = secrets.token_urlsafe(18)
            values["admin_token_generated"] = True
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some values replaced (tests and the console)."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError([f"unknown setting {name}" for name in sorted(unknown)])
        return replace(self, **overrides)

    def graph_base(self) -> str:
        """The Graph API base with its version, e.g. ``https://graph.facebook.com/v25.0``."""
        return f"{self.graph_api_url.rstrip('/')}/{self.graph_api_version}"


def channel_token_envs() -> tuple[str, ...]:
    """Every channel's token variable, in the registry's order (read there: config names no platform)."""
    from bot.channels.registry import channels

    return tuple(found.send_api.token_env for found in channels())


def _channel_problems(values: Mapping[str, Any], production: bool) -> list[str]:
    """The channels' credentials: with ``SEND_MODE=graph`` in production, at least one channel's
    token; then every pair of :data:`NEEDS`."""
    problems = []
    graph = values["send_mode"] == "graph"
    tokens = channel_token_envs()
    if graph and production and not any(values.get(token.lower()) for token in tokens):
        problems.append(f"{', '.join(tokens[:-1])} or {tokens[-1]} is required with SEND_MODE=graph (one of them)")
    for setting, needed, graph_only in NEEDS:
        if values[setting.lower()] and not values[needed.lower()] and (graph or not graph_only):
            problems.append(f"{needed} is required when {setting} is set")
    return problems


def local_base_url(port: int, host: str = "127.0.0.1") -> str:
    """``http://<host>:<port>``: the default ``PUBLIC_BASE_URL`` (links and demo pictures) of a local run.

    A wildcard bind address (``0.0.0.0``, ``::``) is reached on 127.0.0.1.
    """
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host
    return f"http://{f'[{host}]' if ':' in host and not host.startswith('[') else host}:{int(port)}"


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
    """A conservative estimate of a secret's entropy, in bits: log2 of the guesses it takes.

    The value is read as the cheapest sequence of pieces (as password crackers and zxcvbn do),
    each priced at what it takes to guess it:

    * a common English word or a word of :data:`WEAK_WORDS`: log2 of its frequency rank, plus
      its capitals;
    * a year (19xx, 20xx, not inside a longer number): log2(200);
    * a run or one-step sequence of three or more (aaa, abcd, 9876), or a keyboard walk of four
      or more (qwer, 1qaz; not in a hexadecimal value, where they come by chance): its first
      character, its length and one bit;
    * a repeat of an earlier piece: where it was and how long;
    * a letter run shaped like a word (Khaled, CAIRO, shop): 26 letters each, one bit for the
      shape;
    * else one character: log2 of its class (10 digits; 26 letters, 52 when the value mixes
      capitals and small letters; 33 signs, 1 bit for the sign used last), or 4 bits in a
      hexadecimal value (digits and a-f letters of one case).

    Random characters keep nearly all their bits; words, names, dates, keyboard patterns and
    repeats keep few.
    """
    text = value[:SECRET_JUDGED_CHARS]
    lower, words, size = text.lower(), _common_words(), len(text)
    hexadecimal = _HEX.fullmatch(text) is not None  # 16 symbols, digits as likely as letters
    both_cases = any(ch.isupper() for ch in text) and any(ch.islower() for ch in text)
    best = [0.0] + [math.inf] * size  # best[i]: the cheapest reading of text[:i]

    def reach(end: int, bits: float) -> None:
        best[end] = min(best[end], bits)

    last_sign = ""
    for i in range(size):
        here = best[i]
        reach(i + 1, here + (4.0 if hexadecimal else _character_bits(text[i], both_cases)))
        if _is_sign(text[i]):
            if text[i] == last_sign:  # the separator used before ("ahmed_khaled_cairo")
                reach(i + 1, here + 1)
            last_sign = text[i]
        for end in range(i + 3, min(size, i + _LONGEST_WORD) + 1):
            rank = words.get(lower[i:end])
            if rank is not None:
                reach(end, here + math.log2(rank + 2) + _capital_bits(text[i:end]))
        if _YEAR.match(text, i):
            reach(i + 4, here + math.log2(200))
        shaped = _SHAPED_LETTERS.match(text, i) if both_cases else None
        if shaped:  # "Khaled", "CAIRO", "shop" in a value with both cases: the case is no guess
            for end in range(i + 3, shaped.end() + 1):
                reach(end, here + (end - i) * math.log2(26) + 1)
        run_end, walk_end = _pattern_ends(text, i)
        walk_end = i if hexadecimal else walk_end  # hex letters neighbour hex digits: walks are chance
        for end in [*range(i + 3, run_end + 1), *range(i + 4, walk_end + 1)]:
            reach(end, here + _character_bits(text[i], both_cases) + math.log2(end - i) + 1)
        for end in range(i + 3, min(size, i + 64) + 1):
            if text.find(text[i:end], 0, end - 1) < 0:  # not seen before position i
                break
            reach(end, here + math.log2(i * (end - i)))
    return best[size]


_LONGEST_WORD = 24
_HEX = re.compile(r"(?=.*\d)(?=.*[a-f])[0-9a-f]+|(?=.*\d)(?=.*[A-F])[0-9A-F]+")
_SHAPED_LETTERS = re.compile(r"[A-Z]?[a-z]{2,}|[A-Z]{3,}")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")  # not inside a longer number


def _character_bits(ch: str, both_cases: bool = False) -> float:
    """log2 of the size of ``ch``'s class: 10 digits, 33 signs, 26 letters (52 in a value that
    mixes capitals and small letters; any other character counts as a letter)."""
    if ch.isdecimal():
        return math.log2(10)
    if _is_sign(ch):
        return math.log2(33)
    return math.log2(52 if both_cases else 26)


def _is_sign(ch: str) -> bool:
    return ch.isascii() and not ch.isalnum()


def _capital_bits(word: str) -> float:
    """Guesses for a word's capitals: none, the first or all (1 bit), else one bit a letter."""
    if word.islower():
        return 0.0
    if word.isupper() or word[1:].islower():
        return 1.0
    return float(len(word))


def _pattern_ends(text: str, start: int) -> tuple[int, int]:
    """Where the longest run or one-step sequence, and the longest keyboard walk, from ``start`` end."""
    if start + 1 >= len(text):
        return start + 1, start + 1
    step = ord(text[start + 1]) - ord(text[start])
    end = start + 1
    if abs(step) <= 1:
        while end < len(text) and ord(text[end]) - ord(text[end - 1]) == step:
            end += 1
    walk = start + 1
    while walk < len(text) and _next_key(text[walk - 1], text[walk]):
        walk += 1
    return end, walk


@functools.lru_cache(maxsize=1)
def _common_words() -> dict[str, int]:
    """Common English words (wordfreq's small list, by frequency rank) and :data:`WEAK_WORDS` first."""
    from wordfreq import top_n_list

    ranked = sorted(WEAK_WORDS) + top_n_list("en", 50_000, wordlist="small")
    words: dict[str, int] = {}
    for word in ranked:
        if 3 <= len(word) <= _LONGEST_WORD and word.isascii() and word.isalpha():
            words.setdefault(word, len(words))
    return words


def _next_key(a: str, b: str) -> bool:
    """True when ``b`` is a keyboard neighbour of ``a`` (same or next row, next column)."""
    here, there = _KEY_AT.get(a.lower()), _KEY_AT.get(b.lower())
    if here is None or there is None or here == there:
        return False
    return abs(here[0] - there[0]) <= 1 and abs(here[1] - there[1]) <= 1


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

    def digits(self, name: str, shortest: int, longest: int) -> str:
        """An id made of digits (a phone number with its country code, a PSID); spaces, dashes
        and a leading + are dropped."""
        value = self._raw(name)
        if value is None:
            return ""
        cleaned = re.sub(r"[\s-]", "", value).removeprefix("+")
        if not (cleaned.isascii() and cleaned.isdigit() and shortest <= len(cleaned) <= longest):
            self.problems.append(f"{name} must be {shortest}-{longest} digits (got {len(cleaned)} characters)")
            return ""
        return cleaned

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
