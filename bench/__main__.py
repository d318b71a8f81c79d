"""``make bench``: run every ``bench/bench_*.py`` module's ``main()`` in turn, or the ones named.

    python -m bench            # all of them
    python -m bench nlu store  # bench_nlu and bench_store only

What each module prints is shown as it runs and kept in ``bench/RESULTS.md``, one section per
module under a header describing the machine (cores, memory, Python, date, load); running some
modules replaces their sections and keeps the others.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import io
import os
import pkgutil
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).parent
RESULTS = HERE / "RESULTS.md"
_SECTION = re.compile(r"^## (bench_\w+)\n", re.MULTILINE)
INTRO = """Written by `make bench` (`python -m bench`); numbers, not assertions. Servers run under the project's
`gunicorn.conf.py` on loopback; Dukkan runs as the `Procfile` runs it, a web (gunicorn,
`WORKERS_IN_WEB=false`) plus `BENCH_WORKER_PROCESSES` (2) `python -m bot work` processes, unless a
figure says "workers in web" (a lone gunicorn answering in its own processes); the load client
(`bench/httpload.py`) is a separate process on raw keep-alive sockets, open loop, with pre-signed
bodies; replies go to a fake Graph API in its own process (`bench/graph_stub.py`); pywa runs in its
own virtualenv (`var/bench/pywa-venv`); every customer text is generated and never repeated in a
run (`bench/texts.py`); variants alternate round by round and medians are quoted. Each section
says what its figures include."""


class _Tee(io.TextIOBase):
    """Writes to the real stdout and keeps a copy."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.kept = out, io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    wanted = [f"bench_{name}" for name in argv] or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:  # a typo or an option must not replace a section of RESULTS.md with a failure
        print(f"no such benchmark: {', '.join(unknown)}; the benchmarks: "
              f"{', '.join(name.removeprefix('bench_') for name in names)}", file=sys.stderr)
        return 2
    failures = 0
    sections = {}
    for name in wanted:
        print(f"\n=== {name}", flush=True)
        started = _now()
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        tee = _Tee(sys.stdout)
        with contextlib.redirect_stdout(tee):
            try:
                importlib.import_module(f"bench.{name}").main()
            except Exception as exc:  # one broken benchmark must not hide the others
                failures += 1
                print(f"{name} failed: {type(exc).__name__}: {exc}", flush=True)
        output = tee.kept.getvalue().strip()
        after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        sections[name] = (f"Run {started}, load average (1, 5, 15 min) before the run {load}, after it {after}."
                          f"\n\n```text\n{output}\n```\n")
    write_results(sections)
    print(f"\nresults written to {RESULTS.relative_to(HERE.parent)}")
    return 1 if failures else 0


def write_results(sections: dict[str, str]) -> None:
    """Replace these modules' sections of RESULTS.md (keeping the others) under a fresh machine header."""
    kept = _sections(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    kept.update(sections)
    body = "".join(f"## {name}\n\n{text.strip()}\n\n" for name, text in sorted(kept.items()))
    RESULTS.write_text(f"# Benchmark results\n\n{INTRO}\n\n{machine()}\n\n{body}".rstrip() + "\n", "utf-8")


def machine() -> str:
    """One paragraph: cores, CPU model, memory, Python, OS, commit, date."""
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    memory_kb = _first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 1024 / 1024:.1f} GiB" if memory_kb else "unknown memory"
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--untracked-files=no") else ""
    return (f"Machine: {os.cpu_count()} cores ({cpu}), {memory} memory, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; commit {commit}{dirty}; written {_now()}.")


def _sections(text: str) -> dict[str, str]:
    parts = _SECTION.split(text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _first(path: str, field: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True, timeout=10)
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
