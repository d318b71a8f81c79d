"""Store pictures WhatsApp refuses, converted to PNG: the app serves them at ``/media/store/<id>.png``.

WhatsApp takes only JPEG and PNG as image messages; a WebP, GIF or SVG product picture (BWW's
category pictures are WebP already) would fail there. The mapping (:mod:`bot.store.bww`) points
such a product's ``image_url`` at the app; this module fetches the store's own picture (the URL
comes from the catalog, never from the request), at most ``max_bytes``, and renders it to a
square PNG with resvg (which reads WebP, GIF, PNG and JPEG inside an SVG ``<image>``). Results are
kept in a small TTL cache. Meta fetches the picture when it delivers the message, off any
customer's turn; the store API's rate limit is not involved (pictures come from the store's CDN).
"""

from __future__ import annotations

import base64
import threading
from typing import Any

import cachetools
import requests
import resvg_py

from bot.errors import StoreUnavailable

__all__ = ["PictureConverter", "sniff"]

MAX_BYTES = 5 * 2**20
PNG_SIZE = 600
_MIME = {"webp": "image/webp", "gif": "image/gif", "png": "image/png", "jpeg": "image/jpeg"}


def sniff(data: bytes) -> str:
    """The picture's format from its first bytes: ``webp``, ``gif``, ``png``, ``jpeg``, ``svg`` or ``""``."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "svg"
    return ""


class PictureConverter:
    """Fetch a picture and return it as PNG bytes; thread-safe, cached."""

    def __init__(self, session: requests.Session | None = None, *, max_bytes: int = MAX_BYTES,
                 timeout: tuple[float, float] = (2.0, 8.0), ttl_s: float = 86400.0, size: int = PNG_SIZE) -> None:
        self._session = session or requests.Session()
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._size = size
        lock = threading.Lock()
        self.png = cachetools.cached(cachetools.TTLCache(maxsize=128, ttl=ttl_s), lock=lock)(self._png)

    def _png(self, url: str) -> bytes:
        """``url``'s picture as a ``size`` x ``size`` PNG (letterboxed on white)."""
        data = self._fetch(url)
        kind = sniff(data)
        if kind == "png":
            return data
        if kind == "svg":
            svg = data.decode("utf-8", "replace")
        elif kind in _MIME:
            encoded = base64.b64encode(data).decode("ascii")
            svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self._size}" height="{self._size}">'
                   f'<rect width="100%" height="100%" fill="#ffffff"/>'
                   f'<image width="{self._size}" height="{self._size}" preserveAspectRatio="xMidYMid meet" '
                   f'href="data:{_MIME[kind]};base64,{encoded}"/></svg>')
        else:
            raise StoreUnavailable(f"the picture at {url} is in a format that cannot be converted")
        try:
            png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=self._size, height=self._size))
        except Exception as error:   # resvg's own errors: a broken picture
            raise StoreUnavailable(f"the picture at {url} could not be converted: {error}") from error
        if not png.startswith(b"\x89PNG"):
            raise StoreUnavailable(f"the picture at {url} could not be converted")
        return png

    def _fetch(self, url: str) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise StoreUnavailable("only http(s) pictures are fetched")
        try:
            with self._session.get(url, timeout=self._timeout, stream=True) as response:
                if response.status_code != 200:
                    raise StoreUnavailable(f"the picture at {url} answered {response.status_code}")
                data = _read_at_most(response, self._max_bytes)
        except requests.RequestException as error:
            raise StoreUnavailable(f"the picture at {url} could not be fetched ({type(error).__name__})") from error
        return data


def _read_at_most(response: Any, limit: int) -> bytes:
    chunks, total = [], 0
    for chunk in response.iter_content(65536):
        total += len(chunk)
        if total > limit:
            raise StoreUnavailable(f"the picture is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
