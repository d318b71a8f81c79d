"""The catalog the fake BWW API serves: the recorded page's 10 products, then generated ones.

Rows have the recorded list item's 24 keys (BWW_API.md, "Product"); the Arabic row has the
Arabic name and category name, the English row the English ones (``name_en`` is English in
both, as recorded). Details add a description, colours and sizes in the row's language.
Same ``size``, same catalog.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RECORDED = json.loads((Path(__file__).parent / "payloads/store/bww_filter_products_page1_en.json").read_text("utf-8"))
ARABIC_NAMES = {
    188: "يونايتد | تيشيرت بولو رجالي منقط",
    2351: "بيجامة بناتي قطن خريفي جيري كرتون – أوف وايت",
    2346: "بيجامة ولادي قطن خريفي ويني ذا بوه – لبني",
    2352: "طقم بناتي قطن خريفي بلوزة حمرا + ليجن مطبوع",
    260: "يونيكورن | طقم قطن رجالي مقاسات كبيرة",
    539: "رايا – طقم صيفي رجالي بطبعة فنية",
    523: "ستار فاشون طقم صيفي – تيشيرت قطن ليكرا",
    2347: "بيجامة ولادي قطن خريفي ديناصور – أخضر",
    2502: "ديزني – طقم ولادي سبايدر خريفي",
    2507: "ديزني – طقم ولادي ميكي مقلم خريفي",
}
CATEGORY_AR = {"mens-fashion": "أزياء رجالي", "womens-fashion": "أزياء حريمي", "kids-fashion": "أزياء أطفال"}
CATEGORY_EN = {"mens-fashion": "Men’s Fashion", "womens-fashion": "Women’s Fashion", "kids-fashion": "Kids’ Fashion"}
CATEGORY_ID = {"mens-fashion": 2, "womens-fashion": 1, "kids-fashion": 3}
_ITEMS = [("تيشيرت", "T-Shirt"), ("قميص", "Shirt"), ("بنطلون جينز", "Jeans"), ("هودي", "Hoodie"), ("فستان", "Dress"),
          ("جاكيت", "Jacket"), ("شورت", "Shorts"), ("بيجامة", "Pajama"), ("كوتشي", "Sneakers"), ("شنطة", "Bag")]
_COLORS = [("أسود", "Black"), ("أبيض", "White"), ("أحمر", "Red"), ("أزرق", "Blue"), ("أخضر", "Green"),
           ("رمادي", "Grey"), ("بيج", "Beige"), ("كحلي", "Navy")]
_SECTIONS = [("رجالي", "Men's", "mens-fashion"), ("حريمي", "Women's", "womens-fashion"),
             ("ولادي", "Boys'", "kids-fashion"), ("بناتي", "Girls'", "kids-fashion")]
_BRANDS = ["UNITED", "RAIA", "Star Fashion", "Tiny Trendz", "UrbanMen", "Nile Cotton"]
IMAGE_BASE = "https://bww-v1.s3.me-south-1.amazonaws.com/images/products/"


@dataclass(frozen=True)
class Item:
    """One product: its list rows and its details, per language."""

    id: int
    rows: dict[str, dict]
    details: dict[str, dict]


def build_catalog(size: int) -> list[Item]:
    """``size`` products: the recorded ones first (as many as fit), then generated ones."""
    items = [_recorded(row) for row in RECORDED["data"]["products"][:size]]
    for number in range(len(items), size):
        items.append(_generated(number))
    return items


def _category(slug: str, lang: str) -> dict:
    return {"id": CATEGORY_ID[slug], "name": (CATEGORY_AR if lang == "ar" else CATEGORY_EN)[slug],
            "name_en": CATEGORY_EN[slug], "image": f"{IMAGE_BASE}../categories/{slug}.webp",
            "image_mobile": f"{IMAGE_BASE}../categories/{slug}-m.webp", "slug": slug}


def _recorded(row: dict) -> Item:
    english = dict(row)
    arabic = {**row, "name": ARABIC_NAMES.get(row["id"], row["name"]),
              "category": _category(row["category"]["slug"], "ar")}
    details = {
        "en": {**english, "description": f"{row['name']}: soft cotton, machine washable.", "colors": [], "sizes": []},
        "ar": {**arabic, "description": f"{arabic['name']}: قطن ناعم وبيتغسل في الغسالة.", "colors": [], "sizes": []},
    }
    return Item(row["id"], {"ar": arabic, "en": english}, details)


def _generated(number: int) -> Item:
    item_ar, item_en = _ITEMS[number % len(_ITEMS)]
    color_ar, color_en = _COLORS[(number // len(_ITEMS)) % len(_COLORS)]
    section_ar, section_en, slug = _SECTIONS[(number // 3) % len(_SECTIONS)]
    brand = _BRANDS[number % len(_BRANDS)]
    product_id = 100_000 + number
    price = 150 + (number * 37) % 1350
    discount = 20 if number % 7 == 0 else 0
    common = {
        "id": product_id,
        "slug": f"{brand.lower().replace(' ', '-')}-{item_en.lower()}-{color_en.lower()}-{product_id}",
        "main_image": f"{IMAGE_BASE}p{product_id}.jpg", "original_price": price, "discount": discount,
        "discount_value": price * discount / 100, "final_price": price - price * discount // 100,
        "has_discount": bool(discount), "rating": (number % 5) + 1, "count_rating": number % 90,
        "sold_by": brand, "is_best_seller": number % 11 == 0, "is_free_delivery": number % 13 == 0,
        "is_refundable": True, "has_warranty": False, "stock_quantity": number % 9, "store_name": brand,
        "shipping_type": "fbb", "product_condition": "stocked", "is_favorite": False,
        "is_new_arrival": number % 17 == 0, "sold_count": number % 40,
    }
    english = {**common, "name": f"{brand} | {section_en} {item_en} – {color_en} {product_id}",
               "category": _category(slug, "en")}
    arabic = {**common, "name": f"{item_ar} {section_ar} {color_ar} – {brand} {product_id}",
              "category": _category(slug, "ar")}
    sizes = ["S", "M", "L", "XL"]
    details = {
        "en": {**english, "description": f"A {color_en.lower()} {item_en.lower()} by {brand}, everyday cotton.",
               "colors": [color_en], "sizes": sizes},
        "ar": {**arabic, "description": f"{item_ar} {color_ar} من {brand}، قطن للاستعمال اليومي.",
               "colors": [color_ar], "sizes": sizes},
    }
    return Item(product_id, {"ar": arabic, "en": english}, details)
