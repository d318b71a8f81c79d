"""From an event to a handler: structured payloads first, then the intent matcher for text.

A payload is read by the one codec (:mod:`bot.dialog.payloads`, where its grammar is) and routed by
its type. A payload that does not decode, or names nothing we can act on, is answered with a polite
line and the menu (``InvalidPayload``); it never raises out of the dialog.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.dialog import alerts, browse, cart, checkout, followup, governorates, handoff, info, orders, placed
from bot.dialog.followup import says_product_number
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
from bot.dialog.session import Context, Step
from bot.dialog.turn import InvalidPayload, Turn
from bot.events import Kind
from bot.language import Lang
from bot.nlu.normalize import tokenize
from bot.notes import NOT_UNDERSTOOD
from bot.replies import Choice, QuickReplies, Reply, Text

if TYPE_CHECKING:
    from bot.nlu.matcher import Understanding

MIN_CONFIDENCE = 0.3
OFFER_WORDS = frozenset({"عروض", "عرض", "خصم", "خصومات", "تخفيضات", "تخفيض", "اوكازيون", "سيل", "offers", "offer",
                         "sale", "sales", "discount", "discounts", "3roud", "3orood", "3rood", "3ard", "khasm", "5asm",
                         "بلاك", "فرايداي", "friday"})
NEW_WORDS = frozenset({"جديد", "الجديد", "جديده", "نازل", "new", "arrivals", "gdeed", "gedid", "gded", "latest"})
BEST_WORDS = frozenset({"مبيعا", "مبيعات", "الاكثر", "best", "seller", "sellers", "bestseller", "popular", "trending"})


# ---- payloads --------------------------------------------------------------------------------


def route_payload(turn: Turn, text: str) -> list[Reply]:
    """Run the handler the payload in ``text`` names; :class:`InvalidPayload` when it names none."""
    payload = decode(text)
    if payload is None:
        raise InvalidPayload(text.partition(":")[0][:40])   # the name only: arguments may hold a phone number
    if not _cancel_answer(payload) and turn.session.expect.startswith(placed.EXPECT):
        turn.session.expect = ""  # "cancel order X?" is answered by the very next message or never
    return _run(turn, payload)


def _cancel_answer(payload: Payload) -> bool:
    """The payloads that answer "cancel order X?"."""
    return isinstance(payload, CancelAsk | CancelOrder) or payload is Command.KEEP_ORDER


def _run(turn: Turn, payload: Payload) -> list[Reply]:
    """The handler of one payload, by its type."""
    match payload:
        case Command():
            return COMMANDS[payload](turn)
        case Categories(page=page):
            return browse.categories(turn, page or 0)
        case CartEdit(page=page):
            return cart.edit_menu(turn, page=page or 0)
        case FilterMenu():
            return browse.filter_menu(turn)
        case ClearFilters():
            return browse.clear_filters(turn)
        case Refine(slot=slot, value=value):
            return browse.apply_filter(turn, slot, value)
        case Details(product_id=product_id):
            return browse.details(turn, product_id)
        case Price(product_id=product_id):
            return browse.price(turn, product_id)
        case Related(product_id=product_id):
            return browse.recommend(turn, "related", product_id)
        case Add(product_id=product_id, size=size, color=color):
            return cart.add(turn, product_id, size or "", color or "")
        case Options(product_id=product_id, page=page):
            return cart.add(turn, product_id, page=page)
        case Compare(product_ids=product_ids):
            return browse.compare(turn, list(product_ids))
        case More(cursor=cursor, tag=tag):
            return browse.more(turn, cursor, tag or "")
        case Sort(order=order):
            return browse.resort(turn, order)
        case Category(slug=slug):
            return browse.category(turn, slug)
        case SetLang(lang=lang):
            turn.session.lang, turn.session.lang_chosen = lang, True
            return [turn.menu(turn.t("lang.set"))]
        case Sizes(section=section):
            return info.size_chart(turn, section) if section else info.sizes(turn)
        case Remove():
            return cart.remove(turn, payload.line)
        case Quantity(quantity=quantity):
            return cart.set_quantity(turn, payload.line, quantity)
        case Confirm(checkout_id=checkout_id, digest=digest):
            return checkout.confirm(turn, checkout_id, digest)
        case CancelAsk(number=number):
            return placed.ask_cancel(turn, number)
        case CancelOrder(number=number):
            return placed.confirm_cancel(turn, number)
    if turn.session.checkout is None:          # checkout buttons pressed when no checkout is open
        return checkout.stale(turn)
    match payload:
        case Governorate(key=key):
            return checkout.governorate_choice(turn, key)
        case Phone(number=number):
            return checkout.phone_choice(turn, number)
        case Edit(step=step):
            return checkout.edit(turn, step) if step else checkout.edit_menu(turn)
    raise AssertionError(f"no handler for {type(payload).__name__}")   # every Payload type is matched above


def welcome(turn: Turn) -> list[Reply]:
    """Greeting / Get Started: welcome and the sections as quick replies."""
    turn.session.context = Context.NONE
    return [_welcome_menu(turn)]


def _welcome_menu(turn: Turn) -> Reply:
    text = _greeting(turn) or turn.t("welcome", store=turn.deps.name(turn.lang))
    choices = (turn.choice("menu.categories", Categories()), turn.choice("menu.offers", Command.OFFERS),
               turn.choice("menu.new", Command.NEW), turn.choice("menu.best", Command.BEST),
               turn.choice("menu.cart", Command.CART), turn.choice("menu.human", Command.HUMAN),
               turn.choice("menu.switch", SetLang(turn.lang.other)))
    return QuickReplies(text, choices, button_label=turn.t("menu.button"))


def _greeting(turn: Turn) -> str:
    """The shop's own welcome from its profile ('' when it has none, or the store cannot say)."""
    try:
        return turn.deps.store.info().greeting(turn.lang)
    except Exception:  # the welcome never fails for a cosmetic text
        return ""


