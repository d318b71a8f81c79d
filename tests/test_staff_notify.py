"""Staff are told outside the console: the signed staff webhook (checked with ``responses``) and a
WhatsApp or Messenger message to a staff member who wrote to the bot within 24 hours.

Everything starts with a customer's conversation through the real webhook, inbox and dialog on
both backends; the notifier is driven with ``flush()`` and an injected clock and sleep (no waiting).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import requests
import responses

from bot import create_app
from bot.config import Settings
from bot.errors import ConfigError
from bot.staff_notify import MAX_ATTEMPTS, NO_WINDOW, retry_delay, sign
from tests.conftest import seeded_order_numbers
from tests.factories import Clock
from tests.test_conversation_kit import Chat, Script, Understood

HOOK = "https://staff.example/dukkan-hook"
SECRET = "hook-secret-" + "x" * 20
STAFF_WA, STAFF_PSID = "201009990000", "5550001112223334"
LINES = {"عايز اكلم حد": Understood("human_handoff"), "ازيك": Understood("greeting")}



@pytest.fixture
def staffed(settings):
    """An app with the staff webhook and both staff messages configured (workers driven by tests)."""
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__} | {
        "staff_webhook_url": HOOK, "staff_webhook_secret": SECRET, "staff_whatsapp": STAFF_WA,
        "staff_psid": STAFF_PSID}
    app = create_app(overrides, start_workers=False)
    services = app.extensions["dukkan"]
    services.orders.new_number = seeded_order_numbers()
    services.dialog.deps.understand = Script(LINES)
    services.notifier.sleep = lambda seconds: None        # tenacity's waits between tries
    yield app, services
    services.workers.stop()


def hand_off(app, services, customer: str = "201001234567") -> None:
    Chat(app.test_client(), services, "whatsapp", customer).say("عايز اكلم حد")


def expected_signature(request) -> str:
    stamp = request.headers["X-Dukkan-Timestamp"].encode()
    return "sha256=" + hmac.new(SECRET.encode(), stamp + b"." + request.body, hashlib.sha256).hexdigest()


def states(services) -> dict[str, str]:
    """The state of each channel's delivery of the newest news."""
    return {row["channel"]: row["state"] for row in reversed(services.staff_feed.deliveries())}


def test_the_staff_webhook_is_signed_and_carries_no_phone_number(staffed) -> None:
    app, services = staffed
    hand_off(app, services)
    with responses.RequestsMock() as mock:
        mock.post(HOOK, status=204)
        services.notifier.flush()
        [call] = mock.calls
    request = call.request
    assert request.headers["X-Dukkan-Signature-256"] == expected_signature(request)
    assert hmac.compare_digest(request.headers["X-Dukkan-Signature-256"],
                               sign(SECRET, request.headers["X-Dukkan-Timestamp"], request.body))
    assert request.headers["X-Dukkan-Event"] == "handoff.opened"
    body = json.loads(request.body)
    assert (body["event"], body["reason"], body["text"], body["customer"]) == (
        "handoff.opened", "asked", "عايز اكلم حد", "whatsapp:…4567")
    assert body["delivery"] == request.headers["X-Dukkan-Delivery"] and body["attempt"] == 1
    assert "201001234567" not in request.body.decode()
    assert states(services)["webhook"] == "sent"


def test_a_tampered_body_does_not_match_the_signature(staffed) -> None:
    app, services = staffed
    hand_off(app, services)
    with responses.RequestsMock() as mock:
        mock.post(HOOK, status=200)
        services.notifier.flush()
        request = mock.calls[0].request
    forged = request.body.replace(b"handoff", b"order!!")
    assert sign(SECRET, request.headers["X-Dukkan-Timestamp"], forged) != request.headers["X-Dukkan-Signature-256"]
    assert sign("another secret", request.headers["X-Dukkan-Timestamp"], request.body) != \
        request.headers["X-Dukkan-Signature-256"]


def test_a_busy_receiver_is_tried_again_at_once_then_later(staffed) -> None:
    app, services = staffed
    hand_off(app, services)
    clock = Clock(services.notifier.clock())
    services.notifier.clock = services.staff_feed.clock = clock
    with responses.RequestsMock() as mock:
        mock.post(HOOK, status=503)
        mock.post(HOOK, status=200)
        services.notifier.flush()
        assert len(mock.calls) == 2                        # tenacity: a second try at once
    assert states(services)["webhook"] == "sent"

    hand_off(app, services, "201007654321")                # another hand-off; the receiver is down
    services.handoffs.release("whatsapp", "201007654321")
    with responses.RequestsMock() as mock:
        mock.post(HOOK, body=requests.ConnectionError("refused"))
        services.notifier.flush()
        assert len(mock.calls) == 3
        services.notifier.flush()                          # not due yet: nothing is sent
        assert len(mock.calls) == 3
    assert [row["state"] for row in services.staff_feed.deliveries() if row["channel"] == "webhook"] == [
        "pending", "sent"]
    clock.now += retry_delay(1) + 1
    with responses.RequestsMock() as mock:
        mock.post(HOOK, status=200)
        services.notifier.flush()
        assert json.loads(mock.calls[0].request.body)["attempt"] == 2
    assert all(row["state"] == "sent" for row in services.staff_feed.deliveries() if row["channel"] == "webhook")


