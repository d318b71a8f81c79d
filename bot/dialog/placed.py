"""Orders already placed: cancel one, or ask to change one. Only ever the customer's own orders.

The order is the one the message names by number, when it was placed from this chat
(``orders.mine``: a number with the right phone shows an order, it never lets anyone act on it);
else the customer's only open order; several open → the customer picks one (``CANCEL_ASK:<n>``).

- Cancel: while the order has not shipped (``new``, ``confirmed``) the customer confirms with a
  button (``CANCEL_ORDER:<n>`` / ``KEEP_ORDER``) and the order store sets it ``cancelled`` in one
  conditional update (only while still ``new``/``confirmed``: staff shipping it meanwhile wins). A
  shipped or delivered order goes to staff (a hand-off carrying the order), and the customer is
  told so, also when it shipped between the question and the yes. A typed answer works too ("ايوه",
  "الغيه", "لا"). Every button is checked again when pressed: a payload can be forged or old.
- Change (address, size, items): staff get it with the order(s) and the customer's message; the
  order only changes when they confirm. A shipped order cannot be changed: the returns policy is
  offered instead.
"""

from __future__ import annotations

import time
from typing import Any

from bot.dialog import checkout, handoff, orders
from bot.dialog.payloads import CancelAsk, CancelOrder, Command, encode
from bot.dialog.session import Context
from bot.dialog.turn import Turn
from bot.nlu.normalize import tokenize
from bot.notes import ORDER_CANCEL, ORDER_CHANGE
from bot.replies import Choice, QuickReplies, Reply

EXPECT = "cancel:"                            # session.expect while "cancel order X?" waits for an answer
OPEN = ("new", "confirmed", "shipped")       # an order the customer may still want to stop or change
NOT_SHIPPED = ("new", "confirmed")           # what the bot itself may cancel
YES = frozenset(tokenize("اه آه أيوة ايوة yeah yep ah"))   # short yeses the checkout's list does not need


# ---- cancel --------------------------------------------------------------------------------------


def cancel(turn: Turn) -> list[Reply]:
    """An ``order_cancel`` message: find the order, then ask to confirm (or hand a shipped one to staff)."""
    turn.session.context = Context.NONE
    found, instead = _targets(turn, "order_cancel")
    if not found:
        return instead
    if len(found) > 1:
        choices = tuple(Choice(order.number, encode(CancelAsk(order.number)), turn.t(f"status.{order.status}"))
                        for order in found[:9])
        text = "\n".join([turn.t("order_cancel.which_cancel"), *(_line(turn, order) for order in found)])
        keep = turn.choice("order_cancel.keep", Command.KEEP_ORDER)
        return [QuickReplies(text, (*choices, keep), button_label=turn.t("menu.orders"))]
    return _offer_cancel(turn, found[0])


def cancel_last(turn: Turn) -> list[Reply]:
    """"cancel it" right after an order was shown or placed: that order, when it is this chat's;
    else read as any ``order_cancel`` message (:func:`cancel`)."""
    last = turn.session.last_order
    if orders.find_reference(turn.text) is None:
        order = _own_order(turn, last.get("shown") or last.get("number") or "")
        if order is not None:
            turn.session.context = Context.NONE
            return _offer_cancel(turn, order)
    return cancel(turn)


def ask_cancel(turn: Turn, number: str) -> list[Reply]:
    """``CANCEL_ASK:<number>``: the order picked among several; ask to confirm."""
    order = _own_order(turn, number)
    return _offer_cancel(turn, order) if order else _not_found(turn)


def confirm_cancel(turn: Turn, number: str) -> list[Reply]:
    """``CANCEL_ORDER:<number>``: the customer said yes; cancel it if it still has not shipped."""
    turn.session.expect = ""
    order = _own_order(turn, number)
    if order is None:
        return _not_found(turn)
    if order.status not in NOT_SHIPPED:
        return _offer_cancel(turn, order)
    cancelled, current = turn.deps.order_book.transition(order.number, "cancelled", only_from=NOT_SHIPPED)
    if cancelled:
        turn.note(ORDER_CANCEL, ref=order.number, amount=int(order.total), detail={"items": _pieces(order)})
        return [turn.menu(turn.t("order_cancel.cancelled", number=order.number))]
    if current is None:
        return _not_found(turn)
    return _moved_on(turn, current)


def _moved_on(turn: Turn, order: Any) -> list[Reply]:
    """The status changed between the question and the yes (staff shipped it meanwhile): say so;
    a shipped or delivered order goes to staff with the cancel request and the order attached."""
    if order.status == "cancelled":
        return [turn.menu(turn.t("order_cancel.already_cancelled", number=order.number))]
    say = turn.t("order_cancel.cancel_moved_on", number=order.number, status=turn.t(f"status.{order.status}"))
    return handoff.request(turn, f"cancel order {order.number} ({order.status})", orders=[order], say=say,
                           why="cancel_shipped")


def keep(turn: Turn) -> list[Reply]:
    """``KEEP_ORDER``: nothing changes."""
    turn.session.expect = ""
    return [turn.menu(turn.t("order_cancel.kept"))]


