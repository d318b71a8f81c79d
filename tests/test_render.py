"""Renderers: every reply kind, over-long and empty inputs, checked against the platform limits as
platform_spec.md states them (§5, §7, §9: the numbers below are copied from there, not from
bot.channels.limits), plus exact JSON for typical replies and property-based checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels import limits, messenger, render, whatsapp
from bot.events import Platform
from bot.replies import Button, Buttons, Card, Cards, Choice, HandOff, Image, Outgoing, QuickReplies, Text

PSID = "1254459154682919"
WA_ID = "201001234567"

# ---------------------------------------------------------------------------------------------
# Validators written from platform_spec.md


def _strings(value, path="body"):
    """Every string in a JSON value, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _length(text: str, low: int, high: int, what: str) -> None:
    assert isinstance(text, str), what
    assert low <= len(text) <= high, f"{what}: length {len(text)} not in [{low}, {high}]: {text[:60]!r}"


def check_no_empty_strings(body: dict) -> None:
    for path, text in _strings(body):
        assert text.strip(), f"empty string at {path}"


def check_messenger_button(button: dict) -> None:
    # §5.3 buttons: title 20 chars; postback payload 1000 chars
    assert button["type"] in ("web_url", "postback")
    _length(button["title"], 1, 20, "button title")
    if button["type"] == "web_url":
        assert button["url"]
    else:
        _length(button["payload"], 1, 1000, "postback payload")


def check_messenger(out: Outgoing) -> None:
    assert out.platform == "messenger"
    body = out.body
    check_no_empty_strings(body)
    assert body["recipient"]["id"]
    if out.kind == "handover":
        assert set(body) <= {"recipient", "target_app_id", "metadata"}
        assert body["target_app_id"]
        _length(body.get("metadata", "x"), 1, 999, "handover metadata")
        return
    assert out.kind == "message"
    assert body["messaging_type"] == "RESPONSE"  # §5.1
    message = body["message"]
    assert ("text" in message) != ("attachment" in message), "text or attachment, not both"
    if "text" in message:
        _length(message["text"], 1, 1999, "text")  # "less than 2000 characters"
    if "quick_replies" in message:  # §5.2: max 13, title 20, payload 1000
        assert 1 <= len(message["quick_replies"]) <= 13
        for quick in message["quick_replies"]:
            assert quick["content_type"] == "text"
            _length(quick["title"], 1, 20, "quick reply title")
            _length(quick["payload"], 1, 1000, "quick reply payload")
    if "attachment" in message:
        check_messenger_attachment(message["attachment"])


def check_messenger_attachment(attachment: dict) -> None:
    payload = attachment["payload"]
    if attachment["type"] == "image":
        assert payload["url"]
        return
    assert attachment["type"] == "template"
    if payload["template_type"] == "generic":  # §5.3: ≤ 10 elements, title/subtitle 80, ≤ 3 buttons
        assert 1 <= len(payload["elements"]) <= 10
        for element in payload["elements"]:
            _length(element["title"], 1, 80, "element title")
            if "subtitle" in element:
                _length(element["subtitle"], 1, 80, "element subtitle")
            assert set(element) - {"title"}, "at least one property besides title"
            assert len(element.get("buttons", [])) <= 3
            for button in element.get("buttons", []):
                check_messenger_button(button)
    else:
        assert payload["template_type"] == "button"  # §5.3: text ≤ 640, 1–3 buttons
        _length(payload["text"], 1, 640, "button template text")
        assert 1 <= len(payload["buttons"]) <= 3
        for button in payload["buttons"]:
            check_messenger_button(button)


def check_whatsapp(out: Outgoing) -> None:
    assert out.platform == "whatsapp" and out.kind == "message"
    body = out.body
    check_no_empty_strings(body)
    assert body["messaging_product"] == "whatsapp" and body["recipient_type"] == "individual"  # §7.1
    assert ("to" in body) != ("recipient" in body)
    kind = body["type"]
    assert kind in body
    if kind == "text":  # §7.2: body ≤ 4096
        _length(body["text"]["body"], 1, 4096, "text body")
    elif kind == "image":  # §7.2: caption ≤ 1024
        assert body["image"]["link"]
        _length(body["image"].get("caption", "x"), 1, 1024, "caption")
    else:
        assert kind == "interactive"
        check_whatsapp_interactive(body["interactive"])


