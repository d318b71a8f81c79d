"""The product-file backend (STORE_BACKEND=file): a Meta catalog feed, Dukkan's layout in CSV, XLSX
and JSON, reloads on change, bad rows, an unreadable file, the settings and check-config.

The feed is generated here: 2,000 rows of variants (item_group_id), Arabic and English titles,
and three broken rows. Time moves on the store's injected clock; nothing sleeps.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import create_app
from bot.config import Settings
from bot.errors import ConfigError, ProductNotFound, StoreUnavailable
from bot.store import SearchFilters, build_store
from bot.store.catalog import DEMO_CATALOG, DemoBackend
from bot.store.catalog_file import CatalogFileError, read_catalog
from bot.store.file_layouts import UNCOUNTED_STOCK
from tests.test_conversation_kit import Chat, ids_of, joined, payloads

ROOT = Path(__file__).resolve().parents[2]
FEED_COLUMNS = ("id", "title", "description", "availability", "condition", "price", "sale_price", "link",
                "image_link", "brand", "color", "size", "gender", "age_group", "product_type",
                "google_product_category", "item_group_id", "quantity_to_sell_on_facebook")
# (English title, Arabic title, product_type, gender, age_group, price)
MODELS = (
    ("Cotton Crew T-Shirt", "تيشيرت قطن رقبة مدورة", "Men > T-Shirts", "male", "adult", 350),
    ("Fleece Hoodie", "هودي فليس بكابيشون", "Women > Hoodies", "female", "adult", 650),
    ("Slim Fit Jeans", "بنطلون جينز سليم", "Men > Jeans", "male", "adult", 800),
    ("Summer Maxi Dress", "فستان صيفي طويل", "Women > Dresses", "female", "adult", 900),
    ("Running Sneakers", "كوتشي جري", "Shoes > Sneakers", "unisex", "adult", 1200),
    ("Kids Cotton Pajamas", "بيجامة أطفال قطن", "Kids > Pajamas", "unisex", "kids", 400),
    ("Embroidered Kaftan", "قفطان مطرز", "Women > Kaftans", "female", "adult", 1500),
)
COLOURS = ("Black", "White", "Navy", "Grey", "Beige", "أسود", "كحلي", "Burgundy")
SIZES = ("S", "M", "L", "XL", "XXL")
BROKEN = {101: "bad price", 1001: "no title", 1501: "unknown availability"}   # row numbers (the header is row 1)
ADDRESS = "١٢ شارع عباس العقاد، مدينة نصر، الدور التالت"


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


def inline(job) -> None:
    job()


def feed_rows(total: int = 2000) -> list[dict[str, str]]:
    """``total`` feed rows: a hand-made hoodie group first, then generated groups of variants, one
    lone product, and the three broken rows at the row numbers of :data:`BROKEN`."""
    rows: list[dict[str, str]] = []

    def variant(**values: str) -> dict[str, str]:
        return {column: values.get(column, "") for column in FEED_COLUMNS}

    # The group the tests look at: an Arabic hoodie in black and grey, M/L/XL; grey XL is sold out,
    # black XL has no count (available, uncounted), the rest are counted.
    for colour, size, availability, quantity in (
        ("أسود", "M", "in stock", "4"), ("أسود", "L", "in stock", "3"), ("أسود", "XL", "in stock", ""),
        ("رمادي", "M", "in stock", "2"), ("رمادي", "L", "in stock", "1"), ("رمادي", "XL", "out of stock", "0"),
    ):
        rows.append(variant(
            id=f"HD-1-{colour}-{size}", title="هودي قطن بكابيشون", description="هودي قطن تقيل مبطن، مناسب للشتا",
            availability=availability, condition="new", price="650.00 EGP", sale_price="520.00 EGP",
            link="https://shop.example/products/hd-1", image_link="https://cdn.shop.example/hd-1.jpg",
            brand="Dukkan Basics", color=colour, size=size, gender="male", age_group="adult",
            product_type="Men > Hoodies", item_group_id="HD-1", quantity_to_sell_on_facebook=quantity))
    # A lone product (no item_group_id), an English one with a long numeric id.
    rows.append(variant(id="8123456789012", title="Leather Card Wallet", description="Slim genuine leather wallet.",
                        availability="in stock", price="EGP 1,250.00", link="https://shop.example/products/w",
                        image_link="https://cdn.shop.example/w.jpg", brand="Dukkan", product_type="Accessories",
                        google_product_category="Apparel & Accessories > Handbags, Wallets & Cases > Wallets"))
    group = 0
    while len(rows) < total - len(BROKEN):
        english, arabic, product_type, gender, age, price = MODELS[group % len(MODELS)]
        arabic_title = group % 2 == 1
        title = f"{arabic} {group}" if arabic_title else f"{english} {group}"
        colours = [COLOURS[(group + i) % len(COLOURS)] for i in range(1 + group % 3)]
        sizes = SIZES[: 1 + group % 4] if "Sneakers" not in english else ("40", "41", "42", "43")[: 1 + group % 4]
        group_id = str(5000 + group) if group % 3 == 0 else f"SHP-{group:04d}"
        sold_out = group % 11 == 0
        for colour in colours:
            for size in sizes:
                if len(rows) >= total - len(BROKEN):
                    break
                suffix = f" - {colour} - {size}" if group % 5 == 0 else ""     # some feeds name the variant
                rows.append(variant(
                    id=f"{group_id}-{colour}-{size}", title=title + suffix,
                    description=("وصف المنتج بالعربي" if arabic_title else "A fine product."),
                    availability="out of stock" if sold_out else "in stock", condition="new",
                    price=f"{price + group % 7 * 10}.00 EGP", sale_price="" if group % 4 else f"{price - 50}.00 EGP",
                    link=f"https://shop.example/products/{group_id}", image_link=f"https://cdn.shop.example/{group_id}.jpg",
                    brand="Dukkan", color=colour, size=size, gender=gender, age_group=age, product_type=product_type,
                    item_group_id=group_id, quantity_to_sell_on_facebook="" if group % 2 else str(3 + group % 9)))
        group += 1
    broken = {
        "bad price": variant(id="BROKEN-1", title="Broken Price Tee", availability="in stock", price="abc EGP"),
        "no title": variant(id="BROKEN-2", title="", availability="in stock", price="100 EGP"),
        "unknown availability": variant(id="BROKEN-3", title="Maybe Tee", availability="maybe", price="100 EGP"),
    }
    for row_number, kind in sorted(BROKEN.items()):
        rows.insert(row_number - 2, broken[kind])
    assert len(rows) == total
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], columns=FEED_COLUMNS, delimiter: str = ",",
              encoding: str = "utf-8") -> None:
    """Write atomically (a new file renamed over the old one, as editors save)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    draft = path.with_suffix(path.suffix + ".tmp")
    draft.write_bytes(buffer.getvalue().encode(encoding))
    os.replace(draft, path)


