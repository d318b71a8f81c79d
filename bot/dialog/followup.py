"""Follow-ups: short messages that only make sense after the bot's last answer.

The session remembers the last list shown (``results``, also after one of its products was opened)
and what the last answer was about (``topic``: list, product, shipping, order). With them:

- "التالت" / "the fourth" after a product's details still name a position in the last list;
- "كمان" / "more" / "في غيرهم؟" after a list shows its next page;
- "32" / "L" after a product's details adds it in that size;
- "وإسكندرية؟" / "w aswan?" after a shipping answer gives that governorate's fee and days;
- "هيوصل امتى" / "when will it arrive?" after an order gives that order's delivery estimate;
- "اكمل", "عايز اطلب", "يلا نطلب" with something in the cart start the checkout;
- "العبايه ٢٩٧", "هاخد ٨٤٧" name a product by its catalogue number without "رقم" / "product"
  when the number is a product on screen or one of the item named (:func:`product_numbers`).

Only the words of the message and the session decide; nothing here calls the store before a
handler is chosen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.dialog import browse, cart, checkout, governorates, info, orders, placed
from bot.dialog.checkout import days
from bot.dialog.session import Context
from bot.dialog.turn import Turn
from bot.nlu.lexicon import load_lexicon
from bot.nlu.normalize import normalize, tokenize
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.nlu.matcher import Understanding

MORE_WORDS = frozenset({"كمان", "غيرهم", "غيره", "غيرها", "المزيد", "مزيد", "تاني", "more", "others", "other",
                        "else", "next", "kaman", "kman", "ghirhom", "gherhom", "tany", "tani"})
MORE_FILLER = frozenset({"في", "فيه", "فى", "عندك", "عندكو", "عندكم", "وريني", "اعرض", "هات", "حاجات", "حاجه",
                         "لسه", "طب", "و", "طيب", "show", "me", "any", "some", "please", "pls", "fe", "feh", "fi",
                         "fih", "w", "and", "items", "products", "ya", "3andak", "3andko", "wareny"})
ARRIVAL_WORDS = frozenset({"يوصل", "هيوصل", "يوصلني", "هيوصلني", "توصل", "هتوصل", "هيجي", "هيجيلي", "arrive",
                           "arrives", "arriving", "arrival", "yewsal",
                           "hywsal", "haywsal", "hayewsal", "hyewsal", "hatewsal"})
# "اكمل", "كمل الطلب", "يلا نكمل", "continue": finishing the order (the cart's "كمّل الطلب" typed), not
# "كمل تسوق" / "keep shopping" (a shopping word in it).
COMPLETE_WORDS = frozenset({"اكمل", "كمل", "نكمل", "كملي", "كملوا", "هكمل", "continue", "proceed", "complete",
                            "kamel", "kamml", "kammel", "akamel", "nkamel"})
COMPLETE_FILLER = frozenset({"الطلب", "طلبي", "الاوردر", "اوردر", "يلا", "طب", "طيب", "خلاص", "تمام", "بقى", "بقي",
                             "كده", "ok", "okay", "the", "order", "my", "to", "checkout", "please", "pls", "yalla",
                             "el", "keda", "law", "سمحت", "لو", "من", "فضلك"})
# "عايز اطلب", "يلا نطلب", "I want to order": ordering, which with a cart is finishing it (GUIDE §3.7: "I want
# to order X" is a search only while nothing is chosen; with an empty cart the categories come instead).
ORDER_WORDS = frozenset({"اطلب", "نطلب", "هطلب", "اطلبه", "اطلبها", "اطلبهم", "order", "atlob", "a2tlob",
                         "otlob", "natlob", "hatlob"})
WANT_FILLER = frozenset({"عايز", "عايزه", "عاوز", "عاوزه", "حابب", "حابه", "ممكن", "انا", "3ayez", "3ayza", "3ayz",
                         "3awez", "want", "wanna", "i", "id", "like", "ana", "momken", "can"})
SHOPPING_WORDS = frozenset({"تسوق", "التسوق", "shopping", "browsing", "shop"})
# Words of a one-governorate follow-up besides its name: "و", "طب", "and", "what about".
PLACE_FILLER = frozenset({"و", "طب", "طيب", "and", "what", "about", "how", "w", "we", "wa", "tab", "ya",
                          "lel", "li", "l", "le", "to", "ل", "لل", "ب", "كام", "بكام", "kam", "bkam", "b"})
# The words that make a number a product's number (a catalogue id) outside a checkout.
PRODUCT_NUMBER = re.compile(r"(?:(?<!\w)(?:ال)?(?:منتج|رقم|كود|موديل)|(?<![a-z])(?:product|item|code|model|no|id|"
                            r"num|number|rakam|ra2am|montag)(?![a-z])|#)\s*[.:#]?\s*\d")
LIST_CONTEXT_INTENTS = frozenset({"unknown", "product_details", "price_inquiry", "compare", "cart_add"})
MAX_FOLLOWUP_WORDS = 5
# Intents a "set quantity" message may be read as (it names a count and maybe a line of the cart).
SET_QUANTITY_INTENTS = frozenset({"unknown", "cart_add", "cart_view"})
# The slots whose value a number in the message may already be (a size, a count, a price).
NUMBER_SLOTS = ("size", "quantity", "price_min", "price_max")
# Intents in which a bare number may name the product the message is about.
PRODUCT_INTENTS = frozenset({"search", "product_details", "price_inquiry", "cart_add", "size_help", "compare",
                             "stock_alert"})


def with_list_refs(turn: Turn, understanding: Understanding) -> Understanding:
    """Read ordinals against the last list when another answer came after it ("التالت" after details).

    The matcher reads list positions only in the ``after_results`` context; when a list is kept
    in the session and the first reading found no reference, the message is read again in that
    context and taken when it names a position.
    """
    session = turn.session
    slots = understanding.slots or {}
    if (not session.results or session.context == Context.AFTER_RESULTS or "product_ref" in slots
            or "product_refs" in slots or understanding.intent not in LIST_CONTEXT_INTENTS):
        return understanding
    again = turn.deps.nlu(turn.text, "after_results")
    refs = again.slots or {}
    if isinstance(refs.get("product_ref"), str) or refs.get("product_refs"):
        return again
    return understanding


def says_product_number(text: str) -> bool:
    """"منتج ١٢٠", "رقم ١٢٠", "product 120", "#120": a number meant as a product's; not "عمارة ٧" or "٣"."""
    return bool(PRODUCT_NUMBER.search(orders.fold(text)))


