"""Instagram Direct (``object: instagram``), through the Instagram API with Instagram Login.

Deliveries come to the same ``/webhook``, signed with ``META_APP_SECRET`` or, for an app set up
with Instagram Login, the Instagram app's secret (``INSTAGRAM_APP_SECRET``). Replies go to
``POST {INSTAGRAM_API_URL}/{GRAPH_API_VERSION}/{INSTAGRAM_ACCOUNT_ID}/messages`` with
``INSTAGRAM_ACCESS_TOKEN`` (the settings require the account id with the token). Before a reply
the customer sees "seen" and typing dots.
"""

from __future__ import annotations

from typing import Any

import bot.channels.limits as L
from bot.channels.channel import Channel, Console, Limits, SendApi
from bot.channels.instagram.parse import parse
from bot.channels.instagram.render import render
from bot.channels.meta.console import messaging_delivery
from bot.channels.meta.messaging import sender_action
from bot.errors import AuthError, InvalidRequest
from bot.events import Event, Platform
from bot.replies import Outgoing

__all__ = ["CHANNEL", "CONSOLE_ACCOUNT_ID", "DEFAULT_API_URL", "parse", "preamble", "render"]

DEFAULT_API_URL = "https://graph.instagram.com"
CONSOLE_ACCOUNT_ID = "17841400000000000"


def preamble(event: Event) -> list[Outgoing]:
    """Mark seen, then typing, before an Instagram reply."""
    return [
        Outgoing(str(event.platform), event.customer_id, sender_action(event.customer_id, action), "action")
        for action in ("mark_seen", "typing_on")
    ]


def api_base(settings: Any) -> str:
    """``https://graph.instagram.com/<version>`` (``INSTAGRAM_API_URL`` overrides the host)."""
    url = (settings.instagram_api_url or DEFAULT_API_URL).rstrip("/")
    return f"{url}/{settings.graph_api_version}"


def send_path(out: Outgoing, settings: Any) -> str:
    """``<account id>/messages`` for messages and sender actions."""
    if out.kind not in ("message", "action"):
        raise InvalidRequest(f"cannot send kind {out.kind!r} on platform {out.platform!r}")
    account = settings.instagram_account_id
    if not account:
        raise AuthError("INSTAGRAM_ACCOUNT_ID is not configured")
    return f"{account}/messages"


def console_delivery(customer_id: str, kind: str, text: str = "", payload: str = "", title: str = "",
                     description: str = "", settings: Any = None) -> dict[str, Any]:
    """An ``instagram`` delivery from ``customer_id`` (an IGSID) to the shop's professional account."""
    account = str(getattr(settings, "instagram_account_id", "") or CONSOLE_ACCOUNT_ID)
    return messaging_delivery("instagram", account, customer_id, kind, text, payload, title, mid_prefix="ig_console_")


CHANNEL = Channel(
    platform=Platform.INSTAGRAM,
    webhook_object="instagram",
    parse=parse,
    render=render,
    preamble=preamble,
    limits=Limits(
        text_max=L.INSTAGRAM_TEXT_MAX_BYTES,
        choices_max=L.INSTAGRAM_QUICK_REPLIES_MAX,
        choice_title_max=L.INSTAGRAM_QUICK_REPLY_TITLE_MAX,
        buttons_max=L.INSTAGRAM_ELEMENT_BUTTONS_MAX,
        button_title_max=L.INSTAGRAM_BUTTON_TITLE_MAX,
        cards_max=L.INSTAGRAM_ELEMENTS_MAX,
        card_title_max=L.INSTAGRAM_ELEMENT_TITLE_MAX,
        text_unit="byte",
    ),
    send_api=SendApi(
        base=api_base,
        path=send_path,
        token=lambda settings: settings.instagram_access_token,
        token_env="INSTAGRAM_ACCESS_TOKEN",
    ),
    console=Console(
        label="Instagram",
        subtitle="Instagram · Direct",
        presses=("text", "quick_reply", "postback"),
        press="postback",
        build=console_delivery,
        look="instagram",
        customer_prefix="console-ig-",
        customer_digits=6,
        message_id_prefix="ig_console_",
    ),
    app_secret_settings=("meta_app_secret", "instagram_app_secret"),
)
