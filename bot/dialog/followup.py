"""Follow-ups: short messages that only make sense after the bot's last answer.

The session remembers the last list shown (``results``, also after one of its products was opened)
and what the last answer was about (``topic``: list, product, shipping, order). With them:

- "التالت" / "the fourth" after a product's details still name a position in the last list;
- "كمان" / "more" / "في غيرهم؟" after a list shows its next page;
- "32" / "L" after a product's details adds it in that size;
- "وإسكندرية؟" / "w aswan?" after a shipping answer gives that governorate's fee and days;
- "هيوصل امتى" / "when will it arrive?" after an order gives that order's delivery estimate.

Only the words of the message and the session decide; nothing here calls the store before a
handler is chosen.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from bot.dialog import browse, cart, info, orders
from bot.dialog.checkout import days
from bot.dialog.turn import Turn
from bot.nlu.normalize import normalize, tokenize
from bot.replies import Reply

MORE_WORDS = frozenset({"كمان", "غيرهم", "غيره", "غيرها", "المزيد", "مزيد", "تاني", "more", "others", "other",
                        "else", "next", "kaman", "kman", "ghirhom", "gherhom", "tany", "tani"})
MORE_FILLER = frozenset({"في", "فيه", "فى", "عندك", "عندكو", "عندكم", "وريني", "اعرض", "هات", "حاجات", "حاجه",
                         "لسه", "طب", "و", "طيب", "show", "me", "any", "some", "please", "pls", "fe", "feh", "fi",
                         "fih", "w", "and", "items", "products", "ya", "3andak", "3andko", "wareny"})
ARRIVAL_WORDS = frozenset({"يوصل", "هيوصل", "يوصلني", "هيوصلني", "توصل", "هتوصل", "هيجي", "هيجيلي", "arrive",
                           "arrives", "arriving", "arrival", "yewsal",
                           "hywsal", "haywsal", "hayewsal", "hyewsal", "hatewsal"})
# Words of a one-governorate follow-up besides its name: "و", "طب", "and", "what about".
PLACE_FILLER = frozenset({"و", "طب", "طيب", "and", "what", "about", "how", "w", "we", "wa", "tab", "ya",
                          "lel", "li", "l", "le", "to", "ل", "لل", "ب", "كام", "بكام", "kam", "bkam", "b"})
LIST_CONTEXT_INTENTS = frozenset({"unknown", "product_details", "price_inquiry", "compare", "cart_add"})
MAX_FOLLOWUP_WORDS = 5


def with_list_refs(turn: Turn, understanding: Any) -> Any:
    """Read ordinals against the last list when another answer came after it ("التالت" after details).

    The matcher reads list positions only in the ``after_results`` context; when a list is kept
    in the session and the first reading found no reference, the message is read again in that
    context and taken when it names a position.
    """
    session = turn.session
    slots = understanding.slots or {}
    if (not session.results or session.context == "after_results" or "product_ref" in slots
            or "product_refs" in slots or understanding.intent not in LIST_CONTEXT_INTENTS):
        return understanding
    again = turn.deps.nlu(turn.text, "after_results")
    refs = again.slots or {}
    if isinstance(refs.get("product_ref"), str) or refs.get("product_refs"):
        return again
    return understanding


def handler(turn: Turn, understanding: Any) -> Callable[[Turn], list[Reply]] | None:
    """The follow-up a message is, or None; decided from the text and the session only."""
    session, words = turn.session, tokenize(turn.text)
    if not words or len(words) > MAX_FOLLOWUP_WORDS or session.checkout is not None:
        return None
    intent = understanding.intent
    if session.topic == "list" and session.results and intent == "unknown" and _asks_more(words):
        return more
    if session.topic == "product" and session.focus is not None and _sized(turn):
        return _add_option
    if session.topic == "shipping" and intent in ("unknown", "shipping_info") and _names_a_place(turn, words):
        return info.shipping
    last = session.last_order
    if session.topic == "order" and (last.get("shown") or last.get("number")) and _asks_arrival(turn, words, intent):
        return arrival
    return None


def _asks_more(words: list[str]) -> bool:
    """"كمان", "more", "في غيرهم؟", "show me more": a more word and nothing but fillers."""
    return bool(set(words) & MORE_WORDS) and set(words) <= MORE_WORDS | MORE_FILLER


def _sized(turn: Turn) -> bool:
    """A message that is only one of the focused product's sizes ("L", "xl", "32", "٤٢")."""
    if not re.fullmatch(r"[0-9]{1,3}|[a-z0-9]{1,4}", normalize(turn.text).strip(" .!?")):
        return False
    product = browse.known(turn, turn.session.focus)
    return product is not None and bool(cart.typed_size(turn.text, product.sizes))


def _names_a_place(turn: Turn, words: list[str]) -> bool:
    """"وإسكندرية؟", "w aswan?": a governorate and at most a filler word or two around it."""
    store_info = turn.deps.store.info()
    row = store_info.governorate(turn.text)
    if row is None:
        return False
    rest = [w for w in words if w not in PLACE_FILLER and store_info.governorate(w) is None]
    return not rest


def _asks_arrival(turn: Turn, words: list[str], intent: str) -> bool:
    """"هيوصل امتى", "when will it arrive?": about delivery time, naming no governorate."""
    if turn.deps.store.info().governorate(turn.text) is not None:
        return False
    return bool(set(words) & ARRIVAL_WORDS) and intent in ("unknown", "shipping_info", "order_status")


# ---- handlers ----------------------------------------------------------------------------------


def more(turn: Turn) -> list[Reply]:
    """The next page of the last list, or "that's all" when it had no more."""
    session = turn.session
    if not session.cursor:
        return [turn.menu(turn.t("results.no_more"))]
    return browse.more(turn, session.cursor)


def _add_option(turn: Turn) -> list[Reply]:
    """A size typed after a product's details: add it in that size."""
    product = turn.deps.store.product(turn.session.focus)
    return cart.add(turn, product.id, cart.typed_size(turn.text, product.sizes))


def arrival(turn: Turn) -> list[Reply]:
    """When the order just placed or shown will arrive: by its status and governorate."""
    last = turn.session.last_order
    order = turn.deps.orders.get(last.get("shown") or last["number"])
    if order is None or not orders.mine(turn, order):
        return orders.status(turn)
    if order.status in ("delivered", "cancelled"):
        return [turn.menu(turn.t(f"arrival.{order.status}", number=order.number))]
    row = next((g for g in turn.deps.store.info().governorates if g.key == order.governorate), None)
    return [turn.menu(turn.t("arrival.estimate", number=order.number, status=turn.t(f"status.{order.status}"),
                             days=days(turn, row)))]
