"""The Messenger profile body, its limits, and the messenger-profile command."""

from __future__ import annotations

import argparse
import io
import json

import pytest
import responses
from responses import matchers

from bot.channels.messenger.profile import (
    DEFAULT_TEXTS,
    add_arguments,
    apply_profile,
    build_profile,
    run,
)
from bot.channels.meta.graph import GraphSender
from bot.config import Settings

BASE = "http://graph.test"
PAGE_TOKEN = "EAAGpagetoken123"
PROFILE_URL = f"{BASE}/v25.0/me/messenger_profile"


@pytest.fixture
def settings() -> Settings:
    return Settings().with_overrides(
        send_mode="graph", graph_api_url=BASE, messenger_page_access_token=PAGE_TOKEN
    )


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def by_locale(items: list[dict]) -> dict[str, dict]:
    return {item["locale"]: item for item in items}


def test_profile_has_get_started_greetings_menu_and_ice_breakers():
    body = build_profile(store_name="بوتيك نور", site_url="https://shop.example")

    assert body["get_started"] == {"payload": "GET_STARTED"}
    greeting = by_locale(body["greeting"])
    assert set(greeting) == {"default", "en_US"}
    assert "بوتيك نور" in greeting["default"]["text"] and "أهلاً" in greeting["default"]["text"]
    assert "بوتيك نور" in greeting["en_US"]["text"] and "welcome" in greeting["en_US"]["text"]
    assert "{store}" not in json.dumps(body, ensure_ascii=False)

    for locale, menu in by_locale(body["persistent_menu"]).items():
        postbacks = [c["payload"] for c in menu["call_to_actions"] if c["type"] == "postback"]
        links = [c for c in menu["call_to_actions"] if c["type"] == "web_url"]
        assert postbacks == ["MENU", "CART", "ORDERS", "HUMAN"], locale
        assert [link["url"] for link in links] == ["https://shop.example"]
        assert menu["composer_input_disabled"] is False

    breakers = by_locale(body["ice_breakers"])
    assert set(breakers) == {"default", "en_US"}
    for item in breakers.values():
        assert [c["payload"] for c in item["call_to_actions"]] == ["SEARCH", "SHIPPING", "ORDER_STATUS", "HUMAN"]


def test_arabic_is_the_default_locale():
    body = build_profile()

    arabic_menu = by_locale(body["persistent_menu"])["default"]["call_to_actions"]
    arabic_questions = by_locale(body["ice_breakers"])["default"]["call_to_actions"]
    assert arabic_menu[0]["title"] == DEFAULT_TEXTS["ar"]["menu"]["MENU"]
    assert arabic_questions[1]["question"] == "الشحن بكام وبياخد قد إيه؟"
    assert "Dukkan" in by_locale(body["greeting"])["default"]["text"]


def test_messenger_tokens_survive_and_store_placeholders_are_filled():
    texts = {"en": {"greeting": "Hello {{user_first_name}} from {{store}} / {store}"}}

    greeting = by_locale(build_profile(texts, store_name="Noor")["greeting"])["en_US"]["text"]

    assert greeting == "Hello {{user_first_name}} from Noor / Noor"


def test_limits_are_enforced_on_long_texts():
    long_texts = {
        lang: {
            "greeting": "{store} " + "كلام كتير " * 40,
            "menu": {"MENU": "x" * 50, "CART": "عربة التسوق " * 5, "ORDERS": "o", "HUMAN": "h"},
            "site": "y" * 40,
            "ice_breakers": [(f"سؤال رقم {i} " * 12, f"Q{i}") for i in range(7)],
        }
        for lang in ("ar", "en")
    }

    body = build_profile(long_texts, store_name="S" * 200, site_url="https://shop.example")

    for greeting in body["greeting"]:
        assert len(greeting["text"]) == 160 and greeting["text"].endswith("…")
    for menu in body["persistent_menu"]:
        assert len(menu["call_to_actions"]) <= 20
        assert all(len(item["title"]) <= 30 for item in menu["call_to_actions"])
        assert len(menu["call_to_actions"][0]["title"]) == 30
    for item in body["ice_breakers"]:
        assert [c["payload"] for c in item["call_to_actions"]] == ["Q0", "Q1", "Q2", "Q3"]
        assert all(len(c["question"]) <= 80 for c in item["call_to_actions"])


