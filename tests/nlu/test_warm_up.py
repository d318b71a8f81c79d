"""``warm_up`` builds the matcher's tables and sets them aside from the garbage collector."""

from __future__ import annotations

import gc

from bot.nlu import clear_caches, understand, warm_up


def test_warm_up_sets_the_tables_aside_from_the_collector() -> None:
    try:
        warm_up()
        assert gc.get_freeze_count() > 100_000   # the lexicon, the phrase index, the common words
        assert understand("عايز تيشيرت اسود", "none").intent == "search"
    finally:
        gc.unfreeze()


def test_clearing_the_caches_changes_no_answer() -> None:
    before = [understand(text, "after_results") for text in ("التالت بكام", "3ayez snekers aswed", "مقاس ٤٢")]
    clear_caches()
    assert [understand(text, "after_results") for text in ("التالت بكام", "3ayez snekers aswed", "مقاس ٤٢")] == before