def _menu(turn: Turn) -> list[Reply]:
    turn.session.context = Context.NONE
    return [turn.menu()]


def _checkout(turn: Turn) -> list[Reply]:
    """``CHECKOUT``: the summary again at the confirm step, else a new checkout."""
    open_checkout = turn.session.checkout
    if open_checkout is not None and open_checkout.step == Step.CONFIRM:
        return checkout.summary(turn)
    return checkout.start(turn)


COMMANDS: dict[Command, Callable[[Turn], list[Reply]]] = {
    Command.GET_STARTED: welcome,
    Command.MENU: _menu,
    Command.SEARCH: lambda turn: [turn.menu(turn.t("search.prompt"))],
    Command.OFFERS: lambda turn: browse.recommend(turn, "offers"),
    Command.NEW: lambda turn: browse.recommend(turn, "new"),
    Command.BEST: lambda turn: browse.recommend(turn, "best_sellers"),
    Command.CART: cart.view,
    Command.CLEAR_CART: cart.clear,
    Command.CHECKOUT: _checkout,
    Command.CANCEL: checkout.cancel,
    Command.ORDERS: orders.status,
    Command.ORDER_STATUS: orders.status,
    Command.SHIPPING: info.shipping,
    Command.PAYMENT: info.payment,
    Command.RETURNS: info.returns,
    Command.HUMAN: lambda turn: handoff.request(turn, "asked for a person"),
    Command.KEEP_ORDER: placed.keep,
}


# ---- text ------------------------------------------------------------------------------------