def product_numbers(turn: Turn, understanding: Understanding) -> list[int]:
    """The catalogue ids the message names, in the order written (validated against the store).

    An id the matcher read with its cue ("رقم ٢٤٨", "product 73") counts when the text says so
    (:func:`says_product_number`). A bare number counts when it is no size, count or price of the
    message, no measure ("٦ سنين", "٨٠ كيلو") or price bound ("تحت ٥٠٠"), and the store knows it as
    a product on screen ("هاخد ٨٤٧" after they were compared) or as a product of the item the
    message names ("العبايه ٢٩٧", "الحزام ٤٠٠ بكام"); in a comparison that names a product by its
    cue ("المنتج ٨٤٧ ولا ٨٥٤") any product number the store knows counts. Never in a checkout.
    """
    session, slots = turn.session, dict(understanding.slots or {})
    if session.checkout is not None or understanding.intent not in PRODUCT_INTENTS:
        return []
    cued = says_product_number(turn.text)
    found: list[int] = []
    ref = slots.get("product_ref")
    if isinstance(ref, int) and not isinstance(ref, bool) and cued:
        found.append(ref)
    taken = {normalize(str(slots[name])) for name in NUMBER_SLOTS if name in slots}
    words = tokenize(turn.text)
    for i, word in enumerate(words):
        if not (word.isascii() and word.isdigit()) or len(word) > 6 or int(word) in found:
            continue
        if word in taken and not _size_is_product(turn, word, slots):
            continue
        before, after = words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else ""
        if before in _not_before() or after in _not_after():
            continue
        number = int(word)
        if number in session.results or (cued and understanding.intent == "compare"):
            if browse.known(turn, number) is not None:
                found.append(number)
        elif slots.get("item") and _of_item(browse.known(turn, number), str(slots["item"])):
            found.append(number)
        elif len(word) >= 2 and _named_by(browse.known(turn, number), words, slots):
            found.append(number)       # "the cat eye sunglasses 478", "الساعة ٣٨١ بكام", "الجزمة ٥١٠"
    return found


