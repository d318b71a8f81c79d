"""Messenger (``object: page``): the channel, with its parser (``parse.py``) and renderer (``render.py``).

The Messenger profile (Get Started, greeting, menu, ice breakers) is
:mod:`bot.channels.messenger.profile`, which the command line runs as ``python -m bot messenger-profile``.
"""

from __future__ import annotations

from typing import Any

import bot.channels.limits as L
from bot.channels.channel import Channel, Console, Limits, SendApi
from bot.channels.messenger.parse import parse
from bot.channels.messenger.render import render
from bot.channels.meta.console import messaging_delivery
from bot.channels.meta.messaging import sender_action
from bot.errors import InvalidRequest
from bot.events import Event, Platform
from bot.replies import Outgoing

__all__ = ["CHANNEL", "CONSOLE_PAGE_ID", "HANDOVER_PATHS", "parse", "preamble", "render"]

CONSOLE_PAGE_ID = "100000000000000"
HANDOVER_PATHS = {
    "handover": "pass_thread_control",
    "handover_take": "take_thread_control",
    "handover_request": "request_thread_control",
}


def preamble(event: Event) -> list[Outgoing]:
    """Mark seen, then typing, before a Messenger reply."""
    return [
        Outgoing(str(event.platform), event.customer_id, sender_action(event.customer_id, action), "action")
        for action in ("mark_seen", "typing_on")
    ]


def send_path(out: Outgoing, settings: Any) -> str:
    """``me/messages`` for messages and actions; ``me/<thread control>`` for hand-overs."""
    if out.kind in ("message", "action"):
        return "me/messages"
    if out.kind in HANDOVER_PATHS:
        return f"me/{HANDOVER_PATHS[out.kind]}"
    raise InvalidRequest(f"cannot send kind {out.kind!r} on platform {out.platform!r}")


def console_delivery(customer_id: str, kind: str, text: str = "", payload: str = "", title: str = "",
                     description: str = "", settings: Any = None) -> dict[str, Any]:
    """A ``page`` delivery from ``customer_id`` (a PSID) to the console's Page."""
    return messaging_delivery("page", CONSOLE_PAGE_ID, customer_id, kind, text, payload, title, mid_prefix="m_console_")


CHANNEL = Channel(
    platform=Platform.MESSENGER,
    webhook_object="page",
    parse=parse,
    render=render,
    preamble=preamble,
    limits=Limits(
        text_max=L.MESSENGER_TEXT_MAX,
        choices_max=L.MESSENGER_QUICK_REPLIES_MAX,
        choice_title_max=L.MESSENGER_QUICK_REPLY_TITLE_MAX,
        buttons_max=L.MESSENGER_ELEMENT_BUTTONS_MAX,
        button_title_max=L.MESSENGER_BUTTON_TITLE_MAX,
        cards_max=L.MESSENGER_ELEMENTS_MAX,
        card_title_max=L.MESSENGER_ELEMENT_TITLE_MAX,
    ),
    send_api=SendApi(
        base=lambda settings: settings.graph_base(),
        path=send_path,
        token=lambda settings: settings.messenger_page_access_token,
        token_env="MESSENGER_PAGE_ACCESS_TOKEN",
    ),
    console=Console(
        label="Messenger",
        subtitle="Messenger · typically replies instantly",
        presses=("text", "quick_reply", "postback"),
        press="postback",
        build=console_delivery,
        look="messenger",
        customer_prefix="console-",
        customer_digits=6,
        message_id_prefix="m_console_",
    ),
    handover=True,
    staff_id_setting="staff_psid",
    setup="bot.channels.messenger.profile",
)
