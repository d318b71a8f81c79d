"""A generated catalog with a realistic vocabulary, for benchmarks at 1k, 10k and 100k products.

Not the demo repeated. Each product draws an item (the lexicon's 31, with their Arabic and English
names), a brand (one per 25 products: two-word names made of parts, then made-up one-word ones),
a model name (one per 6 products, made up, as real model names are), both written in Latin
letters and in Arabic, a product line (a collection name with a season and a year), two
attributes out of about 90 (materials, weaves, patterns, fits, necklines, closures, occasions,
features), a model code, colours, sizes, a price, stock and a rating, and a description of two to
four sentences from varied pools in both languages: fabric composition, care, fit, origin,
occasion, features. The vocabulary grows with the catalog as a real one does (brands and lines
are drawn from larger pools as it grows); ``distinct_words`` counts it. Same seed, same catalog.
"""

from __future__ import annotations

import random
import re

from bot.nlu.lexicon import load_lexicon
from bot.store.product import Product

__all__ = ["brand_names", "distinct_words", "generate"]

_ATTRIBUTES = [
    ("جلد", "leather"), ("قطن", "cotton"), ("كتان", "linen"), ("صوف", "wool"), ("جينز", "denim"), ("حرير", "silk"),
    ("شامواه", "suede"), ("تريكو", "knit"), ("فليس", "fleece"), ("ستان", "satin"), ("شيفون", "chiffon"),
    ("كريب", "crepe"), ("فيسكوز", "viscose"), ("بوليستر", "polyester"), ("ليكرا", "lycra"), ("مخمل", "velvet"),
    ("كشمير", "cashmere"), ("جبردين", "gabardine"), ("بيكيه", "pique"), ("ميلتون", "melton"), ("دانتيل", "lace"),
    ("تويد", "tweed"), ("كوردروي", "corduroy"), ("شبك", "mesh"), ("نايلون", "nylon"), ("قطيفه", "plush"),
    ("رياضي", "sports"), ("رسمي", "formal"), ("كاجوال", "casual"), ("سواريه", "evening"), ("اوفر سايز", "oversized"),
    ("سليم فت", "slim fit"), ("ريجولار فت", "regular fit"), ("واسع", "wide"), ("ضيق", "skinny"), ("مستقيم", "straight"),
    ("مقلم", "striped"), ("كاروهات", "checked"), ("مطبوع", "printed"), ("ساده", "plain"), ("منقوش", "patterned"),
    ("مشجر", "floral"), ("منقط", "polka dot"), ("مموه", "camouflage"), ("هندسي", "geometric"), ("مطرز", "embroidered"),
    ("بكابيشون", "hooded"), ("بسوسته", "zip"), ("بزراير", "buttoned"), ("برباط", "lace-up"), ("بحزام", "belted"),
    ("رقبه دائريه", "crew neck"), ("رقبه V", "v-neck"), ("ياقه", "collared"), ("بولو", "polo neck"),
    ("بدون كم", "sleeveless"),
    ("نص كم", "short sleeve"), ("كم طويل", "long sleeve"), ("صيفي", "summer"), ("شتوي", "winter"), ("خريفي", "autumn"),
    ("للجري", "running"), ("للجيم", "gym"), ("للبحر", "beach"), ("للسهره", "party"), ("للمكتب", "office"),
    ("للمدرسه", "school"), ("للسفر", "travel"), ("بكعب", "heeled"), ("فلات", "flat"), ("ضد الميه", "waterproof"),
    ("كارجو", "cargo"), ("مبطن", "lined"), ("خفيف", "lightweight"), ("تقيل", "heavyweight"), ("مريح", "comfort"),
    ("قابل للتمدد", "stretch"), ("مضاد للبكتيريا", "antibacterial"), ("عاكس", "reflective"), ("فينتدج", "vintage"),
    ("كلاسيك", "classic"), ("مودرن", "modern"), ("بيسك", "basic"), ("بريميوم", "premium"), ("هاند ميد", "handmade"),
    ("معاد تدويره", "recycled"), ("عضوي", "organic"), ("مغسول", "washed"), ("ممزق", "ripped"),
]
_SECTIONS = {"men": ("رجالي", "Men's"), "women": ("حريمي", "Women's"), "boys": ("ولادي", "Boys'"),
             "girls": ("بناتي", "Girls'"), "unisex": ("", "Unisex")}
