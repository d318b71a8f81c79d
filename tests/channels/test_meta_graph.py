"""GraphSender, ConsoleSender, Alarms and parse_graph_error, against a fake Graph API (responses)."""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses
from responses import matchers
from responses.registries import OrderedRegistry
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from bot.channels.meta.graph import (
    Alarms,
    ConsoleSender,
    GraphSender,
    SendResult,
    build_sender,
    parse_graph_error,
)
from bot.config import Settings
from bot.errors import (
    AuthError,
    DeliveryUnknown,
    InvalidRequest,
    PolicyBlocked,
    RecipientUnavailable,
    SendError,
    StorageError,
    Throttled,
    TransientSendError,
    WindowClosed,
)
from bot.logs import customer_ref
from bot.replies import Outgoing

BASE = "http://graph.test"
PAGE_TOKEN = "EAAGpagetoken123"
WA_TOKEN = "EAAGwhatsapptoken456"
PHONE_ID = "109876543210"
MESSENGER_URL = f"{BASE}/v25.0/me/messages"
WHATSAPP_URL = f"{BASE}/v25.0/{PHONE_ID}/messages"
PSID = "24681357"
WA_ID = "201001234567"


def graph_error(code: int, subcode: int | None = None, message: str = "boom", status: int = 400) -> dict:
    """Keyword arguments for ``responses.add`` returning a Graph error body."""
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"json": {"error": error}, "status": status}


MESSENGER_OK = {"json": {"recipient_id": PSID, "message_id": "m_abc"}, "status": 200}


@pytest.fixture
def settings() -> Settings:
    return Settings().with_overrides(
        send_mode="graph",
        graph_api_url=BASE,
        messenger_page_access_token=PAGE_TOKEN,
        whatsapp_access_token=WA_TOKEN,
        whatsapp_phone_number_id=PHONE_ID,
    )


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def sender(settings: Settings, sleeps: list[float]) -> GraphSender:
    return GraphSender(settings, sleep=sleeps.append, clock=lambda: 1000.0, rand=lambda: 0.5)


@pytest.fixture
def graph():
    with responses.RequestsMock(registry=OrderedRegistry) as mock:
        yield mock


