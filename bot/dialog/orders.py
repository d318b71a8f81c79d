"""Order status, by order number ("DK-10001", "اوردر ١٠٠٠١") or by the phone number it was placed with."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.dialog.checkout import egyptian_mobile
from bot.dialog.turn import Turn
from bot.nlu.normalize import normalize
from bot.replies import Reply

ORDER_NUMBER = re.compile(r"(?:dk\s*-?\s*)?(\d{5,6})\b", re.IGNORECASE)
ORDER_CODE = re.compile(r"\bdk\s*-?\s*\d{5,6}\b", re.IGNORECASE)
PHONE = re.compile(r"(?:\+|00)?[\d\s\-]{10,16}")


def status(turn: Turn) -> list[Reply]:
    """``ORDER_STATUS`` / ``ORDERS``: this customer's recent orders, or ask for a number."""
    found = turn.deps.orders.by_customer(turn.platform, turn.event.customer_id)
    turn.session.context = "none"
    if found:
        return [turn.menu(_listing(turn, found))]
    turn.session.expect = "order_ref"
    return [turn.menu(turn.t("orders.ask"))]


def lookup(turn: Turn) -> list[Reply] | None:
    """The orders named in the text by number or phone; None when the text names neither."""
    text = normalize(turn.text)
    phone = next((p for p in map(egyptian_mobile, PHONE.findall(text)) if p), "")
    if phone:
        return [turn.menu(_listing(turn, turn.deps.orders.by_phone(phone)))]
    match = ORDER_NUMBER.search(text)
    if match:
        order = turn.deps.orders.get(match.group(1))
        return [turn.menu(_listing(turn, [order] if order else []))]
    return None


def ask_or_show(turn: Turn) -> list[Reply]:
    """An ``order_status`` message: look it up, or show this customer's orders, or ask."""
    return lookup(turn) or status(turn)


def _listing(turn: Turn, orders: list[Any]) -> str:
    if not orders:
        return turn.t("orders.not_found")
    lines = [turn.t("orders.title")] if len(orders) > 1 else []
    for order in orders:
        date = time.strftime("%Y-%m-%d", time.localtime(order.created_at))
        lines.append(turn.t("orders.line", number=order.number, status=turn.t(f"status.{order.status}"),
                            total=turn.price(order.total), date=date))
    return "\n".join(lines)
