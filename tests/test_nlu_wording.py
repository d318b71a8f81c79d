"""Wordings customers use that the matcher read wrong (issue 12): each rule with a shop message
and the near message it must not change. Variants, not the sentences the rules were found on."""

from __future__ import annotations

import pytest

from bot.nlu import understand


@pytest.mark.parametrize(("text", "context", "intent", "slots"), [
    # Arabic writes no doubled letter: an elongated word is the word
    ("بكاام ده", "after_details", "price_inquiry", {}),
    ("الشنططه دي بكام", "after_details", "price_inquiry", {"item": "bag"}),
    # feminine Franco ordinals
    ("el tanya b kam", "after_results", "price_inquiry", {"product_ref": "2"}),
    ("el awla fe size M?", "after_results", "product_details", {"product_ref": "1", "size": "M"}),
    # spoken ordinals with "one": "اول واحدة", "تالت واحد(ة)", "rab3 wa7da"; a bare "واحدة" stays a count
    ("اول واحدة بكام؟", "after_results", "price_inquiry", {"product_ref": "1"}),
    ("تالت واحدة فيها احمر؟", "after_results", "product_details", {"product_ref": "3", "color": "red"}),
    ("rab3 wa7da fe size L?", "after_results", "product_details", {"product_ref": "4", "size": "L"}),
    ("هاخد واحدة بس", "after_details", "cart_add", {"quantity": 1}),
    # adding, in the forms people type (feminine, MSA, "get me one")
    ("حطيلي ٣ كحلي", "after_details", "cart_add", {"quantity": 3, "color": "navy"}),
    ("اضفها للسله لو سمحت", "after_details", "cart_add", {}),
    ("هاتيلي واحد اسود", "after_details", "cart_add", {"color": "black"}),
    ("هاخد منه اتنين", "after_details", "cart_add", {"quantity": 2}),
    # what the bot can do
    ("تقدر تعملي ايه بالظبط؟", "none", "help", {}),
    # a future arrival of one order is its status; the shipping time in general is shipping
    ("اوردري هيجي امتى", "none", "order_status", {}),
    ("الطلب بتاعي هيوصل امتى", "none", "order_status", {}),
    ("الشحن لطنطا بياخد قد ايه", "none", "shipping_info", {}),
    # another product of a kind, after details, is a search; this one is a question about it
    ("فيه جاكيت تاني حريمي؟", "after_details", "search", {"item": "jacket", "category": "women"}),
    ("الجاكيت ده متاح؟", "after_details", "product_details", {"item": "jacket"}),
    # a refused item is not the item asked for
    ("مش عايزه جيب، عايزه فستان طويل", "none", "search", {"item": "dress"}),
    # greetings of every region and time of day; a salam after a farewell takes leave
    ("يسعد مساكم", "none", "greeting", {}),
    ("salam alaikum", "none", "greeting", {}),
    ("مرحبا بكم جميعا", "none", "greeting", {}),
    ("hey guys!", "none", "greeting", {}),
    ("خلاص كده، يلا سلام عليكم", "none", "goodbye", {}),
    ("ok thanks, bye!", "none", "goodbye", {}),
    ("مش محتاجه حاجه تانيه، سلام", "none", "goodbye", {}),
    # thanks, also for an order that arrived, with praise and nothing asked
    ("ربنا يبارك فيكم", "none", "thanks", {}),
    ("appreciate your help", "none", "thanks", {}),
    ("الشنطه وصلت سليمه، متشكره", "none", "thanks", {"item": "bag"}),
    ("got my order today, love it, thanks!", "none", "thanks", {}),
    ("الطلب وصل بس ناقص حاجه، شكرا", "none", "order_status", {}),
    # what the bot can do, how it works, what to type
    ("الشات ده بيشتغل ازاي؟", "none", "help", {}),
    ("كيف أستطيع الطلب من خلالكم؟", "none", "help", {}),
    ("what should I type?", "none", "help", {}),
    ("ana gdeed hena, a3mel eh?", "none", "help", {}),
    # the cart, its total and its lines; a bank card is no cart
    ("وريني اللي في الكارت", "none", "cart_view", {}),
    ("كم عدد المنتجات في سلتي؟", "none", "cart_view", {}),
    ("what have I put in my cart so far", "none", "cart_view", {}),
    ("ينفع ادفع بالكارت؟", "none", "payment_info", {}),
    ("بتقبلوا كارت ميزه؟", "none", "payment_info", {}),
    ("عايز اشتري الحاجات اللي اخترتها", "none", "checkout", {}),
    ("عايز اراجع اللي في السله قبل ما اطلب", "none", "cart_view", {}),
    ("الغيلي الجاكيت اللي في الكارت", "none", "cart_remove", {"item": "jacket"}),
    ("شيل جاكيت واحد من السله", "none", "cart_remove", {"item": "jacket", "quantity": 1}),
    ("take the jeans out of my basket", "none", "cart_remove", {"item": "jeans"}),
    # the shop as a place; another shop, a venue or a person's page is not
    ("ال shop بيقفل امتى؟", "none", "store_info", {}),
    ("هل لديكم متجر فعلي؟", "none", "store_info", {}),
    ("رقم التليفون بتاع المحل ايه؟", "none", "store_info", {}),
    ("اقرب فرع ليا فين؟", "none", "store_info", {}),
    ("المحل اللي تحت البيت بيقفل امتى؟", "none", "unknown", {}),
    ("فين اقرب محل موبايلات؟", "none", "unknown", {}),
    ("what are the opening hours of the museum?", "none", "unknown", {}),
    ("انا عايز اغير اسم الصفحه بتاعتي", "none", "unknown", {}),
    # changing a placed order: phone, address, size 'to', instead of
    ("ممكن اعدل رقم الموبايل في الاوردر؟", "none", "order_change", {}),
    ("change the phone number on my order please", "none", "order_change", {}),
    ("عايزه اغير مقاس البنطلون في الطلب لـ ٣٢", "none", "order_change",
     {"item": "trousers", "size": "32"}),
    ("عايزة الجيبة بدل الفستان في الاوردر", "none", "order_change", {"item": "skirt"}),
    ("عايز اغير رقم تليفوني في فودافون", "none", "unknown", {}),
    ("عايز بدل رجالي", "none", "search", {"category": "men"}),
    # cancelling the item one ordered cancels it; taking it out of the order changes it
    ("cancel the jacket I ordered", "none", "order_cancel", {"item": "jacket"}),
    ("remove the jacket from my order", "none", "order_change", {"item": "jacket"}),
    # a stock alert, also with 'call me' or 'if it comes back'
    ("لما الجاكيت يرجع تاني كلموني", "after_details", "stock_alert", {"item": "jacket"}),
    ("لو نزل مقاس L قوليلي", "none", "stock_alert", {"size": "L"}),
    ("add me to the waitlist for the navy hoodie", "none", "stock_alert",
     {"item": "hoodie", "color": "navy"}),
    # the courier of a placed order; a person late is not
    ("المندوب قال هييجي النهارده ومجاش", "none", "order_status", {}),
    ("the delivery guy didn't show up", "none", "order_status", {}),
    ("المندوب بيوصل عادة في قد ايه؟", "none", "shipping_info", {}),
    ("صاحبي اتأخر عليا", "none", "unknown", {}),
    ("الاتوبيس اتاخر ساعه", "none", "unknown", {}),
    # a person, or refusing the bot; a person for another job is not
    ("I hate talking to bots", "none", "human_handoff", {}),
    ("أريد التحدث مع شخص حقيقي", "none", "human_handoff", {}),
    ("عايز اكلم حد يصلح التلاجه", "none", "unknown", {}),
    ("بتدوروا على موظفين؟", "none", "unknown", {}),
    # money to a person, a wallet in trouble: not a payment to the shop
    ("send money to my brother on instapay", "none", "unknown", {}),
    ("ازاي احول فلوس لصاحبي", "none", "unknown", {}),
    ("ينفع احولكم فلوس الاوردر انستاباي؟", "none", "payment_info", {}),
    ("المحفظه بتاعتي اتقفلت، افتحها ازاي؟ فودافون كاش", "none", "unknown", {}),
    # going back home is no return
    ("عايز ارجع البيت بدري", "none", "unknown", {}),
    ("عايز ارجع الجاكيت", "none", "returns_policy", {"item": "jacket"}),
    # sizes, prices, lengths and comparisons in other words
    ("I normally wear a 42, which size should I get?", "none", "size_help", {"size": "42"}),
    ("I usually wear medium, show me black hoodies", "none", "search",
     {"size": "M", "item": "hoodie", "color": "black"}),
    ("بقى بكام بعد الخصم؟", "after_details", "price_inquiry", {}),
    ("الجيبه دي نازله لحد فين؟", "after_details", "product_details", {"item": "skirt"}),
    ("انهي اشيك، الاول ولا التاني؟", "after_results", "compare", {"product_refs": ["1", "2"]}),
    ("قارنلي بين الشنطتين دول", "after_results", "compare", {"item": "bag"}),
    # browsing, also in MSA and Franco; a definite colour asks for the product spoken of
    ("ما هي المنتجات التي تبيعونها؟", "none", "browse_categories", {}),
    ("eh el 7agat elly 3andoko?", "none", "browse_categories", {}),
    ("عايز اشتري ده", "after_details", "cart_add", {}),
    ("الاسود متاح مقاس M؟", "none", "product_details", {"color": "black", "size": "M"}),
    # the time on a watch, a watch with its article
    ("sa3etak kam delwa2ty?", "none", "unknown", {}),
    ("غيرت رايي في الساعه، شيلها من السله", "none", "cart_remove", {"item": "watch"}),
    # Modern Standard Arabic, chat spellings and holiday greetings
    ("لقد طلبت منذ أسبوع ولم يصلني الطلب حتى الآن", "none", "order_status", {}),
    ("ما هي أكثر المنتجات مبيعاً لديكم؟", "none", "recommendations", {}),
    ("أرجو تعديل رقم الهاتف في الطلب", "none", "order_change", {}),
    ("رمضان كريم", "none", "greeting", {}),
    ("wen do u open?", "none", "store_info", {}),
    ("الكرت فيه ايه؟", "none", "cart_view", {}),
    # 'it has been' before a span of time is no grocery; the grocery still is
    ("الطلب بتاعي فين؟ بقاله اسبوعين", "none", "order_status", {}),
    ("فين اقرب بقاله هنا", "none", "unknown", {}),
    # waiting this long for what one bought; the courier named, or 'supposed to', with the order
    ("بقالي ٥ ايام مستني الجاكيت", "none", "order_status", {"item": "jacket"}),
    ("been waiting for my hoodie since monday", "none", "order_status", {"item": "hoodie"}),
    ("المندوب مرنش عليا، الاوردر فين؟", "none", "order_status", {}),
    ("كان المفروض الطلب يوصل امبارح ومجاش", "none", "order_status", {}),
    ("المندوب بيوصل في كام يوم عادة؟", "none", "shipping_info", {}),
    # nobody called is a late order; somebody to call is a person
    ("محدش كلمني والطلب لسه موصلش", "none", "order_status", {}),
    ("عايز حد يكلمني ضروري", "none", "human_handoff", {}),
    # someone to answer, instead of the bot, a complaint to the authorities; a friend not answering
    ("ممكن حد يرد عليا؟ البوت مش فاهمني", "none", "human_handoff", {}),
    ("عاوز رقم حد اتكلم معاه بدل الروبوت", "none", "human_handoff", {}),
    ("هقدم شكوى لحمايه المستهلك", "none", "human_handoff", {}),
    ("kalemoni 3ala el rakam da", "none", "human_handoff", {}),
    ("صاحبي مش بيرد عليا", "none", "unknown", {}),
    # 'if it comes back, tell me'; a return stays a return
    ("lw el M rege3 2oly", "after_details", "stock_alert", {"size": "M"}),
    ("لو الاسود رجع عرفيني", "after_details", "stock_alert", {"color": "black"}),
    ("عايز ارجع الجاكيت", "none", "returns_policy", {"item": "jacket"}),
    # checkout in loanwords and 'ready to pay'; payment methods and a hotel stay what they are
    ("عايز اعمل تشيكاوت", "none", "checkout", {}),
    ("انا جاهزه للدفع", "none", "checkout", {}),
    ("يلا ع الدفع", "none", "checkout", {}),
    ("طرق الدفع ايه؟", "none", "payment_info", {}),
    ("احجزلي الحاجات اللي في السله", "none", "checkout", {}),
    ("احجزلي اوضه في فندق", "none", "unknown", {}),
    ("السله كده تمام نكمل؟", "none", "checkout", {}),
    # everything the shop has; 'show me' with a section is a search; 'new here' alone is help
    ("فرجيني على الحاجات اللي عندكو", "none", "browse_categories", {}),
    ("show me everything you have", "none", "browse_categories", {}),
    ("فرجني على الجزم", "none", "search", {"category": "shoes"}),
    ("انا جديد هنا", "none", "help", {}),
    ("انا جديد هنا، بتبيعوا ايه؟", "none", "browse_categories", {}),
    # body shape and another brand's size ask for size help; diapers are no clothes
    ("اكتافي عريضه اخد انهي مقاس في الجواكت", "none", "size_help", {"item": "jacket"}),
    ("انا لارج في زارا، هيبقى نفس المقاس عندكو؟", "none", "size_help", {"size": "L"}),
    ("مقاس الحفاضات لطفل عنده سنه", "none", "unknown", {}),
    ("sabah el foll", "none", "greeting", {}),
    # regards from someone else, the date: no thanks, no price
    ("اختي بتسلم عليكو", "none", "unknown", {}),
    ("تسلم ايدك", "none", "thanks", {}),
    ("احنا كام في الشهر النهارده؟", "none", "unknown", {}),
    ("hasafer bokra", "none", "unknown", {}),
    # a hedge between a body measure and its number keeps it a measure; 'sometimes' before a verb
    ("طولي تقريبا ١٧٠ ووزني حوالي ٦٥، اخد مقاس ايه في الجينز؟", "none", "size_help", {"item": "jeans"}),
    ("عايز جينز حوالي ٥٠٠ جنيه", "none", "search", {"item": "jeans", "price_max": 500}),
    ("ساعات بتبقى واسعه عليا، اخد مقاس ايه في التيشيرتات", "none", "size_help", {"item": "t-shirt"}),
    ("عندكم ساعات بناتي؟", "none", "search", {"item": "watch", "category": "kids"}),
    # a clothing word names goods even beside a sport's noun (the topic never vetoes it)
    ("football jersey", "none", "search", {"item": "t-shirt"}),
    ("عندك جيرسي الاهلي؟", "none", "search", {"item": "t-shirt"}),
])
def test_wording(text: str, context: str, intent: str, slots: dict) -> None:
    got = understand(text, context)
    assert (got.intent, got.slots) == (intent, slots), (got.intent, got.slots)


def test_a_real_doubled_letter_is_kept() -> None:
    assert understand("ممكن تيشيرت اسود", "none").slots == {"item": "t-shirt", "color": "black"}
