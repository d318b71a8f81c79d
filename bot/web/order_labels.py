"""Orders as the console shows them: human labels in the staff's language beside the stored keys.

An order keeps machine values (governorate ``cairo``, colour ``light blue``); staff read
``governorate_label`` ("Cairo" / "القاهرة") and each item's ``color_label`` ("Light blue" / "لبني")
and ``size_label`` (the size as written: ``XL``, ``42``, ``One Size``). A value the shop's profile
or the colour table does not know (an order from before a profile change, a shop's own colour) is
shown as written, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialog.texts import COLORS, color
from bot.store.info import StoreInfo

__all__ = ["LANGUAGES", "governorate_label", "labelled"]

LANGUAGES = ("en", "ar")


def labelled(order: Mapping[str, Any], lang: str, info: StoreInfo | None) -> dict[str, Any]:
    """``order`` (``Order.to_dict()``) with ``governorate_label`` and per-item ``color_label`` and ``size_label``."""
    items = [_item(item, lang) for item in order.get("items") or ()]
    return {**order, "governorate_label": governorate_label(str(order.get("governorate") or ""), lang, info),
            "items": items, "labels_lang": lang}


def governorate_label(value: str, lang: str, info: StoreInfo | None) -> str:
    """The governorate's name in ``lang`` from the shop's profile (by key, else by name); else ``value``."""
    value = value.strip()
    if not value or info is None:
        return value
    row = next((g for g in info.governorates if g.key == value), None)
    if row is None:
        try:
            row = info.governorate(value)   # a name or alias stored as written
        except Exception:  # a label never breaks the orders view
            row = None
    return (row.name(lang) or row.name("ar" if lang == "en" else "en")) if row is not None else value


def color_label(value: str, lang: str) -> str:
    """A canonical colour (``light blue``) in ``lang``; another colour as written."""
    value = value.strip()
    return color(lang, value.lower()) if value.lower() in COLORS else value


def _item(item: Mapping[str, Any], lang: str) -> dict[str, Any]:
    return {**item, "color_label": color_label(str(item.get("color") or ""), lang),
            "size_label": str(item.get("size") or "").strip()}
