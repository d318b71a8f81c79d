"""Analytics notes: what one turn of the conversation did that the shop's owner should know.

The dialog knows when it answered "I didn't get that", when a search found nothing, when it
handed a customer to a person and why, when an order was placed or cancelled: it writes a
:class:`Note` on the turn at that moment (``turn.note(...)``), never by reading its replies
afterwards. :meth:`bot.dialog.Dialog.handle` returns them beside the replies (:class:`Answer`),
and the pipeline stores them in the same transaction as the turn's replies and session, so a
turn's notes are kept once, exactly when its answer is.

Some notes are news for the staff (:data:`STAFF_KINDS`): a new order, a cancellation, a request
to change an order, a stock-alert request and a hand-off. :func:`staff_news` picks them.

No Flask here: the dialog, the pipeline and the storage import this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.logs import redact

# What a turn can note.
MESSAGE = "message"                # a customer wrote (any answerable event): the funnel's customers
SEARCH = "search"                  # a first page of products was looked for (found or not)
NO_RESULTS = "no_results"          # ... and nothing was found
NOT_UNDERSTOOD = "not_understood"  # answered with "I didn't get that"
PRODUCT_VIEW = "product_view"      # a product's details were shown
CART_ADD = "cart_add"              # a line went into the cart
ORDER = "order"                    # an order was placed (amount: its total)
ORDER_CANCEL = "order_cancel"      # the customer cancelled an order
ORDER_CHANGE = "order_change"      # the customer asked to change an order (staff get it)
STOCK_ALERT = "stock_alert"        # "tell me when it's back" was recorded
HANDOFF = "handoff"                # handed to a person (reason: why)

KINDS = frozenset({MESSAGE, SEARCH, NO_RESULTS, NOT_UNDERSTOOD, PRODUCT_VIEW, CART_ADD, ORDER, ORDER_CANCEL,
                   ORDER_CHANGE, STOCK_ALERT, HANDOFF})
#: What the owner reads in "What the bot did not understand", with the customer's words.
MISSES = (NOT_UNDERSTOOD, NO_RESULTS, HANDOFF)
#: What the staff are told of (the console's feed, the staff webhook and message).
STAFF_KINDS = (ORDER, ORDER_CANCEL, ORDER_CHANGE, STOCK_ALERT, HANDOFF)
#: Why a customer was handed to a person (``Note.reason`` of a hand-off).
HANDOFF_REASONS = {
    "asked": "asked for a person",
    "catalogue_order": "sent a catalogue order",
    "cancel_shipped": "wants to cancel an order that has shipped",
    "order_change": "wants to change an order",
}
TEXT_MAX = 500          # the most characters of a customer's words kept in a note


@dataclass(frozen=True)
class Note:
    """One thing a turn did. ``text``: the customer's words (phone numbers masked when stored);
    ``reason``: a hand-off's reason (:data:`HANDOFF_REASONS`) or what a search filtered on;
    ``ref``: an order number or a product id; ``amount``: an order's total in EGP;
    ``detail``: a few more facts for the staff (items, product name, size, colour)."""

    kind: str
    text: str = ""
    reason: str = ""
    ref: str = ""
    amount: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown note kind {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        """The note as stored: the customer's words masked and bounded."""
        return {"kind": self.kind, "text": masked(self.text), "reason": self.reason, "ref": self.ref,
                "amount": int(self.amount), "detail": dict(self.detail)}


class Answer(tuple):
    """``(replies, session)`` as :meth:`bot.dialog.Dialog.handle` always returned them (it unpacks
    the same), with the turn's :class:`Note` list beside them as ``notes``."""

    notes: tuple[Note, ...]

    def __new__(cls, replies: Sequence[Any], session: dict[str, Any], notes: Iterable[Note] = ()) -> Answer:
        answer = super().__new__(cls, (replies, session))
        answer.notes = tuple(notes)
        return answer


def notes_of(answer: Any) -> tuple[Note, ...]:
    """The notes an answer carries (none for a plain ``(replies, session)`` tuple)."""
    return tuple(getattr(answer, "notes", ()))


def masked(text: str) -> str:
    """A customer's words as kept for the owner: phone numbers and other long digit runs masked
    (:func:`bot.logs.redact`, the logs' own masking), cut to :data:`TEXT_MAX` characters."""
    return redact(str(text or "")[:TEXT_MAX * 2])[:TEXT_MAX]


def staff_news(notes: Iterable[Note]) -> list[Note]:
    """The notes the staff are told of, once each: a hand-off that carries an order change is the
    change itself (one piece of news, with the hand-off's reason in it)."""
    notes = list(notes)
    changes = any(note.kind == ORDER_CHANGE for note in notes)
    return [note for note in notes
            if note.kind in STAFF_KINDS and not (note.kind == HANDOFF and changes and note.reason == "order_change")]


def summary(kind: str, data: dict[str, Any]) -> str:
    """One line for the staff: "New order DK-7K4QXE: 2 items, 450 EGP"."""
    detail = data.get("detail") or {}
    if kind == ORDER:
        items = int(detail.get("items") or 0)
        return f"New order {data.get('ref', '')}: {items} item{'s' if items != 1 else ''}, {data.get('amount', 0)} EGP"
    if kind == ORDER_CANCEL:
        return f"Order {data.get('ref', '')} cancelled by the customer"
    if kind == ORDER_CHANGE:
        return f"Change requested for order {data.get('ref', '')}: {data.get('text', '')}".rstrip(": ")
    if kind == STOCK_ALERT:
        options = ", ".join(str(v) for v in (detail.get("size"), detail.get("color")) if v)
        name = detail.get("name") or f"product {data.get('ref', '')}"
        return f"Stock alert requested: {name}" + (f" ({options})" if options else "")
    if kind == HANDOFF:
        why = HANDOFF_REASONS.get(str(data.get("reason", "")), str(data.get("reason", "")) or "asked for a person")
        words = data.get("text", "")
        return f"Hand-off: {why}" + (f" — “{words}”" if words else "")
    return kind


__all__ = ["Answer", "HANDOFF_REASONS", "KINDS", "MISSES", "Note", "STAFF_KINDS", "masked", "notes_of",
           "staff_news", "summary"]