def file_store(path: Path, clock: Clock):
    settings = Settings(store_backend="file", catalog_path=str(path), public_base_url="http://bot.test")
    return build_store(settings, clock=clock, refresh_runner=inline)


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("feed") / "catalog.csv"
    write_csv(path, feed_rows())
    return path


@pytest.fixture
def feed_copy(feed, tmp_path) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_bytes(feed.read_bytes())
    return path


def hoodie_of(store):
    return next(p for p in store.search("هودي قطن بكابيشون", limit=5).products if p.extra.get("group_id") == "HD-1")


# ---- the Meta feed ------------------------------------------------------------------------------


def test_a_meta_feed_of_2000_rows_becomes_one_product_per_group(feed) -> None:
    mapped = read_catalog(feed, "http://bot.test")
    assert mapped.layout == "meta" and mapped.rows == 2000
    groups = {row["item_group_id"] or row["id"] for row in feed_rows() if not row["id"].startswith("BROKEN")}
    assert len(mapped.products) == len(groups)
    assert len({product.id for product in mapped.products}) == len(mapped.products)
    assert all(0 < product.id <= 999_999_999 for product in mapped.products)     # fit DETAILS:<id>
    numeric = next(p for p in mapped.products if p.extra["group_id"] == "5000")
    assert numeric.id == 5000                                                    # a short numeric group id is kept


def test_broken_rows_are_reported_with_their_row_numbers_and_skipped(feed) -> None:
    mapped = read_catalog(feed, "http://bot.test")
    skipped = {problem.row: problem.reason for problem in mapped.problems if problem.skipped}
    assert skipped.keys() == BROKEN.keys()
    assert "'abc EGP' is not a price" in skipped[101]
    assert skipped[1001].startswith("no title") and "BROKEN-2" in skipped[1001]
    assert "availability 'maybe'" in skipped[1501]
    assert mapped.skipped == 3
    assert not any(p.name_en.startswith(("Broken", "Maybe")) for p in mapped.products)


