"""What a worker does with one event: understand, answer, send, remember.

Customer messages go to the dialog; the replies are rendered for the platform (a text and the
buttons or quick replies after it joined into one message where the platform's limits allow,
:data:`JOINERS`) and staged in the outbox in the same transaction as the session and the turn's
analytics notes (:mod:`bot.notes`: the owner's insights and the staff's news), then sent.
Receipts and statuses update the states of messages we sent. Everything else is recorded and
logged, never answered.

The 24-hour window is counted from the customer's message as the platform stamped it (the
event's timestamp), not from when a worker got to it: an event handled late after a backlog or an
outage does not stretch the window (:func:`inbound_at`).

When the Graph API is down (5xx, throttling, unreachable) or the channel is paused (its token was
refused), the event waits (:class:`~bot.errors.WaitForGraph`): the inbox puts it back without
using up an attempt, with a backoff that doubles up to a minute, for as long as the 24-hour
window (from the customer's message) lets the reply be sent. The staged replies are never
decided again; the retry sends what is left. A reply whose request got no answer (read timeout)
is marked ``unknown`` and not sent again: it may have reached the customer.

The preamble (mark seen, typing) is for a slow turn only: the replies are decided first, and
when they are staged within ``preamble_after_s`` (:data:`PREAMBLE_AFTER_S`) they go without it;
otherwise the preamble goes when that time is up, still before them (:mod:`bot.channels.preamble`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.channels.instagram.render import render as instagram_render
from bot.channels.messenger.render import render as messenger_render
from bot.channels.preamble import Pending, PreambleTimer
from bot.channels.whatsapp.render import join as whatsapp_join
from bot.errors import AuthError, DeliveryUnknown, SendError, WaitForGraph
from bot.events import Event, Kind, Platform
from bot.logs import customer_ref, pseudonym
from bot.notes import notes_of
from bot.replies import Outgoing, Reply
from bot.storage import ConversationState
from bot.storage.contracts import MessageStates, Staged
from bot.storage.inbox import Claimed

log = logging.getLogger(__name__)

RECEIPTS = {Kind.DELIVERY: "delivered", Kind.READ: "read"}
WINDOW_S = 24 * 3600.0  # Meta's customer service window: no free-form reply after it
WAIT_MIN_S, WAIT_MAX_S = 2.0, 60.0  # an event waiting for the Graph API is retried this often
WINDOW_GONE = "not sent: the 24-hour window closed while the Graph API could not be reached"
INBOUND_SKEW_S = 60.0  # a platform timestamp at most this far ahead of our clock is believed
PREAMBLE_AFTER_S = 0.4  # a turn decided within this needs no typing dots
ALARMING = {Kind.POLICY: logging.ERROR, Kind.ERROR: logging.ERROR, Kind.UNKNOWN: logging.WARNING}


def record_level(event: Event) -> int:
    """The level an event recorded without an answer is logged at: an alarm for policy notices,
    errors and items nobody could read; INFO for the rest (an edited message among them)."""
    return ALARMING.get(event.kind, logging.INFO)


class Dialog(Protocol):
    """Decides the replies to an event, given and returning the customer's session document."""

    def handle(self, event: Event, session: dict[str, Any]) -> tuple[Sequence[Reply], dict[str, Any]]: ...


class Sender(Protocol):
    def send(self, out: Outgoing) -> Any: ...


Renderer = Callable[[Reply, str], list[Outgoing]]
Preamble = Callable[[Event], list[Outgoing]]
Joiner = Callable[[list[Outgoing]], list[Outgoing]]
# A turn's rendered messages, with a text and the interactive message after it made one where they fit.
JOINERS: dict[Platform, Joiner] = {
    Platform.WHATSAPP: whatsapp_join,
    Platform.MESSENGER: messenger_render.join,
    Platform.INSTAGRAM: instagram_render.join,
}


