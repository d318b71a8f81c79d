"""Instagram rendering and sending (bot/channels/instagram/): exact JSON for the usual replies,
Instagram's own limits (1000 UTF-8 bytes a text, 13 quick replies, 10 cards, no hand-over request),
the preamble, and the Send API address and token through the Graph sender."""

from __future__ import annotations

import pytest
import responses
from responses import matchers

from bot.channels import instagram, limits, messenger
from bot.channels.meta.graph import GraphSender
from bot.config import Settings
from bot.errors import AuthError, RecipientUnavailable, WindowClosed
from bot.events import Event, Kind, Platform
from bot.pipeline import waits_for_graph
from bot.replies import Button, Buttons, Card, Cards, Choice, HandOff, Image, Outgoing, QuickReplies, Text
from tests.channels.render_kit import AR_PARAGRAPH, EMOJI, IGSID, check_instagram, texts_of

IG_ID = "17841405822304914"


def render(reply) -> list[Outgoing]:
    outs = instagram.render(reply, IGSID)
    for out in outs:
        check_instagram(out)
    return outs


def test_quick_replies_exact_json():
    [out] = render(QuickReplies("تحب تشوف إيه؟", (Choice("الأقسام", "MENU:CATS"), Choice("كلم حد", "HUMAN"))))
    assert out.body == {
        "recipient": {"id": IGSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "تحب تشوف إيه؟", "quick_replies": [
            {"content_type": "text", "title": "الأقسام", "payload": "MENU:CATS"},
            {"content_type": "text", "title": "كلم حد", "payload": "HUMAN"},
        ]},
    }


def test_cards_are_a_generic_template_without_an_aspect_ratio():
    card = Card("قميص أبيض", "350 ج.م", "https://s/1.jpg", "https://s/p/1", (Button("التفاصيل", payload="DETAILS:1"),))
    intro, carousel = render(Cards((card,), text="لقيتلك ده"))
    assert intro.body["message"] == {"text": "لقيتلك ده"}
    assert carousel.body["message"]["attachment"] == {"type": "template", "payload": {
        "template_type": "generic",
        "elements": [{"title": "قميص أبيض", "subtitle": "350 ج.م", "image_url": "https://s/1.jpg",
                      "default_action": {"type": "web_url", "url": "https://s/p/1"},
                      "buttons": [{"type": "postback", "title": "التفاصيل", "payload": "DETAILS:1"}]}],
    }}


def test_at_most_ten_cards_and_thirteen_quick_replies():
    cards = tuple(Card(f"Shirt {i}", payload=f"DETAILS:{i}") for i in range(14))
    carousel = render(Cards(cards))[-1]
    assert len(carousel.body["message"]["attachment"]["payload"]["elements"]) == 10
    [quick] = render(QuickReplies("pick", tuple(Choice(f"c{i}", f"P{i}") for i in range(20))))
    assert len(quick.body["message"]["quick_replies"]) == 13


