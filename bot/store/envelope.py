"""One HTTP answer of the BWW API -> the envelope's ``data``, or a project error. The single
translation boundary: the status code first, then the envelope's own ``status``, then ``data``.

The API wraps everything in ``{"status", "message", "data"}`` and may put an error inside an HTTP
200 (``{"status": 500, "data": null}``): the envelope's status is read before ``data``, so such
an answer is the outage it reports (counted by the breaker), never "product not found".
401/403, in the HTTP status or the envelope, are a refused password (:class:`Refused`).
"""

from __future__ import annotations

import email.utils
from typing import Any

import requests

from bot.errors import ProductNotFound, StoreError, StoreRateLimited, StoreUnavailable

__all__ = ["ClientError", "Refused", "server_time", "unwrap"]


class ClientError(StoreError):
    """A 4xx other than 404/401/403/429: our request was wrong; never retried, not an outage."""


class Refused(StoreUnavailable):
    """The API refused this password (401/403). Raised inside the breaker, so it counts there;
    the client turns the last refusal into :class:`bot.errors.StoreAuthFailed`."""

    def __init__(self, status: int, path: str, server_now: float | None) -> None:
        super().__init__(f"the store API refused the password ({status}) on {path}")
        self.status = status
        self.server_now = server_now


def unwrap(response: requests.Response, path: str, product_id: int | None, now: float) -> Any:
    """The envelope's ``data``; ``now`` (our clock) dates a ``Retry-After`` given as an HTTP date."""
    status = response.status_code
    if status in (401, 403):
        raise Refused(status, path, server_time(response))
    if status == 429:
        raise StoreRateLimited("the store API rate limit was hit", retry_after=retry_after(response, now))
    if status >= 500:
        raise StoreUnavailable(f"the store API answered {status} on {path}")
    if status == 404:
        raise ProductNotFound(product_id if product_id is not None else path)
    if status != 200:
        raise ClientError(f"the store API answered {status} on {path}")
    try:
        envelope = response.json()
    except ValueError as error:
        raise StoreUnavailable(f"the store API answer on {path} is not JSON") from error
    if not isinstance(envelope, dict):
        raise StoreUnavailable(f"the store API answer on {path} is not the {{status, message, data}} envelope")
    _check_inner(envelope, response, path, product_id, now)
    if "data" not in envelope:
        raise StoreUnavailable(f"the store API answer on {path} is not the {{status, message, data}} envelope")
    if envelope["data"] is None and product_id is not None:
        raise ProductNotFound(product_id)
    return envelope["data"]


def _check_inner(envelope: dict, response: requests.Response, path: str, product_id: int | None, now: float) -> None:
    """Raise what the envelope's own ``status`` (or ``success: false``) reports."""
    inner = _code(envelope.get("status"))
    message = str(envelope.get("message") or "")[:120]
    if inner is None and envelope.get("success") is False:
        raise StoreUnavailable(f"the store API envelope reports a failure on {path}: {message!r}")
    if inner is None or 200 <= inner < 300:
        return
    if inner in (401, 403):
        raise Refused(inner, path, server_time(response))
    if inner == 429:
        raise StoreRateLimited("the store API envelope says 429", retry_after=retry_after(response, now))
    if inner == 404:
        raise ProductNotFound(product_id if product_id is not None else path)
    if 400 <= inner < 500:
        raise ClientError(f"the store API envelope says {inner} on {path}: {message!r}")
    raise StoreUnavailable(f"the store API envelope says {inner} on {path}: {message!r}")


def _code(value: Any) -> int | None:
    """An envelope status as an int (``500``, ``"500"``); None when it is no status code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def retry_after(response: requests.Response, now: float) -> float | None:
    """Retry-After in seconds: the delta form, or an HTTP date (against the server's ``Date``,
    else our clock)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    reference = server_time(response)
    return max(0.0, moment - (reference if reference is not None else now))


def server_time(response: requests.Response) -> float | None:
    """The server's clock from its ``Date`` header (epoch seconds), when it sent one."""
    value = response.headers.get("Date", "")
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError, IndexError):
        return None
