"""From an event to a handler: structured payloads first, then the intent matcher for text.

Payload grammar (``NAME`` or ``NAME:argument``; every id ≤ 200 characters)::

    GET_STARTED  MENU  SEARCH  CATEGORIES[:<page>]  OFFERS  NEW  BEST  CART  CART_EDIT[:<page>]  CLEAR_CART
    CHECKOUT  EDIT  CANCEL  ORDERS  ORDER_STATUS  SHIPPING  PAYMENT  RETURNS  SIZES  HUMAN  FILTER
    DETAILS:<id>  PRICE:<id>  ADD:<id>[:<size>[:<colour>]]  OPTIONS:<id>:<page>  RELATED:<id>  COMPARE:<id>,<id>[,...]
    MORE:<cursor>  SORT:<relevance|price_asc|price_desc|rating|newest>  FILTER:<slot>=<value>|clear
    CAT:<slug>  LANG:<ar|en>  SIZES:<section>  REMOVE:<id>:<size>:<colour>  QTY:<id>:<size>:<colour>:<n>
    GOV:<key>  PHONE:<mobile>  CONFIRM:<checkout id>  EDIT:<name|phone|governorate|address>
    CANCEL_ASK:<order number>  CANCEL_ORDER:<order number>  KEEP_ORDER

A payload that does not parse, or names nothing we know, is answered with a polite line and the
menu (``InvalidPayload``, raised only while reading the argument); it never raises out of the dialog.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.dialog import alerts, browse, cart, checkout, followup, handoff, info, orders, placed
from bot.dialog.followup import says_product_number
from bot.dialog.turn import InvalidPayload, Turn
from bot.events import Kind
from bot.nlu.normalize import tokenize
from bot.notes import NOT_UNDERSTOOD
from bot.replies import Choice, QuickReplies, Reply, Text

MAX_PAYLOAD = 200
MIN_CONFIDENCE = 0.3
OFFER_WORDS = frozenset({"عروض", "عرض", "خصم", "خصومات", "تخفيضات", "تخفيض", "اوكازيون", "سيل", "offers", "offer",
                         "sale", "sales", "discount", "discounts", "3roud", "3orood", "3rood", "3ard", "khasm", "5asm",
                         "بلاك", "فرايداي", "friday"})
NEW_WORDS = frozenset({"جديد", "الجديد", "جديده", "نازل", "new", "arrivals", "gdeed", "gedid", "gded", "latest"})
BEST_WORDS = frozenset({"مبيعا", "مبيعات", "الاكثر", "best", "seller", "sellers", "bestseller", "popular", "trending"})


# ---- payloads --------------------------------------------------------------------------------


def route_payload(turn: Turn, payload: str) -> list[Reply]:
    """Run the handler a payload names, with its validated argument."""
    name, _, arg = payload.strip().partition(":")
    entry = PAYLOADS.get(name.upper())
    if entry is None or len(payload) > MAX_PAYLOAD:
        raise InvalidPayload(payload)
    if name.upper() not in _CANCEL_ANSWERS and turn.session.expect.startswith(placed.EXPECT):
        turn.session.expect = ""  # "cancel order X?" is answered by the very next message or never
    return entry(turn, arg)


_CANCEL_ANSWERS = frozenset({"CANCEL_ORDER", "KEEP_ORDER", "CANCEL_ASK"})


def _plain(handler: Callable[[Turn], list[Reply]]) -> Callable[[Turn, str], list[Reply]]:
    """A payload without an argument (a stray one is ignored, never an error)."""
    return lambda turn, arg: handler(turn)


def _product_id(arg: str) -> int:
    if not re.fullmatch(r"\d{1,9}", arg):
        raise InvalidPayload(arg)
    return int(arg)


def _page(arg: str) -> int:
    """The page of a long choice list ("" is the first)."""
    if not re.fullmatch(r"\d{0,2}", arg):
        raise InvalidPayload(arg)
    return int(arg or 0)


def _options(turn: Turn, arg: str) -> list[Reply]:
    product_id, _, page = arg.partition(":")
    return cart.add(turn, _product_id(product_id), page=_page(page))


def _add(turn: Turn, arg: str) -> list[Reply]:
    parts = arg.split(":", 2)
    size = parts[1] if len(parts) > 1 else ""
    color = parts[2] if len(parts) > 2 else ""
    return cart.add(turn, _product_id(parts[0]), size, color)


def _compare(turn: Turn, arg: str) -> list[Reply]:
    ids = [_product_id(part) for part in arg.split(",")]
    if not 2 <= len(ids) <= 4:
        raise InvalidPayload(arg)
    return browse.compare(turn, ids)


def _qty(turn: Turn, arg: str) -> list[Reply]:
    key, _, amount = arg.rpartition(":")
    if not re.fullmatch(r"\d{1,2}", amount):
        raise InvalidPayload(arg)
    return cart.set_quantity(turn, key, int(amount))


def _lang(turn: Turn, arg: str) -> list[Reply]:
    if arg not in ("ar", "en"):
        raise InvalidPayload(arg)
    turn.session.lang, turn.session.lang_chosen = arg, True
    return [turn.menu(turn.t("lang.set"))]


def welcome(turn: Turn) -> list[Reply]:
    """Greeting / Get Started: welcome and the sections as quick replies."""
    turn.session.context = "none"
    return [_welcome_menu(turn)]


def _welcome_menu(turn: Turn) -> Reply:
    text = _greeting(turn) or turn.t("welcome", store=turn.deps.name(turn.lang))
    choices = (turn.choice("menu.categories", "CATEGORIES"), turn.choice("menu.offers", "OFFERS"),
               turn.choice("menu.new", "NEW"), turn.choice("menu.best", "BEST"),
               turn.choice("menu.cart", "CART"), turn.choice("menu.human", "HUMAN"),
               turn.choice("menu.switch", "LANG:ar" if turn.lang == "en" else "LANG:en"))
    return QuickReplies(text, choices, button_label=turn.t("menu.button"))


def _greeting(turn: Turn) -> str:
    """The shop's own welcome from its profile ('' when it has none, or the store cannot say)."""
    try:
        return turn.deps.store.info().greeting(turn.lang)
    except Exception:  # the welcome never fails for a cosmetic text
        return ""


