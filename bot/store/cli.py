"""``python -m bot search [--limit N] QUERY`` and ``search --jsonl`` (DESIGN.md, "Command line").

Prints ``{"query": ..., "results": [{"id": ..., "score": ...}, ...]}`` in rank order against the
configured store; with ``--jsonl`` reads ``{"query": ...}`` lines on stdin and writes one such
object a line, in the same order.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from bot.config import Settings
from bot.errors import BotError

__all__ = ["add_arguments", "run", "search_json"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the search command's options to ``parser``."""
    parser.add_argument("query", nargs="*", help="what a customer would type")
    parser.add_argument("--limit", type=int, default=10, help="results to print (default 10)")
    parser.add_argument("--jsonl", action="store_true", help='read {"query": ...} lines on stdin')


def search_json(store: Any, query: str, limit: int) -> dict[str, Any]:
    """One query's answer in the CLI's JSON shape."""
    page = store.search(query, limit=limit)
    results = [{"id": product.id, "score": score} for product, score in zip(page.products, page.scores, strict=True)]
    return {"query": query, "results": results}


def run(args: argparse.Namespace, store: Any = None, stdin: IO[str] | None = None,
        stdout: IO[str] | None = None) -> int:
    """Run the search command; 0 on success, 2 on bad input, 1 when the store cannot answer."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    try:
        if store is None:
            from bot.store import build_store

            store = build_store(Settings.from_env())
        if args.jsonl:
            return _run_lines(store, args.limit, stdin, stdout)
        if not args.query:
            print("search: give a QUERY or --jsonl", file=sys.stderr)
            return 2
        _write(stdout, search_json(store, " ".join(args.query), args.limit))
    except BotError as error:
        print(f"search: {error}", file=sys.stderr)
        return 1
    return 0


def _run_lines(store: Any, limit: int, stdin: IO[str], stdout: IO[str]) -> int:
    for line in stdin:
        if not line.strip():
            continue
        try:
            query = str(json.loads(line).get("query", ""))
        except (ValueError, AttributeError):
            print(f"search: not a JSON object line: {line.strip()[:80]}", file=sys.stderr)
            return 2
        _write(stdout, search_json(store, query, limit))
    return 0


def _write(stdout: IO[str], answer: dict[str, Any]) -> None:
    stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    stdout.flush()
