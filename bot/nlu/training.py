"""What the learned readings (``shopness.py``, ``intent_model.py``) share at training time: the
labelled lines they learn from, the text of a weights file, and how the matcher scores on a set.

The labelled sets live in ``tests/data``; they are read only here, when training or evaluating,
never when the bot runs (a serving process never imports this module).

    python -m bot.nlu.training evaluate nlu_blind_i.jsonl nlu_offtopic.jsonl:1
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["DATA", "NOT_A_SHOP_FLOW", "training_rows", "weights_text", "train_command", "evaluate", "main"]

from bot.nlu.shopness import NOT_A_SHOP_FLOW

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"


def training_rows(files: Sequence[tuple[str, int | None]], data: Path = DATA) -> list[dict]:
    """The labelled lines of ``files`` — (name, None for every line, 1 for odd ids, 0 for even) —
    in file and line order."""
    rows = []
    for name, half in files:
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if half is None or int(row["id"].rsplit("-", 1)[1]) % 2 == half:
                    rows.append(row)
    return rows


def weights_text(payload: Mapping[str, object]) -> str:
    """A trainer's payload as the text of its weights file: the settings on the first line, then
    one feature's counts per line (a retrained file diffs line by line)."""
    rest = {key: value for key, value in payload.items() if key != "counts"}
    counts = payload["counts"]
    assert isinstance(counts, dict)
    head = json.dumps(rest, ensure_ascii=False, sort_keys=True)[:-1]
    body = ",\n".join(f"{json.dumps(f, ensure_ascii=False)}: {json.dumps(c)}" for f, c in counts.items())
    return f'{head}, "counts": {{\n{body}\n}}}}\n'


def train_command(argv: Sequence[str], module: str, weights: Path, payload: Callable[[], str]) -> int:
    """A learned reading's command line: ``train`` writes its weights file from ``payload()``."""
    if list(argv) == ["train"]:
        weights.write_text(payload(), encoding="utf-8")
        print(f"wrote {weights}")
        return 0
    print(f"usage: python -m {module} train (python -m bot.nlu.training evaluate FILE... scores sets)",
          file=sys.stderr)
    return 2


def evaluate(names: Sequence[str], data: Path = DATA) -> str:
    """Intent accuracy (overall and by language) and chatter routed to a shop intent, per file
    (``name.jsonl``, or ``name.jsonl:1`` / ``:0`` for its odd or even ids), read by the rules alone
    and as :func:`bot.nlu.understand` answers (the rules settled by the learned readings)."""
    from bot.nlu.matcher import understand

    kinds = ("rules", "learned")
    out = []
    for spec in names:
        name, _, half = spec.partition(":")
        tallies: dict[str, dict[str, list[int]]] = {kind: {} for kind in kinds}
        routed = dict.fromkeys(kinds, 0)
        chatter = 0
        for row in training_rows([(name, int(half) if half else None)], data):
            readings = (understand(row["text"], row["context"], learned=False).intent,
                        understand(row["text"], row["context"]).intent)
            chatter += row["intent"] == "unknown"
            for kind, intent in zip(kinds, readings, strict=True):
                for key in ("all", row["lang"]):
                    tally = tallies[kind].setdefault(key, [0, 0])
                    tally[0] += intent == row["intent"]
                    tally[1] += 1
                routed[kind] += row["intent"] == "unknown" and intent not in NOT_A_SHOP_FLOW
        for kind in kinds:
            langs = " ".join(f"{k} {r / n:.3f}" for k, (r, n) in sorted(tallies[kind].items()) if k != "all")
            right, total = tallies[kind]["all"]
            out.append(f"{spec} {kind:7s} intent {right / total:.4f} ({right}/{total}) | {langs} | "
                       f"chatter routed {routed[kind]}/{chatter}")
    return "\n".join(out)


def main(argv: Sequence[str]) -> int:
    """``evaluate FILE...``: :func:`evaluate` on files of tests/data."""
    if argv[:1] == ["evaluate"] and len(argv) > 1:
        print(evaluate(argv[1:]))
        return 0
    print("usage: python -m bot.nlu.training evaluate FILE.jsonl[:0|:1]...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
