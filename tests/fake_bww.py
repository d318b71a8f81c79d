"""A faithful fake of the BWW Store API: a real HTTP server on a free port, in a thread.

It speaks what BWW_API.md and the recorded page say: ``POST /api/v1/filter-products`` (JSON
body, ``page``/``page_size``, ``search``), ``GET /api/v1/product-details/{id}`` and
``/api/v1/product/{id}``, the ``{status, message, data}`` envelope, names in the language of
``Accept-Language``, and ``X-API-PASSWORD`` = SHA-256 of the secret and the server's UTC hour
(401 ``{"message": "Unauthenticated."}`` otherwise; its ``Date`` header shows its clock).

Its clock is injected (the tests' fake clock; ``skew_s`` puts the server's clock hours off), and
every request is recorded with the time it arrived on that clock, so a test can ask for the most
calls in any minute (:meth:`FakeBww.most_in_window`). Faults (:meth:`FakeBww.fail`) apply to the
next matching requests: HTTP statuses, envelope errors in a 200, HTML pages, garbage and
truncated JSON, delays on the fake clock, real hangs (client timeouts), dropped connections,
429 with Retry-After, 401. ``ignore_page_size``, ``omit`` (pagination fields left out) and
``limit`` (the server's own rate limit, 429 beyond it) shape the rest. Pictures are served under
``/images/`` (``images``: path -> bytes) for the picture conversion.
"""

from __future__ import annotations

import email.utils
import json
import math
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.store.password import password_for
from tests.fake_bww_catalog import Item, build_catalog

__all__ = ["Call", "FakeBww", "Fault", "closed_port_url"]

PREFIX = "/api/v1"
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"


@dataclass
class Fault:
    """What the next ``times`` requests whose path starts with ``path`` get instead of an answer."""

    kind: str
    times: int = 1                     # -1: until cleared
    path: str = ""
    value: float = 0.0
    page: int | None = None            # only requests for this catalog page


@dataclass(frozen=True)
class Call:
    """One request as the server saw it."""

    at: float
    method: str
    path: str
    lang: str
    page: int | None
    status: int
    kind: str = ""                     # the fault served, if any


@dataclass
class FakeBww:
    """The fake API; ``with FakeBww(10_000, clock=clock) as api: api.url``."""

    size: int = 169
    secret: str = "s3cret"
    clock: Callable[[], float] = time.time
    skew_s: float = 0.0
    page_max: int = 100
    ignore_page_size: bool = False
    omit: tuple[str, ...] = ()
    limit: tuple[int, float] | None = None
    images: dict[str, bytes] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.items: list[Item] = build_catalog(self.size)
        self.by_id = {item.id: item for item in self.items}
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self._stopped = threading.Event()        # a hanging answer ends when the fake stops

    # ---- running ------------------------------------------------------------------------------

    def start(self) -> FakeBww:
        self._stopped.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-bww").start()
        return self

    def stop(self) -> None:
        """Stop listening and drop open connections: from now on every connection is refused."""
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self._connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._connections.clear()

    def __enter__(self) -> FakeBww:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The API base, as ``STORE_API_URL``."""
        return self.origin + PREFIX

    # ---- test controls ------------------------------------------------------------------------

    def fail(self, kind: str, times: int = 1, path: str = "", value: float = 0.0, page: int | None = None) -> None:
        """Serve ``kind`` to the next ``times`` requests under ``path`` (``/filter-products``...),
        for catalog ``page`` only when given."""
        with self._lock:
            self.faults.append(Fault(kind, times, PREFIX + path if path else "", value, page))

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def api_calls(self, since: int = 0, path: str = "") -> list[Call]:
        with self._lock:
            return [call for call in self.calls[since:] if call.path.startswith(PREFIX + path)]

    def most_in_window(self, window: float = 60.0) -> int:
        """The most API calls that arrived in any ``window`` seconds of the server's clock."""
        times = sorted(call.at for call in self.api_calls())
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            most = max(most, end - start + 1)
        return most

    def password(self) -> str:
        """The password the server accepts now (its own clock's UTC hour)."""
        return password_for(self.secret, datetime.fromtimestamp(self.now(), UTC))

    def now(self) -> float:
        return self.clock() + self.skew_s

    # ---- answering ----------------------------------------------------------------------------

    def _take_fault(self, path: str, page: object = None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path) and (fault.page is None or fault.page == page):
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _over_limit(self) -> float:
        """Seconds until the server's own limit lets a call through (0: it does now)."""
        if self.limit is None:
            return 0.0
        calls, period = self.limit
        now = self.clock()
        recent = sorted(c.at for c in self.api_calls() if now - c.at < period and c.status != 429)
        return recent[-calls] + period - now if len(recent) >= calls else 0.0

    def filter_products(self, body: dict, lang: str) -> dict:
        asked = int(body.get("page") or 1), int(body.get("page_size") or 10)
        page, size = asked[0], 10 if self.ignore_page_size else max(1, min(asked[1], self.page_max))
        found = self.items
        if body.get("search"):
            words = str(body["search"]).lower()
            found = [item for item in found if words in item.rows[lang]["name"].lower()]
        rows = [item.rows[lang] for item in found[(page - 1) * size: page * size]]
        data = {"total": len(found), "page": page, "page_size": size,
                "total_pages": max(1, math.ceil(len(found) / size)), "products": rows, "applied_filters": []}
        for key in self.omit:
            data.pop(key, None)
        return {"status": 200, "message": "Products list", "data": data}

    def details(self, product_id: int, lang: str) -> tuple[int, dict]:
        item = self.by_id.get(product_id)
        if item is None:
            return 404, {"status": 404, "message": "Product not found", "data": None}
        return 200, {"status": 200, "message": "Product details", "data": item.details[lang]}


