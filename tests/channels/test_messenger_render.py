"""Messenger rendering (bot/channels/messenger/render.py on bot/channels/meta/messaging.py): exact JSON
and how replies over Messenger's limits degrade."""

from __future__ import annotations

import pytest

from bot.channels import limits, messenger
from bot.channels.meta.messaging import sender_action
from bot.replies import Button, Buttons, Card, Cards, Choice, HandOff, Image, QuickReplies, Text
from tests.channels.render_kit import AR_LONG, AR_PARAGRAPH, PSID, REPLIES, texts_of

# ---------------------------------------------------------------------------------------------
# Messenger: exact JSON and degradation


def test_messenger_cards_exact_json():
    cards = Cards(
        (
            Card("قميص أبيض", "350 ج.م", "https://s/1.jpg", "https://s/p/1", (Button("التفاصيل", payload="DETAILS:1"),),
                 "DETAILS:1"),
            Card("White shirt", "", "", "", (Button("Site", url="https://s/p/2"),)),
        ),
        text="دي النتايج:",
    )
    intro, carousel = messenger.render(cards, PSID)
    assert intro.body == {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": "دي النتايج:"}}
    assert carousel.kind == "message"
    assert carousel.body == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "generic",
                    "image_aspect_ratio": "square",
                    "elements": [
                        {
                            "title": "قميص أبيض",
                            "subtitle": "350 ج.م",
                            "image_url": "https://s/1.jpg",
                            "default_action": {"type": "web_url", "url": "https://s/p/1"},
                            "buttons": [{"type": "postback", "title": "التفاصيل", "payload": "DETAILS:1"}],
                        },
                        {"title": "White shirt",
                         "buttons": [{"type": "web_url", "url": "https://s/p/2", "title": "Site"}]},
                    ],
                },
            }
        },
    }


def test_messenger_quick_replies_exact_json():
    (out,) = messenger.render(QuickReplies("تحب تكمل؟", (Choice("أيوه", "YES"), Choice("لأ", "NO"))), PSID)
    assert out.body == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "تحب تكمل؟",
            "quick_replies": [
                {"content_type": "text", "title": "أيوه", "payload": "YES"},
                {"content_type": "text", "title": "لأ", "payload": "NO"},
            ],
        },
    }


def test_messenger_keeps_ten_cards_three_buttons_and_truncates_titles_at_a_word():
    *_, carousel = messenger.render(REPLIES["cards-12"], PSID)
    elements = carousel.body["message"]["attachment"]["payload"]["elements"]
    assert len(elements) == 10
    assert [e["buttons"][0]["payload"] for e in elements] == [f"DETAILS:{i}" for i in range(10)]
    first = elements[0]
    assert first["title"].endswith("…") and AR_LONG.startswith(first["title"][:-1].rstrip())
    assert first["title"][:-1] == first["title"][:-1].rstrip() and AR_LONG[len(first["title"]) - 1] == " "
    assert [b["title"] for b in first["buttons"]] == ["التفاصيل والمقاسات…", "Add to cart right…", "شوف على الموقع"]


def test_messenger_quick_replies_keep_thirteen_and_cut_payloads():
    (out,) = messenger.render(REPLIES["quick-15"], PSID)
    quick = out.body["message"]["quick_replies"]
    assert len(quick) == 13
    assert all(len(q["payload"]) == 1000 and q["payload"].startswith(f"P{i}:") for i, q in enumerate(quick))
    assert out.body["message"]["text"] == limits.FILLER


def test_messenger_long_quick_reply_text_sends_the_head_first():
    outs = messenger.render(QuickReplies("جملة طويلة. " * 300, (Choice("OK", "OK"),)), PSID)
    assert len(outs) == 2
    assert "quick_replies" not in outs[0].body["message"] and "quick_replies" in outs[1].body["message"]


def test_messenger_buttons_become_a_button_template():
    (out,) = messenger.render(Buttons("Pick", (Button("Yes", payload="YES"), Button("Site", url="https://s"))), PSID)
    payload = out.body["message"]["attachment"]["payload"]
    assert payload == {
        "template_type": "button",
        "text": "Pick",
        "buttons": [{"type": "postback", "title": "Yes", "payload": "YES"},
                    {"type": "web_url", "url": "https://s", "title": "Site"}],
    }


def test_messenger_long_button_text_goes_first_as_plain_text():
    outs = messenger.render(REPLIES["buttons-5-long"], PSID)
    template = outs[-1].body["message"]["attachment"]["payload"]
    assert len(template["buttons"]) == 3
    assert all("text" in out.body["message"] for out in outs[:-1])


def test_messenger_buttons_without_any_usable_button_are_plain_text():
    (out,) = messenger.render(Buttons("Just text", (Button("", payload=""),)), PSID)
    assert out.body["message"] == {"text": "Just text"}


def test_messenger_image_then_caption():
    image, caption = messenger.render(Image("https://s/a.jpg", "قميص"), PSID)
    assert image.body["message"] == {
        "attachment": {"type": "image", "payload": {"url": "https://s/a.jpg", "is_reusable": True}}}
    assert caption.body["message"] == {"text": "قميص"}


def test_messenger_handoff_is_a_pass_thread_control_request():
    (out,) = messenger.render(HandOff(target_app_id="263902037430900", metadata="customer asked for a person"), PSID)
    assert out.kind == "handover"
    assert out.body == {"recipient": {"id": PSID}, "target_app_id": "263902037430900",
                        "metadata": "customer asked for a person"}
    (default,) = messenger.render(HandOff(), PSID)
    assert default.body["target_app_id"] == limits.PAGE_INBOX_APP_ID


def test_messenger_card_with_only_a_title_still_has_a_second_property():
    (out,) = messenger.render(Card("Shirt"), PSID)
    (element,) = out.body["message"]["attachment"]["payload"]["elements"]
    assert element["title"] == "Shirt" and len(element) >= 2


@pytest.mark.parametrize("action", ["mark_seen", "typing_on", "typing_off"])
def test_messenger_sender_actions(action):
    assert sender_action(PSID, action) == {"recipient": {"id": PSID}, "sender_action": action}


def test_messenger_unknown_sender_action_is_refused():
    with pytest.raises(ValueError):
        sender_action(PSID, "dance")


def test_messenger_arabic_paragraph_splits_at_line_ends():
    chunks = texts_of(messenger.render(Text(AR_PARAGRAPH), PSID))
    assert chunks == [line.strip() for line in AR_PARAGRAPH.strip().split("\n")]  # two lines never fit


def test_messenger_one_long_line_splits_at_sentence_ends():
    line = "عندنا تشكيلة كبيرة من الهدوم والجزم. " * 120
    chunks = texts_of(messenger.render(Text(line), PSID))
    assert len(chunks) == 3 and all(chunk.endswith(".") for chunk in chunks)
