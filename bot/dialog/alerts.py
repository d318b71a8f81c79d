"""Stock alerts: "عرفني لما المقاس L يرجع" / "tell me when it's back in L".

The product is the one the message names or the one in focus (``router.resolve``), the size and
colour come from the slots ("" for any). A product that is available now is offered for the cart
instead of recorded. A customer has at most ten alerts waiting: the eleventh is answered politely
and not recorded. A recorded alert (:mod:`bot.storage.stock_alerts`) is told once, by whoever sees
the product back first: the workers' housekeeping (:mod:`bot.stock_watch`, inside the 24-hour
window only) or, once the window has closed, this module at the customer's next message
(:func:`news`). Several alerts back at once are told in one message (:func:`back`). Stock is kept
per product: a product in stock is available in every size and colour it comes in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.channels import limits
from bot.dialog import browse, cart, texts
from bot.dialog.payloads import Add, Details
from bot.dialog.turn import Turn
from bot.errors import ProductNotFound, StoreError
from bot.notes import STOCK_ALERT
from bot.replies import Buttons, Cards, Reply
from bot.storage.stock_alerts import AlertsFull

# "It's back" for several alerts fits the smallest body it can be sent in: a WhatsApp list's
# (Messenger's text takes 2,000), with a card per product up to a carousel's (and a list's) ten.
TEXT_MAX = limits.WHATSAPP_INTERACTIVE_BODY_MAX
CARDS_MAX = min(limits.MESSENGER_ELEMENTS_MAX, limits.WHATSAPP_LIST_ROWS_MAX)
LINE_MAX = 160          # one product's line: a very long name is cut, never the list after it


def request(turn: Turn) -> list[Reply]:
    """A ``stock_alert`` message: record it, or say the product is here now, or ask which product."""
    from bot.dialog import router  # imported late: the router imports this module

    try:
        product_id = router.resolve(turn)
    except router.MissingRef:
        product_id = None
    if product_id is None:
        return [turn.menu(turn.t("alert.which"))]
    product = turn.deps.store.product(product_id, lang=turn.lang)
    turn.session.show_product(product.id)
    size, color = _option(turn.slots.get("size"), product.sizes), _option(turn.slots.get("color"), product.colors)
    name = product.name(turn.lang)
    if size is None:
        return [turn.menu(turn.t("alert.no_size", name=name, size=turn.slots.get("size"),
                                 sizes=texts.joined(turn.lang, list(product.sizes))))]
    if color is None:
        colors = texts.joined(turn.lang, [texts.color(turn.lang, c) for c in product.colors])
        return [turn.menu(turn.t("alert.no_color", name=name, colors=colors))]
    options = cart.options(turn, size, color)
    if product.in_stock:
        return [_offer(turn, product, size, color)]
    try:
        added = turn.deps.alert_book.add(turn.platform, turn.event.customer_id, product.id, size, color, turn.lang)
    except AlertsFull as full:
        return [turn.menu(turn.t("alert.full", count=turn.number(full.count), name=name))]
    if added:
        turn.note(STOCK_ALERT, ref=str(product.id), detail={"name": product.name_en or product.name_ar,
                                                            "size": size, "color": color})
    return [turn.menu(turn.t("alert.saved" if added else "alert.already", name=name, options=options))]


def news(turn: Turn) -> list[Reply]:
    """This customer's alerts whose product is back (as the catalog snapshot has it), told now,
    once, in one message."""
    alerts = turn.deps.alerts
    if alerts is None:
        return []
    found: list[tuple[Any, Any]] = []
    for alert in alerts.for_customer(turn.platform, turn.event.customer_id):
        try:
            product = turn.deps.store.cached_product(alert.product_id, lang=turn.lang)
        except (ProductNotFound, StoreError):
            continue
        if available(product, alert) and alerts.fire(alert.id):
            found.append((alert, product))
    return back(turn, found)


def available(product: Any, alert: Any) -> bool:
    """True when ``product`` can be bought now in the alert's size and colour."""
    return (product.in_stock and _option(alert.size, product.sizes) is not None
            and _option(alert.color, product.colors) is not None)


def back(turn: Turn, found: Sequence[tuple[Any, Any]]) -> list[Reply]:
    """"It's back", one message for everything in ``found`` (``(alert, product)`` pairs): a line
    naming each (as many as fit in the smallest platform body, then "and N more") and a card per
    product (ten at most: a carousel, or a WhatsApp list); nothing when ``found`` is empty."""
    if not found:
        return []
    if len(found) == 1:
        alert, product = found[0]
        text = turn.t("alert.back", name=product.name(turn.lang), options=cart.options(turn, alert.size, alert.color))
    else:
        lines = [limits.truncate(f"• {product.name(turn.lang)}{cart.options(turn, alert.size, alert.color)}", LINE_MAX)
                 for alert, product in found]
        text = _fitted(turn, lines)
    products = list({product.id: product for _, product in found}.values())[:CARDS_MAX]
    return [Cards(tuple(browse.card(turn, product) for product in products), text=text,
                  button_label=turn.t("results.button"))]


def _fitted(turn: Turn, lines: list[str]) -> str:
    """The "they're back" text with as many of ``lines`` as fit in ``TEXT_MAX``; "and N more" ends it
    when some had to be left out (always on a line boundary, never inside a name)."""
    for shown in range(len(lines), 0, -1):
        rest = len(lines) - shown
        body = lines[:shown] + ([turn.t("alert.more", count=turn.number(rest))] if rest else [])
        text = turn.t("alert.back_many", lines="\n".join(body))
        if limits.units(text) <= TEXT_MAX:
            return text
    return limits.truncate(turn.t("alert.back_many", lines=lines[0]), TEXT_MAX)


def _offer(turn: Turn, product: Any, size: str, color: str) -> Reply:
    """Available now: add it to the cart (in the size and colour asked), or see it."""
    add = Add(product.id, size, color) if color else Add(product.id, size) if size else Add(product.id)
    text = turn.t("alert.in_stock", name=product.name(turn.lang), options=cart.options(turn, size, color))
    return Buttons(text, (turn.button("choice.add", add), turn.button("choice.details", Details(product.id))))


def _option(wanted: Any, offered: Iterable[str]) -> str | None:
    """The product's spelling of ``wanted`` ("l" → "L"); "" when nothing was asked; None when it has no such option."""
    if not wanted:
        return ""
    for option in offered:
        if option.casefold() == str(wanted).casefold():
            return option
    return None
