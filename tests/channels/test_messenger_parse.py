"""Messenger webhook parsing: every recorded payload against its README action, each event shape,
and fuzzing (no body shape makes the parser raise)."""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels import parse_delivery
from bot.channels.fields import safely
from bot.channels.messenger.parse import LIKE_STICKER_ID
from bot.errors import PayloadError
from bot.events import Event, Kind, Platform

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
FILES = sorted(path.name for path in (PAYLOADS / "messenger").glob("*.json"))

# ---------------------------------------------------------------------------------------------
# The README table: what the bot should do with each recorded payload


def readme_actions(folder: str) -> dict[str, str]:
    """``{file name: "REPLY" | "NO_REPLY"}`` from the README table of ``payloads/``."""
    rows: list[tuple[str, str]] = []
    for line in (PAYLOADS / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `(messenger|whatsapp)/([^`]+)` \|(.*)\|(.*)\|\s*$", line)
        if match:
            rows.append((f"{match[1]}/{match[2]}", match[4].strip()))
    resolved: dict[str, str] = {}
    for _ in range(3):  # "Same as above" may point at another "Same as ..." row
        for index, (path, action) in enumerate(rows):
            resolved[path] = _resolve(action, index, rows, resolved)
    return {path.split("/", 1)[1]: action for path, action in resolved.items() if path.startswith(folder + "/")}


def _resolve(action: str, index: int, rows: list[tuple[str, str]], resolved: dict[str, str]) -> str:
    """REPLY, NO_REPLY, or EITHER when the README leaves the choice to us."""
    if action.startswith("REPLY") or action.endswith("then REPLY."):
        return "REPLY"
    if action.startswith(("RECORD", "IGNORE")):
        return "NO_REPLY"
    if action.startswith("Same as above"):
        return resolved.get(rows[index - 1][0], "EITHER")
    if action.startswith("Same as "):
        target = action.removeprefix("Same as ").rstrip(". ").replace(" ", "_")
        return next(resolved.get(path, "EITHER") for path, _ in rows if target in path)
    return "EITHER"


def test_readme_table_covers_every_recorded_file():
    actions = readme_actions("messenger")
    assert sorted(actions) == FILES
    assert len(FILES) == 35


def parse_file(name: str, folder: str = "messenger") -> list[Event]:
    return parse_delivery(json.loads((PAYLOADS / folder / name).read_bytes()), received_at=1_800_000_000.0)


@pytest.mark.parametrize("name", FILES)
def test_recorded_payload_gets_the_readme_action(name):
    action = readme_actions("messenger")[name]
    answerable = [event for event in parse_file(name) if event.answerable]
    if action == "REPLY":
        assert answerable, f"{name}: README says REPLY but no event is answerable"
    else:
        assert action == "NO_REPLY"
        assert not answerable, f"{name}: README says no reply but got {answerable}"


# Every event of every recorded payload: (kind, customer_id, text, payload).
EXPECTED: dict[str, list[tuple[Kind, str, str, str]]] = {
    "messenger_account_linking_fbmessenger.json": [(Kind.ACCOUNT_LINKING, "1234", "", "")],
    "messenger_batched_two_entries_bottender.json": [
        (Kind.TEXT, "1412611362105802", "test 1", ""),
        (Kind.TEXT, "1412611362105802", "test 2", ""),
    ],
    "messenger_delivery_courier.json": [(Kind.DELIVERY, "5678", "", "")],
    "messenger_delivery_fbmessenger.json": [(Kind.DELIVERY, "1234", "", "")],
    "messenger_duplicate_mid_in_two_entries_courier.json": [
        (Kind.TEXT, "5678", "Hello World", ""),
        (Kind.TEXT, "5678", "Hello World", ""),
    ],
    "messenger_echo_minimal_courier.json": [(Kind.ECHO, "1234567890", "", "")],
    "messenger_echo_text_meta_docs.json": [(Kind.ECHO, "<PSID>", "hello, world!", "")],
    "messenger_empty_entry_list_courier.json": [],
    "messenger_entry_without_messaging_courier.json": [],
    "messenger_image_attachment_bottender.json": [(Kind.ATTACHMENT, "1423587017700273", "", "")],
    "messenger_like_sticker_image_courier.json": [(Kind.ATTACHMENT, "5678", "", "")],
    "messenger_location_attachment_legacy_bottender.json": [(Kind.LOCATION, "1423587017700273", "", "")],
    "messenger_object_not_page_courier.json": [],
    "messenger_optin_notification_messages_courier.json": [(Kind.OPTIN, "5678", "", "3456")],
    "messenger_optin_plugin_ref_fbmessenger.json": [(Kind.OPTIN, "1234", "", "PASS_THROUGH_PARAM")],
    "messenger_pass_thread_control_botbuilder.json": [(Kind.HANDOVER, "fakeId", "", "")],
    "messenger_postback_get_started_ad_referral_courier.json": [
        (Kind.PAYLOAD, "5678", "postback title", "get_started")
    ],
    "messenger_postback_get_started_with_referral_bottender.json": [
        (Kind.PAYLOAD, "1476077422222289", "Get Started", "__GET_STARTED__")
    ],
    "messenger_postback_payload_only_fbmessenger.json": [(Kind.PAYLOAD, "1234", "", "USER_DEFINED_PAYLOAD")],
    "messenger_postback_with_title_and_referral_botbuilder.json": [
        (Kind.PAYLOAD, "0", "title", "USER_DEFINED_PAYLOAD")
    ],
    "messenger_quick_reply_meta_docs.json": [
        (Kind.PAYLOAD, "1254459154682919", "Green", "DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_GREEN")
    ],
    "messenger_reaction_react_bottender.json": [(Kind.REACTION, "1476077422222289", "", "")],
    "messenger_reaction_unreact_bottender.json": [(Kind.REACTION, "1476077422222289", "", "")],
    "messenger_read_fbmessenger.json": [(Kind.READ, "1234", "", "")],
    "messenger_referral_ads_timestamp_seconds_courier.json": [(Kind.REFERRAL, "", "", "referral id")],
    "messenger_referral_shortlink_botbuilder.json": [(Kind.REFERRAL, "0", "", "USER_DEFINED_REFERRAL_PARAM")],
    "messenger_reply_to_meta_docs.json": [(Kind.TEXT, "<PSID>", "hello, world!", "")],
    "messenger_send_cart_order_meta_docs.json": [(Kind.ORDER, "<PSID>", "foobar", "")],
    "messenger_standby_and_messaging_same_entry_botbuilder.json": [
        (Kind.TEXT, "0", "text", ""),
        (Kind.STANDBY, "user1", "", ""),
        (Kind.STANDBY, "user2", "", ""),
    ],
    "messenger_sticker_attachment_meta_docs.json": [(Kind.ATTACHMENT, "<PSID>", "", "")],
    "messenger_take_thread_control_botbuilder.json": [(Kind.HANDOVER, "fakeId", "", "")],
    "messenger_text_bottender.json": [(Kind.TEXT, "1412611362105802", "text", "")],
    "messenger_text_customer_chat_plugin_tags_bottender.json": [
        (Kind.TEXT, "1423587017700273", "Sharp tools make good work.", "")
    ],
    "messenger_text_with_seq_int_ids_fbmessenger.json": [(Kind.TEXT, "1234", "hello, world!", "")],
    "messenger_unknown_event_kind_courier.json": [(Kind.UNKNOWN, "5678", "", "")],
}


@pytest.mark.parametrize("name", FILES)
def test_recorded_payload_gives_exactly_the_expected_events(name):
    events = parse_file(name)
    assert [(e.kind, e.customer_id, e.text, e.payload) for e in events] == EXPECTED[name]
    for event in events:
        assert event.platform is Platform.MESSENGER
        assert isinstance(event.message_id, str) and isinstance(event.recipient_id, str)
        assert event.raw and json.dumps(event.to_dict(), ensure_ascii=False)
        assert Event.from_dict(event.to_dict()) == event


# ---------------------------------------------------------------------------------------------
# Focused shapes


def _one(name: str) -> Event:
    events = parse_file(name)
    assert len(events) == 1
    return events[0]


def test_text_fields_and_millisecond_timestamp():
    event = _one("messenger_text_bottender.json")
    assert event.message_id == "mid.1486464322190:cb04e5a654"
    assert event.recipient_id == "1895382890692545"
    assert event.timestamp == pytest.approx(1486464322.190)
    assert event.dedupe_key == "messenger:text:mid.1486464322190:cb04e5a654"


def test_integer_ids_become_strings():
    event = _one("messenger_text_with_seq_int_ids_fbmessenger.json")
    assert (event.customer_id, event.recipient_id) == ("1234", "1234")


def test_quick_reply_routes_on_payload_and_keeps_title_as_text():
    event = _one("messenger_quick_reply_meta_docs.json")
    assert event.kind is Kind.PAYLOAD and event.data["source"] == "quick_reply"
    assert event.message_id.startswith("m_AG5Hz2Uq7")


def test_reply_to_and_tags_are_kept():
    assert _one("messenger_reply_to_meta_docs.json").data["reply_to"] == "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"
    assert _one("messenger_text_customer_chat_plugin_tags_bottender.json").data["tags"] == ["customer_chat_plugin"]


def test_image_attachment_has_type_and_url():
    event = _one("messenger_image_attachment_bottender.json")
    assert event.data["type"] == "image"
    assert event.data["url"].startswith("https://scontent.xx.fbcdn.net/")
    assert event.text == ""


@pytest.mark.parametrize(
    "name", ["messenger_like_sticker_image_courier.json", "messenger_sticker_attachment_meta_docs.json"]
)
def test_like_sticker_is_a_sticker_not_a_product_photo(name):
    event = _one(name)
    assert event.kind is Kind.ATTACHMENT
    assert event.data["type"] == "sticker"
    assert event.data["like"] is True
    assert event.data["sticker_id"] == "369239263222822"


def _messenger(item: dict, **entry) -> dict:
    base = {"sender": {"id": "psid-1"}, "recipient": {"id": "page-1"}, "timestamp": 1_700_000_000_000}
    return {
        "object": "page",
        "entry": [{"id": "page-1", "time": 1_700_000_000_000, "messaging": [base | item]} | entry],
    }


def test_sticker_with_its_duplicate_image_attachment_gives_one_sticker_event():
    attachments = [
        {"type": "sticker", "payload": {"url": "https://s/1", "sticker_id": 1234}},
        {"type": "image", "payload": {"url": "https://s/1", "sticker_id": 1234}},
    ]
    (event,) = parse_delivery(_messenger({"message": {"mid": "m1", "attachments": attachments}}))
    assert event.kind is Kind.ATTACHMENT
    assert (event.data["type"], event.data["sticker_id"], event.data["like"]) == ("sticker", "1234", False)
    assert len(event.data["attachments"]) == 2


@pytest.mark.parametrize("kind", ["audio", "video", "file", "fallback", "reel"])
def test_other_attachment_types(kind):
    attachment = {"type": kind, "payload": {"url": f"https://cdn/{kind}"}}
    (event,) = parse_delivery(_messenger({"message": {"mid": "m1", "attachments": [attachment]}}))
    assert event.kind is Kind.ATTACHMENT and event.answerable
    assert (event.data["type"], event.data["url"]) == (kind, f"https://cdn/{kind}")


def test_fallback_attachment_with_null_payload_keeps_its_title_and_url():
    attachment = {"type": "fallback", "payload": None, "title": "A shared link", "url": "https://example.com/x"}
    (event,) = parse_delivery(_messenger({"message": {"mid": "m1", "attachments": [attachment]}}))
    assert (event.data["type"], event.data["title"], event.data["url"]) == (
        "fallback",
        "A shared link",
        "https://example.com/x",
    )


def test_text_with_an_attachment_is_text_and_lists_the_attachment():
    message = {"mid": "m1", "text": "زي ده", "attachments": [{"type": "image", "payload": {"url": "https://i"}}]}
    (event,) = parse_delivery(_messenger({"message": message}))
    assert event.kind is Kind.TEXT and event.text == "زي ده"
    assert event.data["attachments"] == [{"type": "image", "url": "https://i"}]


def test_legacy_location_attachment_is_a_location():
    event = _one("messenger_location_attachment_legacy_bottender.json")
    assert event.kind is Kind.LOCATION
    assert (event.data["latitude"], event.data["longitude"]) == (0, 0)


def test_message_with_nothing_usable_is_unknown_and_not_answered():
    (event,) = parse_delivery(_messenger({"message": {"mid": "m-empty"}}))
    assert event.kind is Kind.UNKNOWN and not event.answerable


def test_numeric_quick_reply_payload_is_a_string():
    (event,) = parse_delivery(_messenger({"message": {"mid": "m1", "text": "3", "quick_reply": {"payload": 3}}}))
    assert (event.kind, event.payload) == (Kind.PAYLOAD, "3")


def test_echo_is_never_answered_and_swaps_sender_and_recipient():
    event = _one("messenger_echo_text_meta_docs.json")
    assert event.kind is Kind.ECHO and not event.answerable
    assert (event.customer_id, event.recipient_id) == ("<PSID>", "<PAGE_ID>")
    assert event.data["app_id"] == "1517776481860111"
    assert event.data["metadata"] == "<DEVELOPER_DEFINED_METADATA_STRING>"


def test_echo_of_a_quick_reply_message_is_still_an_echo():
    message = {"is_echo": True, "mid": "m1", "text": "hi", "quick_reply": {"payload": "X"}}
    (event,) = parse_delivery(_messenger({"message": message}))
    assert event.kind is Kind.ECHO and not event.answerable


def test_postback_with_mid_uses_it_and_keeps_the_referral():
    event = _one("messenger_postback_with_title_and_referral_botbuilder.json")
    assert event.message_id == "m_1457764197618:41d102a3e1ae206a38"
    assert event.data["referral"]["ref"] == "USER_DEFINED_REFERRAL_PARAM"
    assert event.data["referral"]["source"] == "SHORTLINK"


def test_postback_without_mid_dedupes_on_the_raw_item():
    event = _one("messenger_postback_payload_only_fbmessenger.json")
    assert event.message_id == ""
    again = _one("messenger_postback_payload_only_fbmessenger.json")
    assert event.dedupe_key == again.dedupe_key
    other = parse_delivery(_messenger({"postback": {"payload": "OTHER"}}))[0]
    assert other.dedupe_key != event.dedupe_key


def test_get_started_referral_carries_ref_and_ad_id():
    event = _one("messenger_postback_get_started_ad_referral_courier.json")
    assert event.data["referral"]["ad_id"] == "ad id"
    assert _one("messenger_postback_get_started_with_referral_bottender.json").data["referral"]["ref"] == "aaaa"


def test_shortlink_referral_is_answered_with_its_ref():
    event = _one("messenger_referral_shortlink_botbuilder.json")
    assert event.answerable and event.data["ref"] == "USER_DEFINED_REFERRAL_PARAM"


def test_ad_referral_in_seconds_is_recorded_not_answered():
    event = _one("messenger_referral_ads_timestamp_seconds_courier.json")
    assert event.timestamp == 1701599111.0
    assert not event.answerable
    assert event.data["sender_id"] == "5678" and event.data["user_ref"] == "5678"
    assert event.data["ad_id"] == "ad id"


def test_delivery_and_read_watermarks_are_seconds():
    delivery = _one("messenger_delivery_fbmessenger.json")
    assert delivery.data["watermark"] == pytest.approx(1458668856.253)
    assert delivery.data["mids"] == ["mid.1458668856218:ed81099e15d3f4f233"]
    read = _one("messenger_read_fbmessenger.json")
    assert read.kind is Kind.READ and read.data["watermark"] == pytest.approx(1458668856.253)


def test_delivery_without_timestamp_uses_entry_time():
    body = _messenger({"delivery": {"watermark": 1}})
    del body["entry"][0]["messaging"][0]["timestamp"]
    assert parse_delivery(body)[0].timestamp == 1_700_000_000.0


def test_reactions_keep_action_emoji_and_target():
    react = _one("messenger_reaction_react_bottender.json")
    unreact = _one("messenger_reaction_unreact_bottender.json")
    assert (react.data["action"], react.data["emoji"]) == ("react", "❤️")
    assert unreact.data["action"] == "unreact"
    assert react.data["target_mid"] == "mid.$cAAE1UUyiiwthh0NPrVbVf4HFNDGl"
    assert react.dedupe_key != unreact.dedupe_key


def test_optins():
    marketing = _one("messenger_optin_notification_messages_courier.json")
    assert marketing.data["token"] == "12345678901234567890"
    assert marketing.data["frequency"] == "DAILY"
    assert marketing.data["token_expiry"] == 2145916800.0
    assert _one("messenger_optin_plugin_ref_fbmessenger.json").data["ref"] == "PASS_THROUGH_PARAM"


def test_account_linking():
    event = _one("messenger_account_linking_fbmessenger.json")
    assert event.data == {"status": "linked", "authorization_code": "PASS_THROUGH_AUTHORIZATION_CODE"}


def test_handover_pass_and_take():
    passed = _one("messenger_pass_thread_control_botbuilder.json")
    assert (passed.data["action"], passed.data["new_owner_app_id"]) == ("pass", "1234567890")
    taken = _one("messenger_take_thread_control_botbuilder.json")
    assert (taken.data["action"], taken.data["previous_owner_app_id"]) == ("take", "1234567890")
    assert not passed.answerable and not taken.answerable


def test_handover_request_and_app_roles():
    (request,) = parse_delivery(
        _messenger({"request_thread_control": {"requested_owner_app_id": 123, "metadata": "m"}})
    )
    assert request.data == {"action": "request", "metadata": "m", "requested_owner_app_id": "123"}
    (roles,) = parse_delivery(_messenger({"app_roles": {"123": ["primary_receiver"]}}))
    assert roles.data["action"] == "roles" and roles.data["app_roles"] == {"123": ["primary_receiver"]}


def test_policy_enforcement_is_an_alarm(caplog):
    item = {
        "recipient": {"id": "page-1"},
        "timestamp": 1_700_000_000_000,
        "policy_enforcement": {"action": "block", "reason": "spam"},
    }
    body = {"object": "page", "entry": [{"id": "page-1", "messaging": [item]}]}
    with caplog.at_level(logging.WARNING, logger="bot.channels.messenger"):
        (event,) = parse_delivery(body)
    assert event.kind is Kind.POLICY and event.customer_id == "" and not event.answerable
    assert event.data == {"action": "block", "reason": "spam"}
    assert "POLICY ENFORCEMENT" in caplog.text


def test_order_items():
    event = _one("messenger_send_cart_order_meta_docs.json")
    assert event.data["note"] == "foobar"
    assert event.data["items"][1] == {
        "id": "456",
        "retailer_id": "retailer_id_2",
        "name": "name2",
        "unit_price": 22,
        "currency": "THB",
        "quantity": 2,
    }


def test_standby_items_are_never_answered_even_with_a_message():
    body = _messenger({"message": {"mid": "m-live", "text": "live"}})
    body["entry"][0]["standby"] = [
        {"sender": {"id": "psid-2"}, "recipient": {"id": "page-1"}, "message": {"mid": "m-sb", "text": "hi"}}
    ]
    live, standby = parse_delivery(body)
    assert live.answerable and live.text == "live"
    assert standby.kind is Kind.STANDBY and not standby.answerable
    assert (standby.text, standby.message_id, standby.data["event"]) == ("hi", "m-sb", "message")


def test_message_edit_is_recorded_not_answered():
    (event,) = parse_delivery(_messenger({"message_edit": {"mid": "m1", "text": "new text", "num_edit": 1}}))
    assert event.kind is Kind.EDIT and not event.answerable
    assert event.data == {"event": "message_edit", "edited_mid": "m1", "text": "new text"}


def test_batched_entries_are_all_parsed_with_distinct_keys():
    events = parse_file("messenger_batched_two_entries_bottender.json")
    assert len({event.dedupe_key for event in events}) == 2


def test_same_mid_twice_in_one_post_shares_one_key():
    events = parse_file("messenger_duplicate_mid_in_two_entries_courier.json")
    assert len({event.dedupe_key for event in events}) == 1


def test_unknown_object_and_empty_shapes_give_nothing():
    assert parse_delivery({"object": "user", "entry": [{"messaging": [{"message": {"text": "x"}}]}]}) == []
    assert parse_delivery({"object": "page"}) == []
    assert parse_delivery({"object": "page", "entry": "nope"}) == []
    assert parse_delivery({}) == []


@pytest.mark.parametrize("body", [[], "page", 3, None, b"{}"])
def test_a_body_that_is_not_an_object_is_a_payload_error(body):
    with pytest.raises(PayloadError):
        parse_delivery(body)


def test_broken_items_do_not_drop_the_good_ones():
    good = {
        "sender": {"id": "psid-1"},
        "recipient": {"id": "page-1"},
        "timestamp": 1,
        "message": {"mid": "ok", "text": "hi"},
    }
    broken = [
        "not an object",
        {"sender": "nobody", "message": "not an object"},
        {"sender": {"id": ["x"]}, "postback": {"payload": {"deep": 1}}},
        {"message": {"mid": {"x": 1}, "attachments": ["junk", None, {"type": None, "payload": "junk"}]}},
    ]
    body = {
        "object": "page",
        "entry": [
            "junk",
            {"messaging": broken + [good]},
            {"messaging": [good | {"message": {"mid": "ok2", "text": "hey"}}]},
        ],
    }
    events = parse_delivery(body)
    texts = [e.text for e in events if e.answerable]
    assert texts == ["hi", "hey"]
    assert all(isinstance(e.customer_id, str) for e in events)


def test_missing_timestamps_fall_back_to_receive_time():
    body = {"object": "page", "entry": [{"messaging": [{"sender": {"id": "1"}, "message": {"mid": "m", "text": "x"}}]}]}
    assert parse_delivery(body, received_at=1_750_000_000.0)[0].timestamp == 1_750_000_000.0
    body["entry"][0]["messaging"][0]["timestamp"] = "yesterday"
    assert parse_delivery(body, received_at=5.0)[0].timestamp == 5.0


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), 10**400, -5, "1e999", True, [1], {"t": 1}])
def test_unusable_timestamps_never_raise_and_fall_back(bad):
    body = {
        "object": "page",
        "entry": [
            {
                "id": "p",
                "time": bad,
                "messaging": [
                    {"sender": {"id": "1"}, "timestamp": bad, "message": {"mid": "m", "text": "x"}},
                    {"sender": {"id": "1"}, "timestamp": 1, "read": {"watermark": bad}},
                ],
            }
        ],
    }
    text, read = parse_delivery(body, received_at=42.0)
    assert text.timestamp == 42.0
    assert read.data["watermark"] == 0.0


def test_safely_turns_a_crash_into_an_unknown_event(caplog):
    def boom(item):
        raise KeyError("nope")

    with caplog.at_level(logging.ERROR, logger="bot.channels"):
        (event,) = safely(Platform.MESSENGER, boom, {"message": {}})
    assert event.kind is Kind.UNKNOWN and not event.answerable
    assert event.raw == {"message": {}}
    assert "could not parse" in caplog.text
    assert safely(Platform.MESSENGER, boom, "not an object") == []


def test_like_sticker_id_constant_matches_the_spec():
    assert LIKE_STICKER_ID == "369239263222822"


# ---------------------------------------------------------------------------------------------
# Fuzzing: whatever JSON arrives, parsing returns events and never raises

KEYS = [
    "object",
    "entry",
    "id",
    "time",
    "messaging",
    "standby",
    "sender",
    "recipient",
    "timestamp",
    "message",
    "mid",
    "text",
    "is_echo",
    "quick_reply",
    "payload",
    "attachments",
    "type",
    "url",
    "sticker_id",
    "coordinates",
    "lat",
    "long",
    "reply_to",
    "postback",
    "title",
    "referral",
    "ref",
    "source",
    "ad_id",
    "delivery",
    "read",
    "watermark",
    "mids",
    "reaction",
    "emoji",
    "action",
    "optin",
    "account_linking",
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
    "app_roles",
    "policy_enforcement",
    "order",
    "products",
    "message_edit",
    "user_ref",
    "tags",
    "metadata",
    "app_id",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from([10**400, -(10**400), 1e308])
    | st.text(max_size=12)
    | st.sampled_from(["page", "", "0"])
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=30,
)
ITEMS = st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=6)
ENTRIES = st.dictionaries(
    st.sampled_from(["id", "time", "messaging", "standby"]), st.lists(ITEMS, max_size=4) | JSONISH
)
BODIES = st.fixed_dictionaries({"object": st.just("page"), "entry": st.lists(ENTRIES, max_size=3) | JSONISH})


def _check(events: list[Event]) -> None:
    for event in events:
        assert isinstance(event, Event)
        assert isinstance(event.customer_id, str) and isinstance(event.message_id, str)
        assert isinstance(event.text, str) and isinstance(event.payload, str)
        assert math.isfinite(event.timestamp) and event.timestamp >= 0
        assert isinstance(event.dedupe_key, str)
        json.dumps(event.to_dict(), default=str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_fuzzed_messenger_bodies_never_raise(body):
    _check(parse_delivery(body))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), JSONISH, max_size=6))
def test_fuzzed_arbitrary_objects_never_raise(body):
    _check(parse_delivery(body))


# ---------------------------------------------------------------------------------------------
# Odd input: absurd ids, lone surrogates, very long text


def _item(sender: object = "psid-1", message: dict | None = None, **extra: object) -> dict:
    item = {
        "sender": {"id": sender},
        "recipient": {"id": "1234567890"},
        "timestamp": 1_700_000_000_000,
        "message": message if message is not None else {"mid": "m_1", "text": "hello"},
    } | extra
    return {"object": "page", "entry": [{"id": "1234567890", "time": 1_700_000_000_000, "messaging": [item]}]}


@pytest.mark.parametrize("sender", ["x" * 70_000, "a b", "tab\tid", "psid\ud800", "٠١٠٠١٢٣٤٥٦٧", "x" * 257])
def test_a_sender_id_of_absurd_length_or_shape_is_ignored_with_a_short_log_line(sender, caplog):
    caplog.set_level(logging.WARNING, "bot.channels")
    [event] = parse_delivery(_item(sender))
    assert event.customer_id == "" and not event.answerable
    assert event.text == "hello"  # the message itself is still recorded
    assert caplog.records and all(len(record.getMessage()) < 200 for record in caplog.records)


def test_an_id_of_256_printable_characters_is_still_an_id():
    [event] = parse_delivery(_item("p" * 256, {"mid": "m." + "z" * 254, "text": "hi"}))
    assert event.customer_id == "p" * 256 and event.message_id == "m." + "z" * 254


def test_an_absurd_message_id_is_dropped_and_the_event_deduped_on_its_content():
    [event] = parse_delivery(_item(message={"mid": "m" * 5000, "text": "hello"}))
    assert event.message_id == "" and event.customer_id == "psid-1"
    assert event.dedupe_key.startswith("messenger:text:psid-1:")


def test_lone_surrogates_become_replacement_characters_in_every_field():
    message = {"mid": "m_2", "text": "\ud83d hello", "quick_reply": {"payload": "MENU\udc00"}}
    [event] = parse_delivery(_item(message=message, **{"odd\ud800key": {"v": "\udfff"}}))
    assert (event.text, event.payload) == ("\ufffd hello", "MENU\ufffd")
    stored = json.dumps(event.to_dict(), ensure_ascii=False)
    stored.encode("utf-8")  # no lone surrogate left anywhere, raw keys included
    assert "odd\ufffdkey" in event.raw


def test_an_unknown_key_with_a_surrogate_is_recorded_as_text():
    key = "new\ud800thing" + "k" * 9000
    body = {
        "object": "page",
        "entry": [{"id": "1", "messaging": [{"sender": {"id": "psid-3"}, "recipient": {"id": "1"}, key: {}}]}],
    }
    [event] = parse_delivery(body)
    assert event.kind is Kind.UNKNOWN
    assert event.data["event"] == ("new\ufffdthing" + "k" * 9000)[:64]
    json.dumps(event.to_dict(), ensure_ascii=False).encode("utf-8")


def test_long_text_is_cut_to_the_limit_not_dropped():
    [event] = parse_delivery(_item(message={"mid": "m_3", "text": "ب" * 50_000}))
    assert event.kind is Kind.TEXT and event.text == "ب" * 4096


def test_an_item_the_page_sent_without_is_echo_is_an_echo():
    body = _messenger({"sender": {"id": "page-1"}, "recipient": {"id": "psid-1"},
                       "message": {"mid": "m-own", "text": "we sent this"}})
    (event,) = parse_delivery(body)
    assert event.kind is Kind.ECHO and not event.answerable
    assert (event.customer_id, event.recipient_id, event.text) == ("psid-1", "page-1", "we sent this")


def test_feed_changes_on_a_page_entry_give_no_events_and_a_log_line(caplog):
    body = {"object": "page", "entry": [{"id": "page-1", "time": 1, "changes": [
        {"field": "feed", "value": {"item": "comment", "message": "كام السعر"}}, {"field": "mention"}]}]}
    with caplog.at_level(logging.INFO, logger="bot.channels.messenger"):
        assert parse_delivery(body) == []
    assert "2 entry changes not read (fields ['feed', 'mention'])" in caplog.text
    assert "كام السعر" not in caplog.text
