"""The Store facade on the BWW backend (responses) and the demo backend: snapshot, stale, info, pictures."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
import requests
import responses
from flask import Flask

from bot.config import Settings
from bot.errors import ProductNotFound, StoreUnavailable
from bot.store import build_store
from bot.web.images import bp

BASE = "https://api.test/api/v1"
PAYLOADS = Path(__file__).parent.parent / "payloads/store"
PAGE = json.loads((PAYLOADS / "bww_filter_products_page1_en.json").read_text("utf-8"))


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def whole_catalog() -> dict:
    """The recorded page as the whole catalog: one page of 10 products."""
    data = PAGE["data"]
    return {"status": 200, "message": "Products list",
            "data": {**data, "total_pages": 1, "total": len(data["products"])}}


def inline(job) -> None:
    job()


def bww_store(clock: Clock, runner=inline, **overrides):
    """A BWW store on ``clock``; catalog refreshes run through ``runner`` (inline by default)."""
    settings = Settings(**{"store_backend": "bww", "store_api_url": BASE, "store_api_key": "k", "store_retries": 1,
                           "breaker_fail_max": 2, **overrides})
    return build_store(settings, clock=clock, sleep=clock.sleep, refresh_runner=runner)


@responses.activate
def test_bww_snapshot_search_and_mapping() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=whole_catalog())
    store = bww_store(clock)
    page = store.search("pajama")
    assert page.total == 3 and not page.stale
    product = store.search("polo").products[0]
    assert product.id == 188 and product.item == "t-shirt" and product.gender == "men"
    assert product.category == "men" and product.final_price == 519 and product.price == 519
    assert product.link == "https://bww-store.com/ar/product-details/united-mens-dotted-polo-t-shirt/188"
    offer = store.search("leggings").products[0]
    assert (offer.price, offer.final_price, offer.discount_percent) == (559, 447, 20)
    assert store.status()["api_calls"] == 2        # the catalog in Arabic and in English, once


@responses.activate
def test_stale_if_error_serves_the_last_good_snapshot() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=whole_catalog())
    store = bww_store(clock)
    assert store.search("pajama").total == 3
    responses.replace(responses.POST, f"{BASE}/filter-products", body=requests.ConnectionError("down"))
    clock.now += 3601                              # the long TTL is over: a refresh is due
    page = store.search("pajama")
    assert page.total == 3 and page.stale and store.stale
    status = store.status()
    assert status["stale"] and status["breaker"]["state"] == "open"
    calls = status["api_calls"]
    store.search("polo")
    assert store.status()["api_calls"] == calls    # the open breaker spares the API
    responses.replace(responses.POST, f"{BASE}/filter-products", json=whole_catalog())
    clock.now += 61
    assert not store.search("pajama").stale


@responses.activate
def test_no_snapshot_at_all_is_store_unavailable() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", status=500)
    store = bww_store(clock)
    with pytest.raises(StoreUnavailable):
        store.search("anything")
    assert not store.ready()


@responses.activate
def test_details_live_then_cached_then_snapshot_when_down() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=whole_catalog())
    live = {**PAGE["data"]["products"][1], "stock_quantity": 0, "final_price": 300}
    details = responses.get(f"{BASE}/product-details/2351", json={"status": 200, "message": "", "data": live})
    store = bww_store(clock)
    product = store.product(2351)
    assert product.stock_quantity == 0 and product.final_price == 300 and product.item == "pajamas"
    assert not product.stale
    store.product(2351)
    assert details.call_count == 1                 # medium TTL
    responses.replace(responses.GET, f"{BASE}/product-details/2351", status=503)
    clock.now += 601
    fallback = store.product(2351)
    assert fallback.final_price == 349 and fallback.stale and store.stale
    clock.now += 61                                # the breaker half-opens
    responses.get(f"{BASE}/product-details/4", status=404)
    responses.get(f"{BASE}/product/4", status=404)
    with pytest.raises(ProductNotFound):
        store.product(4)


def test_demo_store_info_governorates_and_sizes() -> None:
    info = build_store(Settings()).info()
    assert info.governorate("ساكن في مدينة نصر").key == "cairo"
    assert info.governorate("sha7n l eskendereya").key == "alexandria"
    assert info.governorate("المنصوره").key == "dakahlia"
    assert info.governorate("اسكندريه").key == "alexandria"
    assert info.governorate("دمياط") is None
    assert info.shipping_fee("cairo", 300) == 65 and info.shipping_fee("cairo", 1500) == 0
    assert info.shipping_fee("دمياط", 100) == info.other_governorate().fee
    assert {m.key for m in info.payment_methods} == {"cod", "vodafone_cash", "instapay", "card"}
    assert "14" in info.return_policy("en")
    assert info.suggest_size("men", weight_kg=80) == "L"
    assert info.suggest_size("men", weight_kg=75) == "L"       # between two sizes: the larger
    assert info.suggest_size("women", weight_kg=50) == "S"
    assert info.suggest_size("kids", height_cm=120) == "6Y"
    assert info.suggest_size("men") is None


def test_demo_pictures_are_served_with_absolute_urls() -> None:
    store = build_store(Settings(public_base_url="https://bot.example"))
    product = store.search("hoodie").products[0]
    assert product.image_url == f"https://bot.example/media/products/{product.id}.png"
    app = Flask(__name__)
    app.extensions["dukkan"] = types.SimpleNamespace(store=store)
    app.register_blueprint(bp)
    client = app.test_client()
    answer = client.get(f"/media/products/{product.id}.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.data.startswith(b"<svg") and b"Hoodie" in answer.data
    assert client.get("/media/products/99999.svg").status_code == 404
    png = client.get(f"/media/products/{product.id}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png.data[16:20], "big"), int.from_bytes(png.data[20:24], "big")
    assert (width, height) == (600, 600)
    assert client.get("/media/products/99999.png").status_code == 404


def test_demo_status_reports_caches_and_snapshot() -> None:
    store = build_store(Settings())
    store.search("hoodie")
    store.search("hoodie")
    status = store.status()
    assert status["backend"] == "demo" and status["api_calls"] == 0 and not status["stale"]
    assert status["cache"]["kinds"]["search"]["hits"] == 1
    assert status["snapshot"]["products"] == 249 and status["snapshot"]["age_s"] == 0


@responses.activate
def test_an_expired_snapshot_is_served_at_once_while_one_refresh_runs_in_the_background() -> None:
    clock, jobs = Clock(), []
    catalog = responses.post(f"{BASE}/filter-products", json=whole_catalog())
    store = bww_store(clock, runner=jobs.append)
    store.first_wait_s = 0
    with pytest.raises(StoreUnavailable, match="still loading"):
        store.search("pajama")                      # the first load, too, runs off the customer's turn
    assert len(jobs) == 1 and catalog.call_count == 0
    jobs.pop()()
    assert store.search("pajama").total == 3 and jobs == []
    assert catalog.call_count == 2
    responses.replace(responses.POST, f"{BASE}/filter-products", body=requests.ConnectionError("down"))
    clock.now += 3601
    first, second = store.search("pajama"), store.search("polo")
    assert first.total == 3 and not first.stale, "served at once; nothing has failed yet"
    assert second.products and len(jobs) == 1, "one refresh at a time"
    assert clock.sleeps == [] and store.status()["snapshot"]["refreshing"]
    jobs.pop()()                                    # the refresh runs (and fails) off the customer's turn
    assert store.search("pajama").stale and store.stale and jobs == [], "stale; no new refresh at once"
    assert store.status()["snapshot"]["next_load_in_s"] == 60, "not before the breaker half-opens"
    responses.replace(responses.POST, f"{BASE}/filter-products", json=whole_catalog())
    clock.now += 61                                 # the breaker half-opens
    assert store.search("pajama").stale and len(jobs) == 1, "the next refresh queued"
    jobs.pop()()
    assert not store.search("pajama").stale and not store.status()["snapshot"]["refreshing"]
    assert jobs == []


@responses.activate
def test_a_search_during_an_outage_tries_one_refresh_and_looks_the_snapshot_up_once() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=whole_catalog())
    store = bww_store(clock, store_retries=0, breaker_fail_max=10)
    store.search("pajama")
    responses.replace(responses.POST, f"{BASE}/filter-products", status=500)
    clock.now += 3601
    calls, lookups = store.status()["api_calls"], _lookups(store)
    assert store.search("a new query").stale
    assert store.status()["api_calls"] == calls + 1, "one refresh (its Arabic catalog fails), not two"
    assert _lookups(store) == lookups + 1


def _lookups(store) -> int:
    snapshot = store.status()["cache"]["kinds"]["snapshot"]
    return snapshot["hits"] + snapshot["misses"]


@responses.activate
def test_cached_product_reads_the_snapshot_without_calling_the_api() -> None:
    clock = Clock()
    responses.post(f"{BASE}/filter-products", json=whole_catalog())
    store = bww_store(clock)
    calls = store.status()["api_calls"]
    product = store.cached_product(2351)
    assert product.id == 2351 and not product.stale
    with pytest.raises(ProductNotFound):
        store.cached_product(99999)
    assert store.status()["api_calls"] == calls + 2, "the catalog load only"


@responses.activate
def test_a_catalog_that_takes_longer_than_one_budget_still_loads() -> None:
    """Eight pages a language, each answered after 1.5 s: 24 s in all, far over STORE_BUDGET_S (4 s)."""
    clock = Clock()
    products = PAGE["data"]["products"]

    def page(request: requests.PreparedRequest):
        clock.now += 1.5
        number = json.loads(request.body)["page"]
        rows = [dict(products[0], id=number * 1000 + i) for i in range(3)]
        return 200, {}, json.dumps({"status": 200, "message": "", "data": {
            "products": rows, "total": 24, "page": number, "page_size": 3, "total_pages": 8}})

    responses.add_callback(responses.POST, f"{BASE}/filter-products", callback=page)
    store = bww_store(clock, breaker_fail_max=5)
    assert store.search("").total == 24
    assert len(responses.calls) == 16


def test_a_demo_picture_comes_in_any_colour_of_its_product() -> None:
    store = build_store(Settings(public_base_url="https://bot.example"))
    product = next(p for p in store.search("تيشيرت").products if len(p.colors) > 1)
    other = product.colors[1]
    assert product.image_for(other) == f"{product.image_url}?color={other.replace(' ', '+')}"
    assert product.image_for("a colour it lacks") == product.image_url == product.image_for("")
    app = Flask(__name__)
    app.extensions["dukkan"] = types.SimpleNamespace(store=store)
    app.register_blueprint(bp)
    client = app.test_client()
    first = client.get(f"/media/products/{product.id}.svg").data
    recoloured = client.get(f"/media/products/{product.id}.svg", query_string={"color": other}).data
    assert first != recoloured
    assert client.get(f"/media/products/{product.id}.png", query_string={"color": other}).mimetype == "image/png"
    assert client.get(f"/media/products/{product.id}.svg", query_string={"color": "<script>"}).data == first
