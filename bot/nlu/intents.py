"""Weighted intent cues resolved by the precedence rules of GUIDE.md §3.

Cue phrases (``lexicon/cues.json``) add their weight to an intent: 3 settles it, 2 is clear,
1 is weak and needs support (a product reference, a deictic, the context). The intents are
then tried in a fixed order that encodes the labelling rules:

    off-topic → the shop's own phone or address → changing one's own phone or address on an
    order (not a person) → 'call me when it is back' (an alert, not a person) → human_handoff (a
    person or a complaint wins over the topic; refusing the bot asks for one) → thanks for an
    order that arrived (nothing asked) → cancelling or changing a placed order → returns_policy
    (an exchange wins over size and shipping; going back home is no return) → stock_alert →
    wholesale → another shop near the customer (unknown) → the shop as a place (a shop or branch
    word with where, when or open) → checkout (also buying what the cart holds) → a person late
    (unknown) → order_status (a placed order, its courier coming) → cart_remove (also a cancel
    verb on a cart line) → cart_add → cart_view → compare → size_help → money to a person or
    one's own wallet in trouble (unknown) → shipping_info (shipping wins over "how much") →
    payment_info → price_inquiry → product_details ('the' colour available) → recommendations
    (wins over search) → search (any product attribute) → browse_categories (not when asking
    the bot weighs as much) → store_info → help → greeting / thanks / goodbye (only when nothing
    else is asked; a farewell wins).

A decided intent is then checked by :func:`bot.nlu.topic.off_topic`: a shop verb on other things,
or a message mostly about other things, is ``unknown``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from bot.nlu.analysis import Analysis
from bot.nlu.lexicon import load_lexicon
from bot.nlu.senses import in_construct, topic_spans
from bot.nlu.topic import off_topic

__all__ = ["Decision", "decide"]

_ATTRIBUTES = ("item", "color", "category", "size", "price_min", "price_max")
_ATTRIBUTE_SET = frozenset(_ATTRIBUTES)
_REF_SLOTS = frozenset({"product_ref", "_refs"})
_COURTESY = ("greeting", "thanks", "goodbye")
# Wish verbs that open a search ("I want a t-shirt, another colour").
_WANT = frozenset({"عايز", "عاوز", "عايزه", "عاوزه", "عايزين", "عاوزين", "محتاج", "محتاجه",
                   "3ayez", "3ayza", "3awez", "3awza", "3ayz", "3ayzeen", "mo7tag", "m7tag",
                   "want", "need", "looking", "اريد", "ابحث"})


class Decision(NamedTuple):
    """The intent chosen and how sure the matcher is (0..1); a named tuple, as :class:`~bot.nlu.vocab.Span`."""

    intent: str
    confidence: float


class Evidence:
    """Cue scores and the facts the rules test, computed once per message."""

    def __init__(self, an: Analysis, slots: dict[str, Any]) -> None:
        self.an = an
        self.slots = slots
        self.score: dict[str, int] = defaultdict(int)
        self.top: dict[str, int] = defaultdict(int)
        self.fuzzy: dict[str, bool] = defaultdict(bool)
        for span, tag in an.cue_spans:
            self.score[tag.value] += tag.weight
            self.top[tag.value] = max(self.top[tag.value], tag.weight)
            self.fuzzy[tag.value] |= span.fuzzy
        self.cued = tuple(self.score)   # the intents with a cue (before any rule reads a 0 score)
        self.product_words = an.has("item") or not _ATTRIBUTE_SET.isdisjoint(slots)
        self.specific = not _REF_SLOTS.isdisjoint(slots) or an.has("deictics") \
            or an.has("ordinal") or an.context == "after_details"

    def strong(self, intent: str, weight: int = 3) -> bool:
        """True when a cue of at least ``weight`` names ``intent``."""
        return self.top[intent] >= weight

    def attributes(self) -> bool:
        """True when the message names a product attribute (or any product word)."""
        return self.product_words or self.an.has("item") or self.an.has("category")


def _conf(ev: Evidence, intent: str, base: float) -> float:
    """Confidence of a cue-driven decision, lowered when the cue was a fuzzy match."""
    return round(base - (0.1 if ev.fuzzy[intent] else 0.0), 2)


def _offtopic(ev: Evidence) -> Decision | None:
    """Weather, football, food, phones...: unknown, even with shop words around."""
    if ev.strong("offtopic"):
        return Decision("unknown", 0.9)
    if ev.score["offtopic"] >= 2 and not ev.attributes() and _best_cue(ev) is None:
        return Decision("unknown", 0.7)
    return None


def _best_cue(ev: Evidence) -> str | None:
    """The non-courtesy intent with the highest cue score of 2 or more, if any."""
    scores = {i: s for i, s in ev.score.items()
              if i not in _COURTESY and i != "offtopic" and s >= 2}
    return max(scores, key=lambda i: scores[i]) if scores else None


def _by_cue(intent: str, weight: int = 3) -> Callable[[Evidence], Decision | None]:
    """A rule: ``intent`` when one of its cues of ``weight`` or more is present."""
    def rule(ev: Evidence) -> Decision | None:
        if ev.strong(intent, weight):
            return Decision(intent, _conf(ev, intent, 0.95 if ev.strong(intent) else 0.8))
        return None
    return rule


def _cart_view(ev: Evidence) -> Decision | None:
    """An explicit cart question, or the cart named with no other request."""
    if ev.strong("cart_view"):
        return Decision("cart_view", _conf(ev, "cart_view", 0.95))
    if (ev.score["cart_view"] or ev.an.has("cart_nouns")) and not ev.attributes() and \
            _best_cue(ev) in (None, "browse_categories"):  # كم عدد المنتجات في سلتي
        return Decision("cart_view", 0.7)   # عايز اشوف عربه التسوق: the cart named, nothing else asked
    return None


def _returns(ev: Evidence) -> Decision | None:
    """A return or an exchange. A weak cue (``مش عاجبني``) about the product on screen, with no
    order, return or exchange word, is a verdict on it, not a return (``لا مش عاجبني، وريني جزم``)."""
    if _going_back(ev.an):
        return None
    if ev.strong("returns_policy"):
        return Decision("returns_policy", _conf(ev, "returns_policy", 0.95))
    if ev.strong("returns_policy", 2) and (ev.an.context == "none" or ev.an.has("order")
                                           or ev.an.has("placed_words")):
        return Decision("returns_policy", _conf(ev, "returns_policy", 0.8))
    return None


def _going_back(an: Analysis) -> bool:
    """``عايز ارجع البيت بدري``, ``I want to go back home``, ``ارجع امتى من الشغل``: a return verb whose
    object is a place (right after it, or after 'when' or 'from') is going back there, not sending
    goods back."""
    for span, tag in an.cue_spans:
        if tag.value != "returns_policy" or an.has("item") or an.has("order"):
            continue
        i = span.end
        while i < span.end + 2 and an.key_in(i, _WHEN_FROM):
            i += 1
        if an.kinds_at(i) & {"home_words", "people_words", "person_target"}:
            return True
    return False


_WHEN_FROM = frozenset({"امتى", "امتي", "من", "emta", "men", "mn", "when", "from"})


def _unwanted_in_cart(ev: Evidence) -> Decision | None:
    """``البلوزه البمبي اللي في السله مش عايزاها``: not wanting something in the cart removes it."""
    an = ev.an
    if an.has("cart_nouns") and an.has("negators") and _WANTED & set(an.keys) and \
            _best_cue(ev) in (None, "cart_remove", "cart_view"):
        return Decision("cart_remove", 0.8)
    return None


def _cancel_in_cart(ev: Evidence) -> Decision | None:
    """``الغيلي الكاب اللي في السله``, ``cancel the cap in my cart``: a cancel verb on a cart line
    takes it out (GUIDE §3.12: a cart line is no placed order)."""
    an = ev.an
    if an.has("cancel_verbs") and an.has("cart_nouns") and not ev.score["checkout"] and \
            not ev.score["cart_add"]:
        return Decision("cart_remove", 0.85)
    return None


# 'Put down' verbs: ``نزل`` alone is no cue (a new stock, a price going down); into the cart it adds.
_PUT_DOWN = frozenset({"نزل", "نزله", "نزلها", "نزلهم", "نزلي", "نزللي", "نزلى", "nazel", "nazzel", "nazelo", "nazelha",
                       "nazzelo", "nazzelha", "nzl", "nazely"})
_INTO = frozenset({"في", "فى", "ف", "fe", "fi", "f", "fel", "in", "into", "to", "لل", "ل", "lel", "le"})


def _put_in_cart(ev: Evidence) -> Decision | None:
    """``اوكى نزل التانى فى السلة``, ``nazel el tany fel cart``: a 'put down' verb with 'in' the cart
    right after the thing put adds it; the cart alone named after ``نزل`` is no cart question."""
    an = ev.an
    if not any(an.key_in(i, _PUT_DOWN) or an.tokens[i] in _PUT_DOWN for i in range(len(an.tokens))) or \
            an.has("negators") or _best_cue(ev) not in (None, "cart_view", "cart_add"):
        return None
    for span in an.spans_of("cart_nouns"):
        before = span.start - 1
        glued = an.tokens[span.start].startswith(("فال", "في", "بال", "fel", "lel"))
        if glued or an.key_in(before, _INTO):
            return Decision("cart_add", 0.8)
    return None


def _compare(ev: Evidence) -> Decision | None:
    """Compare cues, or a comparative with a disjunction (``انهي احسن``, ``A ولا B اريح``)."""
    if ev.strong("compare"):
        return Decision("compare", _conf(ev, "compare", 0.95))
    if _compares(ev.an):
        return Decision("compare", 0.8)
    if len(ev.slots.get("_refs", ())) > 1 and ev.an.has("disjunction"):
        return Decision("compare", 0.7)
    return None


def _compares(an: Analysis) -> bool:
    """A comparative and a choice in different words (``انهي احسن``, ``A ولا B اريح``); a lone
    ``which`` is both, and asks no comparison (``which jeans size?``)."""
    comparatives = an.spans_of("comparative")
    choices = an.spans_of("disjunction")
    return any(c is not d for c in comparatives for d in choices)


def _size_help(ev: Evidence) -> Decision | None:
    """Help choosing a size (``اخد مقاس ايه``, body measures, a size chart), or a choice between
    two sizes (``محتار بين الميديم واللارج``, ``L or XL?``)."""
    if ev.score["size_help"] >= 2 and not _wears_and_wants(ev) and not _kilo_of_other_things(ev):
        return Decision("size_help", _conf(ev, "size_help", 0.95 if ev.strong("size_help")
                                            else 0.8))
    an = ev.an
    sizes = {s.value("size") for s in an.spans_of("size")}
    choice = an.has("disjunction") or an.any_key_in(_BETWEEN)
    if len(sizes) > 1 and not ev.score["product_details"] and choice:
        return Decision("size_help", 0.8)
    return None


def _kilo_of_other_things(ev: Evidence) -> bool:
    """``كم سعر كيلو اللحم``, ``كام كيلو من القاهره لاسوان``: a kilo priced, or a distance from one place
    to another, is no body weight (the only size cue is the measure word)."""
    an = ev.an
    cues = [s for s, t in an.cue_spans if t.value == "size_help"]
    if not cues or any("measure" not in s.kind_set for s in cues) or an.has("item") or an.has("sizecue"):
        return False
    return ev.strong("price_inquiry") or any("range_from" in an.kinds_at(s.end) for s in cues)


# Saying one's usual size (``I usually wear medium``, ``بلبس L``) with a request for products
# (``show me black hoodies``, ``عايز جاكيت``) states the size of the search, no request for help.
_SHOW_ME = _WANT | frozenset({"show", "وريني", "ورينا", "warini", "wareeny", "ابحث", "بدور"})


def _wears_and_wants(ev: Evidence) -> bool:
    an = ev.an
    cues = [s for s, t in an.cue_spans if t.value == "size_help"]
    if not cues or any("wear_words" not in s.kind_set for s in cues) or not an.has("item"):
        return False
    return an.any_key_in(_SHOW_ME)


_BETWEEN = frozenset({"بين", "between", "ben", "bein", "محتار", "محتاره", "mo7tar", "mo7tara"})


def _price(ev: Evidence) -> Decision | None:
    """Price of one product; a bare ``كام`` needs a product on screen or named."""
    if {"price_min", "price_max"} & ev.slots.keys():
        return None  # price words used as a filter keep it a search
    if ev.strong("price_inquiry"):
        return Decision("price_inquiry", _conf(ev, "price_inquiry", 0.95))
    if ev.score["price_inquiry"] and (ev.specific or ev.an.has("item")) and \
            _best_cue(ev) is None:
        return Decision("price_inquiry", 0.6)
    return None


def _details(ev: Evidence) -> Decision | None:
    """A question about one product: material, stock, colours, photos, length."""
    an = ev.an
    if an.has("item") and an.has("other_words") and not _item_pointed_at(an) and "product_ref" not in ev.slots:
        return None         # "في هودي رجالي تاني متاح؟": another product of a kind, a search (GUIDE §7)
    if ev.strong("product_details") and (ev.specific or not ev.product_words
                                         or (ev.score["product_details"] >= 3
                                             and not _wants_item(ev))):
        return Decision("product_details", _conf(ev, "product_details", 0.9))
    if ev.score["product_details"] and ev.specific:
        return Decision("product_details", 0.75)
    if _about_shown(ev):
        return Decision("product_details", 0.65)
    if _the_colour_available(ev):
        return Decision("product_details", 0.7)
    return None


_AVAILABLE = frozenset({"متاح", "متاحه", "موجود", "موجوده", "متوفر", "متوفره", "available", "in stock",
                        "mawgood", "mawgooda", "metaa7", "mota7", "mwgood"})


def _the_colour_available(ev: Evidence) -> bool:
    """``الاسود متاح مقاس M؟``, ``is the black available in L?``: 'the' colour, with no item or
    section named, asks for the stock of the product spoken of (GUIDE §3.12), not for a search."""
    an = ev.an
    if an.has("item") or "category" in ev.slots or not an.any_key_in(_AVAILABLE):
        return False
    for span in an.spans_of("color"):
        token = an.tokens[span.start]
        if token.startswith("ال") or an.key_in(span.start - 1, frozenset({"the", "el"})):
            return True
    return False


def _wants_item(ev: Evidence, context: str = "none") -> bool:
    """``عايز تيشيرت ... لون تاني``: a wish for an item, with nothing on screen, is a search."""
    return ev.an.context == context and ev.an.has("item") and \
        any(ev.an.key_in(i, _WANT) for i in range(min(3, len(ev.an.tokens))))


def _item_pointed_at(an: Analysis) -> bool:
    """``الكوتشي ده``: an item word followed by a deictic names the product on screen."""
    return any("deictics" in an.kinds_at(s.end) for s in an.spans_of("item"))


def _about_shown(ev: Evidence) -> bool:
    """A colour or size asked of the product on screen (``ده بالكحلي؟`` after details)."""
    an = ev.an
    attrs = {"color", "size"} & ev.slots.keys()
    if an.context == "after_details" and attrs and an.has("deictics") and \
            "category" not in ev.slots and ("item" not in ev.slots or _item_pointed_at(an)) \
            and not _wants_item(ev, "after_details"):
        return True
    refs = {"product_ref"} & ev.slots.keys()
    return bool(refs) and not ({"item", "category", "price_min", "price_max"} & ev.slots.keys())


_OR_WORDS = frozenset({"ولا", "وللا", "او", "wala", "walla", "aw", "or"})


_FILTER_SLOTS = frozenset({"category", "price_min", "price_max", "color", "size"})


def _either_or_of_one(ev: Evidence) -> Decision | None:
    """``هل الشنطه دي بتقفل بسوسته ولا مغناطيس؟``, ``العبايه رقم ٢٩٩ التطريز يدوي ولا مكنه؟``: an
    either-or question about one product (its catalogue id, or the one on screen pointed at: ``ده``
    first or after its item), with no wish, price or section, asks about that product, not for a
    search."""
    an = ev.an
    if not an.has("disjunction") or not an.any_key_in(_OR_WORDS) or _FILTER_SLOTS & ev.slots.keys() \
            or len(an.spans_of("item")) > 1 or any(an.key_in(i, _WANT) for i in range(len(an.tokens))):
        return None
    one = isinstance(ev.slots.get("product_ref"), int) or \
        (an.context == "after_details" and any(s.start == 0 or "item" in an.kinds_at(s.start - 1)
                                               for s in an.spans_of("deictics")))
    return Decision("product_details", 0.7) if one else None


def _search(ev: Evidence) -> Decision | None:
    """Any product attribute makes a search (more attributes, more confidence)."""
    named = [s for s in _ATTRIBUTES if s in ev.slots]
    if named or ev.an.has("item") or ev.an.has("category"):
        return Decision("search", round(min(0.9, 0.7 + 0.05 * len(named)), 2))
    return None


def _browse(ev: Evidence) -> Decision | None:
    """What the shop sells, with no attribute named; not when asking the bot weighs as much
    (``what kind of things can I ask you``: how to use the bot)."""
    if ev.strong("help") and ev.score["help"] >= ev.score["browse_categories"]:
        return None
    an = ev.an
    if ev.strong("browse_categories", 2) and an.context != "none" and (
            an.has("deictics") or (an.has("ordinal") and an.context == "after_results")):
        return Decision("cart_add", 0.75)  # عايز اشتري ده: the wish to buy, pointed at the product
    return _by_cue("browse_categories", 2)(ev)


def _courtesy(ev: Evidence) -> Decision | None:
    """Greeting, thanks or goodbye alone: the strongest one, the later one on a tie."""
    present = [(ev.score[i], i) for i in _COURTESY if ev.score[i]]
    if not present:
        return None
    best = max(present)[1]
    if best != "goodbye" and ev.strong("goodbye"):
        best = "goodbye"  # خلاص كده، سلام عليكو; ok thanks, bye: a farewell closes the chat
    return Decision(best, 0.95 if ev.strong(best) else 0.6)


_WANTED = frozenset({"عايز", "عايزه", "عايزها", "عايزاه", "عايزاها", "عايزهم", "عايزاهم", "عاوز",
                     "عاوزه", "عاوزها", "عاوزاها", "عاوزاه", "want", "3ayez", "3ayza", "3ayzaha",
                     "3ayzah", "عايزين", "عاوزين"})


def _placed_order(ev: Evidence) -> Decision | None:
    """Cancelling or changing an order already placed, not the cart (GUIDE §3.12).

    A cancel verb on the order (``الغوا طلبي``) cancels it, unless an item is named (taking a
    piece out is a change); a change verb, or adding or removing on a placed order, changes it;
    a change of address changes the order even when the order is not named.
    """
    an = ev.an
    for intent in ("order_cancel", "order_change"):
        if ev.strong(intent):
            return Decision(intent, _conf(ev, intent, 0.95))
    if an.has("cart_nouns") or an.context == "after_results":
        return None
    if not (an.has("order") or an.has("placed_words") or ev.score["order_status"]):
        if an.has("change_verbs") and an.has("address_words"):
            return Decision("order_change", 0.8)
        return None
    if an.has("cancel_verbs") and (not an.has("item") or _cancels_the_order(an)
                                   or _cancels_what_was_ordered(an)):
        return Decision("order_cancel", 0.9)
    placed = an.has("placed_words") or an.context == "none"
    if _says_change(an) or (placed and (an.has("cancel_verbs") or ev.score["cart_add"]
                                              or ev.score["cart_remove"])):
        return Decision("order_change", 0.85)
    if an.has("address_words") and an.has("other_words"):
        return Decision("order_change", 0.8)  # الاوردر على عنوان تاني, رقم الموبايل غلط
    if an.has("instead_words") and (an.has("item") or an.has("color") or an.has("size")):
        return Decision("order_change", 0.8)  # عايزه الجيبه بدل الفستان في الاوردر
    if an.has("placed_words") and (ev.score["shipping_info"] or ev.score["order_status"]):
        return Decision("order_status", 0.85)  # الشنط اللي طلبتها هتوصل امتى
    if an.has("negators") and _WANTED & set(an.keys) and not an.has("item"):
        return Decision("order_cancel", 0.75)  # الطلبيه اللي عملتها مش عايزها
    return None


def _cancels_the_order(an: Analysis) -> bool:
    """A cancel verb whose object is the order itself (``تلغوا الاوردر``, ``الغيلي الاوردر بتاع
    الجاكيت``): the order goes, even when an item of it is named."""
    return any("order" in an.kinds_at(s.end) for s in an.spans_of("cancel_verbs"))


_ORDERED = frozenset({"طلبته", "طلبتها", "طلبتهم", "اللي طلبته", "اللي طلبتها", "اللي طلبتهم",
                      "i ordered", "ordered", "talabto", "talabtaha", "elly talabto"})
_FROM = frozenset({"من", "from", "men", "mn", "off"})


def _cancels_what_was_ordered(an: Analysis) -> bool:
    """``عايزه اكنسل الشنطه اللي طلبتها امبارح``, ``طلبت فستان امبارح وعايزه الغيه``: cancelling the
    item one ordered cancels that order; taking it out 'of the order' (``الغي الشنطه من الاوردر``) changes it."""
    ordered = any(an.tokens[s.end - 1] in _ORDERED or " ".join(an.tokens[s.start:s.end]) in _ORDERED
                  for s in an.spans_of("placed_words")) or _ordered_item(an)
    from_order = any(an.key_in(i, _FROM) and ("order" in an.kinds_at(i + 1)
                                             or "placed_words" in an.kinds_at(i + 1))
                     for i in range(len(an.tokens)))
    return ordered and not from_order


# 'I ordered' before the thing ordered: ``طلبت فستان امبارح وعايزه الغيه``, ``I ordered a bag``.
_I_ORDERED = frozenset({"طلبت", "وطلبت", "talabt", "ordered"})
_ARTICLES = frozenset({"a", "an", "the", "el", "al"})


def _ordered_item(an: Analysis) -> bool:
    """An item right after 'I ordered' (an article between allowed): that item was ordered."""
    for i, token in enumerate(an.tokens):
        if token in _I_ORDERED:
            j = i + 1 + an.key_in(i + 1, _ARTICLES)
            if "item" in an.kinds_at(j):
                return True
    return False


def _says_change(an: Analysis) -> bool:
    """A change verb anywhere, also inside a longer phrase (``اغير المقاس`` is a returns cue)."""
    verbs = _change_verbs()
    return an.has("change_verbs") or any(
        an.key_in(i, verbs) and not _in_cue(an, i, "order_status") for i in range(len(an.tokens)))


def _in_cue(an: Analysis, i: int, intent: str) -> bool:
    """True when token ``i`` is inside a cue phrase for ``intent`` (``any update``)."""
    span = an.span_at(i)
    return span is not None and any(t.kind == "cue" and t.value == intent for t in span.tags)


@lru_cache(maxsize=1)
def _arrival_words() -> frozenset[str]:
    """One-word future arrivals (هيوصل, هيجي), also inside a longer shipping cue (هيوصل امتى)."""
    return frozenset(f for f in load_lexicon().markers.get("arrival_words", ()) if " " not in f)


@lru_cache(maxsize=1)
def _change_verbs() -> frozenset[str]:
    return frozenset(f for f in load_lexicon().markers.get("change_verbs", ()) if " " not in f)


def _money_to_someone(ev: Evidence) -> Decision | None:
    """``ازاي احول فلوس من فودافون كاش لحد تاني``, ``send money to my brother on instapay``: moving
    money between people is no payment to the shop (GUIDE §3.11, banking)."""
    an = ev.an
    if an.has("transfer_verbs") and an.has("person_target") and not (
            an.has("order") or an.has("cart_nouns") or ev.attributes()):
        return Decision("unknown", 0.7)
    return None


_MINE = frozenset({"بتاعي", "بتاعتي", "بتاعى", "my", "bta3y", "bta3i", "bta3ty", "حسابي", "محفظتي",
                   "كارتي", "فيزتي"})


def _my_account_trouble(ev: Evidence) -> Decision | None:
    """``فودافون كاش بتاعي اتقفل، افتحه ازاي؟``, ``my instapay got hacked``: the customer's own
    wallet or card account in trouble is the bank's or the network's business (GUIDE §3.11)."""
    an = ev.an
    if an.has("account_trouble") and ev.score["payment_info"] and not an.has("order") and \
            an.any_key_in(_MINE):
        return Decision("unknown", 0.7)
    return None


def _pay_the_courier(ev: Evidence) -> Decision | None:
    """Paying the courier is about payment, not shipping (``ينفع ادفع كاش للمندوب؟``, ``اعاين قبل
    ما ادفع للمندوب``): a payment cue that outweighs the shipping ones, or matches them with a pay
    verb."""
    pay, ship = ev.score["payment_info"], ev.score["shipping_info"]
    if ev.strong("payment_info") and (pay > ship or (pay == ship and _pays(ev.an))):
        return Decision("payment_info", _conf(ev, "payment_info", 0.9))
    return None


def _pays(an: Analysis) -> bool:
    pay = load_lexicon().topic_words["pay_verbs"]
    return an.any_key_in(pay)


def _order_news(ev: Evidence) -> Decision | None:
    """An order named with a where/news word (``اوردر ٩٩٢١٠ فين``, ``الطلبيه خرجت من المخزن؟``,
    ``any update on my order``) or a future arrival (``الاوردر هيوصل امتى``): where a placed order is."""
    an = ev.an
    if not (an.has("order") or an.has("placed_words")) or an.has("cart_nouns"):
        return None
    if an.has("status_words") and _best_cue(ev) in (None, "order_status"):
        return Decision("order_status", 0.85)
    arrives = an.has("arrival_words") or any(key in _arrival_words() for key in an.keys)
    if arrives and _best_cue(ev) in (None, "order_status", "shipping_info"):
        return Decision("order_status", 0.8)     # "الاوردر هيوصل امتى": when one order arrives (GUIDE §3.4)
    if (an.has("status_words") or an.has("coming_words")) and _only_courier_shipping(ev):
        return Decision("order_status", 0.8)     # المندوب مكلمنيش، الطلب فين؟ / كان المفروض الاوردر يوصل
    return None


def _only_courier_shipping(ev: Evidence) -> bool:
    """The shipping cues are only the courier named or an arrival verb (``المندوب``, ``يوصل``): said
    of one's order, where that order is, not how shipping works."""
    if _best_cue(ev) not in ("shipping_info", "order_status"):
        return False
    if ev.an.any_key_in(_USUALLY):
        return False
    return all("courier_words" in s.kind_set or s.end - s.start == 1
               for s, t in ev.an.cue_spans if t.value == "shipping_info")


