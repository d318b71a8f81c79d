"""A turn's text and the buttons, list or quick replies after it become one message where the
platform's limits allow (:data:`bot.pipeline.JOINERS`): fewer messages to read, fewer requests."""

from __future__ import annotations

import bot.channels.limits as L
from bot.channels.instagram.render import render as instagram
from bot.channels.messenger.render import render as messenger
from bot.channels.whatsapp.render import join as whatsapp_join
from bot.channels.whatsapp.render import render as whatsapp
from bot.events import Platform
from bot.pipeline import JOINERS
from bot.replies import Button, Buttons, Card, Cards, Choice, Image, QuickReplies, Text

WA_ID, PSID = "201000000001", "psid-1"
CHOICES = (Choice("نعم", "YES"), Choice("لا", "NO"))
ROWS = tuple(Card(f"منتج {n}", payload=f"DETAILS:{n}") for n in range(1, 5))


def rendered(render, replies, recipient):
    return [out for reply in replies for out in render(reply, recipient)]


def test_whatsapp_a_text_and_the_buttons_after_it_are_one_interactive_message() -> None:
    messages = whatsapp_join(rendered(whatsapp, [Text("شلت القميص من السلة."), QuickReplies("تكمل؟", CHOICES)], WA_ID))
    assert len(messages) == 1
    interactive = messages[0].body["interactive"]
    assert interactive["type"] == "button" and interactive["body"] == {"text": "شلت القميص من السلة.\n\nتكمل؟"}
    assert [b["reply"]["id"] for b in interactive["action"]["buttons"]] == ["YES", "NO"]
    alone = whatsapp(QuickReplies("تكمل؟", CHOICES), WA_ID)[0].body
    assert {k: v for k, v in messages[0].body.items() if k != "interactive"} == {
        k: v for k, v in alone.items() if k != "interactive"}


def test_whatsapp_a_text_and_a_list_are_one_list_message() -> None:
    messages = whatsapp_join(rendered(whatsapp, [Text("المقاسات: S M L"), Cards(ROWS, text="اختاري 👇")], WA_ID))
    assert [m.body["interactive"]["type"] for m in messages] == ["list"]
    assert messages[0].body["interactive"]["body"]["text"] == "المقاسات: S M L\n\nاختاري 👇"


def test_whatsapp_keeps_apart_what_does_not_fit_or_needs_a_preview() -> None:
    long = "كلام " * 205                                                   # 1,024 units: with the body, over
    assert L.units(long.strip()) <= L.WHATSAPP_INTERACTIVE_BODY_MAX
    apart = whatsapp_join(rendered(whatsapp, [Text(long), QuickReplies("تكمل؟", CHOICES)], WA_ID))
    assert [m.body["type"] for m in apart] == ["text", "interactive"]
    linked = whatsapp_join(rendered(whatsapp, [Text("https://shop.example/p/1"), QuickReplies("تكمل؟", CHOICES)],
                                    WA_ID))
    assert [m.body["type"] for m in linked] == ["text", "interactive"]       # the link keeps its preview
    pictured = whatsapp_join(rendered(whatsapp, [Image("https://shop.example/1.jpg", "قميص"),
                                                 QuickReplies("تكمل؟", CHOICES)], WA_ID))
    assert [m.body["type"] for m in pictured] == ["image", "interactive"]
    texts = whatsapp_join(rendered(whatsapp, [Text("أ"), Text("ب")], WA_ID))
    assert [m.body["text"]["body"] for m in texts] == ["أ", "ب"]             # two texts stay two
    three = whatsapp_join(rendered(whatsapp, [Text("أ"), Text("ب"), QuickReplies("ج", CHOICES)], WA_ID))
    assert [m.body["type"] for m in three] == ["text", "interactive"]
    assert three[1].body["interactive"]["body"]["text"] == "ب\n\nج"
    assert whatsapp_join([]) == []


def test_messenger_a_text_and_the_quick_replies_after_it_are_one_message() -> None:
    messages = messenger.join(rendered(messenger, [Text("اتشال من السلة."), QuickReplies("تكمل؟", CHOICES)], PSID))
    assert len(messages) == 1
    assert messages[0].body["message"]["text"] == "اتشال من السلة.\n\nتكمل؟"
    assert [q["payload"] for q in messages[0].body["message"]["quick_replies"]] == ["YES", "NO"]
    assert messages[0].body["messaging_type"] == "RESPONSE" and messages[0].body["recipient"] == {"id": PSID}


def test_messenger_cards_and_button_templates_keep_their_own_text() -> None:
    cards = messenger.join(rendered(messenger, [Text("لقيت دول"), Cards(ROWS, text="👇")], PSID))
    assert len(cards) == 3                                    # a carousel cannot carry a text
    buttons = messenger.join(rendered(messenger, [Text("قميص كتان"), Buttons("تضيفه؟", (Button("أضف", "ADD:1"),))],
                                      PSID))
    assert len(buttons) == 2
    long = "كلام " * 400                                      # 1,999 units: with the question, over 1,999
    assert len(messenger.join(rendered(messenger, [Text(long), QuickReplies("تكمل؟", CHOICES)], PSID))) == 2


def test_instagram_joins_within_its_byte_limit() -> None:
    short = instagram.join(rendered(instagram, [Text("تمام"), QuickReplies("تكمل؟", CHOICES)], PSID))
    assert len(short) == 1 and short[0].body["message"]["text"] == "تمام\n\nتكمل؟"
    long = "كلام " * 95                                       # 855 bytes in Arabic: with the question, over 1,000
    assert len(L.split_text_bytes(long.strip(), L.INSTAGRAM_TEXT_MAX_BYTES)) == 1
    apart = instagram.join(rendered(instagram, [Text(long), QuickReplies("تكمل؟ " * 30, CHOICES)], PSID))
    assert len(apart) == 2


def test_the_pipeline_joins_every_platform() -> None:
    assert set(JOINERS) == {Platform.WHATSAPP, Platform.MESSENGER, Platform.INSTAGRAM}
