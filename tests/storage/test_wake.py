"""Waking worker processes (:mod:`bot.storage.wake`): a FIFO byte on one host, the Redis stream across hosts."""

from __future__ import annotations

import os
import threading
import uuid

import redis

from bot.storage.wake import FifoSignal, fifo_path, listen_fifo, listen_redis

DEADLINE_S = 10.0


def test_signalling_with_nobody_listening_does_nothing(tmp_path) -> None:
    path = fifo_path(str(tmp_path / "d.sqlite3"))
    signal = FifoSignal(path)
    signal()                     # no FIFO at all
    os.mkfifo(path)
    signal()                     # a FIFO without a reader (no worker process)
    assert signal._fd is None


def test_a_byte_in_the_fifo_wakes_the_listening_worker_process(tmp_path) -> None:
    path = fifo_path(str(tmp_path / "d.sqlite3"))
    woken, stop = threading.Event(), threading.Event()
    thread = listen_fifo(path, woken.set, stop)
    assert thread is not None
    try:
        FifoSignal(path)()
        assert woken.wait(DEADLINE_S), "the listener was not woken"
    finally:
        stop.set()
        FifoSignal(path)()       # lets the listener see the stop
        thread.join(DEADLINE_S)
    assert not thread.is_alive()


def test_a_path_that_is_not_a_fifo_leaves_the_workers_polling(tmp_path) -> None:
    path = tmp_path / "plain-file"
    path.write_text("")
    assert listen_fifo(str(path), lambda: None, threading.Event()) is None


def test_a_new_stream_entry_wakes_a_worker_on_another_host(redis_url) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=10)
    stream = f"t{uuid.uuid4().hex[:12]}:stream"
    woken, stop = threading.Event(), threading.Event()
    thread = listen_redis(client, stream, woken.set, stop)
    try:
        for _ in range(int(DEADLINE_S / 0.05)):  # the listener's first XREAD starts at "$": add until it sees one
            client.xadd(stream, {"customer": "messenger:psid"})
            if woken.wait(0.05):
                break
        assert woken.is_set()
    finally:
        stop.set()
        thread.join(DEADLINE_S)
        client.delete(stream)


def test_a_failed_open_is_not_tried_again_at_once_but_a_new_reader_is_found_later(tmp_path, monkeypatch) -> None:
    """A web process with no worker listening pays one failed open per NO_READER_RETRY_S, not one
    per delivery; once that passes, a worker process that started listening is woken."""
    import time

    from bot.storage import wake

    path = fifo_path(str(tmp_path / "d.sqlite3"))
    os.mkfifo(path)
    signal = FifoSignal(path)
    opens = []
    real_open = os.open
    monkeypatch.setattr(wake.os, "open", lambda *args: opens.append(args) or real_open(*args))
    signal()
    signal()
    assert len(opens) == 1 and signal._fd is None
    woken, stop = threading.Event(), threading.Event()
    thread = listen_fifo(path, woken.set, stop)
    assert thread is not None
    try:
        signal._no_reader.expire(time.monotonic() + wake.NO_READER_RETRY_S + 1)  # the window has passed
        signal()
        assert woken.wait(DEADLINE_S), "the listener was not woken"
        assert signal._fd is not None
    finally:
        stop.set()
        FifoSignal(path)()
        thread.join(DEADLINE_S)