# Waiting for something bought (``مستنيه``, ``waiting``) for a span of time (``بقالي``, ``for``).
_WAITING = frozenset({"مستني", "مستنيه", "مستنيين", "مستنياه", "مستنيها", "مستنيهم", "مستناه", "mestany",
                      "mestanya", "mestanyeen", "waiting"})
_SINCE = frozenset({"بقالي", "بقالنا", "بقاله", "بقالها", "بقالك", "بقالكم", "ba2aly", "ba2alna",
                    "ba2alo", "ba2alha", "been", "since", "من"})


def _waiting_for_it(ev: Evidence) -> Decision | None:
    """``بقالي عشر ايام مستنيه الشنطه``, ``been waiting a week for my hoodie``: waiting this long for
    what one bought asks where the order is (GUIDE §3.4), not for a new search."""
    an = ev.an
    if not an.any_key_in(_WAITING) or not an.any_key_in(_SINCE) or an.has("cart_nouns"):
        return None
    if not (an.has("item") or an.has("order") or an.has("placed_words") or an.has("courier_words")):
        return None
    if _best_cue(ev) in (None, "order_status", "shipping_info"):
        return Decision("order_status", 0.75)
    return None


_NOBODY = frozenset({"محدش", "ماحدش", "محدّش", "حد", "nobody", "no one", "noone", "m7adesh", "ma7adesh",
                     "never", "محد"})


