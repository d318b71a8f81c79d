"""The load client's ceiling: a raw asyncio HTTP/1.1 server that answers every request 200 at once.

    python -m bench.trivial_server    # prints its port, then serves until killed
"""

from __future__ import annotations

import asyncio

from bench.rawhttp import serve


def main() -> None:
    asyncio.run(serve(lambda method, path, body: (200, b"EVENT_RECEIVED"), ready=lambda port: print(port, flush=True)))


if __name__ == "__main__":
    main()
