"""One turn of the conversation: the event, the session, the services, and shared reply helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.channels.registry import channel
from bot.dialog import texts
from bot.dialog.payloads import Categories, Command, InvalidPayload, Payload, SetLang, encode
from bot.dialog.session import Session
from bot.events import Event
from bot.language import Lang
from bot.notes import Note
from bot.replies import Button, Choice, QuickReplies, Reply

if TYPE_CHECKING:
    from bot.nlu.matcher import Understanding
    from bot.nlu.query import QueryReading
    from bot.storage.contracts import Handoffs, Orders, StockAlerts

__all__ = ["Deps", "Handler", "InvalidPayload", "Turn"]


@dataclass
class Deps:
    """What the dialog works with. ``understand`` is ``bot.nlu.understand`` unless a test injects one."""

    store: Any                      # bot.store's facade, or a test's stand-in with the same methods
    orders: Orders | None = None
    handoffs: Handoffs | None = None
    settings: Any = None
    alerts: StockAlerts | None = None   # stock alerts (bot.storage.stock_alerts)
    understand: Callable[..., Understanding] | None = None
    store_name: str = ""
    clock: Callable[[], float] = time.time   # "are you open now?", staff hours (tests inject one)

    @property
    def order_book(self) -> Orders:
        """The order store; a dialog made without one cannot take or show orders (a set-up bug)."""
        if self.orders is None:
            raise LookupError("the dialog was made without an order store")
        return self.orders

    @property
    def alert_book(self) -> StockAlerts:
        """The stock-alert store; a dialog made without one cannot take alerts (a set-up bug)."""
        if self.alerts is None:
            raise LookupError("the dialog was made without a stock-alert store")
        return self.alerts

    def nlu(self, text: str, context: str) -> Understanding:
        if self.understand is None:
            from bot.nlu import understand  # imported late: the matcher loads its lexicon once

            self.understand = understand
        return self.understand(text, context=context)

    def read(self, text: str, analysis: Any = None) -> QueryReading:
        """What a store search needs from the customer's words (:func:`bot.nlu.query.read_query`);
        ``analysis``: the matcher's analysis of this very text, so its words are not read again."""
        from bot.nlu.query import read_query  # imported late, as the matcher

        return read_query(text, analysis)

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
    analysis: Any = field(default=None, repr=False)  # the matcher's analysis of ``text`` (bot.nlu.Analysis)
    _reading: QueryReading | None = field(default=None, repr=False)

    def reading(self, query: str) -> Callable[[], QueryReading] | None:
        """How the store search gets the reading of ``query`` when it is this turn's message: read once a
        turn, and only if the search needs it (not for a cached answer); None for other words."""
        if not query or query != self.text:
            return None
        return self._read_message

    def _read_message(self) -> QueryReading:
        if self._reading is None:
            self._reading = self.deps.read(self.text, self.analysis)
        return self._reading

    @property
    def lang(self) -> Lang:
        return Lang.read(self.session.lang)

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

    def choice(self, key: str, payload: Payload, **values: object) -> Choice:
        """A choice titled with the text ``key``, carrying ``payload``."""
        return Choice(self.t(key, **values), encode(payload))

    def button(self, key: str, payload: Payload, **values: object) -> Button:
        """A postback button titled with the text ``key``, carrying ``payload``."""
        return Button(self.t(key, **values), encode(payload))

    def paged(self, choices: list[Choice], page: int, more: Callable[[int], Payload]) -> tuple[Choice, ...]:
        """Page ``page`` of ``choices``, cut to what the platform shows, with "more" when they do not fit.

        Nothing is ever dropped: the last choice of a full page is "المزيد", whose payload
        (``more(next_page)``) shows the next page; after the last page it comes back to the first.
        """
        limit = channel(self.platform).limits.choices_max
        if len(choices) <= limit:
            return tuple(choices)
        size = limit - 1
        pages = -(-len(choices) // size)
        page = page if 0 <= page < pages else 0
        shown = choices[page * size:(page + 1) * size]
        return (*shown, Choice(self.t("choice.more"), encode(more((page + 1) % pages))))

    def menu(self, text: str | None = None) -> Reply:
        """The main menu under ``text``: what a customer can always do next."""
        return QuickReplies(
            text=text or self.t("menu.prompt"),
            choices=(
                self.choice("menu.categories", Categories()),
                self.choice("menu.offers", Command.OFFERS),
                self.choice("menu.cart", Command.CART),
                self.choice("menu.orders", Command.ORDER_STATUS),
                self.choice("menu.human", Command.HUMAN),
                self.choice("menu.switch", SetLang(self.lang.other)),

            ),
            button_label=self.t("menu.button"),
        )


Handler = Callable[[Turn], list[Reply]]
