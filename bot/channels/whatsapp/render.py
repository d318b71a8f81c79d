"""WhatsApp Cloud API rendering: replies to Send API requests (platform_spec §7, §9).

:func:`render` returns a list of :class:`~bot.replies.Outgoing` (``platform="whatsapp"``,
``kind="message"``), each ``body`` the JSON for ``POST /<phone_number_id>/messages``. The customer
is addressed with ``to`` (a phone number / wa_id) or, for a business-scoped user id such as
``US.1349…``, with ``recipient`` (:func:`address`). Quick replies become reply buttons (≤ 3) or a
list; cards become a list (row id = card payload; over-long titles keep the words that tell the rows
apart, :mod:`bot.channels.list_titles`); one card becomes an image with caption plus reply buttons;
URL buttons become ``title: url`` lines, a paragraph of their own (reply buttons cannot open
links); a hand-off renders nothing. :func:`mark_read` gives the read-receipt / typing body (the
caller wraps it as a ``kind="action"`` Outgoing). :func:`join` makes a turn's text and the buttons
or list after it one message when the text fits the interactive body.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import bot.channels.limits as L
from bot.channels.fields import Renderer, render_by_type
from bot.channels.whatsapp.list_titles import fit_titles, with_dropped
from bot.events import Platform
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

__all__ = ["address", "join", "mark_read", "render"]

# The same logger as parsing: one name to filter for everything WhatsApp.
log = logging.getLogger("bot.channels.whatsapp")

PLATFORM = Platform.WHATSAPP
_BSUID = re.compile(r"^[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}$")
_URL = re.compile(r"https?://", re.IGNORECASE)


def render(reply: Reply, recipient_id: str) -> list[Outgoing]:
    """``reply`` as Cloud API requests to ``recipient_id`` (wa_id or BSUID), within every limit."""
    return render_by_type(_RENDERERS, reply, recipient_id, log)


def join(messages: list[Outgoing]) -> list[Outgoing]:
    """A turn's messages with each text followed by reply buttons or a list made one interactive
    message, the text above the buttons' own (a blank line between), when the two fit the body's
    1,024 units: one message to read, one request to send. A text with a link stays a text (an
    interactive body shows no link preview)."""
    joined: list[Outgoing] = []
    for message in messages:
        body = _joined_body(joined[-1], message) if joined else None
        if body is None:
            joined.append(message)
        else:
            joined[-1] = Outgoing(platform=message.platform, recipient_id=message.recipient_id, kind=message.kind,
                                  body=body)
    return joined


def _joined_body(text: Outgoing, interactive: Outgoing) -> dict[str, Any] | None:
    """The body of ``text`` and ``interactive`` as one message, or None when they cannot be one."""
    if (text.kind != "message" or interactive.kind != "message" or text.recipient_id != interactive.recipient_id
            or text.body.get("type") != "text" or interactive.body.get("type") != "interactive"):
        return None
    content, inner = text.body["text"], interactive.body["interactive"]
    if content.get("preview_url") or inner.get("type") not in ("button", "list") or "header" in inner:
        return None
    merged = _paragraphs(content.get("body", ""), inner.get("body", {}).get("text", ""))
    if L.units(merged) > L.WHATSAPP_INTERACTIVE_BODY_MAX:
        return None
    return {**interactive.body, "interactive": {**inner, "body": {"text": merged}}}


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
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **address(recipient_id),
            "type": kind, kind: content}
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
    ids = L.unique([i for _, i in options], L.WHATSAPP_BUTTON_ID_MAX, ids=True)
    buttons = [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in zip(ids, titles, strict=True)]
    return _interactive_message(text, recipient_id, "button", {"buttons": buttons})


def _list(text: str, label: str, rows: list[tuple[str, str, str]], recipient_id: str) -> list[Outgoing]:
    """One-section list of at most ten rows ``(id, title, description)``.

    Over-long titles keep the words that tell the rows apart (:func:`list_titles.fit_titles`); the
    words they lose follow the price in the description.
    """
    if len(rows) > L.WHATSAPP_LIST_ROWS_MAX:
        log.warning("whatsapp: dropped %d list rows over the limit of %d",
                    len(rows) - L.WHATSAPP_LIST_ROWS_MAX, L.WHATSAPP_LIST_ROWS_MAX)
    rows = rows[: L.WHATSAPP_LIST_ROWS_MAX]
    ids = L.unique([row_id for row_id, _, _ in rows], L.WHATSAPP_ROW_ID_MAX, ids=True)
    fitted = fit_titles([L.first(title, L.FILLER) for _, title, _ in rows], L.WHATSAPP_ROW_TITLE_MAX)
    titles = L.unique([title for title, _ in fitted], L.WHATSAPP_ROW_TITLE_MAX)
    rendered = []
    for row_id, title, (_, dropped), (_, _, description) in zip(ids, titles, fitted, rows, strict=True):
        row = {"id": row_id, "title": L.title(title, L.WHATSAPP_ROW_TITLE_MAX)}
        description = with_dropped(description, dropped, L.WHATSAPP_ROW_DESCRIPTION_MAX)
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
    lines = [f"{b.title.strip()}: {b.url.strip()}" if b.title.strip() else b.url.strip()
             for b in buttons if b.url.strip()]
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
    """Product details: image with caption, then reply buttons for its postback buttons.

    The links (site, ...) are a paragraph of their own under the details, one per line, never
    run into the text: in the caption with the picture, else after the heading.
    """
    heading = "\n".join(part for part in (reply.title.strip(), reply.subtitle.strip()) if part)
    details = _paragraphs(heading, "\n".join(_url_lines(reply.buttons, reply.url)))
    postbacks = _postbacks(reply.buttons)
    if reply.image_url.strip():
        out = _image(reply.image_url.strip(), details, recipient_id)
        if postbacks:
            out += _reply_buttons(L.first(reply.title.strip(), L.FILLER), postbacks, recipient_id)
        return out
    if postbacks:
        return _reply_buttons(details, postbacks, recipient_id)
    return _texts(details, recipient_id)


def _paragraphs(*parts: str) -> str:
    """The non-blank ``parts``, a blank line between them (WhatsApp shows each as its own block)."""
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


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
    rows = [(payload, title, c.description) for c in choices for title, payload in [_choice_option(c)]]
    return _list(reply.text, reply.button_label, rows, recipient_id)


def _render_buttons(reply: Buttons, recipient_id: str) -> list[Outgoing]:
    """Reply buttons for postback buttons; URL buttons as ``title: url`` lines of their own.

    With reply buttons, the links come first as their own paragraph and the text (the question the
    buttons answer, "Add it to your cart?") last, right above its buttons: the product's link is
    never glued to the question. Without reply buttons, a text with the links under it.
    """
    links = "\n".join(_url_lines(reply.buttons))
    postbacks = _postbacks(reply.buttons)
    if not postbacks:
        return _texts(_paragraphs(reply.text, links), recipient_id)
    return _reply_buttons(_paragraphs(links, reply.text), postbacks, recipient_id)


def _render_handoff(reply: HandOff, recipient_id: str) -> list[Outgoing]:
    """WhatsApp has no handover protocol: nothing is sent (the dialog goes quiet instead)."""
    return []


_RENDERERS: dict[type, Renderer] = {
    Text: _render_text,
    Image: _render_image,
    Card: _render_card,
    Cards: _render_cards,
    QuickReplies: _render_quick_replies,
    Buttons: _render_buttons,
    HandOff: _render_handoff,
}
