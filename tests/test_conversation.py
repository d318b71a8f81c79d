"""Conversation I: scripted multi-turn conversations on both platforms, signed delivery → Send API JSON.

Search, refinement, details, prices in context, compare, categories, recommendations, no results,
unknown, courtesy, attachments, forged payloads, language switching and a store outage. The
intent matcher is scripted (tests/test_conversation_kit.py) with the contract's answers.
"""

from __future__ import annotations

import pytest

from bot.errors import StoreUnavailable
from bot.store import SearchFilters
from tests.factories import messenger, whatsapp
from tests.test_conversation_kit import Chat, Script, Understood, ids_of, joined, payloads, rows, texts

HOODIES = ("hoodie", "sweatshirt")      # the schema's item "hoodie" covers sweatshirts (سويت شيرت)
AR = {
    "السلام عليكم": Understood("greeting"),
    "عايز هودي": Understood("search", {"item": "hoodie"}),
    "في اسود؟": Understood("search", {"color": "black"}),
    "ارخص": Understood("search", {}),
    "التاني بكام": Understood("price_inquiry", {"product_ref": "2"}),
    "بكام ده": Understood("price_inquiry", {}),
    "قارن الاول والتاني": Understood("compare", {"product_refs": ["1", "2"]}),
    "الخامس عشر بكام": Understood("price_inquiry", {"product_ref": "9"}),
    "بتبيعوا ايه؟": Understood("browse_categories"),
    "فيه عروض؟": Understood("recommendations"),
    "ايه الجديد عندكم": Understood("recommendations"),
    "فستان بنفسجي تحت ١٠ جنيه": Understood("search", {"item": "dress", "color": "purple", "price_max": 10}),
    "ماتش الزمالك الساعه كام؟": Understood("unknown", confidence=0.8),
    "الف شكر": Understood("thanks"),
    "باي": Understood("goodbye"),
}
FRANCO = {
    "3ayez jeans azra2": Understood("search", {"item": "jeans", "color": "blue"}, language="franco"),
    "el tany b kam?": Understood("price_inquiry", {"product_ref": "2"}, language="franco"),
}
EN = {
    "hi there": Understood("greeting", language="en"),
    "what do you sell?": Understood("browse_categories", language="en"),
    "black sneakers size 42": Understood("search", {"item": "sneakers", "color": "black", "size": "42"}, language="en"),
    "how much is this one": Understood("price_inquiry", {}, language="en"),
    "what goes with it?": Understood("recommendations", {}, language="en"),
    "thanks a lot": Understood("thanks", language="en"),
    "عايز هودي": Understood("search", {"item": "hoodie"}),
}


@pytest.fixture
def script(services) -> Script:
    script = Script(AR | FRANCO | EN)
    services.dialog.deps.understand = script
    return script


@pytest.fixture
def fb(client, services, script) -> Chat:
    return Chat(client, services, "messenger", "psid-100")


@pytest.fixture
def wa(client, services, script) -> Chat:
    return Chat(client, services, "whatsapp", "201001234567")


def _qr(title: str, payload: str) -> dict:
    return {"content_type": "text", "title": title, "payload": payload}


# ---- greeting ---------------------------------------------------------------------------------


def test_get_started_is_a_welcome_with_the_exact_quick_replies(fb) -> None:
    assert fb.press("GET_STARTED", "Get Started") == [{
        "recipient": {"id": "psid-100"},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "أهلاً وسهلاً في دولاب 👋 أنا مساعد المتجر: أدورلك على أي منتج، أقولك السعر والمقاسات، "
                    "وأسجّلك طلبك. تحب تبدأ بإيه؟",
            "quick_replies": [
                _qr("الأقسام", "CATEGORIES"), _qr("العروض", "OFFERS"), _qr("الجديد", "NEW"),
                _qr("الأكتر مبيعاً", "BEST"), _qr("السلة", "CART"), _qr("كلم حد من الفريق", "HUMAN"),
                _qr("English", "LANG:en"),
            ],
        },
    }]


def test_english_greeting_on_whatsapp_is_a_list_of_choices(wa) -> None:
    [body] = wa.say("hi there")
    assert body["to"] == "201001234567" and body["type"] == "interactive"
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"]["text"].startswith("Welcome to Dolab 👋")
    assert interactive["action"]["button"] == "Menu"
    assert [r["id"] for r in rows([body])] == ["CATEGORIES", "OFFERS", "NEW", "BEST", "CART", "HUMAN", "LANG:ar"]