_CATEGORY = {"men": "men", "women": "women", "boys": "kids", "girls": "kids", "unisex": "accessories"}
_SIZES = (("S", "M", "L", "XL"), ("XS", "S", "M", "L"), ("M", "L", "XL", "XXL", "3XL"),
          ("38", "39", "40", "41", "42", "43"), ("36", "37", "38", "39", "40"), ("28", "30", "32", "34", "36"),
          ("One Size",), ("2-3Y", "4-5Y", "6-7Y", "8-9Y"), ("10-11Y", "12-13Y", "14-15Y"))
_BRAND_HEADS = ("Nova", "Urban", "Nile", "Delta", "Cairo", "Luxor", "Sina", "Marina", "Zamalek", "Maadi", "Giza",
                "Aswan", "Siwa", "Dahab", "Horus", "Isis", "Amun", "Lotus", "Papyrus", "Falcon", "Cedar", "Olive",
                "Jasmine", "Amber", "Coral", "Onyx", "Sahara", "Oasis", "Mirage", "Atlas", "Royal", "Golden",
                "Silver", "Blue", "Red", "Green", "North", "South", "East", "West", "Alpha", "Omega", "Prime",
                "Elite", "Metro", "City", "Street", "Classic", "Modern", "Vintage", "Pure", "Wild", "Free", "Bold",
                "Soft", "Smart", "Happy", "Little", "Mini", "Max")
_BRAND_TAILS = ("Wear", "Style", "Mode", "Line", "Co", "Studio", "House", "Label", "Threads", "Stitch", "Loom",
                "Closet", "Trend", "Fashion", "Outfitters", "Kids", "Sport", "Active", "Denim", "Basics", "Couture",
                "Atelier", "Design", "Brand", "Store", "Lab", "Works", "Club", "Gear", "Collection", "Boutique",
                "Tailors", "Moda")
_LINE_WORDS = ("Riviera", "Horizon", "Breeze", "Dune", "Harbor", "Meadow", "Canyon", "Lagoon", "Summit", "Valley",
               "Tide", "Ember", "Frost", "Bloom", "Garden", "Desert", "Coast", "River", "Island", "Forest",
               "Sunset", "Sunrise", "Twilight", "Midnight", "Aurora", "Eclipse", "Comet", "Orbit", "Nomad",
               "Voyage", "Journey", "Odyssey", "Heritage", "Legacy", "Essentials", "Signature", "Icon", "Origin",
               "Capsule", "Edition", "Pulse", "Motion", "Rhythm", "Echo", "Velvet", "Silk Road", "Spice", "Saffron",
               "Mint", "Sage", "Indigo", "Ivory", "Ebony", "Pearl", "Crystal", "Granite", "Marble", "Slate",
               "Copper", "Bronze", "Cobalt", "Scarlet", "Crimson", "Azure", "Lilac", "Lavender", "Peony", "Orchid",
               "Tulip", "Palm", "Acacia", "Sycamore", "Cypress", "Willow", "Maple", "Birch", "Pine", "Oak", "Fig",
               "Date", "Pomegranate", "Mango", "Citrus", "Lemon", "Berry", "Cherry", "Plum", "Peach", "Apricot",
               "Hazel", "Walnut", "Almond", "Cocoa", "Mocha", "Latte", "Espresso", "Caramel", "Honey", "Sugar",
               "Candy", "Cotton Cloud", "Rainbow", "Starlight", "Moonlight")
_SEASONS = ("SS", "AW", "Resort", "Ramadan", "Eid", "Back to School", "Summer", "Winter")
_COUNTRIES = (("مصر", "Egypt"), ("تركيا", "Turkey"), ("الصين", "China"), ("بنجلاديش", "Bangladesh"),
              ("البرتغال", "Portugal"), ("الهند", "India"), ("فيتنام", "Vietnam"), ("المغرب", "Morocco"),
              ("ايطاليا", "Italy"), ("الاردن", "Jordan"))
