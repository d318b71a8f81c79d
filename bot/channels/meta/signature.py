"""Meta's ``X-Hub-Signature-256`` check over the raw request body (platform_spec §2).

The header is ``sha256=<lowercase hex HMAC-SHA256 of the raw body, keyed with the app secret>``.
The body must be hashed exactly as received, before any JSON parsing. Both sides are compared as
bytes with :func:`hmac.compare_digest`, so a non-ASCII header cannot raise ``TypeError``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from bot.errors import SignatureError

__all__ = ["HEADER", "PREFIX", "sign", "signing_secret", "verify"]

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(raw_body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value Meta would send for ``raw_body``."""
    digest = hmac.new(app_secret.encode("utf-8"), bytes(raw_body), hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(raw_body: bytes, header: str | None, app_secret: str | Sequence[str]) -> None:
    """Return quietly when ``header`` signs ``raw_body``; raise :class:`SignatureError` otherwise
    (:func:`signing_secret`, for a caller that needs nothing more)."""
    signing_secret(raw_body, header, app_secret)


def signing_secret(raw_body: bytes, header: str | None, app_secret: str | Sequence[str]) -> str:
    """The secret ``header`` signs ``raw_body`` with; raise :class:`SignatureError` when none does.

    ``app_secret`` may be several secrets (Meta's app, and an Instagram-Login app, which signs
    with its own): the header must match one of them. Every secret is checked, in constant time.

    Raises:
        SignatureError: status 401 when the header is missing or empty, 403 when it is
            malformed or does not match (or no app secret is configured).
    """
    if header is None or not header.strip():
        raise SignatureError(f"missing {HEADER} header", status_code=401)
    value = header.strip()
    if not value[: len(PREFIX)].lower() == PREFIX:
        raise SignatureError(f"{HEADER} must start with {PREFIX}", status_code=403)
    secrets = [app_secret] if isinstance(app_secret, str) else list(app_secret)
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        raise SignatureError("no app secret configured: cannot verify deliveries", status_code=403)
    given = value[len(PREFIX):].strip().lower().encode("utf-8", errors="replace")
    matches = [hmac.compare_digest(given, sign(raw_body, secret)[len(PREFIX):].encode("ascii")) for secret in secrets]
    if not any(matches):
        raise SignatureError(f"{HEADER} does not match the body", status_code=403)
    return secrets[matches.index(True)]
