"""bot/nlu/training.py: the labelled lines, the weights text and the evaluation the learned readings share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.nlu.matcher import understand
from bot.nlu.training import evaluate, main, training_rows, weights_text

LINES = [{"id": "t-0001", "text": "عايز تيشيرت اسود مقاس L", "lang": "arz", "intent": "search", "slots": {},
          "context": "none"},
         {"id": "t-0002", "text": "امسح المنبه بتاع الساعه سبعه الصبح", "lang": "arz", "intent": "unknown",
          "slots": {}, "context": "none"}]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "mine.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in LINES) + "\n",
                                         encoding="utf-8")
    return tmp_path


def test_training_rows_take_a_file_or_one_half_of_its_ids(data: Path) -> None:
    assert [r["id"] for r in training_rows([("mine.jsonl", None)], data)] == ["t-0001", "t-0002"]
    assert [r["id"] for r in training_rows([("mine.jsonl", 1)], data)] == ["t-0001"]
    assert [r["id"] for r in training_rows([("mine.jsonl", 0)], data)] == ["t-0002"]


def test_the_weights_text_is_json_with_one_feature_a_line() -> None:
    text = weights_text({"alpha": 0.3, "lines": [2, 1], "counts": {"wتيشيرت": [2, 0], "cabc": [0, 1]}})
    assert json.loads(text) == {"alpha": 0.3, "lines": [2, 1], "counts": {"wتيشيرت": [2, 0], "cabc": [0, 1]}}
    assert text.splitlines()[1:3] == ['"wتيشيرت": [2, 0],', '"cabc": [0, 1]']


def test_evaluate_reports_the_rules_alone_and_the_answer(data: Path) -> None:
    report = evaluate(["mine.jsonl", "mine.jsonl:1"], data=data).splitlines()
    assert [line.split(" intent")[0] for line in report] == [
        "mine.jsonl rules  ", "mine.jsonl learned", "mine.jsonl:1 rules  ", "mine.jsonl:1 learned"]
    assert report[1] == "mine.jsonl learned intent 1.0000 (2/2) | arz 1.000 | chatter routed 0/1"
    assert report[2] == "mine.jsonl:1 rules   intent 1.0000 (1/1) | arz 1.000 | chatter routed 0/0"


def test_the_rules_alone_are_what_the_learned_readings_settle() -> None:
    """``learned=False`` is the rules' reading: another company's wallet failing reads as a payment
    question to the rules alone, and as chatter once the learned readings settle it."""
    text = "فودافون كاش مش راضي يحول خالص"
    assert understand(text, learned=False).intent == "payment_info"
    assert understand(text).intent == "unknown"
    assert understand("عايز تيشيرت اسود مقاس L", learned=False) == understand("عايز تيشيرت اسود مقاس L")


def test_the_command_line_refuses_what_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate"]) == 2 and main(["train"]) == 2
    assert "usage" in capsys.readouterr().err