@pytest.mark.parametrize("text", [AR_PARAGRAPH, EMOJI, "x" * 5000, "كلمة " * 600])
def test_long_texts_become_messages_of_at_most_1000_bytes_and_lose_nothing(text):
    chunks = texts_of(render(Text(text)))
    assert len(chunks) >= 2
    assert all(len(chunk.encode("utf-8")) <= 1000 for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_arabic_fits_about_half_as_many_letters_as_messenger():
    arabic = "قميص قطن مصري " * 80          # 1120 letters and spaces, about 2000 bytes
    assert len(texts_of(render(Text(arabic)))) == 3
    assert len(texts_of(messenger.render(Text(arabic), IGSID))) == 1


def test_long_quick_reply_text_keeps_its_last_part_with_the_choices():
    outs = render(QuickReplies(AR_PARAGRAPH, (Choice("أيوه", "YES"),)))
    assert len(outs) >= 2 and "quick_replies" in outs[-1].body["message"]
    assert all("quick_replies" not in out.body["message"] for out in outs[:-1])


def test_buttons_are_a_button_template_within_640_characters():
    outs = render(Buttons(AR_PARAGRAPH, (Button("تمام", payload="OK"), Button("Site", url="https://s"))))
    template = outs[-1].body["message"]["attachment"]["payload"]
    assert template["template_type"] == "button" and limits.units(template["text"]) <= 640
    assert [b["type"] for b in template["buttons"]] == ["postback", "web_url"]


def test_an_image_then_its_caption():
    image, caption = render(Image("https://s/a.jpg", "قميص أبيض"))
    assert image.body["message"]["attachment"]["payload"]["url"] == "https://s/a.jpg"
    assert caption.body["message"] == {"text": "قميص أبيض"}


def test_a_handoff_sends_nothing():
    assert instagram.render(HandOff(target_app_id="263902037430900", metadata="x"), IGSID) == []


def test_the_preamble_marks_seen_then_types():
    event = Event(platform=Platform.INSTAGRAM, customer_id=IGSID, kind=Kind.TEXT, text="hi", message_id="m1")
    assert [(out.kind, out.body) for out in instagram.preamble(event)] == [
        ("action", {"recipient": {"id": IGSID}, "sender_action": "mark_seen"}),
        ("action", {"recipient": {"id": IGSID}, "sender_action": "typing_on"}),
    ]


def test_the_graph_sender_posts_to_the_instagram_api_with_the_instagram_token():
    settings = Settings(instagram_access_token="IGAAtoken", instagram_account_id=IG_ID,
                        instagram_api_url="https://graph.instagram.test", messenger_page_access_token="page")
    sender = GraphSender(settings, sleep=lambda seconds: None)
    [out] = instagram.render(Text("hi"), IGSID)
    with responses.RequestsMock() as mock:
        mock.post(f"https://graph.instagram.test/v25.0/{IG_ID}/messages",
                  match=[matchers.header_matcher({"Authorization": "Bearer IGAAtoken"}),
                         matchers.json_params_matcher(out.body)],
                  json={"recipient_id": IGSID, "message_id": "aWdf_sent"})
        result = sender.send(out)
    assert (result.ok, result.message_id) == (True, "aWdf_sent")


def test_without_an_instagram_token_nothing_is_sent_and_the_channel_says_so():
    settings = Settings(messenger_page_access_token="page", instagram_account_id=IG_ID)
    sender = GraphSender(settings, sleep=lambda seconds: None)
    with responses.RequestsMock():                    # any request would fail the test
        result = sender.send(instagram.render(Text("hi"), IGSID)[0])
    assert not result.ok and "instagram" in str(result.error)


def test_without_an_account_id_nothing_is_sent():
    with pytest.raises(AuthError, match="INSTAGRAM_ACCOUNT_ID"):
        instagram.send_path(Outgoing("instagram", IGSID, {}, "message"), Settings())


def test_an_image_is_sent_by_its_url_alone_without_messenger_s_is_reusable():
    image, _ = render(Image("https://s/a.jpg", "قميص أبيض"))
    assert image.body["message"] == {"attachment": {"type": "image", "payload": {"url": "https://s/a.jpg"}}}
    messenger_image, _ = messenger.render(Image("https://s/a.jpg", "قميص أبيض"), IGSID)
    assert messenger_image.body["message"]["attachment"]["payload"]["is_reusable"] is True


def test_quick_reply_payloads_keep_to_instagram_s_own_limit():
    assert instagram.render.style.quick_reply_payload_max == limits.INSTAGRAM_QUICK_REPLY_PAYLOAD_MAX
    [out] = render(QuickReplies("pick", (Choice("A", "P" * 1500),)))
    assert len(out.body["message"]["quick_replies"][0]["payload"]) == limits.INSTAGRAM_QUICK_REPLY_PAYLOAD_MAX


# What graph.instagram.com answers (HTTP 400) when a send cannot be delivered; see the sources in
# bot/channels/meta/errors.py (SUBCODE_CLASSES).
IG_OUTSIDE_WINDOW = {"error": {"message": "This message is sent outside of allowed window.", "type": "OAuthException",
                               "code": 10, "error_subcode": 2534022, "is_transient": False, "fbtrace_id": "AzQx1"}}
IG_NO_USER = {"error": {"message": "No matching user found", "type": "OAuthException", "code": 100,
                        "error_subcode": 2534014, "is_transient": False, "fbtrace_id": "AzQx2"}}


def _send_refused(body: dict):
    settings = Settings(instagram_access_token="IGAAtoken", instagram_account_id=IG_ID,
                        instagram_api_url="https://graph.instagram.test", messenger_page_access_token="page")
    sender = GraphSender(settings, sleep=lambda seconds: None)
    with responses.RequestsMock() as mock:
        mock.post(f"https://graph.instagram.test/v25.0/{IG_ID}/messages", json=body, status=400)
        result = sender.send(instagram.render(Text("hi"), IGSID)[0])
    return sender, result


def test_a_send_outside_the_window_closes_that_customer_s_window_and_pauses_nothing():
    sender, result = _send_refused(IG_OUTSIDE_WINDOW)
    assert isinstance(result.error, WindowClosed) and result.attempts == 1
    assert sender.is_window_closed("instagram", IGSID)
    assert sender.alarms.active() == {}                # no instagram.permission: the channel keeps sending
    assert not waits_for_graph(instagram.render(Text("hi"), IGSID)[0], result.error)


def test_a_customer_instagram_no_longer_knows_is_unreachable_not_an_alarm():
    sender, result = _send_refused(IG_NO_USER)
    assert isinstance(result.error, RecipientUnavailable) and result.attempts == 1
    assert sender.status()["unreachable"] == 1 and sender.alarms.active() == {}
