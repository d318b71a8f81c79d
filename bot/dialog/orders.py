"""Order status: a customer sees the orders placed from their own chat, and no one else's.

Orders placed from this platform account (platform + customer id) are shown at once. Any other
order only after a check only its buyer can pass: its number *and* the phone number it was placed
with, in one message. A number alone or a phone alone from another account reveals nothing, and
a failed check never says which of the two was wrong. Failed checks are counted by the order
store (``CHECK_LIMIT`` within ``CHECK_WINDOW_S``, on SQLite or Redis, across every process) per
account, and per phone named (``PHONE_CHECK_LIMIT``, every account together: old sequential
numbers cannot be walked with many accounts); past either limit even the right pair is refused
until the window passes, with the same answer, and staff are offered.

Numbers are found however customers type them ("DK-7K4QXE", "dk 7k4 qxe", "رقم الطلب 7k4qxe",
"اوردر رقم ١٠٠٠١", "order no. 10001"), and a number with a wrong check character is refused
before any lookup. Ordinary words are not numbers: a bare token counts only when it is valid.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot import order_numbers
from bot.dialog.checkout import egyptian_mobile
from bot.dialog.payloads import Command
from bot.dialog.session import Context
from bot.dialog.turn import Turn
from bot.replies import QuickReplies, Reply

# Arabic-Indic and Persian digits → ASCII, Arabic letter variants folded, tatweel dropped.
_FOLD = str.maketrans({
    **{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "\u0640": None,
})
# "DK-7K4QXE", "dk7k4qxe", "DK 10001": one token after the prefix, meant as an order number.
PREFIXED = re.compile(r"(?<![a-z0-9])dk\s*[-_#:.]?\s*([a-z0-9]{4,8})(?![a-z0-9])")
# "DK 7K4 QXE", "dk-7k-4qx-e": short groups after the prefix; a number only when valid.
PREFIXED_SPACED = re.compile(
    r"(?<![a-z0-9])dk[\s\-#:.]*((?:[a-z0-9]{1,3}[\s\-]+){1,5}[a-z0-9]{1,3})(?![a-z0-9])"
)
# "رقم الطلب 7k4qxe", "طلبي رقم ١٠٠٠١", "اوردر 7K4QXE", "order no. 7k4qxe", "el talab rakam 7k4qxe".
NAMED = re.compile(
    r"(?:(?<!\w)(?:ال)?(?:طلب|اوردر|طلبيه)(?:ي|ك)?"                            # Arabic: (ال)طلب(ي), اوردر
    r"|(?<![a-z])(?:order|ordr|oreder|talab|talaby|talabi)(?![a-z]))"          # English, Franco
    r"\s*(?:(?:رقم|rakam|raqam|ra2am|ra2m|number|num|no|id|nr)(?!\w)\.?)?"     # "number", "رقم", "no."
    r"\s*[:#\-]?\s*([a-z0-9]{5,6})(?![a-z0-9])"
)
# Any short token, in a message about orders: an order number only when it is a valid one.
TOKEN = re.compile(r"(?<![a-z0-9])([a-z0-9]{5,6})(?![a-z0-9])")
# An Egyptian mobile as people write it: 01012345678, +20 101 234 5678, 00201012345678, 201012345678.
PHONE = re.compile(r"(?<!\d)(?:\+\s*|00)?(?:20[\s\-]*)?0?1[0125](?:[\s\-]?\d){8}(?!\d)")
_CODE_LIKE = re.compile(rf"^(?=.*\d)[{order_numbers.ALPHABET.lower()}]{{{order_numbers.LENGTH}}}$")


@dataclass(frozen=True)
class Reference:
    """What a message says about an order: its number (canonical), a phone, or a mistyped number."""

    number: str = ""
    phone: str = ""
    typo: bool = False


def fold(text: str) -> str:
    """Lower case, ASCII digits, folded Arabic letters; codes and phones keep their shape."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).lower()


def names_an_order(text: str) -> bool:
    """True when ``text`` clearly names an order number: "DK-…", "order number …", or one with a phone."""
    reference = find_reference(text)
    if reference is None or not (reference.number or reference.typo):
        return False
    folded = fold(text)
    return bool(reference.phone or _spaced_number(folded) or _prefixed_number(folded) or _mistyped(folded)
                or _named_number(folded))


def find_reference(text: str) -> Reference | None:
    """The order number and phone in ``text``; None when it names neither."""
    folded = fold(text)
    phone = ""
    for match in PHONE.finditer(folded):
        phone = phone or egyptian_mobile(match.group())
        folded = folded[:match.start()] + " " * (match.end() - match.start()) + folded[match.end():]
    number = _spaced_number(folded) or _prefixed_number(folded)
    if number is None and _mistyped(folded):
        return Reference(phone=phone, typo=True)
    number = number or _named_number(folded) or _any_number(folded)
    if number:
        return Reference(number, phone)
    if phone and any(_CODE_LIKE.match(token) for token in TOKEN.findall(folded)):
        return Reference(phone=phone, typo=True)   # a number and a phone, the number mistyped
    return Reference(phone=phone) if phone else None


