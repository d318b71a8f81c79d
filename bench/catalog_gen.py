"""A generated catalog with a realistic vocabulary, for search benchmarks at 1k, 10k and 100k products.

Not the demo repeated: each product draws an item (the lexicon's 31, with their Arabic and
English names), one to three attributes (materials, styles, fits), a made-up product line and
brand (syllables, so the vocabulary keeps growing with the catalog as real ones do: about 1,500
words at 1,000 products, tens of thousands at 100,000), a model code, colours, sizes, a price, stock
and a rating, and a description of one or two sentences from varied templates in both languages.
Same seed, same catalog.
"""

from __future__ import annotations

import random

from bot.nlu.lexicon import load_lexicon
from bot.store.product import Product

__all__ = ["generate"]

_ATTRIBUTES = [
    ("جلد", "leather"), ("قطن", "cotton"), ("كتان", "linen"), ("صوف", "wool"), ("جينز", "denim"),
    ("حرير", "silk"), ("شامواه", "suede"), ("تريكو", "knit"), ("فليس", "fleece"), ("ستان", "satin"),
    ("رياضي", "sports"), ("رسمي", "formal"), ("كاجوال", "casual"), ("سواريه", "evening"),
    ("اوفر سايز", "oversized"), ("سليم فت", "slim fit"), ("واسع", "wide"), ("مقلم", "striped"),
    ("مطبوع", "printed"), ("ساده", "plain"), ("بكابيشون", "hooded"), ("بسوسته", "zip"),
    ("نص كم", "short sleeve"), ("كم طويل", "long sleeve"), ("صيفي", "summer"), ("شتوي", "winter"),
    ("للجري", "running"), ("بكعب", "heeled"), ("ضد الميه", "waterproof"), ("كارجو", "cargo"),
]
_SECTIONS = {"men": ("رجالي", "Men's"), "women": ("حريمي", "Women's"), "boys": ("ولادي", "Boys'"),
             "girls": ("بناتي", "Girls'"), "unisex": ("", "Unisex")}
_CATEGORY = {"men": "men", "women": "women", "boys": "kids", "girls": "kids", "unisex": "accessories"}
_SIZES = (("S", "M", "L", "XL"), ("M", "L", "XL", "XXL"), ("38", "39", "40", "41", "42", "43"),
          ("28", "30", "32", "34", "36"), ("One Size",), ("2-3Y", "4-5Y", "6-7Y", "8-9Y"))
_SYLLABLES_LATIN = ("ka", "ra", "mo", "li", "ne", "za", "to", "vi", "sa", "do", "fe", "lu", "ma", "ri", "no",
                    "be", "ta", "xo", "qu", "ze", "pi", "ho", "ga", "ny")
_SYLLABLES_AR = ("كا", "را", "مو", "لي", "ني", "زا", "تو", "في", "سا", "دو", "فا", "لو", "ما", "ري", "نو",
                 "بي", "تا", "هو", "جا", "يو", "شا", "قو", "عا", "حي")
_TEMPLATES_AR = ("{item} {attr} من {brand}، خامه مريحه وتقفيل ممتاز.", "{item} {attr} بتصميم {line} مناسب للخروج والشغل.",
                 "موديل {code} من مجموعه {line}: {item} {attr} {attr2}.", "{item} {attr2} بيتغسل بسهوله ولونه ثابت.")
_TEMPLATES_EN = ("{attr} {item} by {brand}, comfortable fabric and a clean finish.",
                 "A {attr} {attr2} {item} from the {line} collection, for work and weekends.",
                 "Model {code}: {attr} {item} with a modern cut.", "Easy-care {attr2} {item} that keeps its colour.")


def _word(rng: random.Random, syllables: tuple[str, ...], count: int) -> str:
    return "".join(rng.choice(syllables) for _ in range(count))


def generate(size: int, seed: int = 11) -> list[Product]:
    """``size`` products with a vocabulary that grows with the catalog."""
    rng = random.Random(seed)
    lex = load_lexicon()
    items = sorted(lex.items)
    colors = sorted(lex.colors)
    item_names = {item: (next((f for f in lex.items[item].forms if not f.isascii()), item), item) for item in items}
    brands = [(_word(rng, _SYLLABLES_AR, 2), _word(rng, _SYLLABLES_LATIN, 2).title()) for _ in range(max(20, size // 200))]
    lines = [(_word(rng, _SYLLABLES_AR, 3), _word(rng, _SYLLABLES_LATIN, 3).title()) for _ in range(max(40, size // 20))]
    products = []
    for number in range(1, size + 1):
        item = rng.choice(items)
        gender = rng.choice(tuple(_SECTIONS))
        (attr_ar, attr_en), (attr2_ar, attr2_en) = rng.sample(_ATTRIBUTES, 2)
        brand_ar, brand_en = rng.choice(brands)
        line_ar, line_en = rng.choice(lines)
        code = f"{rng.choice('ABCDEFGHKMNPRSTXZ')}{rng.choice('ABCDEFGHKMNPRSTXZ')}-{rng.randint(100, 9999)}"
        item_ar, item_en = item_names[item]
        section_ar, section_en = _SECTIONS[gender]
        price = rng.choice((99, 149, 199, 249, 299, 349, 399, 499, 599, 699, 799, 999, 1299, 1599, 1999, 2499, 3499))
        discount = rng.choice((0, 0, 0, 0, 10, 20, 30))
        values = {"item": item_ar, "attr": attr_ar, "attr2": attr2_ar, "brand": brand_ar, "line": line_ar, "code": code}
        values_en = {"item": item_en, "attr": attr_en, "attr2": attr2_en, "brand": brand_en, "line": line_en, "code": code}
        products.append(Product(
            id=number,
            name_ar=f"{item_ar} {attr_ar} {section_ar} {line_ar}".strip(),
            name_en=f"{line_en} {section_en} {attr_en.title()} {item_en.title()}",
            description_ar=" ".join(rng.choice(_TEMPLATES_AR).format(**values) for _ in range(rng.randint(1, 2))),
            description_en=" ".join(rng.choice(_TEMPLATES_EN).format(**values_en) for _ in range(rng.randint(1, 2))),
            category=_CATEGORY[gender], item=item, gender=gender,
            colors=tuple(rng.sample(colors, rng.randint(1, 4))), sizes=rng.choice(_SIZES),
            price=price, final_price=price * (100 - discount) // 100, discount_percent=discount,
            stock_quantity=rng.choice((0, 0, 3, 8, 15, 40)), rating=round(rng.uniform(2.5, 5.0), 1),
            count_rating=rng.randint(0, 400), tags=tuple(rng.sample(("casual", "summer", "winter", "offer", "new",
                                                                     "sport", "formal", "cotton"), 2)),
            created_at=f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        ))
    return products
