"""Button payloads as typed values, with the one codec that writes and reads them.

Every button, quick reply and list row the bot sends carries one of these values, written by
:func:`encode`; a press comes back through :func:`decode`, the only reader. The wire format is
the one the bot has always sent (``NAME`` or ``NAME:argument``), byte for byte, so buttons already
sitting in customers' chats keep working after an upgrade::

    GET_STARTED  MENU  SEARCH  OFFERS  NEW  BEST  CART  CLEAR_CART  CHECKOUT  CANCEL  ORDERS  ORDER_STATUS
    SHIPPING  PAYMENT  RETURNS  HUMAN  KEEP_ORDER                               (Command; "__GET_STARTED__" too)
    CATEGORIES[:<page>]  CART_EDIT[:<page>]  FILTER  FILTER:clear  FILTER:<slot>=<value>  SIZES[:<section>]
    DETAILS:<id>  PRICE:<id>  RELATED:<id>  ADD:<id>[:<size>[:<colour>]]  OPTIONS:<id>:<page>
    COMPARE:<id>,<id>[,<id>[,<id>]]  MORE:<cursor>[:<list tag>]  SORT:<order>  CAT:<slug>  LANG:<ar|en>
    REMOVE:<id>:<size>:<colour>  QTY:<id>:<size>:<colour>:<n>  GOV:<key>  PHONE:<mobile>
    CONFIRM:<checkout id>:<digest>  EDIT[:<name|phone|governorate|address>]
    CANCEL_ASK:<order number>  CANCEL_ORDER:<order number>

Each value checks its fields when it is made (ids are positive integers of at most 9 digits; texts
are bounded, never contain the separator ``:`` and never start or end with a space) and refuses
bad ones with :class:`PayloadFieldError`, so every
encoded payload fits every platform's limit (:data:`PAYLOAD_MAX`, the smallest of
:data:`PLATFORM_LIMITS`). :func:`decode` never raises:
unknown, malformed, over-long or tampered input gives ``None``. It reads the name in any case and
ignores a stray argument after an argument-less name, as the bot always did.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bot import order_numbers
from bot.channels import limits
from bot.dialog.session import Step
from bot.language import Lang

#: Every limit a payload meets on its way out, in UTF-16 units (bot/channels/limits.py).
PLATFORM_LIMITS = {
    "messenger postback": limits.MESSENGER_POSTBACK_PAYLOAD_MAX,
    "messenger quick reply": limits.MESSENGER_QUICK_REPLY_PAYLOAD_MAX,
    "instagram postback": limits.INSTAGRAM_POSTBACK_PAYLOAD_MAX,
    "instagram quick reply": limits.INSTAGRAM_QUICK_REPLY_PAYLOAD_MAX,
    "whatsapp reply button id": limits.WHATSAPP_BUTTON_ID_MAX,
    "whatsapp list row id": limits.WHATSAPP_ROW_ID_MAX,
}
#: The most any payload may be: the smallest limit of all, so a payload fits wherever it is sent.
PAYLOAD_MAX = min(PLATFORM_LIMITS.values())

SEPARATOR = ":"
# A renderer keeps two rows with the same id apart by numbering the repeat (``DETAILS:12~2``,
# bot/channels/limits.py ``unique``); the number is the renderer's, not the payload's.
_REPEAT_NUMBER = re.compile(r"~\d{1,3}$")
ID_MAX = 999_999_999              # ids travel as at most 9 digits
TEXT_MAX = 40                     # a size, a colour, a slug, a governorate key, a list tag
CURSOR_MAX = 160                  # the store's opaque page cursor: printable ASCII, no space or ':'
TAG_MAX = 16                      # a list's tag (8 hex digits, browse.list_tag)
PAGE_MAX = 99
QUANTITY_MAX = 99
COMPARED = (2, 4)                 # how many products one comparison takes
SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest")
EDITABLE = (Step.NAME, Step.PHONE, Step.GOVERNORATE, Step.ADDRESS)

_DIGITS = re.compile(r"[0-9]{1,9}")
_PAGE = re.compile(r"[0-9]{0,2}")
_SLOT = re.compile(r"[a-z_]{1,20}")
_MOBILE = re.compile(r"\+?[0-9]{1,20}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CURSOR = re.compile(rf"[!-9;-~]{{0,{CURSOR_MAX}}}")
_TAG = re.compile(rf"[0-9A-Za-z]{{1,{TAG_MAX}}}")


class InvalidPayload(ValueError):
    """A pressed payload we cannot act on: forged, truncated, or from an older version of the bot.

    Raised by the router (and the handler it calls) when a payload names nothing it can act on; the
    dialog answers it with a polite line and the menu. Any other error of a handler is a bug, never
    an old button.
    """


class PayloadFieldError(ValueError):
    """A payload value made with a field out of bounds: a bug, or catalogue data no button can carry
    (a size with a ``:``); never a customer's old button. :func:`decode` turns it into ``None``."""


