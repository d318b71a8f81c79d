"""Weighted intent cues resolved by the precedence rules of GUIDE.md §3.

Cue phrases (``lexicon/cues.json``) add their weight to an intent: 3 settles it, 2 is clear,
1 is weak and needs support (a product reference, a deictic, the context). The intents are
then tried in a fixed order that encodes the labelling rules:

    off-topic → the shop's own phone or address → human_handoff (a person or a complaint wins
    over the topic) → cancelling or changing a placed order → returns_policy (an exchange wins
    over size and shipping) → stock_alert → checkout → order_status (a placed order) →
    cart_remove → cart_add → cart_view → compare → size_help → shipping_info (shipping wins
    over "how much") → payment_info → price_inquiry → product_details → recommendations
    (wins over search) → search (any product attribute) → browse_categories → store_info → help →
    greeting / thanks / goodbye (only when nothing else is asked).

A decided intent is then checked by :func:`bot.nlu.topic.off_topic`: a shop verb on other things,
or a message mostly about other things, is ``unknown``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from bot.nlu.analysis import Analysis
from bot.nlu.lexicon import load_lexicon
from bot.nlu.topic import off_topic

__all__ = ["Decision", "decide"]

_ATTRIBUTES = ("item", "color", "category", "size", "price_min", "price_max")
_COURTESY = ("greeting", "thanks", "goodbye")
# Wish verbs that open a search ("I want a t-shirt, another colour").
_WANT = frozenset({"عايز", "عاوز", "عايزه", "عاوزه", "عايزين", "عاوزين", "محتاج", "محتاجه",
                   "3ayez", "3ayza", "3awez", "3awza", "3ayz", "3ayzeen", "mo7tag", "m7tag",
                   "want", "need", "looking", "اريد", "ابحث"})


@dataclass(frozen=True)
class Decision:
    """The intent chosen and how sure the matcher is (0..1)."""

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
        self.product_words = an.has("item") or bool(set(_ATTRIBUTES) & slots.keys())
        self.specific = bool({"product_ref", "_refs"} & slots.keys()) or an.has("deictics") \
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
    if ev.score["cart_view"] and _best_cue(ev) is None and not ev.attributes():
        return Decision("cart_view", 0.7)
    return None


def _returns(ev: Evidence) -> Decision | None:
    """A return or an exchange. A weak cue (``مش عاجبني``) about the product on screen, with no
    order, return or exchange word, is a verdict on it, not a return (``لا مش عاجبني، وريني جزم``)."""
    if ev.strong("returns_policy"):
        return Decision("returns_policy", _conf(ev, "returns_policy", 0.95))
    if ev.strong("returns_policy", 2) and (ev.an.context == "none" or ev.an.has("order")
                                           or ev.an.has("placed_words")):
        return Decision("returns_policy", _conf(ev, "returns_policy", 0.8))
    return None


def _unwanted_in_cart(ev: Evidence) -> Decision | None:
    """``البلوزه البمبي اللي في السله مش عايزاها``: not wanting something in the cart removes it."""
    an = ev.an
    if an.has("cart_nouns") and an.has("negators") and _WANTED & set(an.keys) and \
            _best_cue(ev) in (None, "cart_remove", "cart_view"):
        return Decision("cart_remove", 0.8)
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
    if ev.score["size_help"] >= 2:
        return Decision("size_help", _conf(ev, "size_help", 0.95 if ev.strong("size_help")
                                            else 0.8))
    an = ev.an
    sizes = {s.value("size") for s in an.spans_of("size")}
    choice = an.has("disjunction") or any(an.key_in(i, _BETWEEN) for i in range(len(an.tokens)))
    if len(sizes) > 1 and not ev.score["product_details"] and choice:
        return Decision("size_help", 0.8)
    return None


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
    return None


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


def _search(ev: Evidence) -> Decision | None:
    """Any product attribute makes a search (more attributes, more confidence)."""
    named = [s for s in _ATTRIBUTES if s in ev.slots]
    if named or ev.an.has("item") or ev.an.has("category"):
        return Decision("search", round(min(0.9, 0.7 + 0.05 * len(named)), 2))
    return None


def _browse(ev: Evidence) -> Decision | None:
    """What the shop sells, with no attribute named."""
    return _by_cue("browse_categories", 2)(ev)


def _courtesy(ev: Evidence) -> Decision | None:
    """Greeting, thanks or goodbye alone: the strongest one, the later one on a tie."""
    present = [(ev.score[i], i) for i in _COURTESY if ev.score[i]]
    if not present:
        return None
    best = max(present)[1]
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
    if an.has("cancel_verbs") and (not an.has("item") or _cancels_the_order(an)):
        return Decision("order_cancel", 0.9)
    placed = an.has("placed_words") or an.context == "none"
    if _says_change(an) or (placed and (an.has("cancel_verbs") or ev.score["cart_add"]
                                              or ev.score["cart_remove"])):
        return Decision("order_change", 0.85)
    if an.has("address_words") and an.has("other_words"):
        return Decision("order_change", 0.8)  # الاوردر على عنوان تاني, رقم الموبايل غلط
    if an.has("placed_words") and (ev.score["shipping_info"] or ev.score["order_status"]):
        return Decision("order_status", 0.85)  # الشنط اللي طلبتها هتوصل امتى
    if an.has("negators") and _WANTED & set(an.keys) and not an.has("item"):
        return Decision("order_cancel", 0.75)  # الطلبيه اللي عملتها مش عايزها
    return None


def _cancels_the_order(an: Analysis) -> bool:
    """A cancel verb whose object is the order itself (``تلغوا الاوردر``, ``الغيلي الاوردر بتاع
    الجاكيت``): the order goes, even when an item of it is named."""
    return any("order" in an.kinds_at(s.end) for s in an.spans_of("cancel_verbs"))


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
    return any(an.key_in(i, pay) for i in range(len(an.tokens)))


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
    nxt = an.kinds_at(1)
    pointed = "ordinal" in nxt and an.context == "after_results" or "deictics" in nxt or \
        ("item" in nxt and "deictics" in an.kinds_at(an.span_at(1).end))
    return Decision("cart_add", 0.8) if pointed else None


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


def _store_over_contact(ev: Evidence) -> Decision | None:
    """The shop's own phone or address (``رقم تليفون المحل``) is not a request for a person."""
    if ev.strong("store_info") and ev.score["human_handoff"] and not ev.strong("human_handoff"):
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


