"""Instagram Direct rendering: replies to Send API requests for ``POST /<IG_ID>/messages``.

The bodies are the Messenger Platform's (:mod:`bot.channels.meta.messaging`); Instagram's limits
are set here: a text is at most 1000 UTF-8 bytes (about 500 Arabic letters: long answers become
several messages), at most 13 quick replies of 20 characters (text only), generic templates of at
most 10 elements with titles and subtitles of 80 characters and 3 buttons (postback or web_url),
button templates of 640 characters and 3 buttons. The frame of a card's picture is Instagram's own
(it takes no ``image_aspect_ratio``). A hand-off sends nothing: the Instagram API with Instagram
Login has no hand-over request; the bot goes quiet and staff answer in the Instagram app.
"""

from __future__ import annotations

import logging

import bot.channels.limits as L
from bot.channels.meta.messaging import MessagingRenderer, Style

__all__ = ["STYLE", "render"]

log = logging.getLogger("bot.channels.instagram")

STYLE = Style(
    platform="instagram",
    texts=lambda text: L.split_text_bytes(text, L.INSTAGRAM_TEXT_MAX_BYTES),
    tail=lambda text, limit: L.split_tail_bytes(text, limit or L.INSTAGRAM_TEXT_MAX_BYTES, L.INSTAGRAM_TEXT_MAX_BYTES),
    quick_replies_max=L.INSTAGRAM_QUICK_REPLIES_MAX,
    quick_reply_title_max=L.INSTAGRAM_QUICK_REPLY_TITLE_MAX,
    quick_reply_payload_max=L.INSTAGRAM_QUICK_REPLY_PAYLOAD_MAX,
    elements_max=L.INSTAGRAM_ELEMENTS_MAX,
    element_title_max=L.INSTAGRAM_ELEMENT_TITLE_MAX,
    element_subtitle_max=L.INSTAGRAM_ELEMENT_SUBTITLE_MAX,
    element_buttons_max=L.INSTAGRAM_ELEMENT_BUTTONS_MAX,
    button_title_max=L.INSTAGRAM_BUTTON_TITLE_MAX,
    postback_payload_max=L.INSTAGRAM_POSTBACK_PAYLOAD_MAX,
    button_template_text_max=L.INSTAGRAM_BUTTON_TEMPLATE_TEXT_MAX,
    button_template_buttons_max=L.INSTAGRAM_ELEMENT_BUTTONS_MAX,
)
render = MessagingRenderer(STYLE, log)
