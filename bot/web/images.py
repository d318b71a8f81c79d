"""Product pictures of the demo store: ``GET /media/products/<id>.svg``.

The store draws them (``bot.store.images``); this blueprint only serves the text, from the
catalog snapshot, without calling any store API.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from bot.errors import ProductNotFound, StoreError

bp = Blueprint("images", __name__)


@bp.get("/media/products/<int:product_id>.svg")
def product_image(product_id: int) -> Response:
    """The SVG picture of one product; 404 for an id the catalog does not know."""
    store = current_app.extensions["dukkan"].store
    try:
        svg = store.picture(product_id)
    except (ProductNotFound, StoreError):
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
