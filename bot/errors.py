"""One exception tree for the whole project.

Every foreign exception (requests, sqlite3, json, pybreaker, tenacity) is translated into one of
these at the boundary where it happens, so callers catch project errors only::

    BotError
    ├── ConfigError                 settings missing or invalid
    ├── WebhookError                a delivery we refuse
    │   ├── SignatureError          401 missing / 403 wrong X-Hub-Signature-256
    │   └── PayloadError            400 malformed body
    ├── StoreError                  anything the store layer cannot do
    │   ├── StoreUnavailable        transport failure, 5xx, garbage answer
    │   │   ├── CircuitOpen         the breaker refuses calls for now
    │   │   └── StoreAuthFailed     the store API refuses our password (401/403)
    │   ├── StoreRateLimited        our own budget or the API's 429 is exhausted
    │   └── ProductNotFound         a product id the store does not know
    ├── SendError                   the Graph API (or the console) refused a message
    │   ├── Throttled               4, 17, 32, 613, 80007, 130429, 131056, ... — retried with backoff
    │   ├── TransientSendError      1, 2, 1200, 131000, 131016, 131057, 5xx — retried
    │   ├── AuthError               190, 10, 200-299, 131005 — an alarm, never retried
    │   ├── WindowClosed            10/2018278, 10/2534022, 131047 — 24-hour window closed, recorded, not retried
    │   ├── RecipientUnavailable    551, 100/2018001, 100/2534014, 131026, 131030 — undeliverable, not retried
    │   ├── PolicyBlocked           368, 131031, 131048 — stop sending, alarm
    │   ├── InvalidRequest          100, 131008, 131009 and other 4xx — a bug on our side, not retried
    │   └── DeliveryUnknown         the request went out, no answer came (read timeout): never re-sent
    ├── StorageError                the database failed
    └── RetryLater                  a worker asks for its event to be tried again later
        └── WaitForGraph            the Graph API is down or the channel paused: no attempt used up
"""

from __future__ import annotations


class BotError(Exception):
    """Root of every error the project raises on purpose."""


class ConfigError(BotError):
    """Settings are missing or invalid; ``problems`` lists one line per variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class WebhookError(BotError):
    """A webhook delivery that is refused before anything is processed."""

    status_code = 400


class SignatureError(WebhookError):
    """The X-Hub-Signature-256 header is missing (401) or does not match (403)."""

    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(message)
        self.status_code = status_code


class PayloadError(WebhookError):
    """The body is not the JSON object the platform sends."""


class StoreError(BotError):
    """The store layer could not answer."""


class StoreUnavailable(StoreError):
    """The store API failed: transport error, 5xx, or an answer that is not the envelope."""


class CircuitOpen(StoreUnavailable):
    """The breaker is open: the store API is not called until it half-opens."""


class StoreAuthFailed(StoreUnavailable):
    """The store API refused every password variant tried (HTTP 401/403, or the envelope's own).

    An outage for the customer (the last good snapshot answers) and a failure for the breaker;
    ``variants`` names the password variants tried, ``status`` the refusal's code.
    """

    def __init__(self, message: str, *, status: int = 401, variants: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.variants = variants


class StoreRateLimited(StoreError):
    """The request budget (ours or the API's 429) is spent for now."""

    def __init__(self, message: str = "store rate limit reached", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProductNotFound(StoreError):
    """The store does not know this product id."""

    def __init__(self, product_id: int | str) -> None:
        super().__init__(f"product {product_id} not found")
        self.product_id = product_id


class SendError(BotError):
    """A message could not be sent. ``code``/``subcode`` are the Graph error's, when there is one."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
        fbtrace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id


class Throttled(SendError):
    """Rate limited by Meta; retried with exponential backoff."""

    retryable = True


class TransientSendError(SendError):
    """A temporary failure (service error, 5xx, timeout); retried a few times."""

    retryable = True


class AuthError(SendError):
    """The access token is invalid or lacks a permission: an operator alarm."""


class WindowClosed(SendError):
    """The 24-hour customer service window is closed: recorded, never retried."""


class RecipientUnavailable(SendError):
    """The person cannot be reached (blocked, deleted, wrong id): never retried."""


class PolicyBlocked(SendError):
    """Sending is blocked for policy or spam reasons: stop and alert."""


class InvalidRequest(SendError):
    """Meta rejected the request itself (4xx): a bug on our side, never retried."""


class DeliveryUnknown(SendError):
    """The request was written but no answer came (read timeout, connection dropped).

    Meta may have sent the message: re-sending could double it, so it is never re-sent.
    """


class StorageError(BotError):
    """The database failed."""


class RetryLater(BotError):
    """Raised while handling an event that should be tried again after ``delay`` seconds."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class WaitForGraph(RetryLater):
    """The event waits for the Graph API (an outage, or a channel paused by a token error).

    Waiting is not a failure: the inbox puts the event back without using up an attempt.
    """