class Pipeline:
    """Handles claimed inbox events (``pipeline(claimed)``)."""

    def __init__(
        self,
        *,
        state: ConversationState,
        messages: MessageStates,
        dialog: Dialog,
        sender: Sender,
        renderers: dict[Platform, Renderer],
        preambles: dict[Platform, Preamble] | None = None,
        quiet: Callable[[Event], bool] = lambda event: False,
        heartbeat: Callable[[Claimed], bool] = lambda claimed: True,
        clock: Callable[[], float] = time.time,
        preamble_after_s: float = PREAMBLE_AFTER_S,
        preamble_clock: Callable[[], float] = time.monotonic,
        joiners: dict[Platform, Joiner] | None = None,
    ) -> None:
        """``quiet(event)`` is True while a person handles the customer (no typing dots; asked only when
        the preamble is due); ``heartbeat(claimed)`` renews the worker's lease and is False once another
        worker took over; a turn not staged within ``preamble_after_s`` (by ``preamble_clock``) gets its
        preamble before its replies; ``joiners`` (:data:`JOINERS` by default) join a turn's messages.
        """
        self.state = state
        self.quiet = quiet
        self.heartbeat = heartbeat
        self.dialog = dialog
        self.sender = sender
        self.renderers = renderers
        self.joiners = JOINERS if joiners is None else joiners
        self.preambles = preambles or {}
        self.clock = clock
        self.typing = PreambleTimer(preamble_after_s, clock=preamble_clock)
        self.sessions = state.sessions
        self.outbox = state.outbox
        self.messages = messages

    def __call__(self, claimed: Claimed) -> None:
        event = claimed.event
        if event.kind is Kind.STATUS:
            self._status(event)
        elif event.kind in RECEIPTS:
            self._receipt(event)
        elif event.answerable or event.kind is Kind.HANDOVER:
            self._converse(claimed)
        else:
            self._record(event)

    def _converse(self, claimed: Claimed) -> None:
        event = claimed.event
        if event.answerable and self._too_old(claimed):
            if self._give_up_staged(claimed):
                return
            log.warning("%s from %s is past the 24-hour window: recorded, not answered",
                        event.kind, customer_ref(event.platform, event.customer_id))
            self._record(event)
            return
        staged = None
        if not self.outbox.is_staged(claimed.id):
            preamble = self._arm_preamble(claimed)
            try:
                staged = self._decide(claimed)
            except BaseException:
                if preamble is not None:
                    preamble.drop()
                raise
            if preamble is not None:
                preamble.settle()
        self._deliver(claimed, staged.rows if staged is not None else self.outbox.unsent(claimed.id))

    def _arm_preamble(self, claimed: Claimed) -> Pending | None:
        """The first time a customer's message is decided, its preamble waits for a slow decision."""
        event = claimed.event
        if claimed.attempt != 1 or not event.answerable or event.platform not in self.preambles:
            return None
        return self.typing.arm(lambda: self._send_preamble(event))

    def _decide(self, claimed: Claimed) -> Staged | None:
        """Run the dialog and stage its replies with the session (once, whoever gets there first):
        the rows staged, or None when another worker staged them first."""
        event = claimed.event
        session, previous = self.sessions.load_with_inbound(event.platform, event.customer_id)
        answer = self.dialog.handle(event, session)
        replies, session = answer
        outgoing = [out for reply in replies for out in self.renderers[event.platform](reply, event.customer_id)]
        join = self.joiners.get(event.platform)
        if join is not None:
            outgoing = join(outgoing)
        inbound = self._inbound_at(claimed, previous) if event.answerable else None
        staged = self.state.stage_turn(claimed.id, event.platform, event.customer_id, session, outgoing, inbound,
                                       notes=notes_of(answer), claimed=claimed)
        if staged is None:
            log.warning("event %s was already answered by another worker", claimed.id)
        return staged

    def _inbound_at(self, claimed: Claimed, previous: float | None) -> float:
        """When the customer wrote (the start of the 24-hour window), never before the last time
        (``previous``, the session's)."""
        event = claimed.event
        return inbound_at(event.timestamp, claimed.accepted_at, self.clock(), previous)

    def _too_old(self, claimed: Claimed) -> bool:
        """Past the 24-hour window, from the customer's message (or when we accepted it)."""
        start = claimed.event.timestamp or claimed.accepted_at
        return bool(start) and self.clock() - start > WINDOW_S

    def _give_up_staged(self, claimed: Claimed) -> bool:
        """Replies decided before the window closed and never sent: mark them failed; False if none were decided."""
        if not self.outbox.is_staged(claimed.id):
            return False
        unsent = self.outbox.unsent(claimed.id)
        for outbox_id, _ in unsent:
            self.outbox.mark_failed(outbox_id, None, WINDOW_GONE)
        if unsent:
            log.warning("event %s: %d staged replies given up, the 24-hour window closed", claimed.id, len(unsent))
        return True

    def _wait_delay(self, claimed: Claimed) -> float:
        """Seconds until an event waiting for the Graph API is tried again.

        The time since the event came, between ``WAIT_MIN_S`` and ``WAIT_MAX_S``: the waits double
        while the outage lasts, and a customer is answered at most a minute after it ends.
        """
        return min(WAIT_MAX_S, max(WAIT_MIN_S, self.clock() - claimed.accepted_at))

    def _send_preamble(self, event: Event) -> None:
        """Mark the message seen and show typing, unless a person handles the customer; best effort,
        never staged or retried."""
        preamble = self.preambles.get(event.platform)
        if preamble is None or self.quiet(event):
            return
        for out in preamble(event):
            result = self.sender.send(out)
            if not getattr(result, "ok", True):
                log.info("typing indicator not sent: %s", getattr(result, "error", ""))

    def _deliver(self, claimed: Claimed, rows: Sequence[tuple[int, Outgoing]]) -> None:
        """Send the event's unsent rows: those just staged, or (on a retry) those read back."""
        sent = deliver_staged(rows, outbox=self.outbox, sender=self.sender,
                              messages=self.messages, what=f"event {claimed.id}",
                              alive=lambda: self.heartbeat(claimed),
                              finish=lambda sent: self.state.finish(claimed, sent),
                              record_sent=self.state.record_sent)
        if sent.stopped:
            log.warning("event %s was taken over; its other worker sends the rest", claimed.id)
        elif sent.waiting is not None:
            raise WaitForGraph(f"waiting for the Graph API: {sent.waiting}", delay=self._wait_delay(claimed))

    def _status(self, event: Event) -> None:
        status = str(event.data.get("status", ""))
        errors = event.data.get("errors") or []
        first = errors[0] if errors else {}
        changed = self.messages.apply_status(
            event.message_id,
            status,
            platform=str(event.platform),
            customer_id=event.customer_id,
            error_code=first.get("code"),
            error=first.get("title") or first.get("message"),
        )
        if status == "failed":
            log.warning("message %s to %s failed: %s", pseudonym(event.message_id),
                        customer_ref(event.platform, event.customer_id), errors)
        log.debug("status %s for %s (changed=%s)", status, pseudonym(event.message_id), changed)

    def _receipt(self, event: Event) -> None:
        watermark = float(event.data.get("watermark") or event.timestamp or 0)  # epoch seconds
        self.messages.apply_watermark(str(event.platform), event.customer_id, watermark, RECEIPTS[event.kind])

    def _record(self, event: Event) -> None:
        log.log(record_level(event), "%s event from %s recorded, not answered", event.kind,
                customer_ref(event.platform, event.customer_id))
        with self.state.transaction() as conn:
            self.state.record(conn, str(event.platform), event.customer_id, str(event.kind), dict(event.data),
                              self.clock())


