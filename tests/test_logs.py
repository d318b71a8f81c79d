"""Logs: one JSON object a line with request and event ids, and nothing secret in any of them.

The JSON tests capture the real handler's output while a signed delivery goes through the
webhook and a worker answers it over a fake Graph API that fails with an error echoing the
token and the customer's number.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest
import responses

from bot import create_app
from bot.channels.meta.signature import sign
from bot.config import Settings
from bot.logs import RedactingFilter, clip, current_context, log_context, pseudonym, redact, settings_secrets
from tests.conftest import TEST_SECRET
from tests.factories import post_signed, whatsapp_text

GRAPH = "http://graph.test"
PHONE_ID = "109876543210"
WA_TOKEN = "EAAGwhatsappSecretToken456"
PAGE_TOKEN = "EAAGpageSecretToken123"
STORE_KEY = "store-api-key-secret"
METRICS_TOKEN = "metrics-token-secret"
WA_ID = "201012345678"
# The customer's number in every form it may take in a log line.
NUMBER_FORMS = (WA_ID, "01012345678", "1012345678", "٠١٠١٢٣٤٥٦٧٨", "0101 234 5678")
SECRETS = (TEST_SECRET, "verify-me", "admin-test-token", WA_TOKEN, PAGE_TOKEN, STORE_KEY, METRICS_TOKEN)


# --------------------------------------------------------------------------- redact()


@pytest.mark.parametrize("number", [
    "01012345678", "01112345678", "01212345678", "01512345678",
    "+201012345678", "00201012345678", "201012345678",
    "+20 101 234 5678", "+2 01012345678", "+20 010 1234 5678", "0101 234 5678", "010-1234-5678",
    "010.1234.5678", "010/1234/5678", "010+1234+5678", "010%201234%205678", "+20.10.1234.5678",
    "010.1234 5678", "010.123.456.78",
    "٠١٠١٢٣٤٥٦٧٨", "+٢٠١٠١٢٣٤٥٦٧٨", "۰۱۰۱۲۳۴۵۶۷۸", "٠١٠ ١٢٣٤ ٥٦٧٨",
])
def test_every_form_of_an_egyptian_mobile_number_is_redacted(number):
    text = redact(f"customer said: رقمي {number} شكرا")
    assert text == "customer said: رقمي [redacted] شكرا"


@pytest.mark.parametrize("number", [
    "+966 50 123 4567", "966501234567", "00966501234567", "+1 (555) 123-4567", "+44 7700 900123",
    "06 12 34 56 78", "+49 151 23456789", "+٩٦٦٥٠١٢٣٤٥٦٧", "٠٥٠١٢٣٤٥٦٧",
    "landline 02 2345 6789", "psid 24681357913579", "timestamp 1700000000000",
])
def test_every_phone_length_digit_run_of_any_country_is_redacted(number):
    """8 digits or more (spaces, dashes, brackets between them) is a phone's length: masked.

    Long platform ids (PSIDs, wa_ids) and millisecond timestamps are masked too: the code logs
    ids as pseudonyms, and a digit run in free text cannot be told from a phone number.
    """
    text = redact(f"from {number}, thanks")
    assert text.startswith("from ") and text.endswith("[redacted], thanks")
    assert re.search(r"\d{3}", text) is None


@pytest.mark.parametrize("text", [
    "order 1042 total 350 EGP", "price 1500 EGP", "on 2026-05-10 14:30:00", "at 2026-05-10T14:30:00Z",
    "product 53 size 42", "order #DK-10423", "total 1,250.50 EGP", "sizes 38 40 42", "between 300 and 5000",
    "v25.0 code 131047", "lat 30.0444 long 31.2357", "event 7 attempt 2/5", "سعر ١٥٠٠ جنيه",
    "wrong admin token from 203.0.113.5", "198.51.100.7 203.0.113.255:8080 from 10.0.0.1",
    "on 2026/05/10 and 10.05.2026",
    "due 1/5/2026 or 31-12-2026", "took 1.25 s, 3/4 done",
])
def test_ordinary_numbers_are_kept(text):
    assert redact(text) == text


@pytest.mark.parametrize("text", [
    "192.168.1.1/01012345678", "2026-05-10 01012345678", "10.05.2026.12345678", "256.1.1.1234", "966.501.234.567",
    "q=010%201234%205678&x=1",
])
def test_digits_next_to_an_address_or_a_date_are_still_masked(text):
    assert not re.search(r"\d{4}", redact(text).replace("2026", "")), redact(text)


def test_two_numbers_in_a_row_are_both_redacted():
    assert redact("01012345678 966501234567") == "[redacted]"
    assert redact("01012345678, 966501234567") == "[redacted], [redacted]"


def test_a_whatsapp_message_id_becomes_a_stable_pseudonym():
    wamid = "wamid.HBgMMjAxMDEyMzQ1Njc4FQIAEhgUM0VCMDREMjg5RjFCM0M3QzQ5RkUA"
    text = redact(f"status read for {wamid} and {wamid}.")
    assert "HBgM" not in text and "wamid." not in text
    assert text == f"status read for wamid{pseudonym(wamid)} and wamid{pseudonym(wamid)}."
    assert re.fullmatch(r"#[a-z]{10}", pseudonym(wamid))
    assert pseudonym(wamid) != pseudonym(wamid + "A")
    assert pseudonym("") == ""


@pytest.mark.parametrize("text, kept", [
    ("GET https://graph.test/v25.0/me?access_token=EAAGabc123def456&fields=id", "&fields=id"),
    ("headers {'Authorization': 'Bearer abcdef.123456', 'X': 1}", "'X': 1"),
    ("{'X-API-PASSWORD': '9f86d081884c7d659a2feaa0c55ad015', 'Accept-Language': 'ar'}", "'Accept-Language'"),
    ('{"access_token": "EAAGxyzxyz123456", "ok": true}', '"ok": true'),
    ("hub.mode=subscribe&hub.verify_token=sekrit-value&hub.challenge=42", "hub.challenge=42"),
    ("token in text EAAGm0PX4ZCpsBAO1234 here", " here"),
    ("redis://:p4ssw0rd@redis.internal:6379/0", "@redis.internal:6379/0"),
])
def test_tokens_and_passwords_are_redacted_and_the_rest_kept(text, kept):
    redacted = redact(text)
    assert "[redacted]" in redacted
    assert kept in redacted
    for secret in ("EAAG", "abcdef.123456", "9f86d081", "sekrit-value", "p4ssw0rd"):
        assert secret not in redacted


def test_secrets_of_the_settings_are_redacted_wherever_they_appear():
    settings = Settings().with_overrides(
        meta_app_secret="app-secret-value", store_api_key=STORE_KEY, metrics_token=METRICS_TOKEN,
        admin_token="admin-secret-value",
    )
    secrets = settings_secrets(settings)
    text = redact(f"x{STORE_KEY}y {METRICS_TOKEN} app-secret-value/admin-secret-value", secrets)
    assert text == "x[redacted]y [redacted] [redacted]/[redacted]"


# --------------------------------------------------------------------------- bounded and linear

MEGABYTE = 1_000_000
# Shapes that made the old patterns backtrack over the text again and again (5 s for 8,000 'a').
ADVERSARIAL = {
    "a": "a", "digits": "1", "digits and spaces": "1 ", "digits and dashes": "12-", "seven digits": "1234567 ",
    "eight digits": "12345678 ", "digit letter": "1a", "arabic digits": "٠", "dates": "2026-05-10 ", "plus": "+",
    "plus digit": "+1 ", "brackets": "(1) ", "token=": "token=", "token ": "token ", "token": "token", "t": "t",
    "password then spaces": "password" + " " * 20, "Bearer ": "Bearer ", "EAA": "EAA", "scheme": "://",
    "url password": "://x:" + "y" * 250, "wamid.": "wamid.", "wamids": "wamid.abcdefgh ", "spaces": " ",
    "dotted": "a.", "dotless i": "İa", "mixed": "x-api-password: ' 0101 234 5678 Bearer EAA wamid.ab ",
    "digit dots": "1.", "addresses": "1.1.1.1.", "address start": "255.255.", "dates with slashes": "10/05/2026 ",
    "url spaces": "%20", "digit url spaces": "1%20", "digit slashes": "1/", "digit plus": "1+",
}


def cpu_ms(work, repeat: int = 3) -> float:
    """The least CPU time of this thread ``work`` took, in ms (other processes do not count)."""
    times = []
    for _ in range(repeat):
        started = time.thread_time()
        work()
        times.append(time.thread_time() - started)
    return min(times) * 1000


@pytest.mark.parametrize("shape", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_a_megabyte_of_adversarial_text_is_redacted_in_milliseconds(shape):
    text = shape * (MEGABYTE // len(shape))
    assert cpu_ms(lambda: redact(text, ("some-secret-value",))) < 200  # measured: 20 to 90 ms


def test_the_filter_bounds_a_huge_argument_before_redacting_it():
    record = logging.LogRecord(
        "bot.test", logging.WARNING, __file__, 1, "mode=%r from %s", ("a" * MEGABYTE, WA_ID), None)
    assert cpu_ms(lambda: RedactingFilter(SECRETS).filter(logging.makeLogRecord(record.__dict__))) < 20
    RedactingFilter(SECRETS).filter(record)
    message = record.getMessage()
    assert len(message) < 1100 and "…(+" in message and message.endswith(" from [redacted]")
    bare = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, "%d%%" + "z" * MEGABYTE, (), None)
    RedactingFilter(SECRETS).filter(bare)
    assert bare.getMessage() == "%d%%" + "z" * 7996 + f"…(+{MEGABYTE - 7996} chars)"


def test_clip_marks_what_it_cut_and_never_leaves_half_a_number():
    assert clip("short", 10) == "short"
    assert clip("x" * 50, 10) == "xxxxxxxxxx…(+40 chars)"
    cut = clip("call 0101234567890123 now " + "z" * 100, 12)
    assert cut == "call …(+121 chars)"
    assert redact(clip(f"{'w ' * 10}{WA_ID}", 25)) == "w w w w w w w w w w …(+12 chars)"


@pytest.mark.parametrize(
    "number", ["0101234 5678", "010 1234 5678", "010.1234.5678", "(010) 1234-5678", "010%201234%205678"])
def test_clip_never_cuts_inside_a_number_with_separators(number):
    """Wherever the cut falls in a spaced number, none of its digits are left before it."""
    for before in range(960, 1001):
        text = "a" * before + " " + number + " tail" * 20
        kept = redact(clip(text)).rpartition("…(+")[0]
        assert kept and not re.search(r"\d", kept), (before, kept)


def test_a_record_with_a_lone_surrogate_is_written_not_dropped(app, output):
    logging.getLogger("bot.test").warning("odd text %s", "x\ud800y")
    assert "odd text x\ufffdy" in output.getvalue()


def test_context_fields_are_clipped_and_redacted_but_the_request_id_is_kept(app, output):
    with log_context(request_id="12345678abcdef", message_id=f"wamid.HBgM{WA_ID}", event_id=3, extra="y" * 500):
        logging.getLogger("bot.test").warning("hello")
    line = output.getvalue()
    assert "request_id=12345678abcdef" in line and "event_id=3" in line
    assert f"message_id=wamid{pseudonym(f'wamid.HBgM{WA_ID}')}" in line
    assert "y" * 201 not in line and "…(+" in line


# --------------------------------------------------------------------------- context


def test_log_context_nests_and_is_restored():
    assert current_context() == {}
    with log_context(request_id="r1"):
        with log_context(event_id=5, message_id=None):
            assert current_context() == {"request_id": "r1", "event_id": 5}
        assert current_context() == {"request_id": "r1"}
    assert current_context() == {}


# --------------------------------------------------------------------------- JSON lines


@pytest.fixture
def json_app(settings):
    overrides = vars(settings) | {
        "log_format": "json",
        "log_level": "DEBUG",
        "send_mode": "graph",
        "graph_api_url": GRAPH,
        "messenger_page_access_token": PAGE_TOKEN,
        "whatsapp_access_token": WA_TOKEN,
        "whatsapp_phone_number_id": PHONE_ID,
        "store_api_key": STORE_KEY,
        "metrics_token": METRICS_TOKEN,
    }
    app = create_app(overrides, start_workers=False)
    yield app
    app.extensions["dukkan"].workers.stop()


@pytest.fixture
def output():
    """The real handler's output, as a string buffer."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "dukkan", False))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def lines_of(buffer: io.StringIO) -> list[dict]:
    """Every line parsed as JSON, after checking none holds a secret or the customer's number."""
    text = buffer.getvalue()
    for secret in SECRETS:
        assert secret not in text
    for number in NUMBER_FORMS:
        assert number not in text
    assert "EAAG" not in text
    return [json.loads(line) for line in text.splitlines()]


