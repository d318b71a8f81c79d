"""Speed with the same answers: the rules skipped for a message could not have decided it, and an
analysis handed over (``Understanding.analysis``) reads as the words analysed again."""

from __future__ import annotations

import json
from pathlib import Path

from bot.nlu import CONTEXTS, understand
from bot.nlu.analysis import analyse
from bot.nlu.intents import _NEEDS, Evidence, _rules_to_run
from bot.nlu.query import read_query
from bot.nlu.slots import extract_slots

DATA = Path(__file__).resolve().parent.parent / "data"


def _messages() -> list[tuple[str, str]]:
    out = []
    for path in sorted(DATA.glob("nlu_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["text"], row.get("context", "none")))
    return out


def test_a_rule_left_out_for_want_of_its_needs_decides_nothing() -> None:
    checked = 0
    for text, _ in _messages():
        for context in CONTEXTS:
            an = analyse(text, context)
            ev = Evidence(an, extract_slots(an))
            run = set(_rules_to_run(ev))
            for rule, _ in _NEEDS:
                if rule not in run:
                    assert rule(ev) is None, (text, context, rule)
                    checked += 1
    assert checked > 100_000


def test_the_analysis_handed_over_gives_the_same_answers() -> None:
    for text, context in _messages()[::7]:
        first = understand(text, context)
        assert first.analysis is not None
        for other in CONTEXTS:
            assert understand(text, other, analysis=first.analysis) == understand(text, other)
        assert read_query(text, first.analysis) == read_query(text)


def test_the_analysis_is_neither_compared_nor_printed() -> None:
    one, two = understand("عايز تيشيرت اسود"), understand("عايز تيشيرت اسود")
    assert one == two and one.analysis is not two.analysis
    assert "analysis" not in repr(one) and set(one.to_dict()) == {"intent", "confidence", "slots"}