_LATIN_TO_AR = dict(zip("abcdefghijklmnopqrstuvwyz -", "ابكديفجهيجكلمنوبقرستوفويز  ", strict=True)) | {"x": "كس"}
_DESC_AR = ("{item} {attr} من {brand}، خامه مريحه وتقفيل ممتاز.",
            "{item} {attr} بتصميم من مجموعه {line} مناسب للخروج والشغل.",
            "موديل {code} من {brand}: {item} {attr} {attr2}.", "بيتغسل في الغساله على {temp} درجه ولونه ثابت.",
            "الخامه {pct}% {material} و{rest}% {material2}.", "صناعه {country}، ومقاساته مظبوطه على المقاس المصري.",
            "لو بين مقاسين خد الاكبر.", "مناسب لل{occasion} ومعاه {feature}.",
            "متاح بكذا لون في مجموعه {line} {season}.")
_DESC_EN = ("{attr} {item} by {brand}, comfortable fabric and a clean finish.",
            "A {attr} {attr2} {item} from the {line} collection, for work and weekends.",
            "Model {code}: {attr} {item} with a modern cut.", "Machine wash at {temp}°C; keeps its colour.",
            "Made of {pct}% {material} and {rest}% {material2}.", "Made in {country}; true to size.",
            "Between two sizes? Take the larger one.", "Great for {occasion_en}, with {feature_en}.",
            "Part of {brand}'s {line} {season} line, in several colours.")
_OCCASIONS = (("الخروج", "going out"), ("الشغل", "the office"), ("الجامعه", "university"), ("الفرح", "weddings"),
              ("البحر", "the beach"), ("الجيم", "the gym"), ("البيت", "home"), ("السفر", "travel"), ("العيد", "Eid"))
_FEATURES = (("جيوب جانبيه", "side pockets"), ("بطانه قطن", "a cotton lining"), ("سوسته مخفيه", "a hidden zip"),
             ("نعل مطاط", "a rubber sole"), ("حزام قابل للتعديل", "an adjustable strap"),
             ("زراير معدن", "metal buttons"), ("كلبس مغناطيس", "a magnetic clasp"),
             ("خياطه مزدوجه", "double stitching"), ("فرش طبي", "a cushioned insole"))


def _arabic(latin: str) -> str:
    """A Latin brand or line name as an Egyptian shop writes it in Arabic letters (a rough transliteration)."""
    return "".join(_LATIN_TO_AR.get(ch, "") for ch in latin.lower()).strip()


def _coined(rng: random.Random, syllables: int) -> str:
    """A made-up, pronounceable name (a model or a small brand), e.g. ``Kavoren``."""
    word = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(syllables))
    return (word + rng.choice(("", "", "n", "r", "s", "x"))).title()


