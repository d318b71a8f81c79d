"""The conversation keeps its context (issue 12, point 5), end to end through the webhook.

Ordinals after details, "it" after a price, typed answers to the bot's own questions, elliptical
follow-ups, two questions in one message, searches without filters, old "more" buttons, numbers
that are not product numbers, checkout asides and wrong values, Franco-Arabic replies. The real
intent matcher where it already reads the text, else ``Script`` with the schema's answers.
"""

from __future__ import annotations

import pytest

from bot.dialog import texts as texts_module
from bot.store import SearchFilters
from tests.test_checkout import ADDRESS, fill_cart, hoodie
from tests.test_conversation_kit import Chat, Script, Understood, ids_of, joined, payloads, texts
from tests.test_conversation_nlu import bww_app  # noqa: F401  (the BWW backend simulated)


@pytest.fixture
def fb(client, services) -> Chat:
    return Chat(client, services, "messenger", "psid-ctx")


@pytest.fixture
def wa(client, services) -> Chat:
    return Chat(client, services, "whatsapp", "201001234599")


def _scripted(services, lines: dict[str, Understood]) -> Script:
    script = Script(lines)
    services.dialog.deps.understand = script
    return script


def _sized(services, ids: list[int], size: str):
    """The first product of ``ids`` that comes in ``size`` and in several colours."""
    return next(p for p in map(services.store.product, ids)
                if size in p.sizes and len(p.colors) > 1 and p.stock_quantity > 3)


# ---- ordinals refer to the last list, also after details ---------------------------------------


def test_ordinals_after_details_refer_to_the_list(fb, services) -> None:
    shown = ids_of(payloads(fb.say("عايز تيشيرت")), "DETAILS")
    assert len(shown) >= 4
    fb.press(f"DETAILS:{shown[1]}")
    third, first = services.store.product(shown[2]), services.store.product(shown[0])
    assert joined(fb.say("التالت بكام")).startswith(f"{third.name_ar}: ")
    assert fb.say("التالت")[1]["message"]["text"].startswith(third.name_ar)         # picture, then caption
    assert joined(fb.say("الاول بكام")).startswith(f"{first.name_ar}: ")
    compared = fb.say("قارن التاني والرابع")
    assert "الأرخص:" in joined(compared)
    assert ids_of(payloads(compared), "DETAILS") == [shown[1], shown[3]]


# ---- "it" after a price or details -----------------------------------------------------------


def test_take_it_after_a_price_means_that_product_with_its_size(fb, services) -> None:
    shown = ids_of(payloads(fb.say("عايز تيشيرت")), "DETAILS")
    second = services.store.product(shown[1])
    fb.say("التاني بكام")
    asked = fb.say("هاخده")
    assert any(p.startswith(f"ADD:{second.id}:") for p in payloads(asked))      # the size of *that* one
    product = _sized(services, shown, "L")
    fb.press(f"DETAILS:{product.id}")
    added = payloads(fb.say("حطه في السلة مقاس L"))
    assert f"ADD:{product.id}:L:{product.colors[0]}" in added                    # the size kept, colour asked


# ---- typed answers to the bot's own questions ----------------------------------------------------


def test_a_typed_size_and_a_quantity_answer_the_question(fb, services) -> None:
    jeans = next(p for p in services.store.search("", filters=SearchFilters(item="jeans", in_stock=True)).products
                 if "32" in p.sizes and p.stock_quantity >= 3)
    fb.press(f"DETAILS:{jeans.id}")
    fb.press(f"ADD:{jeans.id}")                                    # "اختار مقاس ..."
    answered = fb.say("٣٢")
    assert joined(answered).startswith("اختار لون")
    assert f"ADD:{jeans.id}:32:{jeans.colors[0]}" in payloads(answered)
    fb.press(f"DETAILS:{jeans.id}")                                # "تحب تضيفه للسلة؟" and the sizes shown
    assert f"ADD:{jeans.id}:32:{jeans.colors[0]}" in payloads(fb.say("32"))
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    fb.say("هاخد ٣ منه")
    fb.tap(f"ADD:{product.id}:{product.sizes[0]}:")
    done = joined(fb.tap(f"ADD:{product.id}:{product.sizes[0]}:{product.colors[0]}"))
    assert f"٣ × {product.name_ar}" in done


