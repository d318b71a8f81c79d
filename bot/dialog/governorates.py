"""Egypt's 27 governorates, so a checkout knows one the shop lists no fee for.

A shop names the governorates it has its own fee for and puts every other one in one zone
(``other``, "باقي المحافظات"). A customer who types "بني سويف" or "الفيوم" to such a shop lives in
that zone: :func:`find` gives the shop's own row when it has one, else the ``other`` row when the
text names a real governorate (or its capital), else None ("مش لاقي المحافظة دي").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.dialog.turn import Turn
from bot.nlu.normalize import normalize, tokenize

# Each governorate's names (Arabic, English, Franco) and its best-known cities.
EGYPT: dict[str, tuple[str, ...]] = {
    "cairo": ("القاهره", "cairo", "el qahera"),
    "giza": ("الجيزه", "giza", "el giza"),
    "alexandria": ("الاسكندريه", "اسكندريه", "alexandria", "alex", "eskendereya"),
    "qalyubia": ("القليوبيه", "قليوبيه", "qalyubia", "qalyoubia", "بنها", "banha"),
    "dakahlia": ("الدقهليه", "دقهليه", "dakahlia", "المنصوره", "mansoura"),
    "sharqia": ("الشرقيه", "sharqia", "sharkia", "الزقازيق", "zagazig"),
    "gharbia": ("الغربيه", "gharbia", "طنطا", "tanta", "المحله", "mahalla"),
    "monufia": ("المنوفيه", "منوفيه", "monufia", "menofia", "menoufia", "شبين الكوم"),
    "beheira": ("البحيره", "beheira", "behira", "دمنهور", "damanhour"),
    "kafr_el_sheikh": ("كفر الشيخ", "kafr el sheikh", "kafr elsheikh", "kafr el shekh"),
    "damietta": ("دمياط", "damietta", "domyat", "dumyat", "راس البر", "ras el bar"),
    "port_said": ("بورسعيد", "بور سعيد", "port said", "portsaid", "bor said"),
    "ismailia": ("الاسماعيليه", "اسماعيليه", "ismailia", "esmaleya"),
    "suez": ("السويس", "suez", "el suez"),
    "fayoum": ("الفيوم", "فيوم", "fayoum", "faiyum", "fayum", "el fayoum"),
    "beni_suef": ("بني سويف", "بنى سويف", "beni suef", "beni sweif", "bani sweif", "bani suef", "bni swef"),
    "minya": ("المنيا", "منيا", "minya", "menya", "el minya"),
    "assiut": ("اسيوط", "assiut", "asyut", "assuit"),
    "sohag": ("سوهاج", "sohag", "suhag"),
    "qena": ("قنا", "qena", "kena", "نجع حمادي"),
    "luxor": ("الاقصر", "luxor", "el oksor"),
    "aswan": ("اسوان", "aswan"),
    "red_sea": ("البحر الاحمر", "red sea", "الغردقه", "hurghada"),
    "new_valley": ("الوادي الجديد", "new valley", "el wadi el gedid", "الخارجه", "kharga"),
    "matrouh": ("مطروح", "مرسي مطروح", "matrouh", "marsa matrouh"),
    "north_sinai": ("شمال سيناء", "north sinai", "العريش", "arish", "el arish"),
    "south_sinai": ("جنوب سيناء", "south sinai", "شرم الشيخ", "sharm el sheikh", "sharm", "دهب", "dahab"),
}


@lru_cache(maxsize=1)
def _forms() -> tuple[tuple[str, ...], ...]:
    """Every name as its words, after the matcher's normalisation, longest first."""
    forms = {tuple(tokenize(normalize(name))) for names in EGYPT.values() for name in names}
    return tuple(sorted((form for form in forms if form), key=lambda form: (-len(form), form)))


def names_one(text: str) -> bool:
    """True when ``text`` names one of Egypt's governorates or its best-known city ("بني سويف", "fayoum")."""
    words = tuple(tokenize(normalize(text)))
    return any(words[i:i + len(form)] == form for form in _forms() for i in range(len(words) - len(form) + 1))


def find(turn: Turn, text: str) -> Any:
    """The shop's row for the governorate ``text`` names: its own, else its ``other`` zone for a real
    governorate it lists no fee for; None when the text names none."""
    info = turn.deps.store.info()
    row = named(info, text)
    if row is not None or not names_one(without_to(text)):
        return row
    return info.other_governorate()


def named(info: Any, text: str) -> Any:
    """The shop's own row for the governorate ``text`` names, also after "to" written onto the name
    ("كام يوم التوصيل للجيزة؟": "للجيزة" is "to al-Giza"); None when it names none of its rows."""
    row = info.governorate(text)
    if row is not None:
        return row
    bare = without_to(text)
    return info.governorate(bare) if bare != normalize(text) else None


def without_to(text: str) -> str:
    """``text`` normalised, with "لل" before a name given back its article: "للجيزه" → "الجيزه"."""
    words = tokenize(normalize(text))
    return " ".join("ال" + word[2:] if word.startswith("لل") and len(word) > 4 else word for word in words)
