"""The Graph sender's HTTP side: one pooled session reading the environment once; retries built only after a failure."""

from __future__ import annotations

import requests
import responses
from responses.registries import OrderedRegistry

import bot.channels.meta.graph as graph
from bot.channels.meta.graph import GraphSender, pooled_session
from bot.config import Settings
from bot.replies import Outgoing

BASE = "http://graph.test"
URL = f"{BASE}/v25.0/me/messages"


def settings() -> Settings:
    return Settings().with_overrides(send_mode="graph", graph_api_url=BASE, messenger_page_access_token="EAAGtoken",
                                     workers_per_process=5)


def text() -> Outgoing:
    return Outgoing("messenger", "246", {"recipient": {"id": "246"}, "message": {"text": "hi"}})


def test_the_session_is_pooled_for_the_worker_threads_and_ignores_the_environment_per_call():
    sender = GraphSender(settings())
    assert sender.session.trust_env is False
    adapter = sender.session.get_adapter("https://graph.facebook.com")
    assert adapter._pool_maxsize == 5 + graph.SPARE_CONNECTIONS
    assert pooled_session(3).get_adapter("http://x")._pool_maxsize == 3


def test_proxies_are_read_once_when_the_sender_is_built(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "graph.instagram.com")
    sender = GraphSender(settings())
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("HTTP_PROXY")
    assert sender._proxies[BASE + "/v25.0"]["http"] == "http://proxy.example:3128"
    assert sender._proxies["https://graph.instagram.com/v25.0"] == {}, "NO_PROXY is honoured"


def test_a_ca_bundle_set_at_start_is_kept(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corp.pem")
    assert pooled_session(2).verify == "/etc/ssl/corp.pem"


def test_a_send_that_succeeds_builds_no_retry_policy(monkeypatch):
    def no_retrying(*args, **kwargs):
        raise AssertionError("a Retrying was built for a send that did not fail")

    monkeypatch.setattr(graph, "Retrying", no_retrying)
    with responses.RequestsMock() as mock:
        mock.post(URL, json={"message_id": "m_1"})
        result = GraphSender(settings()).send(text())
    assert result.ok and result.attempts == 1


def test_a_final_error_builds_no_retry_policy_either(monkeypatch):
    monkeypatch.setattr(graph, "Retrying", lambda *a, **k: (_ for _ in ()).throw(AssertionError("built")))
    with responses.RequestsMock() as mock:
        mock.post(URL, json={"error": {"message": "bad", "code": 100}}, status=400)
        result = GraphSender(settings()).send(text())
    assert not result.ok and result.attempts == 1


def test_after_a_retryable_failure_the_policy_takes_over_with_the_same_waits():
    sleeps: list[float] = []
    with responses.RequestsMock(registry=OrderedRegistry) as mock:
        mock.post(URL, status=503, body="down")
        mock.post(URL, body=requests.ConnectTimeout("slow"))
        mock.post(URL, json={"message_id": "m_3"})
        sender = GraphSender(settings(), sleep=sleeps.append, rand=lambda: 0.0)
        result = sender.send(text())
    assert (result.ok, result.message_id, result.attempts) == (True, "m_3", 3)
    assert sleeps == [0.5, 1.0] and sender.status()["retries"] == 2