def test_a_bare_number_while_sizes_are_asked_is_a_quantity(fb, services) -> None:
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    fb.press(f"ADD:{product.id}")
    asked_again = fb.say("٣")
    assert f"ADD:{product.id}:{product.sizes[0]}:" in payloads(asked_again)       # still the size, now for 3
    fb.tap(f"ADD:{product.id}:{product.sizes[0]}:")
    done = joined(fb.tap(f"ADD:{product.id}:{product.sizes[0]}:{product.colors[0]}"))
    assert f"٣ × {product.name_ar}" in done


@pytest.mark.parametrize("more", ["كمان", "في غيرهم؟", "more"])
def test_more_typed_shows_the_next_page_of_the_last_list(fb, services, more) -> None:
    first = ids_of(payloads(fb.press("CAT:men")), "DETAILS")
    second = fb.say(more)
    assert texts(second)[0] == "وده كمان 👇"
    assert ids_of(payloads(second), "DETAILS") and not set(first) & set(ids_of(payloads(second), "DETAILS"))


def test_remove_one_lowers_the_quantity_by_one(fb, services) -> None:
    product = hoodie(services)
    fill_cart(fb, product)
    fb.tap(f"ADD:{product.id}:{product.sizes[0]}:{product.colors[0]}")
    assert joined(fb.say("شيل واحد")).startswith(f"بقى عندك قطعة واحدة من {product.name_ar}")
    [line] = [x for x in _cart(services, "messenger", "psid-ctx")]
    assert line["quantity"] == 1


def _cart(services, platform: str, customer: str) -> list[dict]:
    return services.pipeline.sessions.load(platform, customer).get("cart", [])


# ---- elliptical follow-ups ---------------------------------------------------------------------


def test_a_governorate_alone_after_a_shipping_answer(wa, services) -> None:
    assert joined(wa.say("الشحن لاسكندرية بكام")).startswith("الشحن لمحافظة الإسكندرية")
    assert joined(wa.say("w aswan?")).startswith("الشحن لمحافظة أسوان بـ ١١٥ ج.م وبيوصل في ٤ لـ ٦ أيام شغل.")
    assert joined(wa.say("وإسكندرية؟")).startswith("الشحن لمحافظة الإسكندرية بـ ٧٥ ج.م")


def test_when_will_it_arrive_after_an_order(wa, services) -> None:
    _order(wa, services)
    [order] = services.orders.by_customer("whatsapp", "201001234599")
    answer = joined(wa.say("هيوصل امتى"))
    assert answer.startswith(f"طلبك {order.number} حالته: اتسجل وهيتأكد قريب، وبيوصل خلال ١ لـ ٢ يوم شغل")
    assert joined(wa.say("when will it arrive?")).startswith(f"طلبك {order.number} حالته:")


def _order(chat: Chat, services) -> None:
    fill_cart(chat, hoodie(services))
    chat.tap("CHECKOUT")
    for text in ("أحمد علي", "01001234567", "الجيزة"):
        chat.say(text)
    summary = chat.say(ADDRESS)
    confirm = next(p for p in payloads(summary) if p.startswith("CONFIRM:"))
    assert "طلبك اتأكد" in joined(chat.tap(confirm))


# ---- two questions in one message ---------------------------------------------------------------


def test_price_and_colours_in_one_question(fb, services) -> None:
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    answer = joined(fb.say("السعر والالوان ايه؟"))
    colours = "، ".join(texts_module.color("ar", c) for c in product.colors)
    assert answer.startswith(f"{product.name_ar}: ") and f"\nالألوان: {colours}" in answer


# ---- searches and "more" buttons -----------------------------------------------------------------


