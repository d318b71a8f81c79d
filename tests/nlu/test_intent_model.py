"""The learned intent reading (``bot/nlu/intent_model.py``) and how it is combined with the rules', on
sentences written for these tests (none is a line of the labelled sets), and the committed weights
against a fresh training."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.nlu import shopness, word_features
from bot.nlu.intent_model import (
    TAKE_OVER_AT,
    TAKE_UNKNOWN_AT,
    TRAINING_FILES,
    WEIGHTS,
    combine,
    features,
    main,
    read_intent,
    training_payload,
)

# Wordings the model reads with a wide margin (in the context given).
CLEAR = [
    ("browse_categories", "ممكن اشوف الاقسام اللي عندكم", "none"),
    ("order_cancel", "الغي الاوردر بتاعي لو سمحت", "none"),
    ("order_change", "عايز اغير العنوان في الطلب", "none"),
    ("product_details", "what fabric is it made of", "after_details"),
    ("search", "عايز تيشيرت اسود مقاس L", "none"),
    ("unknown", "امسح المنبه بتاع الساعه سبعه الصبح", "none"),
]


@pytest.mark.parametrize(("intent", "text", "context"), CLEAR, ids=[t for _, t, _ in CLEAR])
def test_the_model_reads_clear_wordings(intent: str, text: str, context: str) -> None:
    got, margin = read_intent(text, context)
    assert got == intent and margin >= TAKE_OVER_AT, (got, margin)


def test_a_wide_margin_overturns_the_rules() -> None:
    assert combine("search", "ممكن اشوف الاقسام اللي عندكم") == "browse_categories"
    assert combine("human_handoff", "عايز اغير العنوان في الطلب") == "order_change"


def test_a_narrow_margin_keeps_the_rules_reading() -> None:
    weak = "فين السلة"  # the model hesitates between the cart's intents
    intent, margin = read_intent(weak)
    assert intent == "cart_view" and margin < TAKE_UNKNOWN_AT
    assert combine("cart_remove", weak) == "cart_remove"


def test_the_model_takes_a_shop_reading_to_unknown_only_when_sure() -> None:
    chatter = "امسح المنبه بتاع الساعه سبعه الصبح"
    intent, margin = read_intent(chatter)
    assert intent == "unknown" and margin >= TAKE_UNKNOWN_AT
    assert combine("cart_add", chatter) == "unknown"


def test_the_rules_unknown_is_never_overturned() -> None:
    assert combine("unknown", "عايز تيشيرت اسود مقاس L") == "unknown"
    assert combine("unknown", "ممكن اشوف الاقسام اللي عندكم") == "unknown"


def test_agreement_keeps_the_rules_reading() -> None:
    assert combine("search", "عايز تيشيرت اسود مقاس L") == "search"


def test_the_context_is_a_feature() -> None:
    assert "xafter_details" in features("what fabric is it made of", "after_details")
    assert "xafter_details wwhat" in features("what fabric is it made of", "after_details")
    assert "xafter_details wmade" not in features("what fabric is it made of", "after_details")  # first three only
    assert set(word_features.features("Hi")) < set(features("Hi", "none"))


def test_the_veto_and_the_model_share_their_features() -> None:
    assert shopness.features is word_features.features
    assert word_features.features("Hi") == ["c hi", "c hi ", "chi ", "whi"]


def test_any_string_gets_a_reading() -> None:
    for text in ("", "   ", "😀😀", "؟؟", "a" * 5000, "\u200f\u200e"):
        intent, margin = read_intent(text, "none")
        assert isinstance(intent, str) and margin >= 0
        assert combine("search", text) in {"search", intent}


def test_training_files_are_the_tuned_sets_only() -> None:
    assert TRAINING_FILES[:len(shopness.TRAINING_FILES)] == shopness.TRAINING_FILES
    held_out = {"nlu_blind_b.jsonl", "nlu_blind_g.jsonl", "nlu_blind_h.jsonl", "nlu_blind_j.jsonl",
                "nlu_offtopic_2.jsonl", "nlu_offtopic_5.jsonl"}
    assert not held_out & {name for name, _ in TRAINING_FILES}
    assert ("nlu_offtopic.jsonl", 1) in TRAINING_FILES and ("nlu_offtopic_3.jsonl", 1) in TRAINING_FILES


def test_training_again_gives_the_committed_weights() -> None:
    assert training_payload() == WEIGHTS.read_text(encoding="utf-8")


def test_the_reading_does_not_depend_on_the_hash_seed() -> None:
    code = ("from bot.nlu.intent_model import read_intent; "
            "print(repr(read_intent('عايز اطلب بيتزا وتيشيرت اسود', 'after_results')))")
    root = Path(__file__).resolve().parents[2]
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outs) == 1 and outs.pop().strip() == repr(read_intent("عايز اطلب بيتزا وتيشيرت اسود", "after_results"))


def test_the_command_line_refuses_what_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "x.jsonl"]) == 2 and main(["fit"]) == 2 and main(["train", "x"]) == 2
    assert "usage" in capsys.readouterr().err
