"""A local stand-in for the Graph API, for end-to-end tests and benchmarks under real gunicorn.

It answers every Send API call as Meta would (a message id, on a kept-alive connection), records
each call with the time it arrived, can ``hold`` message sends (a worker killed mid-send never hears
back) and answer them ``late_s`` seconds late (a slow API: the message is recorded, i.e. sent,
before the late answer).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def recipient_of(body: dict) -> str:
    """The customer a Send API body is for (Messenger ``recipient.id``, WhatsApp ``to``/``recipient``)."""
    recipient = body.get("recipient")
    return body.get("to") or (recipient.get("id") if isinstance(recipient, dict) else recipient) or ""


def is_message(body: dict) -> bool:
    """A customer-visible message, not a typing indicator or a read mark."""
    return "message" in body or (bool(body.get("type")) and body.get("status") != "read")


class FakeGraph:
    """Records Send API calls; ``hold`` makes message sends wait until ``release``; ``late_s`` delays answers."""

    def __init__(self, late_s: float = 0.0) -> None:
        self.late_s = late_s
        self.calls: list[dict] = []
        self.changed = threading.Condition()
        self.hold = threading.Event()
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Meta's servers: a pooled client reuses its connections
            disable_nagle_algorithm = True  # the body is not held back behind the headers' segment (40 ms)

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                if fake.hold.is_set() and is_message(body):
                    fake.arrived.set()
                    fake.release.wait(30)
                    return  # the worker was killed meanwhile: nobody reads this answer
                number = fake._record(self.path, body, self.headers.get("Authorization"))
                if fake.late_s and is_message(body):
                    fake.release.wait(fake.late_s)  # Meta sent it; the answer comes late
                answer = ({"messages": [{"id": f"wamid.fake{number}"}]} if "messaging_product" in body
                          else {"recipient_id": recipient_of(body), "message_id": f"m_fake{number}"})
                data = json.dumps(answer).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client stopped waiting (its read timeout): nobody reads this answer

            def log_message(self, *args) -> None:
                pass

        return Handler

    def _record(self, path: str, body: dict, auth: str | None) -> int:
        with self.changed:
            self.calls.append({"path": path, "body": body, "auth": auth, "at": time.time()})
            self.changed.notify_all()
            return len(self.calls)

    def messages_to(self, customer: str) -> list[dict]:
        """Calls that carried a message to ``customer``, in arrival order."""
        with self.changed:
            return [call for call in self.calls if recipient_of(call["body"]) == customer and is_message(call["body"])]

    def wait_for(self, customer: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
        """The messages to ``customer`` once there are ``count`` of them (or what came by ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            self.changed.wait_for(lambda: len(self._messages_locked(customer)) >= count or time.monotonic() > deadline,
                                  timeout)
        return self.messages_to(customer)

    def _messages_locked(self, customer: str) -> list[dict]:
        return [call for call in self.calls if recipient_of(call["body"]) == customer and is_message(call["body"])]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