class PayloadTooLong(ValueError):
    """An encoded payload over :data:`PAYLOAD_MAX`: a bug (the field bounds make it impossible)."""


# ---- field checks ------------------------------------------------------------------------------


def _check_id(value: object, what: str = "id") -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ID_MAX:
        raise PayloadFieldError(f"{what} must be an integer from 1 to {ID_MAX}")


def _check_count(value: object, most: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise PayloadFieldError(f"{what} must be an integer from 0 to {most}")


def _check_text(value: object, what: str, *, most: int = TEXT_MAX, empty: bool = True) -> None:
    """Bounded text without the separator, control characters or surrounding spaces."""
    if not isinstance(value, str):
        raise PayloadFieldError(f"{what} must be text")
    if not value and not empty:
        raise PayloadFieldError(f"{what} must not be empty")
    if len(value) > most or SEPARATOR in value or _CONTROL.search(value) or value != value.strip():
        raise PayloadFieldError(f"{what} is not a payload field: at most {most} characters, no ':'")


def _check_optional(value: object, what: str, *, most: int = TEXT_MAX) -> None:
    if value is not None:
        _check_text(value, what, most=most)


def _read_id(text: str) -> int:
    if not _DIGITS.fullmatch(text):
        raise InvalidPayload(text)
    return int(text)


def _read_page(text: str | None) -> int | None:
    """A page number; ``None`` for none ("NAME" or "NAME:")."""
    if not text:
        return None
    if not _PAGE.fullmatch(text):
        raise InvalidPayload(text)
    return int(text)


# ---- the payloads ------------------------------------------------------------------------------


class Command(StrEnum):
    """A payload without an argument: the value is its wire form."""

    GET_STARTED = "GET_STARTED"
    MENU = "MENU"
    SEARCH = "SEARCH"
    OFFERS = "OFFERS"
    NEW = "NEW"
    BEST = "BEST"
    CART = "CART"
    CLEAR_CART = "CLEAR_CART"
    CHECKOUT = "CHECKOUT"
    CANCEL = "CANCEL"
    ORDERS = "ORDERS"
    ORDER_STATUS = "ORDER_STATUS"
    SHIPPING = "SHIPPING"
    PAYMENT = "PAYMENT"
    RETURNS = "RETURNS"
    HUMAN = "HUMAN"
    KEEP_ORDER = "KEEP_ORDER"

    def wire(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class _Paged:
    """A long choice list: ``NAME`` (first page) or ``NAME:<page>``."""

    NAME: ClassVar[str] = ""
    page: int | None = None

    def __post_init__(self) -> None:
        if self.page is not None:
            _check_count(self.page, PAGE_MAX, "page")

    def wire(self) -> str:
        return self.NAME if self.page is None else f"{self.NAME}:{self.page}"


@dataclass(frozen=True, slots=True)
class Categories(_Paged):
    """``CATEGORIES[:<page>]``: the shop's sections."""

    NAME: ClassVar[str] = "CATEGORIES"


@dataclass(frozen=True, slots=True)
class CartEdit(_Paged):
    """``CART_EDIT[:<page>]``: remove a line, one more, one less."""

    NAME: ClassVar[str] = "CART_EDIT"


@dataclass(frozen=True, slots=True)
class _AboutProduct:
    NAME: ClassVar[str] = ""
    product_id: int

    def __post_init__(self) -> None:
        _check_id(self.product_id, "product id")

    def wire(self) -> str:
        return f"{self.NAME}:{self.product_id}"


@dataclass(frozen=True, slots=True)
class Details(_AboutProduct):
    """``DETAILS:<id>``: one product's card and description."""

    NAME: ClassVar[str] = "DETAILS"


@dataclass(frozen=True, slots=True)
class Price(_AboutProduct):
    """``PRICE:<id>``: one product's price."""

    NAME: ClassVar[str] = "PRICE"


@dataclass(frozen=True, slots=True)
class Related(_AboutProduct):
    """``RELATED:<id>``: products like this one."""

    NAME: ClassVar[str] = "RELATED"


@dataclass(frozen=True, slots=True)
class Add:
    """``ADD:<id>[:<size>[:<colour>]]``: put a product in the cart.

    ``None`` is a part the payload leaves out, ``""`` one it sends empty (``ADD:12:M:`` asks the
    colour of an M): both forms were sent and are kept exactly.
    """

    NAME: ClassVar[str] = "ADD"
    product_id: int
    size: str | None = None
    color: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.product_id, "product id")
        _check_optional(self.size, "size")
        _check_optional(self.color, "colour")
        if self.color is not None and self.size is None:
            raise PayloadFieldError("a colour needs the size part (empty for none)")

    def wire(self) -> str:
        parts = [str(self.product_id), *(part for part in (self.size, self.color) if part is not None)]
        return f"{self.NAME}:{SEPARATOR.join(parts)}"


@dataclass(frozen=True, slots=True)
class Options:
    """``OPTIONS:<id>:<page>``: the next page of a product's sizes or colours."""

    NAME: ClassVar[str] = "OPTIONS"
    product_id: int
    page: int = 0

    def __post_init__(self) -> None:
        _check_id(self.product_id, "product id")
        _check_count(self.page, PAGE_MAX, "page")

    def wire(self) -> str:
        return f"{self.NAME}:{self.product_id}:{self.page}"


@dataclass(frozen=True, slots=True)
class Compare:
    """``COMPARE:<id>,<id>[,...]``: two to four products side by side."""

    NAME: ClassVar[str] = "COMPARE"
    product_ids: tuple[int, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.product_ids, tuple) or not COMPARED[0] <= len(self.product_ids) <= COMPARED[1]:
            raise PayloadFieldError(f"a comparison takes {COMPARED[0]} to {COMPARED[1]} products")
        for product_id in self.product_ids:
            _check_id(product_id, "product id")

    def wire(self) -> str:
        return f"{self.NAME}:{','.join(map(str, self.product_ids))}"


@dataclass(frozen=True, slots=True)
class More:
    """``MORE:<cursor>[:<tag>]``: the next page of the list the tag names (none: the last list)."""

    NAME: ClassVar[str] = "MORE"
    cursor: str
    tag: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cursor, str) or not _CURSOR.fullmatch(self.cursor):
            raise PayloadFieldError(f"a cursor is at most {CURSOR_MAX} printable ASCII characters, no ':'")
        if self.tag is not None and (not isinstance(self.tag, str) or not _TAG.fullmatch(self.tag)):
            raise PayloadFieldError(f"a list tag is at most {TAG_MAX} letters and digits")

    def wire(self) -> str:
        return f"{self.NAME}:{self.cursor}" + ("" if self.tag is None else f":{self.tag}")


