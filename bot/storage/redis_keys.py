"""Where every Redis key of the storage lives: ``<REDIS_PREFIX>v<KEY_VERSION>:`` (``dukkan:v1:...``).

Every Redis store takes its keys under :func:`keyspace`, built here and nowhere else
(:func:`bot.storage.open_stores`, :func:`bot.storage.pauses.open_pauses`,
:func:`bot.storage.auth_limits.open_auth_failures`); each store names its own keys below it.

The rule for changing it: a change to what a key holds or how it is named (a hash gains a
required field, a list becomes a stream, a key is renamed) that the running release cannot read
raises :data:`KEY_VERSION` by one in the same change, and ships in code, run at start, the step
that brings the previous version's keys over (as :mod:`bot.storage.redis_upgrade` moves release
1's unversioned keys into ``v1:`` under a lock, once, before any store reads). Additions the old
release ignores (a new key, a new optional field) keep the version.
"""

from __future__ import annotations

KEY_VERSION = 1


def keyspace(prefix: str) -> str:
    """The prefix every storage key starts with: ``REDIS_PREFIX`` and the key version."""
    return f"{prefix}v{KEY_VERSION}:"


__all__ = ["KEY_VERSION", "keyspace"]