def test_search_and_details_on_the_feed(feed) -> None:
    store = file_store(feed, Clock())
    hoodie = hoodie_of(store)
    assert store.search("هودي اسود").products and hoodie.id in [p.id for p in store.search("هودي قطن اسود").products]
    details = store.product(hoodie.id)
    assert details.name_ar == "هودي قطن بكابيشون" and details.name_en == ""
    assert details.item == "hoodie" and details.gender == "men" and details.category == "men"
    assert details.colors == ("black", "grey")                    # Arabic colour names read with the lexicon
    assert details.sizes == ("M", "L", "XL")                      # grey XL is sold out, black XL is not
    assert (details.price, details.final_price, details.discount_percent) == (650, 520, 20)
    assert details.stock_quantity == 4 + 3 + UNCOUNTED_STOCK + 2 + 1
    assert details.image_url == "https://cdn.shop.example/hd-1.jpg" and not details.drawn
    assert details.link == "https://shop.example/products/hd-1"
    assert details.description_ar.startswith("هودي قطن") and "dukkan basics" in details.tags and "offer" in details.tags
    assert len(details.extra["variants"]) == 6 and details.extra["group_id"] == "HD-1"
    black = store.search("", filters=SearchFilters(item="hoodie", color="black", size="XL", category="men"), limit=300)
    assert hoodie.id in [p.id for p in black.products]
    wallet = store.search("leather wallet").products[0]
    assert wallet.extra["source_id"] == "8123456789012" and wallet.item == "wallet" and wallet.final_price == 1250
    assert wallet.category == "accessories" and wallet.colors == () and wallet.stock_quantity == UNCOUNTED_STOCK
    with pytest.raises(ProductNotFound):
        store.product(999_999_998 if wallet.id != 999_999_998 else 999_999_997)


def test_variants_items_sections_and_names_of_the_generated_groups(feed) -> None:
    products = read_catalog(feed, "http://bot.test").products
    by_group = {p.extra["group_id"]: p for p in products}
    kaftan = by_group["5006"]                                      # group 6: Embroidered Kaftan, not in the lexicon
    assert kaftan.item == "kaftans" and kaftan.category == "women" and kaftan.gender == "women"
    sneakers = by_group["SHP-0004"]
    assert sneakers.item == "sneakers" and sneakers.category == "shoes" and sneakers.sizes[0] == "40"
    pyjamas = by_group["SHP-0005"]
    assert pyjamas.category == "kids" and pyjamas.gender == "unisex"
    named = by_group["SHP-0010"]                                  # titles "... 10 - Black - S": the shared words
    assert named.name_en == "Summer Maxi Dress 10" and named.item == "dress"
    sold_out = by_group["5033"]                                    # group 33: every variant out of stock
    assert sold_out.stock_quantity == 0 and sold_out.colors and sold_out.sizes
    assert by_group["5000"].final_price == 300 and by_group["5000"].price == 350    # sale on every 4th group


def test_a_checkout_through_the_real_app_on_the_feed(feed, settings, tmp_path) -> None:
    settings = settings.with_overrides(store_backend="file", catalog_path=str(feed))
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    app = create_app(overrides, start_workers=False)
    services = app.extensions["dukkan"]
    services.store.refresh_runner = inline
    try:
        fb = Chat(app.test_client(), services, "messenger", "psid-file")
        found = ids_of(payloads(fb.say("عايز هودي قطن بكابيشون اسود")), "DETAILS")
        hoodie = hoodie_of(services.store)
        assert hoodie.id in found
        assert "هودي قطن بكابيشون" in joined(fb.press(f"DETAILS:{hoodie.id}"))
        assert f"ADD:{hoodie.id}:M:" in payloads(fb.press(f"ADD:{hoodie.id}"))
        assert f"ADD:{hoodie.id}:M:black" in payloads(fb.tap(f"ADD:{hoodie.id}:M:", "M"))
        assert "CHECKOUT" in payloads(fb.tap(f"ADD:{hoodie.id}:M:black"))
        fb.tap("CHECKOUT")
        for text in ("أحمد علي", "01001234567", "القاهرة"):
            fb.say(text)
        confirm = next(p for p in payloads(fb.say(ADDRESS)) if p.startswith("CONFIRM:"))
        assert joined(fb.press(confirm, "تأكيد ✅")).startswith("طلبك اتأكد 🎉")
        [order] = services.orders.by_customer("messenger", "psid-file")
        assert order.items == ({"product_id": hoodie.id, "name": "هودي قطن بكابيشون", "size": "M", "color": "black",
                                "quantity": 1, "unit_price": 520},)
        assert order.total == 520 + 65
    finally:
        services.workers.stop()


