"""The platform as an object: everything one messaging platform needs, in one :class:`Channel`.

A channel owns what differs between platforms: the webhook ``object`` it claims, its parser and
renderer, its limits, the preamble before a reply (seen, typing), its Send API (address and
token), how the console simulates a customer on it, and what the dialog must know about it (is
the customer id a phone number, can a thread be passed to a person's inbox). Code outside
``bot/channels`` asks :func:`bot.channels.registry.channel` instead of naming a platform.
This module never imports Flask or requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.events import Event, Platform
from bot.replies import Outgoing, Reply

__all__ = ["Channel", "Console", "Limits", "SendApi"]

Parser = Callable[[dict, float], list[Event]]
Renderer = Callable[[Reply, str], list[Outgoing]]
Preamble = Callable[[Event], list[Outgoing]]


@dataclass(frozen=True)
class Limits:
    """What one message may hold on the platform: a summary of what its renderer enforces.

    The renderer keeps every reply within the platform's limits (``limits.py``) whatever it holds;
    of these the dialog plans only its choices (``choices_max``: how many it offers at once).
    ``text_max`` is in UTF-16 code units, or in UTF-8 bytes when ``text_unit`` is ``"byte"``.
    """

    text_max: int
    choices_max: int          # quick replies or list rows offered at once
    choice_title_max: int
    buttons_max: int          # buttons under one text or card
    button_title_max: int
    cards_max: int            # cards in one carousel; 0 when the platform has none
    card_title_max: int
    text_unit: str = "utf16"


@dataclass(frozen=True)
class SendApi:
    """Where a channel's requests go and with which token.

    ``base(settings)`` is the API root with its version; ``path(out, settings)`` the path for one
    :class:`~bot.replies.Outgoing` (it raises :class:`~bot.errors.AuthError` when an id is not
    configured, :class:`~bot.errors.InvalidRequest` for a kind the platform cannot send);
    ``token(settings)`` the bearer token ("" when not configured), named ``token_env``.
    """

    base: Callable[[Any], str]
    path: Callable[[Outgoing, Any], str]
    token: Callable[[Any], str]
    token_env: str


@dataclass(frozen=True)
class Console:
    """How the console shows and simulates the platform.

    ``presses`` are the kinds of input a simulated customer can send (the first is typed text),
    ``press`` the kind a payload-only press is; ``build(customer_id, kind, text, payload, title,
    description, settings)`` writes the webhook body Meta would send. ``look`` names the console's
    phone for the platform: its colours, and how it draws a Send API body (``messenger`` and
    ``instagram`` draw Messenger-Platform bodies, ``whatsapp`` WhatsApp's; console.js ``LOOKS``).
    ``customer_prefix`` and ``customer_digits`` shape a new simulated customer id.
    """

    label: str
    subtitle: str
    presses: tuple[str, ...]
    press: str
    build: Callable[..., dict[str, Any]]
    look: str
    customer_prefix: str
    customer_digits: int
    message_id_prefix: str    # ids the console sender gives the messages it records


@dataclass(frozen=True)
class Channel:
    """One platform. The registry (:mod:`bot.channels.registry`) holds one per :class:`~bot.events.Platform`."""

    platform: Platform
    webhook_object: str
    parse: Parser
    render: Renderer
    preamble: Preamble
    limits: Limits
    send_api: SendApi
    console: Console
    customer_id_is_phone: bool = False   # WhatsApp: the customer's own number is known
    handover: bool = False               # a thread can be passed to a person's inbox app (Messenger)
    staff_id_setting: str = ""           # the Settings field with the staff member's id on this platform
    setup: str = ""                      # a module with add_arguments/run: `python -m bot <platform>-profile`
    app_secret_settings: tuple[str, ...] = ("meta_app_secret",)

    def staff_id(self, settings: Any) -> str:
        """The staff member's id on this platform, "" when none is configured."""
        return str(getattr(settings, self.staff_id_setting, "") or "") if self.staff_id_setting else ""
