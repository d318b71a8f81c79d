"""The Graph API failing, through the whole app: signed delivery → inbox → dialog → Send API.

Transient failures (5xx, an HTML page from a proxy, throttling codes 4, 32 and 613) are retried
with bounded attempts and backoff (the sleep is injected and recorded); when they last, the
event is retried later by the inbox and ends as a dead letter after its maximum attempts, never
a crash loop. Final failures are recorded as designed and not retried: 190 raises the
``<platform>.invalid_token`` alarm, 551 marks the person unreachable, 131047 records the closed
24-hour window; the reply is marked failed in the outbox and the event is done.
"""

from __future__ import annotations

import json
import time

import pytest
import responses

from bot import create_app
from bot.services import build_services
from tests.conftest import TEST_SECRET
from tests.factories import messenger_postback, messenger_text, post_signed, whatsapp_text
from tests.test_store_client import Clock

GRAPH = "http://graph.test/v25.0"
PHONE_ID = "106540352242922"
PSID = "psid-graph"
WA_ID = "201001234567"


def graph_error(code: int, message: str, *, subcode: int | None = None, transient: bool = False, **extra) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123",
             "is_transient": transient, **extra}
    return {"error": error | ({"error_subcode": subcode} if subcode else {})}


SERVER_ERROR = (500, graph_error(2, "An unexpected error has occurred. Please retry your request later.", transient=True))
PROXY_PAGE = (503, "<html><body><h1>503 Service Unavailable</h1>No server is available.</body></html>")
THROTTLED = {
    4: (400, graph_error(4, "(#4) Application request limit reached")),
    32: (400, graph_error(32, "(#32) Page request limit reached")),
    613: (400, graph_error(613, "(#613) Calls to this api have exceeded the rate limit.")),
}
INVALID_TOKEN = (401, graph_error(190, "Error validating access token: Session has expired.", subcode=463))
UNAVAILABLE = (400, graph_error(551, "This person isn't available right now.", subcode=1545041))
WINDOW_CLOSED = (400, graph_error(131047, "Re-engagement message", error_data={
    "messaging_product": "whatsapp",
    "details": "Message failed to send because more than 24 hours have passed since the customer last replied.",
}))
TRANSIENT = {"5xx": SERVER_ERROR, "proxy_html": PROXY_PAGE, **{f"code_{code}": answer for code, answer in THROTTLED.items()}}