def product_named(turn: Turn, understanding: Understanding) -> int | None:
    """The one product of the last list a message names by words of its own name (a product line, a
    print: "طب بيجامة بينك كيتي فيها رمادي؟" after pyjamas were listed), else None.

    The words must be in that product's name and in no other name of the list, and be none the lexicon
    knows (an item, colour, section, gender, material or common word), so "عايز بنطلون قطن" after one
    cotton pair was listed stays a new search; an item the message names must be the product's."""
    session, slots = turn.session, understanding.slots or {}
    if (session.checkout is not None or understanding.intent not in PRODUCT_INTENTS or not session.results
            or "product_ref" in slots or "product_refs" in slots):
        return None
    said = {_stem(w) for w in tokenize(turn.text) if not w.isdigit() and len(_stem(w)) >= 3}
    said -= _GENERIC | _lexicon_words()
    if not said:
        return None
    listed = [p for p in (browse.known(turn, pid) for pid in session.results[:browse.PAGE]) if p is not None]
    names = {p.id: {_stem(w) for w in tokenize(f"{p.name_ar} {p.name_en}")} for p in listed}
    owners: dict[int, set[str]] = {}
    for word in sorted(said):
        having = [pid for pid, words in names.items() if word in words]
        if len(having) == 1:
            owners.setdefault(having[0], set()).add(word)
    if len(owners) != 1:
        return None
    product_id = next(iter(owners))
    item = slots.get("item")
    if item and not _of_item(browse.known(turn, product_id), str(item)):
        return None
    return product_id


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """The one-word forms of the lexicon's items, colours, sections, genders, materials and common
    words, stemmed."""
    lexicon = load_lexicon()
    forms = [form for entry in lexicon.items.values() for form in entry.forms]
    forms += [*lexicon.markers["known"], *lexicon.markers["shop_words"]]
    for table in (lexicon.colors, lexicon.categories, lexicon.genders):
        forms += [form for values in table.values() for form in values]
    return frozenset(_stem(normalize(form)) for form in forms if " " not in form)


def _size_is_product(turn: Turn, word: str, slots: dict) -> bool:
    """"el shanta 30 beige", "الشنطة ٣٠": the number read as a size is the product of the item written
    right before it, when that product has no such size (and the product in focus of that item does
    not come in it either: "الجزمة ٤٢" after a shoe's details is its size)."""
    item = str(slots.get("item", ""))
    if normalize(str(slots.get("size", ""))) != word or not item:
        return False
    words = tokenize(turn.text)
    at = words.index(word)
    if not at or not _item_word(words[at - 1]):
        return False
    product = browse.known(turn, int(word))
    if not _of_item(product, item) or word in {normalize(s) for s in product.sizes}:
        return False
    focus = browse.known(turn, turn.session.focus) if turn.session.focus is not None else None
    return not (focus is not None and _of_item(focus, item) and word in {normalize(s) for s in focus.sizes})


def _item_word(word: str) -> bool:
    """True when ``word`` (maybe with its article) is a one-word name of a lexicon item ("shanta", "الشنطه")."""
    forms = _item_forms()
    return word in forms or any(word.startswith(a) and word[len(a):] in forms for a in _ARTICLES)


@lru_cache(maxsize=1)
def _item_forms() -> frozenset[str]:
    return frozenset(normalize(form) for entry in load_lexicon().items.values() for form in entry.forms
                     if " " not in form)


_ARTICLES = ("ال", "el", "al")
# Words many product names share: they name no one product.
_GENERIC = frozenset({"رجالي", "حريمي", "بناتي", "ولادي", "اطفال", "womens", "woman", "mens", "man", "men", "women",
                      "girl", "boy", "kid", "the", "and", "with"})


