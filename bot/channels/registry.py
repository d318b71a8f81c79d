"""The one table of channels, keyed by :class:`~bot.events.Platform`.

Adding a platform is a package under ``bot/channels/`` exposing ``CHANNEL`` and one line here.
"""

from __future__ import annotations

from bot.channels.channel import Channel
from bot.channels.instagram import CHANNEL as INSTAGRAM
from bot.channels.messenger import CHANNEL as MESSENGER
from bot.channels.whatsapp import CHANNEL as WHATSAPP
from bot.events import Platform

__all__ = ["CHANNELS", "by_object", "channel", "channels", "webhook_secrets"]

CHANNELS: dict[Platform, Channel] = {
    Platform.MESSENGER: MESSENGER,
    Platform.WHATSAPP: WHATSAPP,
    Platform.INSTAGRAM: INSTAGRAM,
}
_BY_OBJECT = {found.webhook_object: found for found in CHANNELS.values()}


def channel(platform: Platform | str) -> Channel:
    """The channel of ``platform``; ValueError for a name that is no platform."""
    return CHANNELS[Platform(platform)]


def channels() -> list[Channel]:
    """Every channel, in the order of :class:`~bot.events.Platform`."""
    return [CHANNELS[platform] for platform in Platform]


def by_object(webhook_object: str) -> Channel | None:
    """The channel that claims a webhook body's ``object`` (``page``, ``instagram``, ...), or None."""
    return _BY_OBJECT.get(webhook_object)


def webhook_secrets(settings: object, webhook_object: object = None) -> list[str]:
    """The app secrets a delivery may be signed with (each configured one once, in channel order).

    With ``webhook_object`` (the body's ``object``), only the secrets of the channel that claims it:
    a ``page`` body signed with the Instagram app's secret is not Messenger's. A body no channel
    claims may carry any of them (it gives no events either way).
    """
    found = by_object(webhook_object) if isinstance(webhook_object, str) else None
    owners = [found] if found is not None else channels()
    names = dict.fromkeys(name for owner in owners for name in owner.app_secret_settings)
    values = (str(getattr(settings, name, "") or "") for name in names)
    return list(dict.fromkeys(value for value in values if value))
