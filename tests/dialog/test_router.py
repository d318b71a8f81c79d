"""Routing payloads: every button the dialog sends reads back through the codec, a forged one is answered
politely without logging its argument, and a store cursor no button can carry costs only the "more" button."""

from __future__ import annotations

import json
import logging

from bot.config import Settings
from bot.dialog import Dialog
from bot.dialog.payloads import More, decode
from bot.events import Event, Kind, Platform
from bot.language import Lang
from bot.replies import Buttons, Card, Cards, QuickReplies, Reply
from bot.store import SearchFilters, SearchPage, build_store
from tests.dialog.chats import answer, cart_of, of_item, scripted
from tests.test_conversation_kit import Script, Understood, ids_of, payloads
from tests.test_dialog import CrowdedStore

SCRIPT = Script({"hoodie": Understood("search", {"item": "hoodie"}), "remove": Understood("cart_remove")})


def _event(platform: Platform, number: int, *, text: str = "", payload: str = "") -> Event:
    return Event(platform=platform, customer_id="201001234567", kind=Kind.PAYLOAD if payload else Kind.TEXT,
                 message_id=f"m{number}", text=text, payload=payload)


def _payloads(replies: list[Reply]) -> list[str]:
    found: list[str] = []
    for reply in replies:
        if isinstance(reply, QuickReplies):
            found += [choice.payload for choice in reply.choices]
        elif isinstance(reply, Buttons):
            found += [button.payload for button in reply.buttons if button.payload]
        elif isinstance(reply, Cards | Card):
            cards = reply.cards if isinstance(reply, Cards) else (reply,)
            found += [card.payload for card in cards if card.payload]
            found += [button.payload for card in cards for button in card.buttons if button.payload]
    return found


def _walk(store: object, platform: Platform, steps: list[tuple[str, str]]) -> list[list[Reply]]:
    dialog, session, answers = Dialog(store=store, understand=SCRIPT), {}, []
    for number, (kind, value) in enumerate(steps):
        event = _event(platform, number, **{kind: value})
        replies, session = dialog.handle(event, session)
        answers.append(list(replies))
    return answers


FLOW = [("payload", "GET_STARTED"), ("text", "hoodie"), ("payload", "FILTER"), ("payload", "DETAILS:900"),
        ("payload", "ADD:900"), ("payload", "ADD:900:36:"), ("payload", "ADD:900:36:black"), ("payload", "CART"),
        ("payload", "CART_EDIT"), ("payload", "CART_EDIT:1"), ("payload", "QTY:900:36:black:2"),
        ("payload", "CATEGORIES"), ("payload", "SIZES"), ("payload", "CHECKOUT"), ("payload", "EDIT")]


def test_every_button_the_dialog_sends_reads_back_as_a_payload() -> None:
    for platform in (Platform.MESSENGER, Platform.WHATSAPP):
        answers = _walk(CrowdedStore(), platform, FLOW)
        sent = [payload for replies in answers for payload in _payloads(replies)]
        assert len(sent) > 60
        assert [payload for payload in sent if decode(payload) is None] == []
        texts = [getattr(reply, "text", "") for replies in answers for reply in replies]
        assert not [text for text in texts if text.startswith(("That button is old", "Something went wrong"))]


def test_a_forged_payload_is_answered_and_its_argument_never_logged(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="bot.dialog"):
        [answer] = _walk(CrowdedStore(), Platform.WHATSAPP, [("payload", "PHONE:0100 1234 567x")])
    assert answer and "PHONE" in caplog.text and "1234" not in caplog.text


def test_a_language_chosen_by_button_is_stored_as_its_plain_string() -> None:
    dialog = Dialog(store=CrowdedStore(), understand=SCRIPT)
    _, session = dialog.handle(_event(Platform.MESSENGER, 1, payload="LANG:en"), {})
    assert session["lang"] is Lang.EN and json.loads(json.dumps(session))["lang"] == "en"
    assert session["lang_chosen"] is True


