"""Logging: text or one JSON object a line, with secrets and phone numbers redacted everywhere.

Two filters sit on the one handler :func:`configure_logging` installs on the root logger, so they
see every record of every logger that propagates:

* :class:`ContextFilter` stamps each record with the fields bound by :func:`log_context`
  (``request_id`` in the webhook, ``event_id`` and ``message_id`` in the inbox workers). The fields
  live in a :mod:`contextvars` variable, so threads and requests never see each other's ids.
* :class:`RedactingFilter` renders the message once, bounded (every argument is clipped to
  ``MAX_VALUE_CHARS``, the message to ``MAX_MESSAGE_CHARS``, with a ``…(+N chars)`` marker), and
  removes known secrets, tokens (``EAA…``, ``access_token=…``, ``Bearer …``, ``X-API-PASSWORD``),
  WhatsApp message ids (``wamid.…`` encodes the sender's number; a short stable pseudonym is
  logged instead) and phone numbers, the exception text too.

Phone numbers: any run of 8 or more digits (Western or Arabic-Indic), with an optional ``+`` and
single spaces, dashes or brackets between the digits, is masked: every country's numbers, in
every way customers write them, and ids long enough to be one (PSIDs, wa_ids, timestamps).
Shorter numbers (prices, order numbers, product ids, sizes, times) and ISO dates stay readable.

Every pattern runs in linear time: each can only start at a fixed literal (a key name, ``Bearer``,
``://``, ``wamid.``) or at the first digit of a run it then consumes whole, and their repeats are
bounded, so no input makes the regex engine backtrack over the text again and again.

Ids that identify a customer or a message are logged as :func:`pseudonym` (``#`` and ten letters,
the same for the same id, keyed by the app secret so a phone number cannot be guessed back).

gunicorn's own loggers (``gunicorn.access`` logs query strings) get the redacting filter as well.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from bot.config import Settings
from bot.events import clean_text

__all__ = [
    "ContextFilter",
    "JsonFormatter",
    "MAX_MESSAGE_CHARS",
    "MAX_VALUE_CHARS",
    "RedactingFilter",
    "bind",
    "clip",
    "configure_logging",
    "current_context",
    "customer_ref",
    "log_context",
    "mask_recipient",
    "pseudonym",
    "redact",
    "settings_secrets",
    "unbind",
]

REDACTED = "[redacted]"
CONTEXT_FIELDS = ("request_id", "event_id", "message_id")
MAX_VALUE_CHARS = 1000       # one argument of a log call
MAX_MESSAGE_CHARS = 8000     # the rendered message
MAX_TRACE_CHARS = 16000      # an exception's text
MAX_CONTEXT_CHARS = 200      # a bound context field
# Read-only: each log_context block sets a new mapping, never changes the one it found.
_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "dukkan_log_context", default=MappingProxyType({}))

# key=value, key: value, "key": "value" (URLs, headers, dict reprs, JSON) and Bearer / Basic
# credentials, matched on an ASCII-lowercased copy of the text. The key is found by itself:
# whatever precedes it (``access_``, ``hub.verify_``, ``X-API-``) is left as it is.
_CREDENTIAL = re.compile(
    r"((?:token|secret|password|api_?key)['\"]?[ \t]{0,16}[:=][ \t]{0,16}['\"]?|(?:bearer|basic)[ \t]{1,16})"
    r"[^\s&'\",;)}\[\]]+"
)
_CREDENTIAL_ANY_CASE = re.compile(_CREDENTIAL.pattern, re.IGNORECASE)
# Each of these starts with a literal, so the regex engine skips to its candidates at C speed.
_GRAPH_TOKEN = re.compile(r"EAA(?<!\wEAA)[A-Za-z0-9]{10,}")
_URL_PASSWORD = re.compile(r"(://[^\s:/@]{0,256}:)[^\s@/]{1,256}(?=@)")  # user:password@ (REDIS_URL)
# A WhatsApp message id: base64 of a protobuf that holds the sender's number.
_WAMID = re.compile(r"wamid\.(?<!\wwamid\.)[A-Za-z0-9+/=_-]{8,}")
# A phone number: 8 digits or more, not glued to a digit or + before, with an optional leading
# + (and a space), and up to three separators between two digits: spaces, dashes, brackets,
# dots, slashes, + and %20 (a space in a URL). The first eight digits are spelt out and the rest
# is consumed possessively, so a failed try costs a few steps and a success never backtracks.
# Kept as they are (the ``keep`` group, written after the first digit): an IPv4 address
# (203.0.113.5) and a date (2026-05-10, 2026/05/10, 10.05.2026); whatever digits follow them
# are a new run, masked on its own when it is long enough.
_SEPARATORS = r"(?:[ \u00a0()\-./+]|%20)"
_NUMBER_CHARS = " \u00a0()-./+%"  # what clip() treats as part of a number, with the digits
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4_REST = rf"(?:(?<=2)(?:5[0-5]|[0-4]\d)|(?<=1)\d\d|(?<=[1-9])\d|)(?:\.{_OCTET}){{3}}"
_DATE_REST = r"\d{3}(?P<ymd>[-./])\d\d(?P=ymd)\d\d|\d?(?P<dmy>[-./])\d\d?(?P=dmy)\d{4}"
_PHONE = re.compile(
    r"[+\d](?<![\d+][+\d])(?:"
    rf"(?<=\d)(?=\d{{0,3}}[-./])(?P<keep>(?:{_IPV4_REST}|{_DATE_REST})(?![-./]?\d))"
    r"|(?:(?<=\+)[ \u00a0]?\d)?(?<!\+)"
    + rf"{_SEPARATORS}{{0,3}}\d" * 7
    + rf"\d*+(?:{_SEPARATORS}{{1,3}}+\d++)*+)"
)
_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijkmnprs")
_pseudonym_key = b""


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with tokens, known secrets and phone numbers replaced by ``[redacted]``, and
    WhatsApp message ids by their :func:`pseudonym`. Linear in the length of ``text``.

    Secrets shorter than 6 characters are left alone: replacing them would mangle ordinary text.
    """
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    text = _redact_credentials(text)
    text = _GRAPH_TOKEN.sub(REDACTED, text)
    text = _URL_PASSWORD.sub(rf"\g<1>{REDACTED}", text)
    text = _WAMID.sub(_wamid_pseudonym, text)
    return _PHONE.sub(_phone_redacted, text)