# ---- reloading ----------------------------------------------------------------------------------


def test_a_changed_file_changes_the_answers_within_seconds(feed_copy) -> None:
    clock = Clock()
    store = file_store(feed_copy, clock)
    hoodie = hoodie_of(store)
    assert store.product(hoodie.id).final_price == 520
    loads = store.backend.loads
    rows = feed_rows()
    for row in rows:
        if row["item_group_id"] == "HD-1":
            row["sale_price"] = "480.00 EGP"
    rows.append({**rows[0], "id": "NEW-1", "item_group_id": "", "title": "Linen Beach Shirt", "color": "White"})
    write_csv(feed_copy, rows)
    clock.now += 2                                  # the next check of the file is due
    assert store.search("linen beach shirt").products[0].name_en == "Linen Beach Shirt"
    assert store.product(hoodie.id).final_price == 480
    assert store.backend.loads == loads + 1
    clock.now += 1                                  # unchanged since: no further read
    store.search("hoodie")
    clock.now += 5
    store.search("hoodie")
    assert store.backend.loads == loads + 1
    assert store.status()["file"]["products"] == store.status()["snapshot"]["products"]


def test_a_change_is_not_read_before_the_check_is_due(feed_copy) -> None:
    clock = Clock()
    store = file_store(feed_copy, clock)
    hoodie = hoodie_of(store)
    rows = [row for row in feed_rows() if row["item_group_id"] != "HD-1"]
    with open(feed_copy, "w", encoding="utf-8", newline="") as file:      # written in place, not renamed
        writer = csv.DictWriter(file, fieldnames=list(FEED_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    clock.now += 1
    assert store.product(hoodie.id).name_ar == "هودي قطن بكابيشون"          # checked less than 2 s ago
    clock.now += 1
    store.search("hoodie")
    with pytest.raises(ProductNotFound):
        store.product(hoodie.id)


def test_an_unreadable_file_keeps_the_last_good_catalog(feed_copy, caplog) -> None:
    clock = Clock()
    store = file_store(feed_copy, clock)
    hoodie = hoodie_of(store)
    count = store.status()["snapshot"]["products"]
    feed_copy.write_bytes(b"PK\x03\x04\x00\x00garbage that is no CSV")
    clock.now += 3
    page = store.search("هودي قطن بكابيشون")
    assert hoodie.id in [p.id for p in page.products] and page.stale
    status = store.status()
    assert status["stale"] and status["snapshot"]["products"] == count
    assert status["file"]["serving_last_good"] and "binary data" in status["file"]["error"]
    assert any("still serving the last good catalog" in record.getMessage() for record in caplog.records)
    loads = store.backend.loads
    clock.now += 30
    store.search("hoodie")
    assert store.backend.loads == loads             # the same broken file is not read again
    feed_copy.unlink()                              # gone altogether
    clock.now += 3
    assert store.product(hoodie.id).final_price == 520 and store.status()["file"]["serving_last_good"]
    assert "does not exist" in store.status()["file"]["error"]
    write_csv(feed_copy, [])                        # a header and no rows
    clock.now += 3
    assert store.search("hoodie").stale and "no product could be read" in store.status()["file"]["error"]
    write_csv(feed_copy, feed_rows())               # fixed
    clock.now += 3
    assert not store.search("hoodie").stale
    assert store.status()["file"]["error"] is None and not store.status()["file"]["serving_last_good"]


def test_a_file_that_never_loaded_is_store_unavailable(tmp_path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("colour,size\nblack,M\n", encoding="utf-8")
    store = file_store(path, Clock())
    with pytest.raises(StoreUnavailable, match="no product name column"):
        store.search("hoodie")
    assert not store.ready()


# ---- Dukkan's layout: CSV, XLSX, JSON -----------------------------------------------------------


DUKKAN_ROWS = [
    {"id": "12", "name_ar": "تيشيرت بولو رجالي", "name_en": "Men's Polo T-Shirt", "category": "رجالي", "item": "",
     "colors": "أسود، أبيض، نبيتي", "sizes": "S, M, L, XL", "price": "450", "sale price": "399",
     "stock_quantity": "12", "image": "", "link": "https://shop.example/12", "tags": "best-seller, new"},
    {"id": "13", "name_ar": "عباية كريب سادة", "name_en": "", "category": "women", "item": "عبايه",
     "colors": "black", "sizes": "52، 54، 56", "price": "٩٥٠ ج.م", "sale price": "", "stock_quantity": "نفذ",
     "image": "https://cdn.shop.example/13.jpg", "link": "", "tags": ""},
    {"id": "14", "name_ar": "", "name_en": "Canvas Tote Bag", "category": "Bags", "item": "",
     "colors": "Terracotta", "sizes": "", "price": "300", "sale price": "", "stock_quantity": "",
     "image": "", "link": "", "tags": ""},
    {"id": "15", "name_ar": "", "name_en": "", "category": "", "item": "", "colors": "", "sizes": "",
     "price": "100", "sale price": "", "stock_quantity": "", "image": "", "link": "", "tags": ""},
    {"id": "16", "name_ar": "شراب قطن", "name_en": "", "category": "", "item": "", "colors": "", "sizes": "",
     "price": "free", "sale price": "", "stock_quantity": "", "image": "", "link": "", "tags": ""},
]


def assert_dukkan_layout(store, header_row: int = 1) -> None:
    polo = store.product(12)
    assert (polo.name_ar, polo.name_en, polo.category, polo.gender, polo.item) == (
        "تيشيرت بولو رجالي", "Men's Polo T-Shirt", "men", "men", "t-shirt")
    assert polo.colors == ("black", "white", "burgundy") and polo.sizes == ("S", "M", "L", "XL")
    assert (polo.price, polo.final_price, polo.discount_percent, polo.stock_quantity) == (450, 399, 11, 12)
    assert polo.is_best_seller and polo.is_new and polo.drawn and polo.image_url == "http://bot.test/media/products/12.png"
    abaya = store.product(13)
    assert abaya.item == "abaya" and abaya.category == "women" and abaya.price == 950 and abaya.stock_quantity == 0
    assert abaya.sizes == ("52", "54", "56") and abaya.image_url == "https://cdn.shop.example/13.jpg"
    tote = store.product(14)
    assert tote.item == "bag" and tote.colors == ("Terracotta",) and tote.stock_quantity == UNCOUNTED_STOCK
    assert tote.category_name_en == "Bags"
    assert 14 in [p.id for p in store.search("شنطة").products][:3]
    assert store.search("polo", limit=3).products[0].id == 12
    problems = {problem.row: problem.reason for problem in store.backend.report().problems}
    assert problems == {header_row + 4: "no name (name_ar, name_en or name)",       # the 4th and 5th products
                        header_row + 5: "price 'free' is not a price like 450.00 EGP"}


def test_a_plain_csv_in_dukkans_layout_with_semicolons_and_excels_bom(tmp_path) -> None:
    path = tmp_path / "products.csv"
    write_csv(path, DUKKAN_ROWS, columns=list(DUKKAN_ROWS[0]), delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert_dukkan_layout(file_store(path, Clock()))


def test_a_csv_saved_by_arabic_windows_excel_is_read(tmp_path) -> None:
    path = tmp_path / "products.csv"
    rows = [{key: value.replace("٩٥٠ ج.م", "950") for key, value in row.items()} for row in DUKKAN_ROWS]
    write_csv(path, rows, columns=list(DUKKAN_ROWS[0]), encoding="cp1256")
    assert file_store(path, Clock()).product(12).name_ar == "تيشيرت بولو رجالي"


def test_an_xlsx_file_in_dukkans_layout(tmp_path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("منتجات")
    sheet.append([])                                       # a blank first row: the header is the first filled one
    sheet.append(["ID", "Name AR", "Name-EN", "Category", "Item", "Colors", "Sizes", "Price", "Sale Price",
                  "Stock Quantity", "Image", "Link", "Tags"])
    for row in DUKKAN_ROWS:
        values = list(row.values())
        values[0] = int(values[0])                          # Excel keeps numbers as numbers
        values[7] = float(values[7]) if values[7].isdigit() else values[7]
        values[9] = int(values[9]) if values[9].isdigit() else values[9]
        sheet.append(values)
    path = tmp_path / "products.xlsx"
    book.save(path)
    assert_dukkan_layout(file_store(path, Clock()), header_row=2)          # the sheet's own row numbers


def test_a_broken_xlsx_is_reported_not_raised_as_something_else(tmp_path) -> None:
    path = tmp_path / "products.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(CatalogFileError, match="not an Excel workbook"):
        read_catalog(path, "http://bot.test")


def test_a_json_file_in_the_demo_layout_gives_the_demo_catalog(tmp_path) -> None:
    path = tmp_path / "catalog.json"
    path.write_bytes(DEMO_CATALOG.read_bytes())
    store = file_store(path, Clock())
    demo, _ = DemoBackend("http://bot.test").load()
    assert [p.to_dict() for p in sorted(demo, key=lambda p: p.id)] == [
        store.cached_product(p.id).to_dict() for p in sorted(demo, key=lambda p: p.id)]
    assert [c.slug for c in store.categories()] == ["men", "women", "kids", "shoes", "accessories", "sportswear"]
    assert store.info().governorates                       # the bundled store terms
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"items": []}), encoding="utf-8")
    with pytest.raises(CatalogFileError, match='no "products" list'):
        read_catalog(bad, "http://bot.test")


# ---- settings and check-config ------------------------------------------------------------------


def test_store_backend_file_needs_an_existing_catalog_path(tmp_path) -> None:
    with pytest.raises(ConfigError, match="CATALOG_PATH is required when STORE_BACKEND=file"):
        Settings.from_env({"STORE_BACKEND": "file"})
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"STORE_BACKEND": "file", "CATALOG_PATH": str(tmp_path / "missing.csv")})
    assert caught.value.problems == [f"CATALOG_PATH {str(tmp_path / 'missing.csv')!r} does not exist"]
    old = tmp_path / "old.xls"
    old.write_bytes(b"x")
    with pytest.raises(ConfigError, match=r"old Excel file \(\.xls\): save it as \.xlsx or \.csv"):
        Settings.from_env({"STORE_BACKEND": "file", "CATALOG_PATH": str(old)})
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(ConfigError, match="is not a file"):
        Settings.from_env({"STORE_BACKEND": "file", "CATALOG_PATH": str(tmp_path / "folder.csv")})
    good = tmp_path / "catalog.csv"
    good.write_text("id,title,price,availability\n1,Tee,100 EGP,in stock\n", encoding="utf-8")
    settings = Settings.from_env({"STORE_BACKEND": "file", "CATALOG_PATH": str(good)})
    assert settings.store_backend == "file" and Path(settings.catalog_path).is_absolute()