# ---- search, refinement, details, price ------------------------------------------------------


def test_arabic_search_on_messenger_is_an_intro_a_carousel_and_quick_replies(fb, services) -> None:
    bodies = fb.say("عايز هودي")
    intro, carousel, footer = bodies
    # the 12 adult hoodies and sweatshirts (kids only when asked)
    assert intro["message"]["text"] == "لقيتلك ١٢ منتج 👇"
    template = carousel["message"]["attachment"]["payload"]
    assert template["template_type"] == "generic" and 1 <= len(template["elements"]) <= 10
    first = template["elements"][0]
    product = services.store.product(int(first["buttons"][0]["payload"].split(":")[1]))
    assert first["title"] == product.name_ar
    assert first["subtitle"].startswith(f"{_ar(product.final_price)} ج.م")
    assert first["image_url"] == product.image_url
    assert first["default_action"] == {"type": "web_url", "url": product.link}
    assert [b["type"] for b in first["buttons"]] == ["postback", "postback", "web_url"]
    assert first["buttons"][1] == {"type": "postback", "title": "ضيف للسلة", "payload": f"ADD:{product.id}"}
    assert all(services.store.product(i).item in HOODIES for i in ids_of(payloads([carousel]), "DETAILS"))
    quick = [q["payload"] for q in footer["message"]["quick_replies"]]
    assert "SORT:price_asc" in quick and "FILTER" in quick


def test_refinement_narrows_the_last_search_and_sorts_it(fb, services) -> None:
    fb.say("عايز هودي")
    black = ids_of(payloads(fb.say("في اسود؟")), "DETAILS")
    assert black and all(
        services.store.product(i).item in HOODIES and "black" in services.store.product(i).colors for i in black
    )
    cheap = [services.store.product(i) for i in ids_of(payloads(fb.say("ارخص")), "DETAILS")]
    assert sorted(p.id for p in cheap) == sorted(black)
    order = [(not p.in_stock, p.final_price) for p in cheap]       # in stock first, then the cheapest
    assert order == sorted(order)


def test_more_pages_follow_the_cursor(fb, services) -> None:
    first = fb.press("CAT:men")
    more = [p for p in payloads(first) if p.startswith("MORE:")]
    assert more, "the men's section has more than ten products"
    second = fb.tap(more[0], "المزيد")
    assert texts(second)[0] == "وده كمان 👇"
    assert not set(ids_of(payloads(first), "DETAILS")) & set(ids_of(payloads(second), "DETAILS"))


def test_details_show_the_picture_then_the_caption_and_buttons(fb, services) -> None:
    product = services.store.search("", filters=SearchFilters(item="hoodie", in_stock=True)).products[0]
    picture, caption, buttons = fb.press(f"DETAILS:{product.id}", "التفاصيل")
    assert picture["message"]["attachment"] == {"type": "image",
                                                "payload": {"url": product.image_url, "is_reusable": True}}
    text = caption["message"]["text"]
    assert text.startswith(product.name_ar) and "المقاسات:" in text and "الألوان:" in text
    assert f"{_ar(product.final_price)} ج.م" in text
    template = buttons["message"]["attachment"]["payload"]
    assert template["template_type"] == "button"
    assert [b.get("payload") or b.get("url") for b in template["buttons"]] == [
        f"ADD:{product.id}", f"RELATED:{product.id}", product.link]


def test_price_questions_use_the_list_and_the_product_in_focus(fb, services) -> None:
    shown = ids_of(payloads(fb.say("عايز هودي")), "DETAILS")
    second = services.store.product(shown[1])
    answer = joined(fb.say("التاني بكام"))
    assert answer.startswith(f"{second.name_ar}: {_ar(second.final_price)} ج.م")
    fb.press(f"DETAILS:{shown[0]}")
    first = services.store.product(shown[0])
    assert joined(fb.say("بكام ده")).startswith(f"{first.name_ar}: {_ar(first.final_price)} ج.م")


def test_a_position_beyond_the_list_is_answered_kindly(fb) -> None:
    fb.press("COMPARE:3,5")
    answer = fb.say("الخامس عشر بكام")
    assert "مش لاقي منتج رقم ٩" in joined(answer)