def messenger_text(text: str = "أهلاً") -> Outgoing:
    body = {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": text}}
    return Outgoing("messenger", PSID, body)


def whatsapp_text(text: str = "أهلاً") -> Outgoing:
    body = {"messaging_product": "whatsapp", "to": WA_ID, "type": "text", "text": {"body": text}}
    return Outgoing("whatsapp", WA_ID, body)


# --------------------------------------------------------------------------- retries


def test_500_500_200_sends_once_after_two_backoffs(graph, sender, sleeps):
    graph.post(MESSENGER_URL, json={"error": {"message": "oops"}}, status=500)
    graph.post(MESSENGER_URL, body="Internal Server Error", status=500)
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    result = sender.send(messenger_text())

    assert result == SendResult(ok=True, message_id="m_abc", error=None, attempts=3)
    assert len(graph.calls) == 3
    # base 0.5 s doubling, plus rand()=0.5 times 0.5 s of jitter
    assert sleeps == [0.75, 1.25]
    assert sender.status()["sent"] == 1
    assert sender.status()["retries"] == 2


def test_backoff_is_capped_and_attempts_bounded(graph, settings, sleeps):
    sender = GraphSender(settings, sleep=sleeps.append, rand=lambda: 0.0, max_attempts=6, backoff_max=2.0)
    for _ in range(6):
        graph.post(MESSENGER_URL, **graph_error(613, message="Calls to this API have exceeded the rate limit"))

    result = sender.send(messenger_text())

    assert not result.ok and isinstance(result.error, Throttled)
    assert result.attempts == 6
    assert sleeps == [0.5, 1.0, 2.0, 2.0, 2.0]


def test_default_jitter_stays_within_its_bounds(graph, settings, sleeps):
    sender = GraphSender(settings, sleep=sleeps.append)
    for _ in range(4):
        graph.post(MESSENGER_URL, status=503, body="unavailable")

    result = sender.send(messenger_text())

    assert result.attempts == 4 and isinstance(result.error, TransientSendError)
    for wait, base in zip(sleeps, [0.5, 1.0, 2.0], strict=True):
        assert base <= wait <= base + 0.5


def test_400_code_100_is_not_retried(graph, sender, sleeps):
    graph.post(MESSENGER_URL, **graph_error(100, message="(#100) Invalid parameter"))

    result = sender.send(messenger_text())

    assert not result.ok
    assert isinstance(result.error, InvalidRequest)
    assert (result.error.code, result.error.http_status, result.error.fbtrace_id) == (100, 400, "AbCdEf")
    assert result.attempts == 1 and len(graph.calls) == 1
    assert sleeps == []
    assert sender.status()["failed_by_code"] == {"100": 1}


def test_613_is_retried_then_sent(graph, sender, sleeps):
    graph.post(MESSENGER_URL, **graph_error(613))
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    result = sender.send(messenger_text())

    assert result.ok and result.attempts == 2
    assert sleeps == [0.75]


def test_whatsapp_pair_rate_limit_is_retried(graph, sender, sleeps):
    graph.post(WHATSAPP_URL, **graph_error(131056, message="(#131056) Pair rate limit hit"))
    graph.post(WHATSAPP_URL, json={"messages": [{"id": "wamid.X"}]}, status=200)

    result = sender.send(whatsapp_text())

    assert result.ok and result.message_id == "wamid.X" and result.attempts == 2


def refused() -> requests.ConnectionError:
    """What requests raises when no connection could be made (urllib3 wraps NewConnectionError)."""
    return requests.ConnectionError(MaxRetryError(None, MESSENGER_URL, NewConnectionError(None, "Connection refused")))


def dropped() -> requests.ConnectionError:
    """What requests raises when the server closed the connection after reading the request."""
    return requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError("reset by peer")))


def test_connect_timeouts_are_retried_then_transient(graph, sender, sleeps):
    for _ in range(4):
        graph.post(MESSENGER_URL, body=requests.ConnectTimeout("connect timed out"))

    result = sender.send(messenger_text())

    assert not result.ok
    assert isinstance(result.error, TransientSendError)
    assert isinstance(result.error.__cause__, requests.ConnectTimeout)
    assert result.attempts == 4 and len(sleeps) == 3
    assert sender.status()["failed_by_code"] == {"TransientSendError": 1}


@pytest.mark.parametrize(
    "unanswered", [requests.ReadTimeout("read timed out"), dropped()], ids=["read_timeout", "dropped"]
)
def test_a_message_written_but_unanswered_is_never_sent_again(graph, sender, sleeps, unanswered):
    graph.post(MESSENGER_URL, body=unanswered)
    graph.post(MESSENGER_URL, **MESSENGER_OK)  # a retry would be answered: it must not happen

    result = sender.send(messenger_text())

    assert not result.ok and isinstance(result.error, DeliveryUnknown)
    assert not result.error.retryable
    assert result.attempts == 1 and len(graph.calls) == 1 and sleeps == []
    assert (sender.status()["unknown"], sender.status()["failed"]) == (1, 0)
    assert sender.alarms.active() == {}, "an unanswered request is no outage"
    graph.reset()


def test_an_unanswered_action_is_idempotent_and_retried(graph, sender, sleeps):
    graph.post(MESSENGER_URL, body=requests.ReadTimeout("read timed out"))
    graph.post(MESSENGER_URL, json={"recipient_id": PSID}, status=200)
    typing = Outgoing("messenger", PSID, {"recipient": {"id": PSID}, "sender_action": "typing_on"}, "action")

    assert sender.send(typing).ok
    assert len(graph.calls) == 2 and len(sleeps) == 1