def without_references(text: str) -> str:
    """``text`` folded, without its order numbers and phones (they say nothing of the language)."""
    folded = PHONE.sub(" ", fold(text))
    folded = PREFIXED_SPACED.sub(lambda m: " " if order_numbers.canonical(m.group(1)) else m.group(), folded)
    folded = PREFIXED.sub(" ", folded)
    return TOKEN.sub(lambda m: " " if order_numbers.canonical(m.group(1)) else m.group(), folded)


def _prefixed_number(folded: str) -> str | None:
    match = PREFIXED.search(folded)
    return order_numbers.canonical(match.group(1)) if match else None


def _mistyped(folded: str) -> bool:
    """A "DK" number of about the right length that is not valid: a typo, not an ordinary word."""
    match = PREFIXED.search(folded)
    if match is None:
        return False
    token = match.group(1)
    return len(token) in (5, 6, 7) and (len(token) == order_numbers.LENGTH or any(ch.isdigit() for ch in token))


def _spaced_number(folded: str) -> str | None:
    match = PREFIXED_SPACED.search(folded)
    return order_numbers.canonical(match.group(1)) if match else None


def _named_number(folded: str) -> str | None:
    return next(filter(None, (order_numbers.canonical(m.group(1)) for m in NAMED.finditer(folded))), None)


def _any_number(folded: str) -> str | None:
    return next(filter(None, map(order_numbers.canonical, TOKEN.findall(folded))), None)


# ---- handlers ------------------------------------------------------------------------------------


def status(turn: Turn) -> list[Reply]:
    """``ORDER_STATUS`` / ``ORDERS``: this customer's recent orders, or ask for a number and phone."""
    found = turn.deps.order_book.by_customer(turn.platform, turn.event.customer_id)
    turn.session.context = Context.NONE
    if found:
        return [turn.menu(_listing(turn, found))]
    return _ask_again(turn, "orders.ask")


def lookup(turn: Turn) -> list[Reply] | None:
    """The order the text names by number (and phone), or by phone; None when it names neither."""
    reference = find_reference(turn.text)
    if reference is None:
        return None
    turn.session.context = Context.NONE
    if reference.typo:
        return _ask_again(turn, "orders.typo")
    if reference.number:
        return _by_number(turn, reference)
    return _by_phone(turn, reference.phone)


def ask_or_show(turn: Turn) -> list[Reply]:
    """An ``order_status`` message: look it up, or show this customer's orders, or ask."""
    return lookup(turn) or status(turn)


def _by_number(turn: Turn, reference: Reference) -> list[Reply]:
    """Our own order at once; another one only with its phone, within the limit of checks."""
    orders, platform, customer_id = turn.deps.order_book, turn.platform, turn.event.customer_id
    order = orders.get(reference.number)
    if order is not None and mine(turn, order):
        return [turn.menu(_listing(turn, [order]))]
    if not reference.phone:
        return _ask_again(turn, "orders.only_here")
    if orders.checks_left(platform, customer_id, reference.phone) <= 0:  # this account's, or this phone's
        return _limited(turn)
    if order is not None and order.phone == reference.phone:
        return [turn.menu(_listing(turn, [order]))]
    if orders.fail_check(platform, customer_id, reference.phone) <= 0:
        return _limited(turn)
    return _ask_again(turn, "orders.no_match")


def _by_phone(turn: Turn, phone: str) -> list[Reply]:
    """A phone alone shows only this chat's orders placed with it."""
    mine = [order for order in turn.deps.order_book.by_customer(turn.platform, turn.event.customer_id)
            if order.phone == phone]
    if mine:
        return [turn.menu(_listing(turn, mine))]
    return _ask_again(turn, "orders.only_here")


def mine(turn: Turn, order: Any) -> bool:
    """True when ``order`` was placed from this chat (platform account)."""
    return order.platform == turn.platform and order.customer_id == turn.event.customer_id


def _ask_again(turn: Turn, key: str) -> list[Reply]:
    """Say ``key`` and read the next message as an order reference."""
    turn.session.expect = "order_ref"
    return [turn.menu(turn.t(key, example=f"{EXAMPLE_NUMBER} {EXAMPLE_PHONE}", sample=EXAMPLE_NUMBER))]


def _limited(turn: Turn) -> list[Reply]:
    """Too many failed checks: say so kindly and offer a person."""
    choices = (turn.choice("menu.human", Command.HUMAN), turn.choice("orders.menu", Command.MENU))
    return [QuickReplies(turn.t("orders.limited"), choices, button_label=turn.t("menu.button"))]


def _listing(turn: Turn, orders: list[Any]) -> str:
    """Number, status, total and date of each order: nothing else is ever shown to a customer."""
    lines = [turn.t("orders.title")] if len(orders) > 1 else []
    if len(orders) == 1 and mine(turn, orders[0]):      # "هيوصل امتى" next is about this one
        turn.session.last_order = turn.session.last_order | {"shown": orders[0].number}
        turn.session.topic = "order"
    for order in orders:
        date = time.strftime("%Y-%m-%d", time.localtime(order.created_at))
        lines.append(turn.t("orders.line", number=order.number, status=turn.t(f"status.{order.status}"),
                            total=turn.price(order.total), date=date))
    return "\n".join(lines)


EXAMPLE_NUMBER, EXAMPLE_PHONE = "DK-7K4QXE", "01012345678"   # a valid number, shown in the texts
