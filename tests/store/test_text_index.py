"""Ranked text search (issue 13): BM25 by field, concepts across languages, typos, the store's own words.

Small catalogs made here, so each behaviour is seen on its own; the demo catalog's figures are in
tests/store/test_search_blind.py.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.store.product import Product
from bot.store.search import SearchFilters, SearchIndex
from bot.store.text_index import TextIndex, word_key

ROOT = Path(__file__).resolve().parents[2]


def product(number: int, name_en: str, name_ar: str = "", item: str = "bag", **fields) -> Product:
    defaults = dict(category="accessories", gender="women", colors=("black",), sizes=("One Size",),
                    price=500, final_price=500, stock_quantity=10, rating=4.0, count_rating=10)
    return Product(id=number, name_en=name_en, name_ar=name_ar, item=item, **(defaults | fields))


def ids(index: SearchIndex, text: str, filters: SearchFilters | None = None, limit: int = 10) -> list[int]:
    return [p.id for p, _ in index.search(text, filters, "relevance", limit, 0)[0]]


def test_word_keys_drop_articles_and_plurals() -> None:
    assert [word_key(w) for w in ("الجلد", "بالجلد", "للجري", "heels", "dress", "jeans")] == \
        ["جلد", "جلد", "جري", "heel", "dress", "jean"]


def test_a_concept_joins_languages_both_ways() -> None:
    index = SearchIndex([product(1, "Travel Backpack"), product(2, "Tote Bag"), product(3, "Clutch", "كلتش سهرة"),
                         product(4, "Shoulder Bag"), product(5, "Canvas Bag"), product(6, "Gym Bag")])
    assert ids(index, "شنطة ضهر")[:1] == [1]                 # Arabic query, English-only product
    assert ids(index, "shanta dahr")[:1] == [1]              # Franco
    assert ids(index, "evening bag")[:1] == [3]              # English query, Arabic-only word (سهرة)


def test_the_stores_own_item_words_are_searchable() -> None:
    """A catalog item outside the lexicon (kaftan) is found by the words its products carry."""
    catalog = [product(1, "Embroidered Kaftan", "قفطان مطرز", item="kaftan", category="women"),
               product(2, "Linen Shirt", "قميص كتان", item="shirt", category="women")]
    index = SearchIndex(catalog)
    assert ids(index, "قفطان") == [1] and ids(index, "kaftan") == [1] and ids(index, "عايز قفطان مطرز") == [1]


def test_typos_inside_a_word_but_not_real_words() -> None:
    index = SearchIndex([product(1, "Leather Jacket", "جاكيت جلد", item="jacket"),
                         product(2, "Running Sneakers", "كوتشي جري", item="sneakers")])
    assert ids(index, "jakcet lether")[:1] == [1]
    assert ids(index, "snekers")[:1] == [2]
    assert ids(index, "احمد") == []                          # a name one letter from احمر is no colour


def test_a_clitic_letter_is_another_reading() -> None:
    index = SearchIndex([product(1, "Laptop Backpack", "شنطة ضهر لابتوب"), product(2, "Gym Bag", "شنطة جيم")])
    assert ids(index, "شنطه للابتوب")[:1] == [1]


def test_a_phrase_in_the_names_order_ranks_first() -> None:
    index = SearchIndex([product(1, "Label Black Sneakers", item="sneakers"),
                         product(2, "Black Label Sneakers", item="sneakers")])
    assert ids(index, "black label sneakers")[:1] == [2]


def test_an_item_is_a_boost_not_a_wall() -> None:
    catalog = [product(1, "Denim Jacket", "جاكيت جينز", item="shirt"),        # the catalog filed it as a shirt
               product(2, "Linen Shirt", "قميص كتان", item="shirt"),
               product(3, "Bomber Jacket", "جاكيت بومبر", item="jacket")]
    found = ids(SearchIndex(catalog), "jacket")
    assert found[:1] == [3] and 1 in found and 2 not in found


def test_men_includes_unisex_adults_and_kids_only_when_asked() -> None:
    catalog = [product(1, "Men's Cap", item="cap", gender="men"),
               product(2, "Unisex Cap", item="cap", gender="unisex"),
               product(3, "Kids' Cap", item="cap", gender="unisex", category="kids"),
               product(4, "Boys' Cap", item="cap", gender="boys", category="kids")]
    index = SearchIndex(catalog)
    assert sorted(ids(index, "كاب رجالي")) == [1, 2]
    assert sorted(ids(index, "cap")) == [1, 2]
    assert sorted(ids(index, "kids cap")) == [3, 4]
    only_kids = SearchIndex(catalog[2:])
    page = only_kids.search("cap", None, "relevance", 10, 0)
    assert [p.id for p, _ in page[0]] and page[3] == ("adult",)  # nothing adult: kids shown, and said so


def test_sold_out_never_first_and_scores_stay_in_0_1() -> None:
    catalog = [product(1, "Leather Wallet", item="wallet", stock_quantity=0, rating=5.0, count_rating=300),
               product(2, "Leather Wallet Slim", item="wallet")]
    page = SearchIndex(catalog).search("leather wallet", None, "relevance", 10, 0)[0]
    assert [p.id for p, _ in page] == [2, 1] and all(0 <= score <= 1 for _, score in page)


def test_ten_colours_of_one_model_do_not_fill_the_page() -> None:
    colours = ["black", "white", "red", "blue", "navy", "green", "grey", "beige"]
    catalog = [product(n, f"{c.title()} Classic Polo", item="t-shirt", colors=(c,), rating=5.0, count_rating=200)
               for n, c in enumerate(colours, 1)]
    catalog += [product(20, "Striped Polo", item="t-shirt", rating=3.0),
                product(21, "Pique Polo", item="t-shirt", rating=3.0)]
    index = SearchIndex(catalog)
    first = ids(index, "polo", limit=4)
    assert {20, 21} <= set(first)
    assert ids(index, "polo", limit=10)[:4] == first             # one ranking over all pages
    second = [p.id for p, _ in index.search("polo", None, "relevance", 4, 4)[0]]
    assert second == ids(index, "polo", limit=8)[4:]


def test_a_product_number_is_that_product_but_a_shoe_size_is_not() -> None:
    catalog = [product(n, f"Bag {n}") for n in (42, 120)]
    catalog += [product(7, "Leather Shoes", item="shoes", category="shoes", sizes=("42",))]
    index = SearchIndex(catalog)
    assert ids(index, "عايز اشوف منتج رقم ١٢٠") == [120]
    assert ids(index, "3ayez ashoof el montag 42") == [42]
    assert ids(index, "جزمه رقم 42") == [7]


def test_words_the_shop_has_nothing_for_find_nothing() -> None:
    index = SearchIndex([product(1, "Men's Shirt", item="shirt", gender="men", category="men")])
    assert ids(index, "laptop charger") == []
    assert ids(index, "men's shirt") == [1]


def test_text_index_scores_every_product_and_is_zero_without_a_match() -> None:
    text = TextIndex([product(1, "Linen Shirt", "قميص كتان", item="shirt"), product(2, "Wool Coat", item="coat")])
    scores = text.scores(["كتان"])
    assert scores.shape == (2,) and scores[0] > 0 and scores[1] == 0


def test_search_output_is_the_same_under_every_hash_seed() -> None:
    queries = ["جاكيت جلد اسود", "shanta dahr", "snekers rgaly", "fostan sahra ta7t 2000", "polo", "تيشيرت مش اسود",
               "cap", "طقم صيفي", "kids shoes", "bag"]
    stdin = "".join(json.dumps({"query": q}, ensure_ascii=False) + "\n" for q in queries)
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "bot", "search", "--jsonl", "--limit", "10"], input=stdin,
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1 and len(outputs.pop().splitlines()) == len(queries)


@pytest.mark.parametrize("query", ["", "   ", "؟؟", "@@@", "x" * 5000])
def test_odd_queries_never_crash(query) -> None:
    index = SearchIndex([product(1, "Bag")])
    index.search(query, None, "relevance", 10, 0)


def test_franco_finds_an_arabic_only_catalog() -> None:
    """Many shops write their catalog in Arabic only; customers still type Franco."""
    catalog = [product(1, "", "مايوه شورت رجالي", item="shorts", gender="men", category="men"),
               product(2, "", "فستان سواريه طويل", item="dress"),
               product(3, "", "كوتشي جري خفيف", item="sneakers"),
               product(4, "", "بيجامه قطن", item="pajamas")]
    index = SearchIndex(catalog)
    assert ids(index, "mayoh")[:1] == [1]
    assert ids(index, "fostan swareh")[:1] == [2]
    assert ids(index, "kotshy")[:1] == [3]
    assert ids(index, "mayya") == []                           # two consonants: only with the same long vowels


def test_gibberish_latin_is_not_read_as_an_arabic_word() -> None:
    index = SearchIndex([product(1, "", "محفظة كروت جلد", item="wallet")])
    assert ids(index, "xyzzy qwerty") == []                   # qwerty has كروت's consonants, not its vowels


def test_a_section_the_catalog_does_not_file_is_its_items_never_everything() -> None:
    """A shop filed only by men/women/kids still has shoes; "men's shoes" never lists its sunglasses."""
    catalog = [product(1, "Men's Leather Boots", item="boots", gender="men", category="men"),
               product(2, "Men's Sunglasses", item="sunglasses", gender="men", category="men"),
               product(3, "Women's Sandals", item="sandals", gender="women", category="women")]
    index = SearchIndex(catalog)
    assert ids(index, "جزمه رجالي") == [1]
    assert sorted(ids(index, "shoes")) == [1, 3]


def test_the_customers_own_words_are_not_typos_of_product_words() -> None:
    """بكام is one letter from بكمام (sleeves), salam from سليم: a price question keeps its ranking."""
    catalog = [product(1, "Black T-Shirt", "تيشيرت اسود", item="t-shirt", colors=("black",)),
               product(2, "Long Sleeve Black T-Shirt", "تيشيرت اسود بكمام", item="t-shirt", colors=("black",),
                       rating=3.0)]
    index = SearchIndex(catalog)
    assert index.text.scores(["بكام"]).max() == 0 and index.text.scores(["bekam"]).max() == 0
    assert ids(index, "بكام التيشيرت الاسود؟")[:1] == [1]


def test_a_sold_out_product_is_never_first_while_one_in_stock_matches() -> None:
    catalog = [product(1, "Canvas Backpack", "شنطة ضهر", stock_quantity=0, rating=5.0, count_rating=400),
               product(2, "Laptop Backpack", "شنطة ضهر لابتوب", rating=2.0)]
    index = SearchIndex(catalog)
    page = index.search("شنطة ضهر", None, "relevance", 10, 0)[0]
    assert [p.id for p, _ in page] == [2, 1] and [s for _, s in page] == sorted((s for _, s in page), reverse=True)


def test_numbers_that_are_not_products() -> None:
    catalog = [product(9, "Bag 9"), product(3, "Kids Bag", category="kids", gender="boys")]
    index = SearchIndex(catalog)
    for text in ("العنوان عمارة رقم 9", "order number 9", "فاتورة رقم 9"):
        assert ids(index, text) != [9], text
    assert ids(index, "المنتج رقم 9") == [9]
    kids_only = index.search("منتج رقم 9", SearchFilters(category="kids"), "relevance", 10, 0)[0]
    assert [p.id for p, _ in kids_only] != [9]                    # the caller's filters win


def test_many_colours_of_unrated_models_page_fast_and_in_one_order() -> None:
    catalog = [product(n, f"{c} Classic Polo {n // 8}", item="t-shirt", colors=(c.lower(),), rating=0.0, count_rating=0)
               for n, c in enumerate(["Black", "White", "Red", "Blue", "Navy", "Green", "Grey", "Beige"] * 50)]
    index = SearchIndex(catalog)
    whole = ids(index, "polo", limit=40)
    paged = [p.id for offset in range(0, 40, 10) for p, _ in index.search("polo", None, "relevance", 10, offset)[0]]
    assert paged == whole and len(set(whole)) == 40
    assert index.search("polo", None, "relevance", 0, 0)[0] == []


def _lucene_bm25(documents: list[list[str]], word: str, k1: float = 1.2, b: float = 0.3) -> list[float]:
    """BM25 (the Lucene variant) of ``word`` in each document, written out plainly, in double precision."""
    mean = sum(len(d) for d in documents) / len(documents)
    df = sum(word in d for d in documents)
    idf = math.log(1 + (len(documents) - df + 0.5) / (df + 0.5))
    return [idf * d.count(word) / (d.count(word) + k1 * (1 - b + b * len(d) / mean)) if word in d else 0.0
            for d in documents]


def test_bm25_scores_are_the_plain_formula_in_every_field() -> None:
    """Each field's score is BM25 over a document of all the product's words (names, their adjacent
    pairs, labels and concepts, descriptions, and one word all share) times the field's weight."""
    products = [product(1, "Red Leather Bag", description_en="soft leather, leather strap"),
                product(2, "Leather Wallet Red", description_en="a red wallet"),
                product(3, "Canvas Tote", description_en="a bag for the beach")]
    index = TextIndex(products)
    documents = []
    for p in products:
        names, kind, body = index._documents(p)
        pairs = [f"{a} {b}" for a, b in zip(names, names[1:], strict=False)]
        words = [f"n:{w}" for w in names + pairs] + [f"k:{w}" for w in kind] + [f"b:{w}" for w in body]
        documents.append([*words, "@"])
    for field_name, token, weight in (("name", "leather", 3), ("name", "red leather", 3), ("body", "leather", 1),
                                      ("body", "red", 1), ("kind", "@item:bag", 2), ("name", "canva", 3)):
        at, scores = index._posting(field_name, token)
        found = np.zeros(len(products), dtype=np.float64)
        found[at] = scores
        expected = [weight * s for s in _lucene_bm25(documents, f"{field_name[0]}:{token}")]
        assert found.tolist() == pytest.approx(expected, rel=1e-6) and any(expected)
    assert not len(index._posting("name", "wallet red leather")[0])     # a pair is two adjacent words only


def test_an_empty_catalog_finds_nothing() -> None:
    index = SearchIndex([])
    assert index.search("شنطة جلد", None, "relevance", 10, 0)[:2] == ([], 0)
    assert index.search("", None, "price_asc", 10, 0)[:2] == ([], 0)
