"""Every customer-facing sentence, in Egyptian Arabic and English. Warm, short, no Markdown."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "ar": {
        "welcome": "أهلاً بيك في {store} 👋 أنا مساعد المتجر، أقدر أدورلك على أي منتج وأقولك السعر والمقاسات وأعملك الأوردر. تحب تبدأ بإيه؟",
        "help": "ممكن تكتبلي اللي بتدور عليه، زي: «عايز تيشيرت اسود تحت ٥٠٠» أو «جزمة رياضي مقاس ٤٢». أو اختار من تحت 👇",
        "menu.categories": "الأقسام",
        "menu.offers": "العروض",
        "menu.cart": "السلة",
        "menu.human": "كلم حد من الفريق",
        "menu.english": "English",
    },
    "en": {
        "welcome": "Welcome to {store} 👋 I'm the shop assistant: I can find any product, tell you prices and sizes, and place your order. What would you like to start with?",
        "help": "Just tell me what you're looking for, like “black t-shirt under 500” or “sneakers size 42”, or pick one below 👇",
        "menu.categories": "Categories",
        "menu.offers": "Offers",
        "menu.cart": "My cart",
        "menu.human": "Talk to a person",
        "menu.english": "عربي",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (Arabic when unknown), with ``values`` filled in."""
    table = TEXTS.get(lang, TEXTS["ar"])
    return table.get(key, TEXTS["ar"][key]).format(**values)
