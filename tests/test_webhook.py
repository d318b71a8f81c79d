"""The webhook edge through the real app: verification, signatures, limits, every recorded payload."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot import create_app, metrics
from bot.channels import parse_delivery
from bot.events import Kind
from tests import factories
from tests.conftest import TEST_SECRET
from tests.factories import encode, messenger_text, post_signed, refreshed, whatsapp_text

PAYLOADS = Path(__file__).parent / "payloads"
ROW = re.compile(r"^\| `(?P<file>[^`]+\.json)` \| (?P<what>.*?) \| (?P<action>.*?) \|$")
# Where the README leaves a product decision open, or says "same as" another row, this is ours.
DECISIONS = {
    "whatsapp/wa_group_message_courier.json": 0,  # a shopping bot does not talk in groups
    "messenger/messenger_referral_shortlink_botbuilder.json": 1,  # a re-opened thread: greet
    "messenger/messenger_sticker_attachment_meta_docs.json": 1,  # same as the like sticker: acknowledge
    "whatsapp/wa_interactive_missing_body_pywa.json": 1,  # the generic fallback answer
    "whatsapp/wa_invalid_timestamp_courier.json": 1,  # processed with the receive time
    "whatsapp/wa_text_signed_raw_body.json": 1,  # the signature vector: "then REPLY"
    "whatsapp/wa_unknown_type_legacy_netflie.json": 1,  # same as unsupported: say so once
    "whatsapp/wa_unsupported_no_subtype_pywa.json": 1,
    "whatsapp/wa_unsupported_with_text_courier.json": 1,
}


def readme_rows() -> list[tuple[str, str]]:
    rows = []
    for line in (PAYLOADS / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            rows.append((match["file"], match["action"]))
    return rows


def expected_replies(file: str, action: str) -> int:
    """How many customer events of this payload the bot must answer."""
    if file in DECISIONS:
        return DECISIONS[file]
    if not action.startswith("REPLY"):
        return 0
    return 2 if re.search(r"BOTH|each change", action) else 1


def answered_events(services, *deliveries: dict | bytes) -> int:
    """How many distinct inbox events got at least one message, among the deliveries' customers."""
    customers = {
        (str(event.platform), event.customer_id)
        for body in deliveries
        for event in parse_delivery(json.loads(body) if isinstance(body, bytes) else body)
    }
    return len({
        row["event_id"]
        for platform, customer in customers
        for row in services.pipeline.outbox.conversation(platform, customer)
        if row["kind"] == "message"
    })


def test_readme_lists_every_payload():
    listed = {file for file, _ in readme_rows()}
    on_disk = {str(path.relative_to(PAYLOADS)) for path in PAYLOADS.rglob("*.json") if "store" not in path.parts}
    assert listed == on_disk
    assert len(listed) >= 80


@pytest.mark.parametrize(("file", "action"), readme_rows(), ids=lambda value: value if value.endswith(".json") else "")
def test_every_recorded_payload_gets_the_action_its_readme_gives(client, services, file, action):
    raw = encode(refreshed(json.loads((PAYLOADS / file).read_bytes())))
    response = post_signed(client, raw, TEST_SECRET)
    assert response.status_code == 200
    services.workers.drain()
    assert answered_events(services, raw) == expected_replies(file, action), action
    counts = services.inbox.counts()
    assert counts["pending"] == counts["processing"] == counts["dead"] == 0


def test_signature_vector_from_meta(settings):
    secret = "1222e786b144d0e85b9f365372d93676"
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__} | {"meta_app_secret": secret}
    client = create_app(overrides, start_workers=False).test_client()
    raw = (PAYLOADS / "whatsapp/wa_text_signed_raw_body.json").read_bytes()
    header = "sha256=e59ad96d19664aaca98610c74e247a094026ef52185ba037a988114f5398eee1"
    assert post_signed(client, raw, secret, signature=header).status_code == 200
    assert post_signed(client, raw[:-1] + b" ", secret, signature=header).status_code == 403
    assert post_signed(client, raw, secret, signature=header[:-1] + "0").status_code == 403


