"""The two languages the bot answers in, as a type every core module can import (it imports nothing).

``Lang`` is a ``StrEnum``: ``Lang.AR == "ar"``, so code that still passes plain strings (the intent
matcher, stored sessions from older versions) keeps working unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class Lang(StrEnum):
    """A customer's language: Egyptian Arabic or English."""

    AR = "ar"
    EN = "en"

    @classmethod
    def read(cls, value: object, default: Lang | None = None) -> Lang:
        """``value`` as a language; ``default`` (Arabic unless given) for anything else."""
        if isinstance(value, str) and value in _VALUES:
            return cls(value)
        return default if default is not None else cls.AR

    @property
    def other(self) -> Lang:
        """The language the menu offers to switch to."""
        return Lang.EN if self is Lang.AR else Lang.AR


_VALUES = frozenset(member.value for member in Lang)

__all__ = ["Lang"]