def _nobody_called(ev: Evidence) -> Decision | None:
    """``ومحدش جه ولا حد كلمني، الاوردر فين``: nobody called is a late order, not a request for a
    person, when every person cue is a call verb after 'nobody' and an order is named."""
    an = ev.an
    if not (an.has("order") or an.has("placed_words") or an.has("courier_words")):
        return None
    person = [s for s, t in an.cue_spans if t.value == "human_handoff"]
    if not person or not all(an.key_in(s.start - 1, _NOBODY) and an.key_in(s.start - 2, _NEG_BEFORE)
                             or an.key_in(s.start - 1, _NOBODY) and an.tokens[s.start - 1] != "حد"
                             for s in person):
        return None
    if an.has("status_words") or ev.score["order_status"] or an.has("coming_words"):
        return Decision("order_status", 0.8)
    return None


_NEG_BEFORE = frozenset({"ولا", "لا", "ما", "wala", "wla", "mafish", "مفيش"})


_USUALLY = frozenset({"عاده", "عادة", "عادتا", "عادي", "دايما", "بياخد", "بتاخد", "usually",
                      "normally", "generally", "typically", "always", "3adatan", "3ada", "dayman"})


def _courier_coming(ev: Evidence) -> Decision | None:
    """``el mandoob hayegy emta?``, ``the courier was supposed to come yesterday``: the courier of
    an order already placed (GUIDE §3.4); 'usually' makes it the shipping time in general."""
    an = ev.an
    if not (an.has("courier_words") and (an.has("coming_words") or an.has("arrival_words"))):
        return None
    if an.any_key_in(_USUALLY) or an.has("cart_nouns"):
        return None
    if _best_cue(ev) in (None, "order_status", "shipping_info"):
        return Decision("order_status", 0.8)
    return None