def _menu(turn: Turn) -> list[Reply]:
    turn.session.context = "none"
    return [turn.menu()]


def _checkout_only(handler: Callable[[Turn, str], list[Reply]]) -> Callable[[Turn, str], list[Reply]]:
    """Checkout buttons pressed when no checkout is open get the polite "nothing open" answer."""
    def guarded(turn: Turn, arg: str) -> list[Reply]:
        if turn.session.checkout is None:
            return checkout.stale(turn)
        return handler(turn, arg)
    return guarded


PAYLOADS: dict[str, Callable[[Turn, str], list[Reply]]] = {
    "GET_STARTED": _plain(welcome),
    "__GET_STARTED__": _plain(welcome),
    "MENU": _plain(_menu),
    "SEARCH": _plain(lambda turn: [turn.menu(turn.t("search.prompt"))]),
    "CATEGORIES": lambda turn, arg: browse.categories(turn, _page(arg)),
    "OFFERS": _plain(lambda turn: browse.recommend(turn, "offers")),
    "NEW": _plain(lambda turn: browse.recommend(turn, "new")),
    "BEST": _plain(lambda turn: browse.recommend(turn, "best_sellers")),
    "CART": _plain(cart.view),
    "CART_EDIT": lambda turn, arg: cart.edit_menu(turn, page=_page(arg)),
    "CLEAR_CART": _plain(cart.clear),
    "CHECKOUT": _plain(lambda turn: checkout.summary(turn) if turn.session.checkout and turn.session.checkout.step == "confirm" else checkout.start(turn)),
    "CANCEL": _plain(checkout.cancel),
    "ORDERS": _plain(orders.status),
    "ORDER_STATUS": _plain(orders.status),
    "SHIPPING": _plain(info.shipping),
    "PAYMENT": _plain(info.payment),
    "RETURNS": _plain(info.returns),
    "HUMAN": _plain(lambda turn: handoff.request(turn, "asked for a person")),
    "FILTER": lambda turn, arg: browse.apply_filter(turn, arg) if arg else browse.filter_menu(turn),
    "DETAILS": lambda turn, arg: browse.details(turn, _product_id(arg)),
    "PRICE": lambda turn, arg: browse.price(turn, _product_id(arg)),
    "ADD": _add,
    "OPTIONS": _options,
    "RELATED": lambda turn, arg: browse.recommend(turn, "related", _product_id(arg)),
    "COMPARE": _compare,
    "MORE": lambda turn, arg: browse.more(turn, arg),
    "SORT": lambda turn, arg: browse.resort(turn, arg),
    "CAT": lambda turn, arg: browse.category(turn, arg),
    "LANG": _lang,
    "SIZES": lambda turn, arg: info.size_chart(turn, arg) if arg else info.sizes(turn),
    "REMOVE": lambda turn, arg: cart.remove(turn, arg),
    "QTY": _qty,
    "GOV": _checkout_only(lambda turn, arg: checkout.governorate_choice(turn, arg)),
    "PHONE": _checkout_only(lambda turn, arg: checkout.phone_choice(turn, arg)),
    "CONFIRM": lambda turn, arg: checkout.confirm(turn, arg),
    "EDIT": _checkout_only(lambda turn, arg: checkout.edit(turn, arg) if arg else checkout.edit_menu(turn)),
    "CANCEL_ASK": placed.ask_cancel,
    "CANCEL_ORDER": placed.confirm_cancel,
    "KEEP_ORDER": _plain(placed.keep),
}


