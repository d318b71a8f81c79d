"""Logging: text or one JSON object a line, with secrets and phone numbers redacted everywhere."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

from bot.config import Settings

PATTERNS = [
    re.compile(r"(access_token=|Bearer\s+|X-API-PASSWORD['\"]?:\s*['\"]?)[^\s&'\",]+", re.IGNORECASE),
    re.compile(r"\bEAA[A-Za-z0-9]{10,}\b"),
    re.compile(r"(?<!\d)(?:\+?20|0020|0)?1[0125]\d{8}(?!\d)"),
]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with tokens, known secrets and Egyptian mobile numbers replaced by ``[redacted]``."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() and m.group(1) else "") + "[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message once and redacts it."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "event_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    """Set the root logger up once for the process (idempotent)."""
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    handler = next((h for h in root.handlers if getattr(h, "dukkan", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.dukkan = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    secrets = (
        settings.meta_app_secret, settings.verify_token, settings.messenger_page_access_token,
        settings.whatsapp_access_token, settings.store_api_key, settings.admin_token,
    )
    handler.filters = [RedactingFilter(tuple(s for s in secrets if s))]
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
