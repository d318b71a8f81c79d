"""The shop lexicon: data in ``bot/nlu/lexicon/*.json``, loaded and normalised once.

Every surface form is stored normalised (``bot.nlu.normalize``) and tokenised, with its tokens
joined by single spaces (``"T-Shirt"`` → ``"t shirt"``), so a caller compares it with
``" ".join(tokenize(text))`` or token n-grams of a message.

Files: ``items.json`` (catalogue items, with the schema slot each one gives, or none),
``colors.json``, ``categories.json``, ``genders.json`` (boys and girls, the gender split of
the kids section; not a schema slot), ``sizes.json`` (letter sizes, size cues, fits),
``numbers.json`` (number words, ordinals, currency), ``markers.json`` (price bounds, id and
order cues, measures, negators, deictics, cart nouns, phrases that are not slots),
``cues.json`` (intent cue phrases with weights), ``topics.json`` (other topics' nouns by family:
household, vehicles, food, finance, tech, apps, health, school and work, sport, building and
crafts, pets, beauty, other shops, places).

Usage (the store search builds its dialect-aware index from the same data)::

    from bot.nlu.lexicon import load_lexicon

    lex = load_lexicon()
    lex.items["t-shirt"].forms        # ('تيشيرت', 'تيشرت', 'تي شيرت', ..., 't shirt', 'tee', ...)
    lex.items["shorts"].slot          # None: a catalogue item outside schema.json's item list
    lex.items["sweatshirt"].slot      # 'hoodie'
    lex.surface_map("color")["سودا"]  # 'black'
    lex.surface_map("item")["gyba"]   # 'skirt' (catalogue item names, not slot values)
    lex.surface_map("category")["7arimy"]  # 'women'
    lex.surface_map("size")["اكس لارج"]    # 'XL'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.nlu.normalize import tokenize

__all__ = ["ItemEntry", "Lexicon", "load_lexicon", "read_json", "norm_form"]

_DIR = Path(__file__).resolve().parent
_SCRIPTS = ("ar", "franco", "en")


def read_json(name: str) -> dict[str, Any]:
    """The raw content of ``lexicon/<name>.json`` (keys starting with ``_`` are notes)."""
    with open(_DIR / f"{name}.json", encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: v for k, v in data.items() if not k.startswith("_")}


def norm_form(form: str) -> str:
    """Normalise one surface form: tokens joined by single spaces."""
    return " ".join(tokenize(form))


def _forms(values: Iterable[str]) -> tuple[str, ...]:
    """Normalised, de-duplicated forms in their written order (empty ones dropped)."""
    seen: dict[str, None] = {}
    for value in values:
        form = norm_form(value)
        if form:
            seen.setdefault(form, None)
    return tuple(seen)


def _scripted(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """All forms of an ``{"ar": [...], "franco": [...], "en": [...]}`` entry."""
    return _forms(form for script in _SCRIPTS for form in entry.get(script, ()))


@dataclass(frozen=True)
class ItemEntry:
    """One catalogue item: its canonical name, the schema slot value it gives, its forms."""

    canonical: str
    slot: str | None
    forms: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """All vocabulary, normalised. Mappings are read-only."""

    items: Mapping[str, ItemEntry]
    colors: Mapping[str, tuple[str, ...]]
    categories: Mapping[str, tuple[str, ...]]
    sizes: Mapping[str, tuple[str, ...]]
    slot_sizes: frozenset[str]
    size_cues: tuple[str, ...]
    fits: tuple[str, ...]
    numbers: Mapping[str, Mapping[int, tuple[str, ...]]]
    ordinals: Mapping[str, tuple[str, ...]]
    currency: tuple[str, ...]
    joiners: tuple[str, ...]
    markers: Mapping[str, tuple[str, ...]]
    cues: Mapping[str, Mapping[int, tuple[str, ...]]]
    genders: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    topic_exempt: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    topic_construct: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    foreign_orders: frozenset[str] = frozenset()
    care_intents: frozenset[str] = frozenset()
    topic_words: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    def surface_map(self, kind: str) -> dict[str, str]:
        """Normalised form → canonical value for ``item``, ``color``, ``category``, ``size``, ``gender``."""
        groups: Mapping[str, Iterable[str]]
        if kind == "item":
            groups = {name: entry.forms for name, entry in self.items.items()}
        else:
            groups = {"color": self.colors, "category": self.categories,
                      "size": self.sizes, "gender": self.genders}[kind]
        out: dict[str, str] = {}
        for canonical, forms in groups.items():
            for form in forms:
                out.setdefault(form, canonical)
        return out


def _items() -> dict[str, ItemEntry]:
    """``items.json`` as :class:`ItemEntry` values."""
    return {name: ItemEntry(name, entry["slot"], _scripted(entry))
            for name, entry in read_json("items").items()}


def _numbers(raw: Mapping[str, Any]) -> dict[str, Mapping[int, tuple[str, ...]]]:
    """Number-word groups: group name → value → forms."""
    groups = ("units", "tens", "hundreds", "thousands", "multipliers")
    return {g: MappingProxyType({int(v): _forms(f) for v, f in raw[g].items()}) for g in groups}


def _raw_json(name: str) -> dict[str, Any]:
    """``lexicon/<name>.json`` with its ``_`` keys (settings as well as notes)."""
    with open(_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load and normalise every lexicon file once (cached for the process)."""
    sizes, numbers = read_json("sizes"), read_json("numbers")
    topics_raw = _raw_json("topics")
    letters = sizes["letters"]
    cues = {intent: MappingProxyType({int(w): _forms(p) for w, p in tiers.items()})
            for intent, tiers in read_json("cues").items()}
    return Lexicon(
        items=MappingProxyType(_items()),
        colors=MappingProxyType({k: _scripted(v) for k, v in read_json("colors").items()}),
        categories=MappingProxyType(
            {k: _scripted(v) for k, v in read_json("categories").items()}),
        sizes=MappingProxyType({k: _forms(v["forms"]) for k, v in letters.items()}),
        slot_sizes=frozenset(k for k, v in letters.items() if v["slot"]),
        size_cues=_scripted(sizes["cues"]),
        fits=_forms(sizes["fits"]),
        numbers=MappingProxyType(_numbers(numbers)),
        ordinals=MappingProxyType({k: _forms(v) for k, v in numbers["ordinals"].items()}),
        currency=_forms(numbers["currency"]),
        joiners=_forms(numbers["joiners"]),
        markers=MappingProxyType({k: _forms(v) for k, v in read_json("markers").items()}),
        cues=MappingProxyType(cues),
        genders=MappingProxyType({k: _scripted(v) for k, v in read_json("genders").items()}),
        topics=MappingProxyType({k: _scripted(v) for k, v in read_json("topics").items()}),
        topic_exempt=MappingProxyType({k: frozenset(v) for k, v in topics_raw["_exempt"].items()}),
        topic_construct=MappingProxyType({k: frozenset(v) for k, v in topics_raw["_construct"].items()}),
        foreign_orders=frozenset(topics_raw["_foreign_orders"]),
        care_intents=frozenset(topics_raw["_care_intents"]),
        topic_words=MappingProxyType({name: frozenset(_forms(topics_raw["_" + name])) for name in
                                      ("child_words", "hour_before", "hour_after", "pay_verbs",
                                       "gift_words", "hour_coming")}),
    )
