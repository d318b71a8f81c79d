"""bot/dialog/cart.py: a size said inside a longer message, one more of a line, an answer naming another product."""

from __future__ import annotations

from bot.dialog.cart import size_in
from tests.dialog.chats import cart_of, of_item, scripted
from tests.test_checkout import fill_cart, hoodie
from tests.test_conversation_kit import Understood, payloads


def test_a_size_inside_a_message_is_one_of_the_products_sizes() -> None:
    shoes = ("40", "41", "46")
    assert size_in("هاخده رمادي ٤٦", shoes) == "46"                  # Arabic digits, no "مقاس"
    assert size_in("7otly wa7ed zeity 34", ("30", "34")) == "34"
    assert size_in("ضيف ٢ كحلي 3xl", ("L", "XL", "3XL")) == "3XL"      # written in any case
    assert size_in("هاتلي واحد مقاس ٦ سنين", ("4Y", "6Y")) == "6Y"     # an age
    assert size_in("رقم ٤٦ رمادي", shoes) == ""                         # a product's number, not its size
    assert size_in("ضيف 41 منه", shoes, frozenset({"41"})) == ""        # the count said, not a size
    assert size_in("هاخده رمادي", shoes) == ""


def test_one_more_of_a_product_in_the_cart_is_one_more_of_its_line(fb, services) -> None:
    product = hoodie(services)
    fill_cart(fb, product)
    scripted(services, {"zawed wa7da kaman nafs el ma2as": Understood("cart_add", {"quantity": 1})})
    fb.say("zawed wa7da kaman nafs el ma2as")
    [line] = cart_of(fb)
    assert (line["product_id"], line["quantity"], line["size"]) == (product.id, 2, product.sizes[0])


def test_an_add_naming_another_product_is_no_answer_to_the_size_asked(fb, services) -> None:
    first, other = hoodie(services), of_item(services, "blouse")
    colour = other.colors[1]
    said = f"ضيفلي اتنين من رقم {other.id}"
    scripted(services, {said: Understood("cart_add", {"quantity": 2, "color": colour, "product_ref": other.id})})
    fb.press(f"DETAILS:{first.id}")
    fb.press(f"ADD:{first.id}")                                      # the size of the first is asked
    asked = payloads(fb.say(said))
    assert asked and all(p.startswith(f"ADD:{other.id}:") for p in asked if p.startswith("ADD:"))
    assert not any(p.startswith(f"ADD:{first.id}:") for p in asked)