_RULES: tuple[Callable[[Evidence], Decision | None], ...] = (
    _offtopic,
    _store_over_contact,
    _by_cue("human_handoff", 2),
    _placed_order,
    _returns,
    _stock_alert,
    _wholesale,
    _by_cue("checkout"),
    _by_cue("order_status"),
    _order_news,
    _by_cue("cart_remove"),
    _by_cue("cart_view"),
    _by_cue("cart_add"),
    _by_cue("cart_remove", 2),
    _chooses_shown,
    _unwanted_in_cart,
    _cart_view,
    _compare,
    _product_measure,
    _size_help,
    _pay_the_courier,
    _by_cue("shipping_info"),
    _by_cue("payment_info"),
    _price,
    _details,
    _by_cue("recommendations"),
    _search,
    _browse,
    _by_cue("store_info"),
    _by_cue("help", 2),
    _courtesy,
    _weak_leftovers,
)


def decide(an: Analysis, slots: dict[str, Any]) -> Decision:
    """The intent of an analysed message (``unknown`` when nothing fits)."""
    ev = Evidence(an, slots)
    for rule in _RULES:
        decision = rule(ev)
        if decision is not None:
            if off_topic(an, slots, decision.intent):
                return Decision("unknown", 0.6)
            return decision
    return Decision("unknown", 0.5 if not an.spans else 0.35)
