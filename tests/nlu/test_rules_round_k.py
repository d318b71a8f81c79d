"""The matcher's rules on their own (issue 12, round k): what the rules decide before the learned
models are consulted, read the way :func:`bot.nlu.understand` reads them (unknown below its bound,
the schema's slots)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.analysis import analyse
from bot.nlu.intents import decide
from bot.nlu.matcher import UNKNOWN_BELOW, _final_slots
from bot.nlu.slots import extract_slots


def _rules(text: str, context: str = "none") -> tuple[str, dict[str, Any]]:
    an = analyse(text, context)
    slots = extract_slots(an)
    decision = decide(an, slots)
    intent = "unknown" if decision.confidence < UNKNOWN_BELOW else decision.intent
    return intent, _final_slots(intent, slots)


@pytest.mark.parametrize(("text", "context", "intent", "slots"), [
    # 'anything' asks: no report of what happened
    ("anything in burgundy?", "none", "search", {"color": "burgundy"}),
    # a plural watch word after 'in', or with a section after it, is watches; a count before it, hours
    ("fe sa3at rgaly men 1000 l 2000?", "none", "search",
     {"item": "watch", "category": "men", "price_min": 1000, "price_max": 2000}),
    ("فى صيدليه بتوصل ٢٤ ساعه", "none", "unknown", {}),
    # a topic noun right before مقاس owns that size
    ("عايز تلاجة مقاس ١٤ قدم", "none", "unknown", {}),
    ("عايز بامبرز مقاس ٤", "none", "unknown", {}),
    ("عايز تيشيرت مقاس ٤٢", "none", "search", {"item": "t-shirt", "size": "42"}),
    # 'put down' into the cart adds
    ("اوكى نزل التانى فى السلة", "after_results", "cart_add", {"product_ref": "2"}),
    ("nazel el tany fel cart", "after_results", "cart_add", {"product_ref": "2"}),
    # cancelling what one ordered cancels the order
    ("طلبت فستان امبارح وعايزه الغيه", "none", "order_cancel", {"item": "dress"}),
    ("I ordered a bag yesterday, please cancel it", "none", "order_cancel", {"item": "bag"}),
    # a shipping question carries no price bound
    ("لو اشتريت بأكتر من ١٥٠٠ الشحن بيبقى ببلاش؟", "none", "shipping_info", {}),
    # a size after 'for a' in a swap
    ("the jeans don't fit, can I swap them for a 32", "none", "returns_policy", {"item": "jeans", "size": "32"}),
    # Franco remove verbs
    ("shely el shanta", "none", "cart_remove", {"item": "bag"}),
    ("la2 3ayza ashil el legging", "none", "cart_remove", {"item": "trousers"}),
    # Franco 'hat' is 'bring' before a count or 'of it'; still the cap as a noun
    ("hat 3 menno L eswed", "after_details", "cart_add", {"quantity": 3, "size": "L", "color": "black"}),
    ("tamam hat wa7ed L", "after_details", "cart_add", {"quantity": 1, "size": "L"}),
    ("3ayez hat eswed", "none", "search", {"item": "cap", "color": "black"}),
    # a count before 'of it', a colour after it
    ("3ayza 3 menha soda", "after_details", "cart_add", {"quantity": 3, "color": "black"}),
    ("عايزه ٣ من ده، واحد ليا وواحد لاختي وواحد لماما", "after_details", "cart_add", {"quantity": 3}),
    # a wish right before the goods asks for them, however long the story
    ("الجامعه عندنا بارده اوي والتكييف شغال طول الوقت، عايز هودي تقيل", "none", "search", {"item": "hoodie"}),
    ("بابا رجله بتوجعه ومش مرتاح في القفل، عندكم شباشب رجالي مريحه؟", "none", "search",
     {"item": "slippers", "category": "men"}),
    ("عايز اكسسوارات للعربيه فرش وكفرات، اروح فين؟", "none", "unknown", {}),
    # cancelling the order, however long the reason
    ("انا مسافره فجأه ومحدش هيستلم، الغوا الطلب", "none", "order_cancel", {}),
    ("أرغب في إلغاء الطلب الذي قمت به أمس", "none", "order_cancel", {}),
    ("ازاى الغى طلب القرض اللى قدمته فى البنك", "none", "unknown", {}),
    # either-or about one product
    ("هل الشنطه دي بتقفل بسوسته ولا مغناطيس؟", "after_details", "product_details", {"item": "bag"}),
    ("العبايه رقم ٢٩٩ التطريز بتاعها يدوي ولا مكنه؟", "none", "product_details",
     {"item": "abaya", "product_ref": 299}),
])
def test_rules(text: str, context: str, intent: str, slots: dict[str, Any]) -> None:
    assert _rules(text, context) == (intent, slots)


@pytest.mark.parametrize("text", [
    # complaints to others
    "أريد تقديم شكوى ضد سائق سيارة الأجرة",
    "3ayez ashtky sawa2 el uber",
    "رقم خدمة عملاء المترو كام؟",
    "WE internet keeps disconnecting, how do I file a complaint with them",
    "how do I complain to the electricity company, we've had no power for 3 hours",
    # fed up with another topic's thing
    "تقترح ايه نطبخ النهارده؟ زهقت من الفراخ",
    "انا زهقت من المذاكره ومش قادر اكمل",
    # a child, not clothes
    "where can I get the flu vaccine for my kids?",
    "didn't sleep at all, the baby is teething",
    # Franco 'hat' before another topic's noun
    "hat el mobile bta3y",
    # a kilo priced, a distance, money transferred, one's own card in trouble
    "هي البطاطس بقت بكام الكيلو؟ ماما بتسأل",
    "كام كيلو من القاهره لاسوان؟",
    "عايز ارجع الفلوس اللي حولتها غلط على رقم غريب في فودافون كاش",
    "el visa bta3ty et-sa7abet fel makana a3mel eh",
    "هو ينفع ارجع فلوس الدبلومه لو ماكملتش؟",
])
def test_chatter_stays_unknown(text: str) -> None:
    assert _rules(text)[0] == "unknown"


@pytest.mark.parametrize(("text", "intent"), [
    ("زهقت من البوت عايز اكلم حد", "human_handoff"),
    ("عايز اشتكي من المندوب", "human_handoff"),
    ("حاجات للاطفال تحت ٣٠٠ جنيه", "search"),
    ("عايز ارجع الفستان وفلوسي ترجع", "returns_policy"),
    ("ينفع ادفع بالفيزا؟", "payment_info"),
    ("المنتج ٥٥٣ لما يتوفر تاني كلموني", "stock_alert"),
    ("fadda el cart kolaha", "cart_remove"),
    ("momken tel8o el talab bta3y? 8ayart ra2yy", "order_cancel"),
    ("انا وزني ٩٠ كيلو اخد مقاس ايه", "size_help"),
])
def test_the_shop_is_still_asked(text: str, intent: str) -> None:
    assert _rules(text)[0] == intent


def test_either_or_needs_the_product_pointed_at() -> None:
    """``di`` after another noun (``el sana di``) points at no product on screen."""
    assert _rules("el masyaf el sana di marsa matrouh wala ras el bar?", "after_details")[0] != "product_details"
