"""A search given the reading the dialog already made of the customer's words answers as one that reads them itself."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.nlu.query import read_query
from bot.store import build_store
from bot.store.search import _MAX_QUERY_WORDS

QUERIES = ["عايز تيشيرت اسود تحت 500", "3ayez jeans azra2", "black hoodie for men not navy", "فستان سواريه احمر مقاس M"]


@pytest.mark.parametrize("query", QUERIES)
def test_a_given_reading_gives_the_same_page(query):
    store = build_store(Settings())
    alone = store.search(query, limit=10)
    calls = []
    given = build_store(Settings()).search(query, limit=10, read=lambda: calls.append(query) or read_query(query))
    assert calls == [query]
    assert (given.products, given.total, given.filters, given.relaxed) == \
        (alone.products, alone.total, alone.filters, alone.relaxed)


def test_a_cached_answer_needs_no_reading():
    store = build_store(Settings())
    store.search(QUERIES[0], limit=10)
    calls = []
    store.search(QUERIES[0], limit=10, read=lambda: calls.append(1) or read_query(QUERIES[0]))
    assert calls == []


def test_a_query_cut_to_its_first_words_is_read_again():
    essay = " ".join(["تيشيرت"] * (_MAX_QUERY_WORDS + 5))
    calls = []
    build_store(Settings()).search(essay, limit=5, read=lambda: calls.append(1) or read_query(essay))
    assert calls == [], "the reading of the whole essay is not the reading of the words searched"
