"""Numbers in digits (Western, Eastern Arabic, Persian) and words (Egyptian, MSA, Franco, English).

``parse_number("الف وخمسمية")`` → 1500, ``parse_number("٣٨")`` → 38, ``parse_number("etnen")``
→ 2, ``parse_number("two hundred fifty")`` → 250, ``parse_number("2k")`` → 2000,
``parse_number("مفيش")`` → None. Phone numbers keep their leading zero only as text: use
:func:`digits` for those (``digits("٠١٠ ١٢٣")`` → ``"010123"``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.nlu.lexicon import load_lexicon
from bot.nlu.normalize import normalize, tokenize

__all__ = ["parse_number", "read_number", "may_start_number", "digits", "NumberWord"]

_K = re.compile(r"^(\d+)k$")
NumberWord = tuple[str, int]


@lru_cache(maxsize=1)
def _words() -> dict[str, NumberWord]:
    """Single-token number words → (group, value)."""
    out: dict[str, NumberWord] = {}
    groups = load_lexicon().numbers
    # A word that is both a multiplier and a value ("thousand", "ميه") acts as a multiplier.
    for group in ("multipliers", "units", "tens", "hundreds", "thousands"):
        values = groups[group]
        for value, forms in values.items():
            for form in forms:
                if " " not in form:
                    out.setdefault(form, (group, value))
    return out


@lru_cache(maxsize=1)
def _joiners() -> frozenset[str]:
    """Words that join number words (و, and, w)."""
    return frozenset(load_lexicon().joiners)


@lru_cache(maxsize=65536)
def _word(token: str) -> NumberWord | None:
    """The number word ``token`` is, allowing a glued و/ب/ل (``وخمسمية``); known once a token (bounded)."""
    words = _words()
    if token in words:
        return words[token]
    if token[:1] in ("و", "ب", "ل") and token[1:] in words:
        return words[token[1:]]
    if token.startswith("ال") and token[2:] in words and words[token[2:]][1] >= 1000:
        return words[token[2:]]  # تحت الالف, فوق الالفين: a round thousand with the article
    return None


def _digit_value(token: str) -> int | None:
    """The value of a digit token (``"42"``, ``"2k"``), else None."""
    if token.isdigit() and token.isascii():
        return int(token)
    match = _K.match(token)
    return int(match.group(1)) * 1000 if match else None


@lru_cache(maxsize=65536)
def may_start_number(token: str) -> bool:
    """True when :func:`read_number` can read a number starting at ``token`` (a digit or a number
    word); known once a token (bounded)."""
    return token[:1].isdigit() or _word(token) is not None


def read_number(tokens: list[str], i: int) -> tuple[int, int] | None:
    """Read a number starting at ``tokens[i]``: ``(value, tokens used)``, or None."""
    value = _digit_value(tokens[i]) if tokens[i][:1].isdigit() else None
    if value is not None:
        return _digits_then_multiplier(tokens, i, value)
    return _read_words(tokens, i) if _word(tokens[i]) is not None else None


def _digits_then_multiplier(tokens: list[str], i: int, value: int) -> tuple[int, int]:
    """``3 الاف`` and ``2 thousand`` style numbers."""
    nxt = _word(tokens[i + 1]) if i + 1 < len(tokens) else None
    if nxt and nxt[0] == "multipliers":
        return value * nxt[1], 2
    return value, 1


def _read_words(tokens: list[str], i: int) -> tuple[int, int] | None:
    """A run of number words joined by و/and: ``خمسه وعشرين``, ``ميتين وخمسين``."""
    total = current = used = 0
    j = i
    while j < len(tokens):
        word = _word(tokens[j])
        if word is None:
            if used and tokens[j] in _joiners() and j + 1 < len(tokens) and _word(tokens[j + 1]):
                j += 1
                continue
            break
        group, value = word
        if group == "multipliers" and (current or total):
            total, current = _multiply(total, current, value)
        elif group == "thousands":
            total += value
        else:
            current += value
        used, j = j - i + 1, j + 1
    return (total + current, used) if used else None


def _multiply(total: int, current: int, factor: int) -> tuple[int, int]:
    """Apply a multiplier word (``تلاف``, ``hundred``) to the running number."""
    if factor >= 1000:
        return total + max(current, 1) * factor, 0
    return total, max(current, 1) * factor


def parse_number(text: str) -> int | None:
    """The first number written in ``text`` (digits or words), or None."""
    tokens = tokenize(text)
    for i in range(len(tokens)):
        found = read_number(tokens, i)
        if found is not None:
            return found[0]
    return None


def digits(text: str) -> str:
    """Only the digits of ``text``, as ASCII text (for phone and order numbers)."""
    return "".join(c for c in normalize(text) if c.isdigit() and c.isascii())
