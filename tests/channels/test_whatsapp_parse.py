"""WhatsApp webhook parsing: every recorded payload against its README action, each message type,
statuses and errors, identity (wa_id, BSUID, groups), and fuzzing."""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels import parse_delivery, whatsapp
from bot.events import Event, Kind, Platform

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
FILES = sorted(path.name for path in (PAYLOADS / "whatsapp").glob("*.json"))

# Rows where the README leaves the choice to us, and the choice we made (quoted from the row).
DECISIONS = {
    "wa_interactive_missing_body_pywa.json": ("REPLY", "generic fallback"),
    "wa_invalid_timestamp_courier.json": ("REPLY", "process with receive time"),
}


def readme_rows() -> dict[str, str]:
    rows = {}
    for line in (PAYLOADS / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `whatsapp/([^`]+)` \|(.*)\|(.*)\|\s*$", line)
        if match:
            rows[match[1]] = match[3].strip()
    return rows


def expected_action(name: str, rows: dict[str, str]) -> str:
    """REPLY or NO_REPLY for one file, following "Same as ..." rows."""
    if name in DECISIONS:
        return DECISIONS[name][0]
    action = rows[name]
    if action.startswith("REPLY") or action.endswith("then REPLY."):
        return "REPLY"
    if action.startswith(("RECORD", "IGNORE")):
        return "NO_REPLY"
    names = list(rows)
    if action.startswith("Same as above"):
        return expected_action(names[names.index(name) - 1], rows)
    target = action.removeprefix("Same as ").rstrip(". ").replace(" ", "_")
    return expected_action(next(other for other in names if target in other and other != name), rows)


def parse_file(name: str, received_at: float = 1_800_000_000.0) -> list[Event]:
    return parse_delivery(json.loads((PAYLOADS / "whatsapp" / name).read_bytes()), received_at=received_at)


def test_readme_table_covers_every_recorded_file():
    assert sorted(readme_rows()) == FILES
    assert len(FILES) == 47


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_our_choices_are_among_those_the_readme_allows(name):
    assert DECISIONS[name][1] in readme_rows()[name]


@pytest.mark.parametrize("name", FILES)
def test_recorded_payload_gets_the_readme_action(name):
    action = expected_action(name, readme_rows())
    answerable = [event for event in parse_file(name) if event.answerable]
    if action == "REPLY":
        assert answerable, f"{name}: README says REPLY but no event is answerable"
    else:
        assert not answerable, f"{name}: README says no reply but got {answerable}"


EXPECTED: dict[str, list[tuple[Kind, str, str, str]]] = {
    "wa_audio_voice_note_pywa.json": [(Kind.ATTACHMENT, "972987654321", "", "")],
    "wa_batched_two_changes_netflie.json": [
        (Kind.TEXT, "PHONE_NUMBER", "MESSAGE_BODY", ""),
        (Kind.TEXT, "PHONE_NUMBER", "MESSAGE_BODY2", ""),
    ],
    "wa_bsuid_only_no_from_netflie.json": [(Kind.TEXT, "BSUID_123", "MESSAGE_BODY", "")],
    "wa_button_reply_meta_docs.json": [(Kind.PAYLOAD, "16505551234", "Change", "change-button")],
    "wa_button_reply_pywa.json": [(Kind.PAYLOAD, "972987654321", "title", "callback_data")],
    "wa_contact_without_profile_netflie.json": [(Kind.TEXT, "PHONE_NUMBER", "MESSAGE_BODY", "")],
    "wa_contacts_shared_pywa.json": [(Kind.CONTACTS, "972987654321", "", "")],
    "wa_document_forwarded_pywa.json": [(Kind.ATTACHMENT, "972987654321", "caption", "")],
    "wa_duplicate_message_in_one_change_courier.json": [
        (Kind.TEXT, "5678", "Hello World", ""),
        (Kind.TEXT, "5678", "Hello World", ""),
    ],
    "wa_flow_nfm_reply_courier.json": [(Kind.UNSUPPORTED, "5678", "", "")],
    "wa_from_user_id_parent_bsuid_courier.json": [(Kind.TEXT, "US.1234", "Hello World", "")],
    "wa_group_message_courier.json": [(Kind.TEXT, "", "Hello World, group message", "")],
    "wa_image_pywa.json": [(Kind.ATTACHMENT, "972987654321", "", "")],
    "wa_image_with_url_pywa.json": [(Kind.ATTACHMENT, "972987654321", "", "")],
    "wa_interactive_missing_body_pywa.json": [(Kind.UNSUPPORTED, "972987654321", "", ""), (Kind.ERROR, "", "", "")],
    "wa_invalid_timestamp_courier.json": [(Kind.TEXT, "bla", "Hello World", "")],
    "wa_list_reply_meta_docs.json": [(Kind.PAYLOAD, "16505551234", "Priority Mail Express", "priority_express")],
    "wa_list_reply_with_description_pywa.json": [(Kind.PAYLOAD, "972987654321", "title", "callback_data")],
    "wa_location_named_place_pywa.json": [(Kind.LOCATION, "972987654321", "", "")],
    "wa_location_pin_pywa.json": [(Kind.LOCATION, "972987654321", "", "")],
    "wa_message_without_from_courier.json": [(Kind.TEXT, "", "Hello World", "")],
    "wa_order_cart_pywa.json": [(Kind.ORDER, "972987654321", "", "")],
    "wa_order_meta_docs.json": [(Kind.ORDER, "16505551234", "Love these!", "")],
    "wa_reaction_pywa.json": [(Kind.REACTION, "972987654321", "", "")],
    "wa_reaction_removed_empty_emoji_pywa.json": [(Kind.REACTION, "972987654321", "", "")],
    "wa_revoke_deleted_message_pywa.json": [(Kind.REVOKE, "<WHATSAPP_USER_PHONE_NUMBER>", "", "")],
    "wa_status_delivered_pywa.json": [(Kind.STATUS, "972987654321", "", "")],
    "wa_status_failed_130472_pywa.json": [(Kind.STATUS, "972987654321", "", "")],
    "wa_status_failed_131014_media_url_courier.json": [(Kind.STATUS, "5678", "", "")],
    "wa_status_failed_131049_meta_docs.json": [(Kind.STATUS, "16505551234", "", "")],
    "wa_status_failed_131053_netflie.json": [(Kind.STATUS, "CUSTOMER_PHONE_NUMBER", "", "")],
    "wa_status_read_pywa.json": [(Kind.STATUS, "972987654321", "", "")],
    "wa_status_sent_with_pricing_meta_docs.json": [(Kind.STATUS, "16505551234", "", "")],
    "wa_status_unknown_value_deleted_courier.json": [],
    "wa_sticker_pywa.json": [(Kind.ATTACHMENT, "972987654321", "", "")],
    "wa_system_user_changed_number_pywa.json": [(Kind.SYSTEM, "972987654321", "", "")],
    "wa_template_quick_reply_button_pywa.json": [(Kind.PAYLOAD, "972987654321", "title", "callback_data")],
    "wa_text_ctwa_ad_referral_pywa.json": [(Kind.TEXT, "972987654321", "BODY", "")],
    "wa_text_forwarded_pywa.json": [(Kind.TEXT, "972987654321", "forwarded text", "")],
    "wa_text_meta_docs.json": [(Kind.TEXT, "16505551234", "Does it come in another color?", "")],
    "wa_text_reply_with_context_pywa.json": [(Kind.TEXT, "972987654321", "replied text", "")],
    "wa_text_signed_raw_body.json": [(Kind.TEXT, "972500000001", "Hey there! I am using PyWa.", "")],
    "wa_unknown_type_legacy_netflie.json": [(Kind.UNSUPPORTED, "PHONE_NUMBER", "", "")],
    "wa_unsupported_edit_meta_docs.json": [(Kind.UNSUPPORTED, "16505551234", "", "")],
    "wa_unsupported_no_subtype_pywa.json": [(Kind.UNSUPPORTED, "972987654321", "", "")],
    "wa_unsupported_with_text_courier.json": [(Kind.UNSUPPORTED, "5678", "", "")],
    "wa_value_level_errors_courier.json": [(Kind.ERROR, "", "", "")],
}


@pytest.mark.parametrize("name", FILES)
def test_recorded_payload_gives_exactly_the_expected_events(name):
    events = parse_file(name)
    assert [(e.kind, e.customer_id, e.text, e.payload) for e in events] == EXPECTED[name]
    for event in events:
        assert event.platform is Platform.WHATSAPP
        assert event.recipient_id, "the business phone_number_id is always filled"
        assert Event.from_dict(json.loads(json.dumps(event.to_dict(), ensure_ascii=False))) == event


def _one(name: str) -> Event:
    events = parse_file(name)
    assert len(events) == 1
    return events[0]


def _wa(message: dict, contacts: list | None = None, **value) -> dict:
    message = {"from": "201001234567", "id": "wamid.T1", "timestamp": "1700000000"} | message
    body_value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "201000000000", "phone_number_id": "555"},
        "contacts": [{"profile": {"name": "Mona"}, "wa_id": "201001234567"}] if contacts is None else contacts,
        "messages": [message],
    } | value
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba", "changes": [{"field": "messages", "value": body_value}]}],
    }


# ---------------------------------------------------------------------------------------------
# Messages


def test_text_fields():
    event = _one("wa_text_meta_docs.json")
    assert event.message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert event.recipient_id == "106540352242922"
    assert event.timestamp == 1749416383.0
    assert event.data["profile_name"] == "Sheena Nelson"


def test_arabic_text_is_kept_as_is():
    (event,) = parse_delivery(_wa({"type": "text", "text": {"body": "عايز قميص أبيض مقاس L ب ٣٠٠ جنيه"}}))
    assert event.text == "عايز قميص أبيض مقاس L ب ٣٠٠ جنيه"
    assert event.customer_id == "201001234567" and event.answerable


def test_reply_context_and_forwarded_flags():
    quoted = _one("wa_text_reply_with_context_pywa.json")
    assert (quoted.data["context_id"], quoted.data["context_from"]) == ("wamid.xyzxyz==", "972123456789")
    assert quoted.data["forwarded"] is False
    assert _one("wa_text_forwarded_pywa.json").data["forwarded"] is True
    (frequent,) = parse_delivery(
        _wa({"type": "text", "text": {"body": "x"}, "context": {"frequently_forwarded": True}})
    )
    assert frequent.data["forwarded"] is True and frequent.data["frequently_forwarded"] is True


def test_ad_referral_is_kept_on_the_text():
    event = _one("wa_text_ctwa_ad_referral_pywa.json")
    assert event.data["referral"]["source_id"] == "ADID"
    assert event.data["referral"]["ctwa_clid"] == "CTWA_CLID"


def test_referred_product_inquiry():
    context = {
        "from": "201000000000",
        "id": "wamid.P",
        "referred_product": {"catalog_id": 77, "product_retailer_id": "53"},
    }
    (event,) = parse_delivery(_wa({"type": "text", "text": {"body": "متاح؟"}, "context": context}))
    assert event.data["referred_product"] == {"catalog_id": "77", "product_retailer_id": "53"}


@pytest.mark.parametrize(
    ("name", "payload", "title", "interactive_type"),
    [
        ("wa_button_reply_meta_docs.json", "change-button", "Change", "button_reply"),
        ("wa_list_reply_meta_docs.json", "priority_express", "Priority Mail Express", "list_reply"),
    ],
)
def test_interactive_replies_route_on_their_id(name, payload, title, interactive_type):
    event = _one(name)
    assert (event.kind, event.payload, event.text) == (Kind.PAYLOAD, payload, title)
    assert event.data["interactive_type"] == interactive_type


def test_list_reply_keeps_its_description():
    assert _one("wa_list_reply_meta_docs.json").data["description"] == "Next Day to 2 Days"


def test_template_button_routes_on_its_payload():
    event = _one("wa_template_quick_reply_button_pywa.json")
    assert (event.kind, event.payload, event.text, event.data["source"]) == (
        Kind.PAYLOAD,
        "callback_data",
        "title",
        "template_button",
    )


def test_flow_reply_is_unsupported_and_keeps_the_response():
    event = _one("wa_flow_nfm_reply_courier.json")
    assert event.data["interactive_type"] == "nfm_reply"
    assert json.loads(event.data["flow"]["response_json"])["first_name"] == "Bob"


def test_interactive_without_its_object_is_unsupported_and_value_errors_kept():
    unsupported, error = parse_file("wa_interactive_missing_body_pywa.json")
    assert unsupported.kind is Kind.UNSUPPORTED and unsupported.data["interactive_type"] == ""
    assert error.data["errors"][0]["code"] == 131000
    assert error.data["errors"][0]["details"] == "Unsupported webhook payload"


@pytest.mark.parametrize(
    ("name", "kind", "extra"),
    [
        ("wa_image_pywa.json", "image", {"media_id": "65463453", "mime_type": "image/jpeg", "url": ""}),
        ("wa_image_with_url_pywa.json", "image", {"media_id": "65463453"}),
        ("wa_audio_voice_note_pywa.json", "audio", {"voice": True}),
        ("wa_sticker_pywa.json", "sticker", {"animated": False, "mime_type": "image/webp"}),
        (
            "wa_document_forwarded_pywa.json",
            "file",
            {"filename": "filename.pdf", "caption": "caption", "forwarded": True},
        ),
    ],
)
def test_media_attachments(name, kind, extra):
    event = _one(name)
    assert event.kind is Kind.ATTACHMENT and event.data["type"] == kind
    for key, value in extra.items():
        assert event.data[key] == value


def test_image_with_lookaside_url_keeps_it():
    assert _one("wa_image_with_url_pywa.json").data["url"].startswith("https://lookaside.fbsbx.com/")


def test_video_attachment():
    (event,) = parse_delivery(_wa({"type": "video", "video": {"id": "v1", "mime_type": "video/mp4", "caption": "ده"}}))
    assert (event.kind, event.data["type"], event.text, event.data["media_id"]) == (
        Kind.ATTACHMENT,
        "video",
        "ده",
        "v1",
    )


def test_locations():
    named = _one("wa_location_named_place_pywa.json")
    assert (named.data["latitude"], named.data["longitude"]) == (37.4611978, -122.2164385)
    assert (named.data["name"], named.data["address"]) == ("Facebook HQ", "1 Hacker Way, Menlo Park, CA 94025")
    pin = _one("wa_location_pin_pywa.json")
    assert (pin.data["latitude"], pin.data["name"], pin.data["address"]) == (12.25089, "", "")


def test_shared_contacts():
    event = _one("wa_contacts_shared_pywa.json")
    assert [card["name"] for card in event.data["contacts"]] == ["Chandler Bing", "Monica", "Rachel Green"]
    assert event.data["contacts"][0]["phones"] == ["+1 555-555-5555"]


def test_orders():
    event = _one("wa_order_meta_docs.json")
    assert event.data["catalog_id"] == "194836987003835"
    assert event.data["items"] == [
        {"retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"},
        {"retailer_id": "nqryix03ez", "quantity": 1, "item_price": 25, "currency": "USD"},
    ]
    cart = _one("wa_order_cart_pywa.json")
    assert len(cart.data["items"]) == 3 and cart.text == ""


def test_reactions_and_removal():
    reaction = _one("wa_reaction_pywa.json")
    assert (reaction.data["emoji"], reaction.data["action"], reaction.data["target_message_id"]) == (
        "😮",
        "react",
        "wamid.yzxyzx=",
    )
    removed = _one("wa_reaction_removed_empty_emoji_pywa.json")
    assert (removed.data["emoji"], removed.data["action"]) == ("", "unreact")
    assert not reaction.answerable and not removed.answerable


def test_revoke_points_at_the_deleted_message():
    event = _one("wa_revoke_deleted_message_pywa.json")
    assert event.data["original_message_id"] == "<ORIGINAL_WHATSAPP_MESSAGE_ID>"


def test_system_number_change():
    event = _one("wa_system_user_changed_number_pywa.json")
    assert (event.data["system_type"], event.data["new_wa_id"]) == ("user_changed_number", "972912345678")
    assert not event.answerable


@pytest.mark.parametrize(
    ("name", "subtype"),
    [
        ("wa_unsupported_edit_meta_docs.json", "edit"),
        ("wa_unsupported_no_subtype_pywa.json", ""),
        ("wa_unsupported_with_text_courier.json", ""),
        ("wa_unknown_type_legacy_netflie.json", ""),
    ],
)
def test_unsupported_messages_keep_errors(name, subtype):
    event = _one(name)
    assert event.kind is Kind.UNSUPPORTED and event.data["unsupported_type"] == subtype
    assert event.data["errors"][0]["code"] == 131051
    assert event.data["errors"][0]["title"]


def test_an_unknown_type_is_recorded_not_answered(caplog):
    with caplog.at_level(logging.INFO, logger="bot.channels.whatsapp"):
        (event,) = parse_delivery(_wa({"type": "poll_vote", "poll_vote": {"x": 1}}))
    assert event.kind is Kind.UNKNOWN and event.data["type"] == "poll_vote" and not event.answerable
    assert "poll_vote" in caplog.text


# ---------------------------------------------------------------------------------------------
# Identity: wa_id, business-scoped ids, no way to answer, groups


def test_bsuid_only_message_is_keyed_on_the_contact_user_id():
    event = _one("wa_bsuid_only_no_from_netflie.json")
    assert event.customer_id == "BSUID_123" and event.answerable
    assert (event.data["wa_id"], event.data["user_id"]) == ("", "BSUID_123")


def test_from_user_id_is_the_customer_and_parent_and_username_are_kept():
    event = _one("wa_from_user_id_parent_bsuid_courier.json")
    assert event.customer_id == "US.1234"
    assert (event.data["parent_user_id"], event.data["username"]) == ("US.ENT.5678", "kfisher")


def test_from_wins_over_user_id_but_both_are_kept():
    event = _one("wa_audio_voice_note_pywa.json")
    assert event.customer_id == "972987654321"
    assert event.data["user_id"] == "US.13491208655302741918"


def test_contact_is_matched_by_wa_id_when_there_are_several():
    contacts = [
        {"profile": {"name": "Other"}, "wa_id": "2010000"},
        {"profile": {"name": "Mona"}, "wa_id": "201001234567"},
    ]
    (event,) = parse_delivery(_wa({"type": "text", "text": {"body": "x"}}, contacts=contacts))
    assert event.data["profile_name"] == "Mona"


def test_message_without_any_id_cannot_be_answered():
    event = _one("wa_message_without_from_courier.json")
    assert event.customer_id == "" and not event.answerable
    assert event.message_id == "external_id"


def test_contact_without_profile_gives_an_empty_name():
    assert _one("wa_contact_without_profile_netflie.json").data["profile_name"] == ""


def test_group_messages_are_recorded_not_answered():
    event = _one("wa_group_message_courier.json")
    assert not event.answerable
    assert (event.data["group_id"], event.data["group_sender"]) == ("555555555", "5678")


def test_invalid_timestamp_uses_receive_time():
    event = _one("wa_invalid_timestamp_courier.json")
    assert event.timestamp == 1_800_000_000.0 and event.customer_id == "bla"
    assert parse_file("wa_invalid_timestamp_courier.json", received_at=0.0)[0].timestamp == 0.0


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), 10**400, -1, "asdf", None, {"x": 1}])
def test_unusable_timestamps_fall_back_to_receive_time(bad):
    status = {"id": "wamid.S", "status": "read", "timestamp": bad, "recipient_id": "20100"}
    body = _wa({"type": "text", "text": {"body": "x"}, "timestamp": bad}, statuses=[status])
    assert [event.timestamp for event in parse_delivery(body, received_at=9.0)] == [9.0, 9.0]


def test_integer_and_millisecond_timestamps():
    (seconds,) = parse_delivery(_wa({"type": "text", "text": {"body": "x"}, "timestamp": 1700000000}))
    (millis,) = parse_delivery(_wa({"type": "text", "text": {"body": "x"}, "timestamp": "1700000000123"}))
    assert seconds.timestamp == 1700000000.0
    assert millis.timestamp == pytest.approx(1700000000.123)


# ---------------------------------------------------------------------------------------------
# Statuses and errors


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("wa_status_sent_with_pricing_meta_docs.json", "sent"),
        ("wa_status_delivered_pywa.json", "delivered"),
        ("wa_status_read_pywa.json", "read"),
    ],
)
def test_statuses(name, value):
    event = _one(name)
    assert (event.kind, event.data["status"], event.data["errors"]) == (Kind.STATUS, value, [])
    assert event.dedupe_key == f"whatsapp:status:{event.message_id}:{value}"


@pytest.mark.parametrize(
    ("name", "code", "title"),
    [
        ("wa_status_failed_130472_pywa.json", 130472, "User's number is part of an experiment"),
        (
            "wa_status_failed_131014_media_url_courier.json",
            131014,
            "Request for url https://URL.jpg failed with error: 404 (Not Found)",
        ),
        (
            "wa_status_failed_131049_meta_docs.json",
            131049,
            "This message was not delivered to maintain healthy ecosystem engagement.",
        ),
        ("wa_status_failed_131053_netflie.json", 131053, "ERROR_TITLE"),
    ],
)
def test_failed_statuses_carry_their_errors(name, code, title):
    event = _one(name)
    assert event.data["status"] == "failed"
    error = event.data["errors"][0]
    assert (error["code"], error["title"]) == (code, title)
    assert set(error) >= {"code", "title", "message"}


def test_failed_status_keeps_details():
    error = _one("wa_status_failed_131049_meta_docs.json").data["errors"][0]
    assert error["details"].startswith("In order to maintain")


def test_unknown_status_value_is_ignored_with_a_log_line(caplog):
    with caplog.at_level(logging.INFO, logger="bot.channels.whatsapp"):
        assert parse_file("wa_status_unknown_value_deleted_courier.json") == []
    assert "deleted" in caplog.text


def test_played_status_and_bsuid_recipient():
    status = {"id": "wamid.S", "status": "played", "timestamp": "1700000000", "recipient_user_id": "EG.99"}
    body = _wa({"type": "text", "text": {"body": "x"}}, statuses=[status])
    text, played = parse_delivery(body)
    assert (played.kind, played.data["status"], played.customer_id) == (Kind.STATUS, "played", "EG.99")


def test_value_level_errors_are_alarms(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.channels.whatsapp"):
        event = _one("wa_value_level_errors_courier.json")
    assert event.kind is Kind.ERROR and not event.answerable
    assert event.data["errors"] == [
        {"code": 0, "title": "We were unable to authenticate the app user", "message": "", "details": "", "href": ""}
    ]
    assert "platform error" in caplog.text


# ---------------------------------------------------------------------------------------------
# Batches and duplicates


def test_batched_changes_with_the_same_placeholder_id_both_survive_dedupe():
    first, second = parse_file("wa_batched_two_changes_netflie.json")
    assert first.dedupe_key != second.dedupe_key
    assert first.message_id == "wamid.ID"
    assert second.message_id.startswith("wamid.ID#")
    assert second.data["platform_message_id"] == "wamid.ID"
    again = parse_file("wa_batched_two_changes_netflie.json")
    assert [e.dedupe_key for e in again] == [first.dedupe_key, second.dedupe_key]


def test_the_same_message_twice_in_one_change_shares_one_key():
    first, second = parse_file("wa_duplicate_message_in_one_change_courier.json")
    assert first.dedupe_key == second.dedupe_key
    assert first.message_id == second.message_id == "external_id"


def test_other_change_fields_are_skipped():
    body = _wa({"type": "text", "text": {"body": "x"}})
    body["entry"][0]["changes"].insert(0, {"field": "message_template_status_update", "value": {"event": "APPROVED"}})
    (event,) = parse_delivery(body)
    assert event.text == "x"


def test_a_broken_message_does_not_drop_the_others():
    good = {"from": "20100", "id": "wamid.G", "timestamp": "1700000000", "type": "text", "text": {"body": "ok"}}
    value = {
        "metadata": {"phone_number_id": "555"},
        "contacts": "junk",
        "messages": ["junk", {"type": "image", "image": "junk"}, {"type": ["x"], "from": {"a": 1}}, good],
        "statuses": [None, {"status": "read", "id": ["x"]}],
        "errors": ["junk"],
    }
    body = {"object": "whatsapp_business_account", "entry": [None, {"changes": ["junk", {"value": value}]}]}
    events = parse_delivery(body)
    assert [e.text for e in events if e.answerable] == ["ok"]


# ---------------------------------------------------------------------------------------------
# Fuzzing

KEYS = [
    "object",
    "entry",
    "id",
    "changes",
    "field",
    "value",
    "metadata",
    "phone_number_id",
    "contacts",
    "profile",
    "name",
    "wa_id",
    "user_id",
    "messages",
    "statuses",
    "errors",
    "from",
    "from_user_id",
    "timestamp",
    "type",
    "text",
    "body",
    "interactive",
    "button_reply",
    "list_reply",
    "nfm_reply",
    "title",
    "description",
    "button",
    "payload",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "caption",
    "location",
    "latitude",
    "longitude",
    "order",
    "product_items",
    "reaction",
    "emoji",
    "message_id",
    "revoke",
    "system",
    "unsupported",
    "context",
    "forwarded",
    "referral",
    "group_id",
    "status",
    "recipient_id",
    "code",
    "error_data",
    "details",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from([10**400, -(10**400), 1e308])
    | st.text(max_size=12)
    | st.sampled_from(["messages", "text", "interactive", "read"])
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=30,
)
MESSAGES = st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=8)
VALUES = st.dictionaries(
    st.sampled_from(["metadata", "contacts", "messages", "statuses", "errors"]),
    st.lists(MESSAGES, max_size=3) | JSONISH,
)
CHANGES = st.dictionaries(st.sampled_from(["field", "value"]), VALUES | JSONISH)
BODIES = st.fixed_dictionaries(
    {
        "object": st.just("whatsapp_business_account"),
        "entry": st.lists(st.fixed_dictionaries({"changes": st.lists(CHANGES, max_size=3)}), max_size=2) | JSONISH,
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_fuzzed_whatsapp_bodies_never_raise(body):
    for event in parse_delivery(body):
        assert isinstance(event.customer_id, str) and isinstance(event.message_id, str)
        assert isinstance(event.text, str) and isinstance(event.payload, str)
        assert math.isfinite(event.timestamp) and event.timestamp >= 0
        json.dumps(event.to_dict(), default=str)


def test_known_statuses_constant_matches_the_spec():
    assert whatsapp.KNOWN_STATUSES == {"sent", "delivered", "read", "failed", "played"}


# ---------------------------------------------------------------------------------------------
# Odd input: absurd ids, lone surrogates, very long text


def _body(message: dict, *, phone_number_id: object = "106540352242922", contacts: list | None = None) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": phone_number_id},
        "contacts": contacts if contacts is not None else [],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def _text(
    sender: object = "966501234567", wamid: object = "wamid.HBgMOTY2NTAxMjM0NTY3FQIAEhgg", body: str = "hi"
) -> dict:
    return {"from": sender, "id": wamid, "timestamp": "1700000000", "type": "text", "text": {"body": body}}


@pytest.mark.parametrize("sender", ["9" * 70_000, "96650 1234567", "96650\ud8001234567", "x" * 300])
def test_an_absurd_sender_is_ignored_with_a_short_log_line(sender, caplog):
    caplog.set_level(logging.WARNING, "bot.channels")
    [event] = parse_delivery(_body(_text(sender)))
    assert event.customer_id == "" and not event.answerable and event.text == "hi"
    assert caplog.records and all(len(record.getMessage()) < 200 for record in caplog.records)


def test_absurd_message_and_phone_number_ids_are_dropped():
    [event] = parse_delivery(_body(_text(wamid="wamid." + "A" * 70_000), phone_number_id="1" * 1000))
    assert (event.message_id, event.recipient_id, event.customer_id) == ("", "", "966501234567")


def test_lone_surrogates_in_from_id_and_contacts_never_reach_an_event():
    contacts = [{"wa_id": "966501234567", "profile": {"name": "Mona\udc00"}}]
    [event] = parse_delivery(_body(_text(wamid="wamid.\ud83dAB", body="\ud83d hi"), contacts=contacts))
    assert event.message_id == "" and event.text == "\ufffd hi"
    assert event.data["profile_name"] == "Mona\ufffd"
    json.dumps(event.to_dict(), ensure_ascii=False).encode("utf-8")


def test_a_status_with_an_absurd_id_keeps_no_id():
    status = {"id": "wamid." + "B" * 400, "status": "read", "timestamp": "1700000000", "recipient_id": "966501234567"}
    body = _body(_text())
    body["entry"][0]["changes"][0]["value"] = {"metadata": {"phone_number_id": "1"}, "statuses": [status]}
    [event] = parse_delivery(body)
    assert event.kind is Kind.STATUS and event.message_id == "" and event.customer_id == "966501234567"


def test_long_text_is_cut_to_whatsapps_limit_not_dropped():
    [event] = parse_delivery(_body(_text(body="z" * 100_000)))
    assert event.kind is Kind.TEXT and event.text == "z" * 4096
