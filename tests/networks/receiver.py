"""A webhook receiver on 127.0.0.1 for tests: records every request; can fail the first N (503) or
answer anything (`status`, `answer_headers`, `answer_body`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    fail_next: int = 0
    accepted: list[Received] = field(default_factory=list)
    status: int = 204  # the answer when not failing
    answer_headers: dict[str, str] = field(default_factory=dict)
    answer_body: bytes = b""


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received = Received({k.lower(): v for k, v in self.headers.items()},
                                self.rfile.read(length))
            with lock:
                state.requests.append(received)
                failing = state.fail_next > 0
                if failing:
                    state.fail_next -= 1
                elif 200 <= state.status < 300:
                    state.accepted.append(received)
            self.send_response(503 if failing else state.status)
            body = b"" if failing else state.answer_body
            for name, value in ({} if failing else state.answer_headers).items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
