"""Graph API error bodies to the project's :class:`~bot.errors.SendError` tree.

:func:`parse_graph_error` reads a failed Graph response (platform_spec.md §5.5, §6.6)::

    code (/subcode)                                         -> class               retried
    4, 17, 32, 613, 80007, 130429, 131056; HTTP 429         -> Throttled            yes
    1, 2, 1200, 131000, 131016, 131057; 5xx, timeouts       -> TransientSendError   yes
    190, 10, 200-299, 131005, 3                             -> AuthError            no (alarm)
    10/2018278, 10/2534022, 131047                          -> WindowClosed         no (recorded)
    551, 100/2018001, 100/2534014, 131026, 131030           -> RecipientUnavailable no (recorded)
    368, 131031, 131048                                     -> PolicyBlocked        no (alarm)
    anything else                                           -> InvalidRequest       no
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.errors import (
    AuthError,
    InvalidRequest,
    PolicyBlocked,
    RecipientUnavailable,
    SendError,
    Throttled,
    TransientSendError,
    WindowClosed,
)

__all__ = ["body_snippet", "parse_graph_error"]

THROTTLING_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131056})
TRANSIENT_CODES = frozenset({1, 2, 1200, 131000, 131016, 131057})
AUTH_CODES = frozenset({190, 10, 3, 131005, *range(200, 300)})
WINDOW_CODES = frozenset({131047})
UNAVAILABLE_CODES = frozenset({551, 131026, 131030})
POLICY_CODES = frozenset({368, 131031, 131048})
# (code, subcode) pairs that mean something other than the bare code.
SUBCODE_CLASSES: dict[tuple[int, int], type[SendError]] = {
    # Messenger Platform "Send API error codes" (developers.facebook.com/docs/messenger-platform/
    # reference/send-api/error-codes): 10/2018278 "This message is sent outside of allowed window",
    # 100/2018001 "No matching user found".
    (10, 2018278): WindowClosed,
    (100, 2018001): RecipientUnavailable,
    # Instagram API with Instagram Login (graph.instagram.com/<IG_ID>/messages) answers the same
    # conditions with subcodes of its own. Meta's Instagram messaging pages (searched 2026-12) list
    # no error table; these are the bodies Instagram sends, as the review recorded them and as
    # public Instagram integrations handle them: 10/2534022 "This message is sent outside of allowed
    # window" (not a permission problem: code 10 alone is AuthError) and 100/2534014 "No matching
    # user found" (the IGSID is gone: account deleted or the customer blocked the shop).
    (10, 2534022): WindowClosed,
    (100, 2534014): RecipientUnavailable,
}
_CODE_CLASSES: tuple[tuple[frozenset[int], type[SendError]], ...] = (
    (THROTTLING_CODES, Throttled),
    (TRANSIENT_CODES, TransientSendError),
    (AUTH_CODES, AuthError),
    (WINDOW_CODES, WindowClosed),
    (UNAVAILABLE_CODES, RecipientUnavailable),
    (POLICY_CODES, PolicyBlocked),
)
_TAGS = re.compile(r"<[^>]+>")


def parse_graph_error(status: int, body: dict | str | None) -> SendError:
    """Turn a failed Graph response into the matching :class:`SendError` subclass.

    Args:
        status: the HTTP status code.
        body: the parsed JSON, the raw text (JSON or not, e.g. a proxy's HTML page), or None.
    """
    error = _error_object(body)
    if error is None:
        return _status_only_error(status, body)
    code = _as_int(error.get("code"))
    subcode = _as_int(error.get("error_subcode"))
    cls = _class_for(status, code, subcode, bool(error.get("is_transient")))
    return cls(
        _error_message(error, code, subcode, status),
        code=code,
        subcode=subcode,
        http_status=status,
        fbtrace_id=error.get("fbtrace_id"),
    )


def body_snippet(body: dict | str | None, limit: int = 120) -> str:
    """A short, tag-free, single-line excerpt of a non-Graph body for the error text."""
    if body is None:
        return ""
    text = body if isinstance(body, str) else json.dumps(body)
    return " ".join(_TAGS.sub(" ", text).split())[:limit]


def _error_object(body: dict | str | None) -> dict | None:
    """The ``error`` object of a Graph error body, or None when there is none."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return None


def _status_only_error(status: int, body: dict | str | None) -> SendError:
    """An error from the HTTP status alone (no Graph error JSON, e.g. an HTML proxy page)."""
    if status == 429:
        cls: type[SendError] = Throttled
    elif status >= 500:
        cls = TransientSendError
    else:
        cls = InvalidRequest
    snippet = body_snippet(body)
    detail = f": {snippet}" if snippet else ""
    return cls(f"Graph API answered HTTP {status} without an error object{detail}", http_status=status)


def _class_for(status: int, code: int | None, subcode: int | None, is_transient: bool) -> type[SendError]:
    """The error class for a Graph error code (and subcode)."""
    if code is not None and subcode is not None and (code, subcode) in SUBCODE_CLASSES:
        return SUBCODE_CLASSES[(code, subcode)]
    for codes, cls in _CODE_CLASSES:
        if code in codes:
            return cls
    if status >= 500 or is_transient:
        return TransientSendError
    if status == 429:
        return Throttled
    return InvalidRequest


def _error_message(error: dict, code: int | None, subcode: int | None, status: int) -> str:
    """A one-line description: Graph's message, WhatsApp's details, code/subcode, HTTP status."""
    message = str(error.get("message") or error.get("error_user_msg") or "Graph API error")
    details = error.get("error_data", {}).get("details") if isinstance(error.get("error_data"), dict) else None
    if details:
        message = f"{message} ({details})"
    ident = f"{code}/{subcode}" if subcode is not None else f"{code}"
    return f"{message} [code {ident}, HTTP {status}]"


def _as_int(value: Any) -> int | None:
    """``value`` as an int, or None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
