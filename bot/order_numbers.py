"""Order numbers people can read over the phone and nobody can guess: ``DK-7K4QXE``.

Five characters drawn with :mod:`secrets` from an alphabet without look-alikes (no 0/O, 1/I/L),
then a check character: with the alphabet's 31 symbols as values, the weighted sum
``1·c1 + 2·c2 + … + 6·c6`` is 0 modulo 31. A prime modulus and distinct weights catch every
single wrong character and every swap of two characters, so a mistyped number is refused
before any lookup (:func:`canonical` answers None).

Orders saved before these numbers existed kept their sequential ``DK-10001`` numbers;
:func:`canonical` still reads them (five digits, or six beginning with 1, never valid codes).

A module of its own, importing nothing but :mod:`bot.errors`: the dialog reads numbers typed by
customers and the storage draws them, and neither pulls the other in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from bot.errors import StorageError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "DK-"
RANDOM_LENGTH = 5
LENGTH = RANDOM_LENGTH + 1
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)                       # 31, a prime
_LEGACY = re.compile(r"^(?:[1-9]\d{4}|1\d{5})$")    # DK-10001 … DK-199999, as numbered before
_SEPARATORS = re.compile(r"[\s\-_#.:]+")
_DIGITS = str.maketrans({chr(base + i): str(i) for base in (0x0660, 0x06F0) for i in range(10)})


def _weighted_sum(symbols: str) -> int:
    return sum(weight * _VALUE[symbol] for weight, symbol in enumerate(symbols, start=1))


def check_character(body: str) -> str:
    """The sixth character that makes ``body`` (five alphabet characters) a valid number."""
    # LENGTH · check ≡ −sum (mod 31); pow(LENGTH, -1, 31) is LENGTH's inverse modulo 31.
    return ALPHABET[(-_weighted_sum(body) * pow(LENGTH, -1, _MODULUS)) % _MODULUS]


def is_valid_code(code: str) -> bool:
    """True for six alphabet characters whose check character is right (upper case, no prefix)."""
    if len(code) != LENGTH or any(symbol not in _VALUE for symbol in code):
        return False
    return _weighted_sum(code) % _MODULUS == 0


def new_number(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh random order number, ``DK-`` and six characters, the last one the check."""
    body = "".join(choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{PREFIX}{body}{check_character(body)}"


def bare(text: str) -> str:
    """``text`` without the ``DK`` prefix and separators, upper case, ASCII digits: "dk-7k4 qxe" → "7K4QXE"."""
    compact = _SEPARATORS.sub("", text.translate(_DIGITS)).upper()
    return compact[2:] if compact.startswith("DK") and len(compact) > LENGTH else compact


def canonical(text: str) -> str | None:
    """``DK-7K4QXE`` for any way of typing a valid number (lower case, no dash, spaces); else None.

    Old sequential numbers come back as ``DK-10001`` (typed "١٠٠٠١" too).
    """
    code = bare(text)
    if is_valid_code(code) or _LEGACY.match(code):
        return PREFIX + code
    return None


class NumberTaken(StorageError):
    """The number drawn for a new order belongs to another order already: draw another."""


__all__ = ["ALPHABET", "LENGTH", "PREFIX", "RANDOM_LENGTH", "NumberTaken", "bare", "canonical", "check_character",
           "is_valid_code", "new_number"]