# Wish words that choose what is on screen: ``عايز التاني مقاس ٤٢``, ``عايزه الفستان ده``.
_CHOOSE = frozenset({"عايز", "عايزه", "عاوز", "عاوزه", "محتاج", "محتاجه", "3ayez", "3ayza",
                     "3awez", "3awza", "بدي"})


def _chooses_shown(ev: Evidence) -> Decision | None:
    """A wish word right before the product on screen (a list position, ``ده``, ``الفستان ده``),
    with no question in it, puts it in the cart (GUIDE §3.7: choosing what is on screen)."""
    an = ev.an
    if an.context == "none" or not an.tokens or not an.key_in(0, _CHOOSE) or \
            _best_cue(ev) is not None:
        return None
    first = 1
    count = an.number_at(1)
    if count is not None and count.value <= 10:     # عايزه اتنين من ده, 3ayez 2 menno
        if an.key_in(count.end, _OF_IT):
            return Decision("cart_add", 0.8)
        if an.key_in(count.end, _OF):
            first = count.end + 1
    nxt, span = an.kinds_at(first), an.span_at(first)     # an "item" kind comes with its span
    pointed = "ordinal" in nxt and an.context == "after_results" or "deictics" in nxt or \
        (span is not None and "item" in nxt and "deictics" in an.kinds_at(span.end))
    return Decision("cart_add", 0.8) if pointed else None


