"""The bww backend inside the app, against the fake BWW API: what /readyz and the console show."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.services import build_services
from tests.fake_bww import FakeBww
from tests.store.test_bww_fake import Clock

AUTH = {"Authorization": "Bearer admin-test-token"}


@pytest.fixture
def app_on_fake(settings):
    """(test client, services, fake API, clock): the app on the fake BWW API, every clock injected."""
    clock = Clock()
    with FakeBww(100, clock=clock) as api:
        settings = settings.with_overrides(store_backend="bww", store_api_url=api.url, store_api_key=api.secret,
                                           breaker_fail_max=5, breaker_reset_s=60.0)
        overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
        services = build_services(settings, clock=clock, sleep=clock.sleep)
        services.store.refresh_runner = lambda job: job()
        app = create_app(overrides, start_workers=False, services=services)
        yield app.test_client(), services, api, clock
        services.workers.stop()


def test_a_refused_password_shows_in_readyz_and_the_console(app_on_fake, backend) -> None:
    client, services, api, clock = app_on_fake
    assert services.store.search("hoodie").products
    ready = client.get("/readyz").get_json()
    assert ready["store_api"]["state"] == "ok"
    api.secret = "rotated-on-the-server"
    for number in range(6):
        assert services.store.product(100_010 + number).stale
        clock.now += 10
    ready = client.get("/readyz")
    body = ready.get_json()
    assert ready.status_code == 200, "the snapshot still answers customers"
    assert body["store_api"]["state"] == "auth_failed"
    assert body["store_api"]["auth"]["status"] == 401
    assert body["store_api"]["auth"]["variants_tried"] == ["utc", "utc-1h", "utc+1h"]
    store = client.get("/admin/api/status", headers=AUTH).get_json()["store"]
    assert store["auth"]["status"] == 401 and store["breaker"]["state"] == "open"
    assert store["limiter"]["shared"] == ("hosts" if backend == "redis" else "host")
    in_window = [call for call in api.api_calls() if call.at > clock.now - 60]
    assert store["limiter"]["used"] == len(in_window) > 0, "the shared figure: every call of the last minute"


def test_an_english_customer_gets_english_details_and_the_english_page(app_on_fake, backend) -> None:
    """Details are read in the customer's language (cached per language), and the site button opens
    the storefront page in that language, whatever STORE_LANGUAGE says."""
    from tests.test_conversation_kit import Chat, joined

    client, services, api, clock = app_on_fake
    product = services.store.search("hoodie").products[0]
    english = Chat(client, services, "messenger", "psid-english")
    english.say("hello, show me hoodies please")
    shown = english.press(f"DETAILS:{product.id}", "Details")
    assert "everyday cotton" in joined(shown) or "soft cotton" in joined(shown)
    assert "قطن" not in joined(shown)
    urls = [button.get("url", "") for body in shown for button in _buttons(body)]
    assert any("/en/" in url for url in urls) and not any("/ar/" in url for url in urls)
    arabic = Chat(client, services, "messenger", "psid-arabic")
    arabic.say("السلام عليكم عايز هودي")
    assert "قطن" in joined(arabic.press(f"DETAILS:{product.id}", "التفاصيل"))


def _buttons(body: dict) -> list[dict]:
    payload = body.get("message", {}).get("attachment", {}).get("payload", {})
    found = list(payload.get("buttons", []))
    for element in payload.get("elements", []):
        found += element.get("buttons", [])
    return found
