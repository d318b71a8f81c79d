"""Meta's ``X-Hub-Signature-256`` check over the raw request body (platform_spec §2).

The header is ``sha256=<lowercase hex HMAC-SHA256 of the raw body, keyed with the app secret>``.
The body must be hashed exactly as received, before any JSON parsing. Both sides are compared as
bytes with :func:`hmac.compare_digest`, so a non-ASCII header cannot raise ``TypeError``.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.errors import SignatureError

__all__ = ["HEADER", "PREFIX", "sign", "verify"]

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(raw_body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value Meta would send for ``raw_body``."""
    digest = hmac.new(app_secret.encode("utf-8"), bytes(raw_body), hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Return quietly when ``header`` signs ``raw_body``; raise :class:`SignatureError` otherwise.

    Raises:
        SignatureError: status 401 when the header is missing or empty, 403 when it is
            malformed or does not match (or no app secret is configured).
    """
    if header is None or not header.strip():
        raise SignatureError(f"missing {HEADER} header", status_code=401)
    value = header.strip()
    if not value[: len(PREFIX)].lower() == PREFIX:
        raise SignatureError(f"{HEADER} must start with {PREFIX}", status_code=403)
    if not app_secret:
        raise SignatureError("no app secret configured: cannot verify deliveries", status_code=403)
    given = value[len(PREFIX):].strip().lower().encode("utf-8", errors="replace")
    expected = sign(raw_body, app_secret)[len(PREFIX):].encode("ascii")
    if not hmac.compare_digest(given, expected):
        raise SignatureError(f"{HEADER} does not match the body", status_code=403)