def answer(turn: Turn) -> list[Reply] | None:
    """A typed answer to "cancel order X?": yes (or "cancel" again, not negated) cancels, no keeps;
    None for anything else, which is then read as usual."""
    number = turn.session.expect.removeprefix(EXPECT)
    turn.session.expect = ""
    words = tokenize(turn.text)
    reference = orders.find_reference(turn.text)
    if reference is not None and reference.number and reference.number != number:
        return None                               # about another order: read as a new request
    if checkout.is_yes(turn.text) or checkout.is_cancel(turn.text) or (words and len(words) <= 2 and words[0] in YES):
        return confirm_cancel(turn, number)
    if words and words[0] in checkout.NO_WORDS and len(words) <= 3:
        return keep(turn)
    return None


def _offer_cancel(turn: Turn, order: Any) -> list[Reply]:
    if order.status == "cancelled":
        return [turn.menu(turn.t("order_cancel.already_cancelled", number=order.number))]
    if order.status not in NOT_SHIPPED:
        return handoff.request(turn, f"cancel order {order.number} ({order.status})", orders=[order],
                               say=turn.t("order_cancel.cancel_shipped", number=order.number), why="cancel_shipped")
    choices = (turn.choice("order_cancel.yes_cancel", CancelOrder(order.number)),
               turn.choice("order_cancel.keep", Command.KEEP_ORDER))
    text = turn.t("order_cancel.confirm_cancel", number=order.number, total=turn.price(order.total))
    turn.session.expect = f"{EXPECT}{order.number}"
    return [QuickReplies(text, choices, button_label=turn.t("menu.button"))]


# ---- change --------------------------------------------------------------------------------------


def change(turn: Turn) -> list[Reply]:
    """An ``order_change`` message: staff get it with the order(s); a shipped one can no longer change."""
    turn.session.context, turn.session.topic = Context.NONE, "order_change"   # "ولو عايز اغير المقاس؟" goes on
    found, instead = _targets(turn, "order_change")
    if not found:
        return instead
    if len(found) == 1 and found[0].status == "cancelled":
        return [turn.menu(turn.t("order_change.cancelled", number=found[0].number))]
    changeable = [order for order in found if order.status in NOT_SHIPPED]
    if not changeable:
        return _too_late(turn, found[0])
    numbers = ", ".join(order.number for order in changeable)
    turn.note(ORDER_CHANGE, text=turn.text, ref=numbers)
    return handoff.request(turn, f"change order {numbers}", orders=changeable,
                           say=turn.t("order_change.sent", number=numbers), why="order_change")


def _too_late(turn: Turn, order: Any) -> list[Reply]:
    """Shipped: it cannot change now; the exchange window and the returns policy instead."""
    info = turn.deps.store.info()
    text = turn.t("order_change.shipped", number=order.number, days=turn.count(info.exchange_days, "day"))
    choices = (turn.choice("order_change.returns", Command.RETURNS), turn.choice("menu.human", Command.HUMAN),
               turn.choice("orders.menu", Command.MENU))
    return [QuickReplies(text, choices, button_label=turn.t("menu.button"))]


# ---- which order ---------------------------------------------------------------------------------


def _targets(turn: Turn, family: str) -> tuple[list[Any], list[Reply]]:
    """The order named by number (this chat's only), else this chat's open orders, newest first;
    with no order, the replies to give instead (none open, or a number that is not this chat's)."""
    reference = orders.find_reference(turn.text)
    if reference is not None and (reference.number or reference.typo):
        order = _own_order(turn, reference.number)
        return ([order], []) if order else ([], _not_found(turn, family))
    mine = [order for order in turn.deps.order_book.by_customer(turn.platform, turn.event.customer_id)
            if order.status in OPEN]
    return mine, [] if mine else [turn.menu(turn.t(f"{family}.none"))]


def _own_order(turn: Turn, number: str) -> Any | None:
    """The order with ``number`` when it was placed from this chat; None for anyone else's (or none)."""
    order = turn.deps.order_book.get(number) if number else None
    return order if order is not None and orders.mine(turn, order) else None


def _line(turn: Turn, order: Any) -> str:
    """"طلب DK-…: متأكد وبيتجهز (١٬٣٦٤ ج.م، 2026-12-03)": what tells two orders apart, nothing private."""
    date = time.strftime("%Y-%m-%d", time.localtime(order.created_at))
    return turn.t("orders.line", number=order.number, status=turn.t(f"status.{order.status}"),
                  total=turn.price(order.total), date=date)


def _pieces(order: Any) -> int:
    """How many pieces an order holds."""
    return sum(int(item.get("quantity", 1)) for item in order.items)


def _not_found(turn: Turn, family: str = "order_cancel") -> list[Reply]:
    """A number that is not one of this chat's orders (the same answer whether it exists or not)."""
    choices = (turn.choice("menu.human", Command.HUMAN), turn.choice("menu.orders", Command.ORDER_STATUS),
               turn.choice("orders.menu", Command.MENU))
    return [QuickReplies(turn.t(f"{family}.not_found"), choices, button_label=turn.t("menu.button"))]
