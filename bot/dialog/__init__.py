"""The conversation: from an event and the customer's session to the replies.

``Dialog.handle(event, session) -> (replies, session)`` is the whole interface the pipeline uses;
the pair also carries the turn's analytics notes (``.notes``, :class:`bot.notes.Answer`), which the
pipeline stores with the replies. The session is a JSON document the dialog owns
(:class:`bot.dialog.session.Session`). Payloads
are routed before text (``bot.dialog.router``); each capability has its module (browse, cart,
checkout, orders, info, handoff) and every sentence is in ``bot.dialog.texts``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.dialog import alerts, handoff, router
from bot.dialog.session import Session
from bot.dialog.turn import Deps, InvalidPayload, Turn
from bot.errors import ProductNotFound, StorageError, StoreError
from bot.events import Event, Kind
from bot.logs import customer_ref
from bot.notes import MESSAGE, Answer, Note
from bot.replies import Reply

log = logging.getLogger(__name__)

__all__ = ["Dialog", "Session"]


class Dialog:
    """Answers customer events using the store, the order and hand-off stores and the intent matcher."""

    def __init__(
        self,
        store: Any = None,
        orders: Any = None,
        handoffs: Any = None,
        settings: Any = None,
        *,
        alerts: Any = None,
        understand: Callable[..., Any] | None = None,
        store_name: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.deps = Deps(store=store, orders=orders, handoffs=handoffs, settings=settings, alerts=alerts,
                         understand=understand, store_name=store_name, clock=clock)

    def handle(self, event: Event, session: dict[str, Any]) -> tuple[Sequence[Reply], dict[str, Any]]:
        """The replies to ``event`` and the session to keep, with the turn's notes (``.notes``);
        silent during a hand-off.

        Every answerable event gets an answer. A bug in a handler is logged with its traceback and
        answered with the "busy" line and the menu, keeping the session as it was; only
        :class:`StorageError` propagates, because the pipeline retries the event for it.
        """
        if event.kind is Kind.HANDOVER:
            handoff.on_handover(self.deps, event)
            return Answer([], session)
        if not event.answerable:
            return Answer([], session)
        wrote = [Note(MESSAGE)]            # a customer wrote: the funnel counts them, also during a hand-off
        if self._handed_off(event):
            return Answer([], session, wrote)
        turn = Turn(event=event, session=Session.from_dict(session), deps=self.deps, text=event.text or "",
                    notes=wrote)
        try:
            with self.deps.store.budget():  # one customer message waits on the store for one budget at most
                replies = self._route(turn)
                replies += alerts.news(turn)    # a product the customer waits for, back while the window was closed
        except ProductNotFound:
            replies = [turn.menu(turn.t("product.not_found"))]
        except StoreError as exc:
            log.warning("store unavailable while answering %s: %s", customer_ref(event.platform, event.customer_id),
                        exc)
            replies = [turn.menu(turn.t("store.down"))]
        except InvalidPayload:
            # the payload's name only: an argument may carry a phone number (PHONE:...)
            log.info("invalid payload %r from %s", event.payload.partition(":")[0][:40],
                     customer_ref(event.platform, event.customer_id))
            replies = [turn.menu(turn.t("payload.invalid"))]
        except StorageError:
            raise
        except Exception:
            log.exception("dialog failed on %s event from %s", event.kind,
                          customer_ref(event.platform, event.customer_id))
            turn.session = Session.from_dict(session)      # what the failed turn changed is dropped
            return Answer([turn.menu(turn.t("busy"))], session, [Note(MESSAGE)])
        return Answer(replies, turn.session.to_dict(), turn.notes)

    def _route(self, turn: Turn) -> list[Reply]:
        event = turn.event
        if event.kind is Kind.PAYLOAD and event.payload:
            return router.route_payload(turn, event.payload)
        if event.kind is Kind.TEXT and turn.text.strip():
            return router.route_text(turn)
        if event.kind is Kind.PAYLOAD:  # a button without a payload: treat its title as text
            return router.route_text(turn) if turn.text.strip() else router.welcome(turn)
        return router.route_other(turn)

    def _handed_off(self, event: Event) -> bool:
        handoffs = self.deps.handoffs
        return handoffs is not None and handoffs.active(str(event.platform), event.customer_id)

