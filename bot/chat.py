"""``python -m bot chat``: talk to the bot in a terminal, through the real inbox, dialog and renderers.

Lines you type are customer messages; ``/tap PAYLOAD`` presses a button (``/tap DETAILS:53``), a
number alone presses the numbered button of the last answer, ``/quit`` (or end of input) leaves.
Replies are the staged Send API bodies shown as text: cards as numbered blocks, buttons and quick
replies as ``[title]``.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any, TextIO

from bot.config import Settings
from bot.errors import ConfigError
from bot.events import Event, Kind, Platform

_ids = itertools.count(1)


def run_chat(platform: str, customer_id: str = "terminal-customer", *, stdin: TextIO | None = None,
             stdout: TextIO | None = None, database_path: str = "") -> int:
    """Read customer lines, answer each through the services; returns the exit status."""
    from bot.services import build_services

    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    path = database_path or os.path.join(tempfile.mkdtemp(prefix="dukkan-chat-"), "chat.sqlite3")
    try:
        settings = Settings.from_env().with_overrides(send_mode="console", database_path=path)
    except ConfigError as exc:
        for problem in exc.problems:
            stdout.write(f"config: {problem}\n")
        return 2
    services = build_services(settings)
    chat = TerminalChat(services, Platform(platform), customer_id, stdout.write)
    stdout.write(f"Dukkan chat ({platform}). Type a message, /tap PAYLOAD, a button number, or /quit.\n")
    for line in stdin:
        if not chat.handle(line.strip()):
            break
    return 0


class TerminalChat:
    """One terminal customer: turns lines into events and prints what the bot staged for them."""

    def __init__(self, services: Any, platform: Platform, customer_id: str, write: Callable[[str], Any]) -> None:
        self.services = services
        self.platform = platform
        self.customer_id = customer_id
        self.write = write
        self.seen = 0
        self.buttons: list[tuple[str, str]] = []

    def handle(self, line: str) -> bool:
        """Answer one typed line; False when the customer leaves."""
        if line in ("/quit", "/exit"):
            return False
        if not line:
            return True
        event = self._event(line)
        self.services.inbox.accept([event])
        self.services.workers.drain()
        self._show()
        return True

    def _event(self, line: str) -> Event:
        kind, text, payload = Kind.TEXT, line, ""
        if line.startswith("/tap "):
            kind, text, payload = Kind.PAYLOAD, "", line[5:].strip()
        elif line.isdigit() and 1 <= int(line) <= len(self.buttons):
            kind, (text, payload) = Kind.PAYLOAD, self.buttons[int(line) - 1]
        return Event(platform=self.platform, customer_id=self.customer_id, kind=kind, text=text, payload=payload,
                     message_id=f"chat-{next(_ids)}", timestamp=time.time())

    def _show(self) -> None:
        rows = self.services.pipeline.outbox.conversation(str(self.platform), self.customer_id, after_id=self.seen)
        self.buttons = []
        for row in rows:
            self.seen = max(self.seen, row["id"])
            if row["kind"] == "handover":
                self.write("(a person takes over this conversation)\n")
                continue
            for text in as_text(row["body"], self.buttons):
                self.write(text + "\n")


def as_text(body: dict, buttons: list[tuple[str, str]]) -> list[str]:
    """A Send API body (Messenger and Instagram share one shape; WhatsApp has its own) as terminal lines;
    tappable titles are numbered into ``buttons``."""
    message = body.get("message")
    if isinstance(message, dict):
        return _messenger(message, buttons)
    kind = body.get("type", "")
    return _whatsapp(kind, body.get(kind, {}), buttons)


def _button(title: str, payload: str, buttons: list[tuple[str, str]]) -> str:
    if not payload:
        return f"[{title}]"
    buttons.append((title, payload))
    return f"[{len(buttons)}. {title}]"


def _messenger(message: dict, buttons: list[tuple[str, str]]) -> list[str]:
    lines: list[str] = []
    if "text" in message:
        lines.append(f"bot: {message['text']}")
    payload = message.get("attachment", {}).get("payload", {})
    if message.get("attachment", {}).get("type") == "image":
        lines.append(f"bot: (picture) {payload.get('url', '')}")
    if payload.get("template_type") == "generic":
        for number, element in enumerate(payload.get("elements", []), 1):
            lines.append(f"  {number}) {element.get('title', '')}")
            if element.get("subtitle"):
                lines.append(f"     {element['subtitle']}")
            row = (_button(b["title"], b.get("payload", ""), buttons) for b in element.get("buttons", []))
            lines.append("     " + " ".join(row))
    if payload.get("template_type") == "button":
        lines.append(f"bot: {payload.get('text', '')}")
        row = (_button(b["title"], b.get("payload", ""), buttons) for b in payload.get("buttons", []))
        lines.append("  " + " ".join(row))
    quick = message.get("quick_replies") or []
    if quick:
        lines.append("  " + " ".join(_button(q["title"], q.get("payload", ""), buttons) for q in quick))
    return lines


def _whatsapp(kind: str, content: dict, buttons: list[tuple[str, str]]) -> list[str]:
    if kind == "text":
        return [f"bot: {content.get('body', '')}"]
    if kind == "image":
        caption = [f"bot: {content['caption']}"] if content.get("caption") else []
        return [f"bot: (picture) {content.get('link', '')}", *caption]
    if kind != "interactive":
        return [f"bot: ({kind})"]
    lines = [f"bot: {content.get('body', {}).get('text', '')}"]
    action = content.get("action", {})
    for button in action.get("buttons", []):
        reply = button.get("reply", {})
        lines.append("  " + _button(reply.get("title", ""), reply.get("id", ""), buttons))
    for section in action.get("sections", []):
        for row in section.get("rows", []):
            lines.append("  " + _button(row.get("title", ""), row.get("id", ""), buttons))
            if row.get("description"):
                lines.append(f"     {row['description']}")
    return lines