def test_default_texts_are_within_limits_without_clipping():
    body = build_profile(store_name="Dukkan", site_url="https://shop.example")

    for greeting in body["greeting"]:
        assert not greeting["text"].endswith("…") and len(greeting["text"]) <= 160
    for menu in body["persistent_menu"]:
        assert all(not item["title"].endswith("…") for item in menu["call_to_actions"])


def test_no_site_url_means_no_web_link_and_ice_breakers_can_be_left_out():
    body = build_profile(ice_breakers=False)

    assert "ice_breakers" not in body
    for menu in body["persistent_menu"]:
        assert {item["type"] for item in menu["call_to_actions"]} == {"postback"}


@responses.activate
def test_apply_profile_posts_to_messenger_profile(settings):
    body = build_profile()
    responses.post(
        PROFILE_URL,
        match=[
            matchers.json_params_matcher(body),
            matchers.header_matcher({"Authorization": f"Bearer {PAGE_TOKEN}"}),
            matchers.query_string_matcher(""),
        ],
        json={"result": "success"},
    )

    result = apply_profile(GraphSender(settings, sleep=lambda s: None), body)

    assert result.ok and result.attempts == 1


def test_dry_run_prints_the_json_without_sending(settings):
    out = io.StringIO()

    args = parse("--dry-run", "--store-name", "Noor", "--site-url", "https://noor.example")

    code = run(args, settings=settings, out=out)

    assert code == 0
    printed = json.loads(out.getvalue())
    assert printed == build_profile(store_name="Noor", site_url="https://noor.example")
    assert "أهلاً" in out.getvalue()  # printed as Arabic, not \u escapes


def test_dry_run_uses_an_https_public_base_url_as_site(settings):
    out = io.StringIO()

    run(parse("--dry-run"), settings=settings.with_overrides(public_base_url="https://bot.example"), out=out)

    menu = json.loads(out.getvalue())["persistent_menu"][0]["call_to_actions"]
    assert menu[-1] == {
        "type": "web_url",
        "title": DEFAULT_TEXTS["ar"]["site"],
        "url": "https://bot.example",
        "webview_height_ratio": "full",
    }


@responses.activate
def test_run_applies_the_profile(settings):
    responses.post(PROFILE_URL, json={"result": "success"})
    out = io.StringIO()

    code = run(parse("--no-ice-breakers"), settings=settings, out=out)

    assert code == 0
    sent = json.loads(responses.calls[0].request.body)
    assert "ice_breakers" not in sent and sent["get_started"] == {"payload": "GET_STARTED"}
    assert "updated" in out.getvalue()


@responses.activate
def test_run_reports_a_graph_failure(settings):
    responses.post(
        PROFILE_URL,
        json={"error": {"message": "Invalid OAuth access token.", "code": 190, "fbtrace_id": "X"}},
        status=401,
    )
    err = io.StringIO()

    code = run(parse(), settings=settings, out=io.StringIO(), err=err)

    assert code == 1
    assert "Invalid OAuth access token" in err.getvalue()
    assert PAGE_TOKEN not in err.getvalue()


def test_run_needs_a_page_token(settings):
    err = io.StringIO()

    code = run(parse(), settings=settings.with_overrides(messenger_page_access_token=""), err=err)

    assert code == 2
    assert "MESSENGER_PAGE_ACCESS_TOKEN" in err.getvalue()


def test_run_reports_configuration_problems(monkeypatch):
    monkeypatch.setenv("DUKKAN_ENV", "production")
    for name in ("META_APP_SECRET", "VERIFY_TOKEN", "ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    err = io.StringIO()

    code = run(parse(), err=err)

    assert code == 2
    assert "META_APP_SECRET" in err.getvalue()
