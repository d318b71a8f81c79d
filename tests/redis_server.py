"""A throwaway redis-server for the tests (Debian's ``redis-server``; `.ci/run` installs it)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """redis-server on a free loopback port, without persistence, for one test session."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed: `apt-get install redis-server` (make test does it as root)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="dukkan-redis-")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        for line in self.process.stdout:  # redis-server says when it accepts connections
            if "Ready to accept connections" in line:
                break
        else:
            self.stop()
            raise RuntimeError("redis-server did not start")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # keep its log flowing
        redis.Redis.from_url(self.url).ping()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
