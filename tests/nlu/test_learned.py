"""Both learned models over one table (``bot/nlu/learned.py``): the same readings as the models
themselves on every labelled line and on generated messages, and the constraints that keep the
intent model off what the rules know for sure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.texts import Texts
from bot.nlu import intent_model, learned, shopness, warm_up
from bot.nlu.analysis import analyse
from bot.nlu.intents import decide
from bot.nlu.slots import extract_slots

DATA = Path(__file__).resolve().parents[1] / "data"


def _labelled() -> list[tuple[str, str]]:
    lines = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and "text" in (row := json.loads(line)):
                lines.append((row["text"], row.get("context", "none")))
    return lines


def _same_decisions(texts: list[tuple[str, str]]) -> None:
    model, veto = intent_model.load_model(), shopness.load_model()
    for text, context in texts:
        reading = learned.read(text, context)
        assert (reading.intent, reading.margin) == model.read(text, context), text  # bit for bit
        score = veto.score(text)
        assert reading.shopness == pytest.approx(score, abs=1e-9), text  # exact sum there, running sum here
        for bound in (shopness.VETO_BELOW, learned.UNKNOWN_IF_SHOPNESS_BELOW):
            assert (reading.shopness < bound) == (score < bound), text


def test_one_table_reads_every_labelled_line_as_both_models_do() -> None:
    lines = _labelled()
    assert len(lines) > 9000
    _same_decisions(lines)


@pytest.mark.parametrize("context", ["none", "after_results", "after_details"])
def test_one_table_reads_generated_messages_as_both_models_do(context: str) -> None:
    _same_decisions([(text, context) for text in Texts(seed=11).batch(2000)])


def test_a_word_seen_before_is_not_looked_up_again_and_clearing_changes_nothing() -> None:
    text = "عايزه فستان اسود مقاس L بكام"
    first = learned.read(text, "after_results")
    learned._token_rows.cache_clear()
    assert learned.read(text, "after_results") == first
    assert learned._token_rows.cache_info().misses > 0
    assert learned.read(text, "after_results") == first


def test_warm_up_builds_the_table() -> None:
    import gc

    try:
        warm_up()
        assert learned.load_readings.cache_info().currsize == 1
    finally:
        gc.unfreeze()


def _settled(text: str, context: str = "none", rules: str | None = None) -> tuple[str, str, learned.Reading]:
    """The rules' reading (``rules`` when given: the rules change, the constraints should not), what
    :func:`learned.settle` answers for it, and the models' reading."""
    an = analyse(text, context)
    slots = extract_slots(an)
    rules = rules or decide(an, slots).intent
    return rules, learned.settle(rules, text, an, slots), learned.read(text, context)


def test_a_wide_margin_overturns_the_rules_reading() -> None:
    _, settled, reading = _settled("عايز اغير العنوان في الطلب", rules="human_handoff")
    assert settled == reading.intent == "order_change"


def test_chatter_read_as_a_shop_intent_becomes_unknown() -> None:
    _, settled, reading = _settled("امسح المنبه بتاع الساعه سبعه الصبح", rules="cart_add")
    assert settled == "unknown" and reading.shopness < shopness.VETO_BELOW


# (text, context, the rules' reading, the model's reading it is kept from): one per constraint.
KEPT = [
    ("رمضان كريم", "none", "greeting", "unknown"),  # courtesy starts no shop flow
    ("ايه احسن جاكيت للشتا؟", "none", "recommendations", "compare"),  # left alone, as by the veto
    ("ممكن اللوكيشن بتاع الفرع؟", "none", "store_info", "unknown"),  # names the shop's own place
    ("تالت واحدة فيها احمر؟", "after_results", "product_details", "unknown"),  # a position on the list
    ("السلام عليكم عايز اشوف المنتج رقم ٦٣", "none", "product_details", "store_info"),  # a product number
    ("remove the jacket from my order", "none", "order_change", "cart_remove"),  # an order word
    ("been waiting for my hoodie since monday", "none", "order_status", "unknown"),  # reads like shopping
]


@pytest.mark.parametrize(("text", "context", "rules", "model"), KEPT, ids=[k[0] for k in KEPT])
def test_what_the_rules_know_for_sure_is_kept(text: str, context: str, rules: str, model: str) -> None:
    _, settled, reading = _settled(text, context, rules)
    assert reading.intent == model and reading.margin >= intent_model.TAKE_UNKNOWN_AT  # the model disagrees...
    assert settled == rules  # ...and is not taken
