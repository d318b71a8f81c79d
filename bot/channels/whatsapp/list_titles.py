"""Short list-row titles that still tell the rows apart (WhatsApp: 24 units a title, 72 a description).

Product names are longer than a WhatsApp list row allows ("Men's Oversized Graphic T-Shirt - Cairo
Edition"), and cutting them at the end keeps what the rows of a list have in common ("Men's
Oversized…", twice) and loses what tells them apart. :func:`fit_titles` shortens an over-long title
by leaving out whole words, choosing the words to keep by how much they say *in this list*: a word
only this row has ("Cairo", "Graphic") weighs the most, a word every row has ("T-Shirt", "حريمي",
the item they all are) the least (:func:`_weight`). Among the titles that fit, the one keeping the
most weight wins; ties go to more words kept, fewer holes, earlier words, more characters. Words
keep their order; words the list only ever shows side by side ("سويت شيرت", "Crew Neck") are kept
or left out together; a title is cut inside a word only when not one word fits. Each row also
gets the words it lost, for its description (:func:`with_dropped`).

Deterministic: the same titles give the same result, whatever the platform or the process.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass

import bot.channels.limits as L

__all__ = ["SEPARATOR", "fit_titles", "with_dropped"]

SEPARATOR = " · "
_PUNCTUATION = string.punctuation + "،؛؟…·–—«»“”‘’"
# Words that say nothing alone: never the first or last word of a shortened title, never "dropped".
_STOPWORDS = frozenset({
    "a", "an", "and", "by", "for", "in", "of", "on", "the", "to", "with",
    "و", "في", "من", "مع", "على", "ب", "ل", "لل",
})
_MAX_WORDS = 40        # words of one title read (the rest is left out)
_CANDIDATES = 10       # units of one title that may be kept (see _choices)


@dataclass(frozen=True, slots=True)
class _Unit:
    """One word, or words the list only shows together, as a title keeps or leaves them."""

    text: str            # as written (several words joined by a space), trailing commas removed
    weight: int          # how much it tells this row apart in the list (:func:`_weight`); 0: says nothing
    words: int = 1

    @property
    def content(self) -> bool:
        return self.weight > 0


def fit_titles(titles: list[str], limit: int) -> list[tuple[str, str]]:
    """``(title, dropped)`` for each of ``titles`` (the rows of one list), each title within ``limit``.

    A title that fits is kept as it is (spaces tidied), with ``dropped`` "". An over-long one keeps
    the words that distinguish it in this list (see the module), distinct from the other rows'
    titles when whole words allow it; ``dropped`` holds the words it lost, in order.
    """
    rows = [_words(title) for title in titles]
    having = _rows_having(rows)
    together = _side_by_side(rows)
    tidy = [" ".join(title.split()) for title in titles]
    fitted: list[tuple[str, str] | None] = [(text, "") if L.units(text) <= limit else None for text in tidy]
    taken = {text.casefold() for text, _ in filter(None, fitted)}
    for index, text in enumerate(tidy):
        if fitted[index] is None:
            units = _units(rows[index], len(rows), having, together, limit)
            shortened = _shorten(text, units, limit, taken)
            fitted[index] = shortened
            taken.add(shortened[0].casefold())
    return [row for row in fitted if row is not None]


def with_dropped(description: str, dropped: str, limit: int) -> str:
    """``description`` ("450 EGP · ⭐ 4.5 · In stock") with ``dropped`` after its first part (the
    price), within ``limit``: later parts that no longer fit are left out whole; ``dropped`` is
    shortened (at a word) only when it does not fit beside the price alone."""
    if not dropped.strip():
        return L.truncate(description, limit)
    parts = [part.strip() for part in description.split(SEPARATOR) if part.strip()]
    head, tail = parts[:1], parts[1:]
    room = limit - L.units(SEPARATOR.join([*head, ""])) if head else limit
    if room < 1:  # the price alone fills the row: keep it, as before
        return L.truncate(description, limit)
    result = [*head, L.truncate(dropped, room)]
    for part in tail:
        if L.units(SEPARATOR.join([*result, part])) <= limit:
            result.append(part)
    return SEPARATOR.join(result)


# ---- reading the list ---------------------------------------------------------------------------


def _words(title: str) -> list[tuple[str, str]]:
    """``(key, text)`` per word of ``title``; the key (case-folded, without punctuation) is "" for
    punctuation ("-", "&") and is what rows are compared on."""
    words = []
    for raw in title.split()[:_MAX_WORDS]:
        text = raw.rstrip(",;:،؛") or raw
        words.append((text.strip(_PUNCTUATION).casefold(), text))
    return words


def _rows_having(rows: list[list[tuple[str, str]]]) -> dict[str, frozenset[int]]:
    """For each word, the rows (indices) whose title has it."""
    having: dict[str, set[int]] = {}
    for index, words in enumerate(rows):
        for key, _ in words:
            if key:
                having.setdefault(key, set()).add(index)
    return {key: frozenset(found) for key, found in having.items()}


def _side_by_side(rows: list[list[tuple[str, str]]]) -> dict[tuple[str, str], frozenset[int]]:
    """For each pair of neighbouring words, the rows whose title has them side by side, in that order."""
    pairs: dict[tuple[str, str], set[int]] = {}
    for index, words in enumerate(rows):
        for (first, _), (second, _) in zip(words, words[1:], strict=False):
            if first and second:
                pairs.setdefault((first, second), set()).add(index)
    return {pair: frozenset(found) for pair, found in pairs.items()}


def _weight(rows: int, having: int) -> int:
    """How much a word that ``having`` of the list's ``rows`` share says: (rows / having)², at least 1.

    Squared, so one word only this row has outweighs two it shares with another row ("Cairo" and
    "Edition" rather than "Oversized" twice over), and a word every row has weighs 1.
    """
    return max(1, (rows * rows) // (having * having))


def _units(words: list[tuple[str, str]], rows: int, having: dict[str, frozenset[int]],
           together: dict[tuple[str, str], frozenset[int]], limit: int) -> list[_Unit]:
    """The title's words as units: neighbours that at least two rows have, and always side by side
    ("سويت شيرت", "Short Sleeve"), become one unit (when it fits ``limit``)."""
    units: list[_Unit] = []
    previous = ""
    for key, text in words:
        weight = _weight(rows, len(having[key])) if key and key not in _STOPWORDS else 0
        unit: _Unit | None = _Unit(text, weight)
        if units and previous and weight and _inseparable(previous, key, having, together):
            last = units[-1]
            joined = _Unit(f"{last.text} {text}", last.weight + weight, last.words + 1)
            if L.units(joined.text) <= limit:
                units[-1], unit = joined, None
        if unit is not None:
            units.append(unit)
        previous = key if weight else ""
    return units


def _inseparable(first: str, second: str, having: dict[str, frozenset[int]],
                 together: dict[tuple[str, str], frozenset[int]]) -> bool:
    rows = together.get((first, second), frozenset())
    return len(rows) >= 2 and rows == having[first] == having[second]


# ---- choosing -----------------------------------------------------------------------------------


def _shorten(title: str, units: list[_Unit], limit: int, taken: set[str]) -> tuple[str, str]:
    """The best whole-word title within ``limit`` not in ``taken`` (else the best one), and what it lost."""
    best: tuple[tuple, str, tuple[int, ...]] | None = None
    best_free: tuple[tuple, str, tuple[int, ...]] | None = None
    for kept in _choices(units, limit):
        text = " ".join(units[i].text for i in kept)
        score = _score(units, kept, text)
        if best is None or score > best[0]:
            best = (score, text, kept)
        if text.casefold() not in taken and (best_free is None or score > best_free[0]):
            best_free = (score, text, kept)
    chosen = best_free or best
    if chosen is None:   # not one word fits: cut inside it, the only way left
        return L.title(title, limit), title
    _, text, kept = chosen
    dropped = " ".join(unit.text for i, unit in enumerate(units) if i not in kept and unit.content)
    return text, dropped


def _choices(units: list[_Unit], limit: int) -> Iterator[tuple[int, ...]]:
    """Every choice of units (indices, in order) whose title fits ``limit`` and starts and ends with a
    content word: a depth-first walk that stops a branch as soon as it is too long. Only the
    :data:`_CANDIDATES` weightiest units (earlier first among equals) can be kept, which bounds the
    walk to 2**_CANDIDATES choices whatever the title."""
    sizes = [L.units(unit.text) for unit in units]
    ranked = sorted(range(len(units)), key=lambda i: (-units[i].weight, i))
    candidates = sorted(i for i in ranked[:_CANDIDATES] if sizes[i] <= limit)

    def walk(start: int, kept: tuple[int, ...], used: int) -> Iterator[tuple[int, ...]]:
        if kept and units[kept[-1]].content:
            yield kept
        for position in range(start, len(candidates)):
            index = candidates[position]
            if not kept and not units[index].content:
                continue
            size = used + sizes[index] + (1 if kept else 0)
            if size <= limit:
                yield from walk(position + 1, (*kept, index), size)

    yield from walk(0, (), 0)


def _score(units: list[_Unit], kept: tuple[int, ...], text: str) -> tuple:
    """What makes a kept title better, compared in order (the largest wins): weight, content words,
    fewer holes, earlier words, more characters."""
    weight = sum(units[i].weight for i in kept)
    content = sum(units[i].words for i in kept if units[i].content)
    holes = sum(1 for a, b in zip(kept, kept[1:], strict=False) if b != a + 1)
    return weight, content, -holes, tuple(-i for i in kept), L.units(text)