def test_a_search_without_filters_is_a_new_search_not_the_whole_catalog(fb, services) -> None:
    _scripted(services, {"عايز حاجة للبحر": Understood("search", {}), "ارخص": Understood("search", {})})
    everything = services.store.search("", limit=1).total
    fb.tap("OFFERS")
    answer = joined(fb.say("عايز حاجة للبحر"))
    assert answer.startswith("لقيتلك ") and texts_module.plural("ar", everything, "product") not in answer
    offers = ids_of(payloads(fb.tap("OFFERS")), "DETAILS")
    resorted = fb.say("ارخص")
    assert texts(resorted)[0] == "رتبتلك نفس المنتجات على حسب السعر 👇"
    cheap = ids_of(payloads(resorted), "DETAILS")
    assert sorted(cheap) == sorted(offers)
    prices = [services.store.product(i).final_price for i in cheap if services.store.product(i).in_stock]
    assert prices == sorted(prices)


def test_an_old_more_button_pages_its_own_list(fb, services) -> None:
    men = fb.press("CAT:men")
    old_more = next(p for p in payloads(men) if p.startswith("MORE:"))
    fb.press("CAT:women")
    page = fb.tap(old_more, "المزيد")
    second = services.store.search("", filters=SearchFilters(category="men"), limit=10,
                                   cursor=services.store.search("", filters=SearchFilters(category="men"),
                                                                limit=10).next_cursor)
    assert ids_of(payloads(page), "DETAILS") == [p.id for p in second.products]


# ---- numbers that are not product numbers -------------------------------------------------------


def test_a_number_is_a_product_number_only_when_the_message_says_so(fb, services) -> None:
    product = services.store.search("", limit=1).products[0]
    number = texts_module.number("ar", product.id)
    _scripted(services, {f"عمارة {number}": Understood("product_details", {"product_ref": product.id}),
                         f"منتج {number}": Understood("product_details", {"product_ref": product.id})})
    address = fb.say(f"عمارة {number}")
    assert not any(t.startswith(product.name_ar) for t in texts(address))
    assert joined(address).startswith("مفيش منتج قدامي دلوقتي")
    assert fb.say(f"منتج {number}")[1]["message"]["text"].startswith(product.name_ar)


# ---- checkout ----------------------------------------------------------------------------------


def test_checkout_phone_in_a_sentence_asides_and_one_explanation(wa, services) -> None:
    fill_cart(wa, hoodie(services))
    wa.tap("CHECKOUT")
    wa.say("أحمد علي")
    aside = joined(wa.say("الشحن بكام؟"))
    assert aside.startswith("الشحن على حسب المحافظة") and aside.endswith("نكمل الطلب: ابعتلي رقم موبايلك 🙂")
    assert joined(wa.say("رقمي 01012345678")).startswith("ساكن في أنهي محافظة؟")
    paying = wa.say("بتقبلوا فيزا؟")
    assert joined(paying).startswith("الدفع كاش عند الاستلام") and "GOV:giza" in payloads(paying)
    assert joined(wa.say("المريخ")).startswith("مش لاقي المحافظة دي 🙏")
    stuck = wa.say("زحل")
    assert joined(stuck) == "لسه مش لاقيها 🙏 اختار محافظتك من القايمة، ولو مش فيها اختار «محافظة تانية»."
    assert "GOV:other" in payloads(stuck)
    assert joined(wa.say("الجيزة")).startswith("الشحن لمحافظة الجيزة")


# ---- Franco-Arabic gets Arabic --------------------------------------------------------------------


def test_franco_gets_arabic_on_the_demo_store(wa, services) -> None:
    assert joined(wa.say("ezayak ya basha")).startswith("أهلاً وسهلاً")
    assert joined(wa.say("el shipping b kam")).startswith("أسعار الشحن:")
    assert joined(wa.say("3ayez jeans azra2")).startswith("لقيتلك")