def watch_handler(services) -> list[int]:
    """Wrap the workers' handler; the list collects the inbox ids it is given."""
    handled: list[int] = []
    inner = services.workers.handler

    def handler(claimed):
        handled.append(claimed.id)
        return inner(claimed)

    services.workers.handler = handler
    return handled


def graph_failing_with_secrets(request):
    """The Graph API refusing with an error text that echoes the token and the number."""
    body = {"error": {
        "message": f"(#131047) Re-engagement message to +{WA_ID} failed; access_token={WA_TOKEN}",
        "code": 131047, "fbtrace_id": "AbC",
    }}
    return 400, {}, json.dumps(body)


def test_a_webhook_request_and_a_worker_run_write_json_lines_with_their_ids(json_app, output):
    client = json_app.test_client()
    services = json_app.extensions["dukkan"]
    body = whatsapp_text(WA_ID, "رقمي ٠١٠١٢٣٤٥٦٧٨ وعايز تيشيرت")
    raw = json.dumps(body, ensure_ascii=False).encode()

    answer = client.post("/webhook", data=raw, headers={
        "X-Hub-Signature-256": sign(raw, TEST_SECRET), "X-Request-Id": "req-from-the-proxy-1",
    })
    assert answer.status_code == 200
    assert answer.headers["X-Request-Id"] == "req-from-the-proxy-1"
    webhook_lines = lines_of(output)
    assert webhook_lines, "the webhook logs the delivery"
    assert all(line["request_id"] == "req-from-the-proxy-1" for line in webhook_lines)
    assert all("event_id" not in line for line in webhook_lines)

    handled = watch_handler(services)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as graph:
        graph.add_callback(responses.POST, f"{GRAPH}/v25.0/{PHONE_ID}/messages", callback=graph_failing_with_secrets)
        assert services.workers.drain() == 1
    worker_lines = lines_of(output)[len(webhook_lines):]
    event_id = handled[0]
    message_id = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    failures = [line for line in worker_lines if "send failed" in line["message"]]
    assert failures and "[redacted]" in failures[0]["message"]
    for line in worker_lines:
        assert line["event_id"] == event_id
        assert line["message_id"] == pseudonym(message_id)  # a wamid holds the customer's number
        assert "request_id" not in line
        assert set(line) >= {"time", "level", "logger", "message"}