def _stem(word: str) -> str:
    """A word without its article and plural -s: "البنطلون" → "بنطلون", "shorts" → "short"."""
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 3:
            word = word[len(article):]
            break
    return word[:-1] if word.isascii() and word.endswith("s") and len(word) > 3 else word


def _named_by(product: Any, words: list[str], slots: dict) -> bool:
    """True when the message names ``product`` by a word of its name or its section ("الجزمة ٥١٠")."""
    if product is None:
        return False
    if slots.get("category") and slots.get("category") == getattr(product, "category", ""):
        return True
    said = {_stem(w) for w in words if not w.isdigit() and len(_stem(w)) >= 3} - _GENERIC
    names = f"{product.name_ar} {product.name_en}"
    return bool(said & {_stem(w) for w in tokenize(names) if len(_stem(w)) >= 3})


def _of_item(product: Any, item: str) -> bool:
    """True when ``product`` is one of the schema item ``item`` ("sweatshirt" is a hoodie)."""
    if product is None:
        return False
    entry = load_lexicon().items.get(product.item)
    return product.item == item or (entry is not None and entry.slot == item)


@lru_cache(maxsize=1)
def _not_before() -> frozenset[str]:
    """Words after which a number is a price, a size or a measure, never a product."""
    markers = load_lexicon().markers
    words = [*markers["price_max"], *markers["price_min"], *markers["range_from"], *markers["measure"],
             *load_lexicon().size_cues]
    return frozenset(w for w in words if " " not in w)


@lru_cache(maxsize=1)
def _not_after() -> frozenset[str]:
    """Words before which a number is a measure, an age, a count of pieces or a price."""
    markers = load_lexicon().markers
    words = [*markers["measure"], *markers["age"], *markers["quantity_after"], *load_lexicon().currency]
    return frozenset(w for w in words if " " not in w)


def handler(turn: Turn, understanding: Understanding) -> Callable[[Turn], list[Reply]] | None:
    """The follow-up a message is, or None; decided from the text and the session only."""
    session, words = turn.session, tokenize(turn.text)
    intent = understanding.intent
    if session.checkout is None and session.topic == "order_change" and _asks_change(words, understanding):
        return placed.change                  # "ولو عايز اغير المقاس لXL ينفع؟" after an order-change answer
    if not words or len(words) > MAX_FOLLOWUP_WORDS or session.checkout is not None:
        return None
    if session.topic in ("list", "product") and session.results and intent == "unknown" and _asks_more(words):
        return more                        # also after one product of the list was opened or priced
    if session.topic == "product" and session.focus is not None and _sized(turn):
        return _add_option
    if session.topic == "shipping" and intent in ("unknown", "shipping_info") and _names_a_place(turn, words):
        return info.shipping
    last = session.last_order
    if session.topic == "order" and (last.get("shown") or last.get("number")) and _asks_arrival(turn, words, intent):
        return arrival
    about_order = ((session.topic == "order" and (last.get("shown") or last.get("number")))
                   or session.expect == "order_ref")
    if (about_order and checkout.is_cancel(turn.text)
            and (intent == "unknown" or (intent == "cart_remove" and not session.cart))):
        return placed.cancel_last             # "I want to cancel it", "طب عايزه الغيه" after an order shown or asked
    if session.cart and cart.wanted_quantity(turn.text) is not None and (
            intent in SET_QUANTITY_INTENTS or (intent == "search" and cart.names_a_line(turn))):
        return cart.set_quantity_text         # "خليهم اتنين", "خلي الساعة ٣", "make it 3", "actually 2 of them"
    if session.cart and intent in ("unknown", "cart_view", "browse_categories") and _asks_to_complete(words):
        return checkout.start                 # "اكمل" after an add: the "كمّل الطلب" button, typed
    return None


# Intents an order-change follow-up may be read as: "and the size?" sounds like a returns or size question.
CHANGE_FOLLOWUP_INTENTS = frozenset({"unknown", "returns_policy", "size_help", "order_status", "order_change"})


