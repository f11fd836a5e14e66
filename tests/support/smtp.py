"""A tiny SMTP server on 127.0.0.1 that keeps what it receives, for testing real delivery."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    messages: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _send(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self._send("220 test SMTP ready")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self._send("250 test")
            elif verb == "MAIL":
                self._send("250 OK")
            elif verb == "RCPT":
                self.server.received.recipients.append(command.split(":", 1)[1].strip(" <>"))
                self._send("250 OK")
            elif verb == "DATA":
                self._send("354 go ahead")
                lines = []
                while (line := self.rfile.readline().decode(errors="replace")) not in {".\r\n", ""}:
                    lines.append(line)
                self.server.received.messages.append("".join(lines))
                self._send("250 queued")
            elif verb == "QUIT":
                self._send("221 bye")
                return
            else:
                self._send("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    received: Received


class SmtpServer:
    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.received = Received()
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def received(self) -> Received:
        return self.server.received

    def __enter__(self) -> SmtpServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