@dataclass(frozen=True, slots=True)
class Sort:
    """``SORT:<order>``: the last search in another order."""

    NAME: ClassVar[str] = "SORT"
    order: str

    def __post_init__(self) -> None:
        if self.order not in SORTS:
            raise PayloadFieldError(f"order must be one of {', '.join(SORTS)}")

    def wire(self) -> str:
        return f"{self.NAME}:{self.order}"


@dataclass(frozen=True, slots=True)
class FilterMenu:
    """``FILTER``: the colours on screen and how to type a size or a price."""

    NAME: ClassVar[str] = "FILTER"

    def wire(self) -> str:
        return self.NAME


@dataclass(frozen=True, slots=True)
class ClearFilters:
    """``FILTER:clear``: the last search with its section only."""

    NAME: ClassVar[str] = "FILTER"
    ARGUMENT: ClassVar[str] = "clear"

    def wire(self) -> str:
        return f"{self.NAME}:{self.ARGUMENT}"


@dataclass(frozen=True, slots=True)
class Refine:
    """``FILTER:<slot>=<value>``: narrow the last search (``FILTER:color=black``)."""

    NAME: ClassVar[str] = "FILTER"
    slot: str
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.slot, str) or not _SLOT.fullmatch(self.slot):
            raise PayloadFieldError("a filter slot is a lower-case name")
        _check_text(self.value, "filter value", empty=False)

    def wire(self) -> str:
        return f"{self.NAME}:{self.slot}={self.value}"


