"""Every BWW field whose shape may vary, read from the examples in tests/payloads/store/ (README there);
the envelope read before its data; WebP pictures converted; the shared limiter's reserve."""

from __future__ import annotations

import json
import types
import uuid
from pathlib import Path

import pytest
import redis
import requests
import responses
from flask import Flask

from bot.errors import ProductNotFound, StoreAuthFailed, StoreRateLimited, StoreUnavailable
from bot.store.bww import product_from_bww
from bot.store.catalog_load import pages_in
from bot.store.envelope import Refused, unwrap
from bot.store.limiter import RateLimiter
from bot.store.remote_images import PictureConverter, sniff
from bot.store.shared import RedisRateLimiter
from bot.store.sharing import SqliteFile, SqliteRateLimiter
from bot.web.images import bp
from tests.fake_bww import FakeBww
from tests.store.test_bww_fake import Clock, loaded

PAYLOADS = Path(__file__).parent.parent / "payloads/store"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def answer(status: int, body: object, headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


# ---- fields ----------------------------------------------------------------------------------------


def test_objects_strings_and_translations_become_what_a_customer_can_read() -> None:
    raw = payload("bww_product_details_variant_shapes.json")
    data = unwrap(answer(200, raw), "/product-details/2352", 2352, 0.0)["product"]
    product = product_from_bww(None, data, "en", "http://bot.test")
    assert product.id == 2352
    assert product.name_en.startswith("Girls Autumn") and product.name_ar.startswith("طقم بناتي")
    assert product.colors == ("red", "white"), "colour names in the bot's vocabulary, never the objects"
    assert product.sizes == ("2 years", "4 years", "6 years")
    assert (product.price, product.final_price, product.discount_percent) == (559, 447, 20)
    assert product.rating == 4.5 and product.count_rating == 20 and product.stock_quantity == 0
    assert product.description_en == "Soft cotton set & printed leggings."
    assert set(product.tags) == {"best-seller", "new", "offer"}
    assert product.category == "kids"
    assert product.image_url == "http://bot.test/media/store/2352.png", "WebP: converted by the app"
    assert product.extra["source_image"].endswith(".webp")
    assert product.link_en.endswith("/en/product-details/girls-autumn-cotton-set-red-top-printed-leggings/2352")


def test_separated_strings_arabic_colours_and_a_gif() -> None:
    data = unwrap(answer(200, payload("bww_product_details_string_options.json")), "/product/188", 188, 0.0)
    product = product_from_bww(data, None, "ar", "http://bot.test")
    assert product.colors == ("black", "navy", "white")
    assert product.sizes == ("S", "M", "L", "XL")
    assert product.image_url == "http://bot.test/media/store/188.png"
    assert product.description_ar == "" and product.category == "men"


def test_a_picture_nothing_can_convert_is_left_out_and_jpeg_goes_as_it_is() -> None:
    row = payload("bww_filter_products_page1_en.json")["data"]["products"][0]
    assert product_from_bww(None, row, "en", "http://bot.test").image_url == row["main_image"]
    avif = dict(row, main_image=row["main_image"].replace(".jpg", ".avif"))
    product = product_from_bww(None, avif, "en", "http://bot.test")
    assert product.image_url == "" and product.extra["source_image"].endswith(".avif"), "text instead of a broken image"


@pytest.mark.parametrize("name, pages", [
    ("bww_filter_products_page1_en.json", 17),
    ("bww_filter_products_meta_pagination.json", 3),
    ("bww_filter_products_no_pagination.json", None),
])
def test_pages_are_read_from_whichever_pagination_the_answer_has(name: str, pages: int | None) -> None:
    assert pages_in(payload(name)["data"]) == pages


def test_a_server_sending_fewer_a_page_than_asked_is_paged_by_its_total() -> None:
    data = {"total": 600, "total_pages": 6, "page_size": 100, "products": [{"id": n} for n in range(10)]}
    assert pages_in(data) == 60


# ---- the envelope ----------------------------------------------------------------------------------


def test_an_error_inside_an_http_200_is_an_outage_not_a_missing_product() -> None:
    with pytest.raises(StoreUnavailable) as caught:
        unwrap(answer(200, payload("bww_envelope_500_in_http_200.json")), "/product-details/5", 5, 0.0)
    assert not isinstance(caught.value, ProductNotFound) and "500" in str(caught.value)
    with pytest.raises(ProductNotFound):
        unwrap(answer(200, {"status": 200, "message": "ok", "data": None}), "/product-details/5", 5, 0.0)
    with pytest.raises(Refused):
        unwrap(answer(200, {"status": "401", "message": "Unauthenticated.", "data": None}), "/x", None, 0.0)


def test_401_and_429_bodies_and_an_http_date_retry_after() -> None:
    refused = payload("bww_401_unauthenticated.json")
    with pytest.raises(Refused) as caught:
        unwrap(answer(401, refused, {"Date": "Sun, 10 May 2026 11:30:00 GMT"}), "/x", None, 0.0)
    assert caught.value.server_now == 1778412600.0
    later = {"Retry-After": "Sun, 10 May 2026 11:32:00 GMT", "Date": "Sun, 10 May 2026 11:30:00 GMT"}
    with pytest.raises(StoreRateLimited) as limited:
        unwrap(answer(429, payload("bww_429_too_many_attempts.json"), later), "/x", None, 0.0)
    assert limited.value.retry_after == 120
    assert issubclass(StoreAuthFailed, StoreUnavailable)


# ---- pictures ---------------------------------------------------------------------------------------


def test_a_webp_product_picture_is_served_as_png_through_the_app() -> None:
    clock = Clock()
    webp = (PAYLOADS / "product_image.webp").read_bytes()
    assert sniff(webp) == "webp"
    with FakeBww(20, clock=clock, images={"/images/p100012.webp": webp}) as api:
        item = api.by_id[100_012]
        for lang in ("ar", "en"):
            item.rows[lang]["main_image"] = f"{api.origin}/images/p100012.webp"
        store = loaded(api, clock)
        product = store.cached_product(100_012)
        assert product.image_url == "http://bot.test/media/store/100012.png"
        app = Flask(__name__)
        app.extensions["dukkan"] = types.SimpleNamespace(store=store)
        app.register_blueprint(bp)
        client = app.test_client()
        png = client.get("/media/store/100012.png")
        assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
        width = int.from_bytes(png.data[16:20], "big")
        assert width == 600
        assert client.get("/media/store/100013.png").status_code == 404, "a JPEG: nothing to convert"
        assert client.get("/media/store/999.png").status_code == 404


def test_a_picture_too_large_is_refused() -> None:
    clock = Clock()
    with FakeBww(1, clock=clock, images={"/images/big.webp": b"RIFF0000WEBP" + b"0" * 4096}) as api:
        with pytest.raises(StoreUnavailable, match="larger"):
            PictureConverter(max_bytes=1024).png(f"{api.origin}/images/big.webp")


# ---- the reserve, on every limiter ------------------------------------------------------------------


@pytest.fixture(params=["process", "host", "hosts"])
def limiter_factory(request, tmp_path):
    """Limiters of one scope: several of them share one budget (except ``process``: one)."""
    if request.param == "process":
        single = {}
        return lambda clock: single.setdefault("one", RateLimiter(10, 60.0, clock=clock))
    if request.param == "host":
        return lambda clock: SqliteRateLimiter(SqliteFile(tmp_path / "s.sqlite3"), 10, 60.0, clock=clock)
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"), decode_responses=True)
    key = f"t{uuid.uuid4().hex[:8]}:rate"
    return lambda clock: RedisRateLimiter(client, 10, 60.0, key=key, clock=clock)


def test_background_calls_leave_the_reserve_to_live_ones(limiter_factory) -> None:
    clock = Clock(1000.0)
    background, live = limiter_factory(clock), limiter_factory(clock)
    granted = 0
    for _ in range(20):
        granted += background.try_acquire(reserve=3) == 0.0
        clock.now += 1
    assert granted == 7, "10 a minute, 3 kept for live calls"
    assert background.try_acquire(reserve=3) == pytest.approx(60.0 - 20.0)
    assert sum(live.try_acquire() == 0.0 for _ in range(5)) == 3
    status = live.status()
    assert status["used"] == 10 and status["remaining"] == 0
    clock.now = 1060.0
    assert background.try_acquire(reserve=3) == pytest.approx(3.0), "until 1003's grant leaves the window"
    clock.now = 1063.0
    assert background.try_acquire(reserve=3) == 0.0


@responses.activate
def test_an_unknown_picture_format_is_refused() -> None:
    responses.get("https://cdn.test/x.webp", body=b"not a picture")
    with pytest.raises(StoreUnavailable, match="format"):
        PictureConverter().png("https://cdn.test/x.webp")