def test_connection_refused_then_success(graph, sender, sleeps):
    graph.post(MESSENGER_URL, body=refused())
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    result = sender.send(messenger_text())

    assert result.ok and result.attempts == 2


def test_non_json_200_is_not_taken_for_success(graph, sender):
    graph.post(MESSENGER_URL, body="<html>captive portal</html>", status=200)
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    result = sender.send(messenger_text())

    assert result.ok and result.attempts == 2


# --------------------------------------------------------------------------- failures that are recorded


def test_190_raises_an_alarm_once_and_is_not_retried(graph, sender, sleeps, caplog):
    for _ in range(2):
        graph.post(MESSENGER_URL, **graph_error(190, message="Error validating access token", status=401))

    with caplog.at_level(logging.ERROR, logger="bot.channels.meta.graph"):
        first = sender.send(messenger_text())
        second = sender.send(messenger_text())

    assert isinstance(first.error, AuthError) and isinstance(second.error, AuthError)
    assert first.attempts == 1 and sleeps == []
    alarms = sender.alarms.active()
    assert list(alarms) == ["messenger.invalid_token"]
    assert alarms["messenger.invalid_token"]["count"] == 2
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1
    assert sender.status()["alarms"] == alarms


def test_successful_send_clears_the_invalid_token_alarm(graph, sender):
    graph.post(MESSENGER_URL, **graph_error(190, status=401))
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    sender.send(messenger_text())
    assert "messenger.invalid_token" in sender.alarms
    sender.send(messenger_text())

    assert sender.alarms.active() == {}


def test_a_refused_token_pauses_only_its_own_channel_until_a_send_succeeds(graph, sender):
    graph.post(MESSENGER_URL, **graph_error(190, 463, "Session has expired", status=401))
    graph.post(WHATSAPP_URL, json={"messages": [{"id": "wamid.ok"}]}, status=200)
    graph.post(f"{BASE}/v25.0/me/pass_thread_control", json={"success": True}, status=200)
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    sender.send(messenger_text())
    assert sender.send(whatsapp_text()).ok
    paused = sender.paused()
    assert list(paused) == ["messenger"] and "Session has expired" in paused["messenger"]
    assert PAGE_TOKEN not in paused["messenger"]
    handover = Outgoing("messenger", PSID, {"recipient": {"id": PSID}, "target_app_id": 1}, "handover")
    assert sender.send(handover).ok
    assert list(sender.paused()) == ["messenger"], "a handover has its own permissions: it proves nothing"
    assert sender.send(messenger_text()).ok
    assert sender.paused() == {} and sender.status()["paused"] == {}


def test_an_outage_raises_an_unavailable_alarm_until_the_api_answers(graph, sender, sleeps):
    for _ in range(sender.max_attempts + 1):  # one send's attempts, then a probe
        graph.post(WHATSAPP_URL, status=503, body="<html>503</html>")
    graph.post(WHATSAPP_URL, json={"messages": [{"id": "wamid.ok"}]}, status=200)

    assert not sender.send(whatsapp_text()).ok
    outage = sender.outages()
    assert list(outage) == ["whatsapp"] and outage["whatsapp"]["since"] == 1000.0
    assert sender.paused() == {}, "an outage does not pause: the events wait and retry"
    probe = sender.send(whatsapp_text())
    assert not probe.ok and probe.attempts == 1, "during a known outage a send is one probe, no sleeps"
    assert len(sleeps) == sender.max_attempts - 1
    assert sender.send(whatsapp_text()).ok
    assert sender.outages() == {} and sender.alarms.active() == {}


def test_permission_error_is_its_own_alarm(graph, sender):
    graph.post(WHATSAPP_URL, **graph_error(131005, message="Access denied", status=403))

    result = sender.send(whatsapp_text())

    assert isinstance(result.error, AuthError)
    assert list(sender.alarms.active()) == ["whatsapp.permission"]