def test_a_refusal_fails_at_once_and_endless_outages_are_given_up(staffed) -> None:
    app, services = staffed
    hand_off(app, services)
    with responses.RequestsMock() as mock:
        mock.post(HOOK, status=410)
        services.notifier.flush()
        assert len(mock.calls) == 1
    [row] = [row for row in services.staff_feed.deliveries() if row["channel"] == "webhook"]
    assert (row["state"], row["last_error"]) == ("failed", "HTTP 410")

    clock = Clock(services.notifier.clock())
    services.notifier.clock = services.staff_feed.clock = clock
    hand_off(app, services, "201002223333")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(HOOK, status=500)
        for _ in range(MAX_ATTEMPTS):
            services.notifier.flush()
            clock.now += 3600 + 1
    newest = services.staff_feed.deliveries()[0:3]
    webhook = next(row for row in newest if row["channel"] == "webhook")
    assert webhook["state"] == "failed" and webhook["last_error"].startswith(f"gave up after {MAX_ATTEMPTS} attempts")


def test_a_staff_message_is_sent_inside_the_24_hour_window_only(staffed) -> None:
    app, services = staffed
    hand_off(app, services)                                 # nobody from the staff wrote yet
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(HOOK, status=200)
        services.notifier.flush()
    rows = {row["channel"]: row for row in services.staff_feed.deliveries()}
    assert rows["whatsapp"]["state"] == "skipped" and rows["whatsapp"]["last_error"] == NO_WINDOW
    assert rows["messenger"]["state"] == "skipped"
    assert services.staff_feed.since(0)                     # the console still has the news

    Chat(app.test_client(), services, "whatsapp", STAFF_WA).say("ازيك")   # the staff member writes to the bot
    services.sender.sent.clear()
    hand_off(app, services, "201002223333")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(HOOK, status=200)
        services.notifier.flush()
    [told] = [out for out in services.sender.sent if out.recipient_id == STAFF_WA]
    assert told.body["type"] == "text" and "Hand-off: asked for a person" in told.body["text"]["body"]
    assert "…3333" in told.body["text"]["body"] and "201002223333" not in told.body["text"]["body"]
    newest = {row["channel"]: row["state"] for row in services.staff_feed.deliveries()[:3]}
    assert newest == {"webhook": "sent", "whatsapp": "sent", "messenger": "skipped"}


def test_staff_settings_are_checked() -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"STAFF_WEBHOOK_URL": HOOK, "STAFF_WHATSAPP": "12ab", "STAFF_PSID": "x"})
    problems = "\n".join(refused.value.problems)
    assert "STAFF_WEBHOOK_SECRET is required" in problems
    assert "STAFF_WHATSAPP must be 8-15 digits" in problems and "STAFF_PSID must be 5-32 digits" in problems
    fine = Settings.from_env({"STAFF_WEBHOOK_URL": HOOK, "STAFF_WEBHOOK_SECRET": SECRET,
                              "STAFF_WHATSAPP": "+20 100-999-0000"})
    assert fine.staff_whatsapp == "201009990000" and "hook-secret" not in repr(fine)
    with pytest.raises(ConfigError) as production:
        Settings.from_env({"DUKKAN_ENV": "production", "STAFF_WEBHOOK_URL": "http://staff.example/hook",
                           "STAFF_WEBHOOK_SECRET": "short"})
    lines = "\n".join(production.value.problems)
    assert "STAFF_WEBHOOK_URL must be an https:// URL in production" in lines
    assert "STAFF_WEBHOOK_SECRET is too short" in lines


def test_the_staff_channels_come_from_the_channel_registry(staffed) -> None:
    from bot.channels import CHANNELS
    from bot.services import staff_channels

    app, services = staffed
    configured = services.settings
    platforms = [str(platform) for platform, found in CHANNELS.items() if found.staff_id_setting]
    assert staff_channels(configured) == ("webhook", *platforms) and {"whatsapp", "messenger"} <= set(platforms)
    assert services.staff_feed.channels == staff_channels(configured)
    assert staff_channels(configured.with_overrides(staff_webhook_url="", staff_psid="")) == ("whatsapp",)
    hand_off(app, services)
    assert sorted(row["channel"] for row in services.staff_feed.deliveries()) == sorted(staff_channels(configured))