_OF_IT = frozenset({"منه", "منها", "منهم", "menno", "minno", "menha", "menhom", "of it", "of them"})
_OF = frozenset({"من", "men", "mn", "of"})


# Measures of a product, not of the customer: ``طول الفستان``, ``length of the dress``.
_MEASURE_OF = frozenset({"طول", "عرض", "length", "width", "tool", "3ard"})


def _product_measure(ev: Evidence) -> Decision | None:
    """``طول الفستان كام سم؟``: a measure of an item is a question about the product."""
    an = ev.an
    for i in range(len(an.tokens) - 1):
        if an.tokens[i] in _MEASURE_OF:
            j = i + 1
            while j < len(an.tokens) and an.tokens[j] in {"of", "the", "el", "ال"}:
                j += 1
            if "item" in an.kinds_at(j):
                return Decision("product_details", 0.85)
    return None


_YOURS = frozenset({"ليكم", "ليكو", "بتاعكم", "بتاعكو", "بتاعتكم", "عندكم", "عندكو", "your", "yours",
                    "فرعكم", "محلكم", "lekom", "leko", "bta3kom", "bta3ko", "3andko", "3andkom"})


_BRANCH = frozenset({"branch", "branches", "far3", "fro3"})


def _other_shop(ev: Evidence) -> Decision | None:
    """``المحل اللي جنبنا بيفتح امتى``, ``when does the shop next door open``: a shop near the
    customer that is not said to be this one is another shop (GUIDE §3.11)."""
    an = ev.an
    if not (an.has("shop_place") and an.has("near_words")) or ev.attributes():
        return None
    if any(an.key_in(i, _YOURS) or "فرع" in an.keys[i] or "فروع" in an.keys[i] or
           an.keys[i] in _BRANCH for i in range(len(an.tokens))):
        return None  # اقرب فرع ليا, اقرب فرع ليكم: a branch is this shop's
    return Decision("unknown", 0.7)


