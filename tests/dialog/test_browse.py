"""bot/dialog/browse.py: a question about the product just priced, and "more" after a list of words."""

from __future__ import annotations

from tests.dialog.chats import answer, scripted
from tests.test_conversation_kit import Understood, ids_of, payloads


def test_is_there_a_colour_after_a_price_asks_about_that_product(fb, services) -> None:
    shown = ids_of(payloads(fb.say("عايز بلوزه")), "DETAILS")
    priced = services.store.product(shown[0])
    scripted(services, {"fe ramady?": Understood("search", {"color": "grey"})})
    fb.press(f"PRICE:{priced.id}")                          # the list stays on screen, the price is about one
    asked = answer(fb, "fe ramady?")
    assert asked.kinds == {"product"} and asked.about == [priced.id]


def test_more_after_a_list_of_words_shows_more_of_its_kind(fb, services) -> None:
    scripted(services, {"chiffon": Understood("search", {})})
    shown = ids_of(payloads(fb.say("chiffon")), "DETAILS")
    assert 0 < len(shown) < 10                                  # one page: nothing more of that search
    first = services.store.product(shown[0])
    more = ids_of(payloads(fb.say("كمان")), "DETAILS")
    assert more and not set(more) & set(shown)
    assert {services.store.product(pid).item for pid in more} == {first.item}

