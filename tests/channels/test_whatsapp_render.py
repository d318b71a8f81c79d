"""WhatsApp rendering (bot/channels/whatsapp/render.py): exact JSON and how replies over WhatsApp's
limits degrade."""

from __future__ import annotations

from bot.channels import render, whatsapp
from bot.events import Platform
from bot.replies import Button, Card, Cards, Choice, HandOff, QuickReplies, Text
from tests.channels.render_kit import PSID, REPLIES, WA_ID, _choices

# ---------------------------------------------------------------------------------------------
# WhatsApp: exact JSON and degradation


def test_whatsapp_three_quick_replies_are_reply_buttons_exact_json():
    reply = QuickReplies("تحب تعمل إيه؟", (Choice("المنتجات", "MENU:PRODUCTS"), Choice("طلباتي", "MENU:ORDERS"),
                                           Choice("كلم حد", "HUMAN")))
    (out,) = whatsapp.render(reply, WA_ID)
    assert out.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "تحب تعمل إيه؟"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "MENU:PRODUCTS", "title": "المنتجات"}},
                    {"type": "reply", "reply": {"id": "MENU:ORDERS", "title": "طلباتي"}},
                    {"type": "reply", "reply": {"id": "HUMAN", "title": "كلم حد"}},
                ]
            },
        },
    }


def test_whatsapp_cards_are_a_list_exact_json():
    cards = Cards(
        (Card("قميص أبيض", "350 ج.م", "https://s/1.jpg", payload="DETAILS:1"),
         Card("White shirt", "", payload="DETAILS:2")),
        text="Results",
        button_label="Options",
    )
    (out,) = whatsapp.render(cards, WA_ID)
    assert out.body["interactive"] == {
        "type": "list",
        "body": {"text": "Results"},
        "action": {
            "button": "Options",
            "sections": [
                {
                    "title": "Options",
                    "rows": [
                        {"id": "DETAILS:1", "title": "قميص أبيض", "description": "350 ج.م"},
                        {"id": "DETAILS:2", "title": "White shirt"},
                    ],
                }
            ],
        },
    }


