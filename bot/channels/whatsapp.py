"""WhatsApp Cloud API: webhook bodies (``object: whatsapp_business_account``) to events, replies to
Send API requests.

Parsing (platform_spec §6): every ``entry[].changes[]`` with field ``messages`` (other fields are
logged and skipped), and in each ``value`` every ``messages[]``, ``statuses[]`` and ``errors[]``
item. ``customer_id`` is ``from`` (the wa_id), else ``from_user_id`` (business-scoped user id),
else the matching contact's ``wa_id`` / ``user_id``; "" when the customer cannot be addressed, and
for group messages (``data["group_id"]``; a shopping bot does not talk in groups).
``recipient_id`` is ``metadata.phone_number_id``; ``message_id`` the wamid (a status keeps the id of
the message it describes). Unknown status values (``deleted``) give no event, only a log line.
Timestamps that are not numbers fall back to ``received_at``.

Rendering (platform_spec §7, §9): :func:`render` returns a list of
:class:`~bot.replies.Outgoing` (``platform="whatsapp"``, ``kind="message"``), each ``body`` the
JSON for ``POST /<phone_number_id>/messages``. The customer is addressed with ``to`` (a phone
number / wa_id) or, for a business-scoped user id such as ``US.1349…``, with ``recipient``.
Quick replies become reply buttons (≤ 3) or a list; cards become a list (row id = card payload);
one card becomes an image with caption plus reply buttons; URL buttons become lines of text; a
hand-off renders nothing. :func:`mark_read` gives the read-receipt / typing body
(the caller wraps it as a ``kind="action"`` Outgoing).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable

from bot.channels import as_dict, as_list, as_text, opaque_id, safely, seconds
from bot.channels import limits as L
from bot.events import Event, Kind, Platform
from bot.replies import (
    Button,
    Buttons,
    Card,
    Cards,
    Choice,
    HandOff,
    Image,
    Outgoing,
    QuickReplies,
    Reply,
    Text,
)

__all__ = ["KNOWN_STATUSES", "mark_read", "parse", "render"]

log = logging.getLogger("bot.channels.whatsapp")

PLATFORM = Platform.WHATSAPP
KNOWN_STATUSES = frozenset({"sent", "delivered", "read", "failed", "played"})
MEDIA_TYPES = {"image": "image", "video": "video", "audio": "audio", "document": "file", "sticker": "sticker"}
_BSUID = re.compile(r"^[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}$")
_URL = re.compile(r"https?://", re.IGNORECASE)

# --------------------------------------------------------------------------------------------
# Parsing


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
    phone_number_id = opaque_id(as_dict(value.get("metadata")).get("phone_number_id"))
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
    wa_id = opaque_id(message.get("from")) or opaque_id(contact.get("wa_id"))
    user_id = opaque_id(message.get("from_user_id")) or opaque_id(contact.get("user_id"))
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
        log.info("whatsapp: group message in %s recorded, not answered", group_id)
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
        message_id=opaque_id(message.get("id")),
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
        return {"kind": Kind.PAYLOAD, "text": as_text(reply.get("title")), "payload": as_text(reply.get("id")), "data": data}
    if kind_name == "nfm_reply":
        flow = as_dict(interactive.get("nfm_reply"))
        data["flow"] = {"name": as_text(flow.get("name")), "body": as_text(flow.get("body")), "response_json": as_text(flow.get("response_json"))}
    if not interactive:
        log.warning("whatsapp: interactive message without its interactive object")
    return {"kind": Kind.UNSUPPORTED, "data": data}


def _template_button(button: dict, message: dict, data: dict) -> dict[str, Any]:
    """A template quick-reply button (``type: button``, not interactive)."""
    data["source"] = "template_button"
    return {"kind": Kind.PAYLOAD, "text": as_text(button.get("text")), "payload": as_text(button.get("payload")), "data": data}


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
        latitude=_number(location.get("latitude")),
        longitude=_number(location.get("longitude")),
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
            "quantity": _number(item.get("quantity")),
            "item_price": _number(item.get("item_price")),
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
    data.update(emoji=emoji, action="react" if emoji else "unreact", target_message_id=opaque_id(reaction.get("message_id")))
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
        log.info("whatsapp: ignored unknown status value %.40r for %.80r", value, status.get("id"))
        return None
    data: dict[str, Any] = {
        "status": value,
        "errors": _errors(status.get("errors")),
        "recipient_user_id": opaque_id(status.get("recipient_user_id")),
        "biz_opaque_callback_data": as_text(status.get("biz_opaque_callback_data")),
        "conversation_id": opaque_id(as_dict(status.get("conversation")).get("id")),
        "pricing_category": as_text(as_dict(status.get("pricing")).get("category")),
    }
    if value == "failed":
        codes = [error["code"] for error in data["errors"]]
        log.warning("whatsapp: message %s failed: %s", opaque_id(status.get("id")), codes)
    return Event(
        platform=PLATFORM,
        customer_id=opaque_id(status.get("recipient_id")) or data["recipient_user_id"],
        kind=Kind.STATUS,
        message_id=opaque_id(status.get("id")),
        timestamp=seconds(status.get("timestamp"), received_at),
        recipient_id=phone_number_id,
        data=data,
        raw=status,
    )


def _parse_value_error(error: dict, phone_number_id: str, received_at: float) -> Event:
    """A platform error about the account or app, not about one message: an alarm."""
    errors = _errors([error])
    log.warning("whatsapp: platform error for %s: %s", phone_number_id, errors[0])
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


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
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

# --------------------------------------------------------------------------------------------
# Rendering


def render(reply: Reply, recipient_id: str) -> list[Outgoing]:
    """``reply`` as Cloud API requests to ``recipient_id`` (wa_id or BSUID), within every limit."""
    renderer = _RENDERERS.get(type(reply))
    if renderer is None:
        log.error("whatsapp: no renderer for %s", type(reply).__name__)
        return []
    return renderer(reply, recipient_id)


def mark_read(message_id: str, typing: bool = True) -> dict[str, Any]:
    """The body that marks ``message_id`` (and earlier messages) read, with a typing indicator.

    Posted to ``/<phone_number_id>/messages``; wrap it as ``Outgoing(..., kind="action")``.
    """
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body


def address(recipient_id: str) -> dict[str, str]:
    """``{"to": id}`` for a phone number / wa_id, ``{"recipient": id}`` for a business-scoped id."""
    return {"recipient": recipient_id} if _BSUID.match(recipient_id) else {"to": recipient_id}


def _send(recipient_id: str, kind: str, content: dict) -> Outgoing:
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **address(recipient_id), "type": kind, kind: content}
    return Outgoing(platform=str(PLATFORM), recipient_id=recipient_id, body=body, kind="message")


def _texts(text: str, recipient_id: str) -> list[Outgoing]:
    return [
        _send(recipient_id, "text", {"body": chunk, "preview_url": bool(_URL.search(chunk))})
        for chunk in L.split_text(text, L.WHATSAPP_TEXT_MAX)
    ]


def _interactive_message(text: str, recipient_id: str, kind: str, action: dict) -> list[Outgoing]:
    """An interactive message whose body is the end of ``text``; the rest goes first as text."""
    head, last = L.split_tail(L.first(text, L.FILLER), L.WHATSAPP_INTERACTIVE_BODY_MAX)
    interactive = {"type": kind, "body": {"text": last}, "action": action}
    return _texts(head, recipient_id) + [_send(recipient_id, "interactive", interactive)]


def _reply_buttons(text: str, options: list[tuple[str, str]], recipient_id: str) -> list[Outgoing]:
    """Up to three reply buttons (unique titles ≤ 20, unique ids ≤ 256) under ``text``."""
    options = options[: L.WHATSAPP_REPLY_BUTTONS_MAX]
    titles = L.unique([L.title(t, L.WHATSAPP_BUTTON_TITLE_MAX) for t, _ in options], L.WHATSAPP_BUTTON_TITLE_MAX)
    ids = L.unique_ids([i for _, i in options], L.WHATSAPP_BUTTON_ID_MAX)
    buttons = [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in zip(ids, titles)]
    return _interactive_message(text, recipient_id, "button", {"buttons": buttons})


def _list(text: str, label: str, rows: list[tuple[str, str, str]], recipient_id: str) -> list[Outgoing]:
    """One-section list of at most ten rows ``(id, title, description)``."""
    if len(rows) > L.WHATSAPP_LIST_ROWS_MAX:
        log.warning("whatsapp: dropped %d list rows over the limit of %d", len(rows) - L.WHATSAPP_LIST_ROWS_MAX, L.WHATSAPP_LIST_ROWS_MAX)
    rows = rows[: L.WHATSAPP_LIST_ROWS_MAX]
    ids = L.unique_ids([row_id for row_id, _, _ in rows], L.WHATSAPP_ROW_ID_MAX)
    rendered = []
    for row_id, (_, title, description) in zip(ids, rows):
        row = {"id": row_id, "title": L.title(title, L.WHATSAPP_ROW_TITLE_MAX)}
        description = L.truncate(description, L.WHATSAPP_ROW_DESCRIPTION_MAX)
        if description:
            row["description"] = description
        rendered.append(row)
    button = L.title(label or _default_label(text), L.WHATSAPP_LIST_BUTTON_MAX)
    section = {"title": L.title(button, L.WHATSAPP_SECTION_TITLE_MAX), "rows": rendered}
    action = {"button": button, "sections": [section]}
    return _interactive_message(text, recipient_id, "list", action)


def _default_label(text: str) -> str:
    return "الاختيارات" if L.is_arabic(text) else "Options"


def _url_lines(buttons: tuple[Button, ...], extra_url: str = "") -> list[str]:
    """URL buttons as ``title: url`` lines (reply buttons cannot open links)."""
    lines = [f"{b.title.strip()}: {b.url.strip()}" if b.title.strip() else b.url.strip() for b in buttons if b.url.strip()]
    if extra_url.strip() and all(extra_url.strip() != b.url.strip() for b in buttons):
        lines.append(extra_url.strip())
    return lines


def _postbacks(buttons: tuple[Button, ...]) -> list[tuple[str, str]]:
    return [(L.first(b.title, b.payload), b.payload) for b in buttons if b.payload.strip() and not b.url.strip()]


def _render_text(reply: Text, recipient_id: str) -> list[Outgoing]:
    return _texts(reply.text, recipient_id)


def _image(url: str, caption: str, recipient_id: str) -> list[Outgoing]:
    """An image by link; a caption over 1024 units follows as text instead."""
    caption = caption.strip()
    if L.units(caption) <= L.WHATSAPP_CAPTION_MAX:
        content = {"link": url, "caption": caption} if caption else {"link": url}
        return [_send(recipient_id, "image", content)]
    return [_send(recipient_id, "image", {"link": url})] + _texts(caption, recipient_id)


def _render_image(reply: Image, recipient_id: str) -> list[Outgoing]:
    if not reply.url.strip():
        return _texts(reply.caption, recipient_id)
    return _image(reply.url.strip(), reply.caption, recipient_id)


def _render_card(reply: Card, recipient_id: str) -> list[Outgoing]:
    """Product details: image with caption, then reply buttons for its postback buttons."""
    heading = "\n".join(part for part in (reply.title.strip(), reply.subtitle.strip()) if part)
    links = _url_lines(reply.buttons, reply.url)
    postbacks = _postbacks(reply.buttons)
    out: list[Outgoing] = []
    if reply.image_url.strip():
        caption = "\n".join([heading, *links]) if not postbacks else heading
        out += _image(reply.image_url.strip(), caption, recipient_id)
        if postbacks:
            body = "\n".join([L.first(reply.title.strip(), L.FILLER), *links])
            out += _reply_buttons(body, postbacks, recipient_id)
        return out
    if postbacks:
        return _reply_buttons("\n".join([heading, *links]), postbacks, recipient_id)
    return _texts("\n".join([heading, *links]), recipient_id)


def _render_cards(reply: Cards, recipient_id: str) -> list[Outgoing]:
    """A list: one row per card (id = card payload, title, description = subtitle)."""
    rows = []
    for card in reply.cards:
        row_id = L.first(card.payload, *(b.payload for b in card.buttons if not b.url.strip()), card.title)
        if row_id:
            rows.append((row_id, card.title, card.subtitle))
    if not rows:
        return _texts(reply.text, recipient_id)
    return _list(reply.text, reply.button_label, rows, recipient_id)


def _choice_option(choice: Choice) -> tuple[str, str]:
    return (L.first(choice.title, choice.description, choice.payload), L.first(choice.payload, choice.title))


def _render_quick_replies(reply: QuickReplies, recipient_id: str) -> list[Outgoing]:
    """Reply buttons for up to three choices, a list for more."""
    choices = [c for c in reply.choices if L.first(c.payload, c.title)]
    if not choices:
        return _texts(reply.text, recipient_id)
    if len(choices) <= L.WHATSAPP_REPLY_BUTTONS_MAX:
        return _reply_buttons(reply.text, [_choice_option(c) for c in choices], recipient_id)
    rows = [(payload, title, c.description) for c, (title, payload) in zip(choices, map(_choice_option, choices))]
    return _list(reply.text, reply.button_label, rows, recipient_id)


def _render_buttons(reply: Buttons, recipient_id: str) -> list[Outgoing]:
    """Reply buttons for postback buttons; URL buttons as lines of the body."""
    text = "\n".join(part for part in (reply.text.strip(), *_url_lines(reply.buttons)) if part)
    postbacks = _postbacks(reply.buttons)
    if not postbacks:
        return _texts(text, recipient_id)
    return _reply_buttons(text, postbacks, recipient_id)


def _render_handoff(reply: HandOff, recipient_id: str) -> list[Outgoing]:
    """WhatsApp has no handover protocol: nothing is sent (the dialog goes quiet instead)."""
    return []


_RENDERERS: dict[type, Callable[[Any, str], list[Outgoing]]] = {
    Text: _render_text,
    Image: _render_image,
    Card: _render_card,
    Cards: _render_cards,
    QuickReplies: _render_quick_replies,
    Buttons: _render_buttons,
    HandOff: _render_handoff,
}