def inbound_at(timestamp: float, received_at: float, now: float, previous: float | None = None) -> float:
    """When a customer's message opened the 24-hour window: the platform's own ``timestamp`` on
    the event (``received_at``, when the inbox took it, if the event has none; else ``now``).

    Never later than ``now + INBOUND_SKEW_S`` (a clock far ahead must not stretch the window) and
    never before ``previous`` (an older message handled late does not move the window back).
    """
    at = min(timestamp or received_at or now, now + INBOUND_SKEW_S)
    return at if previous is None else max(at, previous)


@dataclass(frozen=True)
class Delivered:
    """What :func:`deliver_staged` did: ``waiting`` is the error to wait out (the Graph API is down
    or the channel paused: the rest stays staged); ``stopped`` when ``alive()`` said to stop."""

    waiting: SendError | None = None
    stopped: bool = False


def deliver_staged(
    rows: Iterable[tuple[int, Outgoing]], *, outbox: Any, sender: Sender, messages: Any = None, what: str = "",
    alive: Callable[[], bool] = lambda: True,
    finish: Callable[[tuple[int, str | None, Outgoing]], object] | None = None,
    record_sent: Callable[[tuple[int, str | None, Outgoing]], object] | None = None,
) -> Delivered:
    """Send staged outbox rows in order, settling each in the outbox: the one path every staged
    message takes (replies to events, stock alerts).

    Sent → ``sent`` (its message id remembered for receipts); no answer → ``unknown``, never sent
    again; a final error → ``failed``. An error to wait out stops here and leaves this row and the
    rest ``pending`` for the next try. With ``finish``, the last row sent is settled by
    ``finish((outbox_id, message_id, out))`` instead: its result and the event done in one transaction;
    with ``record_sent``, the others by ``record_sent((outbox_id, message_id, out))``: the row sent and
    its message id kept in one transaction.
    """
    rows = list(rows)
    for index, (outbox_id, out) in enumerate(rows):
        if not alive():
            return Delivered(stopped=True)
        result = sender.send(out)
        if result.ok and finish is not None and index == len(rows) - 1:
            finish((outbox_id, result.message_id, out))
            continue
        if result.ok and record_sent is not None:
            record_sent((outbox_id, result.message_id, out))
            continue
        if result.ok:
            outbox.mark_sent(outbox_id, result.message_id)
            if messages is not None and result.message_id and out.kind == "message":
                messages.record_sent(out.platform, out.recipient_id, result.message_id)
            continue
        error = result.error
        if waits_for_graph(out, error):
            return Delivered(waiting=error)
        if isinstance(error, DeliveryUnknown):
            outbox.mark_unknown(outbox_id, str(error))
            log.warning("%s: message %s may have been sent (no answer); not sent again", what, outbox_id)
            continue
        outbox.mark_failed(outbox_id, getattr(error, "code", None), str(error))
        log.warning("%s: message to %s not sent: %s", what, customer_ref(out.platform, out.recipient_id), error)
    return Delivered()


def waits_for_graph(out: Outgoing, error: SendError | None) -> bool:
    """True when the send should wait: the API is down or throttling, or the token was refused.

    A refused token (190, permission codes) pauses the channel's messages; a handover refused
    for a permission, or a channel with no token configured at all, is a final failure.
    """
    if getattr(error, "retryable", False):
        return True
    return isinstance(error, AuthError) and error.code is not None and out.kind == "message"
