"""BWW Store product JSON -> :class:`Product` (BWW_API.md, "Product").

List items carry no colours, sizes, item type or description: the item, colours and gender are
read from the name with the intent matcher's vocabulary (``bot.nlu.analysis``: the shared
lexicon's phrase index, whole tokens, longest phrase first): ``"UNITED | Men's Dotted Polo
T-Shirt"`` -> t-shirt, men; ``"... – Off White"`` -> white; ``"Boys' ..."``/``ولادي`` -> boys.
English names put the head noun last, Arabic names first. A name read once is remembered (an
LRU cache), so refreshing a catalog of 10,000 products does not read 20,000 names again.
Prices are never recomputed: ``final_price`` is shown; ``original_price`` and ``discount`` only
count when ``has_discount``.

Every field is read with :mod:`bot.store.bww_fields`, whatever its shape. Both languages are
kept: the names, descriptions and product page of each (``link_ar``, ``link_en``; ``link`` is the
store's default language's). A picture WhatsApp refuses (WebP, GIF, SVG) is served converted to
PNG by the app (``/media/store/<id>.png``), the original kept in ``extra["source_image"]``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import cachetools

from bot.nlu.analysis import analyse
from bot.store import bww_fields as f
from bot.store.product import Product
from bot.store.search import item_slots

__all__ = ["SITE", "product_from_bww", "section_of", "store_image_path"]

SITE = "https://bww-store.com"
_Row = Mapping[str, Any]


def store_image_path(product_id: int) -> str:
    """The app path serving a store picture converted to PNG (see :mod:`bot.store.remote_images`)."""
    return f"/media/store/{int(product_id)}.png"


def product_from_bww(arabic: _Row | None, english: _Row | None, language: str = "ar", public_base: str = "") -> Product:
    """Merge the Arabic and English list items (or details) of one product into a :class:`Product`.

    ``language`` is the store's default: its row wins for the shared fields and ``link`` is its page.
    """
    main = (arabic if language == "ar" else english) or arabic or english or {}
    name_ar, name_en = _name(arabic, "ar"), _name(english, "en")
    if not name_ar:
        name_ar = _name(main, "ar", translated_only=True)
    if not name_en:
        name_en = _name(main, "en", translated_only=True)
    derived = _derive(name_en, name_ar)
    has_discount = f.flag(main.get("has_discount"))
    final_price = f.whole(main.get("final_price")) or f.whole(main.get("price")) or f.whole(main.get("original_price"))
    category = f.category(main.get("category"))
    given_colors = f.options(main.get("colors") if "colors" in main else main.get("colours"), "en")
    colors = tuple(dict.fromkeys(_color(color) for color in given_colors)) or derived["colors"]
    product_id = int(f.number(main.get("id")))
    slugs = {"ar": _slug(arabic) or _slug(main), "en": _slug(english) or _slug(main)}
    links = {lang: _link(lang, slugs[lang], product_id) for lang in ("ar", "en")}
    image_url, source = _image(main, product_id, public_base)
    return Product(
        id=product_id,
        name_ar=name_ar or name_en,
        name_en=name_en or name_ar,
        description_ar=f.plain((arabic or {}).get("description"), "ar") or _translated(main, "description", "ar"),
        description_en=f.plain((english or {}).get("description"), "en") or _translated(main, "description", "en"),
        category=section_of(category),
        item=derived["item"],
        gender=derived["gender"],
        colors=colors,
        sizes=tuple(f.options(main.get("sizes"), "en")),
        price=(f.whole(main.get("original_price")) or final_price) if has_discount else final_price,
        final_price=final_price,
        discount_percent=f.whole(main.get("discount")) if has_discount else 0,
        stock_quantity=max(f.whole(main.get("stock_quantity", main.get("stock"))), 0),
        rating=f.number(main.get("rating")),
        count_rating=f.whole(main.get("count_rating")),
        image_url=image_url,
        link=links[language if language in links else "ar"],
        link_ar=links["ar"],
        link_en=links["en"],
        tags=_tags(main),
        sold_count=f.whole(main.get("sold_count")),
        category_name_ar=f.text(f.category((arabic or {}).get("category")).get("name"), "ar"),
        category_name_en=f.text(category.get("name_en"), "en") or f.text(
            f.category((english or {}).get("category")).get("name"), "en"),
        extra={"slug": slugs[language if language in slugs else "ar"], "store_name": f.text(main.get("store_name")),
               "colors_given": bool(given_colors), "source_image": source},
    )


def section_of(category: Mapping[str, Any]) -> str:
    """The store section a BWW category names (``mens-fashion`` -> ``men``), else its slug."""
    text = " ".join(f.text(category.get(key)) for key in ("slug", "name_en"))
    sections = _named(text.replace("-", " "))["category"]
    return sections[0] if sections else f.text(category.get("slug"))


def _name(row: _Row | None, lang: str, translated_only: bool = False) -> str:
    """The name in ``lang``: the row's own (its Accept-Language), or a translations object's entry."""
    if not row:
        return ""
    value = row.get("name")
    if isinstance(value, Mapping):
        return f.text(value.get(lang) or value.get(f"name_{lang}") or "")
    if translated_only:
        return f.text(row.get(f"name_{lang}"))
    return f.text(value) or f.text(row.get(f"name_{lang}"))


def _translated(row: _Row, key: str, lang: str) -> str:
    """``row[key]`` when it is a translations object, in ``lang``; else ``row[key_lang]``."""
    value = row.get(key)
    if isinstance(value, Mapping):
        return f.plain(value.get(lang, ""))
    return f.plain(row.get(f"{key}_{lang}"))


def _slug(row: _Row | None) -> str:
    return f.text((row or {}).get("slug"))


def _link(lang: str, slug: str, product_id: int) -> str:
    """The product page: ``https://bww-store.com/{lang}/product-details/{slug}/{id}``."""
    return f"{SITE}/{lang}/product-details/{quote(slug, safe='-_.~')}/{product_id}"


