"""``python -m bot nlu [--context C] TEXT`` and ``python -m bot nlu --jsonl``.

One message prints one JSON object ``{"intent", "confidence", "slots"}``; ``--jsonl`` reads
``{"text": ..., "context": ...}`` lines on stdin and writes one such object a line, in order
(a line that is not valid JSON gets ``{"error": ...}`` so the output stays aligned).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from bot.nlu.matcher import CONTEXTS, understand

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``nlu`` options to ``parser``."""
    parser.add_argument("--context", choices=CONTEXTS, default="none",
                        help="what the bot has just shown (default: none)")
    parser.add_argument("--jsonl", action="store_true",
                        help='read {"text":..., "context":...} lines on stdin')
    parser.add_argument("text", nargs="*", help="the customer message")


def run(args: argparse.Namespace, stdin: IO[str] | None = None,
        stdout: IO[str] | None = None) -> int:
    """Run the command; returns the exit status (2 when there is nothing to understand)."""
    out = stdout or sys.stdout
    if args.jsonl:
        for line in stdin or sys.stdin:
            if line.strip():
                _write(out, _line_result(line))
        return 0
    text = " ".join(args.text)
    if not text.strip():
        print("nlu: give a TEXT or --jsonl", file=sys.stderr)
        return 2
    _write(out, understand(text, args.context).to_dict())
    return 0


def _line_result(line: str) -> dict[str, Any]:
    """The understanding of one JSONL request line."""
    try:
        request = json.loads(line)
        text, context = str(request.get("text", "")), str(request.get("context") or "none")
    except (ValueError, AttributeError) as exc:
        return {"error": f"bad line: {exc}"}
    return understand(text, context).to_dict()


def _write(out: IO[str], obj: dict[str, Any]) -> None:
    """One JSON object a line, Arabic kept readable."""
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
