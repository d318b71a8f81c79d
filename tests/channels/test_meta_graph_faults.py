"""The Graph API failing, through the whole app: signed delivery → inbox → dialog → Send API.

Transient failures (5xx, an HTML page from a proxy, throttling codes 4, 32 and 613) are retried
with bounded attempts and backoff (the sleep is injected and recorded); when they last, the
event waits in the inbox without using up attempts (an outage is no dead letter), for as long
as the 24-hour window lets the reply go out. A refused token (190) pauses the channel: replies
stay staged, the console and ``/readyz`` say so, and the held replies go out once, when the
token works again. Final failures are recorded as designed and not retried: 551 marks the
person unreachable, 131047 records the closed 24-hour window; the reply is marked failed in the
outbox and the event is done.

The fault suite at the end runs on the injected clock (no real sleeps): a 60 s outage of both
platforms, an expired token fixed in place or by a restart, and (against a real local HTTP
server) a Graph API answering after the read timeout.
"""

from __future__ import annotations

import json
import time

import pytest
import responses

from bot import create_app
from bot.pipeline import WAIT_MAX_S, WINDOW_GONE, WINDOW_S
from bot.services import build_services
from tests.conftest import TEST_SECRET
from tests.factories import messenger_postback, messenger_text, post_signed, whatsapp_text
from tests.fake_graph import FakeGraph, recipient_of
from tests.store.test_client import Clock

GRAPH = "http://graph.test/v25.0"
PHONE_ID = "106540352242922"
PSID = "psid-graph"
WA_ID = "201001234567"


def graph_error(code: int, message: str, *, subcode: int | None = None, transient: bool = False, **extra) -> dict:
    error = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEf123",
        "is_transient": transient,
        **extra,
    }
    return {"error": error | ({"error_subcode": subcode} if subcode else {})}


SERVER_ERROR = (
    500,
    graph_error(2, "An unexpected error has occurred. Please retry your request later.", transient=True),
)
PROXY_PAGE = (503, "<html><body><h1>503 Service Unavailable</h1>No server is available.</body></html>")
THROTTLED = {
    4: (400, graph_error(4, "(#4) Application request limit reached")),
    32: (400, graph_error(32, "(#32) Page request limit reached")),
    613: (400, graph_error(613, "(#613) Calls to this api have exceeded the rate limit.")),
}
INVALID_TOKEN = (401, graph_error(190, "Error validating access token: Session has expired.", subcode=463))
UNAVAILABLE = (400, graph_error(551, "This person isn't available right now.", subcode=1545041))
WINDOW_CLOSED = (
    400,
    graph_error(
        131047,
        "Re-engagement message",
        error_data={
            "messaging_product": "whatsapp",
            "details": "Message failed to send because more than 24 hours have passed since the customer last replied.",
        },
    ),
)
TRANSIENT = {
    "5xx": SERVER_ERROR,
    "proxy_html": PROXY_PAGE,
    **{f"code_{code}": answer for code, answer in THROTTLED.items()},
}


