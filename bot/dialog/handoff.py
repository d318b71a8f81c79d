"""Hand-off to a person: record it, say so, and (Messenger, where configured) pass thread control.

While a hand-off is open the dialog stays quiet for that customer (``Dialog.handle``); staff
release it from the console, it expires after ``settings.handoff_timeout_s``, or the Page Inbox
passes the thread back to us.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.channels.registry import channel
from bot.dialog.info import when
from bot.dialog.session import Context
from bot.dialog.turn import Deps, Turn
from bot.events import Event, Kind
from bot.logs import customer_ref
from bot.notes import HANDOFF
from bot.replies import HandOff, Reply, Text

log = logging.getLogger(__name__)


def request(turn: Turn, reason: str = "", *, orders: Sequence[Any] = (), say: str = "",
            why: str = "asked") -> list[Reply]:
    """Open a hand-off with its context and tell the customer a person will reply.

    ``orders`` are the customer's orders the request is about (staff see their numbers, statuses
    and items); ``say`` replaces the usual "a teammate will reply" line; ``why`` is the reason
    the owner's insights count it under (:data:`bot.notes.HANDOFF_REASONS`).
    """
    session = turn.session
    context = {
        "text": turn.text, "query": session.query, "filters": session.filters, "focus": session.focus,
        "cart": [line.__dict__ for line in session.cart], "lang": session.lang,
    }
    if orders:
        context["orders"] = [_about(order) for order in orders]
    if turn.deps.handoffs is not None:
        turn.deps.handoffs.open(turn.platform, turn.event.customer_id, reason or turn.text or "button", context)
    turn.note(HANDOFF, text=turn.text if turn.event.kind is Kind.TEXT else "", reason=why,
              ref=", ".join(order.number for order in orders))
    session.pending, session.checkout, session.context = {}, None, Context.NONE
    back = _back_at(turn)
    hours = _hours(turn)
    if back:       # outside the staff's hours: when someone will answer
        text = f"{say} {turn.t('handoff.back_at', when=back)}" if say else turn.t("handoff.after_hours", when=back)
    elif say:
        text = f"{say} {turn.t('handoff.hours', hours=hours)}" if hours else say
    else:
        text = turn.t("handoff.opened", hours=hours) if hours else turn.t("handoff.opened_short")
    replies: list[Reply] = [Text(text)]
    app_id = getattr(turn.deps.settings, "messenger_inbox_app_id", "")
    if channel(turn.event.platform).handover and app_id:
        replies.append(HandOff(target_app_id=app_id, metadata=f"handoff: {reason or turn.text}"[:200]))
    return replies


def on_handover(deps: Deps, event: Event) -> None:
    """Messenger handover webhooks: taken from us → a person is on it; passed back → we answer again."""
    action = event.data.get("action")
    if deps.handoffs is None:
        return
    if action == "take":
        deps.handoffs.open(str(event.platform), event.customer_id, "thread taken by another app", {})
    elif action == "pass":
        deps.handoffs.release(str(event.platform), event.customer_id, by="page inbox")
    else:
        log.info("handover %s for %s recorded", action, customer_ref(event.platform, event.customer_id))


def _about(order: Any) -> dict[str, Any]:
    """What staff need to find and act on an order: its number, status, total and items."""
    return {"number": order.number, "status": order.status, "total": order.total, "items": list(order.items)}


def _hours(turn: Turn) -> str:
    try:
        return turn.deps.store.info().staff_hours_text(turn.lang)
    except Exception:  # the hours are a courtesy; the hand-off must not fail for them
        return ""


def _back_at(turn: Turn) -> str:
    """When a person will answer ("بكرة الساعة ١٠ الصبح"), if the staff's hours are over now; else ''."""
    try:
        staff = turn.deps.store.info().staff_hours
        now = turn.deps.clock()
        if staff is None or staff.always_closed or staff.is_open(now):
            return ""
        return when(turn, staff, now)
    except Exception:  # a courtesy too
        return ""
