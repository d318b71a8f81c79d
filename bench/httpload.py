"""The load client: open-loop HTTP/1.1 on raw keep-alive sockets (asyncio), in a process of its own.

    python -m bench.httpload JOB.pickle     # prints one JSON object

The job holds the host, port, fully serialised requests (request line, headers, signed body:
nothing is built or signed while sending), the offered ``rate`` (requests per second; 0 = as fast
as ``connections`` keep-alive connections allow, i.e. saturation) and the number of connections.

Open loop: request *i* is due at ``start + i / rate`` whatever happened to the earlier ones, and
its latency is measured **from that due time**, so a server that falls behind shows its queueing
(no coordinated omission) as long as a connection is free; the connections are many more than the
server's threads. The answer carries every latency, the wall-clock time each request went out,
the statuses, and the client's own CPU seconds, so a report can show that the client was not the
bottleneck.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import pickle
import sys
import time
from typing import Any

from bench.rawhttp import ResponseReader


async def _connect(host: str, port: int) -> ResponseReader:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(ResponseReader, host, port)
    return protocol


async def run(job: dict[str, Any]) -> dict[str, Any]:
    """Send every request of ``job`` on its schedule; latencies and send times in request order."""
    host, port, raw = job["host"], job["port"], job["requests"]
    rate, connections = float(job.get("rate", 0)), int(job.get("connections", 32))
    latency: list[float] = [0.0] * len(raw)
    sent_at: list[float] = [0.0] * len(raw)
    statuses: collections.Counter[int] = collections.Counter()
    reconnects = 0
    pool = [await _connect(host, port) for _ in range(min(connections, len(raw)))]
    order = iter(range(len(raw)))
    start = time.perf_counter()
    wall = time.time()
    cpu = time.process_time()

    async def worker(conn: ResponseReader) -> None:
        nonlocal reconnects
        for index in order:
            due = start + index / rate if rate else time.perf_counter()
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            sent_at[index] = wall + (time.perf_counter() - start)
            for attempt in itertools.count():
                if conn.closed:  # the server closed an idle keep-alive connection
                    conn, reconnects = await _connect(host, port), reconnects + 1
                try:
                    statuses[await conn.request(raw[index])] += 1
                    break
                except ConnectionError:
                    if attempt:
                        statuses[0] += 1
                        break
            latency[index] = time.perf_counter() - due
        if conn.transport is not None:
            conn.transport.close()

    await asyncio.gather(*(worker(conn) for conn in pool))
    elapsed = time.perf_counter() - start
    return {"latency": latency, "sent_at": sent_at, "statuses": {str(k): v for k, v in statuses.items()},
            "elapsed": elapsed, "cpu": time.process_time() - cpu, "started": wall, "reconnects": reconnects,
            "rate": rate, "connections": len(pool)}


def main() -> None:
    with open(sys.argv[1], "rb") as handle:
        job = pickle.load(handle)
    print(json.dumps(asyncio.run(run(job))))


if __name__ == "__main__":
    main()