class FakeGraphAPI:
    """Both Send API endpoints on ``responses``; message sends fail as scripted.

    ``failures`` answers the next message sends in order; ``always`` (when set) answers every
    message send after them. Actions (typing, mark seen/read) follow ``actions`` (None: accepted).
    Every call, actions too, answers 503 while ``clock() < down_until`` and 190 when its bearer
    token is not in ``valid_tokens`` (when set). ``delivered`` keeps the message bodies the API
    accepted, ``delivered_at`` the clock at each.
    """

    def __init__(self, mock: responses.RequestsMock, clock: Clock) -> None:
        self.clock = clock
        self.failures: list[tuple[int, dict | str]] = []
        self.always: tuple[int, dict | str] | None = None
        self.actions: tuple[int, dict | str] | None = None
        self.down_until = 0.0
        self.valid_tokens: set[str] | None = None
        self.delivered: list[dict] = []
        self.delivered_at: list[float] = []
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
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.valid_tokens is not None and token not in self.valid_tokens:
            failure = INVALID_TOKEN
        elif self.clock() < self.down_until:
            failure = PROXY_PAGE
        if failure is not None:
            status, error = failure
            text = error if isinstance(error, str) else json.dumps(error)
            return status, {"Content-Type": "text/html" if isinstance(error, str) else "application/json"}, text
        if action:
            return 200, {}, json.dumps({"success": True})
        self.delivered.append(body)
        self.delivered_at.append(self.clock())
        if "messaging_product" in body:
            return (
                200,
                {},
                json.dumps({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{len(self.delivered)}"}]}),
            )
        return 200, {}, json.dumps({"recipient_id": PSID, "message_id": f"m_{len(self.delivered)}"})


@pytest.fixture
def clock() -> Clock:
    """Starts at the real time: deliveries are stamped now, and older ones are past the 24-hour window."""
    return Clock(time.time())


@pytest.fixture
def graph_settings(settings):
    """The test settings in graph send mode (SQLite or Redis, as ``settings`` is parametrised)."""
    return settings.with_overrides(
        send_mode="graph",
        graph_api_url="http://graph.test",
        messenger_page_access_token="page-token",
        whatsapp_access_token="wa-token",
        whatsapp_phone_number_id=PHONE_ID,
    )


def start_app(settings, clock: Clock):
    """(client, services) for ``settings``, with the sender's sleep and the inbox clock injected."""
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    services = build_services(settings, clock=clock, sleep=clock.sleep)
    app = create_app(overrides, start_workers=False, services=services)
    return app.test_client(), services


@pytest.fixture
def graph_app(graph_settings, clock):
    """(client, services, fake Graph API) in graph send mode."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        graph = FakeGraphAPI(mock, clock)
        client, services = start_app(graph_settings, clock)
        yield client, services, graph
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
        clock.now += 301  # past the inbox's longest backoff (300 s)
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
def test_a_lasting_outage_waits_without_using_up_attempts_until_the_window_closes(graph_app, clock, failure) -> None:
    _, services, graph = graph_app
    graph.always = TRANSIENT[failure]
    graph.actions = TRANSIENT[failure]
    deliver(graph_app, messenger_postback(PSID, "GET_STARTED", "Get Started"))
    rounds = 3 * services.inbox.max_attempts
    for _ in range(rounds):
        clock.now += WAIT_MAX_S  # the longest wait between two tries
        services.workers.drain()
    counts = services.inbox.counts()
    assert (counts["dead"], counts["pending"], counts["processing"]) == (0, 1, 0), "an outage is no dead letter"
    # A quick turn sends no typing indicator: its first message uses up its retries and raises the alarm,
    # then each wait is one probe.
    assert graph.message_posts == services.sender.max_attempts + rounds
    [row] = outbox(services)
    assert row["state"] == "pending", "the dialog ran once; the staged reply waits"
    clock.now += WINDOW_S  # Meta would refuse the reply now
    services.workers.drain()
    [row] = outbox(services)
    assert (row["state"], row["error"]) == ("failed", WINDOW_GONE)
    counts = services.inbox.counts()
    assert (counts["done"], counts["dead"], counts["pending"]) == (1, 0, 0)
    assert graph.delivered == []


def test_a_transient_outage_that_ends_gets_the_customer_answered_on_a_later_attempt(graph_app, clock) -> None:
    _, services, graph = graph_app
    graph.failures = [SERVER_ERROR] * (services.sender.max_attempts + 1)  # the first event attempt fails
    deliver(graph_app, whatsapp_text(WA_ID, "hi"))
    assert services.inbox.counts()["pending"] == 1
    drain_until_settled(services, clock)
    staged = outbox(services, "whatsapp", WA_ID)
    assert staged and all(row["state"] == "sent" for row in staged)
    assert graph.delivered == [row["body"] for row in staged]
    assert services.inbox.counts()["done"] == 1 and services.inbox.counts()["dead"] == 0


# ---- recorded, not retried ------------------------------------------------------------------------


def test_an_invalid_token_raises_an_alarm_and_holds_the_reply_without_retrying_at_once(graph_app, clock) -> None:
    client, services, graph = graph_app
    graph.always = INVALID_TOKEN
    graph.actions = INVALID_TOKEN
    deliver(graph_app, messenger_postback(PSID, "GET_STARTED", "Get Started"))
    alarm = services.alarms.active()["messenger.invalid_token"]
    assert "Session has expired" in alarm["detail"] and "page-token" not in alarm["detail"]
    [row] = outbox(services)
    assert row["state"] == "pending", "held, not failed"
    assert graph.message_posts == 1, "a refused token is not retried in a loop"
    assert services.inbox.counts() | {"done": 0} == {"pending": 1, "processing": 0, "done": 0, "dead": 0}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["sending"] is False
    assert "invalid_token" in ready.get_json()["paused"]["messenger"]
    graph.always = graph.actions = None
    clock.now += WAIT_MAX_S
    services.workers.drain()
    assert "messenger.invalid_token" not in services.alarms.active(), "a working token clears the alarm"
    [row] = outbox(services)
    assert row["state"] == "sent" and graph.delivered == [row["body"]]
    assert client.get("/readyz").status_code == 200


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


# ---- the fault suite: an outage waited out, a token error paused, a slow API ----------------------

AUTH = {"Authorization": "Bearer admin-test-token"}
STEP_S = 5.0  # the injected clock moves this much between two runs of the workers
CROWD = [("messenger", f"psid-crowd-{n}") for n in range(3)] + [("whatsapp", f"20100123450{n}") for n in range(2)]


def write(client, customers, text: str = "عايز تيشيرت اسود") -> None:
    """Each customer sends ``text`` through the signed webhook (the workers do not run yet)."""
    for platform, customer in customers:
        body = messenger_text(customer, text) if platform == "messenger" else whatsapp_text(customer, text)
        assert post_signed(client, body, TEST_SECRET).status_code == 200


def run_until(services, clock: Clock, until: float) -> None:
    """Run the workers every ``STEP_S`` seconds of the injected clock until ``until``."""
    while clock.now < until:
        services.workers.drain()
        assert services.inbox.counts()["processing"] == 0, "an event is stuck in processing"
        clock.now += STEP_S


def settle(services, clock: Clock, limit_s: float = 900.0) -> float:
    """Run the workers until no event waits (within ``limit_s`` clock seconds); returns the clock."""
    deadline = clock.now + limit_s
    while services.inbox.counts()["pending"]:
        assert clock.now < deadline, f"still waiting after {limit_s} s: {services.inbox.counts()}"
        run_until(services, clock, clock.now + STEP_S)
    return clock.now


def delivered_to(bodies: list[dict], customer: str) -> list[dict]:
    return [body for body in bodies if recipient_of(body) == customer]


def assert_answered_once(services, delivered: list[dict], platform: str, customer: str) -> None:
    """Every reply staged for the customer was sent, and the API got each exactly once, in order."""
    staged = outbox(services, platform, customer)
    assert staged, f"{platform}:{customer} was never answered"
    assert [row["state"] for row in staged] == ["sent"] * len(staged)
    assert delivered_to(delivered, customer) == [row["body"] for row in staged], "each reply delivered once"


def attempts_used(services, customer_key: str) -> list[int]:
    """The attempts the inbox counted for each of a customer's events (both backends)."""
    inbox = services.inbox
    if hasattr(inbox, "db"):
        rows = inbox.db.query("SELECT attempts FROM inbox WHERE customer_key = ? ORDER BY id", (customer_key,))
        return [row["attempts"] for row in rows]
    return [int(inbox.r.hget(f"{inbox.p}event:{row['id']}", "attempts")) for row in inbox.inbound(customer_key)]


def test_a_60_s_outage_is_waited_out_and_every_customer_answered_once(graph_app, clock) -> None:
    client, services, graph = graph_app
    start = clock.now
    graph.down_until = start + 60  # every call, on both platforms, answers 503 for a minute
    write(client, CROWD)
    run_until(services, clock, start + 40)

    status = client.get("/admin/api/status", headers=AUTH)
    report = status.get_json()
    assert set(report["sender"]["outages"]) == {"messenger", "whatsapp"}
    assert start <= report["sender"]["outages"]["messenger"]["since"] <= start + 10
    assert report["waiting"]["customers"] == len(CROWD)
    shown = sorted(item["customer"] for item in report["waiting"]["sample"])
    assert shown == sorted(f"{platform}:…{customer[-4:]}" for platform, customer in CROWD)
    assert not any(customer in status.get_data(as_text=True) for _, customer in CROWD), "ids are masked"
    assert client.get("/readyz").status_code == 200, "the API being down is not this instance's fault"
    assert graph.delivered == [] and services.inbox.counts()["dead"] == 0

    settle(services, clock)
    for platform, customer in CROWD:
        assert_answered_once(services, graph.delivered, platform, customer)
        assert attempts_used(services, f"{platform}:{customer}") == [1], "waiting used up no attempt"
    assert min(graph.delivered_at) >= start + 60
    assert max(graph.delivered_at) <= start + 60 + WAIT_MAX_S + 6 * STEP_S, "answered within a minute or so"
    counts = services.inbox.counts()
    assert (counts["done"], counts["dead"], counts["pending"]) == (len(CROWD), 0, 0)
    assert services.sender.outages() == {} and services.inbox.waiting()["customers"] == 0
    run_until(services, clock, clock.now + 600)
    assert len(graph.delivered) == sum(len(outbox(services, p, c)) for p, c in CROWD), "nothing sent again later"


@pytest.mark.parametrize("fix", ["restored", "restart"])
def test_an_expired_token_pauses_its_channel_and_every_held_reply_is_sent_once_after_the_fix(
    graph_app, graph_settings, clock, fix
) -> None:
    client, services, graph = graph_app
    graph.valid_tokens = {"wa-token"}  # the Page token expired; WhatsApp has its own and works
    paused = [("messenger", "psid-paused-1"), ("messenger", "psid-paused-2")]
    working = [("whatsapp", "201001112233")]
    write(client, paused + working)
    start = clock.now
    run_until(services, clock, start + 300)  # five minutes of retries, every one refused

    assert_answered_once(services, graph.delivered, *working[0])
    for platform, customer in paused:
        rows = outbox(services, platform, customer)
        assert rows and {row["state"] for row in rows} == {"pending"}, "held, never failed"
    counts = services.inbox.counts()
    assert (counts["pending"], counts["dead"]) == (len(paused), 0)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["sending"] is False
    assert list(ready.get_json()["paused"]) == ["messenger"]
    assert "Session has expired" in ready.get_json()["paused"]["messenger"]
    report = client.get("/admin/api/status", headers=AUTH).get_json()
    assert list(report["sender"]["paused"]) == ["messenger"] and report["waiting"]["customers"] == len(paused)
    refused = graph.message_posts - len(graph.delivered)
    assert len(paused) <= refused <= len(paused) * (300 / 30 + 2), "probed now and then, never in a busy loop"

    if fix == "restored":
        graph.valid_tokens = {"page-token", "wa-token"}
    else:  # a new token, deployed by a restart on the same storage
        graph.valid_tokens = {"page-token-2", "wa-token"}
        services.workers.stop()
        client, services = start_app(graph_settings.with_overrides(messenger_page_access_token="page-token-2"), clock)
    fixed = clock.now
    settle(services, clock)
    for platform, customer in paused + working:
        assert_answered_once(services, graph.delivered, platform, customer)
    assert max(graph.delivered_at) <= fixed + WAIT_MAX_S + 2 * STEP_S
    counts = services.inbox.counts()
    assert (counts["done"], counts["dead"], counts["pending"]) == (len(paused + working), 0, 0)
    assert client.get("/readyz").status_code == 200 and services.paused() == {}
    run_until(services, clock, clock.now + 600)
    assert len(graph.delivered) == sum(len(outbox(services, p, c)) for p, c in paused + working), "none twice"


@pytest.mark.parametrize(("read_timeout_s", "state"), [(0.1, "unknown"), (2.0, "sent")], ids=["timed_out", "slow"])
def test_a_late_answering_graph_api_gets_each_message_once(graph_settings, clock, read_timeout_s, state) -> None:
    fake = FakeGraph(late_s=0.4)  # a real HTTP server: Meta sends, then answers late
    try:
        client, services = start_app(graph_settings.with_overrides(graph_api_url=fake.url), clock)
        services.sender.timeout = (2.0, read_timeout_s)
        customers = [("messenger", "psid-slow"), ("whatsapp", "201005556677")]
        write(client, customers, "hi")
        services.workers.drain()
        run_until(services, clock, clock.now + 600)  # any retry would have happened by now
        for platform, customer in customers:
            staged = outbox(services, platform, customer)
            assert staged and [row["state"] for row in staged] == [state] * len(staged)
            sent = [call["body"] for call in fake.messages_to(customer)]
            assert sent == [row["body"] for row in staged], "each message reached the API exactly once"
        counts = services.inbox.counts()
        assert (counts["done"], counts["dead"], counts["pending"]) == (len(customers), 0, 0)
        staged_count = sum(len(outbox(services, p, c)) for p, c in customers)
        assert services.sender.status()["unknown"] == (staged_count if state == "unknown" else 0)
        services.workers.stop()
    finally:
        fake.close()


def test_a_pause_raised_by_one_process_is_seen_by_every_process_and_lifted_by_any(graph_settings, clock) -> None:
    """Two processes on one database (or one Redis): the pause and its end are shared."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        graph = FakeGraphAPI(mock, clock)
        client_a, services_a = start_app(graph_settings, clock)
        client_b, services_b = start_app(graph_settings, clock)
        try:
            graph.valid_tokens = {"wa-token"}  # the Page token expired
            assert (
                post_signed(client_a, messenger_postback(PSID, "GET_STARTED", "Get Started"), TEST_SECRET).status_code
                == 200
            )
            services_a.workers.drain()  # process A's send is refused
            assert outbox(services_a) and {row["state"] for row in outbox(services_a)} == {"pending"}
            for client, services in ((client_a, services_a), (client_b, services_b)):
                ready = client.get("/readyz")
                assert ready.status_code == 503 and list(ready.get_json()["paused"]) == ["messenger"]
                assert ready.get_json()["paused"]["messenger"].startswith("invalid_token: ")
                assert "Session has expired" in ready.get_json()["paused"]["messenger"]
                assert services.paused().keys() == {"messenger"}
            graph.valid_tokens = None  # the token works again ...
            clock.now += WAIT_MAX_S
            services_b.workers.drain()  # ... and process B sends the held reply
            assert {row["state"] for row in outbox(services_b)} == {"sent"}
            for client, services in ((client_a, services_a), (client_b, services_b)):
                assert client.get("/readyz").status_code == 200
                assert services.paused() == {} and "messenger.invalid_token" not in services.alarms.active()
        finally:
            services_a.workers.stop()
            services_b.workers.stop()
