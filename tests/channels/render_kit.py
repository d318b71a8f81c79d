"""What the renderer tests share: validators written from the platforms' own documents (the numbers
are copied from platform_spec.md §5, §7, §9 and Meta's Instagram messaging pages, not from
bot.channels.limits) and a set of nasty replies."""

from __future__ import annotations

from bot.replies import Button, Buttons, Card, Cards, Choice, HandOff, Image, Outgoing, QuickReplies, Text

PSID = "1254459154682919"
WA_ID = "201001234567"
IGSID = "1254477777772919"

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


def check_instagram(out: Outgoing) -> None:
    """Instagram API with Instagram Login, messaging (Meta's pages on text, quick replies, the
    generic and button templates): text ≤ 1000 UTF-8 bytes; ≤ 13 quick replies, text only, titles
    ≤ 20; generic template ≤ 10 elements, title and subtitle ≤ 80, ≤ 3 postback or web_url
    buttons; no hand-over request."""
    assert out.platform == "instagram" and out.kind == "message"
    body = out.body
    check_no_empty_strings(body)
    assert body["recipient"]["id"] and body["messaging_type"] == "RESPONSE"
    message = body["message"]
    assert ("text" in message) != ("attachment" in message), "text or attachment, not both"
    if "text" in message:
        assert 1 <= len(message["text"].encode("utf-8")) <= 1000, f"text of {len(message['text'].encode())} bytes"
    if "quick_replies" in message:
        assert 1 <= len(message["quick_replies"]) <= 13
        for quick in message["quick_replies"]:
            assert quick["content_type"] == "text"
            _length(quick["title"], 1, 20, "quick reply title")
            _length(quick["payload"], 1, 1000, "quick reply payload")
    if "attachment" in message:
        payload = message["attachment"]["payload"]
        assert "image_aspect_ratio" not in payload  # not among Instagram's template fields
        assert "is_reusable" not in payload         # a Messenger Send API option, not in Instagram's send docs
        check_messenger_attachment(message["attachment"])


CHECKS = {"messenger": check_messenger, "whatsapp": check_whatsapp, "instagram": check_instagram}
RECIPIENTS = {"messenger": PSID, "whatsapp": WA_ID, "instagram": IGSID}
PLATFORMS = sorted(CHECKS)

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


def texts_of(outs: list[Outgoing]) -> list[str]:
    """The text of each text message among ``outs`` ("" for the others)."""
    texts = []
    for out in outs:
        message = out.body.get("message") or {}
        texts.append(message.get("text") or out.body.get("text", {}).get("body", ""))
    return texts