def test_franco_search_and_price_on_whatsapp(wa, services) -> None:
    bodies = wa.say("3ayez jeans azra2")
    assert bodies[0]["type"] == "interactive" and bodies[0]["interactive"]["type"] == "list"
    listed = rows(bodies)
    assert 1 <= len(listed) <= 10
    assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in listed)
    assert all(r["id"].startswith("DETAILS:") for r in listed)
    assert bodies[0]["interactive"]["body"]["text"].startswith("لقيتلك")
    second = services.store.product(int(listed[1]["id"].split(":")[1]))
    assert second.item == "jeans"
    answer = wa.say("el tany b kam?")
    assert answer[0]["type"] == "interactive" and answer[0]["interactive"]["type"] == "button"
    assert answer[0]["interactive"]["body"]["text"].startswith(f"{second.name_ar}: {_ar(second.final_price)} ج.م")
    assert [b["reply"]["id"] for b in answer[0]["interactive"]["action"]["buttons"]] == [
        f"ADD:{second.id}", f"DETAILS:{second.id}"]


def test_whatsapp_details_are_an_image_with_caption_then_reply_buttons(wa, services) -> None:
    product = services.store.search("", filters=SearchFilters(item="jeans", in_stock=True)).products[0]
    image, buttons = wa.press(f"DETAILS:{product.id}")
    assert image["type"] == "image" and image["image"]["link"] == product.image_url
    assert image["image"]["caption"].startswith(product.name_ar)
    assert buttons["interactive"]["type"] == "button"
    assert [b["reply"]["id"] for b in buttons["interactive"]["action"]["buttons"]] == [
        f"ADD:{product.id}", f"RELATED:{product.id}"]
    assert product.link in buttons["interactive"]["body"]["text"]


def test_english_search_and_deictic_price_after_details(client, services, script) -> None:
    en = Chat(client, services, "messenger", "psid-en")
    bodies = en.say("black sneakers size 42")
    assert texts(bodies)[0].startswith("I found ")
    found = ids_of(payloads(bodies), "DETAILS")
    assert all(services.store.product(i).item == "sneakers" for i in found)
    en.press(f"DETAILS:{found[0]}")
    product = services.store.product(found[0])
    assert joined(en.say("how much is this one")).startswith(f"{product.name_en}: {product.final_price:,} EGP")
    related = en.say("what goes with it?")
    assert texts(related)[0] == f"These go well with {product.name_en} 👇"
    assert found[0] not in ids_of(payloads(related), "DETAILS")


# ---- compare, categories, recommendations ------------------------------------------------------


def test_compare_shows_cards_and_a_summary(fb, services) -> None:
    shown = ids_of(payloads(fb.say("عايز هودي")), "DETAILS")
    bodies = fb.say("قارن الاول والتاني")
    assert ids_of(payloads(bodies), "DETAILS") == shown[:2]
    first, second = (services.store.product(i) for i in shown[:2])
    cheapest = min((first, second), key=lambda p: p.final_price)
    summary = texts(bodies)[-1]
    assert summary.startswith(f"الأرخص: {cheapest.name_ar} ({_ar(cheapest.final_price)} ج.م)")
    assert "الفرق في:" in summary


def test_compare_payload_with_one_id_or_unknown_ids_is_polite(fb) -> None:
    assert "الزرار ده قديم" in joined(fb.tap("COMPARE:53"))
    assert "المنتج ده مش موجود" in joined(fb.tap("COMPARE:99998,99999"))


def test_categories_in_english_then_a_section(client, services, script) -> None:
    en = Chat(client, services, "whatsapp", "201551234567")
    [body] = en.say("what do you sell?")
    assert body["interactive"]["body"]["text"] == "Here are our sections, pick one 👇"
    assert [r["id"] for r in rows([body])][:6] == ["CAT:men", "CAT:women", "CAT:kids", "CAT:shoes",
                                                   "CAT:accessories", "CAT:sportswear"]
    section = en.press("CAT:women", "Women")
    shown = [services.store.product(i) for i in ids_of(payloads(section), "DETAILS")]
    assert shown and all("women" in (p.category, p.gender) or (p.gender == "unisex" and p.category != "kids")
                         for p in shown)                    # the women's section has unisex adult products too


