"""Durable state in SQLite: the inbox, sessions, the outbox of replies, message states, orders.

One file (``DATABASE_PATH``), one connection per thread, WAL mode, so several gunicorn workers
and their threads share it safely. :class:`Database` is the only place that imports sqlite3.
"""

from bot.storage.db import Database

__all__ = ["Database"]