def test_franco_gets_arabic_on_the_bww_store(bww_app) -> None:  # noqa: F811 (fixtures)
    services = bww_app.extensions["dukkan"]
    chat = Chat(bww_app.test_client(), services, "whatsapp", "201001234598")
    assert joined(chat.say("ezayak ya basha")).startswith("أهلاً وسهلاً")
    assert joined(chat.say("el shipping b kam")).startswith("أسعار الشحن:")
    assert joined(chat.say("3ayez bijama")).startswith(("لقيتلك", "ملقتش"))


def test_a_cart_line_never_passes_twenty_pieces(client, services) -> None:
    from bot.dialog.cart import MAX_QUANTITY

    customer = Chat(client, services, "whatsapp", "201001234598")
    product = next(p for p in services.store.backend._data["products"]
                   if int(p.get("stock_quantity") or 0) > 2 * MAX_QUANTITY and p.get("sizes") and p.get("colors"))
    size, color = product["sizes"][0], product["colors"][0]
    for _ in range(MAX_QUANTITY + 5):
        customer.press(f"ADD:{product['id']}:{size}:{color}")
    cart = services.pipeline.state.sessions.load("whatsapp", "201001234598").get("cart", [])
    assert sum(int(line.get("quantity", 0)) for line in cart) == MAX_QUANTITY


# ---- products named by their number without "رقم" ------------------------------------------------


def _of_item(services, item: str, *, colours: int = 1):
    """An in-stock product of ``item`` in at least ``colours`` colours and several sizes."""
    page = services.store.search("", filters=SearchFilters(item=item, in_stock=True), limit=50)
    return next(p for p in page.products if len(p.colors) >= colours and len(p.sizes) > 1 and p.stock_quantity > 3)


def test_an_item_and_its_number_name_that_product(fb, services) -> None:
    abaya, blouse = _of_item(services, "abaya"), _of_item(services, "blouse")
    number = texts_module.number("ar", abaya.id)
    _scripted(services, {
        f"العبايه {number}": Understood("search", {"item": "abaya"}),
        f"عايزه البلوزه رقم {blouse.id}": Understood("search", {"item": "blouse", "product_ref": blouse.id}),
        f"عباية تحت {abaya.id}": Understood("search", {"item": "abaya", "price_max": abaya.id}),
    })
    named = fb.say(f"العبايه {number}")
    assert any(t.startswith(abaya.name_ar) for t in texts(named)) and f"ADD:{abaya.id}" in payloads(named)
    assert fb.say(f"عايزه البلوزه رقم {blouse.id}")[1]["message"]["text"].startswith(blouse.name_ar)
    priced = fb.say(f"عباية تحت {abaya.id}")                                               # a price, not a product
    assert not any(t.startswith(abaya.name_ar) for t in texts(priced))
    assert not any(p.startswith(f"ADD:{abaya.id}") for p in payloads(priced))


def test_a_number_on_screen_or_compared_names_that_product(fb, services) -> None:
    first, second = [p for p in services.store.search("", filters=SearchFilters(item="jacket", in_stock=True),
                                                      limit=50).products if "XL" in p.sizes and len(p.colors) > 1][:2]
    _scripted(services, {
        f"المنتج {first.id} ولا {second.id} احسن؟": Understood("compare", {"product_ref": first.id}),
        f"خلاص هاخد {second.id} XL": Understood("cart_add", {"size": "XL"}),
    })
    compared = fb.say(f"المنتج {first.id} ولا {second.id} احسن؟")
    assert ids_of(payloads(compared), "DETAILS") == [first.id, second.id]
    taken = fb.say(f"خلاص هاخد {second.id} XL")
    assert any(p.startswith(f"ADD:{second.id}:XL:") for p in payloads(taken))              # its colour asked


# ---- what a question about a product asked is kept for the add ------------------------------------


def test_a_colour_asked_about_is_applied_when_the_product_is_added(fb, services) -> None:
    product = hoodie(services)
    colour = product.colors[1]
    _scripted(services, {
        f"المنتج {product.id} فيه {colour}؟":
            Understood("product_details", {"product_ref": product.id, "color": colour}),
        "تمام ضيفه": Understood("cart_add", {}),
    })
    fb.say(f"المنتج {product.id} فيه {colour}؟")
    asked = payloads(fb.say("تمام ضيفه"))
    assert f"ADD:{product.id}:{product.sizes[0]}:{colour}" in asked                        # the size asked, colour kept