def test_policy_block_raises_an_alarm(graph, sender):
    graph.post(WHATSAPP_URL, **graph_error(131048, message="Spam rate limit hit"))

    result = sender.send(whatsapp_text())

    assert isinstance(result.error, PolicyBlocked) and result.attempts == 1
    assert "whatsapp.policy_blocked" in sender.alarms


def test_131047_records_a_closed_window_without_retry(graph, sender, sleeps):
    graph.post(WHATSAPP_URL, **graph_error(131047, message="Re-engagement message"))

    result = sender.send(whatsapp_text())

    assert isinstance(result.error, WindowClosed)
    assert result.attempts == 1 and sleeps == []
    assert sender.is_window_closed("whatsapp", WA_ID)
    assert not sender.is_window_closed("messenger", WA_ID)
    assert sender.status()["closed_windows"] == 1
    assert sender.alarms.active() == {}


def test_a_later_success_or_reopen_forgets_the_closed_window(graph, sender):
    graph.post(MESSENGER_URL, **graph_error(10, 2018278, "This message is sent outside of allowed window"))
    graph.post(MESSENGER_URL, **MESSENGER_OK)

    assert isinstance(sender.send(messenger_text()).error, WindowClosed)
    assert sender.is_window_closed("messenger", PSID)
    sender.send(messenger_text())
    assert not sender.is_window_closed("messenger", PSID)

    graph.post(MESSENGER_URL, **graph_error(10, 2018278))
    sender.send(messenger_text())
    sender.reopen_window("messenger", PSID)
    assert sender.status()["closed_windows"] == 0


def test_a_failed_send_logs_the_customer_s_pseudonym_never_their_phone_number(graph, sender, caplog):
    graph.post(WHATSAPP_URL, **graph_error(131026, message="Message undeliverable"))
    with caplog.at_level(logging.DEBUG, logger="bot.channels.meta.graph"):
        sender.send(whatsapp_text())
    assert "send failed" in caplog.text and customer_ref("whatsapp", WA_ID) in caplog.text
    assert WA_ID not in caplog.text and WA_ID[-9:] not in caplog.text


def test_551_is_recipient_unavailable(graph, sender, sleeps):
    graph.post(MESSENGER_URL, **graph_error(551, 1545041, "This person isn't available right now."))

    result = sender.send(messenger_text())

    assert isinstance(result.error, RecipientUnavailable)
    assert result.error.subcode == 1545041
    assert result.attempts == 1 and sleeps == []
    status = sender.status()
    assert status["unreachable"] == 1
    assert status["failed_by_code"] == {"551/1545041": 1}
    assert status["last_error"]["type"] == "RecipientUnavailable"
    assert status["last_error"]["recipient_id"] == "…" + PSID[-4:], "masked: never a whole id or phone number"


def test_html_error_page_from_a_proxy(graph, sender):
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
    for _ in range(4):
        graph.post(MESSENGER_URL, body=page, status=502, content_type="text/html")

    result = sender.send(messenger_text())

    assert isinstance(result.error, TransientSendError)
    assert result.error.http_status == 502 and result.error.code is None
    assert "Bad Gateway" in str(result.error) and "<" not in str(result.error)
    assert sender.status()["failed_by_code"] == {"http_502": 1}


def test_token_is_redacted_from_kept_and_logged_errors(graph, sender, caplog):
    leak = f"Invalid parameter for access_token={PAGE_TOKEN}&x=1 and {WA_TOKEN}"
    graph.post(MESSENGER_URL, **graph_error(100, message=leak))

    with caplog.at_level(logging.DEBUG):
        result = sender.send(messenger_text())

    kept = json.dumps(sender.status())
    for text in (str(result.error), kept, caplog.text):
        assert PAGE_TOKEN not in text and WA_TOKEN not in text
    assert "[redacted]" in str(result.error)