def test_a_generated_request_id_is_returned_and_logged(json_app, output):
    client = json_app.test_client()
    answer = post_signed(client, b"{not json", TEST_SECRET)
    assert answer.status_code == 400
    request_id = answer.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert [line["request_id"] for line in lines_of(output)] == [request_id]
    hostile = client.post("/webhook", data=b"{}", headers={"X-Request-Id": "bad id <script>" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-Id"])
    assert current_context() == {}


def test_an_exception_in_a_worker_is_one_redacted_json_line_with_the_event_id(json_app, output):
    client = json_app.test_client()
    services = json_app.extensions["dukkan"]

    def explode(claimed):
        raise ValueError(f"cannot parse +{WA_ID} with Bearer {WA_TOKEN} and {STORE_KEY}")

    services.workers.handler = explode
    handled = watch_handler(services)
    post_signed(client, whatsapp_text(WA_ID, "hi"), TEST_SECRET)
    assert services.workers.drain() == 1
    failed = [line for line in lines_of(output) if "exception" in line]
    assert len(failed) == 1
    assert failed[0]["level"] == "ERROR"
    assert failed[0]["event_id"] == handled[0]
    assert "ValueError: cannot parse [redacted] with Bearer [redacted] and [redacted]" in failed[0]["exception"]


def test_text_format_appends_the_context_fields(app, output):
    with log_context(request_id="abc123", event_id=9):
        logging.getLogger("bot.test").warning("reply to whatsapp:%s failed", WA_ID)
    line = output.getvalue().strip()
    assert line.endswith("WARNING bot.test: reply to whatsapp:[redacted] failed request_id=abc123 event_id=9")


def test_gunicorn_access_lines_are_redacted(app):
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    access = logging.getLogger("gunicorn.access")
    access.addHandler(handler)
    try:
        access.warning('"GET /webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=7 HTTP/1.1" 200')
    finally:
        access.removeHandler(handler)
    assert "verify-me" not in buffer.getvalue()
    assert "hub.challenge=7" in buffer.getvalue()
    assert any(isinstance(f, RedactingFilter) for f in access.filters)


def test_gunicorn_access_lines_with_header_atoms_are_written_clipped_and_redacted(app, tmp_path):
    """gunicorn's atoms answer any header, in any case, from their own ``__getitem__``: the
    filter must read them through it (a copied dict raised KeyError and the line was lost)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("access_log_format", '%(h)s %({X-Forwarded-For}i)s "%(r)s" %(s)s %({X-Missing}i)s %(a)s')
    gunicorn_logger = Logger(config)
    try:
        assert any(isinstance(f, RedactingFilter) for f in logging.getLogger("gunicorn.access").filters)
        environ = {
            "REMOTE_ADDR": "203.0.113.9", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
            "RAW_URI": "/webhook?hub.verify_token=verify-me&phone=010.1234.5678&hub.challenge=7",
            "HTTP_USER_AGENT": "agent/" + "u" * 5000,
        }
        request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "198.51.100.7, 203.0.113.5")])
        response = SimpleNamespace(status="200 OK", sent=12, headers=[])
        gunicorn_logger.access(response, request, environ, timedelta(milliseconds=5))
    finally:
        for name in ("gunicorn.access", "gunicorn.error"):
            logger = logging.getLogger(name)
            logger.handlers = [h for h in logger.handlers if not getattr(h, "_gunicorn", False)]
    assert (tmp_path / "error.log").read_text() == ""
    [line] = (tmp_path / "access.log").read_text().splitlines()
    assert line.startswith('203.0.113.9 198.51.100.7, 203.0.113.5 '
                           '"GET /webhook?hub.verify_token=[redacted]&phone=[redacted]&hub.challenge=7 HTTP/1.1" '
                           '200 - agent/u')
    assert line.endswith(f"…(+{5006 - 1000} chars)")


def test_every_declared_secret_is_redacted_and_kept_out_of_repr():
    """One list (bot.config.SECRETS) drives the redaction and the repr: a secret added there is both."""
    from bot.config import SECRETS

    values = {secret.attribute: f"value-of-{secret.env.lower()}-{index}x" for index, secret in enumerate(SECRETS)}
    settings = Settings().with_overrides(**values)
    assert sorted(settings_secrets(settings)) == sorted(values.values())
    line = " ".join(values.values())
    assert redact(line, settings_secrets(settings)).split() == ["[redacted]"] * len(values)
    assert not any(value in repr(settings) for value in values.values())
    assert "instagram_access_token" in {secret.attribute for secret in SECRETS}
