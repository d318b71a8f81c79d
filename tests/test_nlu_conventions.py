"""One focused test per GUIDE.md convention, on sentences that are not in the dev set."""

from __future__ import annotations

import pytest

from bot.nlu import understand


def _check(text: str, context: str, intent: str, slots: dict) -> None:
    got = understand(text, context)
    assert (got.intent, got.slots) == (intent, slots), f"{text!r}: {got}"


CASES = [
    # §3.1 the actionable intent wins over courtesy
    ("صباح الفل عايز قميص كحلي مقاس XL", "none", "search",
     {"item": "shirt", "color": "navy", "size": "XL"}),
    ("شكرا، بس التوصيل للاسماعيليه بكام؟", "none", "shipping_info", {}),
    ("مساء النور", "none", "greeting", {}),
    ("ميرسي يا قمر", "none", "thanks", {}),
    ("يلا سلام", "none", "goodbye", {}),
    # §3.2 search or browse
    ("انتو بتبيعوا ايه؟", "none", "browse_categories", {}),
    ("عايز لبس اطفال", "none", "search", {"category": "kids"}),
    ("عايز طرحه بيج", "none", "search", {"color": "beige"}),
    # §3.3 search, details or price
    ("ممكن اعرف الجاكيت الجلد البني بكام؟", "none", "price_inquiry",
     {"item": "jacket", "color": "brown"}),
    ("el fostan el a7mar da b kam?", "after_details", "price_inquiry",
     {"item": "dress", "color": "red"}),
    ("التاني موجود مقاس ٤٤؟", "after_results", "product_details",
     {"product_ref": "2", "size": "44"}),
    ("is this available in navy?", "after_details", "product_details", {"color": "navy"}),
    ("what is it made of?", "after_details", "product_details", {}),
    ("عندكم فساتين سواريه فوق ١٥٠٠", "none", "search", {"item": "dress", "price_min": 1500}),
    # §3.4 shipping versus order status
    ("how long does shipping take to Aswan?", "none", "shipping_info", {}),
    ("الاوردر بتاعي اتأخر اوي", "none", "order_status", {}),
    ("where is my order #5521?", "none", "order_status", {}),
    ("3ayez a3raf el order bta3y wesel fein", "none", "order_status", {}),
    # §3.5 returns or size help
    ("عايز ارجع الجزمه عشان ضيقه", "none", "returns_policy", {"category": "shoes"}),
    ("momken a3mel exchange lel hoodie?", "none", "returns_policy", {"item": "hoodie"}),
    ("طولي ١٨٠ ووزني ٩٠ البس كام في التيشيرتات؟", "none", "size_help", {"item": "t-shirt"}),
    # §3.6 a person or a complaint wins over the topic
    ("انتو بجد نصابين الجاكيت جه مضروب", "none", "human_handoff", {"item": "jacket"}),
    ("the delivery guy was rude, I want to speak to a manager", "none", "human_handoff", {}),
    # §3.7 checkout, cart, payment
    ("عايز اكمل الطلب", "none", "checkout", {}),
    ("ينفع ادفع فودافون كاش؟", "none", "payment_info", {}),
    ("ضيفلي اتنين من التاني", "after_results", "cart_add", {"product_ref": "2", "quantity": 2}),
    ("I'll take the second one in large", "after_results", "cart_add",
     {"product_ref": "2", "size": "L"}),
    ("شيل الجاكيت الاسود من الكارت", "none", "cart_remove", {"item": "jacket", "color": "black"}),
    ("ايه اللي في السله دلوقتي؟", "none", "cart_view", {}),
    # §3.8 recommendations win over search
    ("فيه اوكازيون على الشنط؟", "none", "recommendations", {"item": "bag"}),
    ("I need a gift for my husband", "none", "recommendations", {}),
    # §3.9 compare
    ("which is better, the first or the third?", "after_results", "compare",
     {"product_refs": ["1", "3"]}),
    ("ايه الفرق بين product 12 و product 15", "none", "compare", {"product_refs": [12, 15]}),
    # §3.11 unknown has no slots, even with shop words
    ("عايز اشحن كارت فودافون", "none", "unknown", {}),
    ("مين هيكسب الدوري السنادي", "none", "unknown", {}),
]


