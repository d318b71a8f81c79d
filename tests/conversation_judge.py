"""Judging a scripted conversation turn: what kind of answer the bot sent, and does it meet ``expect``.

The answer kinds come from the dialog's own sentences (``bot.dialog.texts.TEXTS``), never from
sentences copied here: every text key becomes a pattern (its literal parts escaped, its
``{placeholders}`` as wildcards, prices as prices), a visible text is read line by line, and at
each line the most specific key that matches (most literal characters) names what it is. A key
belongs to a kind by its name (``shipping.*`` → shipping, ``cart.added`` → an add, ...), so keys
added later under a kind's prefix (``order_cancel.*``, ``stock_alert.*``, ``store_info.*``) are
recognised without touching this file. Structure counts too: carousel cards / list rows with
``DETAILS:<id>`` are the list shown, a ``pass_thread_control`` body is a hand-off.

``judge(expect, answer)`` checks a turn's expectations (tests/data/conversations_blind.jsonl):
``shows``, ``product``, ``products_include`` / ``products_exclude``, ``cart``, ``size``, ``color``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.dialog import texts as T
from tests.test_conversation_kit import texts

# ---- which kind of answer each text key is ---------------------------------------------------

# Button titles and fragments that are never a message on their own: not matched.
LABELS = frozenset({"menu.button", "menu.categories", "menu.offers", "menu.new", "menu.best", "menu.cart",
                    "menu.orders", "menu.human", "menu.switch", "filters.any_color", "results.button", "orders.menu",
                    "checkout.confirm", "checkout.edit", "checkout.cancel", "checkout.own_number",
                    "checkout.other_governorate", "checkout.free_shipping", "days.range"})
LABEL_PREFIXES = ("choice.", "field.", "label.", "card.", "status.", "checkout.edit.", "checkout.stock_line_")
# Parts of a bigger answer that say nothing by themselves about its kind.
NEUTRAL = ("results.stale", "results.footer", "details.sizes", "details.colors", "details.rating", "details.stock.",
           "sizes.row_", "cart.line", "orders.line")
# Exact keys first, then prefixes (the longest prefix that fits wins). A key may show two kinds.
EXACT: dict[str, tuple[str, ...]] = {
    "welcome": ("greeting",),
    "help": ("help",),
    "unknown": ("not_understood",),
    "payload.invalid": ("not_understood",),
    "thanks": ("thanks",),
    "goodbye": ("goodbye",),
    "menu.prompt": ("menu",),
    "search.prompt": ("ask_search",),
    "filters.prompt": ("filters",),
    "lang.set": ("language",),
    "results.intro": ("products",),
    "results.more_intro": ("products",),
    "results.none": ("no_products",),
    "results.none_filters": ("no_products",),
    "results.no_more": ("no_products",),
    "results.expired": ("no_products",),
    "recommend.none": ("no_products",),
    "details.price": ("product",),
    "details.discount": ("product",),
    "details.actions": ("product",),
    "product.not_found": ("not_found",),
    "store.down": ("error",),
    "busy": ("error",),
    "location": ("other",),
    "contacts": ("other",),
    # The add confirmation states the cart's new total ("… Cart total: 450 EGP"): it shows the cart
    # too. (Writer 5 labels an add turn "shows: cart"; writers 1-4 left "shows" out of add turns.)
    "cart.added": ("cart_add", "cart"),
    "cart.ask_size": ("cart_add",),
    "cart.ask_color": ("cart_add",),
    "cart.bad_option": ("cart_add",),
    "cart.out": ("cart_add",),
    "cart.short": ("cart_add",),
    "cart.all_in": ("cart_add",),
    "checkout.confirmed": ("order_placed",),
    "checkout.already": ("order_placed",),
    # The address question states the governorate's fee and days; the asides answer mid-checkout.
    "checkout.ask_address": ("checkout_step", "shipping"),
    "checkout.ask_address_free": ("checkout_step", "shipping"),
    "checkout.aside_shipping": ("checkout_step", "shipping"),
    "checkout.aside_payment": ("checkout_step", "payment"),
}
PREFIXES: dict[str, tuple[str, ...]] = {
    "recommend.": ("products",),
    "price.": ("price",),
    "compare.": ("compare",),
    "categories.": ("categories",),
    "cart.": ("cart",),
    "checkout.": ("checkout_step",),
    "orders.": ("order_status",),
    "order_status.": ("order_status",),
    "shipping.": ("shipping",),
    "payment.": ("payment",),
    "returns.": ("returns",),
    "sizes.": ("size_help",),
    "size_help.": ("size_help",),
    "handoff.": ("handoff",),
    "attachment.": ("not_understood",),
    "ref.": ("ask_which",),
    "order_cancel.": ("order_cancel",),
    "cancel_order.": ("order_cancel",),
    "order_change.": ("order_change",),
    "change_order.": ("order_change",),
    "store_info.": ("store_info",),
    "store.info": ("store_info",),
    "store.hours": ("store_info",),
    "hours.": ("store_info",),
    "stock_alert.": ("stock_alert",),
    "alert.": ("stock_alert",),
    "notify.": ("stock_alert",),
    "restock.": ("stock_alert",),
}

SHOWS = ("products", "product", "price", "compare", "cart", "checkout_step", "order_placed", "order_status",
         "order_cancel", "order_change", "shipping", "payment", "returns", "size_help", "store_info", "stock_alert",
         "handoff", "help", "categories", "greeting", "thanks", "goodbye", "not_understood")


def kinds_of_key(key: str) -> tuple[str, ...]:
    """The answer kinds a text key shows; () for labels and neutral parts."""
    if key in LABELS or key.startswith(LABEL_PREFIXES) or key.startswith(NEUTRAL):
        return ()
    if key in EXACT:
        return EXACT[key]
    fitting = [p for p in PREFIXES if key.startswith(p)]
    if fitting:
        return PREFIXES[max(fitting, key=len)]
    head = key.split(".")[0]
    return (head,)          # a new family: its own name (equal to a SHOWS kind when named after one)


# ---- text keys as patterns ----------------------------------------------------------------------

PRICE = r"[0-9٠-٩][0-9٠-٩٬,.٫]*\s?(?:ج\.م|EGP)"
PRICED = frozenset({"price", "old", "fee", "subtotal", "total", "amount", "shipping"})
_FIELD = re.compile(r"\{(\w+)\}")
MIN_LITERAL = 4
PRICE_WEIGHT = 4


@dataclass(frozen=True)
class Pattern:
    key: str
    lang: str
    regex: re.Pattern
    literal: int              # literal characters: the more, the more specific


def _compile(template: str) -> tuple[re.Pattern, int]:
    parts, literal, pos = [], 0, 0
    matches = list(_FIELD.finditer(template))
    for i, match in enumerate(matches):
        text = template[pos:match.start()]
        parts.append(re.escape(text))
        literal += len(text.strip())
        name, last = match.group(1), i == len(matches) - 1 and match.end() == len(template)
        if name in PRICED:
            parts.append(PRICE)
            literal += PRICE_WEIGHT     # a price is as telling as a few letters
        elif name == "lines":
            parts.append(r"(?s:.*)" if last else r"(?s:.*?)")
        else:
            parts.append(r"[^\n]*" if last else r"[^\n]+?")
        pos = match.end()
    tail = template[pos:]
    parts.append(re.escape(tail))
    literal += len(tail.strip())
    return re.compile("".join(parts)), literal


@lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    """Every sentence key of both languages as a pattern (read from the dialog's texts when first used)."""
    found = []
    for lang, table in T.TEXTS.items():
        for key, template in table.items():
            if not kinds_of_key(key) and not key.startswith(NEUTRAL):
                continue
            regex, literal = _compile(template)
            if literal >= MIN_LITERAL:
                found.append(Pattern(key, lang, regex, literal))
    return tuple(found)


def keys_in(text: str) -> list[str]:
    """The text keys a visible text is made of, read line by line (most specific match first)."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    found, covered = [], 0
    for start in starts:
        if start < covered or start >= len(text):
            continue
        best = None
        for pattern in patterns():
            match = pattern.regex.match(text, start)
            if match and (best is None or (pattern.literal, match.end()) > (best[0].literal, best[1])):
                best = (pattern, match.end())
        if best is not None:
            found.append(best[0].key)
            covered = best[1]
    return found


# ---- reading bodies -----------------------------------------------------------------------------


def visible_texts(bodies: Iterable[dict]) -> list[str]:
    """Every text a customer reads (the conversation kit's reader)."""
    return texts(list(bodies))


def _pid(payload: str) -> int | None:
    parts = payload.split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def shown_list(bodies: Iterable[dict]) -> list[int]:
    """Product ids of the list shown: DETAILS:<id> of carousel cards (Messenger) and list rows (WhatsApp)."""
    ids: list[int] = []
    for body in bodies:
        for element in body.get("message", {}).get("attachment", {}).get("payload", {}).get("elements", []):
            ids += [_pid(b["payload"]) for b in element.get("buttons", [])
                    if str(b.get("payload", "")).startswith("DETAILS:")]
        for section in body.get("interactive", {}).get("action", {}).get("sections", []):
            ids += [_pid(r["id"]) for r in section.get("rows", []) if str(r.get("id", "")).startswith("DETAILS:")]
    return list(dict.fromkeys(i for i in ids if i is not None))


def single_payloads(bodies: Iterable[dict]) -> list[str]:
    """Payloads outside a product list: quick replies, button-template and reply buttons, non-DETAILS rows."""
    found: list[str] = []
    for body in bodies:
        message = body.get("message", {})
        found += [q.get("payload", "") for q in message.get("quick_replies", [])]
        template = message.get("attachment", {}).get("payload", {})
        found += [b.get("payload", "") for b in template.get("buttons", []) if b.get("payload")]
        action = body.get("interactive", {}).get("action", {})
        found += [b["reply"]["id"] for b in action.get("buttons", [])]
        found += [r["id"] for s in action.get("sections", []) for r in s.get("rows", [])
                  if not str(r.get("id", "")).startswith("DETAILS:")]
    return found


ABOUT = ("DETAILS", "PRICE", "ADD", "OPTIONS", "RELATED")
SINGLE = frozenset({"product", "price", "stock_alert", "cart_add"})   # answers about one product


@dataclass
class Answer:
    """What the bot did with one turn: the bodies it sent and the session before and after."""

    bodies: list[dict]
    cart_before: list[dict] = field(default_factory=list)
    cart_after: list[dict] = field(default_factory=list)
    understood: str = ""               # the intent the matcher gave (supporting signal, for reports)
    focus_after: int | None = None     # the session's product in focus after the turn

    @property
    def texts(self) -> list[str]:
        return visible_texts(self.bodies)

    @property
    def keys(self) -> list[str]:
        return [k for text in self.texts for k in keys_in(text)]

    @property
    def kinds(self) -> set[str]:
        kinds = {kind for key in self.keys for kind in kinds_of_key(key)}
        if any("target_app_id" in body and "message" not in body for body in self.bodies):
            kinds.add("handoff")       # Messenger pass_thread_control
        return kinds

    @property
    def listed(self) -> list[int]:
        return shown_list(self.bodies)

    def added_lines(self) -> list[dict]:
        """Cart lines new this turn or with a larger quantity."""
        before = Counter({_line_key(line): int(line.get("quantity", 0)) for line in self.cart_before})
        return [line for line in self.cart_after if int(line.get("quantity", 0)) > before[_line_key(line)]]

    @property
    def about(self) -> list[int]:
        """Products this answer is about: its single-product payloads, and what it put in the cart."""
        kinds = self.kinds
        # "Which one do you mean?" offers DETAILS of every product on screen: it is about none of them.
        names = ABOUT if "ask_which" not in kinds else tuple(n for n in ABOUT if n != "DETAILS")
        ids = [_pid(p) for p in single_payloads(self.bodies) if p.split(":")[0] in names]
        ids += [int(line["product_id"]) for line in self.added_lines()]
        if kinds & SINGLE and self.focus_after is not None:
            ids.append(int(self.focus_after))   # e.g. a stock alert that names the product only in words
        return list(dict.fromkeys(i for i in ids if i is not None))

    def options_applied(self) -> list[tuple[str, str]]:
        """(size, colour) pairs applied: in the cart lines added, else carried by every
        ADD:<id>:<size>:<colour> offered."""
        added = [(str(line.get("size", "")), str(line.get("color", ""))) for line in self.added_lines()]
        if added:
            return added
        offered = [p.split(":") + ["", ""] for p in single_payloads(self.bodies) if p.startswith("ADD:")]
        sizes = {parts[2] for parts in offered}
        colours = {parts[3] for parts in offered}
        # A value every offered choice carries was applied; values that differ are only offered.
        size = sizes.pop() if len(sizes) == 1 else ""
        colour = colours.pop() if len(colours) == 1 else ""
        return [(size, colour)] if size or colour else []

    def cart(self) -> Counter:
        return cart_counter(self.cart_after)

    def summary(self, width: int = 90) -> str:
        shown = [t.replace("\n", " ⏎ ")[:width] for t in self.texts]
        payloads = single_payloads(self.bodies)
        return (f"kinds={sorted(self.kinds)} keys={self.keys} understood={self.understood or '-'}\n"
                f"      texts={shown}\n      list={self.listed[:10]} payloads={payloads[:10]} "
                f"cart={dict(self.cart())}")


def _line_key(line: dict) -> tuple:
    return (int(line.get("product_id", 0)), str(line.get("size", "")), str(line.get("color", "")))


def cart_counter(lines: Iterable[dict]) -> Counter:
    """A cart as {product id: quantity}, summed over sizes and colours."""
    total: Counter = Counter()
    for line in lines:
        total[int(line["product_id"])] += int(line.get("quantity", 0))
    return +total


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def norm_size(value: Any) -> str:
    """"xl" → "XL", "٣٩" → "39"."""
    return str(value).translate(_DIGITS).strip().upper()


# ---- the verdict ----------------------------------------------------------------------------------


def judge(expect: dict, answer: Answer) -> list[str]:
    """The expectations of one turn that do not hold (empty: the turn is right)."""
    wrong = []
    shows = expect.get("shows")
    if shows is not None and shows not in answer.kinds:
        wrong.append(f"shows {shows}, bot showed {sorted(answer.kinds) or 'nothing'}")
    if "product" in expect and int(expect["product"]) not in answer.about:
        wrong.append(f"about product {expect['product']}, bot was about {answer.about or 'none'}")
    listed = answer.listed
    missing = [i for i in expect.get("products_include", []) if i not in listed]
    if missing:
        wrong.append(f"list lacks {missing} (shown {listed[:10]})")
    unwanted = [i for i in expect.get("products_exclude", []) if i in listed]
    if unwanted:
        wrong.append(f"list has excluded {unwanted}")
    if "cart" in expect:
        wanted = cart_counter({"product_id": i["id"], "quantity": i.get("qty", 1)} for i in expect["cart"])
        if wanted != answer.cart():
            wrong.append(f"cart {dict(wanted)}, bot's cart {dict(answer.cart())}")
    applied = answer.options_applied()
    if "size" in expect and norm_size(expect["size"]) not in {norm_size(s) for s, _ in applied}:
        wrong.append(f"size {expect['size']}, applied {[s for s, _ in applied] or 'none'}")
    if "color" in expect and str(expect["color"]).lower() not in {c.lower() for _, c in applied}:
        wrong.append(f"colour {expect['color']}, applied {[c for _, c in applied] or 'none'}")
    return wrong
