"""Odd input never stalls a worker, never loses or blocks an event, and no phone number is logged.

Through the real app (both backends): a whole conversation on both platforms with logging
captured at DEBUG, scanned for phone-length digit runs and WhatsApp message ids; absurd
verification requests and sender ids answered in milliseconds; lone surrogates stored as text;
one unstorable delivery failing alone in its group commit; chunked bodies over the limit
refused with 413 before the signature is even looked at.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot import create_app
from bot.channels import parse_delivery
from bot.channels.meta.signature import sign
from bot.errors import StorageError
from bot.events import Event
from bot.storage.inbox import Accepted
from tests.conftest import TEST_SECRET, seeded_order_numbers
from tests.factories import encode, messenger, messenger_text, post_signed, whatsapp, whatsapp_text
from tests.test_checkout import fill_cart, hoodie
from tests.test_conversation_kit import Chat, joined

PSID = "2468135791357913"          # a real-looking Page-scoped id: 16 digits
WA_SAUDI = "966501234567"          # WhatsApp ids are phone numbers, of any country
WA_EGYPT = "201001234567"
PHONE_RUN = re.compile(r"\d{8,}")   # Western and Arabic-Indic digits alike
QUICK_S = 1.0


@pytest.fixture
def debug_app(settings):
    """The real app logging JSON lines at DEBUG through its own handler."""
    overrides = vars(settings) | {"log_format": "json", "log_level": "DEBUG"}
    application = create_app(overrides, start_workers=False)
    application.extensions["dukkan"].orders.new_number = seeded_order_numbers()
    yield application
    application.extensions["dukkan"].workers.stop()


@pytest.fixture
def log_output(debug_app):
    """Everything the real handler writes, as one string buffer."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "dukkan", False))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def phone_leaks(text: str) -> list[str]:
    """Phone-length digit runs (spaces, dashes removed) and wamids in every field but the line's
    time and request id (our random hex)."""
    leaks = []
    for line in text.splitlines():
        entry = json.loads(line)
        entry.pop("time", None)
        entry.pop("request_id", None)
        flat = re.sub(r"[ \u00a0\-]", "", json.dumps(entry, ensure_ascii=False))
        leaks += PHONE_RUN.findall(flat) + re.findall(r"wamid\.", flat, re.IGNORECASE)
    return leaks


def status_failed(wa_id: str, wamid: str) -> dict:
    """A WhatsApp status saying our message to ``wa_id`` failed."""
    status = {"id": wamid, "status": "failed", "timestamp": str(int(time.time())), "recipient_id": wa_id,
              "errors": [{"code": 131047, "title": f"Re-engagement message to +{wa_id}"}]}
    body = whatsapp(wa_id, {"type": "text", "text": {"body": "x"}})
    body["entry"][0]["changes"][0]["value"] = {"metadata": {"phone_number_id": "106540352242922"}, "statuses": [status]}
    return body


# ---- 2. no phone number and no wamid in any log line ----------------------------------------------