def check_whatsapp_interactive(interactive: dict) -> None:
    _length(interactive["body"]["text"], 1, 1024, "interactive body")  # buttons 1024; lists REC 1024
    action = interactive["action"]
    if interactive["type"] == "button":  # §7.2: max 3, id ≤ 256, title ≤ 20 unique
        buttons = action["buttons"]
        assert 1 <= len(buttons) <= 3
        titles = [b["reply"]["title"] for b in buttons]
        ids = [b["reply"]["id"] for b in buttons]
        assert len(set(titles)) == len(titles), f"titles not unique: {titles}"
        assert len(set(ids)) == len(ids)
        for button in buttons:
            assert button["type"] == "reply"
            _length(button["reply"]["id"], 1, 256, "button id")
            _length(button["reply"]["title"], 1, 20, "button title")
        return
    assert interactive["type"] == "list"  # §7.2: button 20, ≤ 10 sections, ≤ 10 rows, 24/200/24/72
    _length(action["button"], 1, 20, "list button")
    sections = action["sections"]
    assert 1 <= len(sections) <= 10
    rows = [row for section in sections for row in section["rows"]]
    assert 1 <= len(rows) <= 10
    assert len({row["id"] for row in rows}) == len(rows), "row ids unique"
    for section in sections:
        if len(sections) > 1 or "title" in section:
            _length(section["title"], 1, 24, "section title")
    for row in rows:
        _length(row["id"], 1, 200, "row id")
        _length(row["title"], 1, 24, "row title")
        if "description" in row:
            _length(row["description"], 1, 72, "row description")


CHECKS = {"messenger": check_messenger, "whatsapp": check_whatsapp}
RECIPIENTS = {"messenger": PSID, "whatsapp": WA_ID}

# ---------------------------------------------------------------------------------------------
# Nasty replies

AR_LONG = "قميص قطن مصري أبيض بأكمام طويلة مناسب للشغل والخروج ومتوفر بكل المقاسات من S لحد XXL"
EN_LONG = "Classic Egyptian cotton long-sleeve white shirt, perfect for work and going out, in every size"
AR_PARAGRAPH = ("أهلا بيك في دكان! " + "عندنا تشكيلة كبيرة من الهدوم والجزم. " * 30 + "\n") * 8
EN_NO_SPACES = "x" * 10_000
EMOJI = "🛍️👟👗" * 900


def _cards(count: int, **extra) -> tuple[Card, ...]:
    return tuple(
        Card(
            title=f"{AR_LONG} {i}",
            subtitle=f"{EN_LONG} — {i * 100} EGP",
            image_url=f"https://shop.example/img/{i}.jpg",
            url=f"https://shop.example/p/{i}",
            buttons=(
                Button("التفاصيل والمقاسات المتاحة", payload=f"DETAILS:{i}"),
                Button("Add to cart right now please", payload=f"ADD:{i}"),
                Button("شوف على الموقع", url=f"https://shop.example/p/{i}"),
                Button("Compare with another item", payload=f"COMPARE:{i}"),
            ),
            payload=f"DETAILS:{i}",
            **extra,
        )
        for i in range(count)
    )


def _choices(count: int, title: str = "اختيار طويل جدا جدا جدا", payload_size: int = 10) -> tuple[Choice, ...]:
    return tuple(Choice(f"{title} {i}", f"P{i}:" + "p" * payload_size, f"{EN_LONG} {i}") for i in range(count))