@dataclass(frozen=True, slots=True)
class Category:
    """``CAT:<slug>``: everything in one section."""

    NAME: ClassVar[str] = "CAT"
    slug: str

    def __post_init__(self) -> None:
        _check_text(self.slug, "section", empty=False)

    def wire(self) -> str:
        return f"{self.NAME}:{self.slug}"


@dataclass(frozen=True, slots=True)
class SetLang:
    """``LANG:<ar|en>``: answer in this language from now on."""

    NAME: ClassVar[str] = "LANG"
    lang: Lang

    def __post_init__(self) -> None:
        if not isinstance(self.lang, Lang):
            raise PayloadFieldError("lang must be a Lang")

    def wire(self) -> str:
        return f"{self.NAME}:{self.lang.value}"


@dataclass(frozen=True, slots=True)
class Sizes:
    """``SIZES[:<section>]``: the size help, or one section's chart."""

    NAME: ClassVar[str] = "SIZES"
    section: str | None = None

    def __post_init__(self) -> None:
        if self.section is not None:
            _check_text(self.section, "section", empty=False)

    def wire(self) -> str:
        return self.NAME if self.section is None else f"{self.NAME}:{self.section}"


@dataclass(frozen=True, slots=True)
class _CartLine:
    """A cart line named by what it is, never by position: ``<id>:<size>:<colour>``."""

    NAME: ClassVar[str] = ""
    product_id: int
    size: str
    color: str

    def __post_init__(self) -> None:
        _check_id(self.product_id, "product id")
        _check_text(self.size, "size")
        _check_text(self.color, "colour")

    @property
    def line(self) -> tuple[int, str, str]:
        """What identifies the cart line: product, size, colour."""
        return self.product_id, self.size, self.color

    def _line_wire(self) -> str:
        return f"{self.NAME}:{self.product_id}:{self.size}:{self.color}"


@dataclass(frozen=True, slots=True)
class Remove(_CartLine):
    """``REMOVE:<id>:<size>:<colour>``: take a line out of the cart."""

    NAME: ClassVar[str] = "REMOVE"

    def wire(self) -> str:
        return self._line_wire()


@dataclass(frozen=True, slots=True)
class Quantity(_CartLine):
    """``QTY:<id>:<size>:<colour>:<n>``: set how many of a line (0 removes it)."""

    NAME: ClassVar[str] = "QTY"
    quantity: int = 1

    def __post_init__(self) -> None:
        _CartLine.__post_init__(self)
        _check_count(self.quantity, QUANTITY_MAX, "quantity")

    def wire(self) -> str:
        return f"{self._line_wire()}:{self.quantity}"


@dataclass(frozen=True, slots=True)
class Governorate:
    """``GOV:<key>``: the governorate to deliver to (a store key, or ``other``)."""

    NAME: ClassVar[str] = "GOV"
    key: str

    def __post_init__(self) -> None:
        _check_text(self.key, "governorate", empty=False)

    def wire(self) -> str:
        return f"{self.NAME}:{self.key}"