# ---- a kids' size typed as an age ------------------------------------------------------------------


def test_a_size_typed_as_an_age_answers_the_size_question(fb, services) -> None:
    page = services.store.search("", filters=SearchFilters(category="kids", in_stock=True), limit=100)
    kids = next(p for p in page.products if "4Y" in p.sizes and "6Y" in p.sizes and len(p.colors) > 1
                and p.stock_quantity > 3)
    fb.press(f"DETAILS:{kids.id}")
    fb.press(f"ADD:{kids.id}")                                                              # "اختار مقاس ..."
    assert f"ADD:{kids.id}:4Y:{kids.colors[0]}" in payloads(fb.say("4 snin"))
    _scripted(services, {"هاتلي واحد مقاس ٦ سنين": Understood("cart_add", {"quantity": 1})})
    fb.press(f"DETAILS:{kids.id}")
    assert f"ADD:{kids.id}:6Y:{kids.colors[0]}" in payloads(fb.say("هاتلي واحد مقاس ٦ سنين"))


# ---- "more" at the end of a list, and after one product of it ---------------------------------------


def test_more_after_the_last_page_shows_similar_products_not_the_same(fb, services) -> None:
    filters = SearchFilters(item="belt", category="men")
    assert services.store.search("", filters=filters, limit=10).next_cursor is None        # one page
    _scripted(services, {"عايز حزام رجالي": Understood("search", {"item": "belt", "category": "men"})})
    first = ids_of(payloads(fb.say("عايز حزام رجالي")), "DETAILS")
    more = fb.say("more please")
    assert texts(more)[0] == texts_module.t("ar", "recommend.similar")
    shown = ids_of(payloads(more), "DETAILS")
    assert shown and not set(shown) & set(first)
    men = services.store.search("", filters=SearchFilters(category="men"), limit=len(first) + 10).products
    assert shown == [p.id for p in men if p.id not in first][:10]                          # the section, the rest


def test_more_after_a_price_from_the_list_pages_the_list(fb, services) -> None:
    first = ids_of(payloads(fb.press("CAT:men")), "DETAILS")
    _scripted(services, {"التالت بكام": Understood("price_inquiry", {"product_ref": "3"})})
    assert joined(fb.say("التالت بكام")).startswith(services.store.product(first[2]).name_ar)
    second = fb.say("كمان")
    assert texts(second)[0] == "وده كمان 👇" and not set(first) & set(ids_of(payloads(second), "DETAILS"))


# ---- an add that names no product ------------------------------------------------------------------


def test_an_add_naming_only_a_colour_asks_which_product_never_searches(fb, services) -> None:
    shown = ids_of(payloads(fb.press("CAT:men")), "DETAILS")
    _scripted(services, {"ضيف ٢ اسود": Understood("cart_add", {"quantity": 2, "color": "black"})})
    asked = fb.say("ضيف ٢ اسود")
    assert texts(asked) == [texts_module.t("ar", "ref.which")]
    assert ids_of(payloads(asked), "DETAILS") == shown[:10]                                # the ones on screen


# ---- a search whose words find nothing shows what its filters find ----------------------------------


def test_words_that_find_nothing_leave_the_filters(fb, services, monkeypatch) -> None:
    from dataclasses import replace

    real = services.store.search

    def words_find_nothing(query: str = "", **kwargs):
        page = real("", **kwargs)
        return replace(page, products=(), total=0, next_cursor=None) if query else page

    monkeypatch.setattr(services.store, "search", words_find_nothing)
    _scripted(services, {"عايز لبس لابني عنده ٦ سنين": Understood("search", {"category": "kids"})})
    found = fb.say("عايز لبس لابني عنده ٦ سنين")
    assert texts(found)[0].startswith("لقيتلك")
    assert all(services.store.product(i).category == "kids" for i in ids_of(payloads(found), "DETAILS"))