def test_offers_new_arrivals_and_best_sellers(fb, services) -> None:
    offers = fb.say("فيه عروض؟")
    assert texts(offers)[0] == "دي العروض اللي عليها خصم دلوقتي 🔥"
    assert all(services.store.product(i).discount_percent > 0 for i in ids_of(payloads(offers), "DETAILS"))
    new = fb.say("ايه الجديد عندكم")
    assert all(services.store.product(i).is_new for i in ids_of(payloads(new), "DETAILS"))
    best = fb.tap("BEST", "الأكتر مبيعاً")
    assert all(services.store.product(i).is_best_seller for i in ids_of(payloads(best), "DETAILS"))


# ---- no dead ends --------------------------------------------------------------------------------


def test_no_results_offers_a_way_on(fb) -> None:
    [body] = fb.say("فستان بنفسجي تحت ١٠ جنيه")
    assert body["message"]["text"].startswith("ملقتش حاجة بالمواصفات دي")
    quick = [q["payload"] for q in body["message"]["quick_replies"]]
    assert quick == ["FILTER:clear", "CATEGORIES", "OFFERS", "HUMAN"]
    widened = fb.tap("FILTER:clear", "شيل الفلاتر")
    assert ids_of(payloads(widened), "DETAILS")


def test_unknown_thanks_goodbye(fb) -> None:
    unknown = fb.say("ماتش الزمالك الساعه كام؟")
    assert texts(unknown) == ["معلش مش فاهم قصدك 🙏 ممكن تكتبلي اسم المنتج أو اللون أو المقاس اللي بتدور عليه، "
                              "أو تختار من تحت."]
    assert "CATEGORIES" in payloads(unknown)
    assert texts(fb.say("الف شكر")) == ["العفو، تحت أمرك في أي وقت 🌷"]
    assert texts(fb.say("باي")) == ["نورتنا 🌷 مستنيينك تاني، مع السلامة!"]
    assert texts(fb.say("asdkjh qwe")) == texts(unknown)     # a low-confidence guess is unknown


def test_attachments_and_stickers_are_answered_politely(fb, wa) -> None:
    image = messenger("psid-100", {"message": {"mid": "m_img", "attachments": [
        {"type": "image", "payload": {"url": "https://cdn.test/p.jpg"}}]}})
    assert joined(fb.post(image)).startswith("وصلتني الصورة 👌")
    like = messenger("psid-100", {"message": {"mid": "m_like", "sticker_id": 369239263222822, "attachments": [
        {"type": "image", "payload": {"url": "https://cdn.test/like.png", "sticker_id": 369239263222822}}]}})
    assert joined(fb.post(like)).startswith("😊")
    voice = whatsapp("201001234567",
                     {"type": "audio", "audio": {"id": "media-1", "mime_type": "audio/ogg", "voice": True}})
    assert joined(wa.post(voice)).startswith("وصلتني الرسالة الصوتية")
    clip = whatsapp("201001234567", {"type": "video", "video": {"id": "media-2", "mime_type": "video/mp4"}})
    assert joined(wa.post(clip)).startswith("وصلني الفيديو 👌")
    reel = messenger("psid-100", {"message": {"mid": "m_vid", "attachments": [
        {"type": "video", "payload": {"url": "https://cdn.test/v.mp4"}}]}})
    assert joined(fb.post(reel)).startswith("وصلني الفيديو 👌")


@pytest.mark.parametrize("payload", [
    "DETAILS:abc", "DETAILS:", "ADD:12x", "MORE:garbage", "SORT:sideways", "CAT:cars", "LANG:fr", "QTY:1::x",
    "FILTER:weight=3", "NOPE", "SIZES:aliens", "EDIT:everything", "DETAILS:" + "9" * 300, "🙂", "GOV:cairo",
])
def test_forged_or_stale_payloads_get_a_polite_answer(fb, services, payload) -> None:
    bodies = fb.tap(payload, "x")
    assert bodies, "every payload is answered"
    assert payloads(bodies), "with a way on"
    assert services.inbox.counts().get("dead", 0) == 0


# ---- language ----------------------------------------------------------------------------------


