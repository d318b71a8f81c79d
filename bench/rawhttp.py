"""Minimal HTTP/1.1 on raw asyncio sockets, for the benchmarks' own tools (never the thing measured).

- :class:`ResponseReader` reads one response at a time from a keep-alive connection (the load
  client, ``bench/httpload.py``).
- :func:`serve` runs a keep-alive server whose handler maps ``(method, path, body)`` to
  ``(status, body)`` (the fake Graph API and the trivial server that shows the client's ceiling).

Only what the benchmarks exchange is understood: ``Content-Length`` or chunked bodies, no
pipelining beyond reading requests in order, no TLS.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

Handler = Callable[[str, str, bytes], tuple[int, bytes]]
_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}


def _content_length(head: bytes) -> int | None:
    """The ``Content-Length`` of a header block, or None when it has none (chunked or no body)."""
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        return None
    end = lower.find(b"\r\n", at + 2)
    return int(lower[at + 17:end if end >= 0 else len(lower)].strip())


def _chunked_end(buf: bytearray, start: int) -> tuple[int, bytes] | None:
    """(end offset, body) of a complete chunked body starting at ``start``, else None."""
    body, at = bytearray(), start
    while True:
        line_end = buf.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buf[at:line_end]).split(b";")[0], 16)
        if size == 0:
            trailer_end = buf.find(b"\r\n\r\n", line_end)
            if trailer_end < 0:
                return None
            return trailer_end + 4, bytes(body)
        if len(buf) < line_end + 2 + size + 2:
            return None
        body += buf[line_end + 2:line_end + 2 + size]
        at = line_end + 2 + size + 2


def take_message(buf: bytearray) -> tuple[bytes, bytes] | None:
    """Remove one complete message (head, body) from the front of ``buf``; None while incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end])
    length = _content_length(head)
    if length is None and b"chunked" in head.lower():
        found = _chunked_end(buf, end + 4)
        if found is None:
            return None
        stop, body = found
    else:
        stop = end + 4 + (length or 0)
        if len(buf) < stop:
            return None
        body = bytes(buf[end + 4:stop])
    del buf[:stop]
    return head, body


class ResponseReader(asyncio.Protocol):
    """One keep-alive client connection: ``await request(raw)`` sends a request and returns the status."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a socket transport is a Transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        message = take_message(self.buf)
        if message is not None and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(int(message[0][9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed by the server"))

    async def request(self, raw: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


class _ServerConnection(asyncio.Protocol):
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a socket transport is a Transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (message := take_message(self.buf)) is not None:
            head, body = message
            method, path = head.split(b" ", 2)[:2]
            status, answer = self.handler(method.decode(), path.decode(), body)
            assert self.transport is not None
            self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                 % (status, _REASONS.get(status, b"OK"), len(answer), answer))


async def serve(handler: Handler, host: str = "127.0.0.1", port: int = 0,
                ready: Callable[[int], None] | None = None) -> None:
    """Serve ``handler`` forever; ``ready(port)`` is called once listening."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _ServerConnection(handler), host, port, backlog=1024)
    if ready is not None:
        ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()