@dataclass(frozen=True, slots=True)
class Phone:
    """``PHONE:<mobile>``: the customer's own number (WhatsApp), checked again like typed text."""

    NAME: ClassVar[str] = "PHONE"
    number: str

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or not _MOBILE.fullmatch(self.number):
            raise PayloadFieldError("a phone payload is digits")

    def wire(self) -> str:
        return f"{self.NAME}:{self.number}"


@dataclass(frozen=True, slots=True)
class Confirm:
    """``CONFIRM:<checkout id>:<digest>``: place the order whose summary (digest) was shown."""

    NAME: ClassVar[str] = "CONFIRM"
    checkout_id: str
    digest: str = ""

    def __post_init__(self) -> None:
        _check_text(self.checkout_id, "checkout id", empty=False)
        _check_text(self.digest, "digest")

    def wire(self) -> str:
        return f"{self.NAME}:{self.checkout_id}:{self.digest}"


@dataclass(frozen=True, slots=True)
class Edit:
    """``EDIT`` (which part?) or ``EDIT:<step>``: change one part of the order being placed."""

    NAME: ClassVar[str] = "EDIT"
    step: Step | None = None

    def __post_init__(self) -> None:
        if self.step is not None and self.step not in EDITABLE:
            raise PayloadFieldError(f"only {', '.join(EDITABLE)} can be edited")

    def wire(self) -> str:
        return self.NAME if self.step is None else f"{self.NAME}:{self.step.value}"


@dataclass(frozen=True, slots=True)
class _AboutOrder:
    NAME: ClassVar[str] = ""
    number: str

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or order_numbers.canonical(self.number) != self.number:
            raise PayloadFieldError("an order number in its canonical form (DK-…)")

    def wire(self) -> str:
        return f"{self.NAME}:{self.number}"


@dataclass(frozen=True, slots=True)
class CancelAsk(_AboutOrder):
    """``CANCEL_ASK:<number>``: the order picked among several; ask to confirm its cancellation."""

    NAME: ClassVar[str] = "CANCEL_ASK"


@dataclass(frozen=True, slots=True)
class CancelOrder(_AboutOrder):
    """``CANCEL_ORDER:<number>``: yes, cancel it."""

    NAME: ClassVar[str] = "CANCEL_ORDER"


Payload = (Command | Categories | CartEdit | Details | Price | Related | Add | Options | Compare | More | Sort
           | FilterMenu | ClearFilters | Refine | Category | SetLang | Sizes | Remove | Quantity | Governorate | Phone
           | Confirm | Edit | CancelAsk | CancelOrder)


# ---- the codec ---------------------------------------------------------------------------------


def encode(payload: Payload) -> str:
    """The wire form of ``payload``; :class:`PayloadTooLong` when over :data:`PAYLOAD_MAX` (a bug)."""
    text = payload.wire()
    if limits.units(text) > PAYLOAD_MAX:
        raise PayloadTooLong(f"{text[:20]}… is {limits.units(text)} units")
    return text


def decode(text: object) -> Payload | None:
    """The payload ``text`` carries; ``None`` for anything unknown, malformed, over-long or forged."""
    if not isinstance(text, str):
        return None
    text = _REPEAT_NUMBER.sub("", text.strip())
    if not text or limits.units(text) > PAYLOAD_MAX:
        return None
    name, separator, argument = text.partition(SEPARATOR)
    reader = _READERS.get(name.upper())
    if reader is None:
        return None
    try:
        return reader(argument if separator else None)
    except ValueError:                   # InvalidPayload, or a value its constructor refused
        return None


def _add(argument: str | None) -> Add:
    parts = (argument or "").split(SEPARATOR)
    if len(parts) > 3:
        raise InvalidPayload(argument)
    return Add(_read_id(parts[0]), *parts[1:])


def _options(argument: str | None) -> Options:
    product_id, _, page = (argument or "").partition(SEPARATOR)
    return Options(_read_id(product_id), _read_page(page) or 0)


def _compare(argument: str | None) -> Compare:
    return Compare(tuple(_read_id(part) for part in (argument or "").split(",")))


def _more(argument: str | None) -> More:
    if argument is None:
        raise InvalidPayload("MORE needs a cursor")
    cursor, _, tag = argument.partition(SEPARATOR)
    return More(cursor, tag or None)


