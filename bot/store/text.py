"""The store's view of the shared text normalisation (``bot.nlu.normalize``), in one place."""

from __future__ import annotations

from bot.nlu.normalize import normalize, tokenize

__all__ = ["normalize", "tokens"]


def tokens(text: str) -> list[str]:
    """Normalised word tokens of ``text`` (Arabic, Latin, digits)."""
    return [token for token in tokenize(text) if token != "#"]