def route_text(turn: Turn) -> list[Reply]:
    """Typed text: an open checkout step first, then what the intent matcher understood."""
    session = turn.session
    understanding = turn.deps.nlu(turn.text, session.context)
    turn.analysis = getattr(understanding, "analysis", None)  # handed to the search: the words are read once
    turn.slots = dict(understanding.slots or {})
    if session.checkout is not None:
        if session.expect.startswith(placed.EXPECT):
            session.expect = ""  # a pending "cancel order X?" never outlives the next message
        if understanding.intent == "human_handoff" and understanding.confidence >= 0.6:
            return handoff.request(turn)
        if understanding.intent in PARTING and understanding.confidence >= 0.6 and not checkout.fits_step(turn):
            return _parting(turn, understanding.intent)
        if checkout.wants_aside(turn, understanding):
            return _aside(turn, understanding.intent)
        return checkout.answer(turn)
    understanding = followup.with_list_refs(turn, understanding)
    turn.slots = dict(understanding.slots or {})
    _name_products(turn, understanding)
    follow = followup.handler(turn, understanding)
    if follow is None:
        _follow_language(turn, understanding)
    if session.expect == "order_ref":
        session.expect = ""
        found = orders.lookup(turn)
        if found:
            return found
    if session.expect.startswith(placed.EXPECT):     # "ايوه" / "لا" to "cancel order X?"
        answered = placed.answer(turn)
        if answered:
            return answered
    if session.pending:
        chosen = cart.choose(turn)
        if chosen:
            return chosen
    if follow is not None:
        return follow(turn)
    intent = understanding.intent if understanding.confidence >= MIN_CONFIDENCE else "unknown"
    if intent == "unknown" and session.results and browse.requested_sort(turn.text):
        intent = "search"                  # "ارخص" alone re-sorts the list on screen
    if turn.named and intent in ADDS_ANOTHER and adds_another(turn):
        intent = "cart_add"                # "وعايز كمان الكاب رقم ٤٣٨ اسود", "also the belt 400 in brown"
    if intent == "search" and chooses_on_screen(turn):
        intent = "cart_add"                # "عايزه منه اسود S" after its price: that product, in them
    if turn.named and intent in ABOUT_THE_NAMED:
        intent = "product_details"         # "عايزه البلوزه رقم ٢٤٨", "العبايه ٣١٧ ليها مقاسات ايه؟"
    if intent == "product_details" and chooses_named(turn):
        intent = "cart_add"                # "عايزه المنتج ١٤٦ لبني XL", "the first one, size M, two of them"
    if (intent in TWO_QUESTIONS and browse.asks_price_and_more(turn.text)
            and (browse.on_screen(turn) is not None or turn.slots.get("product_ref") is not None)):
        intent = "price_inquiry"           # "السعر والمقاسات ايه؟" after its details: the price and the sizes
    answered = info.faq(turn, intent)      # the shop's FAQ, when nothing more specific was understood
    if answered:
        return answered
    return INTENTS.get(intent, _unknown)(turn)


# What a message asking a product's price and its sizes or colours at once may be read as.
TWO_QUESTIONS = frozenset({"size_help", "product_details", "unknown"})
# A search or a size question that names one product by its number is about that product.
ABOUT_THE_NAMED = frozenset({"search", "size_help"})
# ... unless it goes on from a product already chosen ("and", "also", "كمان"): choosing it too is an add.
ADDS_ANOTHER = frozenset({"search", "product_details"})
ALSO_WORDS = frozenset({"كمان", "ايضا", "also", "too", "kaman", "kman", "kamaan"})
AND_WORDS = frozenset({"و", "and", "w", "we", "wa", "plus"})
_WISH_AND = re.compile(r"^و(?!ري|احد|رد|صل|قت|زن|لاد|سط)")      # "وعايز", "وطرحه"; never "وريني", "وردي"


def adds_another(turn: Turn) -> bool:
    """One more product after one chosen: "and"/"also"/"كمان" with the product's number (GUIDE §3.7).

    It needs a product already in the cart or the colour/size it is wanted in; a question
    ("؟", "how much") stays a question about it."""
    words = tokenize(turn.text)
    if not words or "?" in turn.text or "؟" in turn.text:
        return False
    goes_on = bool(set(words) & ALSO_WORDS) or words[0] in AND_WORDS or (
        bool(_WISH_AND.match(words[0])) and len(words[0]) > 3)
    chosen = bool(turn.session.cart) or bool({"color", "size"} & turn.slots.keys())
    return goes_on and chosen and len(turn.named) == 1


# What a message choosing the product on screen may name besides it: its options and how many.
CHOOSING_SLOTS = frozenset({"color", "size", "quantity", "category"})


