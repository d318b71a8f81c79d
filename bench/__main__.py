"""``make bench``: run every ``bench/bench_*.py`` module's ``main()`` in turn, or the ones named.

    python -m bench            # all of them
    python -m bench nlu store  # bench_nlu and bench_store only
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    wanted = [f"bench_{name}" for name in argv] or names
    failures = 0
    for name in wanted:
        print(f"\n=== {name}", flush=True)
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # one broken benchmark must not hide the others
            failures += 1
            print(f"{name} failed: {type(exc).__name__}: {exc}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
