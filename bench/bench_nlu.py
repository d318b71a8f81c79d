"""NLU throughput and latency on one core (``python -m bench nlu``).

The process is pinned to one core (``os.sched_setaffinity``). First the figure to quote:
``understand`` on ``UNSEEN`` (5,000) generated customer messages (``bench/texts.py``: Arabic,
Franco, English; every text different, so no whole-message cache ever answers; the caches of
single words warm up as they do in a running worker), each read once, in the three contexts.
Then the dev set as before: messages per second and p50/p99 latency of ``understand`` against a
baseline measured in the same run (``normalize`` + ``tokenize`` alone), with a cold pass (every
cache cleared, ``bot.nlu.clear_caches``) and warm passes (the same 320 texts again and again: an
upper bound, not a customer's figure). The unseen line also gives the rate in CPU time of the
process (``time.process_time``): on a shared machine the core is not always ours, and wall-clock
latencies then count other programs' turns.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from bench.texts import Texts
from bot.nlu import clear_caches, understand, warm_up
from bot.nlu.normalize import normalize, tokenize

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "nlu_dev.jsonl"
ROUNDS = 30
UNSEEN = 5_000
CONTEXTS = ("none", "after_results", "after_details")


def _messages() -> list[tuple[str, str]]:
    """(text, context) of every dev line."""
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    return [(r["text"], r["context"]) for r in rows]


def _latencies(fn: Callable[[str, str], object], msgs: list[tuple[str, str]]) -> list[float]:
    """Seconds per call, ``ROUNDS`` passes over ``msgs``."""
    out = []
    clock = time.perf_counter
    for _ in range(ROUNDS):
        for text, context in msgs:
            start = clock()
            fn(text, context)
            out.append(clock() - start)
    return out


def _report(name: str, lat: list[float]) -> None:
    """One line: messages per second, p50 and p99 in microseconds."""
    lat = sorted(lat)
    rate = len(lat) / sum(lat)
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
    print(f"{name:<34} {rate:>10,.0f} msg/s   p50 {p50 * 1e6:7.1f} us   p99 {p99 * 1e6:7.1f} us")


def _cold(msgs: list[tuple[str, str]]) -> float:
    """Messages per second with every cache cleared first (one pass)."""
    clear_caches()
    start = time.perf_counter()
    for text, context in msgs:
        understand(text, context)
    return len(msgs) / (time.perf_counter() - start)


def _unseen() -> None:
    """``understand`` once on each of ``UNSEEN`` different generated messages."""
    texts = Texts(seed=404).batch(UNSEEN)
    clock = time.perf_counter
    samples = []
    cpu = time.process_time()
    for number, text in enumerate(texts):
        start = clock()
        understand(text, CONTEXTS[number % len(CONTEXTS)])
        samples.append(clock() - start)
    cpu = time.process_time() - cpu
    _report(f"understand, {UNSEEN:,} unseen texts, once", samples)
    print(f"{'  the same in CPU time':<34} {UNSEEN / cpu:>10,.0f} msg/s")


def main() -> None:
    """Run the benchmark and print the numbers."""
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    msgs = _messages()
    warm_up()   # as a serving process does before its workers start (the lexicon, the common words)
    print(f"pinned to core {core}; unseen generated messages (the figure to quote), then the dev set")
    _unseen()
    print(f"{len(msgs)} dev messages x {ROUNDS} rounds, one core")
    print(f"{'understand, cold caches (1 pass)':<34} {_cold(msgs):>10,.0f} msg/s")
    _report("baseline: normalize + tokenize", _latencies(lambda t, c: tokenize(t), msgs))
    normalize.cache_clear()
    _report("baseline: normalize, words cached", _latencies(
        lambda t, c: normalize.__wrapped__(t), msgs))
    _report("understand (warm)", _latencies(understand, msgs))


if __name__ == "__main__":
    main()
