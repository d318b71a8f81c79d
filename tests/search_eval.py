"""Scoring a search against tests/data/search_blind.jsonl (issue 13): precision@5 and recall@10.

The queries were written blind against the demo catalog, each with every product a customer
typing it would be glad to see. Odd-numbered queries are the part the search was tuned on; the
even-numbered ones are the holdout, never read while tuning.

- precision@5: the relevant products among the first five, out of min(5, relevant products): a
  query with two relevant products and both first scores 1.0 (most queries here have fewer than
  five, so this is close to recall@5; the issue's 0.92 is read this way). The report also gives
  the plain share of shown results in the first five that are relevant ("shown relevant");
- recall@10: the share of the relevant products among the first ten (out of at most ten);
- a query with nothing relevant (the shop does not sell it) scores 1.0 on both when nothing is
  returned, else 0.

Run ``python -m tests.search_eval [tuned|holdout|all] [-v]`` for the figures by language and kind.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "search_blind.jsonl"


def queries(part: str = "all") -> list[dict]:
    """The queries of one part: ``tuned`` (odd ids), ``holdout`` (even ids) or ``all``."""
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    if part == "all":
        return rows
    want = 1 if part == "tuned" else 0
    return [row for row in rows if int(row["id"].lstrip("q")) % 2 == want]


@dataclass(frozen=True)
class Scored:
    query: dict
    found: tuple[int, ...]
    precision: float
    recall: float
    shown: float = 1.0          # relevant share of the (up to five) results shown first


def score(query: dict, found: Iterable[int]) -> Scored:
    """One query's precision@5 and recall@10 for the ranked ids ``found``."""
    found = tuple(found)
    relevant = set(query["relevant"])
    if not relevant:
        empty = 1.0 if not found else 0.0
        return Scored(query, found, empty, empty, empty)
    hits = len(set(found[:5]) & relevant)
    precision = hits / min(5, len(relevant))
    recall = len(set(found[:10]) & relevant) / min(10, len(relevant))
    return Scored(query, found, precision, recall, hits / len(found[:5]) if found else 0.0)


def evaluate(search: Callable[[str], list[int]], part: str) -> list[Scored]:
    """Every query of ``part`` searched with ``search`` (query text → ranked ids) and scored."""
    return [score(query, search(query["query"])) for query in queries(part)]


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def report(results: list[Scored]) -> str:
    """Overall, per language and per kind figures."""
    lines = [f"{len(results)} queries: precision@5 {mean(r.precision for r in results):.3f}, "
             f"recall@10 {mean(r.recall for r in results):.3f}, "
             f"shown relevant in the first five {mean(r.shown for r in results):.3f}"]
    for label, key in (("lang", lambda r: [r.query["lang"]]), ("kind", lambda r: r.query["kinds"])):
        groups: dict[str, list[Scored]] = defaultdict(list)
        for result in results:
            for name in key(result):
                groups[name].append(result)
        lines.append(f"  by {label}: " + ", ".join(
            f"{name} {mean(r.precision for r in group):.2f}/{mean(r.recall for r in group):.2f} ({len(group)})"
            for name, group in sorted(groups.items())))
    return "\n".join(lines)


def _demo_search() -> Callable[[str], list[int]]:
    from bot.store.catalog import DemoBackend
    from bot.store.search import SearchIndex

    products, _ = DemoBackend("http://127.0.0.1:8000").load()
    index = SearchIndex(products)
    return lambda text: [product.id for product, _ in index.search(text, None, "relevance", 10, 0)[0]]


if __name__ == "__main__":
    part = sys.argv[1] if len(sys.argv) > 1 else "tuned"
    results = evaluate(_demo_search(), part)
    print(report(results))
    if "-v" in sys.argv and part != "holdout":
        for result in evaluate(_demo_search(), "tuned") if part == "all" else results:
            if result.precision < 1 or result.recall < 1:
                print(f"{result.query['id']} p{result.precision:.2f} r{result.recall:.2f} {result.query['query']!r} "
                      f"want {result.query['relevant']} got {list(result.found)}")