def coined_names(count: int, seed: int, syllables: tuple[int, ...] = (2, 3)) -> list[tuple[str, str]]:
    """``count`` different made-up (Arabic, Latin) names."""
    rng = random.Random(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        names[_coined(rng, rng.choice(syllables))] = None
    return [(_arabic(name), name) for name in names]


def brand_names(count: int, seed: int = 3) -> list[tuple[str, str]]:
    """``count`` different (Arabic, Latin) brand names: two-word names, then made-up one-word ones."""
    rng = random.Random(seed)
    pairs = sorted({f"{head} {tail}" for head in _BRAND_HEADS for tail in _BRAND_TAILS})
    rng.shuffle(pairs)
    named = [(_arabic(name), name) for name in pairs[:count]]
    return named + coined_names(count - len(named), seed + 1, (2,)) if count > len(named) else named


def distinct_words(products: list[Product]) -> tuple[int, int]:
    """Different words (with a letter) and different numbers and codes in the names and descriptions, lower case."""
    words: set[str] = set()
    for product in products:
        for text in (product.name_ar, product.name_en, product.description_ar, product.description_en):
            words.update(re.findall(r"\w+", text.lower()))
    lettered = sum(1 for word in words if not word.isdigit())
    return lettered, len(words) - lettered


def generate(size: int, seed: int = 11) -> list[Product]:
    """``size`` products with a vocabulary that grows with the catalog."""
    rng = random.Random(seed)
    lex = load_lexicon()
    items = sorted(lex.items)
    colors = sorted(lex.colors)
    item_names = {item: (next((f for f in lex.items[item].forms if not f.isascii()), item), item) for item in items}
    brands = brand_names(max(30, size // 25), seed)
    models = coined_names(max(50, size // 6), seed + 7)
    lines = [f"{word} {rng.randint(1, 99):02d}" if rng.random() < 0.5 else word for word in _LINE_WORDS]
    materials = _ATTRIBUTES[:26]
    products = []
    for number in range(1, size + 1):
        item = rng.choice(items)
        gender = rng.choice(tuple(_SECTIONS))
        (attr_ar, attr_en), (attr2_ar, attr2_en) = rng.sample(_ATTRIBUTES, 2)
        (mat_ar, mat_en), (mat2_ar, mat2_en) = rng.sample(materials, 2)
        brand_ar, brand_en = rng.choice(brands)
        model_ar, model_en = rng.choice(models)
        line_en = rng.choice(lines)
        line_ar = _arabic(line_en.rstrip("0123456789 "))
        season = f"{rng.choice(_SEASONS)} {rng.randint(2019, 2026)}"
        country_ar, country_en = rng.choice(_COUNTRIES)
        occasion_ar, occasion_en = rng.choice(_OCCASIONS)
        feature_ar, feature_en = rng.choice(_FEATURES)
        code = f"{rng.choice('ABCDEFGHKMNPRSTXZ')}{rng.choice('ABCDEFGHKMNPRSTXZ')}-{rng.randint(100, 99999)}"
        pct = rng.choice((50, 60, 65, 70, 80, 90, 95, 97))
        item_ar, item_en = item_names[item]
        section_ar, section_en = _SECTIONS[gender]
        price = rng.choice((99, 149, 199, 249, 299, 349, 399, 449, 499, 599, 699, 799, 899, 999, 1199, 1299, 1599, 1999,
                            2499, 2999, 3499, 4999))
        discount = rng.choice((0, 0, 0, 0, 10, 15, 20, 25, 30, 40))
        common = {"code": code, "temp": rng.choice((30, 40, 60)), "pct": pct, "rest": 100 - pct, "season": season}
        values = common | {"item": item_ar, "attr": attr_ar, "attr2": attr2_ar, "brand": brand_ar, "line": line_ar,
                           "material": mat_ar, "material2": mat2_ar, "country": country_ar, "occasion": occasion_ar,
                           "feature": feature_ar}
        values_en = common | {"item": item_en, "attr": attr_en, "attr2": attr2_en, "brand": brand_en, "line": line_en,
                              "material": mat_en, "material2": mat2_en, "country": country_en,
                              "occasion_en": occasion_en, "feature_en": feature_en}
        picks = rng.sample(range(len(_DESC_AR)), rng.randint(2, 4))
        products.append(Product(
            id=number,
            name_ar=" ".join(f"{item_ar} {attr_ar} {section_ar} {brand_ar} {model_ar}".split()),
            name_en=f"{brand_en} {model_en} {section_en} {attr_en.title()} {item_en.title()}",
            description_ar=" ".join(_DESC_AR[i].format(**values) for i in picks),
            description_en=" ".join(_DESC_EN[i].format(**values_en) for i in picks),
            category=_CATEGORY[gender], item=item, gender=gender,
            colors=tuple(rng.sample(colors, rng.randint(1, 4))), sizes=rng.choice(_SIZES),
            price=price, final_price=price * (100 - discount) // 100, discount_percent=discount,
            stock_quantity=rng.choice((0, 0, 3, 8, 15, 40, 120)), rating=round(rng.uniform(2.5, 5.0), 1),
            count_rating=rng.randint(0, 400), tags=tuple(rng.sample(("casual", "summer", "winter", "offer", "new",
                                                                     "sport", "formal", "cotton", "eid", "bestseller",
                                                                     "basics", "limited"), 2)),
            created_at=f"{rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        ))
    return products