# Lateness cues of an order (اتاخر, متاخر) said of a person: ``ماما اتأخرت``, ``my friend is late``.
_LATE = frozenset({"اتاخر", "اتاخرت", "متاخر", "متاخره", "et2a5ar", "et2akhar", "late"})


def _late_person(ev: Evidence) -> Decision | None:
    """``ماما اتأخرت ساعه``: a person late is no order late, unless an order or a courier is named."""
    an = ev.an
    if not an.has("people_words") or an.has("order") or an.has("placed_words") or \
            an.has("courier_words") or ev.attributes():
        return None
    cues = [s for s, t in an.cue_spans if t.value == "order_status"]
    if cues and all(an.key_in(s.start, _LATE) for s in cues):
        return Decision("unknown", 0.6)
    return None


# 'Do you have' before a shop word asks whether the shop exists as a place (هل لديكم متجر فعلي).
_HAVE = frozenset({"عندكم", "عندكو", "ليكم", "ليكو", "لديكم", "لكم", "have", "3andko", "3andkom",
                   "3andoko", "lekom", "leko"})


_WHERE = frozenset({"فين", "اين", "وين", "where", "fein", "fen", "feen", "امتى", "امتي", "متى", "when",
                    "emta"})


def _store_place(ev: Evidence) -> Decision | None:
    """The shop as a place: a shop or branch word with where, when or open (``المحل بتاعكم فين``,
    ``ال store بيفتح امتى``, ``is the shop open on friday``), nothing of the goods, no order or cart."""
    an = ev.an
    if not an.has("shop_place"):
        return None
    asks = an.has("place_words") or an.any_key_in(_HAVE) or not _WHERE.isdisjoint(an.tokens)
    if not asks or ev.attributes() or \
            an.has("order") or an.has("placed_words") or an.has("cart_nouns"):
        return None
    if all(in_construct(an, s) for s in an.spans_of("shop_place")):
        return None  # فين اقرب محل موبايلات: another shop
    if _best_cue(ev) in (None, "store_info") or ev.strong("store_info"):
        return Decision("store_info", 0.85)  # عايزه اجي المحل اشوف الحاجات، انتو فين؟
    return None


