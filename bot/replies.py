"""The neutral reply vocabulary.

The dialog answers with a list of these; ``bot.channels.messenger.render`` and
``bot.channels.whatsapp.render`` turn each into the platform's JSON, enforcing its limits.
Texts here are final customer-facing strings (already in the customer's language), never
truncated: truncation is the renderer's job because the limits differ per platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    """A button on a card or under a text: a postback ``payload`` or a web ``url`` (one of them)."""

    title: str
    payload: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """One option the customer can tap: a quick reply, a reply button or a list row."""

    title: str
    payload: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text. Long text is split by the renderer."""

    text: str


@dataclass(frozen=True, slots=True)
class Image:
    """A picture with an optional caption."""

    url: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Card:
    """One product card: Messenger generic-template element, WhatsApp list row (+ image)."""

    title: str
    subtitle: str = ""
    image_url: str = ""
    url: str = ""                   # default action / "view on the site"
    buttons: tuple[Button, ...] = ()
    payload: str = ""               # what tapping the card (WhatsApp row) means, e.g. "DETAILS:53"


@dataclass(frozen=True, slots=True)
class Cards:
    """A carousel of cards, introduced by ``text`` (used as the WhatsApp list body)."""

    cards: tuple[Card, ...]
    text: str = ""
    button_label: str = ""          # WhatsApp list button, e.g. "الاختيارات" / "Options"


@dataclass(frozen=True, slots=True)
class QuickReplies:
    """A text with choices under it: Messenger quick replies; WhatsApp buttons (≤3) or a list."""

    text: str
    choices: tuple[Choice, ...]
    button_label: str = ""          # WhatsApp list button when there are more than three choices


@dataclass(frozen=True, slots=True)
class Buttons:
    """A text with up to three buttons (Messenger button template; WhatsApp reply/URL buttons)."""

    text: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class HandOff:
    """Tell the platform a person takes over (Messenger handover protocol); no visible message."""

    target_app_id: str = ""
    metadata: str = ""


Reply = Text | Image | Card | Cards | QuickReplies | Buttons | HandOff


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One rendered platform message ready for a sender: ``body`` is the Send API JSON."""

    platform: str
    recipient_id: str
    body: dict = field(default_factory=dict)
    kind: str = "message"           # "message", "action" (typing/mark seen), "handover"