@pytest.mark.parametrize(("text", "context", "intent", "slots"), CASES,
                         ids=[c[0] for c in CASES])
def test_intent_conventions(text: str, context: str, intent: str, slots: dict) -> None:
    _check(text, context, intent, slots)


@pytest.mark.parametrize(("text", "slots"), [
    ("عايز بنطلون اي لون غير البني", {"item": "trousers"}),  # negated colour (§4.3)
    ("مش عايز اسود، عايز قميص ابيض", {"item": "shirt", "color": "white"}),
    ("need a cap but not red", {"item": "cap"}),
    ("تيشيرتات الزمالك البيضا", {"item": "t-shirt", "color": "white"}),  # a club is no colour
    ("انا احمد عايز جاكيت", {"item": "jacket"}),  # a name is no colour
    ("عايزه جيبه جينز سودا", {"item": "skirt", "color": "black"}),  # compound: head noun
    ("عايز تيشيرت وقميص", {}),  # two items: item left out (§4.5)
    ("شنطه حمرا او سودا", {"item": "bag"}),  # two colours: colour left out
    ("عايز شورت رجالي", {"category": "men"}),  # shorts are not a schema item (§4.4)
    ("بيجامه لابني عنده ٤ سنين", {"item": "pajamas", "category": "kids"}),  # age gives kids
    ("جزمه سودا رجالي مقاس ٤٣", {"color": "black", "size": "43"}),  # two categories: left out
])
def test_slot_conventions(text: str, slots: dict) -> None:
    assert understand(text).slots == slots


@pytest.mark.parametrize(("text", "slots"), [
    ("fe jeans rgaly ta7t 800?", {"item": "jeans", "category": "men", "price_max": 800}),
    ("looking for sneakers between 800 and 1500",
     {"item": "sneakers", "price_min": 800, "price_max": 1500}),
    ("ساعه رجالي جلد بني تحت الفين",
     {"item": "watch", "category": "men", "color": "brown", "price_max": 2000}),
    ("عايز تيشرتين ابيض", {"item": "t-shirt", "color": "white", "quantity": 2}),
    ("عايز ٣ شرابات رياضي", {"item": "socks", "quantity": 3}),
    ("بكام الكوتشي النايك الابيض مقاس ٤٢", {"item": "sneakers", "color": "white", "size": "42"}),
    ("تيشيرتات اوفر سايز ميديم", {"item": "t-shirt", "size": "M"}),  # a fit is not a size
    ("3ayez gakit gins azra2 ma2as L", {"item": "jacket", "color": "blue", "size": "L"}),
])
def test_number_conventions(text: str, slots: dict) -> None:
    assert understand(text).slots == slots


@pytest.mark.parametrize("text", ["ممكن اعرف حالة الطلب رقم 55123", "وزني ٧٥ طولي ١٧٠ اخد ايه"])
def test_order_numbers_and_body_measures_are_not_slots(text: str) -> None:
    assert understand(text).slots == {}


def test_positions_need_a_list_on_screen() -> None:
    assert understand("ضيف التالت للسله", "after_results").slots == {"product_ref": "3"}
    assert "product_ref" not in understand("هكلمكم تاني بكره").slots


def test_an_id_cue_gives_an_integer_reference() -> None:
    assert understand("المنتج رقم ٧٧ متاح؟").slots == {"product_ref": 77}


def test_substring_traps_are_whole_tokens() -> None:
    assert understand("بيجامه لابني").slots == {"item": "pajamas", "category": "kids"}
    assert understand("عايز اكلم بني ادم").intent == "human_handoff"
    assert understand("تيشيرت نص كم").slots == {"item": "t-shirt"}


def test_low_confidence_is_unknown() -> None:
    got = understand("qwxz")
    assert got.intent == "unknown" and got.slots == {}


def test_language() -> None:
    assert understand("عايز تيشيرت").language == "ar"
    assert understand("3ayez tshirt eswed").language == "franco"
    assert understand("I want a black t-shirt").language == "en"
    assert understand("عايز hoodie اسود size L").language == "ar"