def chooses_on_screen(turn: Turn) -> bool:
    """A "search" that only says how the product on screen is wanted (GUIDE §3.7: choosing the product
    on screen is an add): after its price or details, a statement (no question) naming a size it comes
    in, or a count, and maybe a colour it comes in, nothing else ("عايزه منه اسود S", "عايز منه اتنين
    كحلي", "7oteeh ramady 10 snin"). A colour alone ("اسود بس") still narrows the list."""
    product = browse.on_screen(turn)
    slots = turn.slots
    if product is None or not slots or set(slots) - CHOOSING_SLOTS or turn.named not in ([], [product.id]):
        return False
    if slots.get("category", product.category) != product.category:
        return False
    size, color = _options_said(turn, product)
    return size is not None and color is not None and (bool(size) or isinstance(slots.get("quantity"), int))


def chooses_named(turn: Turn) -> bool:
    """A product named (by its number or its place in the list) in full, as a statement: the size it is
    wanted in (when it has sizes) and the colour (when it has several), all of them ones it comes in
    ("عايزه المنتج ١٤٦ لبني XL", "the first one, size M, two of them" for a one-colour shirt). The
    customer has chosen it: an add. A question about it ("الاول فيه مقاس ٣٣؟"), a product named alone or
    with a colour only (the size still to choose) stays its details, whose add button carries the colour
    ("the first one لبني please")."""
    slots = turn.slots
    if slots.get("product_ref") is None:
        return False
    try:
        product_id = resolve(turn)
    except MissingRef:
        return False
    product = browse.known(turn, product_id) if product_id is not None else None
    if product is None:
        return False
    size, color = _options_said(turn, product)
    if size is None or color is None:
        return False
    return bool(size or not product.sizes) and bool(color or len(product.colors) < 2) and bool(size or color)


def _options_said(turn: Turn, product: Any) -> tuple[str | None, str | None]:
    """The size and colour a statement names for ``product`` ("" when it names none); (None, None) when
    the message is a question ("فيه اسود؟") or names an option the product does not come in."""
    if browse.asks_about_this(turn.text):
        return None, None
    color = str(turn.slots.get("color", ""))
    size = str(turn.slots.get("size", "")) or cart.size_in(turn.text, product.sizes, cart.counted(turn))
    if (color and color not in product.colors) or (size and size not in product.sizes):
        return None, None
    return size, color


def _name_products(turn: Turn, understanding: Understanding) -> None:
    """Find the catalogue ids the message names; the first is its product reference when it has none."""
    turn.named = followup.product_numbers(turn, understanding)
    if not turn.named:
        by_name = followup.product_named(turn, understanding)      # "بيجامة بينك كيتي فيها رمادي؟"
        turn.named = [by_name] if by_name is not None else []
    if turn.named and str(turn.slots.get("size", "")).isdigit() and int(turn.slots["size"]) in turn.named:
        turn.slots.pop("size")             # "el shanta 30 beige": the product 30, not a size 30
    ref = turn.slots.get("product_ref")
    if turn.named and not (isinstance(ref, str) or ref in turn.named):
        turn.slots["product_ref"] = turn.named[0]


# Words that end or acknowledge a conversation, never the answer to a checkout step.
PARTING = frozenset({"goodbye", "thanks"})


def _parting(turn: Turn, intent: str) -> list[Reply]:
    """"شكرا" in the middle of a checkout: thanked, and the step asked again; "مع السلامة": the checkout
    is left (the cart is kept for later) and the customer is seen off."""
    if intent == "thanks":
        return checkout.aside(turn, turn.t("thanks"))
    turn.session.checkout = None
    return [Text(turn.t("goodbye"))]


def _aside(turn: Turn, intent: str) -> list[Reply]:
    """A question asked during a checkout: a one-line answer, then the current step asked again."""
    store_info = turn.deps.store.info()
    row = governorates.named(store_info, turn.text) if intent == "shipping_info" else None
    asked = info.faq_answer(turn, intent)          # the shop's own answer to one of its FAQ
    if asked:
        answer = asked
    elif row is not None:
        answer = info.shipping_line(turn, row)
    elif intent == "returns_policy":
        answer = info.returns_line(turn, store_info)
    else:
        answer = turn.t(ASIDES.get(intent, "checkout.aside"))
    return checkout.aside(turn, answer)


