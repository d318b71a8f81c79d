"""The blind sets: messages labelled by people who never saw the matcher's code or lexicon.

``nlu_blind_a.jsonl``, ``nlu_blind_c.jsonl``, ``nlu_blind_d.jsonl``, ``nlu_blind_e.jsonl`` and
``nlu_blind_f.jsonl`` (five writers; d has 250 near-miss non-shopping lines, e and f weigh the
intents worded most variously) are tuned on (their misses were looked at and fixed with vocabulary
and rules, by kind); ``nlu_blind_b.jsonl`` is held out: never read line by line while tuning, so it
is the honest estimate for the next customer. ``nlu_offtopic.jsonl`` holds non-shopping messages (odd
ids tuned on, even ids held out). The floors sit just under today's figures so a regression
fails; issue 12's goals are higher (intent 0.97 on the holdout, at most 2% of non-shopping
messages routed to a shop intent), and the failure report lists every miss.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.nlu import understand

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((DATA / "nlu_schema.json").read_text(encoding="utf-8"))
NOT_SHOPPING = {"unknown", "greeting", "thanks", "goodbye", "help"}


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _report(row: dict, got) -> str:
    return (f"{row['id']} [{row['lang']}/{row['context']}] {row['text']!r}: "
            f"want {row['intent']} {row['slots']}, got {got.intent} {got.slots}")


def _figures(rows: list[dict]) -> tuple[float, float, dict[str, float]]:
    """Intent accuracy, whole-slots accuracy and intent accuracy by language (figures only: for
    held-out sets, whose lines a failure must not show)."""
    got = [understand(row["text"], row["context"]) for row in rows]
    right = [g.intent == row["intent"] for g, row in zip(got, rows, strict=True)]
    slots = sum(g.slots == row["slots"] for g, row in zip(got, rows, strict=True)) / len(rows)
    by_lang: dict[str, list[bool]] = {}
    for ok, row in zip(right, rows, strict=True):
        by_lang.setdefault(row["lang"], []).append(ok)
    return sum(right) / len(rows), slots, {lang: sum(oks) / len(oks) for lang, oks in sorted(by_lang.items())}


def _score(rows: list[dict]) -> tuple[float, float, list[str]]:
    intents = slots = 0
    misses = []
    for row in rows:
        got = understand(row["text"], row["context"])
        intents += got.intent == row["intent"]
        slots += got.slots == row["slots"]
        if (got.intent, got.slots) != (row["intent"], row["slots"]):
            misses.append(_report(row, got))
    return intents / len(rows), slots / len(rows), misses


# (file, intent floor, whole-slots floor); measured 2026-12-03 after tuning on f's families:
# a 1.000 / 1.000, c 0.995 / 0.992, d 1.000 / 1.000 (0.877 / 0.963 when it arrived), e 1.000 / 1.000
# (0.887 / 0.982 when it arrived), f 0.996 / 0.996 (0.928 / 0.992 when it arrived), and the held-out
# b 0.950 / 0.981 (0.891 / 0.971 before e, 0.944 before f). The tuned sets are saturated: b (and
# each new set on arrival) is the figure that matters.
FLOORS = [("nlu_blind_a.jsonl", 0.98, 0.98), ("nlu_blind_c.jsonl", 0.97, 0.97), ("nlu_blind_d.jsonl", 0.97, 0.97),
          ("nlu_blind_e.jsonl", 0.97, 0.97), ("nlu_blind_f.jsonl", 0.97, 0.97), ("nlu_blind_b.jsonl", 0.93, 0.96)]


@pytest.mark.parametrize(("name", "intent_floor", "slots_floor"), FLOORS)
def test_blind_set_floors(name: str, intent_floor: float, slots_floor: float) -> None:
    intents, slots, misses = _score(_rows(name))
    assert intents >= intent_floor and slots >= slots_floor, \
        f"{name}: intent {intents:.3f}, slots {slots:.3f}:\n" + "\n".join(misses)


@pytest.mark.parametrize("name", ["nlu_blind_a.jsonl", "nlu_blind_b.jsonl", "nlu_blind_c.jsonl", "nlu_blind_d.jsonl",
                                  "nlu_blind_e.jsonl", "nlu_blind_f.jsonl", "nlu_blind_h.jsonl", "nlu_offtopic.jsonl",
                                  "nlu_offtopic_3.jsonl"])
def test_blind_lines_are_labelled_per_schema(name: str) -> None:
    for row in _rows(name):
        assert row["intent"] in SCHEMA["intents"] and row["context"] in SCHEMA["contexts"], row["id"]
        assert set(row["slots"]) <= set(SCHEMA["slots"]), row["id"]


@pytest.mark.parametrize(("half", "ceiling"), [(0, 0.09), (1, 0.03)])
def test_non_shopping_messages_rarely_start_a_shop_flow(half: int, ceiling: float) -> None:
    """Share routed to a shop intent, on the held-out half (even ids) and the tuned half (odd ids).

    Measured 2026-12-03: held out 33.9% → 13.6% → 7.9% → 6.8% (12 of 177); tuned on 15.3% → 0.6%.
    The goal is 2% on messages the matcher never saw.
    """
    rows = [row for row in _rows("nlu_offtopic.jsonl") if int(row["id"].split("-")[1]) % 2 == half]
    routed = [_report(row, got) for row in rows
              if (got := understand(row["text"], row["context"])).intent not in NOT_SHOPPING]
    assert len(routed) / len(rows) <= ceiling, f"{len(routed)} of {len(rows)}:\n" + "\n".join(routed)


def test_a_second_held_out_set_of_messages() -> None:
    """``nlu_blind_g.jsonl``: 400 messages by a seventh writer (300 shopping, weighted to browse,
    hand-off, size help and order status; 100 chatter), held out: never read line by line. On
    arrival, 2026-12-03: intent 0.912, whole slots 0.988, 9 of 100 chatter lines routed to a shop
    intent. The floors sit two points under; a failure gives the figures only."""
    rows = _rows("nlu_blind_g.jsonl")
    got = [understand(row["text"], row["context"]) for row in rows]
    intents = sum(g.intent == row["intent"] for g, row in zip(got, rows, strict=True)) / len(rows)
    slots = sum(g.slots == row["slots"] for g, row in zip(got, rows, strict=True)) / len(rows)
    assert len(rows) == 400 and intents >= 0.89 and slots >= 0.96, f"intent {intents:.3f}, slots {slots:.3f}"


def test_a_second_held_out_set_of_chatter() -> None:
    """``nlu_offtopic_2.jsonl``: 300 non-shopping messages by another writer (40% near misses), held
    out: never read line by line. On arrival, 2026-12-03: 22 of 300 (7.3%) routed to a shop intent."""
    rows = _rows("nlu_offtopic_2.jsonl")
    routed = [row for row in rows if understand(row["text"], row["context"]).intent not in NOT_SHOPPING]
    assert len(rows) == 300 and len(routed) / len(rows) <= 0.09, f"{len(routed)} of {len(rows)}"


def test_confidence_means_something() -> None:
    """On the labelled sets, the surer the matcher says it is, the more often it is right."""
    rows = [r for name in ("nlu_blind_a.jsonl", "nlu_blind_b.jsonl", "nlu_blind_c.jsonl", "nlu_dev.jsonl",
                           "nlu_holdout.jsonl")
            for r in _rows(name)]
    bands = {"low": [0, 0], "mid": [0, 0], "high": [0, 0]}
    for row in rows:
        got = understand(row["text"], row["context"])
        if got.intent == "unknown":
            continue
        band = "high" if got.confidence >= 0.9 else "mid" if got.confidence >= 0.8 else "low"
        bands[band][0] += got.intent == row["intent"]
        bands[band][1] += 1
    rate = {band: right / total for band, (right, total) in bands.items()}
    assert all(total >= 30 for _, total in bands.values()), bands
    assert rate["low"] < rate["mid"] < rate["high"], rate


def test_a_third_held_out_set_of_messages() -> None:
    """``nlu_blind_h.jsonl``: 500 messages by an eighth writer who read only the guide and the catalog,
    held out: never read line by line. On arrival, 2026-12-03: intent 0.978, whole slots 0.988, 4 of
    71 unknown lines routed to a shop intent; by language arz 0.97, en 1.00, franco 0.99, mixed 0.95,
    msa 1.00. After issue 12 item 2 (no request to the shop is unknown): 0.980 / 0.988, 3 of 71;
    mixed 0.97. The floors sit two points under arrival (0.93 for each language); a failure gives
    the figures only."""
    rows = _rows("nlu_blind_h.jsonl")
    intents, slots, langs = _figures(rows)
    assert len(rows) == 500 and intents >= 0.958 and slots >= 0.968, f"intent {intents:.3f}, slots {slots:.3f}"
    assert all(rate >= 0.93 for rate in langs.values()), {lang: round(rate, 3) for lang, rate in langs.items()}


# ``nlu_offtopic_3.jsonl``: 300 non-shopping messages by a new writer (205 near misses). On arrival,
# 2026-12-03: 38 of 300 (12.7%) routed to a shop intent: odd ids 16 of 150 (10.7%), even ids 22 of
# 150 (14.7%). The odd ids were tuned on (issue 12 item 2): 2 of 150 (1.3%); the even ids are held
# out (never read line by line): 20 of 150 (13.3%). Ceilings: the final figures plus two points.
OFFTOPIC_3 = [(1, 0.033), (0, 0.153)]


@pytest.mark.parametrize(("half", "ceiling"), OFFTOPIC_3)
def test_a_third_set_of_chatter_rarely_starts_a_shop_flow(half: int, ceiling: float) -> None:
    rows = [row for row in _rows("nlu_offtopic_3.jsonl") if int(row["id"].split("-")[1]) % 2 == half]
    routed = [row for row in rows if understand(row["text"], row["context"]).intent not in NOT_SHOPPING]
    shown = "\n".join(f"{row['id']} {row['text']!r}" for row in routed) if half == 1 else "(held out: figures only)"
    assert len(rows) == 150 and len(routed) / len(rows) <= ceiling, f"{len(routed)} of {len(rows)}:\n{shown}"


# Sets of the second issue-12 round (2026-12-03), each by a writer who read only the guide, the
# schema, LANGUAGE.md and the catalog. Tuned on: ``nlu_blind_i.jsonl`` (670 lines; on arrival intent
# 0.945, whole slots 0.981; now 1.000 / 1.000) and ``nlu_blind_k.jsonl`` (563 shopping lines that read
# like chatter; on arrival 0.909 / 0.966; now 0.959 / 0.973). Floors: two points under today.
TUNED_ROUND_2 = [("nlu_blind_i.jsonl", 0.98, 0.98), ("nlu_blind_k.jsonl", 0.94, 0.95)]


@pytest.mark.parametrize(("name", "intent_floor", "slots_floor"), TUNED_ROUND_2)
def test_tuned_sets_of_the_second_round(name: str, intent_floor: float, slots_floor: float) -> None:
    intents, slots, misses = _score(_rows(name))
    assert intents >= intent_floor and slots >= slots_floor, \
        f"{name}: intent {intents:.3f}, slots {slots:.3f}:\n" + "\n".join(misses)


def test_a_fourth_held_out_set_of_messages() -> None:
    """``nlu_blind_j.jsonl``: 658 messages by a ninth writer (wordings a keyword list would not
    foresee), held out: never read line by line. On arrival: intent 0.912, whole slots 0.976 (arz
    0.87, en 0.95, franco 0.95, mixed 0.98, msa 0.98); after the vocabulary and rule rounds on sets i
    and k and the learned readings: 0.935 / 0.982 (arz 0.91, en 0.95, franco 0.95, mixed 0.98, msa
    1.00). Floors two points under (0.89 for each language); a failure gives the figures only."""
    rows = _rows("nlu_blind_j.jsonl")
    intents, slots, langs = _figures(rows)
    assert len(rows) == 658 and intents >= 0.915 and slots >= 0.962, f"intent {intents:.3f}, slots {slots:.3f}"
    assert all(rate >= 0.89 for rate in langs.values()), {lang: round(rate, 3) for lang, rate in langs.items()}


# Chatter of the second round: ``nlu_offtopic_4.jsonl`` (595 lines, tuned on: 9.9% routed to a shop
# intent on arrival, 0.2% now) and ``nlu_offtopic_6.jsonl`` (883 lines, a quarter English, tuned on:
# 9.2% on arrival, 1.9% now); ``nlu_offtopic_5.jsonl`` (435 lines, held out: 8.3% on arrival, 3.4%
# now). Ceilings: today's figures plus two points.
CHATTER_ROUND_2 = [("nlu_offtopic_4.jsonl", 0.022, True), ("nlu_offtopic_6.jsonl", 0.039, True),
                   ("nlu_offtopic_5.jsonl", 0.054, False)]


@pytest.mark.parametrize(("name", "ceiling", "tuned"), CHATTER_ROUND_2)
def test_chatter_of_the_second_round_rarely_starts_a_shop_flow(name: str, ceiling: float, tuned: bool) -> None:
    rows = _rows(name)
    routed = [row for row in rows if understand(row["text"], row["context"]).intent not in NOT_SHOPPING]
    shown = "\n".join(f"{row['id']} {row['text']!r}" for row in routed) if tuned else "(held out: figures only)"
    assert len(routed) / len(rows) <= ceiling, f"{len(routed)} of {len(rows)}:\n{shown}"


@pytest.mark.parametrize("name", ["nlu_blind_g.jsonl", "nlu_blind_i.jsonl", "nlu_blind_j.jsonl", "nlu_blind_k.jsonl",
                                  "nlu_offtopic_2.jsonl", "nlu_offtopic_4.jsonl", "nlu_offtopic_5.jsonl",
                                  "nlu_offtopic_6.jsonl", "nlu_blind_l.jsonl", "nlu_blind_m.jsonl",
                                  "nlu_blind_n.jsonl", "nlu_offtopic_7.jsonl", "nlu_offtopic_8.jsonl"])
def test_the_newer_sets_are_labelled_per_schema(name: str) -> None:
    for row in _rows(name):
        assert row["intent"] in SCHEMA["intents"] and row["context"] in SCHEMA["contexts"], row["id"]
        assert set(row["slots"]) <= set(SCHEMA["slots"]), row["id"]
