"""Senders: the Graph API (Messenger Send API, WhatsApp Cloud API) and the console outbox.

Both senders take an :class:`~bot.replies.Outgoing` and return a :class:`SendResult`; they do
not raise for failures Meta reports. :class:`GraphSender` is the one boundary where requests
exceptions and Graph error JSON become the project's :class:`~bot.errors.SendError` tree
(platform_spec.md §5.5, §6.6); the code table is in :mod:`bot.channels.meta.errors`.

Endpoints and tokens are the channel's (:class:`~bot.channels.channel.SendApi`), by
``Outgoing.platform`` and ``Outgoing.kind``: Messenger posts to ``{graph_base}/me/messages`` (hand-overs
to ``/me/pass_thread_control`` ...), WhatsApp to ``{graph_base}/{phone_number_id}/messages``,
Instagram to ``{instagram_api_url}/{version}/{account id}/messages``.

The access token travels only in ``Authorization: Bearer``; it is never in a URL and is
redacted from every error text kept or logged.

No doubled messages: a request is retried only when it surely never reached Meta (a connect
timeout, a refused connection, a DNS or TLS failure before the request was written) or when Meta
answered that it did not act (5xx, throttling codes). A request that was written but got no
answer (read timeout, connection dropped) ends as :class:`~bot.errors.DeliveryUnknown` and is
not sent again, except for idempotent calls (typing, mark seen/read, profile settings). The read
timeout (30 s) is longer than Meta takes even when slow, so a late answer is still read.

One pooled session serves every thread (:func:`pooled_session`): kept-alive connections, a pool
as large as the threads that send, and the environment read once, when the sender is built
(``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` and ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``), not on
every call; changing them needs a restart. A send copies a request prepared once per URL (the
session's headers, the JSON content type), fills in the token and the body, and hands it to the
session's transport adapter: the adapter, its pool and its exceptions are requests' own, without
the per-call merging of ``Session.request`` (about half the client's CPU per call). The first
attempt of a send is a plain call; the retry policy (tenacity) is built only after it failed with
an error worth retrying.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import requests
from cachetools import LRUCache
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from urllib3.exceptions import NewConnectionError

from bot import metrics
from bot.channels.channel import Channel
from bot.channels.meta.errors import body_snippet, parse_graph_error
from bot.channels.registry import CHANNELS
from bot.errors import (
    AuthError,
    BotError,
    DeliveryUnknown,
    InvalidRequest,
    PolicyBlocked,
    RecipientUnavailable,
    SendError,
    StorageError,
    TransientSendError,
    WindowClosed,
)
from bot.events import Platform
from bot.logs import customer_ref, mask_recipient
from bot.replies import Outgoing

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "Alarms",
    "ConsoleSender",
    "GraphSender",
    "SendResult",
    "Sender",
    "build_sender",
    "parse_graph_error",
    "pooled_session",
]

log = logging.getLogger(__name__)

HANDOVER_KINDS = frozenset({"handover", "handover_take", "handover_request"})  # thread-control requests
DEFAULT_TIMEOUT = (3.05, 30.0)  # (connect, read): a slow answer is read, not taken for a failure
IDEMPOTENT_KINDS = frozenset({"action", "call"})  # sending these twice changes nothing
PAUSING_ALARMS = ("invalid_token", "permission")  # the channel's token cannot send: sending pauses
MAX_REMEMBERED = 10_000
PREPARED_URLS = 64  # the Send API URLs a sender keeps a prepared request for (a handful in practice)
SPARE_CONNECTIONS = 2  # beyond the worker threads: the staff notifier and the stock watch send too
_TOKEN_IN_TEXT = re.compile(r"(access_token=)[^&\s\"']+")


# --------------------------------------------------------------------------- results, alarms


@dataclass(frozen=True, slots=True)
class SendResult:
    """What happened to one :class:`Outgoing`.

    ``message_id`` is Messenger's ``message_id`` or WhatsApp's ``messages[0].id`` (None for
    actions and handovers); ``attempts`` counts HTTP calls made (0 when nothing was sent).
    """

    ok: bool
    message_id: str | None = None
    error: SendError | None = None
    attempts: int = 1


class Sender(Protocol):
    """What the worker needs from a sender."""

    def send(self, out: Outgoing) -> SendResult: ...

    def status(self) -> dict: ...


class Alarms:
    """A thread-safe registry of operator alarms (e.g. ``messenger.invalid_token``).

    The console and ``/readyz`` read :meth:`active`; senders raise and clear alarms. With
    ``shared`` (:mod:`bot.storage.pauses`), the pausing alarms (a refused token or permission)
    live there, so every process and host sees a channel paused by one of them, and resumed as
    soon as any of them sends on it again; the others stay with this process. While the shared
    storage fails, this process keeps its pausing alarms itself (a send is never failed by it).
    """

    def __init__(self, clock: Callable[[], float] = time.time, shared: Any = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._alarms: dict[str, dict[str, Any]] = {}
        self._shared = shared

    def raise_(self, name: str, detail: str) -> bool:
        """Raise (or repeat) alarm ``name``; return True when it was not active before."""
        if self._is_shared(name):
            try:
                return self._shared.raise_(name, detail)
            except StorageError as exc:
                log.error("alarm %s kept in this process only: %s", name, exc)
        return self._raise_here(name, detail)

    def _raise_here(self, name: str, detail: str) -> bool:
        with self._lock:
            current = self._alarms.get(name)
            if current is not None:
                current.update(detail=detail, count=current["count"] + 1, last=self._clock())
                return False
            now = self._clock()
            self._alarms[name] = {"detail": detail, "since": now, "last": now, "count": 1}
            return True

    def clear(self, name: str) -> bool:
        """Clear alarm ``name``; return True when it was active."""
        with self._lock:
            cleared = self._alarms.pop(name, None) is not None
        if self._is_shared(name):
            try:
                cleared = self._shared.clear(name) or cleared
            except StorageError as exc:
                log.error("alarm %s not cleared for the other processes: %s", name, exc)
        return cleared

    def clear_all(self, names: tuple[str, ...]) -> list[str]:
        """Clear each alarm of ``names``; the ones that were active, in order. The shared ones are
        asked about in one read (a successful send clears its channel's pauses: mostly none)."""
        shared = [name for name in names if self._is_shared(name)]
        try:
            any_shared = bool(shared) and self._shared.has_any(shared)
        except StorageError as exc:
            log.warning("shared alarms cannot be read: %s", exc)
            any_shared = True  # clear() says what it can
        if any_shared:
            return [name for name in names if self.clear(name)]
        with self._lock:
            return [name for name in names if self._alarms.pop(name, None) is not None]

    def active(self) -> dict[str, dict[str, Any]]:
        """A copy of the active alarms: name -> {detail, since, last, count}."""
        with self._lock:
            found = {name: dict(info) for name, info in self._alarms.items()}
        if self._shared is not None:
            try:
                found.update(self._shared.active())
            except StorageError as exc:
                log.warning("shared alarms cannot be read: %s", exc)
        return dict(sorted(found.items()))

    def __contains__(self, name: object) -> bool:
        with self._lock:
            if name in self._alarms:
                return True
        if isinstance(name, str) and self._is_shared(name):
            try:
                return self._shared.has(name)
            except StorageError as exc:
                log.warning("shared alarms cannot be read: %s", exc)
        return False

    def _is_shared(self, name: str) -> bool:
        return self._shared is not None and name.partition(".")[2] in PAUSING_ALARMS


class _Recipients:
    """A bounded, thread-safe map (platform, recipient) -> when it was recorded."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self._limit = limit
        self._items: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: tuple[str, str], when: float) -> None:
        with self._lock:
            self._items[key] = when
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def discard(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._items.pop(key, None)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# --------------------------------------------------------------------------- HTTP session


def pooled_session(pool_size: int) -> requests.Session:
    """A session that keeps ``pool_size`` connections alive per host and never reads the environment per call.

    requests scans every proxy variable (and ``NO_PROXY``) on each call of a session that trusts
    the environment; this one does not (``trust_env=False``): the CA bundle variables are read here,
    once, and the proxies once per API base (:func:`proxies_for`).
    """
    session = requests.Session()
    session.trust_env = False
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(1, pool_size), max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def proxies_for(settings: Settings) -> dict[str, dict[str, str]]:
    """The proxies of each channel's API base, from the environment now: ``{}`` for a base ``NO_PROXY`` names."""
    bases = {found.send_api.base(settings) for found in CHANNELS.values()} | {settings.graph_base()}
    return {base: get_environ_proxies(base) for base in sorted(bases)}


# --------------------------------------------------------------------------- Graph sender


class GraphSender:
    """Send through the Graph API with one session, timeouts, bounded retries and bookkeeping.

    Retries (tenacity) cover only ``retryable`` errors: Throttled, TransientSendError (5xx,
    connect timeouts, refused connections); for idempotent kinds (actions, calls) also
    DeliveryUnknown. The wait before retry *n* is
    ``min(backoff_max, backoff_initial * 2**(n-1)) + rand() * backoff_jitter`` seconds.
    Actions (typing, mark seen/read) are cosmetic and get ``action_attempts`` tries so they
    never hold a reply back long. While the platform's ``unavailable`` alarm is up (a known
    outage), each send is a single probe: the waiting inbox event is the retry. A message whose
    request was written but not answered (read timeout) is never retried: it may have been sent
    (:class:`~bot.errors.DeliveryUnknown`).

    Alarms raised in :attr:`alarms`: ``<platform>.invalid_token`` (190) and
    ``<platform>.permission`` (10, 200-299, 3, 131005), which pause the channel (:meth:`paused`)
    until a send succeeds again; ``<platform>.unavailable`` (retries ran out on a 5xx, throttling
    or unreachable API; cleared by the next success); ``<platform>.policy_blocked`` (368, 131031,
    131048) and ``<platform>.not_configured`` (no token or phone number id). Each is logged
    once, when it is first raised.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        alarms: Alarms | None = None,
        max_attempts: int = 4,
        action_attempts: int = 2,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        backoff_jitter: float = 0.5,
        rand: Callable[[], float] = random.random,
        pool_size: int | None = None,
    ) -> None:
        """``session`` is used as given; without one, a :func:`pooled_session` for ``pool_size`` threads
        (the settings' worker threads and :data:`SPARE_CONNECTIONS`) is made."""
        self.settings = settings
        threads = pool_size or getattr(settings, "workers_per_process", 1) + SPARE_CONNECTIONS
        self.session = session or pooled_session(threads)
        self._proxies = proxies_for(settings) if session is None else {}
        self.alarms = alarms if alarms is not None else Alarms(clock)
        self.closed_windows = _Recipients()
        self.unreachable = _Recipients()
        self.max_attempts = max_attempts
        self.action_attempts = action_attempts
        self.timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._backoff = (backoff_initial, backoff_max, backoff_jitter)
        self._rand = rand
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._failed_by_code: Counter[str] = Counter()
        self._last_error: dict[str, Any] | None = None
        self._templates: LRUCache[str, requests.PreparedRequest] = LRUCache(maxsize=PREPARED_URLS)

    # -- public API

    def send(self, out: Outgoing) -> SendResult:
        """POST one outgoing message, action or handover; never raises for Graph failures."""
        try:
            path = self._path(out)
        except SendError as err:
            return self._finish(out, SendResult(ok=False, error=err, attempts=0))
        return self._deliver(out, path)

    def post(self, path: str, body: dict, *, platform: str = "messenger") -> SendResult:
        """POST ``body`` to ``{graph_base}/{path}`` with the platform's token (e.g. the Messenger profile)."""
        return self._deliver(Outgoing(platform=platform, recipient_id="", body=body, kind="call"), path)

    def is_window_closed(self, platform: str, recipient_id: str) -> bool:
        """True when the last send to this person failed because the 24-hour window was closed."""
        return (platform, recipient_id) in self.closed_windows

    def reopen_window(self, platform: str, recipient_id: str) -> None:
        """Forget a closed window (the customer wrote again)."""
        self.closed_windows.discard((platform, recipient_id))

    def paused(self) -> dict[str, str]:
        """Platforms whose sending is paused by a token or permission error: platform -> why."""
        return _paused(self.alarms)

    def outages(self) -> dict[str, dict[str, Any]]:
        """Platforms whose Graph API is unreachable now: platform -> {since, detail}."""
        return _outages(self.alarms)

    def status(self) -> dict[str, Any]:
        """Counters for the console and /readyz: sent, failed by code, alarms, windows, last error."""
        with self._lock:
            counts = dict(self._counts)
            by_code = dict(self._failed_by_code)
            last = dict(self._last_error) if self._last_error else None
        return {
            "mode": "graph",
            "sent": counts.get("ok", 0),
            "failed": counts.get("failed", 0),
            "retries": counts.get("retries", 0),
            "unknown": counts.get("unknown", 0),
            "failed_by_code": by_code,
            "alarms": self.alarms.active(),
            "paused": self.paused(),
            "outages": self.outages(),
            "closed_windows": len(self.closed_windows),
            "unreachable": len(self.unreachable),
            "last_error": last,
        }

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    # -- endpoints and tokens

    def _path(self, out: Outgoing) -> str:
        """The path under the channel's API base for this outgoing item."""
        found = _channel_of(out.platform)
        if found is None:
            raise InvalidRequest(f"cannot send kind {out.kind!r} on platform {out.platform!r}")
        return found.send_api.path(out, self.settings)

    def _deliver(self, out: Outgoing, path: str) -> SendResult:
        """Send ``out.body`` to ``path`` with retries, then record the outcome."""
        token = self._token(out.platform)
        if not token:
            err = AuthError(f"no access token configured for {out.platform}")
            return self._finish(out, SendResult(ok=False, error=err, attempts=0))
        found = _channel_of(out.platform)
        base = found.send_api.base(self.settings) if found else self.settings.graph_base()
        url = f"{base}/{path.lstrip('/')}"
        attempts = self.action_attempts if out.kind == "action" else self.max_attempts
        if f"{out.platform}.unavailable" in self.alarms:
            attempts = 1  # a known outage: one probe; the waiting event is the retry, no thread sleeps through it
        idempotent = out.kind in IDEMPOTENT_KINDS
        return self._finish(out, self._call(base, url, out.body, token, attempts, idempotent))

    def _token(self, platform: str) -> str:
        found = _channel_of(platform)
        return found.send_api.token(self.settings) if found is not None else ""

    # -- HTTP and retries

    def _call(self, base: str, url: str, body: dict, token: str, max_attempts: int, idempotent: bool) -> SendResult:
        """One plain POST; only when it failed with an error worth retrying, the retry policy takes over.

        An unanswered request (DeliveryUnknown) is retried only when ``idempotent``.
        """
        proxies = self._proxies.get(base)
        try:
            data = self._post_once(url, body, token, proxies)
        except SendError as err:
            retryable = _retry_idempotent if idempotent else _is_retryable
            if max_attempts <= 1 or not retryable(err):
                return SendResult(ok=False, error=err, attempts=1)
            return self._retry(err, url, body, token, max_attempts, retryable, proxies)
        return SendResult(ok=True, message_id=_message_id(data), attempts=1)

    def _retry(self, first: SendError, url: str, body: dict, token: str, max_attempts: int,
               retryable: Callable[[BaseException], bool], proxies: dict[str, str] | None) -> SendResult:
        """Attempts 2..``max_attempts`` under tenacity; its first attempt gives back the first call's error,
        so the waits and the retry count are those of one policy over every attempt."""
        attempts = 0

        def attempt() -> dict:
            nonlocal attempts
            attempts += 1
            if attempts == 1:
                raise first
            return self._post_once(url, body, token, proxies)

        retrying = Retrying(
            stop=stop_after_attempt(max_attempts),
            wait=self._wait,
            retry=retry_if_exception(retryable),
            sleep=self._sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            data = retrying(attempt)
        except SendError as err:
            return SendResult(ok=False, error=err, attempts=attempts)
        return SendResult(ok=True, message_id=_message_id(data), attempts=attempts)

    def _post_once(self, url: str, body: dict, token: str, proxies: dict[str, str] | None = None) -> dict:
        """One POST; translate every requests exception and every non-2xx answer into a SendError."""
        try:
            response = self._http_post(url, body, token, proxies)
        except requests.ConnectTimeout as exc:
            raise TransientSendError(f"Graph API did not accept the connection ({type(exc).__name__})") from exc
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            if _never_sent(exc):
                raise TransientSendError(f"cannot reach the Graph API ({type(exc).__name__})") from exc
            raise DeliveryUnknown(
                f"Graph API did not answer a request it may have acted on ({type(exc).__name__})"
            ) from exc
        except requests.RequestException as exc:
            raise InvalidRequest(f"request to the Graph API failed ({type(exc).__name__})") from exc
        payload = _json_or_text(response)
        if response.status_code >= 300:
            raise parse_graph_error(response.status_code, payload)
        if not isinstance(payload, dict):
            # Graph always answers JSON; anything else came from a middlebox and proves nothing.
            raise TransientSendError(
                f"Graph API answered HTTP {response.status_code} with a non-JSON body: {body_snippet(payload)}",
                http_status=response.status_code,
            )
        return payload

    def _http_post(self, url: str, body: dict, token: str, proxies: dict[str, str] | None) -> requests.Response:
        """POST ``body`` as JSON with the token, the response read whole (its connection back in the pool).

        On a :class:`requests.Session` (the pooled one), the request is a copy of a prepared one per
        URL (:meth:`_prepared`) with the token and the body filled in, handed to the session's
        transport adapter: none of the per-call merging of a ``Session.request`` (settings, cookies,
        hooks, redirects, which a send never has), the same adapter, pool and exceptions. Anything
        else given as ``session`` is called as ``post(url, json=..., headers=..., timeout=..., proxies=...)``.
        """
        session = self.session
        if not isinstance(session, requests.Session):
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            return session.post(url, json=body, headers=headers, timeout=self.timeout, proxies=proxies or None)
        request = self._prepared(url).copy()
        request.headers["Authorization"] = f"Bearer {token}"
        request.prepare_body(json.dumps(body, ensure_ascii=False, allow_nan=False).encode(), None)
        verify = True if session.verify is None else session.verify
        response = session.get_adapter(url).send(request, timeout=self.timeout, verify=verify, cert=session.cert,
                                                 proxies=proxies or {})
        response.content  # noqa: B018 (reading it whole releases the connection, as Session.send does)
        return response

    def _prepared(self, url: str) -> requests.PreparedRequest:
        """The POST to ``url`` with the session's headers and a JSON content type, prepared once per URL."""
        with self._lock:
            found = self._templates.get(url)
        if found is None:
            headers = dict(self.session.headers) | {"Content-Type": "application/json"}
            found = requests.Request("POST", url, headers=headers).prepare()
            with self._lock:
                self._templates[url] = found
        return found

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff with jitter before the next attempt."""
        initial, maximum, jitter = self._backoff
        base = min(maximum, initial * 2 ** (state.attempt_number - 1))
        return base + self._rand() * jitter

    def _count_retry(self, state: RetryCallState) -> None:
        with self._lock:
            self._counts["retries"] += 1

    # -- bookkeeping

    def _finish(self, out: Outgoing, result: SendResult) -> SendResult:
        """Record the outcome (counters, alarms, windows) and return the result."""
        if result.ok:
            self._record_ok(out)
        elif result.error is not None:
            result.error.args = (self._redact(str(result.error)),)
            self._record_failure(out, result)
        code = None if result.ok or result.error is None else _code_key(result.error)
        metrics.graph_send(out.platform, out.kind, ok=result.ok, code=code, attempts=result.attempts)
        return result

    def _record_ok(self, out: Outgoing) -> None:
        with self._lock:
            self._counts["ok"] += 1
        self.closed_windows.discard((out.platform, out.recipient_id))
        if self.alarms.clear(f"{out.platform}.unavailable"):
            log.warning("%s Graph API answers again; alarm cleared", out.platform)
        if out.kind in HANDOVER_KINDS:
            return  # the handover protocol has permissions of its own: proves nothing about messages
        for name in self.alarms.clear_all(tuple(f"{out.platform}.{kind}" for kind in PAUSING_ALARMS)):
            log.warning("%s access token works again; alarm %s cleared, sending resumes", out.platform,
                        name.partition(".")[2])

    def _record_failure(self, out: Outgoing, result: SendResult) -> None:
        err = result.error
        assert err is not None
        key = _code_key(err)
        with self._lock:
            self._counts["unknown" if isinstance(err, DeliveryUnknown) else "failed"] += 1
            self._failed_by_code[key] += 1
            self._last_error = {
                "at": self._clock(),
                "platform": out.platform,
                "kind": out.kind,
                "recipient_id": mask_recipient(out.recipient_id),
                "type": type(err).__name__,
                "code": err.code,
                "subcode": err.subcode,
                "http_status": err.http_status,
                "fbtrace_id": err.fbtrace_id,
                "message": str(err),
                "attempts": result.attempts,
            }
        self._react(out, err, result.attempts)

    def _react(self, out: Outgoing, err: SendError, attempts: int) -> None:
        """Raise alarms and remember closed windows / unreachable people; log once per alarm."""
        who = (out.platform, out.recipient_id)
        if isinstance(err, (AuthError, PolicyBlocked)):
            name = f"{out.platform}.{_alarm_kind(err)}"
            if self.alarms.raise_(name, str(err)):
                log.error("alarm %s: %s (fbtrace_id=%s)", name, err, err.fbtrace_id)
            return
        if isinstance(err, WindowClosed):
            self.closed_windows.add(who, self._clock())
        elif isinstance(err, RecipientUnavailable):
            self.unreachable.add(who, self._clock())
        elif err.retryable and self.alarms.raise_(f"{out.platform}.unavailable", str(err)):
            log.error("alarm %s.unavailable: %s", out.platform, err)
        log.warning(
            "%s send failed: %s kind=%s recipient=%s attempts=%d fbtrace_id=%s: %s",
            out.platform, type(err).__name__, out.kind, customer_ref(out.platform, out.recipient_id), attempts,
            err.fbtrace_id, err,
        )

    def _redact(self, text: str) -> str:
        """Remove every declared secret (the channels' tokens among them; ``SECRETS`` in bot/config.py)
        and any ``access_token=`` value from ``text``."""
        for secret in self.settings.secret_values():
            if secret:
                text = text.replace(secret, "[redacted]")
        return _TOKEN_IN_TEXT.sub(r"\1[redacted]", text)


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, SendError) and exc.retryable


def _retry_idempotent(exc: BaseException) -> bool:
    """Retryable, or unanswered: sending an idempotent call twice does no harm."""
    return _is_retryable(exc) or isinstance(exc, DeliveryUnknown)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request surely never reached the server: no connection was made.

    requests wraps urllib3's ``MaxRetryError(reason=NewConnectionError)`` (refused, DNS) in a
    ConnectionError; a dropped connection (``ProtocolError``) or a read timeout may come after
    the request was written, so they are not "never sent". TLS and proxy errors happen before.
    """
    if isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.ProxyError)):
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


def _paused(alarms: Alarms) -> dict[str, str]:
    """Platforms with a pausing alarm (bad token, missing permission): platform -> detail."""
    found: dict[str, str] = {}
    for name, info in sorted(alarms.active().items()):
        platform, _, kind = name.partition(".")
        if kind in PAUSING_ALARMS:
            found.setdefault(platform, f"{kind}: {info['detail']}")
    return found


def _outages(alarms: Alarms) -> dict[str, dict[str, Any]]:
    """Platforms whose Graph API is unreachable: platform -> {since, detail}."""
    return {
        name.partition(".")[0]: {"since": info["since"], "detail": info["detail"]}
        for name, info in sorted(alarms.active().items())
        if name.endswith(".unavailable")
    }


def _json_or_text(response: requests.Response) -> dict | str:
    """The response body as JSON when it parses, else its text."""
    try:
        return response.json()
    except ValueError:
        return response.text


def _message_id(data: dict) -> str | None:
    """Messenger's ``message_id`` or WhatsApp's ``messages[0].id``."""
    if data.get("message_id"):
        return str(data["message_id"])
    messages = data.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict) and messages[0].get("id"):
        return str(messages[0]["id"])
    return None


def _code_key(err: SendError) -> str:
    """The key an error is counted under in ``failed_by_code``."""
    if err.code is not None:
        return str(err.code) if err.subcode is None else f"{err.code}/{err.subcode}"
    if err.http_status is not None:
        return f"http_{err.http_status}"
    return type(err).__name__


def _alarm_kind(err: SendError) -> str:
    if isinstance(err, PolicyBlocked):
        return "policy_blocked"
    if err.code is None:
        return "not_configured"
    if err.code == 190:
        return "invalid_token"
    return "permission"


# --------------------------------------------------------------------------- console


class ConsoleSender:
    """Record outgoing items for the admin console instead of sending them.

    ``record(out)`` is the storage layer's outbox writer; without one, items are kept in
    :attr:`sent`. Messages get fake ids ``m_console_<n>`` (Messenger) or
    ``wamid.console.<n>`` (WhatsApp); actions and handovers get none, as on the Graph API.
    """

    def __init__(self, record: Callable[[Outgoing], None] | None = None, *, alarms: Alarms | None = None) -> None:
        self.sent: list[Outgoing] = []
        self.alarms = alarms if alarms is not None else Alarms()
        self._record = record or self.sent.append
        self._lock = threading.Lock()
        self._count = 0
        self._failed = 0

    def send(self, out: Outgoing) -> SendResult:
        """Append ``out`` to the outbox; a storage failure gives a failed result, not an exception."""
        try:
            self._record(out)
        except BotError as exc:
            with self._lock:
                self._failed += 1
            log.warning("console outbox failed: %s", exc)
            return SendResult(ok=False, error=TransientSendError(f"console outbox failed: {exc}"), attempts=1)
        with self._lock:
            self._count += 1
            n = self._count
        return SendResult(ok=True, message_id=_console_id(out, n), attempts=1)

    def paused(self) -> dict[str, str]:
        """The same as :meth:`GraphSender.paused` (alarms may be shared)."""
        return _paused(self.alarms)

    def outages(self) -> dict[str, dict[str, Any]]:
        """The same as :meth:`GraphSender.outages`."""
        return _outages(self.alarms)

    def status(self) -> dict[str, Any]:
        """The same shape as :meth:`GraphSender.status`."""
        with self._lock:
            sent, failed = self._count, self._failed
        return {
            "mode": "console",
            "sent": sent,
            "failed": failed,
            "retries": 0,
            "unknown": 0,
            "failed_by_code": {},
            "alarms": self.alarms.active(),
            "paused": self.paused(),
            "outages": self.outages(),
            "closed_windows": 0,
            "unreachable": 0,
            "last_error": None,
        }


def _console_id(out: Outgoing, n: int) -> str | None:
    if out.kind != "message":
        return None
    found = _channel_of(out.platform)
    return f"{found.console.message_id_prefix if found else 'console.'}{n}"


def _channel_of(platform: str) -> Channel | None:
    """The channel of a platform name, None for a name no channel has."""
    try:
        return CHANNELS[Platform(platform)]
    except ValueError:
        return None


def build_sender(
    settings: Settings,
    *,
    record: Callable[[Outgoing], None] | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    alarms: Alarms | None = None,
) -> GraphSender | ConsoleSender:
    """The sender for ``settings.send_mode``: ``graph`` sends, ``console`` records."""
    if settings.send_mode == "graph":
        return GraphSender(settings, session=session, sleep=sleep, clock=clock, alarms=alarms)
    return ConsoleSender(record, alarms=alarms)