ASIDES = {"shipping_info": "checkout.aside_shipping", "payment_info": "checkout.aside_payment"}


def _follow_language(turn: Turn, understanding: Understanding) -> None:
    """Answer in the language written, unless the customer chose one; short words ("ok") don't switch."""
    session = turn.session
    words = [w for w in tokenize(orders.without_references(turn.text)) if not w.isdigit()]
    if session.lang_chosen or not (len(words) >= 2 or understanding.intent == "greeting"):
        return
    session.lang = Lang.EN if understanding.language == Lang.EN else Lang.AR


def resolve(turn: Turn) -> int | None:
    """The product a message is about: an id, a list position, or the one in focus."""
    session = turn.session
    ref = turn.slots.get("product_ref")
    if isinstance(ref, int) and not isinstance(ref, bool) and (ref in turn.named or says_product_number(turn.text)):
        return ref
    if isinstance(ref, str) and ref.isdigit():
        position = int(ref)
        if 1 <= position <= len(session.results):
            return session.results[position - 1]
        if len(session.results) < position <= len(session.compared_from):
            return session.compared_from[position - 1]     # past the comparison: the list it came from
        raise MissingRef(ref)
    if session.context == Context.AFTER_RESULTS and session.topic != "product":
        return session.results[0] if len(session.results) == 1 else None
    return session.focus


# Slots that describe a product (a colour, a size or a price alone only qualify one).
DESCRIBING = frozenset({"item", "category"})


class MissingRef(LookupError):
    """A list position beyond what is on screen ("الخامس" with three products shown)."""


def _about_one(action: Callable[[Turn, int], list[Reply]]) -> Callable[[Turn], list[Reply]]:
    """A handler about one product: resolve it, else search what was described, else ask which."""
    def handle(turn: Turn) -> list[Reply]:
        try:
            product_id = resolve(turn)
        except MissingRef as missing:
            return [Text(turn.t("ref.missing", ref=turn.number(int(str(missing))))), *_which(turn)]
        if product_id is not None:
            return action(turn, product_id)
        if turn.slots.keys() & DESCRIBING:     # "بكام الصندل الحريمي البني؟": the products described
            return browse.run_search(turn, turn.text, {k: v for k, v in turn.slots.items() if k in browse.FILTER_SLOTS})
        return _which(turn)                    # "ضيف ٢ اسود" names no product: which one, never a search
    return handle


def _which(turn: Turn) -> list[Reply]:
    """Ask which product, offering the ones on screen."""
    results = turn.session.results[:10]
    if not results or turn.session.context != Context.AFTER_RESULTS:
        return [turn.menu(turn.t("ref.none"))]
    choices = tuple(Choice(turn.number(i), encode(Details(pid))) for i, pid in enumerate(results, 1))
    return [QuickReplies(turn.t("ref.which"), choices, button_label=turn.t("results.button"))]


def _add_text(turn: Turn, product_id: int) -> list[Reply]:
    """A typed add: the size, colour and quantity it names ("هاتلي واحد كحلي مقاس ٦ سنين", "هاخده رمادي ٤٦").

    Naming neither size nor colour, a product already in the cart in one size and colour gets one
    more of that line ("zawed wa7da kaman", "ضيف واحد كمان"), not the size question again."""
    quantity = turn.slots.get("quantity")
    size, color = str(turn.slots.get("size", "")), str(turn.slots.get("color", ""))
    if not size:
        product = browse.known(turn, product_id)
        size = cart.size_in(turn.text, product.sizes, cart.counted(turn)) if product is not None else ""
    line = cart.same_line(turn, product_id)
    if not (size or color) and line is not None:
        size, color = line.size, line.color
    return cart.add(turn, product_id, size, color, quantity if isinstance(quantity, int) else None)


