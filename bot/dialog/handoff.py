"""Hand-off to a person: record it, say so, and (Messenger, where configured) pass thread control.

While a hand-off is open the dialog stays quiet for that customer (``Dialog.handle``); staff
release it from the console, it expires after ``settings.handoff_timeout_s``, or the Page Inbox
passes the thread back to us.
"""

from __future__ import annotations

import logging

from bot.dialog.turn import Deps, Turn
from bot.events import Event, Platform
from bot.replies import HandOff, Reply, Text

log = logging.getLogger(__name__)


def request(turn: Turn, reason: str = "") -> list[Reply]:
    """Open a hand-off with its context and tell the customer a person will reply."""
    session = turn.session
    context = {
        "text": turn.text, "query": session.query, "filters": session.filters, "focus": session.focus,
        "cart": [line.__dict__ for line in session.cart], "lang": session.lang,
    }
    if turn.deps.handoffs is not None:
        turn.deps.handoffs.open(turn.platform, turn.event.customer_id, reason or turn.text or "button", context)
    session.pending, session.checkout, session.context = {}, None, "none"
    hours = _hours(turn)
    text = turn.t("handoff.opened", hours=hours) if hours else turn.t("handoff.opened_short")
    replies: list[Reply] = [Text(text)]
    app_id = getattr(turn.deps.settings, "messenger_inbox_app_id", "")
    if turn.event.platform is Platform.MESSENGER and app_id:
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
        log.info("handover %s for %s recorded", action, event.customer_id)


def _hours(turn: Turn) -> str:
    try:
        return turn.deps.store.info().working_hours(turn.lang)
    except Exception:  # the hours are a courtesy; the hand-off must not fail for them
        return ""
