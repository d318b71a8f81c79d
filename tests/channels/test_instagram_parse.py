"""Instagram parsing (bot/channels/instagram/parse.py): every recorded payload of tests/payloads/instagram/
becomes the events it should, and what only Instagram sends (story replies and mentions, deleted and
unsupported messages, messaging_seen) is read as such."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.channels import parse_delivery
from bot.events import Kind, Platform

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "instagram"
IGSID, IG_ID = "1254477777772919", "17841405822304914"


def events_of(name: str):
    return parse_delivery(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")), received_at=1.0)


CASES = [
    ("ig_text_meta_docs", [Kind.TEXT], [True]),
    ("ig_quick_reply_meta_docs", [Kind.PAYLOAD], [True]),
    ("ig_postback_generic_template_button_meta_docs", [Kind.PAYLOAD], [True]),
    ("ig_icebreaker_postback_meta_docs", [Kind.PAYLOAD], [True]),
    ("ig_image_attachment_meta_docs", [Kind.ATTACHMENT], [True]),
    ("ig_share_attachment_meta_docs", [Kind.ATTACHMENT], [True]),
    ("ig_reel_attachment_meta_docs", [Kind.ATTACHMENT], [True]),
    ("ig_story_reply_meta_docs", [Kind.TEXT], [True]),
    ("ig_reply_to_message_meta_docs", [Kind.TEXT], [True]),
    ("ig_unsupported_message_meta_docs", [Kind.UNSUPPORTED], [True]),
    ("ig_referral_igme_link_meta_docs", [Kind.REFERRAL], [True]),
    ("ig_batched_two_entries_meta_docs", [Kind.TEXT, Kind.TEXT], [True, True]),
    ("ig_story_mention_meta_docs", [Kind.MENTION], [False]),
    ("ig_echo_text_meta_docs", [Kind.ECHO], [False]),
    ("ig_deleted_message_meta_docs", [Kind.REVOKE], [False]),
    ("ig_reaction_react_meta_docs", [Kind.REACTION], [False]),
    ("ig_reaction_unreact_meta_docs", [Kind.REACTION], [False]),
    ("ig_messaging_seen_meta_docs", [Kind.READ], [False]),
    ("ig_referral_ad_meta_docs", [Kind.REFERRAL], [False]),
    ("ig_comments_field_change_meta_docs", [], []),
]


@pytest.mark.parametrize(("name", "kinds", "answerable"), CASES)
def test_every_recorded_payload_gives_its_events(name, kinds, answerable):
    events = events_of(name)
    assert [event.kind for event in events] == kinds
    assert [event.answerable for event in events] == answerable
    assert all(event.platform is Platform.INSTAGRAM for event in events)


def test_every_payload_file_is_covered_above():
    covered = {name for name, _, _ in CASES}
    assert covered == {path.stem for path in PAYLOADS.glob("*.json")}


def test_a_text_is_from_the_igsid_to_the_professional_account():
    [event] = events_of("ig_text_meta_docs")
    assert (event.customer_id, event.recipient_id, event.text) == (IGSID, IG_ID, "عايز تيشيرت اسود")
    assert event.message_id.startswith("aWdf") and event.timestamp == pytest.approx(1569262485.349)


def test_a_quick_reply_routes_on_its_payload():
    [event] = events_of("ig_quick_reply_meta_docs")
    assert (event.payload, event.text, event.data["source"]) == ("COLOR:black", "Black", "quick_reply")


def test_a_story_reply_is_text_with_the_story_as_context():
    [event] = events_of("ig_story_reply_meta_docs")
    assert event.text == "بكام ده؟"
    assert event.data["story"]["id"] == "17887499228612345"
    assert event.data["story"]["url"].startswith("https://lookaside.fbsbx.com/")


def test_a_story_mention_is_recorded_with_its_url_not_answered():
    [event] = events_of("ig_story_mention_meta_docs")
    assert (event.kind, event.customer_id, event.data["type"]) == (Kind.MENTION, IGSID, "story_mention")
    assert event.data["url"].startswith("https://lookaside.fbsbx.com/")


def test_an_echo_belongs_to_the_customer_it_was_sent_to():
    [event] = events_of("ig_echo_text_meta_docs")
    assert (event.customer_id, event.recipient_id, event.data["is_echo"]) == (IGSID, IG_ID, True)


def test_a_deleted_message_names_the_message():
    [event] = events_of("ig_deleted_message_meta_docs")
    assert event.data["deleted_mid"] == event.message_id != ""


def test_messaging_seen_reads_up_to_the_item_time():
    [event] = events_of("ig_messaging_seen_meta_docs")
    assert event.data["watermark"] == pytest.approx(1569262485.349)
    assert event.data["mid"].startswith("aWdf")


def test_an_ad_referral_is_recorded_and_an_igme_link_answered():
    [ad] = events_of("ig_referral_ad_meta_docs")
    assert (ad.customer_id, ad.data["sender_id"], ad.data["ad_id"]) == ("", IGSID, "23851234567890123")
    [link] = events_of("ig_referral_igme_link_meta_docs")
    assert (link.customer_id, link.payload, link.data["source"]) == (IGSID, "summer-sale", "IGME")


def test_a_reel_keeps_its_type_and_title():
    [event] = events_of("ig_reel_attachment_meta_docs")
    assert (event.data["type"], event.data["title"]) == ("ig_reel", "New summer collection")


def test_messenger_and_instagram_items_of_the_same_shape_are_different_events():
    item = {"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1, "message": {"mid": "m1", "text": "x"}}
    [on_ig] = parse_delivery({"object": "instagram", "entry": [{"id": "2", "messaging": [item]}]})
    [on_page] = parse_delivery({"object": "page", "entry": [{"id": "2", "messaging": [item]}]})
    assert (on_ig.platform, on_page.platform) == (Platform.INSTAGRAM, Platform.MESSENGER)
    assert on_ig.dedupe_key != on_page.dedupe_key


@pytest.mark.parametrize("item", [
    {"message": {"is_deleted": "yes", "mid": 3}},
    {"message": {"attachments": "story_mention"}},
    {"message": {"reply_to": {"story": "nope"}, "text": "hi"}},
    {"read": None},
    "not an object",
])
def test_odd_items_never_break_the_delivery(item):
    good = {"sender": {"id": "9"}, "recipient": {"id": "2"}, "timestamp": 1, "message": {"mid": "ok", "text": "hi"}}
    odd = item if isinstance(item, str) else {"sender": {"id": "9"}, "recipient": {"id": "2"}, "timestamp": 1} | item
    events = parse_delivery({"object": "instagram", "entry": [{"id": "2", "messaging": [odd, good]}]})
    assert events[-1].text == "hi"


def test_an_item_from_the_account_itself_is_an_echo_even_without_is_echo():
    body = json.loads((PAYLOADS / "ig_echo_text_meta_docs.json").read_text(encoding="utf-8"))
    del body["entry"][0]["messaging"][0]["message"]["is_echo"]
    [event] = parse_delivery(body)
    assert event.kind is Kind.ECHO and not event.answerable
    assert (event.customer_id, event.recipient_id) == (IGSID, IG_ID)


def test_a_reaction_sent_by_the_account_is_an_echo_too():
    item = {"sender": {"id": IG_ID}, "recipient": {"id": IGSID}, "timestamp": 1,
            "reaction": {"mid": "m1", "action": "react", "reaction": "love"}}
    [event] = parse_delivery({"object": "instagram", "entry": [{"id": IG_ID, "messaging": [item]}]})
    assert (event.kind, event.customer_id, event.data["event"]) == (Kind.ECHO, IGSID, "reaction")


def test_unread_entry_changes_are_named_in_the_log(caplog):
    with caplog.at_level(logging.INFO, logger="bot.channels.messenger"):
        assert events_of("ig_comments_field_change_meta_docs") == []
    [record] = [r for r in caplog.records if "not read" in r.getMessage()]
    assert record.levelno == logging.INFO and "['comments']" in record.getMessage()
    assert "price?" not in caplog.text and "customer.cairo" not in caplog.text


def test_an_edited_message_is_recorded_as_an_edit():
    item = {"sender": {"id": IGSID}, "recipient": {"id": IG_ID}, "timestamp": 1,
            "message_edit": {"mid": "aWdf_1", "text": "بكام؟", "num_edit": 1}}
    [event] = parse_delivery({"object": "instagram", "entry": [{"id": IG_ID, "messaging": [item]}]})
    assert event.kind is Kind.EDIT and not event.answerable
    assert event.data == {"event": "message_edit", "edited_mid": "aWdf_1", "text": "بكام؟"}
