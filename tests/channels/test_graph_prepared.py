"""The Graph sender's request: prepared once per URL, filled per send, through the session's adapter."""

from __future__ import annotations

import json

import requests
import responses

from bot.channels.meta.graph import GraphSender
from bot.config import Settings
from bot.replies import Outgoing

BASE = "http://graph.test"
MESSENGER_URL = f"{BASE}/v25.0/me/messages"
WHATSAPP_URL = f"{BASE}/v25.0/106540352242922/messages"


def settings() -> Settings:
    return Settings().with_overrides(send_mode="graph", graph_api_url=BASE, messenger_page_access_token="EAAGpage",
                                     whatsapp_access_token="EAAGwa", whatsapp_phone_number_id="106540352242922")


def test_each_send_carries_its_own_token_body_and_the_sessions_headers():
    sender = GraphSender(settings())
    with responses.RequestsMock() as mock:
        mock.post(MESSENGER_URL, json={"recipient_id": "246", "message_id": "m_1"})
        mock.post(WHATSAPP_URL, json={"messages": [{"id": "wamid.1"}]})
        first = sender.send(Outgoing("messenger", "246", {"recipient": {"id": "246"}, "message": {"text": "اهلا"}}))
        second = sender.send(Outgoing("whatsapp", "2010", {"messaging_product": "whatsapp", "to": "2010",
                                                           "type": "text", "text": {"body": "تمام"}}))
        calls = [call.request for call in mock.calls]
    assert (first.message_id, second.message_id) == ("m_1", "wamid.1")
    assert [call.headers["Authorization"] for call in calls] == ["Bearer EAAGpage", "Bearer EAAGwa"]
    assert all(call.headers["Content-Type"] == "application/json" for call in calls)
    assert all(call.headers["User-Agent"] == requests.Session().headers["User-Agent"] for call in calls)
    assert json.loads(calls[0].body)["message"]["text"] == "اهلا"
    assert int(calls[1].headers["Content-Length"]) == len(calls[1].body)
    assert json.loads(calls[1].body)["text"]["body"] == "تمام"


def test_the_prepared_request_is_reused_and_never_changed_by_a_send():
    sender = GraphSender(settings())
    with responses.RequestsMock() as mock:
        mock.post(MESSENGER_URL, json={"message_id": "m_1"})
        for n in range(3):
            assert sender.send(Outgoing("messenger", "246", {"recipient": {"id": "246"},
                                                             "message": {"text": f"n{n}"}})).ok
        bodies = [json.loads(call.request.body)["message"]["text"] for call in mock.calls]
    assert bodies == ["n0", "n1", "n2"]
    template = sender._prepared(MESSENGER_URL)
    assert template is sender._prepared(MESSENGER_URL)
    assert "Authorization" not in template.headers and not template.body, "the token and body go on copies only"
