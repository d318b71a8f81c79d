"""Same text, same answer in every process: the CLI's output does not depend on PYTHONHASHSEED.

The probe messages are the labelled sets plus misspellings of every lexicon word (one or two
letters replaced by another letter of the same word), which is where fuzzy matching has to
break ties between candidates of equal score: exactly where set iteration order used to leak in.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from bot.nlu.vocab import get_vocabulary

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEEDS = ("0", "1", "2", "3")


def _misspellings(count: int) -> list[str]:
    """Deterministic near-misses of lexicon words, alone and in short phrases."""
    rng = random.Random(20261203)
    words = sorted(t for t in get_vocabulary().tokens if len(t) >= 5)

    def misspell(word: str) -> str:
        letters = list(word)
        for _ in range(rng.randrange(1, 3)):
            letters[rng.randrange(len(letters))] = rng.choice(word)
        return "".join(letters)

    singles = [misspell(rng.choice(words)) for _ in range(count // 2)]
    phrases = [" ".join(misspell(rng.choice(words)) if rng.random() < 0.5 else rng.choice(words)
                        for _ in range(rng.randrange(2, 5))) for _ in range(count - count // 2)]
    return singles + phrases


def _probe_lines() -> str:
    lines = []
    for path in sorted(DATA.glob("nlu_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                lines.append({"text": row["text"], "context": row.get("context", "none")})
    lines += [{"text": text, "context": "none"} for text in _misspellings(4000)]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _run_cli(seed: str, stdin: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "bot", "nlu", "--jsonl"], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=240, check=True)
    return done.stdout


def test_cli_output_is_identical_under_every_hash_seed() -> None:
    stdin = _probe_lines()
    outputs = {seed: _run_cli(seed, stdin) for seed in SEEDS}
    expected = stdin.count("\n")
    first = outputs[SEEDS[0]].splitlines()
    assert len(first) == expected
    for seed in SEEDS[1:]:
        other = outputs[seed].splitlines()
        differ = [i for i, (a, b) in enumerate(zip(first, other, strict=True)) if a != b]
        assert not differ, \
            f"PYTHONHASHSEED={seed} differs on {len(differ)} lines, first: {stdin.splitlines()[differ[0]]}"
