"""Instagram Direct: webhook bodies (``object: instagram``) to events.

Instagram's messaging webhook speaks the Messenger Platform's dialect (``entry[].messaging[]``
with ``message``, ``postback``, ``reaction``, ``referral``, ``read``), so the item handlers are
Messenger's (:mod:`bot.channels.messenger.parse`); what differs is read here:

* ``customer_id`` is the Instagram-scoped id (IGSID), ``recipient_id`` the professional account id;
* a reply to one of the shop's stories is text with ``data["story"]`` (``id``, ``url``): answered;
* a story mention (``attachments[].type == "story_mention"``) is ``Kind.MENTION``: recorded, not
  answered (the customer spoke about the shop, not to it);
* ``is_deleted`` is ``Kind.REVOKE`` and ``is_unsupported`` ``Kind.UNSUPPORTED`` (answered once);
* ``read`` (the ``messaging_seen`` field) names one ``mid``; the item's time is the watermark;
* echoes (``is_echo``, or any item the professional account itself sent) are ``Kind.ECHO``,
  never answered;
* an edited message (``message_edit``) is recorded quietly, not answered again; ``changes[]``
  (comments, mentions) give no events, their field names are logged.
"""

from __future__ import annotations

import logging

from bot.channels.fields import as_dict, as_list, as_text, platform_id, seconds
from bot.channels.messenger.parse import HANDLERS, Handler, parse_entries
from bot.events import Event, Kind, Platform

__all__ = ["parse"]

log = logging.getLogger("bot.channels.instagram")

PLATFORM = Platform.INSTAGRAM
_MESSENGER = HANDLERS


def parse(body: dict, received_at: float = 0.0) -> list[Event]:
    """Every event of an ``instagram`` webhook body, in order; never raises for a dict."""
    return parse_entries(body, received_at, PLATFORM, _HANDLERS)


def _message(message: dict, item: dict, base: dict) -> Event:
    """``message``: deleted, unsupported, story mention, story reply, else as on Messenger."""
    if message.get("is_echo"):
        return _MESSENGER["message"](message, item, base)
    mid = platform_id(message.get("mid"), "message id")
    if message.get("is_deleted"):
        return Event(kind=Kind.REVOKE, message_id=mid, data={"deleted_mid": mid}, **base)
    if message.get("is_unsupported"):
        return Event(kind=Kind.UNSUPPORTED, message_id=mid, data={"type": "unsupported"}, **base)
    mention = _story_mention(message)
    if mention is not None:
        return Event(kind=Kind.MENTION, message_id=mid, data={"type": "story_mention", **mention}, **base)
    event = _MESSENGER["message"](message, item, base)
    story = as_dict(as_dict(message.get("reply_to")).get("story"))
    if not story:
        return event
    data = {**event.data, "story": {"id": as_text(story.get("id")), "url": as_text(story.get("url"))}}
    return Event(
        platform=event.platform, customer_id=event.customer_id, kind=event.kind, text=event.text,
        payload=event.payload, message_id=event.message_id, timestamp=event.timestamp,
        recipient_id=event.recipient_id, data=data, raw=event.raw,
    )


def _story_mention(message: dict) -> dict[str, str] | None:
    """The mention's story url when one attachment is a story mention, else None."""
    for attachment in map(as_dict, as_list(message.get("attachments"))):
        if as_text(attachment.get("type")) == "story_mention":
            return {"url": as_text(as_dict(attachment.get("payload")).get("url"))}
    return None


def _seen(read: dict, item: dict, base: dict) -> Event:
    """``messaging_seen``: the customer saw ``mid`` and everything before it (by the item's time)."""
    data = {"watermark": seconds(item.get("timestamp"), base["timestamp"]),
            "mid": platform_id(read.get("mid"), "message id")}
    return Event(kind=Kind.READ, data=data, **base)


_HANDLERS: tuple[tuple[str, Handler], ...] = (
    ("message", _message),
    ("postback", _MESSENGER["postback"]),
    ("read", _seen),
    ("reaction", _MESSENGER["reaction"]),
    ("referral", _MESSENGER["referral"]),
    ("message_edit", _MESSENGER["message_edit"]),
)
