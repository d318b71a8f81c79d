"""End to end under real gunicorn, with the Graph API replaced by a local fake server.

Signed deliveries of every kind produce exactly the Send API calls they should; forged ones
produce nothing; a worker killed with SIGKILL after the 200 still gets the customer answered.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.channels import sign
from bot.replies import Outgoing
from tests.channels.render_kit import check_instagram
from tests.factories import (
    IG_ACCOUNT_ID,
    as_customer,
    encode,
    messenger,
    messenger_postback,
    messenger_text,
    refreshed,
    whatsapp,
    whatsapp_text,
)
from tests.fake_graph import FakeGraph
from tests.test_webhook import expected_replies, readme_rows

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "6230f36fa5bc307d569cf69bb9065549"  # production refuses short or guessable secrets
IG_SECRET = "b41f0c7e93d25a68e1c4f7a09d3b5e26"  # an Instagram-Login app signs with its own secret
DEADLINE_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The service under gunicorn on a free port."""

    def __init__(self, graph_url: str, database: Path, redis_url: str = "") -> None:
        self.port = free_port()
        shared = {"REDIS_URL": redis_url, "REDIS_PREFIX": f"e2e{free_port()}:"} if redis_url else {}
        self.env = os.environ | shared | {
            "DUKKAN_ENV": "production",
            "META_APP_SECRET": SECRET,
            "VERIFY_TOKEN": "sBpmqnbD0gB9VvbPHNv40ND0t2AF1rGE",
            "ADMIN_TOKEN": "e2e-admin-8QmVx2-Lp9rTzK4nWb7Hc",
            "SEND_MODE": "graph",
            "GRAPH_API_URL": graph_url,
            "MESSENGER_PAGE_ACCESS_TOKEN": "page-token-e2e",
            "WHATSAPP_ACCESS_TOKEN": "wa-token-e2e",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "INSTAGRAM_ACCESS_TOKEN": "ig-token-e2e",
            "INSTAGRAM_ACCOUNT_ID": IG_ACCOUNT_ID,
            "INSTAGRAM_API_URL": graph_url,
            "INSTAGRAM_APP_SECRET": IG_SECRET,
            "DATABASE_PATH": str(database),
            "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
        }
        self.start()

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.log = tempfile.TemporaryFile(mode="w+")  # gunicorn's own lines, shown if it never starts
        self.process = subprocess.Popen(
            [gunicorn, "wsgi:app", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                threading.Event().wait(0.1)
        self.log.seek(0)
        raise RuntimeError(f"gunicorn did not start (exit {self.process.poll()}):\n{self.log.read()[-4000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, body, *, secret: str = SECRET) -> int:
        raw = encode(body)
        headers = {"X-Hub-Signature-256": sign(raw, secret), "Content-Type": "application/json"}
        return requests.post(f"{self.url}/webhook", data=raw, headers=headers, timeout=5).status_code

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def graph():
    fake = FakeGraph()
    yield fake
    fake.close()


@pytest.fixture
def server(graph, tmp_path):
    service = Gunicorn(graph.url, tmp_path / "e2e.sqlite3")
    yield service
    service.stop()


@pytest.fixture(params=["sqlite", "redis"])
def any_server(request, graph, tmp_path):
    """The service on either backend (with Redis, the two gunicorn workers share one inbox)."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    service = Gunicorn(graph.url, tmp_path / "e2e.sqlite3", redis_url)
    yield service
    service.stop()


def test_every_kind_of_delivery_produces_exactly_the_calls_it_should(any_server, graph):
    server = any_server
    answered = {
        "psid-text": messenger_text("psid-text", "عايز تيشيرت اسود"),
        "psid-postback": messenger_postback("psid-postback", "GET_STARTED", "Get Started"),
        "psid-image": messenger("psid-image", {"message": {"mid": "m_img_1", "attachments": [
            {"type": "image", "payload": {"url": "https://example.com/a.jpg"}}]}}),
        "201000000010": whatsapp_text("201000000010", "3ayez jeans azra2"),
        "201000000011": whatsapp("201000000011", {"type": "interactive", "interactive": {
            "type": "list_reply", "list_reply": {"id": "MENU", "title": "Menu"}}}),
        "201000000012": whatsapp("201000000012", {"type": "location", "location": {
            "latitude": 30.04, "longitude": 31.23}}),
    }
    silent = {
        "psid-echo": messenger("psid-echo",
                               {"message": {"mid": "m_echo_1", "is_echo": True, "app_id": 1, "text": "hi"}}),
        "psid-reaction": messenger("psid-reaction", {"reaction": {"mid": "m_1", "action": "react", "emoji": "❤"}}),
        "psid-read": messenger("psid-read", {"read": {"watermark": 1_700_000_000_000}}),
        "psid-standby": {"object": "page", "entry": [{"id": "1", "time": 1, "standby": [
            {"sender": {"id": "psid-standby"}, "recipient": {"id": "1"}, "timestamp": 1,
             "message": {"mid": "m_sb_1", "text": "hello"}}]}]},
        "201000000013": json.loads((PAYLOADS / "whatsapp/wa_status_read_pywa.json").read_text()),
    }
    forged = messenger_text("psid-forged", "hello")
    assert server.post(forged, secret="wrong") == 403
    for body in [*answered.values(), *silent.values()]:
        assert server.post(body) == 200
    for customer in answered:
        assert len(graph.wait_for(customer)) >= 1, customer
    for customer in [*silent, "psid-forged"]:
        assert graph.messages_to(customer) == [], customer
    call = graph.messages_to("psid-text")[0]
    assert call["path"] == "/v25.0/me/messages"
    assert call["auth"] == "Bearer page-token-e2e"
    assert graph.messages_to("201000000010")[0]["path"] == "/v25.0/106540352242922/messages"


def test_every_recorded_instagram_payload_is_answered_where_a_customer_spoke(server, graph):
    """Each payload of tests/payloads/instagram/ from a customer of its own, signed with the Instagram
    app's secret or Meta's: answered as its README row says, through Instagram's Send API, within
    Instagram's limits; the others get nothing (not even a typing indicator counts as a message)."""
    rows = [(file, action) for file, action in readme_rows() if file.startswith("instagram/")]
    assert len(rows) >= 15
    answered, silent = [], []
    for number, (file, action) in enumerate(rows):
        customer = f"ig-e2e-{number}"
        body = as_customer(refreshed(json.loads((PAYLOADS / file).read_text())), customer)
        assert server.post(body, secret=IG_SECRET if number % 2 else SECRET) == 200, file
        customers = [customer, "6234477777772920"] if expected_replies(file, action) == 2 else [customer]
        (answered if expected_replies(file, action) else silent).extend((file, who) for who in customers)
    forged = as_customer(json.loads((PAYLOADS / rows[0][0]).read_text()), "ig-forged")
    assert server.post(forged, secret="x" * 32) == 403
    calls = []
    for file, customer in answered:
        assert graph.wait_for(customer), f"{file}: no answer"
        wait_until_settled(Path(server.env["DATABASE_PATH"]), f"instagram:{customer}")  # every message of it sent
        calls += graph.messages_to(customer)
    for file, customer in [*silent, ("forged", "ig-forged")]:
        assert graph.messages_to(customer) == [], f"{file}: answered"
    for call in calls:
        assert call["path"] == f"/v25.0/{IG_ACCOUNT_ID}/messages" and call["auth"] == "Bearer ig-token-e2e"
        check_instagram(Outgoing("instagram", call["body"]["recipient"]["id"], call["body"], "message"))
    messages = [call["body"]["message"] for call in calls]
    assert any("quick_replies" in message for message in messages), "quick replies were offered"
    templates = [message.get("attachment", {}).get("payload", {}).get("template_type") for message in messages]
    assert "generic" in templates, "cards were shown"


def test_a_worker_killed_after_the_200_still_gets_the_customer_answered(any_server, graph):
    server = any_server
    graph.hold.set()
    assert server.post(messenger_text("psid-kill", "hello")) == 200
    assert graph.arrived.wait(DEADLINE_S), "the reply never reached the Graph API"
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)
    graph.hold.clear()
    graph.release.set()
    replies = graph.wait_for("psid-kill")
    assert replies, "the customer was not answered after the restart"
    bodies = [json.dumps(reply["body"], sort_keys=True) for reply in replies]
    assert len(bodies) == len(set(bodies)), "a reply was sent twice"
    assert replies[0]["body"]["recipient"] == {"id": "psid-kill"}


def wait_until_settled(database: Path, customer_key: str) -> tuple[int, list[str]]:
    """Poll the service's SQLite file until the customer's events are done and their replies sent.

    Returns (events of the customer, states of their staged replies); after this nothing more
    can be sent to that customer.
    """
    import sqlite3

    deadline = time.monotonic() + DEADLINE_S
    events, replies = 0, []
    while time.monotonic() < deadline:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
            states = [row[0] for row in conn.execute("SELECT state FROM inbox WHERE customer_key = ?", (customer_key,))]
            platform, _, customer = customer_key.partition(":")
            replies = [row[0] for row in conn.execute(
                "SELECT state FROM outbox WHERE platform = ? AND customer_id = ? AND kind = 'message'",
                (platform, customer))]
        events = len(states)
        if states and all(state == "done" for state in states) and replies and "pending" not in replies:
            return events, replies
        threading.Event().wait(0.05)
    return events, replies


def test_the_same_delivery_posted_100_times_at_once_gets_one_reply(server, graph, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    body = messenger_text("psid-100x", "عايز تيشيرت اسود", mid="m_same_delivery_100x")
    start = threading.Barrier(100)

    def post(_: int) -> int:
        start.wait()
        return server.post(body)

    with ThreadPoolExecutor(100) as pool:
        statuses = list(pool.map(post, range(100)))
    assert statuses == [200] * 100
    events, replies = wait_until_settled(tmp_path / "e2e.sqlite3", "messenger:psid-100x")
    assert events == 1, "one event for 100 copies of a delivery"
    assert replies and set(replies) == {"sent"}
    sent = graph.messages_to("psid-100x")
    bodies = [json.dumps(call["body"], sort_keys=True) for call in sent]
    assert len(bodies) == len(replies), "exactly the staged reply set reached the Graph API"
    assert len(set(bodies)) == len(bodies), "no message body was sent twice"
