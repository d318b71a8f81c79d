"""Messenger: webhook bodies (``object: page``) to events.

Parsing (platform_spec §4): every ``entry[]`` and every ``messaging[]`` / ``standby[]`` item gives
at most one :class:`Event`. The event kind is found by key (``message``, ``postback``, ...);
``customer_id`` is the PSID (``sender.id``; ``recipient.id`` for echoes), ``recipient_id`` the
Page id, ``message_id`` the ``mid`` when there is one (a postback without ``mid`` and receipts keep
"" so the inbox dedupes them on the raw item). Standby items are ``Kind.STANDBY`` and echoes
``Kind.ECHO``: neither is ever answered. An echo is an item with ``is_echo`` or any item the
entry's own account (``entry.id``: the Page, or the Instagram account) sent to someone else, so
the bot never answers itself. A referral from an ad (``ad_id`` or source ``ADS``) is recorded, not
answered (customer_id "", the PSID in ``data["sender_id"]``): the customer's next message is what
we answer; an m.me link referral is answered. ``entry[].changes[]`` (feed, comments, mentions,
the dashboard's "Test" button) are not read: their field names are logged at INFO. An edited
message is recorded, not answered (``Kind.EDIT``, logged at INFO).

:func:`parse_entries` and the item handlers serve Instagram too, whose webhook speaks the same
dialect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.channels.fields import as_dict, as_list, as_number, as_text, opaque_id, platform_id, safely, seconds
from bot.events import Event, Kind, Platform

__all__ = ["HANDLERS", "LIKE_STICKER_ID", "Handler", "parse", "parse_entries"]

log = logging.getLogger("bot.channels.messenger")

PLATFORM = Platform.MESSENGER
LIKE_STICKER_ID = "369239263222822"
MAX_KEY_CHARS = 64  # an unknown item's keys, as recorded and logged
MAX_LOGGED_FIELDS = 8  # field names of unread entry changes in one log line


def parse(body: dict, received_at: float = 0.0) -> list[Event]:
    """Every event of a ``page`` webhook body, in order; never raises for a dict."""
    return parse_entries(body, received_at, PLATFORM, _HANDLERS)


Handler = Callable[[dict, dict, dict], Event]


def parse_entries(
    body: dict, received_at: float, platform: Platform, handlers: tuple[tuple[str, Handler], ...]
) -> list[Event]:
    """Every ``entry[].messaging[]`` / ``standby[]`` item of a Messenger-Platform body (Messenger's
    ``page``, Instagram's ``instagram``), each read by the first of ``handlers`` whose key it has."""
    events: list[Event] = []
    for entry in as_list(body.get("entry")):
        if not isinstance(entry, dict):
            log.warning("%s: skipped an entry that is not an object: %.200r", platform, entry)
            continue
        account_id = platform_id(entry.get("id"), "page id")
        entry_time = seconds(entry.get("time"), received_at)
        for item in as_list(entry.get("messaging")):
            events += safely(platform, _parse_item, item, _Context(platform, account_id, entry_time, handlers))
        for item in as_list(entry.get("standby")):
            events += safely(platform, _parse_standby, item, _Context(platform, account_id, entry_time, handlers))
        _log_changes(platform, entry)
    return events


def _log_changes(platform: Platform, entry: dict) -> None:
    """Say which ``changes[]`` fields an entry carried: they give no events (comments, mentions, feed)."""
    changes = as_list(entry.get("changes"))
    if not changes:
        return
    fields = sorted({as_text(as_dict(change).get("field"))[:MAX_KEY_CHARS] or "?" for change in changes})
    log.info("%s: %d entry changes not read (fields %s)", platform, len(changes), fields[:MAX_LOGGED_FIELDS])


@dataclass(frozen=True)
class _Context:
    """What every item of one entry shares."""

    platform: Platform
    account_id: str
    entry_time: float
    handlers: tuple[tuple[str, Handler], ...]


def _base(item: dict, context: _Context) -> dict[str, Any]:
    """The fields every event of ``item`` shares."""
    sender, recipient = as_dict(item.get("sender")), as_dict(item.get("recipient"))
    return {
        "platform": context.platform,
        "customer_id": platform_id(sender.get("id"), "sender id"),
        "recipient_id": platform_id(recipient.get("id"), "recipient id") or context.account_id,
        "timestamp": seconds(item.get("timestamp"), context.entry_time),
        "raw": item,
    }


def _parse_item(item: dict, context: _Context) -> Event:
    """One ``messaging[]`` item; one the account itself sent is an echo whatever it says."""
    base = _base(item, context)
    for key, handler in context.handlers:
        if key in item:
            if _from_account(item, base, context):
                return _own_item(key, as_dict(item.get(key)), item, base)
            return handler(as_dict(item.get(key)), item, base)
    known = sorted(key[:MAX_KEY_CHARS] for key in item if key not in ("sender", "recipient", "timestamp"))
    log.info("%s: unknown messaging item with %d keys %s", context.platform, len(known), known[:8])
    return Event(kind=Kind.UNKNOWN, data={"event": known[0] if known else ""}, **base)


def _parse_standby(item: dict, context: _Context) -> Event:
    """One ``standby[]`` item: another app owns the thread, so it is recorded, never answered."""
    base = _base(item, context)
    event = next((key for key, _ in context.handlers if key in item), "")
    inner = as_dict(item.get(event)) if event else {}
    data: dict[str, Any] = {"event": event}
    if inner.get("is_echo"):
        data["is_echo"] = True
    return Event(
        kind=Kind.STANDBY,
        text=as_text(inner.get("text")),
        message_id=platform_id(inner.get("mid"), "message id"),
        data=data,
        **base,
    )


def _message(message: dict, item: dict, base: dict) -> Event:
    """``message``: echo, quick reply, text, attachments (or nothing usable)."""
    if message.get("is_echo"):
        return _echo(message, item, base)
    text = as_text(message.get("text"))
    data = _message_data(message)
    mid = platform_id(message.get("mid"), "message id")
    quick = as_dict(message.get("quick_reply"))
    payload = as_text(quick.get("payload"))
    if payload:
        return Event(kind=Kind.PAYLOAD, text=text, payload=payload, message_id=mid,
                     data={**data, "source": "quick_reply"}, **base)
    if text.strip():
        return Event(kind=Kind.TEXT, text=text, message_id=mid, data=data, **base)
    attachments = data.get("attachments", [])
    if attachments:
        return _attachment_event(attachments, mid, data, base)
    return Event(kind=Kind.UNKNOWN, message_id=mid, data={**data, "event": "message"}, **base)


def _message_data(message: dict) -> dict[str, Any]:
    """The kind-independent extras of a message: reply_to, attachments, referral, tags."""
    data: dict[str, Any] = {}
    reply_to = as_dict(message.get("reply_to"))
    if reply_to.get("mid") is not None:
        data["reply_to"] = opaque_id(reply_to.get("mid"))
        data["is_self_reply"] = bool(reply_to.get("is_self_reply"))
    attachments = [_attachment(a) for a in as_list(message.get("attachments")) if isinstance(a, dict)]
    if attachments:
        data["attachments"] = attachments
    if isinstance(message.get("referral"), dict):
        data["referral"] = _referral(message["referral"])
    tags = [as_text(as_dict(tag).get("source")) for tag in as_list(message.get("tags"))]
    if any(tags):
        data["tags"] = [tag for tag in tags if tag]
    return data


def _attachment(attachment: dict) -> dict[str, Any]:
    """One attachment as ``{type, url, ...}`` (stickers, legacy location, fallback title)."""
    payload = as_dict(attachment.get("payload"))
    kind = as_text(attachment.get("type")) or "unknown"
    result: dict[str, Any] = {"type": kind, "url": as_text(payload.get("url")) or as_text(attachment.get("url"))}
    sticker_id = opaque_id(payload.get("sticker_id"))
    if sticker_id:
        result.update(type="sticker", sticker_id=sticker_id, like=sticker_id == LIKE_STICKER_ID)
    if as_text(attachment.get("title")) or as_text(payload.get("title")):
        result["title"] = as_text(attachment.get("title")) or as_text(payload.get("title"))
    coordinates = as_dict(payload.get("coordinates"))
    if kind == "location" and coordinates:
        result["latitude"] = as_number(coordinates.get("lat"))
        result["longitude"] = as_number(coordinates.get("long"))
    return result


def _attachment_event(attachments: list[dict], mid: str, data: dict, base: dict) -> Event:
    """ATTACHMENT for media and stickers, LOCATION for the legacy location attachment."""
    stickers = [a for a in attachments if a["type"] == "sticker"]
    primary = stickers[0] if stickers else attachments[0]
    if primary["type"] == "location" and "latitude" in primary:
        location = {"latitude": primary["latitude"], "longitude": primary["longitude"], "name": "", "address": ""}
        return Event(kind=Kind.LOCATION, message_id=mid, data={**data, **location}, **base)
    fields = {key: value for key, value in primary.items()}
    return Event(kind=Kind.ATTACHMENT, message_id=mid, data={**data, **fields}, **base)


def _echo(message: dict, item: dict, base: dict) -> Event:
    """A message the Page sent: sender and recipient are swapped; never answered."""
    sender, recipient = as_dict(item.get("sender")), as_dict(item.get("recipient"))
    data = {
        "is_echo": True,
        "app_id": opaque_id(message.get("app_id")),
        "metadata": as_text(message.get("metadata")),
    }
    attachments = [_attachment(a) for a in as_list(message.get("attachments")) if isinstance(a, dict)]
    if attachments:
        data["attachments"] = attachments
    customer_id = platform_id(recipient.get("id"), "recipient id")
    page_id = platform_id(sender.get("id"), "sender id") or base["recipient_id"]
    fields = {**base, "customer_id": customer_id, "recipient_id": page_id}
    mid = platform_id(message.get("mid"), "message id")
    return Event(kind=Kind.ECHO, text=as_text(message.get("text")), message_id=mid, data=data, **fields)


def _from_account(item: dict, base: dict, context: _Context) -> bool:
    """True when the entry's own account sent ``item`` to someone else (an echo, flagged or not).

    An item naming one id as entry, sender and recipient (library samples with placeholder ids)
    is not taken for one: nobody is messaged by it either way.
    """
    if not context.account_id or base["customer_id"] != context.account_id:
        return False
    recipient = platform_id(as_dict(item.get("recipient")).get("id"), "recipient id")
    return recipient != context.account_id


def _own_item(key: str, inner: dict, item: dict, base: dict) -> Event:
    """An item sent by the entry's own account (with or without ``is_echo``): an echo, never answered."""
    event = _echo(inner, item, base)
    if key == "message":
        return event
    return replace(event, data={**event.data, "event": key})


def _postback(postback: dict, item: dict, base: dict) -> Event:
    """A button, Get Started or menu tap; ``mid`` only on newer payloads."""
    payload = as_text(postback.get("payload"))
    data: dict[str, Any] = {"source": "postback"}
    if isinstance(postback.get("referral"), dict):
        data["referral"] = _referral(postback["referral"])
    kind = Kind.PAYLOAD if payload else Kind.UNKNOWN
    mid = platform_id(postback.get("mid"), "message id")
    return Event(kind=kind, text=as_text(postback.get("title")), payload=payload, message_id=mid, data=data, **base)


def _referral(referral: dict) -> dict[str, Any]:
    """The fields of a referral (m.me link, ad, QR code) as strings."""
    keys = ("ref", "source", "type", "ad_id", "referer_uri")
    result: dict[str, Any] = {key: as_text(referral.get(key)) for key in keys}
    ads = as_dict(referral.get("ads_context_data"))
    if ads:
        result["ads_context_data"] = {key: as_text(value) for key, value in ads.items()}
    return result


def _standalone_referral(referral: dict, item: dict, base: dict) -> Event:
    """An existing thread re-opened by an m.me link (answered) or an ad (recorded only)."""
    data: dict[str, Any] = _referral(referral)
    user_ref = as_text(as_dict(item.get("sender")).get("user_ref"))
    if user_ref:
        data["user_ref"] = user_ref
    if data["ad_id"] or data["source"].upper() == "ADS":
        data["sender_id"] = base["customer_id"]
        base = {**base, "customer_id": ""}
    return Event(kind=Kind.REFERRAL, text="", payload=data["ref"], data=data, **base)


def _receipt(kind: Kind) -> Callable[[dict, dict, dict], Event]:
    """A delivery or read receipt: every message up to ``watermark`` (epoch seconds)."""

    def parse_receipt(receipt: dict, item: dict, base: dict) -> Event:
        data: dict[str, Any] = {"watermark": seconds(receipt.get("watermark"))}
        mids = [opaque_id(mid) for mid in as_list(receipt.get("mids"))]
        if kind is Kind.DELIVERY:
            data["mids"] = [mid for mid in mids if mid]
        return Event(kind=kind, data=data, **base)

    return parse_receipt


def _reaction(reaction: dict, item: dict, base: dict) -> Event:
    """A reaction to a Page message; the reacted message is ``data["target_mid"]``."""
    data = {
        "action": as_text(reaction.get("action")) or "react",
        "emoji": as_text(reaction.get("emoji")),
        "reaction": as_text(reaction.get("reaction")),
        "target_mid": opaque_id(reaction.get("mid")),
    }
    return Event(kind=Kind.REACTION, data=data, **base)


def _optin(optin: dict, item: dict, base: dict) -> Event:
    """Plugin opt-in (``ref``) or marketing-messages opt-in (token, frequency, status)."""
    data = {
        "type": as_text(optin.get("type")),
        "ref": as_text(optin.get("ref")),
        "payload": as_text(optin.get("payload")),
        "user_ref": as_text(optin.get("user_ref")) or as_text(as_dict(item.get("sender")).get("user_ref")),
        "token": as_text(optin.get("notification_messages_token")),
        "frequency": as_text(optin.get("notification_messages_frequency")),
        "status": as_text(optin.get("notification_messages_status")),
        "token_status": as_text(optin.get("user_token_status")),
        "token_expiry": seconds(optin.get("token_expiry_timestamp")),
        "title": as_text(optin.get("title")),
    }
    return Event(kind=Kind.OPTIN, payload=str(data["ref"] or data["payload"]), data=data, **base)


def _account_linking(linking: dict, item: dict, base: dict) -> Event:
    data = {"status": as_text(linking.get("status")), "authorization_code": as_text(linking.get("authorization_code"))}
    return Event(kind=Kind.ACCOUNT_LINKING, data=data, **base)


def _handover(action: str) -> Callable[[dict, dict, dict], Event]:
    """pass / take / request thread control and app_roles, app ids as strings."""

    def parse_handover(control: dict, item: dict, base: dict) -> Event:
        data: dict[str, Any] = {"action": action, "metadata": as_text(control.get("metadata"))}
        for key in ("new_owner_app_id", "previous_owner_app_id", "requested_owner_app_id"):
            if key in control:
                data[key] = opaque_id(control.get(key))
        if action == "roles":
            data["app_roles"] = {str(app): [as_text(r) for r in as_list(roles)] for app, roles in control.items()}
        return Event(kind=Kind.HANDOVER, data=data, **base)

    return parse_handover


def _policy(policy: dict, item: dict, base: dict) -> Event:
    """A policy enforcement notice for the Page: an alarm in the logs."""
    data = {"action": as_text(policy.get("action")), "reason": as_text(policy.get("reason"))}
    log.warning("%s: POLICY ENFORCEMENT on account %s: %s (%s)", base["platform"], base["recipient_id"],
                data["action"], data["reason"])
    return Event(kind=Kind.POLICY, data=data, **base)


def _order(order: dict, item: dict, base: dict) -> Event:
    """A cart sent from Shops."""
    items = [
        {
            "id": opaque_id(product.get("id")),
            "retailer_id": opaque_id(product.get("retailer_id")),
            "name": as_text(product.get("name")),
            "unit_price": as_number(product.get("unit_price")),
            "currency": as_text(product.get("currency")),
            "quantity": as_number(product.get("quantity")),
        }
        for product in map(as_dict, as_list(order.get("products")))
    ]
    note = as_text(order.get("note"))
    return Event(kind=Kind.ORDER, text=note, data={"items": items, "note": note}, **base)


def _edit(edit: dict, item: dict, base: dict) -> Event:
    """A customer edited an earlier message: recorded (at INFO), not answered again."""
    data = {"event": "message_edit", "edited_mid": opaque_id(edit.get("mid")), "text": as_text(edit.get("text"))}
    return Event(kind=Kind.EDIT, data=data, **base)


_HANDLERS: tuple[tuple[str, Handler], ...] = (
    ("message", _message),
    ("postback", _postback),
    ("delivery", _receipt(Kind.DELIVERY)),
    ("read", _receipt(Kind.READ)),
    ("reaction", _reaction),
    ("referral", _standalone_referral),
    ("optin", _optin),
    ("account_linking", _account_linking),
    ("pass_thread_control", _handover("pass")),
    ("take_thread_control", _handover("take")),
    ("request_thread_control", _handover("request")),
    ("app_roles", _handover("roles")),
    ("policy_enforcement", _policy),
    ("order", _order),
    ("message_edit", _edit),
)
#: The item handlers by key, for the other channels that speak this dialect (Instagram).
HANDLERS: dict[str, Handler] = dict(_HANDLERS)