# ---- answers are named after their kind -------------------------------------------------------------


def test_store_information_and_arrival_answers_are_named_after_their_kind(wa, services) -> None:
    from tests.conversation_judge import Answer

    _scripted(services, {"المحل فين؟": Understood("store_info", {}), "هيوصل امتى": Understood("shipping_info", {})})
    assert Answer(wa.say("المحل فين؟")).kinds == {"store_info"}
    _order(wa, services)
    assert "order_status" in Answer(wa.say("هيوصل امتى")).kinds


def test_a_colour_alone_after_details_qualifies_that_kind_of_product(fb, services) -> None:
    blouse = _of_item(services, "blouse")
    colour = blouse.colors[0]
    _scripted(services, {"فيه منها كده؟": Understood("search", {"color": colour})})
    fb.press(f"DETAILS:{blouse.id}")
    shown = ids_of(payloads(fb.say("فيه منها كده؟")), "DETAILS")
    wanted = services.store.search("", filters=SearchFilters(item="blouse", color=colour), limit=10).products
    assert shown and shown == [p.id for p in wanted]                                       # blouses, not everything


# ---- after an add, an order shown, or with no order ------------------------------------------------


def test_continue_typed_after_an_add_starts_the_checkout(fb, services) -> None:
    from tests.conversation_judge import Answer

    _scripted(services, {})                                   # "اكمل" / "كمل تسوق" are not understood
    fill_cart(fb, hoodie(services))
    assert "checkout_step" not in Answer(fb.say("كمل تسوق")).kinds   # the other button: keep shopping
    assert "checkout_step" in Answer(fb.say("اكمل")).kinds


def test_cancel_it_after_an_order_is_shown_offers_to_cancel_that_order(wa, services) -> None:
    from tests.conversation_judge import Answer

    _order(wa, services)
    _scripted(services, {"طب عايزه الغيه": Understood("cart_remove", {})})   # the cart is empty now
    answer = wa.say("طب عايزه الغيه")
    assert Answer(answer).kinds == {"order_cancel"}
    assert any(p.startswith("CANCEL_ORDER:") for p in payloads(answer))


def test_cancel_it_after_the_bot_asked_for_an_order_reference_is_a_cancel(fb, services) -> None:
    from tests.conversation_judge import Answer

    _scripted(services, {"order 30412, where is it?": Understood("order_status", {}, "en")})
    fb.say("order 30412, where is it?")                       # not this chat's: the bot asks for its phone
    assert Answer(fb.say("I want to cancel it")).kinds == {"order_cancel"}


def test_a_change_with_no_open_order_is_answered_as_a_change(fb, services) -> None:
    from tests.conversation_judge import Answer

    _scripted(services, {"عايز اغير العنوان في الاوردر": Understood("order_change", {})})
    assert Answer(fb.say("عايز اغير العنوان في الاوردر")).kinds == {"order_change"}


# ---- one more product by its number, a colour asked about, a line named to remove -------------------


def test_and_also_a_product_by_its_number_adds_it(fb, services) -> None:
    from tests.conversation_judge import Answer

    first, blouse = hoodie(services), _of_item(services, "blouse", colours=2)
    colour = blouse.colors[0]
    said = f"وعايز كمان البلوزه رقم {blouse.id} {texts_module.color('ar', colour)}"
    _scripted(services, {said: Understood("search", {"item": "blouse", "color": colour, "product_ref": blouse.id}),
                         f"عايزه البلوزه رقم {blouse.id}":
                             Understood("search", {"item": "blouse", "product_ref": blouse.id})})
    fill_cart(fb, first)
    answer = Answer(fb.say(said))                   # GUIDE §3.7: choosing a product is an add
    assert "product" not in answer.kinds and "cart_add" in answer.kinds and blouse.id in answer.about
    assert "product" in Answer(fb.say(f"عايزه البلوزه رقم {blouse.id}")).kinds   # no "also": its details


