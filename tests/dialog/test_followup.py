"""bot/dialog/followup.py: "I want to order" with something in the cart finishes the order."""

from __future__ import annotations

from tests.dialog.chats import answer, scripted
from tests.test_checkout import fill_cart, hoodie
from tests.test_conversation_kit import Understood


def test_i_want_to_order_with_a_cart_starts_the_checkout_and_without_one_the_sections(fb, services) -> None:
    lines = {"عايز اطلب": Understood("browse_categories", {}), "3ayez atlob": Understood("browse_categories", {}),
             "عايز اطلب هودي": Understood("search", {"item": "hoodie"})}
    scripted(services, lines)
    assert "checkout_step" not in answer(fb, "عايز اطلب").kinds      # nothing chosen yet: where to start
    fill_cart(fb, hoodie(services))
    assert "products" in answer(fb, "عايز اطلب هودي").kinds          # ordering something named: a search
    assert answer(fb, "عايز اطلب").kinds == {"checkout_step"}
    fb.press("CANCEL")
    assert answer(fb, "3ayez atlob").kinds == {"checkout_step"}
