"""Store benchmarks: search latency (demo and 100,000 products), cache hit cost, API calls per message.

Run with ``python -m bench store``. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

import responses

from bot.config import Settings
from bot.store import SearchFilters, build_store
from bot.store.catalog import DemoBackend
from bot.store.search import SearchIndex

QUERIES = [
    "عايز تيشيرت اسود مقاس L", "3ayez jeans azra2", "فستان سواريه احمر", "كوتشي ابيض حريمي",
    "hoodie black", "شنطة بيج", "بيجامه لابني", "gazma rgaly", "linen shirt", "ساعة رجالي",
    "جيبه جينز", "polo", "جاكيت جلد", "ترنج رياضي", "عايز حاجه لابني عنده ٦ سنين", "sandals",
    "بنطلون كارجو زيتي", "abaya", "قميص ابيض كتان", "", "شراب", "نضارة شمس",
    "تيشيرت مش اسود تحت 500", "dress between 300 and 600", "fo2 1000 gazma rgaly", "cargo shorts",
]
PAYLOAD = Path(__file__).resolve().parent.parent / "tests/payloads/store/bww_filter_products_page1_en.json"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def _time_searches(index: SearchIndex, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            index.search(query, None, "relevance", 10, 0)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _generated(products: list, size: int) -> list:
    """``size`` products made from the demo ones: new ids, shuffled colours, prices and stock."""
    rng = random.Random(7)
    made = []
    for number in range(size):
        base = products[number % len(products)]
        colors = list(base.colors)
        rng.shuffle(colors)
        made.append(replace(base, id=number + 1, colors=tuple(colors), final_price=rng.randint(100, 3000),
                            stock_quantity=rng.choice((0, 3, 10, 40)), rating=round(rng.uniform(1, 5), 1)))
    return made


def bench_search() -> None:
    products, _ = DemoBackend("http://127.0.0.1:8000").load()
    demo = SearchIndex(products)
    p50, p95 = _percentiles(_time_searches(demo, 20))
    print(f"search, demo catalog ({len(products)} products, {len(QUERIES)} queries): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    start = time.perf_counter()
    big = SearchIndex(_generated(products, 100_000))
    built = time.perf_counter() - start
    p50, p95 = _percentiles(_time_searches(big, 3))
    print(f"search, generated catalog (100,000 products; index built in {built:.1f} s): "
          f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (goal p95 < 20 ms)")


def bench_cache() -> None:
    store = build_store(Settings())
    store.search("warm up")
    misses, hits = [], []
    for number, query in enumerate(QUERIES):
        start = time.perf_counter()
        store.search(query, limit=10 + number)
        misses.append((time.perf_counter() - start) * 1e6)
        start = time.perf_counter()
        store.search(query, limit=10 + number)
        hits.append((time.perf_counter() - start) * 1e6)
    print(f"search cache: miss median {statistics.median(misses):.0f} µs, hit median {statistics.median(hits):.0f} µs")


def bench_calls_per_message() -> None:
    """A scripted conversation against the bww backend (simulated with responses)."""
    page = json.loads(PAYLOAD.read_text("utf-8"))
    catalog = {"status": 200, "message": "", "data": {**page["data"], "total_pages": 1}}
    conversation = [
        lambda s: s.search("عايز بيجامه"),
        lambda s: s.product(2351),
        lambda s: s.search("polo", filters=SearchFilters(in_stock=True)),
        lambda s: s.product(188),
        lambda s: s.compare([2351, 2346]),
        lambda s: s.search("pajama", sort="price_asc"),
        lambda s: s.info().shipping_fee("cairo", 600),
        lambda s: s.product(2351),
        lambda s: s.recommend("offers"),
        lambda s: s.search("set", filters=SearchFilters(category="kids")),
    ]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post("https://api.test/api/v1/filter-products", json=catalog)
        for product in page["data"]["products"]:
            mock.get(f"https://api.test/api/v1/product-details/{product['id']}",
                     json={"status": 200, "message": "", "data": product})
        settings = Settings(store_backend="bww", store_api_url="https://api.test/api/v1", store_api_key="k")
        store = build_store(settings)
        counts = []
        for step in conversation * 2:
            before = store.status()["api_calls"]
            step(store)
            counts.append(store.status()["api_calls"] - before)
    warm = counts[len(conversation):]
    print(f"store API calls per message: first pass {counts[:len(conversation)]}, "
          f"after warm-up {warm} (mean {statistics.mean(warm):.2f}, max {max(warm)}; goal <= 1)")


def main() -> None:
    bench_search()
    bench_cache()
    bench_calls_per_message()


if __name__ == "__main__":
    main()
