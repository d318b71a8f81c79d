"""WSGI entry for the benchmarks only: Dukkan with two switches that production never uses.

    gunicorn bench.app_variants:app -c gunicorn.conf.py

- ``BENCH_INBOX_WORKERS=0``: the inbox workers are not started, so the server does nothing but
  acknowledge deliveries (signature, parse, one inbox transaction). Events pile up unanswered.
- ``BENCH_SQLITE_SYNC=NORMAL``: every SQLite connection runs ``PRAGMA synchronous=NORMAL`` after
  the bot's own pragmas, i.e. WAL commits without an fsync each (durable across a crash of the
  process, not of the machine). It shows what the fsync of each commit costs the ack path.

Both are applied from outside (``create_app(start_workers=...)`` and a wrapper around
``Database._open``); nothing in ``bot/`` knows about them.
"""

from __future__ import annotations

import os

from bot import create_app
from bot.storage import db

_SYNC = os.environ.get("BENCH_SQLITE_SYNC", "").upper()
if _SYNC in ("OFF", "NORMAL", "FULL", "EXTRA"):
    _open = db.Database._open

    def _open_with_sync(self: db.Database):
        conn = _open(self)
        conn.execute(f"PRAGMA synchronous={_SYNC}")
        return conn

    db.Database._open = _open_with_sync  # type: ignore[method-assign]  # the benchmark's switch, from outside

app = create_app(start_workers=os.environ.get("BENCH_INBOX_WORKERS", "") != "0")
