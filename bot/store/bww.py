"""BWW Store product JSON -> :class:`Product` (BWW_API.md, "Product").

List items carry no colours, sizes, item type or description: the item, colours and gender are
read from the name with the intent matcher's vocabulary (``bot.nlu.analysis``: the shared
lexicon's phrase index, whole tokens, longest phrase first): ``"UNITED | Men's Dotted Polo
T-Shirt"`` -> t-shirt, men; ``"... – Off White"`` -> white; ``"Boys' ..."``/``ولادي`` -> boys.
English names put the head noun last, Arabic names first.
Prices are never recomputed: ``final_price`` is shown; ``original_price`` and ``discount`` only
count when ``has_discount``.
"""

from __future__ import annotations

from typing import Any, Mapping

from bot.nlu.analysis import analyse
from bot.store.product import Product
from bot.store.search import item_slots

__all__ = ["product_from_bww", "section_of"]

SITE = "https://bww-store.com"


def product_from_bww(arabic: Mapping[str, Any] | None, english: Mapping[str, Any] | None, language: str = "ar") -> Product:
    """Merge the Arabic and English list items (or details) of one product into a :class:`Product`."""
    main = (arabic if language == "ar" else english) or arabic or english or {}
    other = english if main is arabic else arabic
    name_en = str((english or {}).get("name", ""))
    name_ar = str((arabic or {}).get("name", ""))
    derived = _derive(name_en, name_ar)
    has_discount = bool(main.get("has_discount"))
    final_price = int(round(float(main.get("final_price") or main.get("original_price") or 0)))
    category = main.get("category") or {}
    colors = tuple(str(color).lower() for color in main.get("colors") or ()) or derived["colors"]
    return Product(
        id=int(main["id"]),
        name_ar=name_ar or name_en,
        name_en=name_en or name_ar,
        description_ar=_text((arabic or {}).get("description")),
        description_en=_text((english or {}).get("description")),
        category=section_of(category),
        item=derived["item"],
        gender=derived["gender"],
        colors=colors,
        sizes=tuple(str(size) for size in main.get("sizes") or ()),
        price=int(round(float(main.get("original_price") or final_price))) if has_discount else final_price,
        final_price=final_price,
        discount_percent=int(main.get("discount") or 0) if has_discount else 0,
        stock_quantity=int(main.get("stock_quantity") or 0),
        rating=float(main.get("rating") or 0),
        count_rating=int(main.get("count_rating") or 0),
        image_url=str(main.get("main_image") or ""),
        link=f"{SITE}/{language}/product-details/{main.get('slug', '')}/{main['id']}",
        tags=_tags(main),
        sold_count=int(main.get("sold_count") or 0),
        category_name_ar=str(((arabic or {}).get("category") or {}).get("name", "")),
        category_name_en=str(category.get("name_en", "") or ((other or {}).get("category") or {}).get("name", "")),
        extra={"slug": main.get("slug", ""), "store_name": main.get("store_name", ""),
               "colors_given": bool(main.get("colors"))},
    )


def section_of(category: Mapping[str, Any]) -> str:
    """The store section a BWW category names (``mens-fashion`` -> ``men``), else its slug."""
    text = " ".join(str(category.get(key, "")) for key in ("slug", "name_en"))
    sections = _named(text.replace("-", " "))["category"]
    return sections[0] if sections else str(category.get("slug", ""))


def _derive(name_en: str, name_ar: str) -> dict[str, Any]:
    """Item, colours and gender named in the product's names."""
    english, arabic = _named(name_en), _named(name_ar)
    items = english["item"][::-1] + arabic["item"]
    catalog_items = [item for item in items if item_slots().get(item)] or items
    colors = tuple(dict.fromkeys(english["color"] + arabic["color"]))
    genders = english["gender"] + arabic["gender"] + english["category"] + arabic["category"]
    gender = next((g for g in genders if g in ("boys", "girls", "men", "women")), "unisex")
    return {"item": catalog_items[0] if catalog_items else "", "colors": colors, "gender": gender}


def _named(name: str) -> dict[str, list[str]]:
    """Items, colours, sections and kids' genders a name holds, in the order written."""
    found: dict[str, list[str]] = {"item": [], "color": [], "category": [], "gender": []}
    for span in analyse(name).spans:
        for tag in span.tags:
            if tag.kind in found and tag.value not in found[tag.kind]:
                found[tag.kind].append(tag.value)
    return found


def _tags(row: Mapping[str, Any]) -> tuple[str, ...]:
    flags = (("is_best_seller", "best-seller"), ("is_new_arrival", "new"), ("has_discount", "offer"),
             ("is_free_delivery", "free-delivery"))
    return tuple(tag for key, tag in flags if row.get(key))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
