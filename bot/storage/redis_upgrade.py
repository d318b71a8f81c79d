"""Moves the Redis keys of release 1 (directly under ``<REDIS_PREFIX>``) into ``<REDIS_PREFIX>v1:``.

Release 1 kept every storage key right under the prefix (``dukkan:orders:seq``); this release
reads them under :func:`bot.storage.redis_keys.keyspace` (``dukkan:v1:orders:seq``). Without
this step an upgrade would start on an empty keyspace: waiting events, duplicate detection,
sessions, hand-offs and orders lost, and ``orders:seq`` counting again from zero.

:func:`open_keyspace` is how every Redis store is opened; it runs :func:`upgrade` first, which
costs one GET once the keyspace carries its marker (``<prefix>v1:schema``). Without the marker,
one process takes a lock (``SET NX`` with an expiry, so a process killed meanwhile does not
block the others for longer than that), SCANs ``<prefix>*`` and renames each release-1 key to
``<prefix>v1:<rest>`` with RENAMENX (a key keeps its value, type and expiry; a name already taken
under ``v1:`` is left alone and logged), then sets the marker and lets the lock go. Processes
starting at the same time wait for the marker instead. Skipped: keys already under a version
(``v1:``, ``v2:``...) and the store client's ``<prefix>store:`` keys (a cache, not versioned).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import redis
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

from bot.errors import StorageError
from bot.storage.redis_keys import KEY_VERSION, keyspace

log = logging.getLogger(__name__)

MARKER = "schema"         # <prefix>v1:schema -> the key version the keyspace holds
LOCK = "upgrading"        # <prefix>v1:upgrading -> the token of the process moving the keys
LOCK_TTL_S = 300          # a process killed while upgrading holds the others back this long at most
BATCH = 500               # keys a SCAN step asks for, and renames sent in one pipeline
_UNVERSIONED = "store:"   # the store client's rate limit and caches
_VERSIONED = re.compile(r"v\d+:")
_GLOB = re.compile(r"([*?\[\]\\])")


def open_keyspace(settings: Any) -> tuple[redis.Redis, str]:
    """A client for ``REDIS_URL`` and the keyspace the stores use, upgraded from release 1 if needed."""
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=10)
    upgrade(client, settings.redis_prefix)
    return client, keyspace(settings.redis_prefix)


def upgrade(client: redis.Redis, prefix: str, *, wait_s: float = LOCK_TTL_S + 10.0, poll_s: float = 0.1) -> int:
    """Bring release 1's keys under ``prefix`` into the versioned keyspace, once; how many this call moved.

    Raises:
        StorageError: Redis did not answer, or another process held the lock for longer than ``wait_s``.
    """
    marker = keyspace(prefix) + MARKER
    moved: list[int] = []

    def attempt() -> bool:
        if client.get(marker) is not None:
            return True
        token = uuid.uuid4().hex
        if not client.set(keyspace(prefix) + LOCK, token, nx=True, ex=LOCK_TTL_S):
            return False  # another process is moving the keys: wait for its marker
        try:
            if client.get(marker) is None:  # again, under the lock
                moved.append(_move(client, prefix))
                client.set(marker, str(KEY_VERSION))
        finally:
            _release(client, keyspace(prefix) + LOCK, token)
        return True

    waiting = Retrying(retry=retry_if_result(lambda done: not done), wait=wait_fixed(poll_s),
                       stop=stop_after_delay(wait_s), retry_error_callback=lambda state: False)
    try:
        done = waiting(attempt)
    except redis.RedisError as exc:
        raise StorageError(f"cannot upgrade the Redis keys under {prefix!r}: {exc}") from exc
    if not done:
        raise StorageError(f"the Redis keys under {prefix!r} are still being upgraded by another process "
                           f"after {wait_s:.0f}s (lock {keyspace(prefix) + LOCK})")
    return sum(moved)


def release_1_keys(client: redis.Redis, prefix: str) -> list[str]:
    """Keys under ``prefix`` that release 1 wrote: not under a version, not the store client's."""
    found = []
    for key in client.scan_iter(match=_GLOB.sub(r"\\\1", prefix) + "*", count=BATCH):
        rest = key[len(prefix):]
        if not _VERSIONED.match(rest) and not rest.startswith(_UNVERSIONED):
            found.append(key)
    return sorted(found)


def _move(client: redis.Redis, prefix: str) -> int:
    space, keys = keyspace(prefix), release_1_keys(client, prefix)
    moved = kept = 0
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        pipe = client.pipeline(transaction=False)
        for key in batch:
            pipe.renamenx(key, space + key[len(prefix):])
        for key, result in zip(batch, pipe.execute(raise_on_error=False), strict=True):
            if result is True or result == 1:
                moved += 1
            elif isinstance(result, redis.ResponseError) and "no such key" in str(result).lower():
                continue  # expired since the SCAN
            elif isinstance(result, Exception):
                raise result
            else:
                kept += 1
                log.warning("storage: %s already exists under %s: the release-1 key is left as it is",
                            key[len(prefix):], space)
    log.info("storage: moved %d Redis keys of release 1 under %s (%d left: name taken)", moved, space, kept)
    return moved


_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def _release(client: redis.Redis, lock: str, token: str) -> None:
    """Let the lock go, only if it is still ours (it may have expired and been taken since)."""
    client.eval(_RELEASE, 1, lock, token)


__all__ = ["LOCK", "MARKER", "open_keyspace", "release_1_keys", "upgrade"]
