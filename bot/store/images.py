"""Product pictures for the demo store, drawn as SVG from the product's item and colours.

The demo catalog has no image files; every card still needs a picture, so each product gets a
simple silhouette of its item family filled with its first colour, with a swatch per colour sold.
Messenger and WhatsApp only take raster images (JPEG/PNG), so cards point at a PNG rendered from
the SVG with resvg; the SVG stays available for browsers. Pure functions: the web layer
(``bot/web/images.py``) serves what this module returns.
"""

from __future__ import annotations

from html import escape

import resvg_py

from bot.store.product import Product

__all__ = ["PALETTE", "image_path", "png_from_svg", "product_svg"]
PNG_SIZE = 600

PALETTE = {
    "black": "#222222", "white": "#f4f4f4", "red": "#d32f2f", "blue": "#1e63c6", "navy": "#1b2a4a",
    "light blue": "#8ec5ee", "green": "#2e7d32", "olive": "#6b6b2a", "grey": "#8d8d8d",
    "beige": "#d9c7a3", "brown": "#6d4c33", "burgundy": "#7b1e34", "purple": "#6a3fa0",
    "pink": "#f08cb4", "yellow": "#f2c933", "orange": "#f07c22",
}
_FALLBACK = "#9e9e9e"

# One silhouette per item family, drawn in a 200x200 box (path data).
_SHAPES = {
    "top": "M60 40 L85 30 Q100 45 115 30 L140 40 L165 70 L145 85 L140 75 L140 165 L60 165 L60 75 L55 85 L35 70 Z",
    "bottom": "M65 30 L135 30 L145 170 L112 170 L100 80 L88 170 L55 170 Z",
    "dress": "M80 30 L120 30 L118 70 L150 170 L50 170 L82 70 Z",
    "shoe": "M30 120 L80 110 L110 80 L130 85 L135 110 L170 125 L172 145 L30 145 Z",
    "bag": ("M45 75 L155 75 L165 165 L35 165 Z "
            "M75 75 Q75 40 100 40 Q125 40 125 75 L117 75 Q117 50 100 50 Q83 50 83 75 Z"),
    "watch": "M85 30 L115 30 L115 65 A40 40 0 0 1 115 135 L115 170 L85 170 L85 135 A40 40 0 0 1 85 65 Z",
    "cap": "M45 120 Q45 60 100 60 Q155 60 155 120 Z M150 112 L185 125 L150 128 Z",
    "long": "M70 30 L130 30 L140 170 L60 170 Z",
    "small": "M60 60 L140 60 L140 140 L60 140 Z",
}
_FAMILY = {
    "t-shirt": "top", "shirt": "top", "blouse": "top", "hoodie": "top", "sweatshirt": "top", "jacket": "top",
    "coat": "long", "abaya": "long", "tracksuit": "top", "pajamas": "top",
    "jeans": "bottom", "trousers": "bottom", "shorts": "bottom", "skirt": "dress", "dress": "dress",
    "sneakers": "shoe", "shoes": "shoe", "sandals": "shoe", "slippers": "shoe", "boots": "shoe",
    "bag": "bag", "wallet": "small", "watch": "watch", "belt": "small", "cap": "cap",
    "scarf": "long", "socks": "small", "sunglasses": "small",
}


def image_path(product_id: int, extension: str = "png") -> str:
    """The app path that serves a product's picture (PNG for the platforms, SVG for browsers)."""
    return f"/media/products/{int(product_id)}.{extension}"


def png_from_svg(svg: str, size: int = PNG_SIZE) -> bytes:
    """``svg`` rendered as a square PNG of ``size`` pixels."""
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size))


def product_svg(product: Product, color: str = "") -> str:
    """An SVG picture of ``product``: its item silhouette in ``color`` (when it comes in it; else its
    first colour), plus a swatch per colour it is sold in."""
    colors = list(product.colors) or ["grey"]
    fill = PALETTE.get(color if color in colors else colors[0], _FALLBACK)
    shape = _SHAPES[_FAMILY.get(product.item, "small")]
    swatches = "".join(
        f'<circle cx="{100 + (index - (len(colors) - 1) / 2) * 18:.0f}" cy="188" r="7" '
        f'fill="{PALETTE.get(color, _FALLBACK)}" stroke="#555" stroke-width="1"/>'
        for index, color in enumerate(colors[:8])
    )
    title = escape(product.name("en"))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 200 200" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        '<rect width="200" height="200" fill="#fafafa"/>'
        f'<path d="{shape}" fill="{fill}" stroke="#444" stroke-width="2" fill-rule="evenodd"/>'
        f"{swatches}</svg>"
    )
