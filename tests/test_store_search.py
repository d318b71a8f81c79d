"""Search over the demo catalog: Egyptian Arabic, Franco and English, every filter, ranking, cursors."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.store import SearchFilters, build_store
from bot.store.search import decode_cursor, encode_cursor


@pytest.fixture(scope="module")
def store():
    return build_store(Settings())


def top(store, query, n=5, **kwargs):
    return store.search(query, limit=n, **kwargs).products


@pytest.mark.parametrize("query", ["عايز تيشيرت اسود", "3ayez tshirt eswed", "black t-shirt", "تيشرت أسود"])
def test_item_and_colour_in_every_script(store, query) -> None:
    page = store.search(query, limit=10)
    assert page.total >= 5
    assert all(p.item == "t-shirt" and "black" in p.colors for p in page.products)
    assert page.filters.item == "t-shirt" and page.filters.color == "black"


@pytest.mark.parametrize("query, item", [
    ("فستان", "dress"), ("fostan", "dress"), ("dress", "dress"), ("جيبه", "skirt"), ("gyba", "skirt"),
    ("كوتشي", "sneakers"), ("sneakers", "sneakers"), ("بنطلون", "trousers"), ("بيجامه", "pajamas"),
    ("shanta", "bag"), ("شنطة", "bag"), ("sa3a", "watch"), ("ساعه", "watch"), ("gins", "jeans"),
])
def test_items_in_arabic_franco_english(store, query, item) -> None:
    products = top(store, query, 10)
    assert products and all(p.item == item for p in products)


def test_no_substring_hits_inside_other_words(store) -> None:
    pajamas = top(store, "بيجامه", 20)
    assert all(p.item == "pajamas" for p in pajamas)          # not beige products
    beige = store.search("بيج", limit=50)
    assert beige.filters.color == "beige" and all("beige" in p.colors for p in beige.products)
    son = store.search("عايز حاجه لابني", limit=50)
    assert son.filters.color is None and son.filters.category == "kids"
    assert all(p.category == "kids" or p.gender in ("boys", "girls") for p in son.products)


def test_typo_tolerance_per_token(store) -> None:
    assert all(p.item == "trousers" for p in top(store, "بنطلوم"))
    assert all(p.item == "t-shirt" for p in top(store, "تيشيرتت"))
    assert top(store, "احمد") == ()                    # a name one letter from احمر is not red


def test_gender_sections_reach_shoes_and_accessories(store) -> None:
    page = store.search("صندل حريمي بني", limit=20)
    assert page.products and all(p.item == "sandals" and p.gender == "women" and "brown" in p.colors
                                 for p in page.products)
    shoes = store.search("جزمه رجالي", limit=50)
    assert shoes.products and all(p.gender == "men" for p in shoes.products)
    assert {p.item for p in shoes.products} <= {"shoes", "sneakers", "boots", "sandals", "slippers"}


def test_kids_shoes_are_shoes(store) -> None:
    kids_shoes = store.search("gazma lel atfal", limit=20).products
    assert kids_shoes and all(p.category == "kids" and p.item in {"sneakers", "boots", "sandals", "slippers"}
                              for p in kids_shoes)


def test_every_explicit_filter(store) -> None:
    filters = SearchFilters(category="men", item="t-shirt", color="white", size="XL",
                            price_min=300, price_max=600, in_stock=True, gender="men")
    page = store.search("", filters=filters, limit=50)
    assert page.total > 0
    for p in page.products:
        assert p.item == "t-shirt" and "white" in p.colors and "XL" in p.sizes
        assert 300 <= p.final_price <= 600 and p.in_stock and p.gender == "men"


def test_slot_item_covers_its_catalogue_items(store) -> None:
    page = store.search("", filters=SearchFilters(item="hoodie"), limit=50)
    assert {p.item for p in page.products} == {"hoodie", "sweatshirt"}


def test_size_after_a_cue_and_numeric_sizes(store) -> None:
    page = store.search("كوتشي مقاس 42", limit=30)
    assert page.filters.size == "42" and all("42" in p.sizes for p in page.products)
    lone = store.search("تيشيرت l", limit=5)
    assert lone.filters.size is None


def test_query_filters_relax_when_nothing_matches(store) -> None:
    page = store.search("فستان برتقاني", limit=10)
    assert page.relaxed == ("color",) and page.products
    assert all(p.item == "dress" for p in page.products)
    assert page.filters.color is None


def test_free_text_words_rank_matching_products_first(store) -> None:
    first = top(store, "linen shirt", 3)
    assert all("linen" in p.name_en.lower() for p in first)
    polo = top(store, "polo", 10)
    assert polo and all("polo" in p.name_en.lower() for p in polo)
    assert top(store, "قميص كتان", 2)[0].name_ar.startswith("قميص كتان")


def test_in_stock_before_out_of_stock(store) -> None:
    products = store.search("ساعه", limit=20).products
    stock = [p.in_stock for p in products]
    assert stock == sorted(stock, reverse=True) and not all(stock)


def test_sorts(store) -> None:
    prices = [p.final_price for p in store.search("فستان", sort="price_asc", limit=20).products if p.in_stock]
    assert prices == sorted(prices)
    high = [p.final_price for p in store.search("فستان", sort="price_desc", limit=20).products if p.in_stock]
    assert high == sorted(high, reverse=True)
    rated = [p.rating for p in store.search("dress", sort="rating", limit=20).products if p.in_stock]
    assert rated == sorted(rated, reverse=True)
    newest = [p.created_at for p in store.search("dress", sort="newest", limit=20).products if p.in_stock]
    assert newest == sorted(newest, reverse=True)


def test_cursor_pages_cover_every_result_once(store) -> None:
    seen, cursor = [], None
    while True:
        page = store.search("تيشيرت", limit=4, cursor=cursor)
        seen.extend(p.id for p in page.products)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == page.total
    assert decode_cursor(encode_cursor(12)) == 12 and decode_cursor("garbage!") == 0


def test_scores_follow_rank_order(store) -> None:
    page = store.search("hoodie eswed", limit=10)
    assert list(page.scores) == sorted(page.scores, reverse=True)
    assert all(0 <= score <= 1 for score in page.scores)


def test_unknown_words_find_nothing_and_empty_query_browses(store) -> None:
    assert store.search("xyzzy qwerty").total == 0
    assert store.search("").total == 249


def test_compare_cheapest_best_rated_and_differences(store) -> None:
    comparison = store.compare([63, 249, 999999])
    assert comparison.cheapest.id == 63 and comparison.best_rated.id == 63
    assert comparison.differences["final_price"] == (449, 479)
    assert "item" in comparison.same and comparison.missing_ids == (999999,)


def test_recommendations(store) -> None:
    assert all(p.has_discount for p in store.recommend("offers", limit=5))
    assert all(p.is_best_seller for p in store.recommend("best_sellers", limit=5))
    assert all(p.is_new for p in store.recommend("new", limit=5))
    related = store.recommend("related", product_id=63, limit=4)
    assert related and all(p.item == "t-shirt" and p.id != 63 and p.in_stock for p in related)


def test_categories_with_counts(store) -> None:
    categories = {c.slug: c for c in store.categories()}
    assert set(categories) == {"men", "women", "kids", "shoes", "accessories", "sportswear"}
    assert sum(c.count for c in categories.values()) == 249
    assert categories["women"].name("ar") == "حريمي"
