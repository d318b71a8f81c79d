"""Messenger rendering: replies to Send API requests (platform_spec §5, §9).

:func:`render` returns a list of :class:`~bot.replies.Outgoing`, each with
``platform="messenger"`` and ``body`` the full JSON for ``POST /me/messages``
(``kind="message"``), except a :class:`~bot.replies.HandOff`, which gives one ``kind="handover"``
Outgoing whose body is for ``POST /me/pass_thread_control``. :func:`sender_action` gives the body
of a ``mark_seen`` / ``typing_on`` / ``typing_off`` request for ``/me/messages`` (the caller wraps
it as a ``kind="action"`` Outgoing). Limits are enforced here: long text is split into several
messages, titles are truncated with "…", extra cards, quick replies and buttons are dropped.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels import Renderer, render_by_type
from bot.channels import limits as L
from bot.events import Platform
from bot.replies import (
    Button,
    Buttons,
    Card,
    Cards,
    HandOff,
    Image,
    Outgoing,
    QuickReplies,
    Reply,
    Text,
)

__all__ = ["SENDER_ACTIONS", "render", "sender_action"]

# The same logger as parsing: one name to filter for everything Messenger.
log = logging.getLogger("bot.channels.messenger")

PLATFORM = Platform.MESSENGER
SENDER_ACTIONS = frozenset({"mark_seen", "typing_on", "typing_off"})


def render(reply: Reply, recipient_id: str) -> list[Outgoing]:
    """``reply`` as Send API requests to ``recipient_id`` (a PSID), within every limit."""
    return render_by_type(_RENDERERS, reply, recipient_id, log)


def sender_action(recipient_id: str, action: str) -> dict[str, Any]:
    """The body of a ``mark_seen`` / ``typing_on`` / ``typing_off`` request for /me/messages.

    Sent alone, never with a message; wrap it as ``Outgoing(..., kind="action")``.
    """
    if action not in SENDER_ACTIONS:
        raise ValueError(f"unknown sender action {action!r}; use one of {sorted(SENDER_ACTIONS)}")
    return {"recipient": {"id": recipient_id}, "sender_action": action}


def _send(recipient_id: str, message: dict) -> Outgoing:
    body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
    return Outgoing(platform=str(PLATFORM), recipient_id=recipient_id, body=body, kind="message")


def _texts(text: str, recipient_id: str) -> list[Outgoing]:
    return [_send(recipient_id, {"text": chunk}) for chunk in L.split_text(text, L.MESSENGER_TEXT_MAX)]


def _render_text(reply: Text, recipient_id: str) -> list[Outgoing]:
    return _texts(reply.text, recipient_id)


def _render_image(reply: Image, recipient_id: str) -> list[Outgoing]:
    """The picture, then its caption as text (Messenger images carry no caption)."""
    out: list[Outgoing] = []
    if reply.url.strip():
        attachment = {"type": "image", "payload": {"url": reply.url.strip(), "is_reusable": True}}
        out.append(_send(recipient_id, {"attachment": attachment}))
    return out + _texts(reply.caption, recipient_id)


def _button(button: Button) -> dict | None:
    """A web_url or postback button; None for a button with neither url nor payload."""
    title = L.title(button.title, L.MESSENGER_BUTTON_TITLE_MAX)
    if button.url.strip():
        return {"type": "web_url", "url": button.url.strip(), "title": title}
    if button.payload.strip():
        return {"type": "postback", "title": title, "payload": L.cut(button.payload, L.MESSENGER_POSTBACK_PAYLOAD_MAX)}
    return None


def _buttons(buttons: tuple[Button, ...], limit: int) -> list[dict]:
    rendered = [b for b in map(_button, buttons) if b is not None]
    if len(rendered) > limit:
        log.warning("messenger: dropped %d buttons over the limit of %d", len(rendered) - limit, limit)
    return rendered[:limit]


def _element(card: Card) -> dict:
    """One generic-template element; at least one field besides the title is always set."""
    element: dict[str, Any] = {"title": L.title(card.title, L.MESSENGER_ELEMENT_TITLE_MAX)}
    subtitle = L.truncate(card.subtitle, L.MESSENGER_ELEMENT_SUBTITLE_MAX)
    if subtitle:
        element["subtitle"] = subtitle
    if card.image_url.strip():
        element["image_url"] = card.image_url.strip()
    if card.url.strip():
        element["default_action"] = {"type": "web_url", "url": card.url.strip()}
    buttons = _buttons(card.buttons, L.MESSENGER_ELEMENT_BUTTONS_MAX)
    if not buttons and card.payload.strip() and len(element) == 1:
        buttons = [_button(Button(title=card.title, payload=card.payload))]
    if buttons:
        element["buttons"] = buttons
    if len(element) == 1:
        element["subtitle"] = L.FILLER
    return element


def _generic(cards: tuple[Card, ...], recipient_id: str) -> Outgoing:
    if len(cards) > L.MESSENGER_ELEMENTS_MAX:
        log.warning("messenger: dropped %d cards over the limit of %d", len(cards) - L.MESSENGER_ELEMENTS_MAX, L.MESSENGER_ELEMENTS_MAX)
    elements = [_element(card) for card in cards[: L.MESSENGER_ELEMENTS_MAX]]
    # Product pictures are square: the default 1.91:1 frame would crop shoes and clothes.
    payload = {"template_type": "generic", "image_aspect_ratio": "square", "elements": elements}
    return _send(recipient_id, {"attachment": {"type": "template", "payload": payload}})


def _render_card(reply: Card, recipient_id: str) -> list[Outgoing]:
    return [_generic((reply,), recipient_id)]


def _render_cards(reply: Cards, recipient_id: str) -> list[Outgoing]:
    """The introduction as text, then one carousel of at most ten cards."""
    out = _texts(reply.text, recipient_id)
    if reply.cards:
        out.append(_generic(reply.cards, recipient_id))
    return out


def _quick_reply(title: str, payload: str) -> dict:
    return {
        "content_type": "text",
        "title": L.title(title, L.MESSENGER_QUICK_REPLY_TITLE_MAX),
        "payload": L.cut(payload, L.MESSENGER_QUICK_REPLY_PAYLOAD_MAX),
    }


def _render_quick_replies(reply: QuickReplies, recipient_id: str) -> list[Outgoing]:
    """The text (split if long) with at most 13 quick replies under its last part."""
    choices = [c for c in reply.choices if L.first(c.payload, c.title)]
    if not choices:
        return _texts(reply.text, recipient_id)
    if len(choices) > L.MESSENGER_QUICK_REPLIES_MAX:
        log.warning("messenger: dropped %d quick replies over the limit", len(choices) - L.MESSENGER_QUICK_REPLIES_MAX)
    quick = [
        _quick_reply(L.first(c.title, c.description, c.payload), L.first(c.payload, c.title))
        for c in choices[: L.MESSENGER_QUICK_REPLIES_MAX]
    ]
    head, last = L.split_tail(L.first(reply.text, L.FILLER), L.MESSENGER_TEXT_MAX)
    return _texts(head, recipient_id) + [_send(recipient_id, {"text": last, "quick_replies": quick})]


def _render_buttons(reply: Buttons, recipient_id: str) -> list[Outgoing]:
    """A button template (text ≤ 640, 1–3 buttons); long text goes first as plain messages."""
    buttons = _buttons(reply.buttons, L.MESSENGER_BUTTON_TEMPLATE_BUTTONS_MAX)
    if not buttons:
        return _texts(reply.text, recipient_id)
    head, last = L.split_tail(L.first(reply.text, L.FILLER), L.MESSENGER_BUTTON_TEMPLATE_TEXT_MAX)
    payload = {"template_type": "button", "text": last, "buttons": buttons}
    template = _send(recipient_id, {"attachment": {"type": "template", "payload": payload}})
    return _texts(head, recipient_id) + [template]


def _render_handoff(reply: HandOff, recipient_id: str) -> list[Outgoing]:
    """A pass_thread_control request (``kind="handover"``: POST /me/pass_thread_control)."""
    body: dict[str, Any] = {
        "recipient": {"id": recipient_id},
        "target_app_id": reply.target_app_id or L.PAGE_INBOX_APP_ID,
    }
    if reply.metadata:
        body["metadata"] = L.cut(reply.metadata, L.MESSENGER_HANDOVER_METADATA_MAX)
    return [Outgoing(platform=str(PLATFORM), recipient_id=recipient_id, body=body, kind="handover")]


_RENDERERS: dict[type, Renderer] = {
    Text: _render_text,
    Image: _render_image,
    Card: _render_card,
    Cards: _render_cards,
    QuickReplies: _render_quick_replies,
    Buttons: _render_buttons,
    HandOff: _render_handoff,
}