def test_a_whole_conversation_on_both_platforms_logs_no_phone_number_and_no_wamid(debug_app, log_output):
    client, services = debug_app.test_client(), debug_app.extensions["dukkan"]
    fb, wa, eg = (Chat(client, services, "messenger", PSID), Chat(client, services, "whatsapp", WA_SAUDI),
                  Chat(client, services, "whatsapp", WA_EGYPT))
    product = hoodie(services)
    fb.say("السلام عليكم، رقمي +966 50 123 4567")
    fill_cart(fb, product)
    fb.tap("CHECKOUT")
    fb.say("أحمد علي")
    fb.say("٠١٠٠ ١٢٣ ٤٥٦٧")
    fb.say("ساكن في مدينة نصر")
    summary = fb.say("١٢ شارع عباس العقاد، مدينة نصر")
    confirm = next(b["payload"] for b in summary[0]["message"]["attachment"]["payload"]["buttons"])
    assert "طلبك اتأكد" in joined(fb.press(confirm, "تأكيد ✅"))
    [order] = services.orders.by_customer("messenger", PSID)
    assert joined(fb.say(f"فين طلبي {order.number}"))
    wa.say("hello, call me on 0096650-123-4567")
    wa.say("3ayez jeans azra2")
    eg.say("عايز تيشيرت اسود تحت ٥٠٠")
    eg.tap("ORDER_STATUS")
    eg.tap("DETAILS:999999999999")                                   # a payload the dialog refuses
    late = whatsapp_text(WA_EGYPT, "عايز جينز")
    late["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()) - 25 * 3600)
    reaction = whatsapp(WA_SAUDI, {"type": "reaction", "reaction": {"message_id": "wamid.HBgMOTY2NTAx", "emoji": "👍"}})
    gone = status_failed(WA_SAUDI, "wamid.HBgMOTY2NTAxMjM0NTY3FQIAERgSQjFCMkMzRDRFNUY2")
    gone["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "deleted"
    for body in (status_failed(WA_SAUDI, "wamid.HBgMOTY2NTAxMjM0NTY3FQIAERgSQTFCMkMzRDRFNUY2"), late, reaction, gone,
                 messenger(PSID, {"read": {"watermark": int(time.time() * 1000)}})):
        assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()
    logging.getLogger("bot.test").debug("free text from %s and %s", WA_SAUDI, "wamid.HBgMOTY2NTAxMjM0NTY3FQIAERgS")

    text = log_output.getvalue()
    assert len(text.splitlines()) > 20, "the conversation was logged"
    assert phone_leaks(text) == []
    for form in (WA_SAUDI, WA_EGYPT, PSID, "01001234567", "٠١٠٠", "966 50 123 4567"):
        assert form not in text
    worker_lines = [json.loads(line) for line in text.splitlines() if "event_id" in line]
    assert worker_lines and all(re.fullmatch(r"#[a-z]{10}", line.get("message_id", "#aaaaaaaaaa"))
                                for line in worker_lines)


def test_the_scan_finds_what_it_looks_for():
    """The scanner of the test above is not blind."""
    line = json.dumps({"time": "2026-01-01T00:00:00", "request_id": "12345678", "message": "to +966 50-123-4567"})
    assert phone_leaks(line) == ["966501234567"]
    assert phone_leaks(json.dumps({"message_id": "wamid.HBgM"})) == ["wamid."]
    assert phone_leaks(json.dumps({"message": "order DK-7QX2PA total ١٥٠٠ EGP, event 1042"})) == []


# ---- 1 and 3. absurd input is handled in well under a second ---------------------------------


def test_a_verification_request_with_an_8000_character_mode_is_refused_at_once(debug_app, log_output):
    client = debug_app.test_client()
    mode = "a" * 8000

    def verify_once(_: int) -> float:
        started = time.perf_counter()
        answer = client.get("/webhook", query_string={"hub.mode": mode, "hub.verify_token": "x", "hub.challenge": "1"})
        assert answer.status_code == 403
        return time.perf_counter() - started

    assert verify_once(0) < QUICK_S
    with ThreadPoolExecutor(16) as pool:
        assert max(pool.map(verify_once, range(16))) < QUICK_S
    lines = log_output.getvalue().splitlines()
    refused = [json.loads(line)["message"] for line in lines if "verification refused" in line]
    assert len(refused) == 17 and all(len(message) < 200 and "chars)" in message for message in refused)


def test_a_signed_event_with_a_70000_character_sender_id_is_recorded_in_milliseconds(debug_app, log_output):
    client, services = debug_app.test_client(), debug_app.extensions["dukkan"]
    bodies = [messenger_text("7" * 70_000, "hello", mid="m_absurd_1"), whatsapp_text("9" * 70_000, "hi")]
    for body in bodies:
        started = time.perf_counter()
        assert post_signed(client, body, TEST_SECRET).status_code == 200
        assert time.perf_counter() - started < QUICK_S
    started = time.perf_counter()
    assert services.workers.drain() == 2
    assert time.perf_counter() - started < QUICK_S
    assert services.inbox.counts()["done"] == 2  # recorded, never answered: there is nobody to answer
    assert max(len(line) for line in log_output.getvalue().splitlines()) < 2000
    assert phone_leaks(log_output.getvalue()) == []


# ---- 4. surrogates, and one bad delivery never fails its batch --------------------------------


def test_lone_surrogates_in_from_mid_and_an_unknown_key_are_stored_and_block_nobody(client, services):
    odd = [
        encode(messenger_text("u-from", "x", mid="m_odd_1")).replace(b'"u-from"', b'"u-\\ud800from"'),
        encode(messenger_text("u-mid", "hello", mid="m_odd_2")).replace(b'"m_odd_2"', b'"m_\\udc00odd"'),
        encode(messenger("u-key", {"new\\ud83dthing": {"x": "\\udfff"}})).replace(b"\\\\ud83d", b"\\ud83d")
        .replace(b"\\\\udfff", b"\\udfff"),
        encode(whatsapp_text("201000000031", "hi")).replace(b'"201000000031"', b'"2010\\ud80000031"', 1),
    ]
    assert "\ud83d" in json.dumps(json.loads(odd[2]), ensure_ascii=False)
    for raw in odd:
        assert post_signed(client, raw, TEST_SECRET).status_code == 200
    post_signed(client, messenger_text("u-after", "hello"), TEST_SECRET)
    services.workers.drain()
    assert services.inbox.counts()["dead"] == 0 and services.inbox.counts()["pending"] == 0
    assert services.pipeline.outbox.conversation("messenger", "u-mid"), "the customer with the odd mid is answered"
    assert services.pipeline.outbox.conversation("messenger", "u-after")
    [stored] = services.inbox.inbound("messenger:u-key")
    assert stored["data"]["event"] == "new\ufffdthing"


def _unstorable(customer: str) -> Event:
    """An event with a lone surrogate that slipped past parsing: no database can store it."""
    [event] = parse_delivery(messenger_text(customer, "hello"))
    object.__setattr__(event, "customer_id", customer + "\ud800")
    return event


def test_one_unstorable_delivery_fails_alone_and_its_batch_is_stored(services, backend):
    inbox = services.inbox
    good_a, good_b = (parse_delivery(messenger_text(customer, "hi")) for customer in ("u-a", "u-b"))
    if backend == "redis":  # no group commit: the delivery's other events are queued, then it fails
        with pytest.raises(StorageError):
            inbox.accept([good_a[0], _unstorable("u-bad"), good_b[0]])
        assert inbox.counts()["pending"] == 2
        assert inbox.accept(good_a + good_b) == Accepted(new=0, duplicates=2)
        return
    deliveries = {"a": good_a, "bad": [_unstorable("u-bad")], "b": good_b}
    outcome: dict[str, object] = {}

    def deliver(name: str) -> None:
        try:
            outcome[name] = inbox.accept(deliveries[name])
        except StorageError as exc:
            outcome[name] = exc

    _commit_together(inbox, deliver, list(deliveries))
    assert outcome["a"] == outcome["b"] == Accepted(new=1, duplicates=0)
    assert isinstance(outcome["bad"], StorageError)
    assert inbox.counts()["pending"] == 2


def test_through_the_webhook_only_the_unstorable_delivery_gets_503(app, services, backend, monkeypatch):
    """Three requests committed together: the one that cannot be stored is 503, the others 200."""
    import bot.web.webhook as webhook

    def parse_with_a_slipped_surrogate(body):
        events = parse_delivery(body)
        for event in events:
            if event.customer_id == "u-bad":
                object.__setattr__(event, "customer_id", "u-bad\ud800")
        return events

    monkeypatch.setattr(webhook, "parse_delivery", parse_with_a_slipped_surrogate)
    customers = ("u-a", "u-bad", "u-b")
    answers: dict[str, int] = {}

    def post(customer: str) -> None:
        answers[customer] = post_signed(app.test_client(), messenger_text(customer, "hi"), TEST_SECRET).status_code

    if backend == "redis":
        for customer in customers:
            post(customer)
    else:
        _commit_together(services.inbox, post, list(customers))
    assert answers == {"u-a": 200, "u-bad": 503, "u-b": 200}
    services.workers.drain()
    assert services.pipeline.outbox.conversation("messenger", "u-a")
    assert services.pipeline.outbox.conversation("messenger", "u-b")


# ---- 5. a chunked body over the limit is 413 ----------------------------------------------------


def post_chunked(client, raw: bytes, signature: str | None = None):
    """POST ``raw`` streamed without a Content-Length, as gunicorn hands a chunked request on."""
    headers = {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post("/webhook", input_stream=io.BytesIO(raw), headers=headers,
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_413_before_the_signature_is_checked(client, services):
    limit = services.settings.max_body_bytes
    huge = encode(whatsapp_text("201000000001", "y" * limit))
    assert post_chunked(client, huge).status_code == 413
    assert post_chunked(client, huge, sign(huge, TEST_SECRET)).status_code == 413
    small = encode(messenger_text("u-chunked", "hello"))
    assert post_chunked(client, small, sign(small, TEST_SECRET)).status_code == 200
    assert post_chunked(client, small).status_code == 401
    assert sum(services.inbox.counts().values()) == 1


def test_under_gunicorn_a_chunked_body_over_the_limit_is_413(tmp_path):
    from tests.fake_graph import FakeGraph
    from tests.test_gunicorn_e2e import SECRET, Gunicorn

    graph = FakeGraph()
    server = Gunicorn(graph.url, tmp_path / "e2e.sqlite3")
    try:
        def chunks(raw: bytes, size: int = 64 * 1024):
            for start in range(0, len(raw), size):
                yield raw[start:start + size]

        small = encode(messenger_text("psid-chunked", "hello"))
        headers = {"X-Hub-Signature-256": sign(small, SECRET), "Content-Type": "application/json"}
        answer = requests.post(f"{server.url}/webhook", data=chunks(small), headers=headers, timeout=10)
        assert (answer.request.headers.get("Transfer-Encoding"), answer.status_code) == ("chunked", 200)
        huge = encode(whatsapp_text("201000000001", "y" * (4 * 1024 * 1024)))
        headers = {"X-Hub-Signature-256": sign(huge, SECRET), "Content-Type": "application/json"}
        answer = requests.post(f"{server.url}/webhook", data=chunks(huge), headers=headers, timeout=10)
        assert answer.status_code == 413
    finally:
        server.stop()
        graph.close()


def _commit_together(inbox, call, names: list) -> None:
    """Run ``call(name)`` for every name in threads that wait together, then commit as one batch
    (the first to come leads and waits for the write lock held here; the others join its batch)."""
    with inbox.db.writers_held():
        threads = [threading.Thread(target=call, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(inbox._waiting) < len(names) and time.monotonic() < deadline:
            threading.Event().wait(0.001)
        assert len(inbox._waiting) == len(names)
    for thread in threads:
        thread.join(10)