class FakeGraphAPI:
    """Both Send API endpoints on ``responses``; message sends fail as scripted.

    ``failures`` answers the next message sends in order; ``always`` (when set) answers every
    message send after them. Actions (typing, mark seen/read) follow ``actions`` (None: accepted).
    ``delivered`` keeps the message bodies the API accepted.
    """

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.failures: list[tuple[int, dict | str]] = []
        self.always: tuple[int, dict | str] | None = None
        self.actions: tuple[int, dict | str] | None = None
        self.delivered: list[dict] = []
        self.message_posts = 0
        mock.add_callback(responses.POST, f"{GRAPH}/me/messages", callback=self.answer)
        mock.add_callback(responses.POST, f"{GRAPH}/{PHONE_ID}/messages", callback=self.answer)

    def answer(self, request):
        body = json.loads(request.body)
        action = "sender_action" in body or body.get("status") == "read"
        if action:
            failure = self.actions
        else:
            self.message_posts += 1
            failure = self.failures.pop(0) if self.failures else self.always
        if failure is not None:
            status, error = failure
            text = error if isinstance(error, str) else json.dumps(error)
            return status, {"Content-Type": "text/html" if isinstance(error, str) else "application/json"}, text
        if action:
            return 200, {}, json.dumps({"success": True})
        self.delivered.append(body)
        if "messaging_product" in body:
            return 200, {}, json.dumps({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{len(self.delivered)}"}]})
        return 200, {}, json.dumps({"recipient_id": PSID, "message_id": f"m_{len(self.delivered)}"})


@pytest.fixture
def clock() -> Clock:
    """Starts at the real time: deliveries are stamped now, and older ones are past the 24-hour window."""
    return Clock(time.time())


@pytest.fixture
def graph_app(settings, clock):
    """(client, services, fake Graph API) in graph send mode, with the sender's sleep and the inbox clock injected."""
    settings = settings.with_overrides(send_mode="graph", graph_api_url="http://graph.test",
                                       messenger_page_access_token="page-token", whatsapp_access_token="wa-token",
                                       whatsapp_phone_number_id=PHONE_ID)
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        graph = FakeGraphAPI(mock)
        services = build_services(settings, clock=clock, sleep=clock.sleep)
        app = create_app(overrides, start_workers=False, services=services)
        yield app.test_client(), services, graph
        services.workers.stop()


def deliver(graph_app, body: dict) -> None:
    client, services, _ = graph_app
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()


def outbox(services, platform: str = "messenger", customer: str = PSID) -> list[dict]:
    return [row for row in services.pipeline.outbox.conversation(platform, customer) if row["kind"] == "message"]


def drain_until_settled(services, clock: Clock, rounds: int = 20) -> int:
    """Run the workers, moving the clock past every retry delay, until nothing waits; returns the rounds."""
    for n in range(rounds):
        services.workers.drain()
        counts = services.inbox.counts()
        assert counts["processing"] == 0, "an event is stuck in processing"
        if counts["pending"] == 0:
            return n
        clock.now += 301          # past the inbox's longest backoff (300 s)
    raise AssertionError(f"events still pending after {rounds} rounds: {services.inbox.counts()}")


# ---- retried ------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", TRANSIENT, ids=list(TRANSIENT))
def test_transient_failures_are_retried_with_backoff_and_the_reply_sent_once(graph_app, clock, failure) -> None:
    _, services, graph = graph_app
    graph.failures = [TRANSIENT[failure]] * 2
    deliver(graph_app, messenger_postback(PSID, "GET_STARTED", "Get Started"))
    assert graph.message_posts == 3
    assert len(clock.sleeps) == 2
    assert 0.5 <= clock.sleeps[0] <= 1.0 and 1.0 <= clock.sleeps[1] <= 1.5, clock.sleeps
    staged = outbox(services)
    assert [row["state"] for row in staged] == ["sent"]
    assert graph.delivered == [row["body"] for row in staged], "delivered exactly once"
    assert services.inbox.counts()["done"] == 1
    assert services.sender.status()["retries"] == 2


@pytest.mark.parametrize("failure", ["5xx", "code_4", "code_613"])
def test_lasting_transient_failures_end_as_one_dead_letter_after_bounded_attempts(graph_app, clock, failure) -> None:
    _, services, graph = graph_app
    graph.always = TRANSIENT[failure]
    graph.actions = TRANSIENT[failure]
    deliver(graph_app, messenger_postback(PSID, "GET_STARTED", "Get Started"))
    drain_until_settled(services, clock)
    max_attempts = services.inbox.max_attempts
    counts = services.inbox.counts()
    assert (counts["dead"], counts["pending"], counts["processing"]) == (1, 0, 0)
    assert graph.message_posts == max_attempts * services.sender.max_attempts, "bounded: attempts x sender tries"
    assert len(outbox(services)) == 1, "the dialog ran once; retries resend the staged reply"
    assert graph.delivered == []


def test_a_transient_outage_that_ends_gets_the_customer_answered_on_a_later_attempt(graph_app, clock) -> None:
    _, services, graph = graph_app
    graph.failures = [SERVER_ERROR] * (services.sender.max_attempts + 1)     # the first event attempt fails
    deliver(graph_app, whatsapp_text(WA_ID, "hi"))
    assert services.inbox.counts()["pending"] == 1
    drain_until_settled(services, clock)
    staged = outbox(services, "whatsapp", WA_ID)
    assert staged and all(row["state"] == "sent" for row in staged)
    assert graph.delivered == [row["body"] for row in staged]
    assert services.inbox.counts()["done"] == 1 and services.inbox.counts()["dead"] == 0


# ---- recorded, not retried ------------------------------------------------------------------------


def test_an_invalid_token_raises_an_alarm_marks_the_reply_failed_and_finishes_the_event(graph_app, clock) -> None:
    _, services, graph = graph_app
    graph.always = INVALID_TOKEN
    graph.actions = INVALID_TOKEN
    deliver(graph_app, messenger_postback(PSID, "GET_STARTED", "Get Started"))
    drain_until_settled(services, clock)
    alarm = services.alarms.active()["messenger.invalid_token"]
    assert "Session has expired" in alarm["detail"] and "page-token" not in alarm["detail"]
    [row] = outbox(services)
    assert (row["state"], row["error_code"]) == ("failed", 190)
    assert graph.message_posts == 1, "never retried"
    assert services.inbox.counts() | {"pending": 0} == {"pending": 0, "processing": 0, "done": 1, "dead": 0}
    graph.always = graph.actions = None
    deliver(graph_app, messenger_text(PSID, "hi"))
    assert "messenger.invalid_token" not in services.alarms.active(), "a working token clears the alarm"


def test_an_unavailable_person_is_recorded_and_not_retried(graph_app, clock) -> None:
    _, services, graph = graph_app
    graph.always = UNAVAILABLE
    deliver(graph_app, messenger_postback(PSID, "GET_STARTED", "Get Started"))
    drain_until_settled(services, clock)
    [row] = outbox(services)
    assert (row["state"], row["error_code"]) == ("failed", 551)
    assert graph.message_posts == 1
    assert services.sender.status()["unreachable"] == 1
    assert services.sender.status()["failed_by_code"] == {"551/1545041": 1}
    assert services.inbox.counts()["done"] == 1 and services.inbox.counts()["dead"] == 0
    assert services.alarms.active() == {}


def test_a_closed_whatsapp_window_is_recorded_and_not_retried(graph_app, clock) -> None:
    _, services, graph = graph_app
    graph.always = WINDOW_CLOSED
    deliver(graph_app, whatsapp_text(WA_ID, "hi"))
    drain_until_settled(services, clock)
    staged = outbox(services, "whatsapp", WA_ID)
    assert staged and all((row["state"], row["error_code"]) == ("failed", 131047) for row in staged)
    assert graph.message_posts == len(staged), "one try per staged message"
    assert services.sender.is_window_closed("whatsapp", WA_ID)
    assert services.inbox.counts()["done"] == 1 and services.inbox.counts()["dead"] == 0
