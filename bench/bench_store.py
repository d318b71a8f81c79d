"""Store benchmarks: search latency (demo and 100,000 products), cache hit cost, API calls per message.

Run with ``python -m bench store``. Prints numbers; asserts nothing. Search latency is measured on
400 different generated queries (no query repeats, so no cache answers), at 1k, 10k and 100k products.
The bww backend is measured against the fake BWW API (``tests/fake_bww.py``, a real HTTP server):
store API calls per customer message on a 30-message session through the whole app (cold and
warm), and a 10,000-product catalog load under 60 calls a minute (``bench/bench_store_bww.py``).
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
import tracemalloc
from pathlib import Path

import responses

from bench.catalog_gen import distinct_words, generate
from bot.config import Settings
from bot.nlu.lexicon import load_lexicon
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


def _time_searches(index: SearchIndex, queries: list[str]) -> tuple[list[float], float]:
    """Each search's latency in ms, and the mean CPU a search took in µs (process time: on a shared
    machine it counts this process's work only, not the wait for a core)."""
    samples = []
    cpu = time.process_time()
    for query in queries:
        start = time.perf_counter()
        index.search(query, None, "relevance", 10, 0)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, (time.process_time() - cpu) / max(1, len(queries)) * 1e6


def _unseen_queries(count: int, seed: int) -> list[str]:
    """``count`` different queries in the ways customers write: item, attribute, colour, section, price, typos."""
    rng = random.Random(seed)
    lex = load_lexicon()
    items = [form for name in sorted(lex.items) for form in lex.items[name].forms]
    colors = [form for name in sorted(lex.colors) for form in lex.colors[name]]
    extras = ["جلد", "قطن", "كتان", "رياضي", "رسمي", "leather", "linen", "running", "oversized", "slim fit",
              "بكابيشون", "mo2allem", "kajwal", "sahra", "waterproof", "شتوي", "summer", "مطبوع"]
    sections = ["رجالي", "حريمي", "ولادي", "men", "women", "kids", "rgaly", "7arimy", ""]
    prices = ["", "", "تحت 500", "under 1000", "fo2 300", "من 200 ل 800", "ar5as"]
    queries: set[str] = set()
    while len(queries) < count:
        words = [rng.choice(items), rng.choice(extras) if rng.random() < 0.6 else "",
                 rng.choice(colors) if rng.random() < 0.4 else "", rng.choice(sections), rng.choice(prices)]
        text = " ".join(w for w in words if w)
        if rng.random() < 0.2 and len(text) > 6:                 # a typo: one letter doubled
            at = rng.randrange(1, len(text) - 1)
            text = text[:at] + text[at] + text[at:]
        queries.add(text)
    return sorted(queries, key=lambda q: rng.random())


def bench_search() -> None:
    """Build time, index memory and latency for the demo catalog and generated ones of 1k, 10k, 100k."""
    products, _ = DemoBackend("http://127.0.0.1:8000").load()
    queries = _unseen_queries(400, seed=5)
    demo = SearchIndex(products)
    others = [query for query in _unseen_queries(400, seed=6) if query not in queries]
    _time_searches(demo, others)                          # other queries: the matcher's word caches warm up,
    samples, cpu = _time_searches(demo, queries)          # as in a worker that has been answering a while
    p50, p95 = _percentiles(samples)
    print(f"search, demo catalog ({len(products)} products, {len(queries)} different queries, "
          f"after {len(others)} others): p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
          f"CPU {cpu:.0f} µs a search (reading the query included)")
    print("generated catalogs (bench/catalog_gen.py: a brand per 25 products, a made-up model name per 6,")
    print("~90 attributes, varied descriptions in both languages;")
    print("words = different words with a letter in names and descriptions, both languages, + numbers and codes);")
    print("build = SearchIndex from products in memory; memory = what the built index keeps (tracemalloc),")
    print("peak = the most the build held at once; latency = SearchIndex.search, page of 10, no cache, one core;")
    print("memory counts the matcher's bounded word cache (bot/nlu/normalize.py, 65,536 pieces) the build")
    print("refills with the catalog's words: ~18 MB at 100,000 products, whatever the index's own size")
    for size in (1_000, 10_000, 100_000):
        catalog = generate(size)
        words, codes = distinct_words(catalog)
        gc.collect()
        start, cpu_start = time.perf_counter(), time.process_time()
        index = SearchIndex(catalog)
        built, built_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        samples, cpu = _time_searches(index, queries)
        p50, p95 = _percentiles(samples)
        del index
        gc.collect()
        tracemalloc.start()
        index = SearchIndex(catalog)
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {size:>7,} products ({words:,} words + {codes:,} numbers/codes):\n"
              f"    build {built:5.2f} s (CPU {built_cpu:5.2f} s), memory {kept / 2**20:6.1f} MB "
              f"(peak {peak / 2**20:6.1f} MB), search p50 {p50:5.2f} ms, p95 {p95:5.2f} ms, CPU {cpu:4.0f} µs "
              f"(goals: build <= 10 s, <= 100 MB, p95 <= 20 ms)")
        del index


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
    """Store operations of a scripted conversation against the bww backend (simulated with responses)."""
    page = json.loads(PAYLOAD.read_text("utf-8"))
    catalog = {"status": 200, "message": "", "data": {**page["data"], "total_pages": 1,
                                                      "total": len(page["data"]["products"])}}
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
    from bench.store_bww import bench_bww_load, bench_bww_session

    bench_search()
    bench_cache()
    bench_calls_per_message()
    bench_bww_session()
    bench_bww_load()


if __name__ == "__main__":
    main()
