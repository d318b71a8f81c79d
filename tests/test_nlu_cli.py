"""``python -m bot nlu``: one message, and ``--jsonl`` in order."""

from __future__ import annotations

import argparse
import io
import json

from bot.nlu import cli


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_one_message_prints_one_object() -> None:
    out = io.StringIO()
    assert cli.run(_args("--context", "after_results", "التالت", "بكام"), stdout=out) == 0
    assert json.loads(out.getvalue()) == {
        "intent": "price_inquiry", "confidence": 0.95, "slots": {"product_ref": "3"}}
    assert "التالت" not in out.getvalue() and "\\u" not in out.getvalue()


def test_jsonl_keeps_order_and_survives_bad_lines() -> None:
    lines = [json.dumps({"text": "عايز تيشيرت احمر"}, ensure_ascii=False),
             "not json",
             json.dumps({"text": "compare 2 and 3", "context": "after_results"})]
    out = io.StringIO()
    assert cli.run(_args("--jsonl"), stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["slots"] == {"item": "t-shirt", "color": "red"}
    assert "error" in rows[1]
    assert rows[2]["slots"] == {"product_refs": ["2", "3"]}


def test_empty_text_is_an_error() -> None:
    assert cli.run(_args(), stdout=io.StringIO()) == 2
