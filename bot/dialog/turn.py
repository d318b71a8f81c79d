"""One turn of the conversation: the event, the session, the services, and shared reply helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.dialog import texts
from bot.dialog.session import Session
from bot.events import Event
from bot.notes import Note
from bot.replies import Choice, QuickReplies, Reply

# The most choices one message can offer (platform_spec.md, table rows 6 and 13): Messenger quick
# replies, WhatsApp list rows. An unknown platform gets the smaller one.
CHOICES_MAX = {"messenger": 13, "whatsapp": 10}


class InvalidPayload(ValueError):
    """A payload we cannot act on: forged, truncated, or from an older version of the bot.

    Only the parsing of a payload's argument raises it (in the router or the handler it names);
    any other error of a handler is a bug and is never answered as an old button.
    """


@dataclass
class Deps:
    """What the dialog works with. ``understand`` is ``bot.nlu.understand`` unless a test injects one."""

    store: Any
    orders: Any = None
    handoffs: Any = None
    settings: Any = None
    alerts: Any = None              # stock alerts (bot.storage.stock_alerts)
    understand: Callable[..., Any] | None = None
    store_name: str = ""
    clock: Callable[[], float] = time.time   # "are you open now?", staff hours (tests inject one)

    def nlu(self, text: str, context: str) -> Any:
        if self.understand is None:
            from bot.nlu import understand  # imported late: the matcher loads its lexicon once

            self.understand = understand
        return self.understand(text, context=context)

    def name(self, lang: str) -> str:
        """The shop's name in ``lang``, read once from the store information."""
        if not self.store_name:
            try:
                info = self.store.info()
                self.store_name = f"{info.name_ar}|{info.name_en}"
            except Exception:  # the store may be down; the name is cosmetic
                return "Dukkan"
        arabic, _, english = self.store_name.partition("|")
        return (english or arabic) if lang == "en" else (arabic or english)


@dataclass
class Turn:
    """What a handler gets: the event, the session (changed in place) and the services."""

    event: Event
    session: Session
    deps: Deps
    slots: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    named: list[int] = field(default_factory=list)   # catalogue ids the message names (followup.product_numbers)
    notes: list[Note] = field(default_factory=list)  # what this turn did, for the owner (bot.notes)

    @property
    def lang(self) -> str:
        return self.session.lang

    def note(self, kind: str, **fields: Any) -> None:
        """Note what this turn did for the owner's insights and the staff (:class:`bot.notes.Note`)."""
        self.notes.append(Note(kind, **fields))

    @property
    def platform(self) -> str:
        return str(self.event.platform)

    def t(self, key: str, **values: object) -> str:
        return texts.t(self.lang, key, **values)

    def price(self, amount: int | float) -> str:
        return texts.price(self.lang, amount)

    def number(self, value: int | float) -> str:
        return texts.number(self.lang, value)

    def count(self, count: int, noun: str) -> str:
        """"منتجين", "٣ منتجات", "15 products": a number with its noun in agreement."""
        return texts.plural(self.lang, count, noun)

    def choice(self, key: str, payload: str, **values: object) -> Choice:
        return Choice(self.t(key, **values), payload)

    def paged(self, choices: list[Choice], page: int, more: Callable[[int], str]) -> tuple[Choice, ...]:
        """Page ``page`` of ``choices``, cut to what the platform shows, with "more" when they do not fit.

        Nothing is ever dropped: the last choice of a full page is "المزيد", whose payload
        (``more(next_page)``) shows the next page; after the last page it comes back to the first.
        """
        limit = CHOICES_MAX.get(self.platform, min(CHOICES_MAX.values()))
        if len(choices) <= limit:
            return tuple(choices)
        size = limit - 1
        pages = -(-len(choices) // size)
        page = page if 0 <= page < pages else 0
        shown = choices[page * size:(page + 1) * size]
        return (*shown, Choice(self.t("choice.more"), more((page + 1) % pages)))

    def menu(self, text: str | None = None) -> Reply:
        """The main menu under ``text``: what a customer can always do next."""
        return QuickReplies(
            text=text or self.t("menu.prompt"),
            choices=(
                self.choice("menu.categories", "CATEGORIES"),
                self.choice("menu.offers", "OFFERS"),
                self.choice("menu.cart", "CART"),
                self.choice("menu.orders", "ORDER_STATUS"),
                self.choice("menu.human", "HUMAN"),
                self.choice("menu.switch", "LANG:ar" if self.lang == "en" else "LANG:en"),
            ),
            button_label=self.t("menu.button"),
        )


Handler = Callable[[Turn], list[Reply]]
