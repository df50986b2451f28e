"""A hostile feed on 127.0.0.1: every answer drips a byte at a time, or never ends.

Modes:
- `drip-body`: a 200 with a Content-Length, then the JSON body one space per `interval_s`;
- `drip-headers`: the status line, then one header byte per `interval_s`;
- `declared-huge`: a 200 that announces 10 GiB and sends nothing more;
- `flood`: a 200 without a length, then an XML-RPC string value as fast as the client reads.
Each answer gives up after `max_s`, so a client without bounds fails a test, not hangs it.
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
import time
from typing import Any

MODES = ("drip-body", "drip-headers", "declared-huge", "flood")
FLOOD_CHUNK = b"a" * 65536


class SlowServer:
    def __init__(self, mode: str, interval_s: float = 0.1, max_s: float = 8.0,
                 flood_bytes: int = 128 * 1024 * 1024) -> None:
        assert mode in MODES
        self.mode, self.interval_s, self.max_s = mode, interval_s, max_s
        self.flood_bytes = flood_bytes
        self.requests = 0
        self.sent = 0
        self.asked = threading.Event()  # set when the first request has arrived
        self.closing = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    def start(self) -> SlowServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, send: Any) -> None:
        ends = time.monotonic() + self.max_s
        if self.mode == "declared-huge":
            send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 10737418240\r\n\r\n")
            self.closing.wait(self.max_s)
        elif self.mode == "flood":
            send(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n"
                 b"<?xml version='1.0'?><methodResponse><params><param><value><string>")
            while self.sent < self.flood_bytes and time.monotonic() < ends:
                send(FLOOD_CHUNK)
        else:
            head = b"HTTP/1.1 200 OK\r\n"
            if self.mode == "drip-body":
                head += b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n["
            send(head)
            drip = b" " if self.mode == "drip-body" else b"a"
            while time.monotonic() < ends and not self.closing.wait(self.interval_s):
                send(drip)


def _handler(server: SlowServer) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            length = 0
            while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.rfile.read(length)
            server.requests += 1
            server.asked.set()
            with contextlib.suppress(OSError):  # the client gave up, as a bounded one does
                server.answer(self.send)

        def send(self, data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()
            server.sent += len(data)

    return Handler
