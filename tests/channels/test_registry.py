"""The registry (bot/channels/registry.py) and the Channel object (bot/channels/channel.py): every
platform has a complete channel, and nothing outside a channel needs to know a platform by name."""

from __future__ import annotations

import dataclasses
import types

import pytest

from bot.channels import CHANNELS, by_object, channel, channels, parse_delivery
from bot.channels.channel import Channel, Console, Limits, SendApi
from bot.channels.registry import webhook_secrets
from bot.config import Settings
from bot.events import Platform
from bot.replies import Outgoing, Text

SETTINGS = Settings(
    meta_app_secret="meta-secret", whatsapp_phone_number_id="106540352242922", messenger_page_access_token="page",
    whatsapp_access_token="wa", instagram_access_token="ig", instagram_account_id="17841405822304914",
)


def test_every_platform_has_exactly_one_channel_in_platform_order():
    assert list(CHANNELS) == list(Platform)
    assert [found.platform for found in channels()] == list(Platform)
    for platform in Platform:
        assert channel(platform) is channel(str(platform)) is CHANNELS[platform]


@pytest.mark.parametrize("platform", list(Platform))
def test_every_channel_is_complete(platform):
    found = channel(platform)
    assert isinstance(found, Channel) and found.platform is platform
    for part, kind in (("limits", Limits), ("send_api", SendApi), ("console", Console)):
        value = getattr(found, part)
        assert isinstance(value, kind), part
        for field in dataclasses.fields(value):  # no part left empty or zero
            assert getattr(value, field.name) not in ("", None), f"{platform}: {part}.{field.name}"
    assert all(getattr(found.limits, name) > 0 for name in ("text_max", "choices_max", "choice_title_max",
                                                             "buttons_max", "button_title_max", "card_title_max"))
    assert found.console.presses[0] == "text" and found.console.press in found.console.presses
    assert by_object(found.webhook_object) is found
    assert callable(found.parse) and callable(found.render) and callable(found.preamble)
    assert found.app_secret_settings and all(hasattr(SETTINGS, name) for name in found.app_secret_settings)
    assert not found.staff_id_setting or hasattr(SETTINGS, found.staff_id_setting)


def test_webhook_objects_are_distinct_and_nothing_else_is_claimed():
    assert len({found.webhook_object for found in channels()}) == len(Platform)
    assert by_object("user") is None and by_object("permissions") is None


@pytest.mark.parametrize("platform", list(Platform))
def test_the_console_delivery_of_every_channel_parses_back_to_the_customer(platform):
    found = channel(platform)
    customer = found.console.customer_prefix + "123456"
    for press in found.console.presses:
        body = found.console.build(customer, press, "hello", "MENU", "Menu", "", SETTINGS)
        assert body["object"] == found.webhook_object
        [event] = parse_delivery(body)
        assert (event.platform, event.customer_id, event.answerable) == (platform, customer, True)
        assert (event.text, event.payload) == (("hello", "") if press == "text" else (event.text, "MENU"))


@pytest.mark.parametrize("platform", list(Platform))
def test_every_channel_renders_and_addresses_its_messages(platform):
    found = channel(platform)
    [out] = found.render(Text("أهلا"), "customer-1")
    assert out.platform == platform and out.kind == "message"
    path = found.send_api.path(out, SETTINGS)
    assert path.endswith("messages") and found.send_api.base(SETTINGS).startswith("https://")
    assert found.send_api.token(SETTINGS)


def test_each_platform_sends_to_its_own_endpoint_with_its_own_token():
    out = {platform: Outgoing(str(platform), "c", {}, "message") for platform in Platform}
    apis = {platform: channel(platform).send_api for platform in Platform}
    where = {platform: (api.base(SETTINGS), api.path(out[platform], SETTINGS), api.token(SETTINGS))
             for platform, api in apis.items()}
    assert where == {
        Platform.MESSENGER: ("https://graph.facebook.com/v25.0", "me/messages", "page"),
        Platform.WHATSAPP: ("https://graph.facebook.com/v25.0", "106540352242922/messages", "wa"),
        Platform.INSTAGRAM: ("https://graph.instagram.com/v25.0", "17841405822304914/messages", "ig"),
    }


def test_what_the_dialog_asks_a_channel():
    assert [found.customer_id_is_phone for found in channels()] == [False, True, False]
    assert [found.handover for found in channels()] == [True, False, False]
    assert [found.limits.choices_max for found in channels()] == [13, 10, 13]
    staff = types.SimpleNamespace(staff_psid="psid-1", staff_whatsapp="201001234567")
    assert [found.staff_id(staff) for found in channels()] == ["psid-1", "201001234567", ""]


def test_webhook_secrets_are_every_configured_one_once():
    both = types.SimpleNamespace(meta_app_secret="meta", instagram_app_secret="insta")
    assert webhook_secrets(both) == ["meta", "insta"]
    assert webhook_secrets(types.SimpleNamespace(meta_app_secret="meta", instagram_app_secret="")) == ["meta"]
    assert webhook_secrets(types.SimpleNamespace(meta_app_secret="same", instagram_app_secret="same")) == ["same"]


def test_the_metrics_label_every_channel_s_webhook_object_by_name():
    """bot/metrics.py cannot import the registry (the Graph sender imports the metrics); it names the
    objects itself, and this keeps the two lists equal, so a new channel's deliveries are never "other"."""
    from bot.metrics import WEBHOOK_OBJECTS

    assert frozenset(found.webhook_object for found in channels()) == WEBHOOK_OBJECTS


def test_a_body_s_secrets_are_those_of_the_channel_its_object_names():
    both = types.SimpleNamespace(meta_app_secret="meta", instagram_app_secret="insta")
    assert webhook_secrets(both, "page") == ["meta"]
    assert webhook_secrets(both, "whatsapp_business_account") == ["meta"]
    assert webhook_secrets(both, "instagram") == ["meta", "insta"]
    assert webhook_secrets(both, "no-such-object") == ["meta", "insta"]   # gives no events anyway
