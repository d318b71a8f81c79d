"""Reading one BWW field whatever shape the API gives it (BWW_API.md marks most as *unverified*).

Each reader takes what was recorded (``"name": "…"``, ``"final_price": 519``) and the plausible
variants a backend of this kind sends (examples in ``tests/payloads/store/``): numbers as strings
(``"1,250.00"``, ``"450 EGP"``), flags as ``0``/``"1"``, texts as ``{"ar": …, "en": …}`` or
``{"name_en": …}``, colours and sizes as lists of strings, of objects (``{"id": 3, "name": "Red",
"code": "#f00"}``) or one comma-separated string, images as objects or lists, a category as
a string. A value it cannot read becomes the empty default, never an exception and never the
raw object shown to a customer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = ["category", "flag", "image", "image_kind", "number", "options", "plain", "text", "whole"]

_TEXT_KEYS = ("name", "title", "label", "value", "text")
_OPTION_KEYS = ("name", "value", "title", "label", "color", "colour", "size")
_SEPARATORS = re.compile(r"\s*[,،;|/]\s*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TAG = re.compile(r"<[^>]+>")
# What WhatsApp takes as an image message (JPEG, PNG); what resvg can convert; the rest: no picture.
DIRECT = (".jpg", ".jpeg", ".png")
CONVERTIBLE = (".webp", ".gif", ".svg")


def text(value: Any, lang: str = "") -> str:
    """A display text: a string, or the ``lang`` entry of a translations object, else its first text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping):
        keys = (lang, f"name_{lang}", f"{lang}_name", f"title_{lang}") if lang else ()
        for key in (*keys, *_TEXT_KEYS, "en", "ar", "name_en", "name_ar"):
            found = text(value.get(key)) if key in value else ""
            if found:
                return found
        return ""
    if isinstance(value, (list, tuple)):
        return next((found for found in (text(item, lang) for item in value) if found), "")
    return ""


def plain(value: Any, lang: str = "") -> str:
    """A text without HTML tags or entities (descriptions may come as HTML)."""
    raw = text(value, lang)
    if "<" in raw or "&" in raw:
        raw = html.unescape(_TAG.sub(" ", raw))
    return re.sub(r"[ \t]+", " ", raw).strip()


def number(value: Any) -> float:
    """A number from ``519``, ``519.5``, ``"1,250.00"``, ``"450 EGP"``, ``"٤٥٠"``; else 0."""
    if isinstance(value, bool) or value is None:
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Mapping):
        return number(value.get("amount", value.get("value")))
    if isinstance(value, str):
        digits = value.translate(_ARABIC_DIGITS).replace(",", "").replace("٫", ".")
        found = _NUMBER.search(digits)
        return float(found.group()) if found else 0.0
    return 0.0


def whole(value: Any) -> int:
    """:func:`number`, rounded to a whole number."""
    return int(round(number(value)))


def flag(value: Any) -> bool:
    """A yes/no from ``true``, ``1``, ``"1"``, ``"true"``, ``"yes"``."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "on")
    return bool(value) if isinstance(value, (bool, int, float)) else False


def options(value: Any, lang: str = "") -> list[str]:
    """Colour or size names from a list (of strings, numbers or objects) or a separated string."""
    items: Iterable[Any]
    if isinstance(value, str):
        items = _SEPARATORS.split(value)
    elif isinstance(value, Mapping):
        items = value.values() if not any(key in value for key in _OPTION_KEYS) else [value]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return []
    found: dict[str, None] = {}
    for item in items:
        if isinstance(item, Mapping):
            name = text({key: item[key] for key in item if key not in ("id", "code", "hex", "image")}, lang)
        else:
            name = text(item, lang)
        if name and not name.startswith("#"):
            found.setdefault(name, None)
    return list(found)


def image(value: Any) -> str:
    """An http(s) picture URL from a string, an object (``url``, ``original``, ``src``...) or a list."""
    if isinstance(value, str):
        url = value.strip()
        return url if url.startswith(("http://", "https://")) else ""
    if isinstance(value, Mapping):
        for key in ("url", "original", "large", "src", "path", "image", "main"):
            found = image(value.get(key))
            if found:
                return found
        return ""
    if isinstance(value, (list, tuple)):
        return next((found for found in map(image, value) if found), "")
    return ""


def image_kind(url: str) -> str:
    """``direct`` (JPEG/PNG, or no extension to judge by), ``convert`` (WebP, GIF, SVG: WhatsApp
    refuses them, the app serves a PNG), or ``none`` (a format nothing here can show: AVIF, HEIC...)."""
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    if "." not in name or path.endswith(DIRECT):
        return "direct"
    return "convert" if path.endswith(CONVERTIBLE) else "none"


def category(value: Any) -> dict[str, Any]:
    """The category object; a bare string becomes ``{"name": s, "slug": s}``."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip():
        return {"name": value.strip(), "slug": re.sub(r"\s+", "-", value.strip().lower())}
    if isinstance(value, (list, tuple)) and value:
        return category(value[0])
    return {}


_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