def test_missing_token_fails_without_calling(graph, settings):
    sender = GraphSender(settings.with_overrides(messenger_page_access_token=""))

    result = sender.send(messenger_text())

    assert isinstance(result.error, AuthError) and result.attempts == 0
    assert "messenger.not_configured" in sender.alarms
    assert len(graph.calls) == 0


def test_unknown_kind_or_platform_is_invalid_without_calling(graph, sender):
    handover = Outgoing("whatsapp", WA_ID, {"recipient": {"id": WA_ID}}, kind="handover")
    unknown = Outgoing("telegram", "1", {"text": "hi"})

    for out in (handover, unknown):
        result = sender.send(out)
        assert isinstance(result.error, InvalidRequest) and result.attempts == 0
    assert len(graph.calls) == 0


# --------------------------------------------------------------------------- URLs and headers


def test_messenger_url_headers_and_body(graph, sender):
    out = messenger_text("عندكم جزم؟")
    graph.post(
        MESSENGER_URL,
        match=[
            matchers.json_params_matcher(out.body),
            matchers.header_matcher({"Authorization": f"Bearer {PAGE_TOKEN}"}),
            matchers.query_string_matcher(""),
        ],
        **MESSENGER_OK,
    )

    result = sender.send(out)

    assert result.ok and result.message_id == "m_abc"
    assert PAGE_TOKEN not in graph.calls[0].request.url


def test_whatsapp_url_version_and_token(graph, settings):
    sender = GraphSender(settings.with_overrides(graph_api_version="v23.0", graph_api_url=BASE + "/"))
    graph.post(
        f"{BASE}/v23.0/{PHONE_ID}/messages",
        match=[matchers.header_matcher({"Authorization": f"Bearer {WA_TOKEN}"}), matchers.query_string_matcher("")],
        json={"messaging_product": "whatsapp", "contacts": [{"wa_id": WA_ID}], "messages": [{"id": "wamid.HBg"}]},
        status=200,
    )

    result = sender.send(whatsapp_text())

    assert result.ok and result.message_id == "wamid.HBg"
    assert WA_TOKEN not in graph.calls[0].request.url


