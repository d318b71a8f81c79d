"""Varied, unseen customer messages for the benchmarks: no text is given twice by one generator.

Messages are put together the way customers write (Egyptian Arabic, Franco-Arabic, English) from
the lexicon's item and colour words, the generated catalog's brands and product lines
(``bench/catalog_gen.py``), sizes, prices and cities, in searches, price and stock questions,
shipping and payment questions, greetings and thanks. A ``Texts`` remembers what it gave, so a
measured run never repeats a text (no cache answers a turn from an earlier one).
"""

from __future__ import annotations

import random

from bench.catalog_gen import brand_names
from bot.nlu.lexicon import load_lexicon

_AR = ("عايز {item} {color}", "عايزه {item} {color} مقاس {size}", "عندكم {item} {brand}؟", "{item} {color} تحت {price}",
       "بكام ال{item} ال{color}", "فيه {item} {section} {color} بسعر {price}؟", "ممكن اشوف {item} من {brand}",
       "محتاج {item} مقاس {size} لونه {color}", "الشحن ل{city} بكام لو طلبت {item}", "لو سمحت {item} {color} ب{price}",
       "ازاي ادفع لو طلبت {item} ب{price}", "هل {item} {brand} متوفر مقاس {size}", "السلام عليكم عايز {item} {section}",
       "{item} {section} من {price} ل {price2}", "ارخص {item} {color} عندكم كام", "شكرا جدا هفكر في ال{item} ال{color}")
_FRANCO = ("3ayez {item} {color}", "3ayza {item} {color} size {size}", "fi {item} {brand}?",
           "{item} {color} ta7t {price}", "b kam el {item} el {color}", "momken ashof {item} {section} {color}",
           "el sha7n l {city} b kam",
           "ana 3ayez {item} ma2as {size} b {price}", "3andoko {item} {brand} {color}?", "salam 3ayez {item} {section}",
           "{item} men {price} l {price2}", "ar5as {item} {color} 3andoko")
_EN = ("do you have {color} {item} in {size}", "{brand} {item} under {price}", "how much is the {color} {item}",
       "i want a {section} {item} {color}", "show me {item} from {brand}", "shipping to {city} for a {item}?",
       "{item} between {price} and {price2}", "is the {item} by {brand} in stock size {size}",
       "cheapest {color} {item} please", "hi, looking for a {item} around {price} EGP", "thanks, any {color} {item}?")
_SIZES = ("S", "M", "L", "XL", "XXL", "38", "40", "41", "42", "43", "30", "32", "34", "36", "٤٢", "لارج", "ميديم")
_SECTIONS_AR = ("رجالي", "حريمي", "ولادي", "بناتي", "")
_SECTIONS_LATIN = ("men", "women", "kids", "rgaly", "7arimy", "")
_CITIES = ("القاهره", "اسكندريه", "الجيزه", "المنصوره", "طنطا", "اسيوط", "alex", "cairo", "giza", "mansoura", "tanta")


class Texts:
    """A source of customer messages, each different from every one it gave before."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.given: set[str] = set()
        lex = load_lexicon()
        self.items = {"ar": [], "franco": [], "en": []}  # type: dict[str, list[str]]
        for name in sorted(lex.items):
            self.items["en"].append(name)
            for form in lex.items[name].forms:
                self.items["franco" if form.isascii() else "ar"].append(form)
        self.colors = {"ar": [], "franco": [], "en": []}  # type: dict[str, list[str]]
        for name in sorted(lex.colors):
            self.colors["en"].append(name)
            for form in lex.colors[name]:
                if form != name:
                    self.colors["franco" if form.isascii() else "ar"].append(form)
        brands = brand_names(400)
        latin = [en for _, en in brands]
        self.brands = {"ar": [ar for ar, _ in brands], "franco": latin, "en": latin}

    def next(self) -> str:
        """A message not given before."""
        while True:
            language = self.rng.choice(("ar", "ar", "franco", "en"))
            template = self.rng.choice({"ar": _AR, "franco": _FRANCO, "en": _EN}[language])
            low = self.rng.randrange(100, 3000)
            text = " ".join(template.format(
                item=self.rng.choice(self.items[language]), color=self.rng.choice(self.colors[language]),
                brand=self.rng.choice(self.brands[language]), size=self.rng.choice(_SIZES),
                section=self.rng.choice(_SECTIONS_AR if language == "ar" else _SECTIONS_LATIN),
                city=self.rng.choice(_CITIES), price=low, price2=low + self.rng.randrange(100, 2000),
            ).split())
            if text not in self.given:
                self.given.add(text)
                return text

    def batch(self, count: int) -> list[str]:
        return [self.next() for _ in range(count)]