def _asks_change(words: list[str], understanding: Understanding) -> bool:
    """"ولو عايز اغير المقاس لXL؟", "and change the address too": a change verb, read as no other request."""
    intent, slots = understanding.intent, understanding.slots or {}
    if intent not in CHANGE_FOLLOWUP_INTENTS and not (intent == "search" and "item" not in slots):
        return False
    return bool(set(words) & _change_verbs())


@lru_cache(maxsize=1)
def _change_verbs() -> frozenset[str]:
    """The lexicon's one-word verbs of changing ("اغير", "عدل", "a8ayar", "change"); not "غير", which is
    also "other than" ("في غير كده؟")."""
    verbs = {normalize(word) for word in load_lexicon().markers["change_verbs"] if " " not in word}
    return frozenset(verbs - {"غير"})


def _asks_to_complete(words: list[str]) -> bool:
    """"اكمل", "كمل الطلب", "continue to checkout", "عايز اطلب": a completion or ordering word, fillers
    only, no shopping word."""
    bag, finishing = set(words), COMPLETE_WORDS | ORDER_WORDS
    return bool(bag & finishing) and bag <= finishing | COMPLETE_FILLER | WANT_FILLER and not bag & SHOPPING_WORDS


def _asks_more(words: list[str]) -> bool:
    """"كمان", "more", "في غيرهم؟", "show me more": a more word and nothing but fillers."""
    return bool(set(words) & MORE_WORDS) and set(words) <= MORE_WORDS | MORE_FILLER


def _sized(turn: Turn) -> bool:
    """A message that is only one of the focused product's sizes ("L", "xl", "32", "٤٢", "4 snin")."""
    typed = normalize(turn.text).strip(" .!?")
    if not (re.fullmatch(r"[0-9]{1,3}|[a-z0-9]{1,4}", typed) or len(tokenize(typed)) == 2):
        return False
    focus = turn.session.focus
    product = browse.known(turn, focus) if focus is not None else None
    return product is not None and bool(cart.typed_size(turn.text, product.sizes))


def _names_a_place(turn: Turn, words: list[str]) -> bool:
    """"وإسكندرية؟", "w aswan?": a governorate and at most a filler word or two around it."""
    store_info = turn.deps.store.info()
    row = governorates.named(store_info, turn.text)
    if row is None:
        return False
    rest = [w for w in words if w not in PLACE_FILLER and governorates.named(store_info, w) is None]
    return not rest


def _asks_arrival(turn: Turn, words: list[str], intent: str) -> bool:
    """"هيوصل امتى", "when will it arrive?": about delivery time, naming no governorate."""
    if governorates.named(turn.deps.store.info(), turn.text) is not None:
        return False
    return bool(_without_and(words) & ARRIVAL_WORDS) and intent in ("unknown", "shipping_info", "order_status")


def _without_and(words: list[str]) -> set[str]:
    """The words, and each Arabic one without the "و" ("and") written onto it: "وهيوصل" → "هيوصل"."""
    return set(words) | {word[1:] for word in words if word.startswith("و") and len(word) > 3}


# ---- handlers ----------------------------------------------------------------------------------


def more(turn: Turn) -> list[Reply]:
    """The next page of the last list; when it had no more, similar products (``browse.similar``)."""
    session = turn.session
    if not session.cursor:
        return browse.similar(turn)
    return browse.more(turn, session.cursor)


def _add_option(turn: Turn) -> list[Reply]:
    """A size typed after a product's details: add it in that size."""
    product = turn.deps.store.product(turn.session.focus, lang=turn.lang)
    return cart.add(turn, product.id, cart.typed_size(turn.text, product.sizes))


def arrival(turn: Turn) -> list[Reply]:
    """When the order just placed or shown will arrive: by its status and governorate."""
    last = turn.session.last_order
    order = turn.deps.order_book.get(last.get("shown") or last["number"])
    if order is None or not orders.mine(turn, order):
        return orders.status(turn)
    if order.status in ("delivered", "cancelled"):
        return [turn.menu(turn.t(f"order_status.arrival_{order.status}", number=order.number))]
    row = next((g for g in turn.deps.store.info().governorates if g.key == order.governorate), None)
    return [turn.menu(turn.t("order_status.arrival", number=order.number, status=turn.t(f"status.{order.status}"),
                             days=days(turn, row)))]