def test_missing_signature_is_401_and_nothing_is_processed(client, services):
    response = client.post("/webhook", data=encode(messenger_text("u1", "hi")))
    assert response.status_code == 401
    assert services.inbox.counts()["pending"] == 0


def test_forged_signature_is_403_and_nothing_is_processed(client, services):
    response = post_signed(client, messenger_text("u1", "hi"), "not-the-secret")
    assert response.status_code == 403
    assert sum(services.inbox.counts().values()) == 0


def test_malformed_json_is_400(client):
    assert post_signed(client, b"{not json", TEST_SECRET).status_code == 400
    assert post_signed(client, b"\xff\xfe", TEST_SECRET).status_code == 400


def test_absurdly_nested_json_is_400_not_500(client):
    assert post_signed(client, b"[" * 100_000 + b"]" * 100_000, TEST_SECRET).status_code == 400


def test_a_json_body_that_is_not_an_object_is_400(client):
    assert post_signed(client, b"[1, 2]", TEST_SECRET).status_code == 400


def test_over_the_size_limit_is_413_but_three_megabytes_pass(client, services):
    big_text = "x" * (3 * 1024 * 1024 - 2048)
    assert post_signed(client, whatsapp_text("201000000001", big_text), TEST_SECRET).status_code == 200
    huge = encode(whatsapp_text("201000000001", "y" * (services.settings.max_body_bytes + 10)))
    assert post_signed(client, huge, TEST_SECRET).status_code == 413


def test_unknown_object_is_acknowledged_and_ignored(client, services):
    assert post_signed(client, {"object": "permissions", "entry": [{"id": "1"}]}, TEST_SECRET).status_code == 200
    assert sum(services.inbox.counts().values()) == 0


