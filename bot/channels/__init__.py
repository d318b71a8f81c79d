"""Platform channels: webhook bodies in, :class:`~bot.events.Event` out; replies in, Send API bodies out.

Each platform is one :class:`~bot.channels.channel.Channel` in :mod:`bot.channels.registry`, a
package of its own (``messenger/``, ``whatsapp/``, ``instagram/``); what the Meta platforms share
(the signature, the Graph sender, its error codes) is ``meta/``. Public API::

    parse_delivery(body, received_at=0.0) -> list[Event]     # any webhook body, any platform
    render(platform, reply, recipient_id) -> list[Outgoing]   # one reply for one platform
    channel(platform) -> Channel                              # everything else about a platform
    verify(raw_body, header, app_secret) / sign(raw_body, app_secret)   # X-Hub-Signature-256

Parsing never raises for a JSON object: an item it cannot read is logged and either skipped or
kept as a ``Kind.UNKNOWN`` event, and the other items of the delivery survive.
This package never imports Flask.
"""

from __future__ import annotations

from bot.channels.delivery import parse_delivery, render
from bot.channels.meta.signature import sign, verify
from bot.channels.registry import CHANNELS, by_object, channel, channels

__all__ = ["CHANNELS", "by_object", "channel", "channels", "parse_delivery", "render", "sign", "verify"]
