"""Dukkan: a shopping bot for Egyptian online shops on Messenger, WhatsApp and Instagram.

``create_app()`` (:mod:`bot.app`) builds the Flask app. It is given lazily (PEP 562): importing
``bot`` or a core package (``bot.nlu``, ``bot.store``, ``bot.dialog``, ``bot.storage``,
``bot.channels``) loads no Flask, while ``from bot import create_app`` works as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from bot.app import create_app

        return create_app
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
