"""The bww backend against the fake BWW API (tests/fake_bww.py): calls per message, a 10,000-product load.

Part of ``bench_store`` (``make bench``). Numbers, not assertions:

- a 30-message customer session through the whole app (signed webhook -> inbox -> dialog ->
  outbox), on a 1,000-product store: store API calls per message, cold (a fresh process: the
  catalog load included), warm (a second customer, same messages: snapshot and details cached),
  and warm after the details' TTL (a third customer ten minutes later);
- a 10,000-product catalog load under 60 calls a minute: minutes on the injected clock (the
  waits for permits are slept on it), seconds of real time, calls, and the most calls the fake
  API saw in any minute, with a customer asking for details at every wait.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bot import create_app
from bot.config import Settings
from bot.services import build_services
from bot.store import build_store
from tests.factories import messenger_postback, messenger_text, post_signed
from tests.fake_bww import FakeBww
from tests.store.test_bww_fake import NOW, Clock
from tests.test_conversation_kit import ids_of, payloads

SECRET = "bench-secret"
SESSION = [
    "السلام عليكم", "عايز تيشيرت", "DETAILS", "التاني بكام", "عايز هودي اسود", "DETAILS", "ADD", "M",
    "عايز فستان", "DETAILS", "ارخص", "الشحن لاسكندرية بكام", "بتبيعوا ايه؟", "عايز جينز", "DETAILS",
    "hi", "black hoodie", "DETAILS", "how much is the second one", "jeans under 600", "DETAILS",
    "sneakers", "DETAILS", "shipping to cairo", "what do you sell?", "pajama for kids", "DETAILS",
    "dress", "DETAILS", "thanks",
]


def _session(client, services, api: FakeBww, customer: str) -> list[int]:
    """Play :data:`SESSION` as ``customer``; the store API calls each message cost."""
    costs: list[int] = []
    shown: list[int] = []
    for line in SESSION:
        if line in ("DETAILS", "ADD") and shown:
            body = messenger_postback(customer, f"{line}:{shown[0]}")
        else:
            body = messenger_text(customer, line if line not in ("DETAILS", "ADD") else "عايز تيشيرت")
        before = len(api.api_calls())
        before_out = len(services.pipeline.outbox.conversation("messenger", customer))
        assert post_signed(client, body, SECRET).status_code == 200
        services.workers.drain()
        costs.append(len(api.api_calls()) - before)
        replies = [row["body"] for row in services.pipeline.outbox.conversation("messenger", customer)[before_out:]]
        shown = ids_of(payloads(replies), "DETAILS") or shown
    return costs


def bench_bww_session() -> None:
    clock = Clock(time.time())
    with tempfile.TemporaryDirectory() as tmp, FakeBww(1_000, clock=clock) as api:
        settings = Settings.from_env({}).with_overrides(
            meta_app_secret=SECRET, verify_token="bench-verify", admin_token="bench-admin-token-0123456789",
            admin_token_generated=False, database_path=str(Path(tmp) / "dukkan.sqlite3"),
            public_base_url="http://bot.bench", store_backend="bww", store_api_url=api.url,
            store_api_key=api.secret)
        overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
        services = build_services(settings, clock=clock, sleep=clock.sleep)
        services.store.refresh_runner = lambda job: job()
        client = create_app(overrides, start_workers=False, services=services).test_client()
        try:
            cold = _session(client, services, api, "bench-cold")
            load = len(api.api_calls(path="/filter-products"))
            warm = _session(client, services, api, "bench-warm")
            clock.now += 601                         # the details' TTL is over; the snapshot's is not
            later = _session(client, services, api, "bench-later")
        finally:
            services.workers.stop()
    n = len(SESSION)
    print(f"bww, {n}-message session through the app on the fake BWW API (1,000 products):")
    print(f"  cold:  {sum(cold) / n:.2f} store API calls per message ({sum(cold)} calls: {load} for the "
          f"catalog load, {sum(cold) - load} live; {(sum(cold) - load) / n:.2f} a message without the load)")
    print(f"  warm:  {sum(warm) / n:.2f} store API calls per message ({sum(warm)} calls; goal <= 0.3)")
    print(f"  warm, details expired (10 min later): {sum(later) / n:.2f} per message ({sum(later)} calls), "
          f"max {max(later)} in one message")


def bench_bww_load(size: int = 10_000) -> None:
    clock = Clock(NOW)
    with tempfile.TemporaryDirectory() as tmp, FakeBww(size, clock=clock) as api:
        settings = Settings(store_backend="bww", store_api_url=api.url, store_api_key=api.secret,
                            public_base_url="http://bot.bench")
        jobs: list = []
        store = build_store(settings, clock=clock, sleep=clock.sleep, refresh_runner=jobs.append, shared_dir=tmp)
        store.first_wait_s = 0
        store.ready()                                 # starts the first load (in ``jobs``)
        shown = iter(range(100_020, 100_000 + size, 11))
        details: list = []
        clock.on_sleep = lambda: details.append(store.product(next(shown), lang="en"))
        started, real = clock.now, time.perf_counter()
        jobs.pop()()
        fake_min, real_s = (clock.now - started) / 60, time.perf_counter() - real
        clock.on_sleep = None
        status = store.status()
        pages = len(api.api_calls(path="/filter-products"))
        print(f"bww catalog load, {size:,} products at 100 a page in both languages, limit 60/minute "
              f"({status['limiter']['reserved_for_live']} a minute kept for live calls):")
        print(f"  {status['snapshot']['products']:,} products in {fake_min:.1f} min of the injected clock, "
              f"{real_s:.1f} s real; {pages} page calls, at most {api.most_in_window(60)} calls in any minute; "
              f"{len(details)} live details served during the load "
              f"({sum(p.stale for p in details)} from the snapshot)")
