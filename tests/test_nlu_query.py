"""``read_query``: a search query read with the matcher's vocabulary (items, colours, refusals,
sections, kids' genders, size, price bounds, free words), without changing ``understand``."""

from __future__ import annotations

import pytest

from bot.nlu import understand
from bot.nlu.query import read_query
from bot.nlu.vocab import stems


@pytest.mark.parametrize("text, low, high", [
    ("تيشيرت تحت 500", None, 500),
    ("فستان اقل من الف", None, 1000),
    ("ta7t 300 tshirt", None, 300),
    ("jacket under 1500 pounds", None, 1500),
    ("جاكيت فوق ٢٠٠٠", 2000, None),
    ("fo2 1000 gazma", 1000, None),
    ("dress above 800", 800, None),
    ("شنطة من ٣٠٠ ل ٦٠٠", 300, 600),
    ("shanta men 300 l 600", 300, 600),
    ("between 300 and 600", 300, 600),
    ("بين ٥٠٠ و ٨٠٠ جنيه", 500, 800),
])
def test_price_words_and_ranges(text, low, high) -> None:
    reading = read_query(text)
    assert (reading.price_min, reading.price_max) == (low, high)
    assert not {"300", "500", "600", "1000", "تحت", "fo2", "between"} & set(reading.words)


@pytest.mark.parametrize("text, wanted, refused", [
    ("تيشيرت مش اسود", (), ("black",)),
    ("not black", (), ("black",)),
    ("غير الاسود", (), ("black",)),
    ("بلاش الاسود ولا الكحلي", (), ("black", "navy")),
    ("msh eswed", (), ("black",)),
    ("قميص ابيض مش اسود", ("white",), ("black",)),
    ("black and white", ("black", "white"), ()),
])
def test_refused_colours_are_not_wanted_colours(text, wanted, refused) -> None:
    reading = read_query(text)
    assert reading.colors == wanted and reading.not_colors == refused


@pytest.mark.parametrize("text, items", [
    ("شورت جينز", ("shorts", "jeans")),        # the head noun first, its modifier after
    ("جيبه جينز", ("skirt", "jeans")),
    ("cargo shorts", ("shorts", "trousers")),   # English compounds end with their head
    ("polo t-shirt", ("t-shirt", "polo")),
    ("نضارة شمس", ("sunglasses",)),
    ("boots w wallet", ("boots", "wallet")),
    ("طرحه", ("scarf",)),
    ("بالطو", ("coat",)),
])
def test_items_include_catalogue_items_outside_the_schema(text, items) -> None:
    assert read_query(text).items == items


def test_sections_genders_size_and_free_words() -> None:
    reading = read_query("عايز كوتشي قطن ولادي مقاس 32")
    assert reading.items == ("sneakers",) and reading.size == "32"
    assert reading.categories == ("kids",) and reading.genders == ("boys",)
    assert "قطن" in reading.words and "32" not in reading.words
    assert read_query("جزمه رجالي").categories == ("shoes", "men")
    assert read_query("فستان لبنتي").genders == ("girls",)
    assert read_query("مش رجالي").not_categories == ("men",)
    assert read_query("عايز حاجه لابني عنده ٦ سنين").categories == ("kids",)


def test_whole_tokens_only() -> None:
    assert read_query("بيجامه").colors == () and read_query("بيجامه").items == ("pajamas",)
    assert read_query("لابني").colors == ()
    assert read_query("احمد").colors == () and read_query("احمد").words == ("احمد",)


def test_understand_is_unchanged_by_the_reading() -> None:
    assert understand("تيشيرت مش اسود تحت 500").slots == {"item": "t-shirt", "price_max": 500}
    assert understand("بيجامه ولادي").slots == {"item": "pajamas", "category": "kids"}
    assert understand("polo t-shirt").slots == {}


def test_stems_strip_articles_and_clitics() -> None:
    assert "قطن" in stems("بالقطن") and "كتان" in stems("الكتان")
    assert stems("قطن") == [] and stems("ال") == []
