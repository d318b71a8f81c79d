"""Stock alerts: "عرفني لما المقاس L يرجع" / "tell me when it's back in L".

The product is the one the message names or the one in focus (``router.resolve``), the size and
colour come from the slots ("" for any). A product that is available now is offered for the cart
instead of recorded. A recorded alert (:mod:`bot.storage.stock_alerts`) is told once, by whoever
sees the product back first: the workers' housekeeping (:mod:`bot.stock_watch`, inside the
24-hour window only) or, once the window has closed, this module at the customer's next message
(:func:`news`). Stock is kept per product: a product in stock is available in every size and
colour it comes in.
"""

from __future__ import annotations

from typing import Any, Iterable

from bot.dialog import browse, cart, texts
from bot.dialog.turn import Turn
from bot.errors import ProductNotFound, StoreError
from bot.replies import Button, Buttons, Cards, Reply


def request(turn: Turn) -> list[Reply]:
    """A ``stock_alert`` message: record it, or say the product is here now, or ask which product."""
    from bot.dialog import router   # imported late: the router imports this module

    try:
        product_id = router.resolve(turn)
    except router.MissingRef:
        product_id = None
    if product_id is None:
        return [turn.menu(turn.t("alert.which"))]
    product = turn.deps.store.product(product_id)
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
    added = turn.deps.alerts.add(turn.platform, turn.event.customer_id, product.id, size, color, turn.lang)
    return [turn.menu(turn.t("alert.saved" if added else "alert.already", name=name, options=options))]


def news(turn: Turn) -> list[Reply]:
    """This customer's alerts whose product is back (as the catalog snapshot has it), told now, once."""
    alerts = turn.deps.alerts
    if alerts is None:
        return []
    replies: list[Reply] = []
    for alert in alerts.for_customer(turn.platform, turn.event.customer_id):
        try:
            product = turn.deps.store.cached_product(alert.product_id)
        except (ProductNotFound, StoreError):
            continue
        if available(product, alert) and alerts.fire(alert.id):
            replies += back(turn, alert, product)
    return replies


def available(product: Any, alert: Any) -> bool:
    """True when ``product`` can be bought now in the alert's size and colour."""
    return (product.in_stock and _option(alert.size, product.sizes) is not None
            and _option(alert.color, product.colors) is not None)


def back(turn: Turn, alert: Any, product: Any) -> list[Reply]:
    """"It's back": one line and the product's card (details, add to cart, the site)."""
    text = turn.t("alert.back", name=product.name(turn.lang), options=cart.options(turn, alert.size, alert.color))
    return [Cards((browse.card(turn, product),), text=text, button_label=turn.t("results.button"))]


def _offer(turn: Turn, product: Any, size: str, color: str) -> Reply:
    """Available now: add it to the cart (in the size and colour asked), or see it."""
    add = f"ADD:{product.id}" + (f":{size}:{color}" if color else f":{size}" if size else "")
    text = turn.t("alert.in_stock", name=product.name(turn.lang), options=cart.options(turn, size, color))
    return Buttons(text, (Button(turn.t("choice.add"), add), Button(turn.t("choice.details"), f"DETAILS:{product.id}")))


def _option(wanted: Any, offered: Iterable[str]) -> str | None:
    """The product's spelling of ``wanted`` ("l" → "L"); "" when nothing was asked; None when it has no such option."""
    if not wanted:
        return ""
    for option in offered:
        if option.casefold() == str(wanted).casefold():
            return option
    return None