def _filter(argument: str | None) -> FilterMenu | ClearFilters | Refine:
    if not argument:
        return FilterMenu()
    if argument == ClearFilters.ARGUMENT:
        return ClearFilters()
    slot, equals, value = argument.partition("=")
    if not equals:
        raise InvalidPayload(argument)
    return Refine(slot, value)


def _cart_line(argument: str | None, parts: int) -> list[str]:
    fields = (argument or "").split(SEPARATOR)
    if len(fields) != parts:
        raise InvalidPayload(argument)
    return fields


def _remove(argument: str | None) -> Remove:
    product_id, size, color = _cart_line(argument, 3)
    return Remove(_read_id(product_id), size, color)


def _quantity(argument: str | None) -> Quantity:
    product_id, size, color, amount = _cart_line(argument, 4)
    if not re.fullmatch(r"[0-9]{1,2}", amount):
        raise InvalidPayload(amount)
    return Quantity(_read_id(product_id), size, color, int(amount))


def _confirm(argument: str | None) -> Confirm:
    checkout_id, _, digest = (argument or "").partition(SEPARATOR)
    return Confirm(checkout_id, digest)


def _edit(argument: str | None) -> Edit:
    return Edit(Step(argument)) if argument else Edit()


def _order_number(argument: str | None) -> str:
    number = order_numbers.canonical(argument or "")
    if number is None:
        raise InvalidPayload(argument)
    return number


def _lang(argument: str | None) -> SetLang:
    if argument not in ("ar", "en"):
        raise InvalidPayload(argument)
    return SetLang(Lang(argument))


def _command(command: Command) -> Callable[[str | None], Command]:
    """An argument-less payload: a stray argument is ignored, as it always was."""
    return lambda argument: command


def _required(argument: str | None) -> str:
    if argument is None:
        raise InvalidPayload("an argument is needed")
    return argument


_READERS: dict[str, Callable[[str | None], Payload]] = {
    **{command.value: _command(command) for command in Command},
    "__GET_STARTED__": _command(Command.GET_STARTED),    # the Get Started button of older page setups
    Categories.NAME: lambda argument: Categories(_read_page(argument)),
    CartEdit.NAME: lambda argument: CartEdit(_read_page(argument)),
    Details.NAME: lambda argument: Details(_read_id(_required(argument))),
    Price.NAME: lambda argument: Price(_read_id(_required(argument))),
    Related.NAME: lambda argument: Related(_read_id(_required(argument))),
    Add.NAME: _add,
    Options.NAME: _options,
    Compare.NAME: _compare,
    More.NAME: _more,
    Sort.NAME: lambda argument: Sort(_required(argument)),
    FilterMenu.NAME: _filter,
    Category.NAME: lambda argument: Category(_required(argument)),
    SetLang.NAME: _lang,
    Sizes.NAME: lambda argument: Sizes(argument or None),
    Remove.NAME: _remove,
    Quantity.NAME: _quantity,
    Governorate.NAME: lambda argument: Governorate(_required(argument)),
    Phone.NAME: lambda argument: Phone(_required(argument)),
    Confirm.NAME: _confirm,
    Edit.NAME: _edit,
    CancelAsk.NAME: lambda argument: CancelAsk(_order_number(argument)),
    CancelOrder.NAME: lambda argument: CancelOrder(_order_number(argument)),
}

#: Every payload name :func:`decode` reads.
NAMES = frozenset(_READERS)

__all__ = [
    "NAMES", "PAYLOAD_MAX", "PLATFORM_LIMITS", "Add", "CancelAsk", "CancelOrder", "CartEdit", "Categories", "Category",
    "ClearFilters", "Command", "Compare", "Confirm", "Details", "Edit", "FilterMenu", "Governorate", "InvalidPayload",
    "More", "Options", "Payload", "PayloadFieldError", "PayloadTooLong", "Phone", "Price", "Quantity", "Refine",
    "Related", "Remove", "SetLang", "Sizes", "Sort", "decode", "encode",
]
