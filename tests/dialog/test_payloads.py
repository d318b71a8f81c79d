"""The payload codec: the wire format stays byte for byte, every value round-trips, bad input is None."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import order_numbers
from bot.channels import limits
from bot.dialog import payloads as P
from bot.dialog.payloads import (
    Add,
    CancelAsk,
    CancelOrder,
    CartEdit,
    Categories,
    Category,
    ClearFilters,
    Command,
    Compare,
    Confirm,
    Details,
    Edit,
    FilterMenu,
    Governorate,
    More,
    Options,
    Payload,
    PayloadFieldError,
    Phone,
    Price,
    Quantity,
    Refine,
    Related,
    Remove,
    SetLang,
    Sizes,
    Sort,
    decode,
    encode,
)
from bot.dialog.session import Step
from bot.language import Lang

ORDER = order_numbers.new_number(lambda alphabet: alphabet[3])

# Every form the bot has sent, exactly as it sent it, and the value it is.
WIRE = [
    ("GET_STARTED", Command.GET_STARTED), ("MENU", Command.MENU), ("SEARCH", Command.SEARCH),
    ("OFFERS", Command.OFFERS), ("NEW", Command.NEW), ("BEST", Command.BEST), ("CART", Command.CART),
    ("CLEAR_CART", Command.CLEAR_CART), ("CHECKOUT", Command.CHECKOUT), ("CANCEL", Command.CANCEL),
    ("ORDERS", Command.ORDERS), ("ORDER_STATUS", Command.ORDER_STATUS), ("SHIPPING", Command.SHIPPING),
    ("PAYMENT", Command.PAYMENT), ("RETURNS", Command.RETURNS), ("HUMAN", Command.HUMAN),
    ("KEEP_ORDER", Command.KEEP_ORDER),
    ("CATEGORIES", Categories()), ("CATEGORIES:0", Categories(0)), ("CATEGORIES:2", Categories(2)),
    ("CART_EDIT", CartEdit()), ("CART_EDIT:1", CartEdit(1)),
    ("FILTER", FilterMenu()), ("FILTER:clear", ClearFilters()), ("FILTER:color=black", Refine("color", "black")),
    ("FILTER:price_max=500", Refine("price_max", "500")),
    ("DETAILS:53", Details(53)), ("PRICE:7", Price(7)), ("RELATED:900", Related(900)),
    ("ADD:12", Add(12)), ("ADD:12:M", Add(12, "M")), ("ADD:12:M:black", Add(12, "M", "black")),
    ("ADD:900:36:", Add(900, "36", "")), ("ADD:12::black", Add(12, "", "black")), ("ADD:12::", Add(12, "", "")),
    ("ADD:5:One Size:navy", Add(5, "One Size", "navy")), ("ADD:5:مقاس واحد:أسود", Add(5, "مقاس واحد", "أسود")),
    ("OPTIONS:12:1", Options(12, 1)), ("OPTIONS:12:0", Options(12, 0)),
    ("COMPARE:3,5", Compare((3, 5))), ("COMPARE:1,2,3,4", Compare((1, 2, 3, 4))),
    ("MORE:eyJvIjogMTB9", More("eyJvIjogMTB9")), ("MORE:garbage", More("garbage")),
    ("MORE:eyJvIjogMTB9:1a2b3c4d", More("eyJvIjogMTB9", "1a2b3c4d")),
    ("SORT:price_asc", Sort("price_asc")), ("CAT:men", Category("men")),
    ("LANG:ar", SetLang(Lang.AR)), ("LANG:en", SetLang(Lang.EN)),
    ("SIZES", Sizes()), ("SIZES:kids", Sizes("kids")),
    ("REMOVE:12:M:black", Remove(12, "M", "black")), ("REMOVE:12::", Remove(12, "", "")),
    ("QTY:12:M:black:3", Quantity(12, "M", "black", 3)), ("QTY:12:::0", Quantity(12, "", "", 0)),
    ("GOV:alexandria", Governorate("alexandria")), ("GOV:other", Governorate("other")),
    ("PHONE:01001234567", Phone("01001234567")),
    ("CONFIRM:0a1b2c3d4e5f:abcdef012345", Confirm("0a1b2c3d4e5f", "abcdef012345")),
    ("EDIT", Edit()), ("EDIT:name", Edit(Step.NAME)), ("EDIT:phone", Edit(Step.PHONE)),
    ("EDIT:governorate", Edit(Step.GOVERNORATE)), ("EDIT:address", Edit(Step.ADDRESS)),
    (f"CANCEL_ASK:{ORDER}", CancelAsk(ORDER)), (f"CANCEL_ORDER:{ORDER}", CancelOrder(ORDER)),
    ("CANCEL_ORDER:DK-10001", CancelOrder("DK-10001")),
]


@pytest.mark.parametrize(("wire", "value"), WIRE, ids=[wire for wire, _ in WIRE])
def test_every_payload_reads_and_writes_exactly_as_the_bot_always_sent_it(wire: str, value: Payload) -> None:
    assert decode(wire) == value
    assert encode(value) == wire


def test_the_table_covers_every_payload_kind() -> None:
    kinds = {type(value) for _, value in WIRE}
    assert kinds == set(typing.get_args(P.Payload))
    assert {value for _, value in WIRE if isinstance(value, Command)} == set(Command)
    assert {wire.partition(":")[0] for wire, _ in WIRE} | {"__GET_STARTED__"} == P.NAMES


@pytest.mark.parametrize(("wire", "value"), [
    ("__GET_STARTED__", Command.GET_STARTED),           # the Get Started button of older page setups
    ("menu", Command.MENU), ("details:9", Details(9)),  # the name in any case
    ("MENU:whatever", Command.MENU),                    # a stray argument after an argument-less name
    ("  DETAILS:5 \n", Details(5)),
    ("CATEGORIES:", Categories()), ("CART_EDIT:", CartEdit()), ("FILTER:", FilterMenu()), ("SIZES:", Sizes()),
    ("EDIT:", Edit()), ("OPTIONS:12", Options(12, 0)), ("OPTIONS:12:", Options(12, 0)),
    ("MORE:", More("")), ("MORE:abc:", More("abc")), ("DETAILS:007", Details(7)),
    ("CONFIRM:0a1b2c3d4e5f", Confirm("0a1b2c3d4e5f", "")),
    (f"CANCEL_ASK:{ORDER.lower().replace('-', '')}", CancelAsk(ORDER)),   # any way of writing the number
])
def test_older_and_looser_forms_still_read(wire: str, value: Payload) -> None:
    assert decode(wire) == value


@pytest.mark.parametrize("wire", [
    "", "   ", "NOPE", "🙂", "DETAILS", "DETAILS:", "DETAILS:abc", "DETAILS:0", "DETAILS:-1", "DETAILS:1234567890",
    "DETAILS:١٢", "DETAILS:" + "9" * 300, "ADD:12x", "ADD:", "ADD:1:M:black:extra", "OPTIONS:x:1", "OPTIONS:1:100",
    "COMPARE:53", "COMPARE:1,2,3,4,5", "COMPARE:1,,2", "COMPARE:", "MORE", "MORE:not base64!", "SORT:sideways",
    "SORT", "CAT", "CAT:", "LANG:fr", "LANG", "LANG:EN", "QTY:1::x", "QTY:1:M:black:100", "QTY:1:M:black",
    "REMOVE:abc", "REMOVE:1:M", "REMOVE:1:M:black:3", "FILTER:weight", "FILTER:Color=black", "FILTER:color=",
    "FILTER:color= black", "GOV", "GOV:", "PHONE:abc", "PHONE:", "PHONE:0100 123", "CONFIRM:", "CONFIRM::abc",
    "EDIT:everything", "EDIT:confirm", "CANCEL_ASK:nope", "CANCEL_ORDER:", "CATEGORIES:x", "CATEGORIES:100",
    "CART_EDIT:-1", "ADD:1:" + "M" * 41, "GOV:a" + "\x00",
])
def test_malformed_or_forged_payloads_read_as_none(wire: str) -> None:
    assert decode(wire) is None


@pytest.mark.parametrize("value", [None, 12, b"MENU", ["MENU"], {"payload": "MENU"}])
def test_what_is_not_text_reads_as_none(value: object) -> None:
    assert decode(value) is None


@pytest.mark.parametrize("make", [
    lambda: Details(0), lambda: Details(True), lambda: Details(10 ** 9),
    lambda: Details("5"),  # type: ignore[arg-type]  # the wrong type on purpose
    lambda: Add(1, "a:b"), lambda: Add(1, None, "black"), lambda: Add(1, " M"), lambda: Add(1, "M", "x" * 41),
    lambda: Remove(1, "M\n", "x"), lambda: Quantity(1, "M", "x", 100), lambda: Quantity(1, "M", "x", -1),
    lambda: Options(1, 100), lambda: Categories(-1), lambda: Compare((1,)), lambda: Compare((1, 2, 3, 4, 5)),
    lambda: Compare([1, 2]),  # type: ignore[arg-type]  # a list, not a tuple, on purpose
    lambda: More("a:b"), lambda: More("a b"), lambda: More("x" * 161), lambda: More("abc", ""),
    lambda: More("abc", "1a2b:"), lambda: More("abc", "f" * 17), lambda: Sort("sideways"), lambda: Refine("Color", "x"),
    lambda: Refine("color", ""), lambda: Category(""),
    lambda: SetLang("en"),  # type: ignore[arg-type]  # a plain string, not a Lang, on purpose
    lambda: Sizes(""), lambda: Governorate("a:b"), lambda: Phone("+20 100"), lambda: Confirm("", "x"),
    lambda: Edit(Step.CONFIRM), lambda: CancelAsk("dk7k4qxe"), lambda: CancelOrder("DK-00000"),
])
def test_a_value_with_a_field_out_of_bounds_cannot_be_made(make) -> None:
    with pytest.raises(PayloadFieldError):
        make()


# ---- properties -----------------------------------------------------------------------------------------------

_FIELD = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=":"), max_size=P.TEXT_MAX)
FIELD = _FIELD.filter(lambda text: text == text.strip())
WORD = FIELD.filter(bool)
IDS = st.integers(min_value=1, max_value=P.ID_MAX)
PAGES = st.integers(min_value=0, max_value=P.PAGE_MAX)
PRINTABLE = st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=":")
CURSORS = st.text(PRINTABLE, max_size=P.CURSOR_MAX)
SLOTS = st.from_regex(r"[a-z_]{1,20}", fullmatch=True)
TAGS = st.from_regex(r"[0-9A-Za-z]{1,16}", fullmatch=True)
NUMBERS = st.builds(order_numbers.new_number, st.builds(lambda seed: lambda alphabet: alphabet[seed % len(alphabet)],
                                                         st.integers(min_value=0)))
ADDS = st.one_of(st.builds(Add, IDS), st.builds(Add, IDS, FIELD), st.builds(Add, IDS, FIELD, FIELD))

PAYLOADS = st.one_of(
    st.sampled_from(Command), st.builds(Categories, st.none() | PAGES), st.builds(CartEdit, st.none() | PAGES),
    st.just(FilterMenu()), st.just(ClearFilters()), st.builds(Refine, SLOTS, WORD),
    st.builds(Details, IDS), st.builds(Price, IDS), st.builds(Related, IDS), ADDS, st.builds(Options, IDS, PAGES),
    st.builds(Compare, st.lists(IDS, min_size=2, max_size=4).map(tuple)), st.builds(More, CURSORS, st.none() | TAGS),
    st.builds(Sort, st.sampled_from(P.SORTS)), st.builds(Category, WORD), st.builds(SetLang, st.sampled_from(Lang)),
    st.builds(Sizes, st.none() | WORD), st.builds(Remove, IDS, FIELD, FIELD),
    st.builds(Quantity, IDS, FIELD, FIELD, st.integers(min_value=0, max_value=P.QUANTITY_MAX)),
    st.builds(Governorate, WORD), st.builds(Phone, st.from_regex(r"\+?[0-9]{1,20}", fullmatch=True)),
    st.builds(Confirm, WORD, FIELD), st.builds(Edit, st.none() | st.sampled_from(P.EDITABLE)),
    st.builds(CancelAsk, NUMBERS), st.builds(CancelOrder, NUMBERS),
)


@given(PAYLOADS)
def test_every_value_round_trips_and_fits_every_platform(value: Payload) -> None:
    wire = encode(value)
    assert decode(wire) == value
    assert encode(value) == wire == encode(decode(wire) or Command.MENU)
    assert all(limits.units(wire) <= limit for limit in P.PLATFORM_LIMITS.values())


@given(st.text(max_size=400))
def test_decoding_any_text_never_raises(text: str) -> None:
    value = decode(text)
    assert value is None or decode(encode(value)) == value


@given(st.sampled_from(sorted(P.NAMES)), st.text(max_size=250))
def test_decoding_any_argument_never_raises(name: str, argument: str) -> None:
    value = decode(f"{name}:{argument}")
    assert value is None or decode(encode(value)) == value


def test_the_longest_value_of_each_kind_fits_the_smallest_limit() -> None:
    wide = "𝐌" * P.TEXT_MAX                                   # two UTF-16 units each, as Meta counts
    longest = [
        Add(P.ID_MAX, wide, wide), Remove(P.ID_MAX, wide, wide), Quantity(P.ID_MAX, wide, wide, P.QUANTITY_MAX),
        More("A" * P.CURSOR_MAX, "f" * P.TAG_MAX), Refine("s" * 20, wide), Confirm(wide, wide), Governorate(wide),
        Compare((P.ID_MAX,) * 4), Options(P.ID_MAX, P.PAGE_MAX), Phone("+" + "9" * 20), Category(wide), Sizes(wide),
    ]
    assert max(limits.units(encode(value)) for value in longest) <= P.PAYLOAD_MAX


def test_the_smallest_limit_is_whatsapp_list_rows_and_comes_from_the_channel_limits() -> None:
    assert P.PAYLOAD_MAX == limits.WHATSAPP_ROW_ID_MAX == 200
    assert P.PLATFORM_LIMITS["messenger postback"] == limits.MESSENGER_POSTBACK_PAYLOAD_MAX
    assert P.PLATFORM_LIMITS["whatsapp reply button id"] == limits.WHATSAPP_BUTTON_ID_MAX


def test_an_over_long_text_is_refused_before_it_is_read() -> None:
    assert decode("GOV:" + "a" * (P.PAYLOAD_MAX - 3)) is None
    assert decode("CAT:" + "a" * 30) == Category("a" * 30)


@pytest.mark.parametrize("wire", ["GET_STARTED", "MENU", "CART", "ORDERS", "HUMAN", "SEARCH", "SHIPPING",
                                  "ORDER_STATUS"])
def test_the_messenger_profile_buttons_are_payloads_the_bot_reads(wire: str) -> None:
    """Get Started, the persistent menu and the ice breakers (bot/channels' Messenger profile) send these."""
    assert isinstance(decode(wire), Command)


def test_a_row_the_renderer_numbered_as_a_repeat_reads_as_its_payload() -> None:
    """WhatsApp rows must have distinct ids; the renderer numbers a repeated one (limits.unique)."""
    ids = limits.unique(["DETAILS:12", "DETAILS:12", "MENU", "MENU", "ADD:12:M:black", "ADD:12:M:black"], 200, ids=True)
    assert ids[1::2] == ["DETAILS:12~2", "MENU~2", "ADD:12:M:black~2"]
    assert [decode(found) for found in ids] == [decode(found) for found in ids[::2] for _ in range(2)]
    assert decode("DETAILS:12~2") == decode("DETAILS:12") and decode("DETAILS:12~2") is not None
    assert decode("DETAILS:12~") is None and decode("DETAILS:~2") is None