def test_verification_handshake(client):
    ok = client.get("/webhook", query_string={"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                              "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.get_data(as_text=True), ok.mimetype) == (200, "1158201444", "text/plain")
    wrong = client.get("/webhook",
                       query_string={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert wrong.status_code == 403


def test_same_delivery_twice_is_answered_once(client, services):
    body = messenger_text("u1", "السلام عليكم", mid="m_dup_1")
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()
    assert answered_events(services, body) == 1


def test_a_batch_is_answered_event_by_event(client, services):
    first = messenger_text("u1", "hello")
    second = messenger_text("u2", "اهلا")
    batch = {"object": "page", "entry": first["entry"] + second["entry"]}
    assert post_signed(client, batch, TEST_SECRET).status_code == 200
    services.workers.drain()
    for customer in ("u1", "u2"):
        assert services.pipeline.outbox.conversation("messenger", customer), customer


def test_replies_follow_the_order_of_a_customers_messages(client, services):
    for text in ("hello", "مرحبا", "thanks"):
        post_signed(client, messenger_text("u9", text), TEST_SECRET)
    services.workers.drain()
    texts = {row["id"]: row["text"] for row in services.inbox.inbound("messenger:u9")}
    answered = [row["event_id"] for row in services.pipeline.outbox.conversation("messenger", "u9")
                if row["kind"] == "message"]
    order = [texts[event_id] for i, event_id in enumerate(answered) if i == 0 or event_id != answered[i - 1]]
    assert order == ["hello", "مرحبا", "thanks"]


def test_statuses_and_echoes_are_never_answered(client, services):
    raws = [(PAYLOADS / file).read_bytes() for file in
            ("whatsapp/wa_status_read_pywa.json", "messenger/messenger_echo_text_meta_docs.json")]
    for raw in raws:
        post_signed(client, raw, TEST_SECRET)
    services.workers.drain()
    assert answered_events(services, *raws) == 0
    kinds = {event.kind for raw in raws for event in parse_delivery(json.loads(raw))}
    assert kinds == {Kind.STATUS, Kind.ECHO}
    assert services.inbox.counts()["done"] == 2


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": True, "store": True, "sending": True}


def test_a_message_older_than_the_24_hour_window_is_recorded_not_answered(client, services):
    old = messenger_text("u-late", "عايز تيشيرت", mid="m_late_1")
    old["entry"][0]["messaging"][0]["timestamp"] = factories.now_ms() - 25 * 3600 * 1000
    assert post_signed(client, old, TEST_SECRET).status_code == 200
    services.workers.drain()
    assert answered_events(services, old) == 0
    assert services.inbox.counts()["done"] == 1


def test_a_lone_surrogate_in_a_message_is_answered_and_harms_no_other_delivery(client, services):
    """Valid JSON (\\ud83d alone) that is not valid text: the customer is answered, nothing is lost."""
    odd = encode(messenger_text("u-odd", "x")).replace(b'"text": "x"', b'"text": "\\ud83d hello"')
    assert "\ud83d" in json.loads(odd)["entry"][0]["messaging"][0]["message"]["text"]
    assert post_signed(client, odd, TEST_SECRET).status_code == 200
    assert post_signed(client, messenger_text("u-plain", "hello"), TEST_SECRET).status_code == 200
    services.workers.drain()
    assert answered_events(services, odd) == 1
    assert services.pipeline.outbox.conversation("messenger", "u-plain")
    assert services.inbox.counts()["dead"] == 0


def test_an_instagram_login_app_may_sign_with_its_own_secret(settings):
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    client = create_app(overrides | {"instagram_app_secret": "instagram-app-secret"}, start_workers=False).test_client()
    body = factories.instagram_text("ig-customer-1", "salam")
    assert post_signed(client, body, "instagram-app-secret").status_code == 200
    assert post_signed(client, factories.instagram_text("ig-customer-2", "salam"), TEST_SECRET).status_code == 200
    assert post_signed(client, body, "not-a-secret-of-ours").status_code == 403


def test_a_body_signed_with_another_platform_s_secret_is_refused(settings):
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    client = create_app(overrides | {"instagram_app_secret": "instagram-app-secret"}, start_workers=False).test_client()
    page = factories.messenger_text("psid-forged", "salam")
    refused = post_signed(client, page, "instagram-app-secret")
    assert refused.status_code == 403 and "'page'" in refused.get_data(as_text=True)
    whatsapp = factories.whatsapp("201000000001", {"type": "text", "text": {"body": "salam"}})
    assert post_signed(client, whatsapp, "instagram-app-secret").status_code == 403
    assert post_signed(client, page, TEST_SECRET).status_code == 200


def test_an_instagram_delivery_is_answered_on_instagram(client, services):
    body = factories.instagram_text("ig-customer-3", "عايز تيشيرت اسود")
    assert post_signed(client, body, TEST_SECRET).status_code == 200
    services.workers.drain()
    rows = services.pipeline.outbox.conversation("instagram", "ig-customer-3")
    assert rows and all(row["body"]["recipient"] == {"id": "ig-customer-3"} for row in rows)
    messages = [row["body"]["message"] for row in rows if row["kind"] == "message"]
    assert messages and all(len(message.get("text", "").encode()) <= 1000 for message in messages)


# ---- the lean acknowledgement (issue 17) ------------------------------------------------------------


def _three_events_one_seen_before(client) -> bytes:
    """A delivery of three customer messages, the first of which an earlier delivery already brought."""
    first = messenger_text("psid-lean", "one", mid="m_lean_1")
    assert post_signed(client, first, TEST_SECRET).status_code == 200
    body = messenger_text("psid-lean", "one", mid="m_lean_1")
    for number in (2, 3):
        body["entry"][0]["messaging"].append(messenger_text("psid-lean", "more", mid=f"m_lean_{number}")
                                             ["entry"][0]["messaging"][0])
    return encode(body)


def test_an_acknowledgement_is_one_storage_write_for_the_whole_delivery(app, services, client, backend, monkeypatch):
    raw = _three_events_one_seen_before(client)
    writes: list[str] = []
    if backend == "sqlite":
        conn = services.inbox._writer  # the group commit's own connection, opened by the delivery before
        assert conn is not None
        conn.set_trace_callback(lambda sql: writes.append(sql) if sql.split()[0] in ("BEGIN", "COMMIT") else None)
    else:
        real = services.inbox.r.execute_command
        monkeypatch.setattr(services.inbox.r, "execute_command",
                            lambda *args, **kw: writes.append(str(args[0])) or real(*args, **kw))
    acknowledged: list[tuple] = []
    real_metrics = metrics.acknowledged
    monkeypatch.setattr(metrics, "acknowledged", lambda *args: acknowledged.append(args) or real_metrics(*args))
    answer = post_signed(client, raw, TEST_SECRET)
    if backend == "sqlite":
        conn.set_trace_callback(None)
        assert writes == ["BEGIN IMMEDIATE", "COMMIT"]
    else:
        assert writes == ["EVALSHA"], writes  # one script: every event and the duplicate check
    assert answer.status_code == 200
    assert services.inbox.counts()["pending"] == 3  # two new, one recognised
    assert len(acknowledged) == 1, "metrics are updated once per delivery"
    assert acknowledged[0][1] == 200 and acknowledged[0][4:] == (2, 1)


def test_the_webhook_opens_no_session_and_sets_no_cookie(client, monkeypatch):
    from flask.sessions import SecureCookieSessionInterface

    opened: list[str] = []
    real = SecureCookieSessionInterface.get_signing_serializer
    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer",
                        lambda self, app: opened.append("serializer") or real(self, app))
    client.set_cookie("session", "a-cookie-from-elsewhere")
    answer = post_signed(client, messenger_text("psid-cookie", "hi"), TEST_SECRET)
    refused = client.post("/webhook", data=b"{}", headers={"X-Hub-Signature-256": "sha256=00"})
    verified = client.get("/webhook", query_string={"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                                    "hub.challenge": "42"})
    assert (answer.status_code, refused.status_code, verified.status_code) == (200, 403, 200)
    for response in (answer, refused, verified):
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    assert opened == [], "the session was opened on /webhook"
    client.get("/console")
    assert opened, "the console still has its session"


def test_a_generated_request_id_needs_no_uuid_and_is_unique(client):
    ids = {post_signed(client, messenger_text("psid-ids", "hi"), TEST_SECRET).headers["X-Request-Id"]
           for _ in range(5)}
    assert len(ids) == 5 and all(re.fullmatch(r"[0-9a-f]{32}", found) for found in ids)


def test_a_too_large_delivery_is_counted_and_carries_its_request_id(client, services):
    """The 413 raised while reading the body is answered like any other: counted once, with the
    caller's request id in the answer (the id is bound by the view itself, not by Flask hooks)."""
    before = metrics.WEBHOOK_DELIVERIES.labels("unknown", "413")._value.get()
    huge = encode(whatsapp_text("201000000002", "y" * (services.settings.max_body_bytes + 10)))
    answer = client.post("/webhook", data=huge, headers={"Content-Type": "application/json", "X-Request-Id": "rid-413"})
    assert answer.status_code == 413
    assert answer.headers["X-Request-Id"] == "rid-413"
    assert metrics.WEBHOOK_DELIVERIES.labels("unknown", "413")._value.get() == before + 1
    handshake = client.get("/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")
    assert handshake.status_code == 403 and handshake.headers["X-Request-Id"]


def test_an_unexpected_error_is_a_counted_500_logged_with_its_request_id(client, services, monkeypatch, caplog):
    def broken(events):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services.inbox, "accept", broken)
    before = metrics.WEBHOOK_DELIVERIES.labels("page", "500")._value.get()
    raw = encode(messenger_text("psid-bug", "hi"))
    answer = client.post("/webhook", data=raw, headers={"X-Hub-Signature-256": factories.sign(raw, TEST_SECRET),
                                                         "Content-Type": "application/json", "X-Request-Id": "rid-500"})
    assert answer.status_code == 500 and answer.headers["X-Request-Id"] == "rid-500"
    assert metrics.WEBHOOK_DELIVERIES.labels("page", "500")._value.get() == before + 1
    assert [record.request_id for record in caplog.records if "unexpected error" in record.getMessage()] == ["rid-500"]