def test_whatsapp_more_than_three_choices_become_a_list():
    (out,) = whatsapp.render(REPLIES["quick-4"], WA_ID)
    interactive = out.body["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [row["id"] for row in rows] == [f"P{i}:pppppppppp" for i in range(4)]
    assert interactive["action"]["button"] == "Options"


def test_whatsapp_list_label_defaults_by_script():
    (arabic,) = whatsapp.render(QuickReplies("اختار", _choices(5)), WA_ID)
    assert arabic.body["interactive"]["action"]["button"] == "الاختيارات"


def test_whatsapp_list_keeps_ten_rows_with_unique_ids():
    (out,) = whatsapp.render(REPLIES["cards-duplicate-payloads"], WA_ID)
    rows = out.body["interactive"]["action"]["sections"][0]["rows"]
    assert [row["id"] for row in rows] == ["SAME", "SAME~2", "SAME~3", "SAME~4"]
    *_, big = whatsapp.render(REPLIES["cards-12"], WA_ID)
    assert len(big.body["interactive"]["action"]["sections"][0]["rows"]) == 10


def test_whatsapp_reply_button_titles_are_made_unique():
    (out,) = whatsapp.render(REPLIES["quick-duplicate-titles"], WA_ID)
    titles = [b["reply"]["title"] for b in out.body["interactive"]["action"]["buttons"]]
    assert titles == ["Same title", "Same title 2", "Same title 3"]


def test_whatsapp_truncated_titles_that_collide_stay_unique():
    choices = tuple(Choice("Exactly the same long button title " + suffix, suffix) for suffix in "ABC")
    (out,) = whatsapp.render(QuickReplies("x", choices), WA_ID)
    titles = [b["reply"]["title"] for b in out.body["interactive"]["action"]["buttons"]]
    assert len(set(titles)) == 3 and all(len(t) <= 20 for t in titles)


def test_whatsapp_card_alone_is_an_image_with_caption_then_buttons():
    card = Card("قميص أبيض", "350 ج.م", "https://s/1.jpg", "https://s/p/1",
                (Button("أضف للسلة", payload="ADD:1"), Button("الموقع", url="https://s/p/1")), "DETAILS:1")
    image, buttons = whatsapp.render(card, WA_ID)
    # the details, then the link as a paragraph of its own; the buttons under the product's name
    assert image.body["image"] == {"link": "https://s/1.jpg", "caption": "قميص أبيض\n350 ج.م\n\nالموقع: https://s/p/1"}
    interactive = buttons.body["interactive"]
    assert interactive["body"]["text"] == "قميص أبيض"
    assert interactive["action"]["buttons"] == [{"type": "reply", "reply": {"id": "ADD:1", "title": "أضف للسلة"}}]


def test_whatsapp_card_with_url_buttons_only_puts_links_in_the_caption():
    (image,) = whatsapp.render(REPLIES["card-url-buttons-only"], WA_ID)
    assert image.body["image"]["caption"] == "Shirt\n\nSite: https://s"


def test_whatsapp_card_without_image_is_text_or_buttons():
    (text,) = whatsapp.render(Card("Shirt", "Nice"), WA_ID)
    assert text.body["text"] == {"body": "Shirt\nNice", "preview_url": False}
    (buttons,) = whatsapp.render(Card("Shirt", "Nice", buttons=(Button("Add", payload="ADD:1"),)), WA_ID)
    assert buttons.body["interactive"]["body"]["text"] == "Shirt\nNice"


def test_whatsapp_buttons_url_lines_and_reply_buttons():
    (out,) = whatsapp.render(REPLIES["buttons-mixed"], WA_ID)
    interactive = out.body["interactive"]
    assert interactive["body"]["text"] == "Site: https://s"
    assert interactive["action"]["buttons"] == [{"type": "reply", "reply": {"id": "ADD:1", "title": "Add"}}]
    (links,) = whatsapp.render(REPLIES["buttons-url-only"], WA_ID)
    assert links.body["text"] == {"body": "Visit\n\nSite: https://s\nOther: https://o", "preview_url": True}


def test_whatsapp_long_interactive_body_sends_the_head_as_text_first():
    outs = whatsapp.render(REPLIES["quick-3-long"], WA_ID)
    assert [out.body["type"] for out in outs] == ["text", "text", "text", "interactive"]
    assert len(outs[-1].body["interactive"]["body"]["text"]) <= 1024


def test_whatsapp_image_caption_over_the_limit_follows_as_text():
    image, *texts = whatsapp.render(REPLIES["image-long-caption"], WA_ID)
    assert image.body["image"] == {"link": "https://shop.example/a.jpg"}
    assert texts and all(out.body["type"] == "text" for out in texts)


def test_whatsapp_handoff_sends_nothing():
    assert whatsapp.render(HandOff(target_app_id="1"), WA_ID) == []


def test_whatsapp_business_scoped_ids_use_recipient():
    (out,) = whatsapp.render(Text("hi"), "US.13491208655302741918")
    assert out.body["recipient"] == "US.13491208655302741918" and "to" not in out.body
    (phone,) = whatsapp.render(Text("hi"), "+201001234567")
    assert phone.body["to"] == "+201001234567" and "recipient" not in phone.body


def test_whatsapp_text_preview_flag():
    (out,) = whatsapp.render(Text("شوف هنا https://shop.example/p/1"), WA_ID)
    assert out.body["text"]["preview_url"] is True


def test_whatsapp_mark_read_with_and_without_typing():
    assert whatsapp.mark_read("wamid.X") == {
        "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X", "typing_indicator": {"type": "text"}
    }
    assert whatsapp.mark_read("wamid.X", typing=False) == {
        "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"}


def test_render_dispatches_on_platform():
    assert render(Platform.MESSENGER, Text("x"), PSID)[0].platform == "messenger"
    assert render("whatsapp", Text("x"), WA_ID)[0].platform == "whatsapp"
