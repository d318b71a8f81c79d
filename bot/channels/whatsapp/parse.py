"""WhatsApp Cloud API: webhook bodies (``object: whatsapp_business_account``) to events; rendering
is re-exported.

Parsing (platform_spec §6): every ``entry[].changes[]`` with field ``messages`` (other fields are
logged and skipped), and in each ``value`` every ``messages[]``, ``statuses[]`` and ``errors[]``
item. ``customer_id`` is ``from`` (the wa_id), else ``from_user_id`` (business-scoped user id),
else the matching contact's ``wa_id`` / ``user_id``; "" when the customer cannot be addressed, and
for group messages (``data["group_id"]``; a shopping bot does not talk in groups).
``recipient_id`` is ``metadata.phone_number_id``; ``message_id`` the wamid (a status keeps the id of
the message it describes). Unknown status values (``deleted``) give no event, only a log line.
Timestamps that are not numbers fall back to ``received_at``.

Rendering (:func:`render`, :func:`mark_read`, :func:`address`) lives in
:mod:`bot.channels.whatsapp.render` and is re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.channels.fields import as_dict, as_list, as_number, as_text, opaque_id, platform_id, safely, seconds
from bot.channels.whatsapp.render import address, mark_read, render
from bot.events import Event, Kind, Platform
from bot.logs import pseudonym

__all__ = ["KNOWN_STATUSES", "address", "mark_read", "parse", "render"]

log = logging.getLogger("bot.channels.whatsapp")

PLATFORM = Platform.WHATSAPP
KNOWN_STATUSES = frozenset({"sent", "delivered", "read", "failed", "played"})
MEDIA_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file", "sticker": "sticker"}


def parse(body: dict, received_at: float = 0.0) -> list[Event]:
    """Every event of a ``whatsapp_business_account`` webhook body, in order; never raises."""
    events: list[Event] = []
    for entry in as_list(body.get("entry")):
        for change in as_list(as_dict(entry).get("changes")):
            events += _parse_change(change, received_at)
    return events


def _parse_change(change: Any, received_at: float) -> list[Event]:
    """The messages, statuses and errors of one ``changes[]`` item."""
    change = as_dict(change)
    field = change.get("field", "messages")
    if field != "messages":
        log.info("whatsapp: skipped a change for field %.80r", field)
        return []
    value = as_dict(change.get("value"))
    phone_number_id = platform_id(as_dict(value.get("metadata")).get("phone_number_id"), "phone number id")
    contacts = [c for c in as_list(value.get("contacts")) if isinstance(c, dict)]
    events: list[Event] = []
    for message in as_list(value.get("messages")):
        events += safely(PLATFORM, _parse_message, message, phone_number_id, contacts, received_at)
    for status in as_list(value.get("statuses")):
        events += safely(PLATFORM, _parse_status, status, phone_number_id, received_at)
    for error in as_list(value.get("errors")):
        events += safely(PLATFORM, _parse_value_error, error, phone_number_id, received_at)
    return events


def _contact_for(message: dict, contacts: list[dict]) -> dict:
    """The ``contacts[]`` entry of the message's author (the only one when ids are missing)."""
    sender, user_id = opaque_id(message.get("from")), opaque_id(message.get("from_user_id"))
    for contact in contacts:
        if (sender and opaque_id(contact.get("wa_id")) == sender) or (
            user_id and opaque_id(contact.get("user_id")) == user_id
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _identity(message: dict, contact: dict) -> tuple[str, dict[str, Any]]:
    """The id we reply to, and the identity fields for ``data``."""
    wa_id = platform_id(message.get("from"), "sender id") or platform_id(contact.get("wa_id"), "sender id")
    user_id = platform_id(message.get("from_user_id"), "sender id") or platform_id(contact.get("user_id"), "sender id")
    profile = as_dict(contact.get("profile"))
    data = {
        "wa_id": wa_id,
        "user_id": user_id,
        "parent_user_id": opaque_id(message.get("from_parent_user_id")) or opaque_id(contact.get("parent_user_id")),
        "profile_name": as_text(profile.get("name")),
        "username": as_text(profile.get("username")),
    }
    return wa_id or user_id, data


def _context_data(message: dict) -> dict[str, Any]:
    """Reply context, forwarding flags, referred product, ad referral and message errors."""
    data: dict[str, Any] = {}
    context = as_dict(message.get("context"))
    if context.get("id") is not None:
        data["context_id"] = opaque_id(context.get("id"))
        data["context_from"] = opaque_id(context.get("from"))
    data["forwarded"] = bool(context.get("forwarded") or context.get("frequently_forwarded"))
    if context.get("frequently_forwarded"):
        data["frequently_forwarded"] = True
    product = as_dict(context.get("referred_product"))
    if product:
        data["referred_product"] = {key: opaque_id(value) for key, value in product.items()}
    referral = as_dict(message.get("referral"))
    if referral:
        data["referral"] = {key: as_text(value) for key, value in referral.items() if as_text(value)}
    if "errors" in message:
        data["errors"] = _errors(message.get("errors"))
    return data


def _parse_message(message: dict, phone_number_id: str, contacts: list[dict], received_at: float) -> Event:
    """One ``messages[]`` item."""
    customer_id, data = _identity(message, _contact_for(message, contacts))
    data.update(_context_data(message))
    group_id = opaque_id(message.get("group_id"))
    if group_id:
        log.info("whatsapp: group message in %s recorded, not answered", pseudonym(group_id))
        data.update(group_id=group_id, group_sender=customer_id)
        customer_id = ""
    elif not customer_id:
        log.warning("whatsapp: a message without from / user id cannot be answered")
    kind_name = as_text(message.get("type"))
    handler = _TYPES.get(kind_name, _unknown_type)
    fields = handler(as_dict(message.get(kind_name)), message, data)
    return Event(
        platform=PLATFORM,
        customer_id=customer_id,
        message_id=platform_id(message.get("id"), "message id"),
        timestamp=seconds(message.get("timestamp"), received_at),
        recipient_id=phone_number_id,
        raw=message,
        **fields,
    )


def _text(text: dict, message: dict, data: dict) -> dict[str, Any]:
    return {"kind": Kind.TEXT, "text": as_text(text.get("body")), "data": data}


def _interactive(interactive: dict, message: dict, data: dict) -> dict[str, Any]:
    """A reply-button or list-row tap; flows and unknown shapes are unsupported."""
    kind_name = as_text(interactive.get("type"))
    data["interactive_type"] = kind_name
    if kind_name in ("button_reply", "list_reply"):
        reply = as_dict(interactive.get(kind_name))
        if as_text(reply.get("description")):
            data["description"] = as_text(reply.get("description"))
        return {"kind": Kind.PAYLOAD, "text": as_text(reply.get("title")), "payload": as_text(reply.get("id")),
                "data": data}
    if kind_name == "nfm_reply":
        flow = as_dict(interactive.get("nfm_reply"))
        data["flow"] = {key: as_text(flow.get(key)) for key in ("name", "body", "response_json")}
    if not interactive:
        log.warning("whatsapp: interactive message without its interactive object")
    return {"kind": Kind.UNSUPPORTED, "data": data}


def _template_button(button: dict, message: dict, data: dict) -> dict[str, Any]:
    """A template quick-reply button (``type: button``, not interactive)."""
    data["source"] = "template_button"
    return {"kind": Kind.PAYLOAD, "text": as_text(button.get("text")), "payload": as_text(button.get("payload")),
            "data": data}


def _media(media: dict, message: dict, data: dict) -> dict[str, Any]:
    """Image, video, audio, document or sticker; fetched later by ``media_id``."""
    data.update(
        type=MEDIA_TYPES[as_text(message.get("type"))],
        media_id=opaque_id(media.get("id")),
        mime_type=as_text(media.get("mime_type")),
        url=as_text(media.get("url")),
    )
    for key in ("caption", "filename"):
        if as_text(media.get(key)):
            data[key] = as_text(media.get(key))
    for key in ("voice", "animated"):
        if key in media:
            data[key] = bool(media.get(key))
    return {"kind": Kind.ATTACHMENT, "text": as_text(media.get("caption")), "data": data}


def _location(location: dict, message: dict, data: dict) -> dict[str, Any]:
    data.update(
        latitude=as_number(location.get("latitude")),
        longitude=as_number(location.get("longitude")),
        name=as_text(location.get("name")),
        address=as_text(location.get("address")),
        url=as_text(location.get("url")),
    )
    return {"kind": Kind.LOCATION, "data": data}


def _contacts(_: dict, message: dict, data: dict) -> dict[str, Any]:
    """Shared contact cards: name and phone numbers of each."""
    cards = []
    for card in map(as_dict, as_list(message.get("contacts"))):
        phones = [as_dict(phone) for phone in as_list(card.get("phones"))]
        cards.append(
            {
                "name": as_text(as_dict(card.get("name")).get("formatted_name")),
                "phones": [as_text(phone.get("phone")) for phone in phones],
                "wa_ids": [opaque_id(phone.get("wa_id")) for phone in phones if phone.get("wa_id")],
            }
        )
    data["contacts"] = cards
    return {"kind": Kind.CONTACTS, "data": data}


def _order(order: dict, message: dict, data: dict) -> dict[str, Any]:
    """A cart sent from the catalogue."""
    items = [
        {
            "retailer_id": opaque_id(item.get("product_retailer_id")),
            "quantity": as_number(item.get("quantity")),
            "item_price": as_number(item.get("item_price")),
            "currency": as_text(item.get("currency")),
        }
        for item in map(as_dict, as_list(order.get("product_items")))
    ]
    note = as_text(order.get("text"))
    data.update(catalog_id=opaque_id(order.get("catalog_id")), items=items, note=note)
    return {"kind": Kind.ORDER, "text": note, "data": data}


def _reaction(reaction: dict, message: dict, data: dict) -> dict[str, Any]:
    """A reaction to one of our messages; an empty emoji means it was removed."""
    emoji = as_text(reaction.get("emoji"))
    data.update(emoji=emoji, action="react" if emoji else "unreact",
                target_message_id=opaque_id(reaction.get("message_id")))
    return {"kind": Kind.REACTION, "data": data}


def _revoke(revoke: dict, message: dict, data: dict) -> dict[str, Any]:
    data["original_message_id"] = opaque_id(revoke.get("original_message_id"))
    return {"kind": Kind.REVOKE, "data": data}


def _system(system: dict, message: dict, data: dict) -> dict[str, Any]:
    """User changed number / identity: recorded so the customer can be re-keyed."""
    data.update(
        system_type=as_text(system.get("type")),
        body=as_text(system.get("body")),
        new_wa_id=opaque_id(system.get("wa_id")),
        new_user_id=opaque_id(system.get("user_id")),
        identity=as_text(system.get("identity")),
    )
    return {"kind": Kind.SYSTEM, "data": data}


def _unsupported(unsupported: dict, message: dict, data: dict) -> dict[str, Any]:
    """A message type the platform could not give us (edits, polls, ...): errors kept."""
    data["unsupported_type"] = as_text(unsupported.get("type"))
    data.setdefault("errors", [])
    return {"kind": Kind.UNSUPPORTED, "data": data}


def _unknown_type(_: dict, message: dict, data: dict) -> dict[str, Any]:
    log.info("whatsapp: unknown message type %.80r recorded", message.get("type"))
    data["type"] = as_text(message.get("type"))
    return {"kind": Kind.UNKNOWN, "data": data}


def _parse_status(status: dict, phone_number_id: str, received_at: float) -> Event | None:
    """sent / delivered / read / failed / played of a message we sent; other values ignored."""
    value = as_text(status.get("status"))
    if value not in KNOWN_STATUSES:
        log.info("whatsapp: ignored unknown status value %.40r for %s", value, pseudonym(opaque_id(status.get("id"))))
        return None
    data: dict[str, Any] = {
        "status": value,
        "errors": _errors(status.get("errors")),
        "recipient_user_id": platform_id(status.get("recipient_user_id"), "recipient id"),
        "biz_opaque_callback_data": as_text(status.get("biz_opaque_callback_data")),
        "conversation_id": opaque_id(as_dict(status.get("conversation")).get("id")),
        "pricing_category": as_text(as_dict(status.get("pricing")).get("category")),
    }
    if value == "failed":
        codes = [error["code"] for error in data["errors"]]
        log.warning("whatsapp: message %s failed: %s", pseudonym(opaque_id(status.get("id"))), codes)
    return Event(
        platform=PLATFORM,
        customer_id=platform_id(status.get("recipient_id"), "recipient id") or data["recipient_user_id"],
        kind=Kind.STATUS,
        message_id=platform_id(status.get("id"), "message id"),
        timestamp=seconds(status.get("timestamp"), received_at),
        recipient_id=phone_number_id,
        data=data,
        raw=status,
    )


def _parse_value_error(error: dict, phone_number_id: str, received_at: float) -> Event:
    """A platform error about the account or app, not about one message: an alarm."""
    errors = _errors([error])
    log.warning("whatsapp: platform error for %s: %s", pseudonym(phone_number_id), errors[0])
    return Event(
        platform=PLATFORM,
        customer_id="",
        kind=Kind.ERROR,
        timestamp=received_at,
        recipient_id=phone_number_id,
        data={"errors": errors},
        raw=error,
    )


def _errors(value: Any) -> list[dict[str, Any]]:
    """Error objects as ``{code, title, message, details, href}`` (code an int or None)."""
    result = []
    for error in map(as_dict, as_list(value)):
        details = as_text(as_dict(error.get("error_data")).get("details")) or as_text(error.get("details"))
        result.append(
            {
                "code": _code(error.get("code")),
                "title": as_text(error.get("title")),
                "message": as_text(error.get("message")),
                "details": details,
                "href": as_text(error.get("href")),
            }
        )
    return result


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None



_TYPES: dict[str, Callable[[dict, dict, dict], dict[str, Any]]] = {
    "text": _text,
    "interactive": _interactive,
    "button": _template_button,
    **{name: _media for name in MEDIA_TYPES},
    "location": _location,
    "contacts": _contacts,
    "order": _order,
    "reaction": _reaction,
    "revoke": _revoke,
    "system": _system,
    "unsupported": _unsupported,
    "unknown": _unsupported,
}