def test_language_follows_the_customer_and_a_choice_sticks(fb) -> None:
    assert texts(fb.say("hi there"))[0].startswith("Welcome to Dolab")
    assert texts(fb.say("السلام عليكم"))[0].startswith("أهلاً وسهلاً في دولاب")
    assert texts(fb.tap("LANG:en", "English")) == ["Sure, I'll talk to you in English from now on."]
    assert texts(fb.say("عايز هودي"))[0].startswith("I found ")


# ---- the store down or stale ----------------------------------------------------------------------


def test_a_store_outage_gets_a_polite_answer(fb, services, monkeypatch) -> None:
    def down(*args, **kwargs):
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(services.store, "search", down)
    monkeypatch.setattr(services.store, "product", down)
    assert texts(fb.say("عايز هودي"))[0].startswith("المتجر مش بيرد دلوقتي")
    assert texts(fb.press("DETAILS:53"))[0].startswith("المتجر مش بيرد دلوقتي")
    assert services.inbox.counts().get("dead", 0) == 0


def test_a_bug_in_a_handler_is_answered_and_leaves_no_dead_letter(fb, services, monkeypatch, caplog) -> None:
    def broken(*args, **kwargs):
        raise TypeError("unexpected keyword")

    monkeypatch.setattr(services.store, "product", broken)
    answer = fb.press("DETAILS:53")
    assert texts(answer) == ["حصلت مشكلة صغيرة عندي 🙏 جرب تاني كمان شوية."] and "CATEGORIES" in payloads(answer)
    assert services.inbox.counts().get("dead", 0) == 0
    assert "TypeError: unexpected keyword" in caplog.text


def test_stale_results_say_prices_may_have_changed(fb, services, monkeypatch) -> None:
    from dataclasses import replace

    search = services.store.search
    monkeypatch.setattr(services.store, "search", lambda *a, **k: replace(search(*a, **k), stale=True))
    bodies = fb.say("عايز هودي")
    assert texts(bodies)[0].startswith("ملحوظة: بعرضلك آخر نسخة")
    assert ids_of(payloads(bodies), "DETAILS")


def _ar(amount: int) -> str:
    return f"{amount:,}".replace(",", "٬").translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


# ---- on the wire ----------------------------------------------------------------------------------


def test_graph_mode_sends_the_exact_send_api_json(settings) -> None:
    import json

    import responses

    from bot import create_app
    from tests.conftest import TEST_SECRET
    from tests.factories import messenger_postback, post_signed, whatsapp_text

    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    overrides |= {"send_mode": "graph", "graph_api_url": "http://graph.test",
                  "messenger_page_access_token": "page-token", "whatsapp_access_token": "wa-token",
                  "whatsapp_phone_number_id": "106540352242922"}
    with responses.RequestsMock() as mock:
        mock.post("http://graph.test/v25.0/me/messages", json={"recipient_id": "psid-1", "message_id": "mid.1"})
        mock.post("http://graph.test/v25.0/106540352242922/messages",
                  json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.1"}]})
        app = create_app(overrides, start_workers=False)
        try:
            services = app.extensions["dukkan"]
            client = app.test_client()
            post_signed(client, messenger_postback("psid-1", "CATEGORIES", "الأقسام"), TEST_SECRET)
            post_signed(client, whatsapp_text("201001234567", "السلام عليكم"), TEST_SECRET)
            services.dialog.deps.understand = Script(AR)
            services.workers.drain()
        finally:
            app.extensions["dukkan"].workers.stop()
        sent = [json.loads(call.request.body) for call in mock.calls]
    categories = {
        "recipient": {"id": "psid-1"}, "messaging_type": "RESPONSE",
        "message": {"text": "عندنا الأقسام دي، اختار اللي يعجبك 👇", "quick_replies": [
            _qr("رجالي", "CAT:men"), _qr("حريمي", "CAT:women"), _qr("أطفال", "CAT:kids"), _qr("أحذية", "CAT:shoes"),
            _qr("إكسسوارات", "CAT:accessories"), _qr("ملابس رياضية", "CAT:sportswear"), _qr("العروض", "OFFERS")]},
    }
    assert categories in sent
    welcome = next(body for body in sent if body.get("type") == "interactive")
    assert welcome["to"] == "201001234567" and welcome["messaging_product"] == "whatsapp"
    assert welcome["interactive"]["action"]["sections"][0]["rows"][0] == {"id": "CATEGORIES", "title": "الأقسام"}