# ---- text ------------------------------------------------------------------------------------


def route_text(turn: Turn) -> list[Reply]:
    """Typed text: an open checkout step first, then what the intent matcher understood."""
    session = turn.session
    understanding = turn.deps.nlu(turn.text, session.context)
    turn.slots = dict(understanding.slots or {})
    if session.checkout is not None:
        if session.expect.startswith(placed.EXPECT):
            session.expect = ""  # a pending "cancel order X?" never outlives the next message
        if understanding.intent == "human_handoff" and understanding.confidence >= 0.6:
            return handoff.request(turn)
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
    if turn.named and intent in ABOUT_THE_NAMED:
        intent = "product_details"         # "عايزه البلوزه رقم ٢٤٨", "العبايه ٣١٧ ليها مقاسات ايه؟"
    answered = info.faq(turn, intent)      # the shop's FAQ, when nothing more specific was understood
    if answered:
        return answered
    return INTENTS.get(intent, _unknown)(turn)


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


def _name_products(turn: Turn, understanding: Any) -> None:
    """Find the catalogue ids the message names; the first is its product reference when it has none."""
    turn.named = followup.product_numbers(turn, understanding)
    if turn.named and str(turn.slots.get("size", "")).isdigit() and int(turn.slots["size"]) in turn.named:
        turn.slots.pop("size")             # "el shanta 30 beige": the product 30, not a size 30
    ref = turn.slots.get("product_ref")
    if turn.named and not (isinstance(ref, str) or ref in turn.named):
        turn.slots["product_ref"] = turn.named[0]


def _aside(turn: Turn, intent: str) -> list[Reply]:
    """A question asked during a checkout: a one-line answer, then the current step asked again."""
    store_info = turn.deps.store.info()
    row = store_info.governorate(turn.text) if intent == "shipping_info" else None
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


def _follow_language(turn: Turn, understanding: Any) -> None:
    """Answer in the language written, unless the customer chose one; short words ("ok") don't switch."""
    session = turn.session
    words = [w for w in tokenize(orders.without_references(turn.text)) if not w.isdigit()]
    if session.lang_chosen or not (len(words) >= 2 or understanding.intent == "greeting"):
        return
    session.lang = "en" if understanding.language == "en" else "ar"


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
        raise MissingRef(ref)
    if session.context == "after_results" and session.topic != "product":
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
    if not results or turn.session.context != "after_results":
        return [turn.menu(turn.t("ref.none"))]
    choices = tuple(Choice(turn.number(i), f"DETAILS:{pid}") for i, pid in enumerate(results, 1))
    return [QuickReplies(turn.t("ref.which"), choices, button_label=turn.t("results.button"))]


def _add_text(turn: Turn, product_id: int) -> list[Reply]:
    """A typed add: the size, colour and quantity it names ("هاتلي واحد كحلي مقاس ٦ سنين")."""
    quantity = turn.slots.get("quantity")
    size = str(turn.slots.get("size", ""))
    if not size:
        product = browse.known(turn, product_id)
        size = cart.size_in(turn.text, product.sizes) if product is not None else ""
    return cart.add(turn, product_id, size, str(turn.slots.get("color", "")),
                    quantity if isinstance(quantity, int) else None)


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
    if len(ids) < 2 and not refs and len(turn.session.results) >= 2 and turn.session.context == "after_results":
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
    if focus is not None and turn.session.context == "after_details":
        return browse.recommend(turn, "related", focus)
    return browse.recommend(turn, "best_sellers")


def _checkout_text(turn: Turn) -> list[Reply]:
    return checkout.start(turn)


def _simple(key: str, with_menu: bool = True) -> Callable[[Turn], list[Reply]]:
    def answer(turn: Turn) -> list[Reply]:
        turn.session.context = "none"
        return [turn.menu(turn.t(key))] if with_menu else [Text(turn.t(key))]
    return answer


def _unknown(turn: Turn) -> list[Reply]:
    if orders.names_an_order(turn.text):
        return orders.lookup(turn) or []
    turn.session.context = "none" if turn.session.context != "after_results" else turn.session.context
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
