"""The conversation: from an event and the customer's session to the replies.

``Dialog.respond(event, session) -> (replies, session)`` is the whole interface the pipeline uses.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from bot.dialog.texts import t
from bot.events import Event, Kind
from bot.replies import Choice, QuickReplies, Reply, Text

ARABIC = re.compile(r"[\u0600-\u06FF]")
GREETING = re.compile(
    r"^\W*(hi|hello|hey|salam|slam|ahlan|a7lan|السلام|سلام|اهلا|أهلا|مرحبا|هاي|صباح|مساء)\b", re.IGNORECASE
)
START_PAYLOADS = {"GET_STARTED", "__GET_STARTED__", "MENU"}


def script_language(text: str, default: str = "ar") -> str:
    """Arabic for Arabic script and Franco, English for plain Latin text."""
    if ARABIC.search(text):
        return "ar"
    if re.search(r"[a-z]", text, re.IGNORECASE):
        return "ar" if re.search(r"[a-z][2357][a-z]|\b[2357][a-z]", text, re.IGNORECASE) else "en"
    return default


class Dialog:
    """A small dialog: welcome on greetings and Get Started, otherwise help and the menu."""

    def __init__(self, store_name: str = "Dukkan") -> None:
        self.store_name = store_name

    def respond(self, event: Event, session: dict[str, Any]) -> tuple[Sequence[Reply], dict[str, Any]]:
        if not event.answerable:
            return [], session
        lang = script_language(event.text, session.get("lang", "ar")) if event.text else session.get("lang", "ar")
        session = session | {"lang": lang}
        if event.payload in START_PAYLOADS or (event.kind is Kind.TEXT and GREETING.search(event.text)):
            return [self._menu(lang, t(lang, "welcome", store=self.store_name))], session
        return [self._menu(lang, t(lang, "help"))], session

    def _menu(self, lang: str, text: str) -> Reply:
        return QuickReplies(
            text=text,
            choices=(
                Choice(t(lang, "menu.categories"), "CATEGORIES"),
                Choice(t(lang, "menu.offers"), "OFFERS"),
                Choice(t(lang, "menu.human"), "HUMAN"),
            ),
        )


__all__ = ["Dialog", "Text", "script_language"]