def test_is_there_a_colour_after_details_asks_about_that_product(fb, services) -> None:
    from tests.conversation_judge import Answer

    blouse = _of_item(services, "blouse")
    colour = blouse.colors[0]
    _scripted(services, {"fe eswed?": Understood("search", {"color": colour}),
                         "فيه منها كده؟": Understood("search", {"color": colour})})
    fb.press(f"DETAILS:{blouse.id}")
    answer = Answer(fb.say("fe eswed?"))
    assert answer.kinds == {"product"} and answer.about == [blouse.id]
    fb.press(f"DETAILS:{blouse.id}")
    assert "products" in Answer(fb.say("فيه منها كده؟")).kinds              # more of that kind: a search


def test_remove_names_a_line_by_a_word_of_its_name(fb, services) -> None:
    first, second = hoodie(services), _of_item(services, "blouse")
    word = next(w for w in second.name_en.lower().replace("'", "").split() if len(w) > 3 and w not in
                first.name_en.lower() and w not in ("womens", "mens"))
    _scripted(services, {f"remove the {word}": Understood("cart_remove", {})})
    fill_cart(fb, first)
    fill_cart(fb, second)
    fb.say(f"remove the {word}")
    assert [line["product_id"] for line in _cart(services, fb.platform, fb.customer)] == [first.id]


# ---- setting the quantity of a cart line by text ------------------------------------------------


def _quantities(services, customer: str = "psid-ctx") -> dict[int, int]:
    return {int(line["product_id"]): int(line["quantity"]) for line in _cart(services, "messenger", customer)}


def test_make_them_n_sets_the_line_just_added_and_shows_the_cart(fb, services) -> None:
    product = hoodie(services, stock=6)
    fill_cart(fb, product)
    answer = fb.say("لا خليهم تلاتة")
    assert _quantities(services) == {product.id: 3}
    assert "CHECKOUT" in payloads(answer) and "CART_EDIT" in payloads(answer)      # the cart is shown after
    fb.say("make it 2")
    assert _quantities(services) == {product.id: 2}
    fb.say("khaleehom 0")                                                             # 0 removes the line
    assert _quantities(services) == {}


def test_set_quantity_never_passes_the_stock(fb, services) -> None:
    product = hoodie(services, stock=2, most=5)
    fill_cart(fb, product)
    fb.say(f"خليهم {product.stock_quantity + 1}")
    assert _quantities(services) == {product.id: 1}


def test_set_quantity_on_the_line_the_message_names(fb, services) -> None:
    first = hoodie(services)
    second = next(p for p in services.store.search("", filters=SearchFilters(in_stock=True), limit=300).products
                  if p.id != first.id and len(p.sizes) > 1 and len(p.colors) > 1 and p.stock_quantity >= 6
                  and p.item != first.item)
    fill_cart(fb, first)
    fill_cart(fb, second)
    word = next(w for w in first.name_ar.split() if len(w) >= 3 and w not in second.name_ar)
    fb.say(f"خلي ال{word} اتنين")
    assert _quantities(services) == {first.id: 2, second.id: 1}
    fb.say("actually 3 of them")                                                     # no name: the last added
    assert _quantities(services) == {first.id: 2, second.id: 3}


# ---- a number right after an item word is that item's product, not a size -------------------------


def test_an_item_word_and_a_number_it_has_no_size_of_is_the_product(fb, services) -> None:
    page = services.store.search("", filters=SearchFilters(item="bag", in_stock=True), limit=50)
    bag = next(p for p in page.products if str(p.id) not in p.sizes and p.id < 1000)
    product = hoodie(services)
    fill_cart(fb, product)
    said = f"w zawedy el shanta {bag.id}"
    _scripted(services, {said: Understood("cart_add", {"size": str(bag.id), "item": "bag"})})
    answer = fb.say(said)
    assert bag.id in _quantities(services) or any(p.startswith(f"ADD:{bag.id}") for p in payloads(answer))
    assert not any(p.startswith(f"ADD:{product.id}") for p in payloads(answer))
