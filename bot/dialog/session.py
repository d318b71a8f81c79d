"""The customer's session, typed: what the dialog remembers between two messages.

The pipeline stores it as a JSON document (``to_dict``); ``from_dict`` accepts anything a
session store may hand back, including documents from older versions or garbage, and keeps only
values of the right shape, so a bad document can never break a conversation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.language import Lang


class Context(StrEnum):
    """What the bot last showed, which the intent matcher reads ("the second one", "cheaper")."""

    NONE = "none"
    AFTER_RESULTS = "after_results"      # a list of products is on screen
    AFTER_DETAILS = "after_details"      # one product is on screen


class Step(StrEnum):
    """The checkout question waiting for an answer."""

    NAME = "name"
    PHONE = "phone"
    GOVERNORATE = "governorate"
    ADDRESS = "address"
    CONFIRM = "confirm"


LANGS = tuple(Lang)
CONTEXTS = tuple(Context)
STEPS = tuple(Step)
TOPICS = ("list", "product", "shipping", "order", "order_change")
#: What names a cart line: product id, size, colour (never its position).
LineKey = tuple[int, str, str]


@dataclass
class CartLine:
    """One line of the cart: a product in one size and colour."""

    product_id: int
    name_ar: str
    name_en: str
    unit_price: int
    quantity: int = 1
    size: str = ""
    color: str = ""

    def name(self, lang: str) -> str:
        return (self.name_en or self.name_ar) if lang == Lang.EN else (self.name_ar or self.name_en)

    def key(self) -> LineKey:
        """What names the line in a payload (``REMOVE:<id>:<size>:<colour>``): product, size, colour."""
        return self.product_id, self.size, self.color

    @classmethod
    def from_dict(cls, data: Any) -> CartLine | None:
        try:
            line = cls(
                product_id=int(data["product_id"]), name_ar=str(data.get("name_ar", "")),
                name_en=str(data.get("name_en", "")), unit_price=int(data["unit_price"]),
                quantity=int(data.get("quantity", 1)), size=str(data.get("size", "")),
                color=str(data.get("color", "")),
            )
        except (TypeError, KeyError, ValueError, AttributeError):
            return None
        return line if line.quantity > 0 else None


@dataclass
class Checkout:
    """A cash-on-delivery order being filled in, step by step."""

    id: str
    step: Step = Step.NAME
    name: str = ""
    phone: str = ""
    governorate: str = ""           # the store's governorate key
    address: str = ""
    editing: bool = False           # back to the summary after the edited step
    shown: str = ""                 # digest of the order the last summary showed (what a "yes" confirms)
    misses: int = 0                 # answers that did not fit the current step (explained once)

    @classmethod
    def from_dict(cls, data: Any) -> Checkout | None:
        if not isinstance(data, dict) or not data.get("id") or data.get("step") not in STEPS:
            return None
        texts = {k: str(data[k]) for k in ("name", "phone", "governorate", "address", "shown") if k in data}
        return cls(id=str(data["id"]), step=Step(data["step"]), editing=bool(data.get("editing", False)),
                   misses=_int(data.get("misses")) or 0, **texts)


@dataclass
class Session:
    """Language, what is on screen, the cart, an order in progress and what we wait for."""

    lang: Lang = Lang.AR
    lang_chosen: bool = False        # set with LANG:..; then the text's script no longer decides
    context: Context = Context.NONE  # the NLU context: what the bot last showed
    results: list[int] = field(default_factory=list)   # product ids on screen, in order
    query: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = "relevance"
    cursor: str = ""                  # the next page of the last search
    total: int = 0
    focus: int | None = None          # the product in focus (details, price, add)
    cart: list[CartLine] = field(default_factory=list)
    pending: dict[str, Any] = field(default_factory=dict)   # an add waiting for size/colour
    checkout: Checkout | None = None
    expect: str = ""                  # "order_ref" or "" : what the next text answers
    last_order: dict[str, str] = field(default_factory=dict)  # number and checkout id
    topic: str = ""                   # what the last answer was about: list, product, shipping, order(_change)
    lists: dict[str, Any] = field(default_factory=dict)   # recent lists by tag: [query, filters, sort]
    asked: dict[str, Any] = field(default_factory=dict)   # size/colour asked about a product: "841 فيه اسود؟"
    compared_from: list[int] = field(default_factory=list)  # the list a comparison on screen was made from

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Session:
        """A session from a stored document; wrong or missing values take their defaults."""
        session = cls()
        if not isinstance(data, dict):
            return session
        session.lang = Lang.read(data.get("lang"))
        session.lang_chosen = bool(data.get("lang_chosen", False))
        session.context = Context(data["context"]) if data.get("context") in CONTEXTS else Context.NONE
        session.results = _ints(data.get("results"))
        session.query = _text(data.get("query"))
        session.filters = _dict(data.get("filters"))
        session.sort = _text(data.get("sort")) or "relevance"
        session.cursor = _text(data.get("cursor"))
        session.total = _int(data.get("total")) or 0
        session.focus = _int(data.get("focus"))
        session.cart = [line for line in map(CartLine.from_dict, _list(data.get("cart"))) if line]
        session.pending = _dict(data.get("pending"))
        session.checkout = Checkout.from_dict(data.get("checkout"))
        session.expect = _text(data.get("expect"))
        session.last_order = _dict(data.get("last_order"))
        session.topic = str(data["topic"]) if data.get("topic") in TOPICS else ""
        session.lists = _dict(data.get("lists"))
        session.asked = _dict(data.get("asked"))
        session.compared_from = _ints(data.get("compared_from"))
        return session

    def show_results(self, ids: list[int]) -> None:
        """Remember a list now on screen."""
        self.results, self.compared_from = list(ids), []
        self.context, self.topic = Context.AFTER_RESULTS, "list"

    def show_product(self, product_id: int) -> None:
        """Remember one product now on screen."""
        self.focus = product_id
        self.context, self.topic = Context.AFTER_DETAILS, "product"

    def subtotal(self) -> int:
        return sum(line.unit_price * line.quantity for line in self.cart)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _ints(value: Any) -> list[int]:
    return [n for n in map(_int, _list(value)) if n is not None]


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
