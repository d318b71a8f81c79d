"""The whole labelled dev set (tests/data/nlu_dev.jsonl): aggregate floors, per-line report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.nlu import understand

DEV = [json.loads(line) for line in
       (Path(__file__).parent / "data" / "nlu_dev.jsonl").read_text(encoding="utf-8").splitlines()
       if line.strip()]


def _run(row: dict) -> tuple[bool, bool, str]:
    """(intent right, slots right, a one-line report of the difference)."""
    got = understand(row["text"], row["context"])
    intent_ok, slots_ok = got.intent == row["intent"], got.slots == row["slots"]
    report = (f"{row['id']} [{row['lang']}/{row['context']}] {row['text']!r}: "
              f"want {row['intent']} {row['slots']}, got {got.intent} {got.slots}")
    return intent_ok, slots_ok, report


RESULTS = {row["id"]: _run(row) for row in DEV}


def test_dev_set_is_whole() -> None:
    assert len(DEV) == 320
    assert len({r["id"] for r in DEV}) == 320


def test_intent_accuracy_overall_at_least_95_percent() -> None:
    failures = [rep for ok, _, rep in RESULTS.values() if not ok]
    accuracy = 1 - len(failures) / len(DEV)
    assert accuracy >= 0.95, f"intent accuracy {accuracy:.3f}:\n" + "\n".join(failures)


@pytest.mark.parametrize("lang", sorted({r["lang"] for r in DEV}))
def test_intent_accuracy_per_language_at_least_90_percent(lang: str) -> None:
    rows = [r for r in DEV if r["lang"] == lang]
    failures = [RESULTS[r["id"]][2] for r in rows if not RESULTS[r["id"]][0]]
    accuracy = 1 - len(failures) / len(rows)
    assert accuracy >= 0.90, f"{lang} intent accuracy {accuracy:.3f}:\n" + "\n".join(failures)


def test_whole_slots_exact_match_at_least_90_percent() -> None:
    failures = [rep for _, ok, rep in RESULTS.values() if not ok]
    accuracy = 1 - len(failures) / len(DEV)
    assert accuracy >= 0.90, f"slot exact match {accuracy:.3f}:\n" + "\n".join(failures)


@pytest.mark.parametrize("row", DEV, ids=[r["id"] for r in DEV])
def test_dev_line_output_is_well_formed(row: dict) -> None:
    got = understand(row["text"], row["context"])
    assert 0.0 <= got.confidence <= 1.0
    assert got.language in {"ar", "franco", "en"}
    assert all(v not in (None, "", []) for v in got.slots.values())
    if got.intent == "unknown":
        assert got.slots == {}


def test_confidence_ranks_right_answers_above_wrong_ones() -> None:
    right = [understand(r["text"], r["context"]).confidence
             for r in DEV if RESULTS[r["id"]][0]]
    assert sum(right) / len(right) >= 0.7


def test_language_follows_the_script() -> None:
    expected = {"arz": "ar", "msa": "ar", "en": "en", "franco": "franco"}
    rows = [r for r in DEV if r["lang"] in expected]
    wrong = Counter(r["lang"] for r in rows
                    if understand(r["text"], r["context"]).language != expected[r["lang"]])
    assert sum(wrong.values()) <= len(rows) * 0.05, wrong