REPLIES = {
    "text-empty": Text(""),
    "text-blank": Text("   \n  "),
    "text-short": Text("أهلا! تحب تشوف إيه النهارده؟"),
    "text-arabic-long": Text(AR_PARAGRAPH),
    "text-no-spaces": Text(EN_NO_SPACES),
    "text-emoji": Text(EMOJI),
    "image": Image("https://shop.example/a.jpg", "قميص أبيض"),
    "image-long-caption": Image("https://shop.example/a.jpg", AR_PARAGRAPH),
    "image-no-url": Image("", "caption only"),
    "image-empty": Image(""),
    "card-details": _cards(1)[0],
    "card-title-only": Card(""),
    "card-payload-only": Card("Shirt", payload="DETAILS:1"),
    "card-url-buttons-only": Card("Shirt", buttons=(Button("Site", url="https://s"),), image_url="https://s/i.jpg"),
    "card-huge-payload": Card("Shirt", buttons=(Button("Go", payload="X" * 3000),)),
    "card-empty-buttons": Card("Shirt", buttons=(Button("", payload=""), Button("", url="https://s"))),
    "cards-12": Cards(_cards(12), text=AR_PARAGRAPH, button_label="اختار المنتج اللي يعجبك"),
    "cards-none": Cards((), text="مفيش نتايج"),
    "cards-empty-text": Cards(_cards(3)),
    "cards-duplicate-payloads": Cards(tuple(Card(f"Shirt {i}", payload="SAME") for i in range(4)), text="x"),
    "cards-no-payloads": Cards((Card("Plain"), Card("")), text="x"),
    "quick-0": QuickReplies("نص بس", ()),
    "quick-2": QuickReplies("تحب تكمل؟", (Choice("أيوه", "YES"), Choice("لأ", "NO"))),
    "quick-3-long": QuickReplies(AR_PARAGRAPH, _choices(3)),
    "quick-4": QuickReplies("Pick one", _choices(4, title="Same long title prefix here")),
    "quick-15": QuickReplies("", _choices(15, payload_size=2000)),
    "quick-empty-titles": QuickReplies("x", (Choice("", "A"), Choice("", "B"), Choice("", ""))),
    "quick-duplicate-titles": QuickReplies("x", tuple(Choice("Same title", f"P{i}") for i in range(3))),
    "buttons-0": Buttons("Just text", ()),
    "buttons-1": Buttons("Pick", (Button("Yes", payload="YES"),)),
    "buttons-5-long": Buttons(AR_PARAGRAPH, tuple(Button(f"{EN_LONG} {i}", payload=f"B{i}") for i in range(5))),
    "buttons-url-only": Buttons("Visit", (Button("Site", url="https://s"), Button("Other", url="https://o"))),
    "buttons-mixed": Buttons("", (Button("Site", url="https://s"), Button("Add", payload="ADD:1"))),
    "handoff": HandOff(),
    "handoff-long-metadata": HandOff(target_app_id="123", metadata="m" * 2000),
}


@pytest.mark.parametrize("platform", ["messenger", "whatsapp"])
@pytest.mark.parametrize("name", sorted(REPLIES))
def test_every_rendered_request_respects_the_platform_limits(platform, name):
    outs = render(platform, REPLIES[name], RECIPIENTS[platform])
    assert isinstance(outs, list)
    for out in outs:
        assert isinstance(out, Outgoing) and out.recipient_id == RECIPIENTS[platform]
        CHECKS[platform](out)


@pytest.mark.parametrize("platform", ["messenger", "whatsapp"])
@pytest.mark.parametrize("name", ["text-empty", "text-blank", "image-empty"])
def test_nothing_is_sent_for_an_empty_reply(platform, name):
    assert render(platform, REPLIES[name], RECIPIENTS[platform]) == []


def _texts(outs: list[Outgoing]) -> list[str]:
    texts = []
    for out in outs:
        message = out.body.get("message") or {}
        texts.append(message.get("text") or out.body.get("text", {}).get("body", ""))
    return texts


@pytest.mark.parametrize("platform", ["messenger", "whatsapp"])
@pytest.mark.parametrize("text", [AR_PARAGRAPH, EN_NO_SPACES, EMOJI, (EN_LONG + ". ") * 80])
def test_long_text_is_split_without_losing_anything(platform, text):
    outs = render(platform, Text(text), RECIPIENTS[platform])
    chunks = _texts(outs)
    assert len(chunks) >= (2 if platform == "messenger" else 1)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_messenger_arabic_paragraph_splits_at_line_ends():
    chunks = _texts(messenger.render(Text(AR_PARAGRAPH), PSID))
    assert chunks == [line.strip() for line in AR_PARAGRAPH.strip().split("\n")]  # two lines never fit


def test_messenger_one_long_line_splits_at_sentence_ends():
    line = "عندنا تشكيلة كبيرة من الهدوم والجزم. " * 120
    chunks = _texts(messenger.render(Text(line), PSID))
    assert len(chunks) == 3 and all(chunk.endswith(".") for chunk in chunks)


# ---------------------------------------------------------------------------------------------
# Messenger: exact JSON and degradation


