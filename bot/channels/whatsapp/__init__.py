"""WhatsApp Cloud API (``object: whatsapp_business_account``): the channel, its parser and renderer.

``parse``, ``render``, ``mark_read`` and ``address`` keep their old names here.
"""

from __future__ import annotations

from typing import Any

import bot.channels.limits as L
from bot.channels.channel import Channel, Console, Limits, SendApi
from bot.channels.whatsapp.console import console_delivery
from bot.channels.whatsapp.parse import KNOWN_STATUSES, parse
from bot.channels.whatsapp.render import address, mark_read, render
from bot.errors import AuthError, InvalidRequest
from bot.events import Event, Platform
from bot.replies import Outgoing

__all__ = ["CHANNEL", "KNOWN_STATUSES", "address", "mark_read", "parse", "preamble", "render"]


def preamble(event: Event) -> list[Outgoing]:
    """Mark the WhatsApp message read and show typing (one call), when it has an id."""
    if not event.message_id:
        return []
    return [Outgoing(str(event.platform), event.customer_id, mark_read(event.message_id, typing=True), "action")]


def send_path(out: Outgoing, settings: Any) -> str:
    """``<phone_number_id>/messages`` for messages and actions (mark as read, typing)."""
    if out.kind not in ("message", "action"):
        raise InvalidRequest(f"cannot send kind {out.kind!r} on platform {out.platform!r}")
    phone_id = settings.whatsapp_phone_number_id
    if not phone_id:
        raise AuthError("WHATSAPP_PHONE_NUMBER_ID is not configured")
    return f"{phone_id}/messages"


CHANNEL = Channel(
    platform=Platform.WHATSAPP,
    webhook_object="whatsapp_business_account",
    parse=parse,
    render=render,
    preamble=preamble,
    limits=Limits(
        text_max=L.WHATSAPP_TEXT_MAX,
        choices_max=L.WHATSAPP_LIST_ROWS_MAX,
        choice_title_max=L.WHATSAPP_ROW_TITLE_MAX,
        buttons_max=L.WHATSAPP_REPLY_BUTTONS_MAX,
        button_title_max=L.WHATSAPP_BUTTON_TITLE_MAX,
        cards_max=0,
        card_title_max=L.WHATSAPP_HEADER_TEXT_MAX,
    ),
    send_api=SendApi(
        base=lambda settings: settings.graph_base(),
        path=send_path,
        token=lambda settings: settings.whatsapp_access_token,
        token_env="WHATSAPP_ACCESS_TOKEN",
    ),
    console=Console(
        label="WhatsApp",
        subtitle="WhatsApp Business",
        presses=("text", "button_reply", "list_reply"),
        press="button_reply",
        build=console_delivery,
        look="whatsapp",
        customer_prefix="2010",
        customer_digits=8,
        message_id_prefix="wamid.console.",
    ),
    customer_id_is_phone=True,
    staff_id_setting="staff_whatsapp",
)
