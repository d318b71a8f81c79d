"""Product pictures of the demo store: ``GET /media/products/<id>.png`` (and ``.svg``), in one of
the product's colours with ``?color=black``; and a store picture WhatsApp would refuse (WebP,
GIF, SVG), converted to PNG: ``GET /media/store/<id>.png`` (``bot.store.remote_images``).

The store draws them (``bot.store.images``); this blueprint serves them from the catalog
snapshot, without calling any store API. Rendered PNGs are kept in a small LRU cache.
"""

from __future__ import annotations

import threading

from cachetools import LRUCache, cached
from flask import Blueprint, Response, abort, current_app, request

from bot.errors import ProductNotFound, StoreError
from bot.store.images import PALETTE, png_from_svg

bp = Blueprint("images", __name__)


@cached(LRUCache(maxsize=512), lock=threading.Lock())
def _png(svg: str) -> bytes:
    return png_from_svg(svg)


def _svg(product_id: int) -> str:
    color = request.args.get("color", "")
    try:
        return current_app.extensions["dukkan"].store.picture(product_id, color if color in PALETTE else "")
    except (ProductNotFound, StoreError):
        abort(404)


def _image(body: str | bytes, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/media/products/<int:product_id>.svg")
def product_svg(product_id: int) -> Response:
    """The SVG picture of one product; 404 for an id the catalog does not know."""
    return _image(_svg(product_id), "image/svg+xml")


@bp.get("/media/products/<int:product_id>.png")
def product_png(product_id: int) -> Response:
    """The same picture as PNG, the format Messenger and WhatsApp accept."""
    return _image(_png(_svg(product_id)), "image/png")


@bp.get("/media/store/<int:product_id>.png")
def store_png(product_id: int) -> Response:
    """A store product's own picture as PNG; 404 for an unknown product, 502 when it cannot be had."""
    try:
        png = current_app.extensions["dukkan"].store.converted_picture(product_id)
    except ProductNotFound:
        abort(404)
    except StoreError:
        abort(502)
    return _image(png, "image/png")