def _redact_credentials(text: str) -> str:
    """The values of secret keys and of Bearer / Basic credentials, whatever their case."""
    lowered = text.lower()
    # A character whose lower case is longer (İ) would shift every position after it.
    matches = _CREDENTIAL.finditer(lowered) if len(lowered) == len(text) else _CREDENTIAL_ANY_CASE.finditer(text)
    pieces: list[str] = []
    done = 0
    for match in matches:
        pieces += (text[done:match.end(1)], REDACTED)
        done = match.end()
    return "".join(pieces) + text[done:] if pieces else text


def _phone_redacted(match: re.Match[str]) -> str:
    """A phone number's replacement: an address or a date stays as it is."""
    return match.group() if match.group("keep") else REDACTED


def _wamid_pseudonym(match: re.Match[str]) -> str:
    return "wamid" + pseudonym(match.group())


def clip(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut to about ``limit`` characters, with ``…(+N chars)`` saying how much was cut.

    The cut falls on the last space or punctuation of the final 64 characters, so a short token
    (a secret) is never left half there for the redaction to miss; and never inside a number
    written with separators (``0101234 5678``): its digits before the cut go with the rest, so
    no part of a phone number too short to be recognised is left.
    """
    if len(text) <= limit:
        return text
    cut = limit
    for index in range(limit - 1, max(limit - 64, 0) - 1, -1):
        if not (text[index].isalnum() or text[index] in "_-."):
            cut = index + 1
            break
    if _in_number(text[cut]):
        start = cut
        while start > 0 and _in_number(text[start - 1]):
            start -= 1
        if any(ch.isdecimal() for ch in text[start:cut]):
            cut = start
    return f"{text[:cut]}…(+{len(text) - cut} chars)"


def _in_number(ch: str) -> bool:
    return ch.isdecimal() or ch in _NUMBER_CHARS


def pseudonym(value: object) -> str:
    """A short stable stand-in for an id (``#`` and ten letters; "" for no id): equal ids give
    equal pseudonyms, and none of them holds a digit."""
    text = str(value or "")
    if not text:
        return ""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=5, key=_pseudonym_key)
    return "#" + digest.hexdigest().translate(_HEX_TO_LETTERS)


def mask_recipient(recipient_id: str) -> str:
    """``…4567``: enough to tell people apart in the console, never a whole phone number or PSID."""
    return f"…{recipient_id[-4:]}" if len(recipient_id) > 6 else "…"


def customer_ref(platform: object, customer_id: object) -> str:
    """``platform:#pseudonym`` for a customer in a log line (a WhatsApp id is a phone number)."""
    return f"{platform}:{pseudonym(customer_id) or '-'}"


def _set_pseudonym_key(secret: str) -> None:
    """Key the pseudonyms with ``secret`` (the app secret), so they cannot be computed back."""
    global _pseudonym_key
    _pseudonym_key = hashlib.blake2b(secret.encode(), digest_size=32, person=b"dukkan-logs").digest() if secret else b""


def settings_secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret value of ``settings`` that is set: those of :data:`bot.config.SECRETS`."""
    return settings.secret_values()


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


def bind(**fields: Any) -> contextvars.Token[Mapping[str, Any]]:
    """Add ``fields`` to the log context until :func:`unbind` (for hooks that cannot use a block)."""
    merged = {**_context.get(), **fields}
    return _context.set({key: value for key, value in merged.items() if value is not None})


def unbind(token: contextvars.Token[Mapping[str, Any]]) -> None:
    """Restore the log context :func:`bind` replaced."""
    _context.reset(token)


def current_context() -> dict[str, Any]:
    """The fields bound by the enclosing :func:`log_context` blocks."""
    return dict(_context.get())


class ContextFilter(logging.Filter):
    """Copies the bound context fields onto each record (``record.request_id`` ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = {key: _safe_field(key, value) for key, value in _context.get().items()}
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
        record.msg = self._clean(clip(_render_bounded(record), MAX_MESSAGE_CHARS))
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self._clean(_clip_lines(record.exc_text))
        if record.stack_info:
            record.stack_info = self._clean(_clip_lines(record.stack_info))
        return True

    def _clean(self, text: str) -> str:
        return redact(clean_text(text), self.secrets)


def _render_bounded(record: logging.LogRecord) -> str:
    """The record's message with every string argument clipped first (a huge value costs nothing).

    Mapping arguments are wrapped, not copied: gunicorn's access atoms answer keys they do not
    hold (``%({x-forwarded-for}i)s``, any header, in any case) from their own ``__getitem__``.
    """
    args = record.args
    if isinstance(args, tuple) and args:
        record.args = tuple(clip(arg) if isinstance(arg, str) else arg for arg in args)
    elif isinstance(args, Mapping) and args:
        record.args = _ClippedMapping(args)
    try:
        return record.getMessage()
    finally:
        record.args = args


class _ClippedMapping(Mapping):
    """A read-only view of a mapping whose string values are clipped when they are read."""

    def __init__(self, values: Mapping) -> None:
        self._values = values

    def __getitem__(self, key: Any) -> Any:
        value = self._values[key]
        return clip(value) if isinstance(value, str) else value

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _clip_lines(text: str) -> str:
    """A traceback with each line clipped, and clipped as a whole."""
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return clip("\n".join(clip(line) for line in text.split("\n")), MAX_TRACE_CHARS)


def _safe_field(key: str, value: Any) -> Any:
    """A context field fit for a log line: strings clipped and redacted, numbers as they are.

    The request id is only clipped: it is ours (random hex) or a sane one a proxy gave, and
    must stay equal to the ``X-Request-Id`` returned.
    """
    if not isinstance(value, str):
        return value
    value = clip(value, MAX_CONTEXT_CHARS)
    return value if key == "request_id" else redact(value)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, context fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
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
        handler.dukkan = True  # type: ignore[attr-defined]  # a marker on the handler: ours, set up once
        root.addHandler(handler)
    _set_pseudonym_key(settings.meta_app_secret)
    redacting = RedactingFilter(settings_secrets(settings))
    handler.filters = [ContextFilter(), redacting]
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else _TextFormatter())
    # gunicorn's loggers do not propagate to the root; its access log carries query strings
    # (hub.verify_token), so its records are redacted where they are made.
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.filters = [f for f in logger.filters if not isinstance(f, RedactingFilter)] + [redacting]
