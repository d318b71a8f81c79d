"""A harness for scripted conversations through the real webhook, inbox, dialog and renderers.

``Chat(client, services, platform, customer)`` posts signed deliveries (text, quick replies,
postbacks, WhatsApp buttons and list rows), drains the workers and returns the Send API bodies
staged for that customer since the last step. ``Script`` stands in for the intent matcher with
the answers its contract (../shared/nlu/schema.json) gives for the texts a test uses, so dialog
tests do not depend on the matcher's accuracy; tests/test_conversation_nlu.py runs the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.conftest import TEST_SECRET
from tests.factories import (
    messenger_postback,
    messenger_quick_reply,
    messenger_text,
    post_signed,
    whatsapp_button,
    whatsapp_list,
    whatsapp_text,
)


@dataclass(frozen=True)
class Understood:
    """What ``bot.nlu.understand`` returns (intent, confidence, slots, language)."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    language: str = "ar"
    confidence: float = 0.9


class Script:
    """Texts → understandings; anything else is ``unknown`` with a low confidence."""

    def __init__(self, lines: dict[str, Understood] | None = None) -> None:
        self.lines = dict(lines or {})
        self.calls: list[tuple[str, str]] = []

    def __call__(self, text: str, context: str = "none") -> Understood:
        self.calls.append((text, context))
        return self.lines.get(text, Understood("unknown", confidence=0.1))


class Chat:
    """One customer on one platform, talking through signed webhook deliveries."""

    def __init__(self, client: Any, services: Any, platform: str, customer: str) -> None:
        self.client, self.services = client, services
        self.platform, self.customer = platform, customer
        self.seen = 0

    def say(self, text: str) -> list[dict]:
        body = (messenger_text(self.customer, text) if self.platform == "messenger"
                else whatsapp_text(self.customer, text))
        return self.post(body)

    def tap(self, payload: str, title: str = "") -> list[dict]:
        """A quick reply (Messenger) or a reply button (WhatsApp)."""
        if self.platform == "messenger":
            return self.post(messenger_quick_reply(self.customer, title or payload[:20], payload))
        return self.post(whatsapp_button(self.customer, payload, title))

    def press(self, payload: str, title: str = "") -> list[dict]:
        """A postback button (Messenger) or a list row (WhatsApp)."""
        if self.platform == "messenger":
            return self.post(messenger_postback(self.customer, payload, title))
        return self.post(whatsapp_list(self.customer, payload, title))

    def post(self, body: dict) -> list[dict]:
        response = post_signed(self.client, body, TEST_SECRET)
        assert response.status_code == 200, response.data
        self.services.workers.drain()
        return self.sent()

    def sent(self) -> list[dict]:
        """The bodies staged since the last call."""
        rows = self.services.pipeline.outbox.conversation(self.platform, self.customer, after_id=self.seen)
        if rows:
            self.seen = rows[-1]["id"]
        return [row["body"] for row in rows]


# ---- reading Send API bodies ------------------------------------------------------------------


def texts(bodies: list[dict]) -> list[str]:
    """Every visible text of the bodies (Messenger text/template text, WhatsApp body/caption)."""
    found = []
    for body in bodies:
        message = body.get("message", {})
        template = message.get("attachment", {}).get("payload", {})
        kind = body.get("type", "")
        content = body.get(kind, {}) if kind else {}
        for value in (message.get("text"), template.get("text"), content.get("body") if kind == "text" else None,
                      content.get("caption"), content.get("body", {}).get("text") if kind == "interactive" else None):
            if isinstance(value, str):
                found.append(value)
    return found


def joined(bodies: list[dict]) -> str:
    return "\n".join(texts(bodies))


def payloads(bodies: list[dict]) -> list[str]:
    """Every payload a customer can press in the bodies: quick replies, buttons, list rows."""
    found = []
    for body in bodies:
        message = body.get("message", {})
        found += [q["payload"] for q in message.get("quick_replies", [])]
        template = message.get("attachment", {}).get("payload", {})
        for element in template.get("elements", []):
            found += [b["payload"] for b in element.get("buttons", []) if b.get("payload")]
        found += [b["payload"] for b in template.get("buttons", []) if b.get("payload")]
        action = body.get("interactive", {}).get("action", {})
        found += [b["reply"]["id"] for b in action.get("buttons", [])]
        found += [row["id"] for section in action.get("sections", []) for row in section.get("rows", [])]
    return found


def elements(bodies: list[dict]) -> list[dict]:
    """The generic-template elements of Messenger bodies."""
    return [e for b in bodies
            for e in b.get("message", {}).get("attachment", {}).get("payload", {}).get("elements", [])]


def rows(bodies: list[dict]) -> list[dict]:
    """The list rows of WhatsApp bodies."""
    return [r for b in bodies for s in b.get("interactive", {}).get("action", {}).get("sections", [])
            for r in s["rows"]]


def ids_of(found: list[str], name: str) -> list[int]:
    """Product ids in payloads named ``name`` (``DETAILS:53`` → 53), in order, once each."""
    ids = [int(p.split(":")[1]) for p in found if p.startswith(f"{name}:")]
    return list(dict.fromkeys(ids))


def test_script_defaults_to_unknown_and_records_the_context() -> None:
    script = Script({"hi": Understood("greeting", language="en")})
    assert script("hi").intent == "greeting"
    assert script("zzz", context="after_results").intent == "unknown"
    assert script.calls == [("hi", "none"), ("zzz", "after_results")]


def test_readers_find_texts_and_payloads_on_both_platforms() -> None:
    messenger = {"message": {"text": "a", "quick_replies": [{"title": "x", "payload": "MENU"}]}}
    whatsapp = {"type": "interactive", "interactive": {"body": {"text": "b"}, "action": {
        "sections": [{"rows": [{"id": "DETAILS:5", "title": "t"}]}]}}}
    assert texts([messenger, whatsapp]) == ["a", "b"]
    assert payloads([messenger, whatsapp]) == ["MENU", "DETAILS:5"]
    assert ids_of(payloads([whatsapp]), "DETAILS") == [5]