def _wholesale(ev: Evidence) -> Decision | None:
    """Buying in bulk is a question about the shop as a business (``فيه سعر جمله؟``)."""
    return Decision("store_info", 0.9) if ev.an.has("wholesale") else None


def _stock_alert(ev: Evidence) -> Decision | None:
    """Asking to be told later: a notify verb with 'when', or 'when it is back' (GUIDE §3.12)."""
    an = ev.an
    if ev.strong("stock_alert") and (an.has("back_words") or an.has("when_words")
                                     or an.has("notify_verbs") or ev.top["stock_alert"] >= 3):
        return Decision("stock_alert", _conf(ev, "stock_alert", 0.95))
    if an.has("notify_verbs") and (an.has("when_words") or an.has("back_words")):
        return Decision("stock_alert", 0.9)
    if an.has("when_words") and an.has("back_words"):
        return Decision("stock_alert", 0.8)
    return None


# Words that make a message a question or a problem, not a plain report: where, when, why, how,
# 'still', 'not yet'.
_ASKING = frozenset({"فين", "لفين", "امتى", "امتي", "متى", "اين", "ليه", "ازاي", "هل", "لسه", "لسا",
                     "ليش", "وين", "where", "when", "why", "how", "still", "yet", "fein", "fen",
                     "emta", "leh", "ezay", "lessa", "lesa", "lsa", "not", "مش", "msh", "mesh",
                     "ناقص", "ناقصه", "missing", "wrong", "غلط", "بس", "but", "bas"})


def _thanks_on_arrival(ev: Evidence) -> Decision | None:
    """``الشحنه وصلت، شكرا``, ``el order wasal, mersi``, ``received it, thank you``: news that an
    order came, with thanks and nothing asked or wrong, only thanks (GUIDE §3.1)."""
    an = ev.an
    if not (ev.strong("thanks") and an.has("arrived_words")) or an.has("negators"):
        return None
    if an.any_key_in(_ASKING):
        return None
    if _best_cue(ev) not in (None, "order_status", "shipping_info", "product_details"):
        return None  # والخامه ممتازه، متشكرين: praise of what came, not a question
    return Decision("thanks", 0.85)


_BUY = frozenset({"اشتري", "هشتري", "نشتري", "اشتريهم", "اشتريها", "اطلب", "هطلب", "نطلب", "اطلبهم",
                  "اطلبها", "ناخد", "buy", "purchase", "place", "ashtery", "hashtery", "neshtery",
                  "atlob", "hatlob", "netlob"})


def _buy_the_cart(ev: Evidence) -> Decision | None:
    """``عايز اشتري كل الحاجات اللي في الكارت``, ``buy the stuff in my basket``: buying what the
    cart holds finishes the purchase (GUIDE §3.7), unless something is added or removed."""
    an = ev.an
    if not (an.has("cart_nouns") or ev.score["cart_view"]) or ev.score["cart_add"] or \
            ev.score["cart_remove"]:
        return None
    if any(an.key_in(i, _BUY) and not an.key_in(i - 1, _BEFORE) for i in range(len(an.tokens))):
        return Decision("checkout", 0.85)
    if any(an.key_in(i, _GO_ON) and not an.key_in(i + 1, _SHOPPING) and not an.key_in(i - 1, _BEFORE)
           for i in range(len(an.tokens))):
        return Decision("checkout", 0.8)  # خلاص كده السله تمام، نكمل: the cart is done, go on
    return None


# Going on from the cart (``السله تمام، نكمل``) is checking out; going on shopping is not.
_GO_ON = frozenset({"نكمل", "اكمل", "كمل", "كملي", "هكمل", "نخلص", "اخلص", "akamel", "nkamel", "nekamel",
                    "kamel", "kammel", "proceed", "continue", "نكمل؟"})
_SHOPPING = frozenset({"تسوق", "شوبينغ", "شوبنج", "فرجه", "shopping", "browsing", "ashoof", "اشوف", "اتفرج",
                       "نتفرج", "نشوف"})


_BEFORE = frozenset({"قبل", "before", "abl", "2abl", "ما"})  # قبل ما اطلب: before buying


def _contact_change(ev: Evidence) -> Decision | None:
    """``غيرولي رقم التليفون في الطلب``, ``update the phone number on order 5521``: changing the
    customer's own phone or address is an order change, not a request for a person, when the only
    person cue is that phone word."""
    an = ev.an
    if not (an.has("address_words") and (_says_change(an) or an.has("other_words"))):
        return None
    person = [s for s, t in an.cue_spans if t.value == "human_handoff"]
    if any("address_words" not in s.kind_set for s in person) or an.has("cart_nouns"):
        return None
    if not person and not (an.has("order") or an.has("placed_words")):
        return None
    return Decision("order_change", 0.85)


def _call_when_back(ev: Evidence) -> Decision | None:
    """``لما الهودي يتوفر تاني كلموني``: 'call me' when something is back asks for a stock alert,
    not for a person (the only person cue is the notify verb)."""
    an = ev.an
    if not (an.has("notify_verbs") and (an.has("back_words") and an.has("when_words") or ev.strong("stock_alert"))):
        return None  # لما يتوفر تاني كلموني: the stock cue phrase holds the 'when' and the 'back'
    person = [s for s, t in an.cue_spans if t.value == "human_handoff"]
    if person and all("notify_verbs" in s.kind_set for s in person):
        return Decision("stock_alert", 0.9)
    return None