def test_messenger_cards_exact_json():
    cards = Cards(
        (
            Card("قميص أبيض", "350 ج.م", "https://s/1.jpg", "https://s/p/1", (Button("التفاصيل", payload="DETAILS:1"),), "DETAILS:1"),
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
                        {"title": "White shirt", "buttons": [{"type": "web_url", "url": "https://s/p/2", "title": "Site"}]},
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
        "buttons": [{"type": "postback", "title": "Yes", "payload": "YES"}, {"type": "web_url", "url": "https://s", "title": "Site"}],
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
    assert image.body["message"] == {"attachment": {"type": "image", "payload": {"url": "https://s/a.jpg", "is_reusable": True}}}
    assert caption.body["message"] == {"text": "قميص"}


def test_messenger_handoff_is_a_pass_thread_control_request():
    (out,) = messenger.render(HandOff(target_app_id="263902037430900", metadata="customer asked for a person"), PSID)
    assert out.kind == "handover"
    assert out.body == {"recipient": {"id": PSID}, "target_app_id": "263902037430900", "metadata": "customer asked for a person"}
    (default,) = messenger.render(HandOff(), PSID)
    assert default.body["target_app_id"] == limits.PAGE_INBOX_APP_ID


def test_messenger_card_with_only_a_title_still_has_a_second_property():
    (out,) = messenger.render(Card("Shirt"), PSID)
    (element,) = out.body["message"]["attachment"]["payload"]["elements"]
    assert element["title"] == "Shirt" and len(element) >= 2


@pytest.mark.parametrize("action", ["mark_seen", "typing_on", "typing_off"])
def test_messenger_sender_actions(action):
    assert messenger.sender_action(PSID, action) == {"recipient": {"id": PSID}, "sender_action": action}


def test_messenger_unknown_sender_action_is_refused():
    with pytest.raises(ValueError):
        messenger.sender_action(PSID, "dance")


# ---------------------------------------------------------------------------------------------
# WhatsApp: exact JSON and degradation


def test_whatsapp_three_quick_replies_are_reply_buttons_exact_json():
    reply = QuickReplies("تحب تعمل إيه؟", (Choice("المنتجات", "MENU:PRODUCTS"), Choice("طلباتي", "MENU:ORDERS"), Choice("كلم حد", "HUMAN")))
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
        (Card("قميص أبيض", "350 ج.م", "https://s/1.jpg", payload="DETAILS:1"), Card("White shirt", "", payload="DETAILS:2")),
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
    assert whatsapp.mark_read("wamid.X", typing=False) == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"}


def test_render_dispatches_on_platform():
    assert render(Platform.MESSENGER, Text("x"), PSID)[0].platform == "messenger"
    assert render("whatsapp", Text("x"), WA_ID)[0].platform == "whatsapp"


# ---------------------------------------------------------------------------------------------
# Limit helpers


def test_truncate_cuts_at_a_word_and_adds_an_ellipsis():
    assert limits.truncate("Classic cotton shirt with long sleeves", 20) == "Classic cotton…"
    assert limits.truncate("short", 20) == "short"
    assert limits.truncate("x" * 30, 20) == "x" * 19 + "…"
    assert limits.truncate("قميص قطن مصري أبيض بأكمام طويلة", 20) == "قميص قطن مصري أبيض…"


def test_units_count_emoji_as_two():
    assert limits.units("👟") == 2 and limits.units("abc") == 3
    assert limits.units(limits.truncate("👟" * 30, 20)) <= 20


def test_split_text_prefers_lines_then_sentences_then_words():
    assert limits.split_text("first line\nsecond line", 15) == ["first line", "second line"]
    assert limits.split_text("One. Two three four.", 12) == ["One.", "Two three", "four."]
    assert limits.split_text("", 10) == []


def test_split_tail_keeps_the_end_within_the_limit():
    head, last = limits.split_tail("Intro sentence. Final question?", 16)
    assert (head, last) == ("Intro sentence.", "Final question?")
    assert limits.split_tail("fits", 10) == ("", "fits")


# ---------------------------------------------------------------------------------------------
# Property-based: any strings give valid requests

WORDS = st.text(alphabet=st.sampled_from("abc قميصأبيض👟 .\n؟!"), max_size=300)


@settings(max_examples=150, deadline=None)
@given(WORDS, st.lists(st.tuples(WORDS, WORDS, WORDS), max_size=16), WORDS)
def test_any_quick_replies_render_valid_requests(text, choices, label):
    reply = QuickReplies(text, tuple(Choice(t, p, d) for t, p, d in choices), button_label=label)
    for platform in ("messenger", "whatsapp"):
        for out in render(platform, reply, RECIPIENTS[platform]):
            CHECKS[platform](out)


@settings(max_examples=100, deadline=None)
@given(WORDS, st.lists(st.tuples(WORDS, WORDS, WORDS, st.booleans()), max_size=13))
def test_any_cards_render_valid_requests(text, specs):
    cards = tuple(
        Card(title, subtitle, image_url="https://i" if image else "", buttons=(Button(title, payload=payload),), payload=payload)
        for title, subtitle, payload, image in specs
    )
    for platform in ("messenger", "whatsapp"):
        for out in render(platform, Cards(cards, text=text), RECIPIENTS[platform]):
            CHECKS[platform](out)
        for card in cards[:2]:
            for out in render(platform, card, RECIPIENTS[platform]):
                CHECKS[platform](out)
