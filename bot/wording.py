"""Customers' words that say the same thing, grouped: "عايز اكلم حد" and "عايزه اكلم حد" are one line.

Each text is compared by its normalised words (:func:`bot.nlu.normalize.tokenize`: hamzas, taa
marbuta, Arabic-Indic digits, Franco apostrophes and repeated letters folded). Equal word lists
are one group at once. Then, most frequent first, a text joins the existing group whose
representative (its first, most frequent text) it matches best when

- rapidfuzz's ``token_set_ratio`` of the two is at least :data:`THRESHOLD` (85): the same words
  in any order, or nearly the same words (a typo, a suffix); and
- the shorter has at least half as many words as the longer (:data:`MIN_LENGTH_RATIO`):
  ``token_set_ratio`` scores a text contained in another 100, and "بكام" must not swallow every
  longer question that starts with it;

else it starts a group of its own. The order is fixed (count, then the normalised text), so the
same rows always give the same groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.nlu.normalize import tokenize

THRESHOLD = 85
MIN_LENGTH_RATIO = 0.5
EXAMPLES = 5        # the newest rows kept per group, to open their conversations


def words_key(text: str) -> str:
    """The normalised words of ``text``, space-separated (the exact grouping key)."""
    return " ".join(tokenize(text))


def alike(a: str, b: str) -> bool:
    """True when two normalised word keys say the same thing (see the module docstring)."""
    shorter, longer = sorted((len(a.split()), len(b.split())))
    if not longer or shorter / longer < MIN_LENGTH_RATIO:
        return False
    return fuzz.token_set_ratio(a, b) >= THRESHOLD


@dataclass
class Group:
    """Rows that say the same thing: its most frequent wording, counts and the newest examples."""

    key: str
    text: str
    count: int = 0
    customers: set[str] = field(default_factory=set)
    last_at: float = 0.0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text, "count": self.count, "customers": len(self.customers),
                "last_at": self.last_at, "examples": self.examples}


def group(rows: Iterable[dict[str, Any]], *, examples: int = EXAMPLES) -> list[dict[str, Any]]:
    """Group rows (``text``, ``created_at``, ``who`` or ``platform`` + ``customer_id`` telling
    customers apart, and anything else) by similar wording; the biggest groups first. Each example
    is the row as given."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(words_key(row.get("text", "")), []).append(row)
    keys = sorted(by_key, key=lambda key: (-len(by_key[key]), key))
    groups: list[Group] = []
    representatives: list[str] = []
    for key in keys:
        target = _join(key, representatives)
        if target is None:
            groups.append(Group(key=key, text=_wording(by_key[key])))
            representatives.append(key)
            target = len(groups) - 1
        _add(groups[target], by_key[key], examples)
    groups.sort(key=lambda g: (-g.count, -len(g.customers), g.key))
    return [g.to_dict() for g in groups]


def _join(key: str, representatives: list[str]) -> int | None:
    """The index of the best matching group for ``key`` (the first of equal scores), or None."""
    if not key or not representatives:
        return None
    found = process.extract(key, representatives, scorer=fuzz.token_set_ratio, score_cutoff=THRESHOLD,
                            limit=None)
    matching = sorted((-score, index) for choice, score, index in found if alike(key, choice))
    return matching[0][1] if matching else None


def _wording(rows: list[dict[str, Any]]) -> str:
    """The wording most rows of one key used (the smallest of equals)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.get("text", "")] = counts.get(row.get("text", ""), 0) + 1
    return min(counts, key=lambda text: (-counts[text], text))


def _add(target: Group, rows: list[dict[str, Any]], examples: int) -> None:
    target.count += len(rows)
    for row in rows:
        target.customers.add(str(row.get("who") or f"{row.get('platform', '')}:{row.get('customer_id', '')}"))
        target.last_at = max(target.last_at, float(row.get("created_at") or 0))
    merged = sorted(target.examples + rows,
                    key=lambda row: (-float(row.get("created_at") or 0), str(row.get("ref", ""))))
    target.examples = merged[:examples]