def _image(row: _Row, product_id: int, public_base: str) -> tuple[str, str]:
    """(the URL to send, the store's own URL): converted through the app when WhatsApp would refuse it."""
    source = f.image(row.get("main_image", row.get("image", row.get("images"))))
    kind = f.image_kind(source) if source else "none"
    if kind == "direct":
        return source, source
    if kind == "convert" and public_base:
        return public_base.rstrip("/") + store_image_path(product_id), source
    return "", source


def _color(name: str) -> str:
    """A colour in the bot's vocabulary when it knows it (``أسود``, ``Black`` -> black), else as written."""
    known = _named(name)["color"]
    return known[0] if known else name.lower()


def _derive(name_en: str, name_ar: str) -> dict[str, Any]:
    """Item, colours and gender named in the product's names."""
    english, arabic = _named(name_en), _named(name_ar)
    items = english["item"][::-1] + arabic["item"]
    catalog_items = [item for item in items if item_slots().get(item)] or items
    colors = tuple(dict.fromkeys(english["color"] + arabic["color"]))
    genders = english["gender"] + arabic["gender"] + english["category"] + arabic["category"]
    gender = next((g for g in genders if g in ("boys", "girls", "men", "women")), "unisex")
    return {"item": catalog_items[0] if catalog_items else "", "colors": colors, "gender": gender}


@cachetools.cached(cachetools.LRUCache(maxsize=65536), lock=threading.Lock())
def _named(name: str) -> dict[str, tuple[str, ...]]:
    """Items, colours, sections and kids' genders a name holds, in the order written (remembered)."""
    found: dict[str, list[str]] = {"item": [], "color": [], "category": [], "gender": []}
    for span in analyse(name).spans:
        for tag in span.tags:
            if tag.kind in found and tag.value not in found[tag.kind]:
                found[tag.kind].append(tag.value)
    return {kind: tuple(values) for kind, values in found.items()}


def _tags(row: _Row) -> tuple[str, ...]:
    flags = (("is_best_seller", "best-seller"), ("is_new_arrival", "new"), ("has_discount", "offer"),
             ("is_free_delivery", "free-delivery"))
    return tuple(tag for key, tag in flags if f.flag(row.get(key)))
