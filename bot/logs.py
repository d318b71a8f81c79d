"""Logging: text or one JSON object a line, with secrets and phone numbers redacted everywhere.

Two filters sit on the one handler :func:`configure_logging` installs on the root logger, so they
see every record of every logger that propagates:

* :class:`ContextFilter` stamps each record with the fields bound by :func:`log_context`
  (``request_id`` in the webhook, ``event_id`` and ``message_id`` in the inbox workers). The fields
  live in a :mod:`contextvars` variable, so threads and requests never see each other's ids.
* :class:`RedactingFilter` renders the message once and removes known secrets, tokens
  (``EAA…``, ``access_token=…``, ``Bearer …``, ``X-API-PASSWORD``) and Egyptian mobile numbers in
  every form customers and platforms write them (``01…``, ``+201…``, ``00201…``, WhatsApp's
  ``201…`` ids, with spaces or dashes, in Western or Arabic-Indic digits), the exception text too.

gunicorn's own loggers (``gunicorn.access`` logs query strings) get the redacting filter as well.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

from bot.config import Settings

__all__ = [
    "ContextFilter",
    "JsonFormatter",
    "RedactingFilter",
    "bind",
    "configure_logging",
    "current_context",
    "log_context",
    "redact",
    "settings_secrets",
    "unbind",
]

REDACTED = "[redacted]"
CONTEXT_FIELDS = ("request_id", "event_id", "message_id")
_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("dukkan_log_context", default={})

# One digit in Western, Arabic-Indic and Eastern Arabic-Indic (Persian) forms; ``\d`` already
# matches all of them, the classes are for the digits that must be exact.
_ZERO, _ONE, _TWO = "[0٠۰]", "[1١۱]", "[2٢۲]"
_OPERATOR = "[0125٠١٢٥۰۱۲۵]"
_SEP = "[ \u00a0-]?"
# 01x xxxx xxxx with an optional country code (+20, 0020, or WhatsApp's bare 20) and the common
# mistakes (+20 010…); a single space or dash may sit between any two digits.
_MOBILE = (
    rf"(?<!\d)(?:(?:\+|{_ZERO}{_ZERO}){_SEP})?(?:{_TWO}{_SEP})?(?:{_ZERO}{_SEP}){{0,2}}"
    rf"{_ONE}{_SEP}{_OPERATOR}(?:{_SEP}\d){{8}}(?!\d)"
)
_SECRET_KEYS = r"access_token|app_?secret|verify_token|api_?key|password|secret|token"
PATTERNS = [
    # key=value, key: value, "key": "value" (URLs, headers, dict reprs, JSON)
    re.compile(
        rf"((?:[\w.-]*?(?:{_SECRET_KEYS})|X-API-PASSWORD)['\"]?\s*[:=]\s*['\"]?)[^\s&'\",;)}}\[\]]+",
        re.IGNORECASE,
    ),
    re.compile(r"((?:Bearer|Basic)\s+)[^\s&'\",;\[]+", re.IGNORECASE),
    re.compile(r"()\bEAA[A-Za-z0-9]{10,}"),
    # user:password@ in URLs (REDIS_URL, STORE_API_URL)
    re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)", re.IGNORECASE),
    re.compile(rf"(){_MOBILE}"),
]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with tokens, known secrets and Egyptian mobile numbers replaced by ``[redacted]``.

    Secrets shorter than 6 characters are left alone: replacing them would mangle ordinary text.
    """
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    for pattern in PATTERNS:
        text = pattern.sub(_keep_prefix, text)
    return text


def _keep_prefix(match: re.Match[str]) -> str:
    return match.group(1) + REDACTED


def settings_secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret value of ``settings`` that is set."""
    values = (
        settings.meta_app_secret, settings.verify_token, settings.messenger_page_access_token,
        settings.whatsapp_access_token, settings.store_api_key, settings.admin_token,
        getattr(settings, "metrics_token", ""), getattr(settings, "redis_url", ""),
    )
    return tuple(value for value in values if value)


# --------------------------------------------------------------------------- context


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` (e.g. ``request_id=...``) to every record logged inside the block.

    Nested blocks add to the outer fields; a value of None removes a field for the block.
    """
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def bind(**fields: Any) -> contextvars.Token[dict[str, Any]]:
    """Add ``fields`` to the log context until :func:`unbind` (for hooks that cannot use a block)."""
    merged = {**_context.get(), **fields}
    return _context.set({key: value for key, value in merged.items() if value is not None})


def unbind(token: contextvars.Token[dict[str, Any]]) -> None:
    """Restore the log context :func:`bind` replaced."""
    _context.reset(token)


def current_context() -> dict[str, Any]:
    """The fields bound by the enclosing :func:`log_context` blocks."""
    return dict(_context.get())


class ContextFilter(logging.Filter):
    """Copies the bound context fields onto each record (``record.request_id`` ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get()
        for key, value in fields.items():
            if not hasattr(record, key):
                setattr(record, key, value)
        record.context = "".join(f" {key}={value}" for key, value in fields.items())
        return True


class RedactingFilter(logging.Filter):
    """Renders each record's message once and redacts it, with its exception and stack text."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, context fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    """The classic line with the context fields appended (``... request_id=ab12``)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "context"):
            record.context = ""
        return super().format(record)


def configure_logging(settings: Settings) -> None:
    """Set the root logger up once for the process (idempotent)."""
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    handler = next((h for h in root.handlers if getattr(h, "dukkan", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.dukkan = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    redacting = RedactingFilter(settings_secrets(settings))
    handler.filters = [ContextFilter(), redacting]
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else _TextFormatter())
    # gunicorn's loggers do not propagate to the root; its access log carries query strings
    # (hub.verify_token), so its records are redacted where they are made.
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.filters = [f for f in logger.filters if not isinstance(f, RedactingFilter)] + [redacting]
