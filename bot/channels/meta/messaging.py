"""Messenger-Platform Send API bodies, for Messenger and Instagram Direct alike (platform_spec §5, §9).

Both platforms take the same JSON (``{"recipient": ..., "message": ...}``: text, quick replies, the
generic and button templates, image attachments, sender actions); they differ in their limits and in
what they can do with a hand-off. A :class:`MessagingRenderer` is built with a :class:`Style` that
says those, and renders each :class:`~bot.replies.Reply` to a list of
:class:`~bot.replies.Outgoing` (``kind="message"``; Messenger's hand-off is one ``kind="handover"``
for ``POST /me/pass_thread_control``). Long text is split into several messages, titles are
truncated with "…", extra cards, quick replies and buttons are dropped (with a log line).
:meth:`MessagingRenderer.join` makes a turn's text and the quick replies after it one message
where the limits allow (a card cannot carry a text).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bot.channels.limits as L
from bot.channels.fields import Renderer, render_by_type
from bot.replies import Button, Buttons, Card, Cards, HandOff, Image, Outgoing, QuickReplies, Reply, Text

__all__ = ["SENDER_ACTIONS", "MessagingRenderer", "Style", "sender_action"]

SENDER_ACTIONS = frozenset({"mark_seen", "typing_on", "typing_off"})


@dataclass(frozen=True)
class Style:
    """One platform's limits and habits for Messenger-Platform bodies.

    ``texts(text)`` splits a text into messages within the text limit; ``tail(text, limit)`` gives
    ``(head, last)`` with ``last`` within ``limit`` (and the text limit) for the part that carries
    quick replies or buttons. ``handover_app_id`` is the default inbox app a hand-off passes the
    thread to; "" when the platform gets no hand-over request (the bot just goes quiet).
    ``reusable_images`` asks Meta to keep an image for reuse (``is_reusable``, a Messenger Send API
    option that Instagram's send docs do not have).
    """

    platform: str
    texts: Callable[[str], list[str]]
    tail: Callable[[str, int], tuple[str, str]]
    quick_replies_max: int
    quick_reply_title_max: int
    quick_reply_payload_max: int
    elements_max: int
    element_title_max: int
    element_subtitle_max: int
    element_buttons_max: int
    button_title_max: int
    postback_payload_max: int
    button_template_text_max: int
    button_template_buttons_max: int
    square_images: bool = False
    reusable_images: bool = False
    handover_app_id: str = ""
    handover_metadata_max: int = L.MESSENGER_HANDOVER_METADATA_MAX


def _paragraphs(first: str, second: str) -> str:
    return "\n\n".join(part.strip() for part in (first, second) if part.strip())


def sender_action(recipient_id: str, action: str) -> dict[str, Any]:
    """The body of a ``mark_seen`` / ``typing_on`` / ``typing_off`` request for ``/messages``.

    Sent alone, never with a message; wrap it as ``Outgoing(..., kind="action")``.
    """
    if action not in SENDER_ACTIONS:
        raise ValueError(f"unknown sender action {action!r}; use one of {sorted(SENDER_ACTIONS)}")
    return {"recipient": {"id": recipient_id}, "sender_action": action}


class MessagingRenderer:
    """``renderer(reply, recipient_id)``: Send API requests within the style's limits."""

    def __init__(self, style: Style, log: logging.Logger) -> None:
        self.style = style
        self.log = log
        self._renderers: dict[type, Renderer] = {
            Text: self._text,
            Image: self._image,
            Card: self._card,
            Cards: self._cards,
            QuickReplies: self._quick_replies,
            Buttons: self._buttons_template,
            HandOff: self._handoff,
        }

    def __call__(self, reply: Reply, recipient_id: str) -> list[Outgoing]:
        return render_by_type(self._renderers, reply, recipient_id, self.log)

    def join(self, messages: list[Outgoing]) -> list[Outgoing]:
        """A turn's messages with each plain text followed by a text with quick replies made one
        message (the texts a blank line apart) when the joined text is within the text limit: one
        message to read, one request to send. A button template keeps its own short text (a
        product's details stay a caption of their own above its buttons)."""
        joined: list[Outgoing] = []
        for message in messages:
            body = self._joined_body(joined[-1], message) if joined else None
            if body is None:
                joined.append(message)
            else:
                joined[-1] = Outgoing(platform=message.platform, recipient_id=message.recipient_id,
                                      kind=message.kind, body=body)
        return joined

    def _joined_body(self, text: Outgoing, then: Outgoing) -> dict[str, Any] | None:
        """The body of the plain ``text`` and ``then`` as one message, or None when they cannot be one."""
        if text.kind != "message" or then.kind != "message" or text.recipient_id != then.recipient_id:
            return None
        first, second = text.body.get("message", {}), then.body.get("message", {})
        if set(first) != {"text"} or {k: v for k, v in text.body.items() if k != "message"} != {
                k: v for k, v in then.body.items() if k != "message"}:
            return None
        if set(second) != {"text", "quick_replies"}:
            return None
        merged = _paragraphs(first["text"], second["text"])
        fits = self.style.tail(merged, 0)[0] == ""
        return {**then.body, "message": {**second, "text": merged}} if fits else None

    def _send(self, recipient_id: str, message: dict) -> Outgoing:
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        return Outgoing(platform=self.style.platform, recipient_id=recipient_id, body=body, kind="message")

    def _texts(self, text: str, recipient_id: str) -> list[Outgoing]:
        return [self._send(recipient_id, {"text": chunk}) for chunk in self.style.texts(text)]

    def _text(self, reply: Text, recipient_id: str) -> list[Outgoing]:
        return self._texts(reply.text, recipient_id)

    def _image(self, reply: Image, recipient_id: str) -> list[Outgoing]:
        """The picture, then its caption as text (images carry no caption)."""
        out: list[Outgoing] = []
        if reply.url.strip():
            payload: dict[str, Any] = {"url": reply.url.strip()}
            if self.style.reusable_images:
                payload["is_reusable"] = True
            attachment = {"type": "image", "payload": payload}
            out.append(self._send(recipient_id, {"attachment": attachment}))
        return out + self._texts(reply.caption, recipient_id)

    def _button(self, button: Button) -> dict | None:
        """A web_url or postback button; None for a button with neither url nor payload."""
        title = L.title(button.title, self.style.button_title_max)
        if button.url.strip():
            return {"type": "web_url", "url": button.url.strip(), "title": title}
        if button.payload.strip():
            payload = L.cut(button.payload, self.style.postback_payload_max)
            return {"type": "postback", "title": title, "payload": payload}
        return None

    def _buttons(self, buttons: tuple[Button, ...], limit: int) -> list[dict]:
        rendered = [b for b in map(self._button, buttons) if b is not None]
        if len(rendered) > limit:
            self.log.warning("%s: dropped %d buttons over the limit of %d",
                             self.style.platform, len(rendered) - limit, limit)
        return rendered[:limit]

    def _element(self, card: Card) -> dict:
        """One generic-template element; at least one field besides the title is always set."""
        element: dict[str, Any] = {"title": L.title(card.title, self.style.element_title_max)}
        subtitle = L.truncate(card.subtitle, self.style.element_subtitle_max)
        if subtitle:
            element["subtitle"] = subtitle
        if card.image_url.strip():
            element["image_url"] = card.image_url.strip()
        if card.url.strip():
            element["default_action"] = {"type": "web_url", "url": card.url.strip()}
        buttons = self._buttons(card.buttons, self.style.element_buttons_max)
        if not buttons and card.payload.strip() and len(element) == 1:
            buttons = [b for b in [self._button(Button(title=card.title, payload=card.payload))] if b]
        if buttons:
            element["buttons"] = buttons
        if len(element) == 1:
            element["subtitle"] = L.FILLER
        return element

    def _generic(self, cards: tuple[Card, ...], recipient_id: str) -> Outgoing:
        most = self.style.elements_max
        if len(cards) > most:
            self.log.warning("%s: dropped %d cards over the limit of %d", self.style.platform, len(cards) - most, most)
        payload: dict[str, Any] = {"template_type": "generic"}
        if self.style.square_images:
            # Product pictures are square: the default 1.91:1 frame would crop shoes and clothes.
            payload["image_aspect_ratio"] = "square"
        payload["elements"] = [self._element(card) for card in cards[:most]]
        return self._send(recipient_id, {"attachment": {"type": "template", "payload": payload}})

    def _card(self, reply: Card, recipient_id: str) -> list[Outgoing]:
        return [self._generic((reply,), recipient_id)]

    def _cards(self, reply: Cards, recipient_id: str) -> list[Outgoing]:
        """The introduction as text, then one carousel within the card limit."""
        out = self._texts(reply.text, recipient_id)
        if reply.cards:
            out.append(self._generic(reply.cards, recipient_id))
        return out

    def _quick_reply(self, title: str, payload: str) -> dict:
        return {
            "content_type": "text",
            "title": L.title(title, self.style.quick_reply_title_max),
            "payload": L.cut(payload, self.style.quick_reply_payload_max),
        }

    def _quick_replies(self, reply: QuickReplies, recipient_id: str) -> list[Outgoing]:
        """The text (split if long) with the quick replies under its last part."""
        choices = [c for c in reply.choices if L.first(c.payload, c.title)]
        if not choices:
            return self._texts(reply.text, recipient_id)
        most = self.style.quick_replies_max
        if len(choices) > most:
            self.log.warning("%s: dropped %d quick replies over the limit", self.style.platform, len(choices) - most)
        quick = [
            self._quick_reply(L.first(c.title, c.description, c.payload), L.first(c.payload, c.title))
            for c in choices[:most]
        ]
        head, last = self.style.tail(L.first(reply.text, L.FILLER), 0)
        return self._texts(head, recipient_id) + [self._send(recipient_id, {"text": last, "quick_replies": quick})]

    def _buttons_template(self, reply: Buttons, recipient_id: str) -> list[Outgoing]:
        """A button template (short text, 1–3 buttons); long text goes first as plain messages."""
        buttons = self._buttons(reply.buttons, self.style.button_template_buttons_max)
        if not buttons:
            return self._texts(reply.text, recipient_id)
        head, last = self.style.tail(L.first(reply.text, L.FILLER), self.style.button_template_text_max)
        payload = {"template_type": "button", "text": last, "buttons": buttons}
        template = self._send(recipient_id, {"attachment": {"type": "template", "payload": payload}})
        return self._texts(head, recipient_id) + [template]

    def _handoff(self, reply: HandOff, recipient_id: str) -> list[Outgoing]:
        """A pass_thread_control request (``kind="handover"``), or nothing where there is none."""
        if not self.style.handover_app_id:
            self.log.info("%s: hand-off without a hand-over request; the bot stays quiet", self.style.platform)
            return []
        body: dict[str, Any] = {
            "recipient": {"id": recipient_id},
            "target_app_id": reply.target_app_id or self.style.handover_app_id,
        }
        if reply.metadata:
            body["metadata"] = L.cut(reply.metadata, self.style.handover_metadata_max)
        return [Outgoing(platform=self.style.platform, recipient_id=recipient_id, body=body, kind="handover")]
