"""Conversation II: cart, cash-on-delivery order, order status, store answers, hand-off.

Everything goes through signed webhook deliveries, the inbox, the real intent matcher, the dialog
and the renderers; what the customer gets is read from the console outbox.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import create_app
from bot.dialog.checkout import egyptian_mobile
from bot.store import SearchFilters
from tests.conftest import TEST_SECRET
from tests.factories import messenger, messenger_text, post_signed
from tests.test_conversation_kit import Chat, joined, payloads, texts

ADDRESS = "١٢ شارع عباس العقاد، مدينة نصر، الدور التالت"


@pytest.fixture
def fb(client, services) -> Chat:
    return Chat(client, services, "messenger", "psid-7")


@pytest.fixture
def wa(client, services) -> Chat:
    return Chat(client, services, "whatsapp", "201001234567")


def hoodie(services, stock: int = 6, most: int = 10_000):
    """An in-stock product with several sizes and colours and ``stock`` to ``most`` pieces."""
    page = services.store.search("", filters=SearchFilters(in_stock=True), limit=300)
    return next(p for p in page.products
                if len(p.sizes) > 1 and len(p.colors) > 1 and stock <= p.stock_quantity <= most)


def fill_cart(chat: Chat, product) -> list[dict]:
    """Details → add → size → colour, by button."""
    chat.press(f"DETAILS:{product.id}")
    asked_size = chat.press(f"ADD:{product.id}")
    assert f"ADD:{product.id}:{product.sizes[0]}:" in payloads(asked_size)
    asked_colour = chat.tap(f"ADD:{product.id}:{product.sizes[0]}:", product.sizes[0])
    assert f"ADD:{product.id}:{product.sizes[0]}:{product.colors[0]}" in payloads(asked_colour)
    return chat.tap(f"ADD:{product.id}:{product.sizes[0]}:{product.colors[0]}")


# ---- the whole order ----------------------------------------------------------------------------


def test_a_full_order_on_messenger_in_arabic(fb, services) -> None:
    product = hoodie(services)
    added = fill_cart(fb, product)
    assert joined(added).startswith("تمام ✅ ضفت ١ × ")
    assert payloads(added) == ["CHECKOUT", "CART", "MENU"]
    assert texts(fb.tap("CHECKOUT", "كمّل الطلب")) == ["يلا نكمل الطلب، الدفع كاش عند الاستلام 💵 الاسم بالكامل إيه؟"]
    assert texts(fb.say("أحمد علي")) == ["تمام يا أحمد 👌 رقم موبايلك إيه؟ (زي 01012345678)"]
    asked = fb.say("٠١٠٠ ١٢٣ ٤٥٦٧")
    assert asked[0]["message"]["text"] == "ساكن في أنهي محافظة؟ اختار أو اكتب اسمها 👇"
    assert payloads(asked)[:3] == ["GOV:cairo", "GOV:giza", "GOV:alexandria"] and payloads(asked)[-1] == "GOV:other"
    assert texts(fb.say("ساكن في مدينة نصر"))[0].startswith("الشحن لمحافظة القاهرة بـ ٦٥ ج.م")
    [summary] = fb.say(ADDRESS)
    template = summary["message"]["attachment"]["payload"]
    assert template["template_type"] == "button"
    total = product.final_price + (65 if product.final_price < 1500 else 0)
    assert "الاسم: أحمد علي" in template["text"] and "الموبايل: 01001234567" in template["text"]
    [confirm, edit, cancel] = [b["payload"] for b in template["buttons"]]
    assert confirm.startswith("CONFIRM:") and (edit, cancel) == ("EDIT", "CANCEL")
    done = joined(fb.press(confirm, "تأكيد ✅"))
    [order] = services.orders.by_customer("messenger", "psid-7")
    assert done.startswith(f"طلبك اتأكد 🎉 رقم الطلب: {order.number}")
    assert (order.name, order.phone, order.governorate, order.address) == ("أحمد علي", "01001234567", "cairo", ADDRESS)
    assert order.total == total and order.status == "new"
    assert order.items == ({"product_id": product.id, "name": product.name_ar, "size": product.sizes[0],
                            "color": product.colors[0], "quantity": 1, "unit_price": product.final_price},)
    assert texts(fb.tap("CART")) and "السلة فاضية" in joined(fb.sent() or fb.tap("CART"))


def test_a_full_order_on_whatsapp_in_english_with_the_customers_own_number(wa, services) -> None:
    product = hoodie(services)
    wa.say("hello")                                         # English from now on
    fill_cart(wa, product)
    assert texts(wa.tap("CHECKOUT")) == ["Let's place your order, cash on delivery 💵 What's your full name?"]
    [ask_phone] = wa.say("Mona Hassan")
    assert ask_phone["interactive"]["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "PHONE:01001234567", "title": "Use 01001234567"}}]
    governorates = wa.tap("PHONE:01001234567", "Use 01001234567")
    assert governorates[0]["interactive"]["type"] == "list"
    assert "Alexandria" in [r["title"] for r in governorates[0]["interactive"]["action"]["sections"][0]["rows"]]
    assert texts(wa.press("GOV:alexandria", "Alexandria"))[0].startswith("Shipping to Alexandria is 75 EGP")
    summary = wa.say("5 Fouad Street, Raml Station, flat 4")
    assert summary[0]["interactive"]["type"] == "button"
    confirm = next(p for p in payloads(summary) if p.startswith("CONFIRM:"))
    assert "Total:" in joined(summary) and "Mobile: 01001234567" in joined(summary)
    assert joined(wa.tap(confirm, "Confirm ✅")).startswith("Your order is confirmed 🎉 Order number: DK-")
    [order] = services.orders.by_customer("whatsapp", "201001234567")
    assert order.governorate == "alexandria" and order.lang == "en" and order.phone == "01001234567"


# ---- validation, cancel, edit ------------------------------------------------------------------


def test_every_step_re_asks_kindly(fb, services) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    assert texts(fb.say("احمد 2020")) == ["محتاج الاسم بالحروف بس، زي «أحمد محمد» 🙏"]
    fb.say("Ahmed Ali")
    assert texts(fb.say("0123")) == ["الرقم ده مش مظبوط 🙏 لازم يكون رقم موبايل مصري من 11 رقم، "
                                     "يبدأ بـ 010 أو 011 أو 012 أو 015."]
    for wrong in ("01312345678", "0100123456789", "+44 20 7946 0958"):     # explained once, then help
        again = fb.say(wrong)
        assert texts(again) == ["لسه مش مظبوطة 🙏 جرّب تاني، أو خلّي حد من الفريق يكمّل معاك الطلب."]
        assert payloads(again) == ["HUMAN", "CANCEL"]
    fb.say("+20 112 345 6789")
    assert texts(fb.say("المريخ"))[0].startswith("مش لاقي المحافظة دي 🙏")
    fb.tap("GOV:giza", "الجيزة")
    assert texts(fb.say("هنا")) == ["العنوان قصير شوية 🙏 اكتبه بالتفصيل: المنطقة والشارع ورقم العمارة."]
    summary = joined(fb.say("٣ شارع الهرم، الدور الأول"))
    assert "الموبايل: 01123456789" in summary and "الشحن (الجيزة)" in summary


@pytest.mark.parametrize("typed, phone", [
    ("01012345678", "01012345678"), ("٠١٢٢٣٤٥٦٧٨٩", "01223456789"), ("+201512345678", "01512345678"),
    ("00201112345678", "01112345678"), ("010-1234-5678", "01012345678"), ("201012345678", "01012345678"),
    ("01412345678", ""), ("0101234567", ""), ("phone", ""),
])
def test_egyptian_mobile_numbers(typed: str, phone: str) -> None:
    assert egyptian_mobile(typed) == phone


def test_cancel_in_the_middle_keeps_the_cart(fb, services) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    fb.say("سارة محمود")
    assert texts(fb.say("الغي")) == ["تمام، لغيت الطلب. السلة لسه محفوظة لو حبيت ترجعلها 🛒"]
    assert "١ ×" in joined(fb.tap("CART"))
    fb.tap("CHECKOUT")
    fb.say("Sara Mahmoud")
    fb.say("01001234567")
    assert texts(fb.say("cancel"))[0].startswith("تمام، لغيت الطلب")
    assert services.orders.list() == []


def test_edit_from_the_summary_comes_back_to_it(fb, services) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    for text in ("منى حسن", "01001234567", "اسكندرية", "٥ شارع فؤاد، محطة الرمل"):
        fb.say(text)
    assert payloads(fb.press("EDIT", "تعديل")) == ["EDIT:name", "EDIT:phone", "EDIT:governorate", "EDIT:address"]
    fb.tap("EDIT:phone", "الموبايل")
    summary = joined(fb.say("01223456789"))
    assert summary.startswith("راجع طلبك:") and "الموبايل: 01223456789" in summary


# ---- idempotency, order, restart -------------------------------------------------------------


def test_a_confirmation_delivered_twice_is_one_order(fb, services, client) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    for text in ("أحمد علي", "01001234567", "القاهرة"):
        fb.say(text)
    confirm = next(p for p in payloads(fb.say(ADDRESS)) if p.startswith("CONFIRM:"))
    delivery = messenger("psid-7", {"postback": {"mid": "m_confirm", "title": "تأكيد", "payload": confirm}})
    fb.post(delivery)
    fb.post(delivery)                                       # Meta retries the same delivery
    again = fb.press(confirm, "تأكيد ✅")                  # and the customer taps it once more
    [order] = services.orders.list()
    assert joined(again) == f"طلبك متأكد خلاص ✅ رقمه {order.number}."


def test_two_quick_messages_are_answered_in_order(fb, services, client) -> None:
    post_signed(client, messenger_text("psid-7", "عايز هودي"), TEST_SECRET)
    post_signed(client, messenger_text("psid-7", "شكرا"), TEST_SECRET)
    services.workers.drain()
    said = texts(fb.sent())
    assert said[0].startswith("لقيتلك") and said[-1] == "العفو، تحت أمرك في أي وقت 🌷"


def test_orders_survive_a_restart(settings, fb, services) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    for text in ("أحمد علي", "01001234567", "الجيزة"):
        fb.say(text)
    confirm = next(p for p in payloads(fb.say(ADDRESS)) if p.startswith("CONFIRM:"))
    fb.press(confirm)
    [order] = services.orders.list()
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    restarted = create_app(overrides, start_workers=False)
    try:
        again = restarted.extensions["dukkan"]
        chat = Chat(restarted.test_client(), again, "messenger", "psid-7")
        chat.sent()                                          # what was said before the restart
        assert joined(chat.tap("ORDER_STATUS")).startswith(f"طلب {order.number}: اتسجل وهيتأكد قريب")
        again.orders.set_status(order.number, "shipped")
        stranger = Chat(restarted.test_client(), again, "whatsapp", "201009999999")
        assert order.number not in joined(stranger.say(f"اوردر رقم {order.number[3:]} فين"))
        stranger.tap("ORDER_STATUS")
        assert order.number not in joined(stranger.say("01001234567"))
        shown = joined(stranger.say(f"اوردر رقم {order.number[3:]} والموبايل 01001234567"))
        assert shown.startswith(f"طلب {order.number}: اتشحن")
    finally:
        restarted.extensions["dukkan"].workers.stop()


# ---- stock -----------------------------------------------------------------------------------


def test_stock_is_checked_before_adding_and_before_the_order(fb, services, monkeypatch) -> None:
    product = hoodie(services)
    fill_cart(fb, product)
    live = services.store.product
    monkeypatch.setattr(services.store, "product",
                        lambda pid, lang=None: replace(live(pid, lang), stock_quantity=0) if pid == product.id
                        else live(pid, lang))
    assert "خلصان" in joined(fb.press(f"ADD:{product.id}"))
    fb.tap("CHECKOUT")
    for text in ("أحمد علي", "01001234567", "القاهرة"):
        fb.say(text)
    confirm = next(p for p in payloads(fb.say(ADDRESS)) if p.startswith("CONFIRM:"))
    refused = joined(fb.press(confirm))
    assert refused.startswith("في حاجة اتغيرت في المخزن") and "خلصان، شلته" in refused
    assert services.orders.list() == []


def test_cart_quantity_and_remove(fb, services) -> None:
    product = hoodie(services, stock=3, most=15)
    fill_cart(fb, product)
    key = f"{product.id}:{product.sizes[0]}:{product.colors[0]}"
    assert f"QTY:{key}:2" in payloads(fb.tap("CART_EDIT"))
    assert "٢ ×" in joined(fb.tap(f"QTY:{key}:2"))
    too_many = joined(fb.tap(f"QTY:{key}:{product.stock_quantity + 1}"))
    assert f"المتاح من {product.name_ar}" in too_many
    assert joined(fb.tap(f"REMOVE:{key}")).startswith(f"شلت {product.name_ar} من السلة.")
    assert joined(fb.tap(f"REMOVE:{key}")).startswith("المنتج ده مش في السلة.")     # a stale button


def test_a_typed_add_with_size_and_quantity(fb, services) -> None:
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    asked = fb.say("هاخد ٢ من ده")
    assert f"ADD:{product.id}:{product.sizes[-1]}:" in payloads(asked)
    fb.say("مقاس " + product.sizes[-1])
    added = joined(fb.tap(f"ADD:{product.id}:{product.sizes[-1]}:{product.colors[0]}"))
    assert added.startswith(f"تمام ✅ ضفت ٢ × {product.name_ar}")


# ---- store answers ------------------------------------------------------------------------------


def test_shipping_payment_returns_and_sizes(fb, wa) -> None:
    assert joined(wa.say("sha7n l alex b kam")).startswith("الشحن لمحافظة الإسكندرية بـ ٧٥ ج.م")
    assert "أسعار الشحن:" in joined(fb.tap("SHIPPING"))
    payment = joined(fb.say("فودافون كاش متاح؟"))
    assert "فودافون كاش" in payment and "إنستاباي" in payment and "الدفع عند الاستلام" in payment
    assert joined(fb.say("سياسة الاسترجاع عندكم ايه؟")).startswith("الاستبدال خلال ١٤ يوم")
    assert joined(fb.say("طولي ١٧٨ ووزني ٨٥ اخد مقاس ايه")).startswith("على حسب الجدول، المقاس المناسب ليك غالباً XL")
    chart = joined(fb.say("عندكم جدول مقاسات؟"))
    assert "جدول المقاسات" in chart and "M: وزن" in chart


# ---- hand-off ---------------------------------------------------------------------------------


def test_silence_during_a_hand_off_and_answers_after_release(fb, services) -> None:
    fb.say("عايز هودي")
    said = texts(fb.say("عايز اكلم حد"))
    assert said[0].startswith("تمام، حوّلتك لحد من الفريق")
    [handoff] = services.handoffs.list_open()
    assert handoff["customer_id"] == "psid-7" and handoff["context"]["query"] == "عايز هودي"
    assert handoff["context"]["lang"] == "ar"
    assert fb.say("في حد هنا؟") == [] and fb.tap("MENU") == []
    services.handoffs.release("messenger", "psid-7")
    assert texts(fb.say("شكرا")) == ["العفو، تحت أمرك في أي وقت 🌷"]


def test_messenger_passes_thread_control_to_the_page_inbox(tmp_path, settings) -> None:
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    app = create_app(overrides | {"messenger_inbox_app_id": "263902037430900"}, start_workers=False)
    try:
        services = app.extensions["dukkan"]
        chat = Chat(app.test_client(), services, "messenger", "psid-9")
        rows = services.pipeline.outbox.conversation("messenger", "psid-9")
        assert rows == []
        chat.tap("HUMAN", "كلم حد من الفريق")
        staged = services.pipeline.outbox.conversation("messenger", "psid-9")
        assert staged[-1]["kind"] == "handover"
        assert staged[-1]["body"]["target_app_id"] == "263902037430900"
        assert chat.say("الو") == []
        back = messenger("psid-9", {"pass_thread_control": {"new_owner_app_id": "123", "metadata": "done"}})
        chat.post(back)                                      # the Page Inbox passes the thread back
        assert texts(chat.say("شكرا")) == ["العفو، تحت أمرك في أي وقت 🌷"]
        taken = messenger("psid-9", {"take_thread_control": {"previous_owner_app_id": "123", "metadata": ""}})
        chat.post(taken)
        assert chat.say("الو") == []
    finally:
        app.extensions["dukkan"].workers.stop()


def test_a_hand_off_expires(fb, services) -> None:
    fb.tap("HUMAN")
    assert fb.say("الو") == []
    services.handoffs.timeout_s = -1                         # as if the configured time had passed
    assert texts(fb.say("شكرا")) == ["العفو، تحت أمرك في أي وقت 🌷"]


def test_whatsapp_hand_off_sends_no_handover_request(wa, services) -> None:
    replies = wa.say("عايز اكلم حد")
    assert [b["type"] for b in replies] == ["text"]
    assert services.handoffs.active("whatsapp", "201001234567")
    assert wa.say("hello?") == []


# ---- yes, no and cancel at the confirm step ----------------------------------------------------


def to_summary(chat: Chat, services) -> list[dict]:
    """A cart, then every checkout step typed, up to the summary with its confirm button."""
    fill_cart(chat, hoodie(services))
    chat.tap("CHECKOUT")
    for text in ("أحمد علي", "01001234567", "القاهرة"):
        chat.say(text)
    return chat.say(ADDRESS)


@pytest.mark.parametrize("said", ["مش تمام", "لا مش موافق", "not ok", "لا استنى، مش اكيد", "no", "don't confirm",
                                  "ماش تمام"])
def test_a_no_at_the_confirm_step_places_no_order(fb, services, said) -> None:
    to_summary(fb, services)
    answer = joined(fb.say(said))
    assert answer.startswith("دوس «تأكيد» لو كله تمام") and "راجع طلبك:" in answer
    assert services.orders.list() == []
    assert any(p.startswith("CONFIRM:") for p in payloads(fb.say("مش موافق")))


@pytest.mark.parametrize("said", ["تمام", "أيوه أكد", "ok confirm", "تمام كده ✅"])
def test_a_short_yes_at_the_confirm_step_places_the_order(fb, services, said) -> None:
    to_summary(fb, services)
    assert joined(fb.say(said)).startswith("طلبك اتأكد 🎉")
    assert len(services.orders.list()) == 1


@pytest.mark.parametrize("said", ["لا مش عايز الغي", "don't cancel", "مش هلغي لا"])
def test_a_negated_cancel_keeps_the_checkout(fb, services, said) -> None:
    to_summary(fb, services)
    answer = joined(fb.say(said))
    assert "لغيت الطلب" not in answer and "راجع طلبك:" in answer
    confirm = next(p for p in payloads(fb.sent() or fb.tap("CHECKOUT")) if p.startswith("CONFIRM:"))
    assert joined(fb.press(confirm)).startswith("طلبك اتأكد 🎉")


def test_no_then_cancel_cancels(fb, services) -> None:
    to_summary(fb, services)
    assert texts(fb.say("لا خلاص الغي الطلب"))[0].startswith("تمام، لغيت الطلب")
    assert services.orders.list() == []


# ---- the name step ---------------------------------------------------------------------------------

AGAIN = "نكمل الطلب: اكتبلي اسمك بالكامل 🙂"


@pytest.mark.parametrize("said, answer", [
    ("الشحن بكام", "الشحن على حسب المحافظة، وهقولك سعره ومدته بالظبط لما نوصل لخطوة المحافظة 👌"),
    ("الشحن لاسكندرية بكام", "الشحن لمحافظة الإسكندرية بـ ٧٥ ج.م وبيوصل في ٢ لـ ٣ أيام شغل."),
    ("بتقبلوا فودافون كاش", "الدفع كاش عند الاستلام 💵 بتدفع للمندوب لما الطلب يوصلك."),
    ("ينفع ارجع المنتج", "الاستبدال خلال ١٤ يوم والاسترجاع خلال ١٤ يوم من الاستلام."),
    ("عايز هودي كمان", "خلينا نخلص الطلب الأول وبعدها أساعدك في أي حاجة 🙏 ولو حابب توقفه اكتب «الغي»."),
    ("ده هيوصل امتى؟", "الشحن على حسب المحافظة، وهقولك سعره ومدته بالظبط لما نوصل لخطوة المحافظة 👌"),
    ("عندكم مقاس XL؟", "خلينا نخلص الطلب الأول وبعدها أساعدك في أي حاجة 🙏 ولو حابب توقفه اكتب «الغي»."),
])
def test_a_question_at_the_name_step_is_answered_and_the_name_asked_again(fb, services, said, answer) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    assert texts(fb.say(said)) == [f"{answer}\n{AGAIN}"]
    assert texts(fb.say("Rose Adel")) == ["تمام يا Rose 👌 رقم موبايلك إيه؟ (زي 01012345678)"]
    for text in ("01001234567", "القاهرة"):
        fb.say(text)
    assert "الاسم: Rose Adel" in joined(fb.say(ADDRESS))


# ---- the confirm button confirms the order it showed ------------------------------------------------

CHANGED = "طلبك اتغير من آخر مرة 🙏 راجعه تاني ودوس «تأكيد» لو كله تمام."


def _another(services, first):
    page = services.store.search("", filters=SearchFilters(in_stock=True), limit=300)
    return next(p for p in page.products if p.id != first.id and len(p.sizes) > 1 and len(p.colors) > 1
                and p.stock_quantity >= 6)


@pytest.mark.parametrize("confirm_by", ["button", "typed"])
def test_an_add_at_the_confirm_step_gets_a_new_summary_not_an_order(fb, services, confirm_by) -> None:
    first = hoodie(services)
    old = next(p for p in payloads(to_summary(fb, services)) if p.startswith("CONFIRM:"))
    second = _another(services, first)
    fill_cart(fb, second)                                   # an ADD pressed with the summary on screen
    again = fb.press(old, "تأكيد ✅") if confirm_by == "button" else fb.say("تمام")
    assert joined(again).startswith(CHANGED) and second.name_ar in joined(again)
    assert services.orders.list() == []
    new = next(p for p in payloads(again) if p.startswith("CONFIRM:"))
    assert new != old and new.split(":")[1] == old.split(":")[1]      # the same checkout, another digest
    assert joined(fb.press(new, "تأكيد ✅")).startswith("طلبك اتأكد 🎉")
    [order] = services.orders.list()
    assert [item["product_id"] for item in order.items] == [first.id, second.id]


# ---- what real customers type at each step ------------------------------------------------------


def checkout_started(chat: Chat, services) -> None:
    fill_cart(chat, hoodie(services))
    chat.tap("CHECKOUT")


@pytest.mark.parametrize("said", ["ماشي", "اه", "آه", "ايوه", "أيوة", "تمام كده", "خلاص", "تم", "اكد", "أكد الطلب",
                                  "confirm", "yes", "yep", "yeah", "ok", "okay", "sure", "tamam", "mashy", "ah",
                                  "aywa", "تمام يا باشا 👍", "اكد الطلب كده", "Yes please", "ايوه يا باشا اكد 👍"])
def test_the_ways_customers_say_yes_at_the_summary(fb, services, said) -> None:
    to_summary(fb, services)
    assert joined(fb.say(said)).startswith("طلبك اتأكد 🎉")
    assert len(services.orders.list()) == 1


@pytest.mark.parametrize("said", ["لا", "استنى", "استني لحظة"])
def test_a_plain_no_at_the_summary_shows_it_again(fb, services, said) -> None:
    to_summary(fb, services)
    answer = joined(fb.say(said))
    assert answer.startswith("دوس «تأكيد» لو كله تمام") and services.orders.list() == []


@pytest.mark.parametrize("said, step, asked", [
    ("عدل العنوان", "address", "اكتبلي العنوان بالتفصيل"),
    ("لا غير الرقم", "phone", "تمام يا أحمد 👌 رقم موبايلك"),
    ("تمام بس عايز اغير العنوان للشغل", "address", "اكتبلي العنوان بالتفصيل"),
    ("الاسم غلط", "name", "الاسم بالكامل إيه؟"),
    ("change the governorate", "governorate", "ساكن في أنهي محافظة؟"),
])
def test_a_change_asked_at_the_summary_goes_to_that_step(fb, services, said, step, asked) -> None:
    to_summary(fb, services)
    assert joined(fb.say(said)).startswith(asked)
    assert services.orders.list() == [] and checkout_of(services, "messenger", "psid-7")["step"] == step


def checkout_of(services, platform: str, customer: str) -> dict:
    return services.pipeline.sessions.load(platform, customer).get("checkout") or {}


@pytest.mark.parametrize("said, name", [
    ("الاسم: محمد علي", "محمد علي"), ("اسمي محمد علي.", "محمد علي"), ("انا منى حسن", "منى حسن"),
    ("my name is Mona Hassan", "Mona Hassan"), ("esmy Mona Hassan", "Mona Hassan"), ("ana Mona Hassan!", "Mona Hassan"),
    ("محمد علي 🙏", "محمد علي"), ("Name: Sara Adel", "Sara Adel"),
])
def test_the_name_step_strips_lead_ins_and_punctuation(fb, services, said, name) -> None:
    checkout_started(fb, services)
    assert texts(fb.say(said))[0].startswith(f"تمام يا {name.split()[0]} 👌")
    assert checkout_of(services, "messenger", "psid-7")["name"] == name


@pytest.mark.parametrize("said", ["123", "اسمي", "عايز هودي"])
def test_a_message_that_is_not_a_name_is_refused(fb, services, said) -> None:
    checkout_started(fb, services)
    answer = joined(fb.say(said))
    assert "تمام يا" not in answer and checkout_of(services, "messenger", "psid-7")["step"] == "name"


@pytest.mark.parametrize("said",
                         ["محمد علي 01012345678", "اسمي محمد علي ورقمي ٠١٠١٢٣٤٥٦٧٨", "محمد علي - 0101 234 5678"])
def test_a_name_and_a_phone_in_one_message(fb, services, said) -> None:
    checkout_started(fb, services)
    assert texts(fb.say(said))[0] == "ساكن في أنهي محافظة؟ اختار أو اكتب اسمها 👇"
    saved = checkout_of(services, "messenger", "psid-7")
    assert (saved["name"], saved["phone"], saved["step"]) == ("محمد علي", "01012345678", "governorate")


def test_a_phone_governorate_and_address_in_one_message(fb, services) -> None:
    checkout_started(fb, services)
    fb.say("محمد علي")
    summary = joined(fb.say("01012345678 القاهرة، ١٢ شارع عباس العقاد مدينة نصر"))
    assert summary.startswith("راجع طلبك:") and "الموبايل: 01012345678" in summary and "الشحن (القاهرة)" in summary
    assert "العنوان: القاهرة، ١٢ شارع عباس العقاد مدينة نصر" in summary


def test_everything_in_one_message_at_the_name_step(fb, services) -> None:
    checkout_started(fb, services)
    summary = joined(fb.say("محمد علي 01012345678 الجيزة ٣ شارع الهرم الدور الأول"))
    assert summary.startswith("راجع طلبك:") and "الاسم: محمد علي" in summary and "الشحن (الجيزة)" in summary
    assert "العنوان: الجيزة ٣ شارع الهرم الدور الأول" in summary


def test_a_governorate_and_address_in_one_message(fb, services) -> None:
    checkout_started(fb, services)
    fb.say("محمد علي")
    fb.say("01012345678")
    summary = joined(fb.say("اسكندرية ٥ شارع فؤاد محطة الرمل"))
    assert summary.startswith("راجع طلبك:") and "الشحن (الإسكندرية)" in summary


@pytest.mark.parametrize("said", ["رقمي ٠١٠١٢٣٤٥٦٧٨", "my number is +20 101 234 5678", "raqmy 0020 101-234-5678",
                                  "٠١٠ ١٢٣٤ ٥٦٧٨", "رقمي هو 010-1234-5678 🙏"])
def test_the_phone_step_reads_numbers_in_sentences(fb, services, said) -> None:
    checkout_started(fb, services)
    fb.say("محمد علي")
    assert texts(fb.say(said))[0] == "ساكن في أنهي محافظة؟ اختار أو اكتب اسمها 👇"
    assert checkout_of(services, "messenger", "psid-7")["phone"] == "01012345678"


@pytest.mark.parametrize("said, governorate", [
    ("القاهره الجديده", "القاهرة"), ("اسكندريه", "الإسكندرية"), ("6 اكتوبر", "الجيزة"), ("ساكن في التجمع", "القاهرة"),
    ("الشيخ زايد", "الجيزة"), ("اسكندريا", "الإسكندرية"),
])
def test_the_governorate_step_knows_cities_and_districts(fb, services, said, governorate) -> None:
    checkout_started(fb, services)
    fb.say("محمد علي")
    fb.say("01012345678")
    assert texts(fb.say(said))[0].startswith(f"الشحن لمحافظة {governorate} بـ")


@pytest.mark.parametrize("said", ["عمارة ٧ الدور التالت شارع التحرير", "شارع ٩ المعادي عمارة ٣ شقة ٢",
                                  "التالت على اليمين، ١٥ شارع مصدق الدقي", "برج 12 الدور 5 شارع جامعة الدول",
                                  "رقم ٧ شارع النصر الدور التالت"])
def test_an_address_with_numbers_is_never_a_product_or_a_list_position(fb, services, said) -> None:
    fb.say("عايز هودي")                                  # a list on screen
    checkout_started(fb, services)
    for text in ("محمد علي", "01012345678", "القاهرة"):
        fb.say(text)
    summary = joined(fb.say(said))
    assert summary.startswith("راجع طلبك:") and f"العنوان: {said}" in summary


# ---- free shipping has its own sentences; a formal yes confirms -------------------------------------


def test_free_shipping_lines_are_checkout_steps_of_their_own() -> None:
    from bot.dialog import texts as T
    from tests.conversation_judge import keys_in, kinds_of_key

    for lang in ("ar", "en"):
        asked = T.t(lang, "checkout.ask_address_free", governorate="Giza", days="2")
        assert keys_in(asked) == ["checkout.ask_address_free"]
        assert "checkout_step" in kinds_of_key("checkout.ask_address_free")
        summary = T.t(lang, "checkout.summary_free", lines="- x: 1 × " + T.price(lang, 1899),
                      subtotal=T.price(lang, 1899), governorate="Giza", total=T.price(lang, 1899),
                      name="A", phone="0100", address="12 St")
        assert keys_in(summary) == ["checkout.summary_free"]


@pytest.mark.parametrize("typed", ["نعم، أؤكد الطلب", "نعم", "تمام موافقة"])
def test_a_formal_yes_confirms(typed: str) -> None:
    from bot.dialog.checkout import is_yes

    assert is_yes(typed)
