"""The conversation keeps its context (issue 12, part 5): the last list, the product just discussed, the
question the bot asked and the last topic decide what a short or elliptical message means."""

from __future__ import annotations

from bot.dialog.browse import asks_price_and_more
from bot.dialog.governorates import without_to
from tests.dialog.chats import answer, cart_of, scripted
from tests.test_checkout import ADDRESS, fill_cart, hoodie
from tests.test_conversation_kit import Understood, ids_of, payloads


def test_a_product_named_by_words_of_its_own_name_in_the_last_list_is_that_product(fb, services) -> None:
    scripted(services, {
        "بيجامات بناتي": Understood("search", {"item": "pajamas", "category": "kids"}),
        "طب بيجامة بينك كيتي فيها رمادي؟": Understood("search", {"item": "pajamas"}),
        "عايز بيجامة قطن": Understood("search", {"item": "pajamas"}),
    })
    shown = ids_of(payloads(fb.say("بيجامات بناتي")), "DETAILS")
    kitty = next(pid for pid in shown if "كيتي" in services.store.product(pid).name_ar)
    asked = answer(fb, "طب بيجامة بينك كيتي فيها رمادي؟")
    assert asked.kinds == {"product"} and asked.about == [kitty]
    # A material many products share names none of them: a new search.
    assert "products" in answer(fb, "عايز بيجامة قطن").kinds


def test_a_colour_said_with_the_product_rides_on_its_add_button_and_the_size_then_adds_it(fb, services) -> None:
    product = hoodie(services)
    colour, size = product.colors[1], product.sizes[1]
    said = f"عايز المنتج {product.id} {colour}"
    scripted(services, {said: Understood("product_details", {"product_ref": product.id, "color": colour})})
    details = answer(fb, said)
    assert details.kinds == {"product"} and f"ADD:{product.id}::{colour}" in payloads(details.bodies)
    fb.say(size)                                              # the size alone, right after its details
    [line] = cart_of(fb)
    assert (line["product_id"], line["size"], line["color"]) == (product.id, size, colour)


def test_a_change_follow_up_after_an_order_change_answer_stays_an_order_change(fb, services) -> None:
    follow_up = "ولو عايز اغير المقاس لXL ينفع؟"
    scripted(services, {"عايز اغير العنوان في الاوردر": Understood("order_change"),
                        follow_up: Understood("returns_policy", {"size": "XL"}),
                        "الشحن بكام": Understood("shipping_info")})
    assert answer(fb, "عايز اغير العنوان في الاوردر").kinds == {"order_change"}
    assert answer(fb, follow_up).kinds == {"order_change"}
    fb.say("الشحن بكام")                                        # another topic: the same words are a returns question
    assert answer(fb, follow_up).kinds == {"returns"}


def test_a_size_the_product_does_not_come_in_answers_the_size_question_with_the_sizes_again(fb, services) -> None:
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    fb.press(f"ADD:{product.id}")                             # which size?
    scripted(services, {})
    again = answer(fb, "99")
    assert "cart.bad_option" in again.keys
    assert f"ADD:{product.id}:{product.sizes[0]}:" in payloads(again.bodies) and cart_of(fb) == []


def test_finishing_the_order_while_a_size_is_asked_asks_it_again(fb, services) -> None:
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    fb.press(f"ADD:{product.id}")
    scripted(services, {"اكمل الطلب": Understood("checkout")})
    again = answer(fb, "اكمل الطلب")
    assert "cart.ask_size" in again.keys and f"ADD:{product.id}:{product.sizes[0]}:" in payloads(again.bodies)


def test_more_after_every_product_of_one_item_was_shown_brings_similar_ones(fb, services) -> None:
    scripted(services, {"كاب": Understood("search", {"item": "cap"})})
    shown = ids_of(payloads(fb.say("كاب")), "DETAILS")
    assert 0 < len(shown) < 10
    more = answer(fb, "كمان")
    assert "recommend.similar" in more.keys and more.listed and not set(more.listed) & set(shown)


def test_a_governorate_written_with_to_is_that_governorate(fb, services) -> None:
    assert without_to("كام يوم التوصيل للجيزة؟") == "كام يوم التوصيل الجيزه"
    scripted(services, {"كام يوم التوصيل للجيزة؟": Understood("shipping_info")})
    asked = answer(fb, "كام يوم التوصيل للجيزة؟")
    assert asked.keys[0] == "shipping.one" and "الجيزة" in asked.texts[0]


def test_price_and_sizes_in_one_message_are_both_answered() -> None:
    assert asks_price_and_more("السعر والمقاسات ايه؟") and asks_price_and_more("بكام والالوان ايه")
    assert asks_price_and_more("b kam w el alwan") and asks_price_and_more("price and colours?")
    assert not asks_price_and_more("المنتج ٢٦١ بيجي بكام لون؟")          # in how many colours
    assert not asks_price_and_more("بكام؟")


def test_price_and_sizes_after_a_products_details(fb, services) -> None:
    product = hoodie(services)
    fb.press(f"DETAILS:{product.id}")
    scripted(services, {"السعر والمقاسات ايه؟": Understood("size_help")})
    both = answer(fb, "السعر والمقاسات ايه؟")
    assert both.kinds == {"price"} and "details.sizes" in both.keys and both.about[0] == product.id


def test_when_will_it_arrive_with_and_written_on_after_an_order(fb, services) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    for step in ("أحمد علي", "01001234567", "القاهرة", ADDRESS):
        fb.say(step)
    scripted(services, {"تمام": Understood("unknown"), "وهيوصل امتى": Understood("shipping_info")})
    assert answer(fb, "تمام").kinds == {"order_placed"}
    assert "order_status.arrival" in answer(fb, "وهيوصل امتى").keys


def test_a_place_past_a_comparison_is_that_place_in_the_list_it_was_made_from(fb, services) -> None:
    scripted(services, {"هودي": Understood("search", {"item": "hoodie"}),
                        "قارن بين الاول والتاني": Understood("compare", {"product_refs": ["1", "2"]}),
                        "هاخد التالت": Understood("cart_add", {"product_ref": "3"}),
                        "التاني": Understood("product_details", {"product_ref": "2"})})
    shown = ids_of(payloads(fb.say("هودي")), "DETAILS")
    assert answer(fb, "قارن بين الاول والتاني").listed == shown[:2]
    assert answer(fb, "هاخد التالت").about == [shown[2]]
    fb.say("قارن بين الاول والتاني")
    assert answer(fb, "التاني").about == [shown[1]]               # within the comparison: its own place


def test_thanks_in_a_checkout_is_thanked_and_the_step_asked_again_and_goodbye_leaves_it(fb, services) -> None:
    fill_cart(fb, hoodie(services))
    fb.tap("CHECKOUT")
    scripted(services, {"شكرا": Understood("thanks", confidence=0.95), "باي": Understood("goodbye", confidence=0.95)})
    thanked = answer(fb, "شكرا")
    assert thanked.keys == ["thanks", "checkout.ask_name_again"]          # never taken for a name
    fb.say("أحمد علي")
    assert answer(fb, "باي").kinds == {"goodbye"}
    session = services.pipeline.sessions.load("messenger", fb.customer)
    assert session["checkout"] is None and len(session["cart"]) == 1      # the cart waits for another time