def _fed_up_with_bot(ev: Evidence) -> Decision | None:
    """``stop, I don't want to talk to a robot``, ``زهقت من الروبوت ده``: refusing the bot asks
    for a person (GUIDE §3.6)."""
    an = ev.an
    if an.has("bot_words") and an.has("fed_up") and not topic_spans(an):
        return Decision("human_handoff", 0.85)
    return None


def _store_over_contact(ev: Evidence) -> Decision | None:
    """The shop's own phone or address (``رقم تليفون المحل``) is not a request for a person."""
    if (ev.strong("store_info") or ev.an.has("shop_place")) and ev.score["human_handoff"] and \
            not ev.strong("human_handoff"):
        return Decision("store_info", _conf(ev, "store_info", 0.9))
    return None


def _weak_leftovers(ev: Evidence) -> Decision | None:
    """Weak evidence only: the cart named, a bare 'كام' about what is on screen."""
    if ev.score["cart_view"]:
        return Decision("cart_view", 0.5)
    if ev.score["price_inquiry"] and ev.an.context != "none":
        return Decision("price_inquiry", 0.5)
    if ev.specific and ev.an.context == "after_results" and ev.an.has("ordinal"):
        return Decision("product_details", 0.5)
    return None


# Each rule with what it cannot decide without (GUIDE order kept): kinds of the message's spans,
# ``cue:<intent>`` for an intent with a cue, ``slot:<name>`` for a slot, ``ctx:<context>``. A rule
# none of whose needs is present returns None whatever else the message holds, so it is not run;
# an empty need means the rule always runs. (Read each rule's first test: every decision it makes
# needs one of these.)
_Rule = Callable[[Evidence], "Decision | None"]
_NEEDS: tuple[tuple[_Rule, frozenset[str]], ...] = tuple((rule, frozenset(needs.split())) for rule, needs in (
    (_offtopic, "cue:offtopic"),
    (_store_over_contact, "cue:human_handoff"),
    (_contact_change, "address_words"),
    (_call_when_back, "notify_verbs"),
    (_nobody_called, "cue:human_handoff"),
    (_by_cue("human_handoff", 2), "cue:human_handoff"),
    (_fed_up_with_bot, "bot_words"),
    (_thanks_on_arrival, "cue:thanks"),
    (_placed_order, "cue:order_cancel cue:order_change cue:order_status order placed_words change_verbs"),
    (_returns, "cue:returns_policy"),
    (_stock_alert, "cue:stock_alert notify_verbs when_words"),
    (_wholesale, "wholesale"),
    (_other_shop, "shop_place"),
    (_store_place, "shop_place"),
    (_by_cue("checkout"), "cue:checkout"),
    (_buy_the_cart, "cart_nouns cue:cart_view"),
    (_late_person, "people_words"),
    (_by_cue("order_status"), "cue:order_status"),
    (_order_news, "order placed_words"),
    (_courier_coming, "courier_words"),
    (_waiting_for_it, "item order placed_words courier_words"),
    (_by_cue("cart_remove"), "cue:cart_remove"),
    (_by_cue("cart_view"), "cue:cart_view"),
    (_by_cue("cart_add"), "cue:cart_add"),
    (_by_cue("cart_remove", 2), "cue:cart_remove"),
    (_cancel_in_cart, "cancel_verbs"),
    (_put_in_cart, "cart_nouns"),
    (_chooses_shown, "ctx:after_results ctx:after_details"),
    (_unwanted_in_cart, "cart_nouns"),
    (_cart_view, "cue:cart_view cart_nouns"),
    (_compare, "cue:compare disjunction"),
    (_product_measure, "item"),
    (_size_help, "cue:size_help size"),
    (_money_to_someone, "transfer_verbs"),
    (_my_account_trouble, "account_trouble"),
    (_pay_the_courier, "cue:payment_info"),
    (_by_cue("shipping_info"), "cue:shipping_info"),
    (_by_cue("payment_info"), "cue:payment_info"),
    (_price, "cue:price_inquiry"),
    (_details, "cue:product_details ctx:after_details slot:product_ref color"),
    (_by_cue("recommendations"), "cue:recommendations"),
    (_either_or_of_one, "disjunction"),
    (_search, "item category " + " ".join("slot:" + name for name in _ATTRIBUTES)),
    (_browse, "cue:browse_categories"),
    (_by_cue("store_info"), "cue:store_info"),
    (_by_cue("help", 2), "cue:help"),
    (_courtesy, "cue:greeting cue:thanks cue:goodbye"),
    (_weak_leftovers, "cue:cart_view cue:price_inquiry ordinal"),
))
_NEED_SLOTS = frozenset(n[len("slot:"):] for _, needs in _NEEDS for n in needs if n.startswith("slot:"))


def _rules_to_run(ev: Evidence) -> tuple[_Rule, ...]:
    """The rules some need of which is present, in their order: span kinds, cued intents, slots
    and the context."""
    an = ev.an
    return _rules_for(an.all_kinds, ev.cued, tuple([name for name in ev.slots if name in _NEED_SLOTS]), an.context)


@lru_cache(maxsize=4096)
def _rules_for(kinds: frozenset[str], cued: tuple[str, ...], slots: tuple[str, ...],
               context: str) -> tuple[_Rule, ...]:
    """:func:`_rules_to_run` of one combination (a few hundred make nearly every message; bounded)."""
    present = kinds.union(["cue:" + intent for intent in cued], ["slot:" + name for name in slots],
                          ["ctx:" + context])
    return tuple(rule for rule, needs in _NEEDS if not needs or not needs.isdisjoint(present))


def decide(an: Analysis, slots: dict[str, Any]) -> Decision:
    """The intent of an analysed message (``unknown`` when nothing fits)."""
    ev = Evidence(an, slots)
    for rule in _rules_to_run(ev):
        decision = rule(ev)
        if decision is not None:
            if off_topic(an, slots, decision.intent):
                return Decision("unknown", 0.6)
            return decision
    return Decision("unknown", 0.5 if not an.spans else 0.35)