class _Cursor(CrowdedStore):
    def __init__(self, cursor: str) -> None:
        super().__init__()
        self.cursor = cursor

    def search(self, query="", *, filters=None, sort="relevance", limit=10, cursor=None, read=None):
        return SearchPage(products=tuple(self.products[:limit]), total=30, next_cursor=self.cursor)


def test_a_store_cursor_no_button_can_carry_costs_only_the_more_button(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.dialog"):
        [fits] = _walk(_Cursor("x" * 150), Platform.MESSENGER, [("text", "hoodie")])
        [too_long] = _walk(_Cursor("x" * 300), Platform.MESSENGER, [("text", "hoodie")])
    assert More("x" * 150, tag=None).cursor in " ".join(_payloads(fits))
    assert any(isinstance(reply, Cards) for reply in too_long)
    assert not [payload for payload in _payloads(too_long) if payload.startswith("MORE:")]
    assert "does not fit a button" in caplog.text


def test_the_demo_store_cursor_fits_a_button() -> None:
    page = build_store(Settings()).search("")
    assert page.next_cursor and decode(f"MORE:{page.next_cursor}:1a2b3c4d") == More(page.next_cursor, "1a2b3c4d")


# ---- choosing the product on screen, or a product named in full, is an add (GUIDE §3.7) ------------


def test_a_statement_of_size_and_colour_after_a_price_adds_that_product(fb, services) -> None:
    product = of_item(services, "blouse")
    colour, size = product.colors[1], product.sizes[-1]
    said, bare = f"عايزه منه {colour} {size}", f"{colour} بس"
    scripted(services, {said: Understood("search", {"size": size, "color": colour}),
                        bare: Understood("search", {"color": colour})})
    fb.press(f"PRICE:{product.id}")
    fb.say(said)
    [line] = cart_of(fb)
    assert (line["product_id"], line["size"], line["color"]) == (product.id, size, colour)
    fb.press(f"PRICE:{product.id}")
    assert "products" in answer(fb, bare).kinds and len(cart_of(fb)) == 1     # a colour alone narrows the list


def test_a_product_named_with_its_size_and_colour_is_added_and_a_question_is_answered(fb, services) -> None:
    product = of_item(services, "blouse")
    colour, size = product.colors[0], product.sizes[0]
    said = f"عايزه المنتج {product.id} {colour} {size}"
    slots = {"size": size, "color": colour, "product_ref": product.id}
    scripted(services, {said: Understood("product_details", slots),
                        f"{said}؟": Understood("product_details", slots)})
    assert "product" in answer(fb, f"{said}؟").kinds and cart_of(fb) == []      # asked about: its details
    assert "cart_add" in answer(fb, said).kinds
    assert [line["product_id"] for line in cart_of(fb)] == [product.id]


def test_a_product_by_its_place_in_the_list_with_its_size_is_added_and_its_one_colour_implied(fb, services) -> None:
    page = services.store.search("", filters=SearchFilters(in_stock=True), limit=300)
    single = next(p for p in page.products if len(p.colors) == 1 and len(p.sizes) > 1 and p.stock_quantity > 3)
    scripted(services, {"tishirts": Understood("search", {}),
                        f"product {single.id} size {single.sizes[1]}, two of them":
                            Understood("product_details", {"size": single.sizes[1], "quantity": 2,
                                                           "product_ref": single.id}, "en")})
    answer(fb, f"product {single.id} size {single.sizes[1]}, two of them")
    assert [(line["product_id"], line["quantity"], line["color"]) for line in cart_of(fb)] == [
        (single.id, 2, single.colors[0])]
    shown = ids_of(payloads(fb.say("tishirts")), "DETAILS")
    first = services.store.product(shown[0])
    said = f"the first one, size {first.sizes[0]}, {first.colors[0]}"
    scripted(services, {said: Understood("product_details", {"size": first.sizes[0], "color": first.colors[0],
                                                              "product_ref": "1"}, "en")})
    fb.say("tishirts")
    assert "cart_add" in answer(fb, said).kinds and cart_of(fb)[-1]["product_id"] == first.id