def test_actions_go_to_the_messages_endpoint(graph, sender):
    typing = Outgoing("messenger", PSID, {"recipient": {"id": PSID}, "sender_action": "typing_on"}, kind="action")
    read = Outgoing(
        "whatsapp", WA_ID, {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.in"}, kind="action"
    )
    graph.post(MESSENGER_URL, json={"recipient_id": PSID}, status=200)
    graph.post(WHATSAPP_URL, json={"success": True}, status=200)

    assert sender.send(typing) == SendResult(ok=True, message_id=None, attempts=1)
    assert sender.send(read) == SendResult(ok=True, message_id=None, attempts=1)


@pytest.mark.parametrize(
    "kind, path",
    [
        ("handover", "pass_thread_control"),
        ("handover_take", "take_thread_control"),
        ("handover_request", "request_thread_control"),
    ],
)
def test_handover_endpoints(graph, sender, kind, path):
    body = {"recipient": {"id": PSID}, "target_app_id": "263902037430900", "metadata": "human"}
    graph.post(f"{BASE}/v25.0/me/{path}", match=[matchers.json_params_matcher(body)], json={"success": True})

    result = sender.send(Outgoing("messenger", PSID, body, kind=kind))

    assert result.ok


def test_post_calls_any_path_with_the_page_token(graph, sender):
    graph.post(
        f"{BASE}/v25.0/me/messenger_profile",
        match=[matchers.header_matcher({"Authorization": f"Bearer {PAGE_TOKEN}"})],
        json={"result": "success"},
    )

    assert sender.post("me/messenger_profile", {"get_started": {"payload": "GET_STARTED"}}).ok


class RecordingSession:
    """A stand-in session that records how it was called."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def post(self, url: str, **kwargs) -> requests.Response:
        self.calls.append({"url": url, **kwargs})
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"message_id": "m_1"}'
        return response


def test_uses_the_injected_session_with_explicit_timeouts(settings):
    session = RecordingSession()
    sender = GraphSender(settings, session=session, timeout=(2.0, 7.0))

    assert sender.send(messenger_text()).ok
    assert session.calls[0]["timeout"] == (2.0, 7.0)
    assert session.calls[0]["url"] == MESSENGER_URL
    assert GraphSender(settings, session=session).timeout == (3.05, 30.0), "read timeout longer than Meta is slow"


def test_status_counts_by_code(graph, sender):
    graph.post(MESSENGER_URL, **MESSENGER_OK)
    graph.post(MESSENGER_URL, **graph_error(100))
    graph.post(MESSENGER_URL, **graph_error(100))
    graph.post(MESSENGER_URL, **graph_error(551))

    for _ in range(4):
        sender.send(messenger_text())

    status = sender.status()
    assert (status["mode"], status["sent"], status["failed"]) == ("graph", 1, 3)
    assert status["failed_by_code"] == {"100": 2, "551": 1}
    assert status["last_error"]["code"] == 551
    assert status["last_error"]["at"] == 1000.0


# --------------------------------------------------------------------------- parse_graph_error


@pytest.mark.parametrize(
    "code, subcode, cls",
    [
        (4, None, Throttled),
        (17, None, Throttled),
        (32, None, Throttled),
        (613, None, Throttled),
        (80007, None, Throttled),
        (130429, None, Throttled),
        (131056, None, Throttled),
        (1, None, TransientSendError),
        (2, None, TransientSendError),
        (1200, None, TransientSendError),
        (131000, None, TransientSendError),
        (131016, None, TransientSendError),
        (131057, None, TransientSendError),
        (190, 463, AuthError),
        (10, None, AuthError),
        (200, None, AuthError),
        (299, None, AuthError),
        (131005, None, AuthError),
        (3, None, AuthError),
        (10, 2018278, WindowClosed),
        (10, 2534022, WindowClosed),               # Instagram's "sent outside of allowed window"
        (131047, None, WindowClosed),
        (551, 1545041, RecipientUnavailable),
        (100, 2018001, RecipientUnavailable),
        (100, 2534014, RecipientUnavailable),      # Instagram's "No matching user found"
        (131026, None, RecipientUnavailable),
        (131030, None, RecipientUnavailable),
        (368, None, PolicyBlocked),
        (131031, None, PolicyBlocked),
        (131048, None, PolicyBlocked),
        (100, None, InvalidRequest),
        (100, 2018047, InvalidRequest),
        (131008, None, InvalidRequest),
        (131009, None, InvalidRequest),
        (132001, None, InvalidRequest),
    ],
)
def test_parse_graph_error_maps_codes(code, subcode, cls):
    error = parse_graph_error(400, graph_error(code, subcode)["json"])

    assert type(error) is cls
    assert (error.code, error.subcode, error.http_status, error.fbtrace_id) == (code, subcode, 400, "AbCdEf")
    assert error.retryable is (cls in (Throttled, TransientSendError))


@pytest.mark.parametrize(
    "status, body, cls",
    [
        (502, "<html><body>Bad Gateway</body></html>", TransientSendError),
        (500, None, TransientSendError),
        (503, {"unexpected": True}, TransientSendError),
        (429, "Too Many Requests", Throttled),
        (403, "<html>Forbidden</html>", InvalidRequest),
        (400, "", InvalidRequest),
        (500, {"error": {"message": "An unknown error occurred", "code": 99999}}, TransientSendError),
        (400, {"error": {"message": "x", "code": 99999, "is_transient": True}}, TransientSendError),
        (400, {"error": "not an object"}, InvalidRequest),
    ],
)
def test_parse_graph_error_without_a_known_code(status, body, cls):
    error = parse_graph_error(status, body)

    assert type(error) is cls
    assert error.http_status == status


def test_parse_graph_error_reads_json_text_and_whatsapp_details():
    body = json.dumps(
        {
            "error": {
                "message": "(#131047) Re-engagement message",
                "type": "OAuthException",
                "code": "131047",
                "error_data": {"messaging_product": "whatsapp", "details": "More than 24 hours have passed"},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
            }
        }
    )

    error = parse_graph_error(400, body)

    assert isinstance(error, WindowClosed)
    assert error.code == 131047 and error.fbtrace_id == "Az8or2yhqkZfEZ-_4Qn_Bam"
    assert "More than 24 hours have passed" in str(error)
    assert isinstance(error, SendError)


# --------------------------------------------------------------------------- alarms, console, factory


def test_alarms_raise_clear_and_copy():
    now = iter([10.0, 20.0])
    alarms = Alarms(clock=lambda: next(now))

    assert alarms.raise_("messenger.invalid_token", "code 190") is True
    assert alarms.raise_("messenger.invalid_token", "code 190 again") is False
    snapshot = alarms.active()
    snapshot["messenger.invalid_token"]["detail"] = "changed"

    info = alarms.active()["messenger.invalid_token"]
    assert info == {"detail": "code 190 again", "since": 10.0, "last": 20.0, "count": 2}
    assert alarms.clear("messenger.invalid_token") is True
    assert alarms.clear("messenger.invalid_token") is False
    assert alarms.active() == {}


def test_console_sender_keeps_what_it_sends():
    console = ConsoleSender()
    typing = Outgoing("messenger", PSID, {"sender_action": "typing_on"}, kind="action")

    results = [console.send(messenger_text()), console.send(whatsapp_text()), console.send(typing)]

    assert [r.message_id for r in results] == ["m_console_1", "wamid.console.2", None]
    assert all(r.ok and r.error is None for r in results)
    assert [o.platform for o in console.sent] == ["messenger", "whatsapp", "messenger"]
    assert console.status()["mode"] == "console" and console.status()["sent"] == 3


def test_console_sender_uses_the_injected_recorder_and_survives_storage_errors():
    outbox: list[Outgoing] = []
    console = ConsoleSender(outbox.append)
    assert console.send(messenger_text("hi")).ok
    assert outbox[0].body["message"]["text"] == "hi" and console.sent == []

    def broken(out: Outgoing) -> None:
        raise StorageError("disk full")

    result = ConsoleSender(broken).send(messenger_text())
    assert not result.ok and isinstance(result.error, TransientSendError)


def test_build_sender_follows_send_mode(settings):
    alarms = Alarms()
    outbox: list[Outgoing] = []

    graph_sender = build_sender(settings, alarms=alarms)
    console = build_sender(settings.with_overrides(send_mode="console"), record=outbox.append, alarms=alarms)
    console.send(messenger_text())

    assert isinstance(graph_sender, GraphSender) and graph_sender.alarms is alarms
    assert isinstance(console, ConsoleSender) and console.alarms is alarms
    assert len(outbox) == 1


def test_actions_get_fewer_attempts_than_messages(graph, sender, sleeps):
    typing = Outgoing("messenger", PSID, {"recipient": {"id": PSID}, "sender_action": "typing_on"}, kind="action")
    for _ in range(2):
        graph.post(MESSENGER_URL, status=503, body="unavailable")

    result = sender.send(typing)

    assert isinstance(result.error, TransientSendError)
    assert result.attempts == 2 and sleeps == [0.75]


def test_platform_enum_values_work_like_strings(graph, sender):
    from bot.events import Platform

    graph.post(MESSENGER_URL, **graph_error(190, status=401))

    result = sender.send(Outgoing(Platform.MESSENGER, PSID, messenger_text().body))

    assert isinstance(result.error, AuthError)
    assert list(sender.alarms.active()) == ["messenger.invalid_token"]