def run_check_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DUKKAN", "META", "VERIFY", "ADMIN", "STORE", "CATALOG"))}
    return subprocess.run([sys.executable, "-m", "bot", "check-config"], cwd=ROOT, env=clean | env,
                          capture_output=True, text=True)


def test_check_config_lists_the_bad_rows_of_the_catalog_file(feed, tmp_path) -> None:
    result = run_check_config({"STORE_BACKEND": "file", "CATALOG_PATH": str(feed),
                               "DATABASE_PATH": str(tmp_path / "x.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert "catalog ok:" in result.stdout and "from 2000 rows" in result.stdout and "3 rows skipped" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["row 101", "row 1001", "row 1501"]
    assert all(line.startswith("catalog: row ") and line.endswith("(row skipped)") for line in lines)


def test_check_config_refuses_a_missing_or_unreadable_catalog_file(tmp_path) -> None:
    missing = run_check_config({"STORE_BACKEND": "file", "CATALOG_PATH": str(tmp_path / "nope.xlsx")})
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"config: CATALOG_PATH {str(tmp_path / 'nope.xlsx')!r} does not exist"
    broken = tmp_path / "catalog.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run_check_config({"STORE_BACKEND": "file", "CATALOG_PATH": str(broken)})
    assert result.returncode == 2 and result.stderr.startswith("config: CATALOG_PATH catalog.json is not valid JSON")


# ---- odd rows and odd files ---------------------------------------------------------------------


def feed_row(**values: str) -> dict[str, str]:
    return {"id": "1", "title": "Basic Tee", "availability": "in stock", "price": "100 EGP", **values}


def test_feed_rows_sale_windows_currencies_and_archived_rows() -> None:
    from bot.store.file_layouts import META, map_rows

    now = 1_780_000_000.0                                            # 2026-05-28
    rows = [
        (2, feed_row(id="1", sale_price="80 EGP",
                     sale_price_effective_date="2026-05-01T00:00+03:00/2026-06-01T00:00+03:00")),
        (3, feed_row(id="2", sale_price="80 EGP", sale_price_effective_date="2025-01-01/2025-02-01")),
        (4, feed_row(id="3", sale_price="80 EGP", sale_price_effective_date="soon")),
        (5, feed_row(id="4", price="20.00 USD")),
        (6, feed_row(id="5", status="archived")),
        (7, feed_row(id="1")),
        (8, feed_row(id="6", availability="in_stock", price="1.250,50 EGP", quantity_to_sell_on_facebook="0")),
        (9, feed_row(id="7", price="-5 EGP")),
        (10, feed_row(id="8", quantity_to_sell_on_facebook="lots")),
    ]
    mapped = map_rows(rows, META, "http://bot.test", now)
    prices = {p.id: (p.price, p.final_price, p.stock_quantity) for p in mapped.products}
    assert prices == {1: (100, 80, UNCOUNTED_STOCK), 2: (100, 100, UNCOUNTED_STOCK), 3: (100, 80, UNCOUNTED_STOCK),
                      6: (1251, 1251, 0)}
    problems = {(p.row, p.skipped): p.reason for p in mapped.problems}
    assert problems[(4, False)].startswith("sale_price_effective_date 'soon' is not start/end in ISO 8601")
    assert problems[(5, True)] == "price '20.00 USD' is in USD: the bot sells in EGP"
    assert problems[(7, True)] == "id '1' repeats row 2"
    assert problems[(9, True)] == "price '-5 EGP' must be more than 0"
    assert problems[(10, True)] == "quantity_to_sell_on_facebook 'lots' is not a whole number"
    assert len(problems) == 5                                        # the archived row is left out quietly


def test_the_layout_is_told_by_the_header() -> None:
    from bot.store.file_layouts import detect_layout

    assert detect_layout(["id", "title", "availability", "price"]) == "meta"
    assert detect_layout(["title", "price", "availability"]) == "dukkan"       # no id: a shop's own sheet
    assert detect_layout(["الاسم", "السعر"]) == "dukkan"
    assert detect_layout(["colour", "size"]) is None


@pytest.mark.parametrize("layout", ["meta", "dukkan"])
def test_no_cell_crashes_the_mapping(layout) -> None:
    from hypothesis import given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    from bot.store.file_layouts import DUKKAN_COLUMNS, map_rows

    columns = list(FEED_COLUMNS) + ["status", "sale_price_effective_date"] if layout == "meta" else list(DUKKAN_COLUMNS)
    cell = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                     st.sampled_from(["in stock", "450.00 EGP", "٤٥٠ ج.م", "S, M", "أسود، أبيض", "1,2,3", ":", "0"]),
                     st.lists(st.text(max_size=5), max_size=3))
    row = st.dictionaries(st.sampled_from(columns), cell, max_size=len(columns))

    @hypothesis_settings(max_examples=150, deadline=None)
    @given(st.lists(row, max_size=6))
    def check(rows) -> None:
        mapped = map_rows(list(enumerate(rows, 2)), layout, "http://bot.test", 1_780_000_000.0)
        kept = {p.extra["row"] for p in mapped.products}
        assert len({p.id for p in mapped.products}) == len(mapped.products)
        assert not kept & {problem.row for problem in mapped.problems if problem.skipped} or layout == "meta"
        for product in mapped.products:
            assert product.final_price <= product.price and product.final_price > 0
            assert all(":" not in value for value in (*product.colors, *product.sizes))

    check()


def test_a_file_written_while_it_is_read_is_read_again(feed_copy) -> None:
    clock = Clock()
    store = file_store(feed_copy, clock)
    hoodie = hoodie_of(store)
    backend = store.backend
    versions = iter([(1, 1, 1, 1), (2, 2, 2, 2)])                   # a new version appears during the read
    real = backend.signature
    backend.signature = lambda: next(versions, None) or real()
    clock.now += 2
    assert store.product(hoodie.id).final_price == 520              # the last good catalog answers meanwhile
    assert "changed while it was read" in store.status()["file"]["error"]
    backend.signature = real
    clock.now += 2
    store.search("hoodie")
    assert store.status()["file"]["error"] is None and not store.stale
