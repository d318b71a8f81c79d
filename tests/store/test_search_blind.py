"""Search against queries written blind (issue 13), through ``python -m bot search --jsonl --limit 10``.

tests/data/search_blind.jsonl holds 369 queries written by someone who read only the demo
catalog and the labelling guide, each with every product a customer would be glad to see
(tests/search_eval.py says how they are scored). Odd ids were used to tune the search (its
vocabulary and BM25 parameters); even ids are the holdout, never read while tuning.

Measured 2026-12-03 with the BM25 search, after an independent review's fixes (kids' products
relaxed in late and named, sections a catalog does not file read as their items, the customer's own
words never read as typos of product words, sold-out never first): tuned precision@5 0.971,
recall@10 0.985; holdout 0.929 / 0.938 (the bitset search before it: tuned 0.792 / 0.866, holdout
0.755 / 0.832). precision@5 counts hits out of min(5, relevant): most queries have fewer than five
relevant products; the plain share of the first five shown that are relevant is 0.626 on the
holdout. The floors are the issue's goals on the holdout, and today's figures less two points on
the tuned part.
"""

from __future__ import annotations

import io
import json
from argparse import Namespace

import pytest

from bot.config import Settings
from bot.store import build_store
from bot.store.cli import run
from tests.search_eval import evaluate, mean, queries, report

FLOORS = {"holdout": (0.92, 0.90), "tuned": (0.95, 0.96)}


@pytest.fixture(scope="module")
def cli_results() -> dict[str, list[int]]:
    """Every blind query run through the search CLI's ``--jsonl`` mode, as the issue measures it."""
    rows = queries("all")
    stdin = io.StringIO("".join(json.dumps({"query": row["query"]}, ensure_ascii=False) + "\n" for row in rows))
    stdout = io.StringIO()
    store = build_store(Settings())
    assert run(Namespace(query=[], limit=10, jsonl=True), store=store, stdin=stdin, stdout=stdout) == 0
    answers = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [answer["query"] for answer in answers] == [row["query"] for row in rows]
    return {answer["query"]: [result["id"] for result in answer["results"]] for answer in answers}


@pytest.mark.parametrize("part", ["holdout", "tuned"])
def test_precision_and_recall_floors(cli_results, part) -> None:
    results = evaluate(cli_results.__getitem__, part)
    print(f"\n{part}: {report(results)}")
    precision, recall = FLOORS[part]
    assert mean(r.precision for r in results) >= precision
    assert mean(r.recall for r in results) >= recall


def test_the_set_is_what_the_issue_asks(cli_results) -> None:
    rows = queries("all")
    kinds = {kind for row in rows for kind in row["kinds"]}
    assert len(rows) >= 200 and len(queries("holdout")) >= 100
    assert {row["lang"] for row in rows} == {"arz", "franco", "en", "msa", "mixed"}
    assert {"attribute", "item", "typo", "price", "size", "colour", "gender", "number", "none"} <= kinds