def _handler(fake: FakeBww) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            return

        def date_time_string(self, timestamp: float | None = None) -> str:
            """The ``Date`` header: the server's own (injected, maybe skewed) clock."""
            return email.utils.formatdate(fake.now(), usegmt=True)

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # no 40 ms stalls
            fake._connections.add(self.connection)

        def do_GET(self) -> None:  # noqa: N802  (http.server names the handlers do_GET/do_POST)
            if self.path.startswith("/images/"):
                self._images()
            else:
                self._api("GET", None)

        def do_POST(self) -> None:  # noqa: N802  (http.server names the handlers do_GET/do_POST)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            self._api("POST", body if isinstance(body, dict) else {})

        def _api(self, method: str, body: dict | None) -> None:
            lang = "en" if self.headers.get("Accept-Language", "ar").lower().startswith("en") else "ar"
            page = body.get("page") if isinstance(body, dict) else None
            fault = fake._take_fault(self.path, page)
            slow = fault if fault is not None and fault.kind in ("delay", "hang") else None
            if slow is not None:
                fault = None
                if slow.kind == "delay" and hasattr(fake.clock, "now"):
                    fake.clock.now += slow.value     # the answer takes this long on the fake clock
            status, answer, kind = self._answer(method, body, lang, fault)
            fake._record(Call(fake.clock(), method, self.path, lang, page, status, slow.kind if slow else kind))
            if kind == "reset":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if slow is not None and slow.kind == "hang":
                fake._stopped.wait(slow.value)       # hangs past the client's read timeout, or until stopped
            self._send(status, answer, kind)

        def _answer(self, method: str, body: dict | None, lang: str, fault: Fault | None) -> tuple[int, object, str]:
            if fault is not None:
                return _faulty(fault)
            wait = fake._over_limit()
            if wait:
                return 429, ({"message": "Too Many Attempts."}, {"Retry-After": str(math.ceil(wait))}), "limit"
            if self.headers.get("X-API-PASSWORD") != fake.password():
                return 401, {"message": "Unauthenticated."}, "auth"
            path = self.path[len(PREFIX):] if self.path.startswith(PREFIX) else self.path
            if method == "POST" and path == "/filter-products":
                return 200, fake.filter_products(body or {}, lang), ""
            for prefix in ("/product-details/", "/product/"):
                if method == "GET" and path.startswith(prefix) and path[len(prefix):].isdigit():
                    status, answer = fake.details(int(path[len(prefix):]), lang)
                    return status, answer, ""
            return 404, {"message": "Not Found"}, ""

        def _send(self, status: int, answer: object, kind: str) -> None:
            headers: dict[str, str] = {}
            if isinstance(answer, tuple):
                answer, extra = answer
                headers.update(extra)
            if isinstance(answer, (bytes, str)):
                data = answer.encode() if isinstance(answer, str) else answer
                headers["Content-Type"] = "text/html" if kind.startswith("html") else "application/json"
            else:
                data = json.dumps(answer, ensure_ascii=False).encode()
                headers["Content-Type"] = "application/json"
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass          # the client gave up (its timeout)

        def _images(self) -> None:
            data = fake.images.get(self.path)
            if data is None:
                self._send(404, b"not found", "html")
                return
            try:
                self.send_response(200)
                self.send_header("Content-Type", "image/webp" if self.path.endswith(".webp") else "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

    return Handler


def _faulty(fault: Fault) -> tuple[int, object, str]:
    """(status, answer, kind) of a fault."""
    kind, value = fault.kind, fault.value
    if kind == "status":
        return int(value or 500), {"status": int(value or 500), "message": "Server Error"}, kind
    if kind == "html":
        return int(value or 502), HTML_502, kind
    if kind == "html200":
        return 200, "<html><body>Please sign in</body></html>", kind
    if kind == "garbage":
        return 200, b"\x00\xffnot json at all", kind
    if kind == "truncated":
        return 200, '{"status": 200, "message": "Products list", "data": {"products": [{"id": 1, "na', kind
    if kind == "envelope":
        return 200, {"status": int(value or 500), "message": "Server Error", "data": None}, kind
    if kind == "429":
        return 429, ({"message": "Too Many Attempts."}, {"Retry-After": str(int(value))} if value else {}), kind
    if kind == "401":
        return 401, {"message": "Unauthenticated."}, kind
    if kind == "reset":
        return 0, b"", kind
    raise ValueError(f"unknown fault {kind!r}")


def closed_port_url() -> str:
    """An API base on a port nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{PREFIX}"
