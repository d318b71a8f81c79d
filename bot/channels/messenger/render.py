"""Messenger rendering: replies to Send API requests (platform_spec §5, §9).

:func:`render` returns a list of :class:`~bot.replies.Outgoing`, each with
``platform="messenger"`` and ``body`` the full JSON for ``POST /me/messages``
(``kind="message"``), except a :class:`~bot.replies.HandOff`, which gives one ``kind="handover"``
Outgoing whose body is for ``POST /me/pass_thread_control``. The bodies, sender actions among
them, are the Messenger Platform's (:mod:`bot.channels.meta.messaging`, shared with Instagram);
Messenger's limits are set here.
"""

from __future__ import annotations

import logging

import bot.channels.limits as L
from bot.channels.meta.messaging import MessagingRenderer, Style
from bot.events import Platform

__all__ = ["STYLE", "render"]

# The same logger as parsing: one name to filter for everything Messenger.
log = logging.getLogger("bot.channels.messenger")

STYLE = Style(
    platform=str(Platform.MESSENGER),
    texts=lambda text: L.split_text(text, L.MESSENGER_TEXT_MAX),
    tail=lambda text, limit: L.split_tail(text, limit or L.MESSENGER_TEXT_MAX),
    quick_replies_max=L.MESSENGER_QUICK_REPLIES_MAX,
    quick_reply_title_max=L.MESSENGER_QUICK_REPLY_TITLE_MAX,
    quick_reply_payload_max=L.MESSENGER_QUICK_REPLY_PAYLOAD_MAX,
    elements_max=L.MESSENGER_ELEMENTS_MAX,
    element_title_max=L.MESSENGER_ELEMENT_TITLE_MAX,
    element_subtitle_max=L.MESSENGER_ELEMENT_SUBTITLE_MAX,
    element_buttons_max=L.MESSENGER_ELEMENT_BUTTONS_MAX,
    button_title_max=L.MESSENGER_BUTTON_TITLE_MAX,
    postback_payload_max=L.MESSENGER_POSTBACK_PAYLOAD_MAX,
    button_template_text_max=L.MESSENGER_BUTTON_TEMPLATE_TEXT_MAX,
    button_template_buttons_max=L.MESSENGER_BUTTON_TEMPLATE_BUTTONS_MAX,
    square_images=True,
    reusable_images=True,
    handover_app_id=L.PAGE_INBOX_APP_ID,
)
render = MessagingRenderer(STYLE, log)