def _compare_text(turn: Turn) -> list[Reply]:
    refs = turn.slots.get("product_refs") or []
    if len(refs) < 2 and len(turn.named) >= 2:
        refs = turn.named                  # "المنتج ٨٤٧ ولا ٨٥٤ احسن؟"
    ids: list[int] = []
    for ref in refs:
        turn.slots["product_ref"] = ref
        try:
            product_id = resolve(turn)
        except MissingRef as missing:
            return [Text(turn.t("ref.missing", ref=turn.number(int(str(missing))))), *_which(turn)]
        if product_id is not None:
            ids.append(product_id)
    turn.slots.pop("product_ref", None)
    if len(ids) < 2 and not refs and len(turn.session.results) >= 2 and turn.session.context == Context.AFTER_RESULTS:
        ids = turn.session.results[:2]
    return browse.compare(turn, ids)


def _recommend_text(turn: Turn) -> list[Reply]:
    words = set(tokenize(turn.text))
    if words & OFFER_WORDS:
        return browse.recommend(turn, "offers")
    if words & NEW_WORDS:
        return browse.recommend(turn, "new")
    if words & BEST_WORDS:
        return browse.recommend(turn, "best_sellers")
    focus = turn.session.focus
    if focus is not None and turn.session.context == Context.AFTER_DETAILS:
        return browse.recommend(turn, "related", focus)
    return browse.recommend(turn, "best_sellers")


def _checkout_text(turn: Turn) -> list[Reply]:
    return checkout.start(turn)


def _simple(key: str, with_menu: bool = True) -> Callable[[Turn], list[Reply]]:
    def answer(turn: Turn) -> list[Reply]:
        turn.session.context = Context.NONE
        return [turn.menu(turn.t(key))] if with_menu else [Text(turn.t(key))]
    return answer


def _unknown(turn: Turn) -> list[Reply]:
    if orders.names_an_order(turn.text):
        return orders.lookup(turn) or []
    turn.session.context = Context.NONE if turn.session.context != Context.AFTER_RESULTS else turn.session.context
    turn.note(NOT_UNDERSTOOD, text=turn.text)        # the owner sees what the bot did not get
    return [turn.menu(turn.t("unknown"))]


INTENTS: dict[str, Callable[[Turn], list[Reply]]] = {
    "greeting": welcome,
    "search": browse.search,
    "browse_categories": browse.categories,
    "product_details": _about_one(browse.details),
    "price_inquiry": _about_one(browse.price),
    "compare": _compare_text,
    "cart_add": _about_one(_add_text),
    "cart_view": cart.view,
    "cart_remove": cart.remove_text,
    "checkout": _checkout_text,
    "order_status": orders.ask_or_show,
    "shipping_info": info.shipping,
    "payment_info": info.payment,
    "returns_policy": info.returns,
    "size_help": info.sizes,
    "recommendations": _recommend_text,
    "human_handoff": handoff.request,
    "thanks": _simple("thanks", with_menu=False),
    "goodbye": _simple("goodbye", with_menu=False),
    "help": _simple("help"),
    "order_cancel": placed.cancel,
    "order_change": placed.change,
    "store_info": info.store,
    "stock_alert": alerts.request,
    "unknown": _unknown,
}


# ---- everything else a customer can send -------------------------------------------------------


def route_other(turn: Turn) -> list[Reply]:
    """Attachments, stickers, locations, contacts, catalogue orders, referrals, unsupported types."""
    kind = turn.event.kind
    if kind is Kind.REFERRAL:
        return welcome(turn)
    if kind is Kind.LOCATION:
        return [Text(turn.t("location"))]
    if kind is Kind.CONTACTS:
        return [Text(turn.t("contacts"))]
    if kind is Kind.ORDER:
        return handoff.request(turn, "catalogue order", why="catalogue_order")
    kind_name = str(turn.event.data.get("type", ""))
    key = {"image": "attachment.image", "video": "attachment.video", "audio": "attachment.audio",
           "sticker": "attachment.sticker"}.get(kind_name, "attachment.other")
    return [turn.menu(turn.t(key))]
