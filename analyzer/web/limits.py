"""The review server's bounds: how many connections, and how long a request may take.

http.server gives every connection a thread for as long as the client likes, and its
socket timeout applies to each recv: a client that sends a header byte a second
(slowloris) holds its thread for ever. Here connections beyond the limit are answered
503 at once by the accepting thread, and a request must arrive whole within its deadline.
"""

from __future__ import annotations

import contextlib
import io
import math
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from analyzer.web.page_size import MAX_PAGE_JSON_BYTES

if TYPE_CHECKING:
    from socketserver import _RequestType

BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Retry-After: 2\r\nConnection: close\r\nContent-Length: 33\r\n\r\n"
        b"too many connections; try again\r\n")


@dataclass(frozen=True)
class ServerLimits:
    max_connections: int = 32  # a thread each; beyond, 503 at once
    request_deadline_s: float = 10.0  # request line, headers and body, all of it
    send_timeout_s: float = 60.0  # writing one response
    max_page_json_bytes: int = MAX_PAGE_JSON_BYTES  # larger results are cut for their page
    large_results_at_once: int = 1  # larger results parsed at a time (memory)


DEFAULT_LIMITS = ServerLimits()


class BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most `limits.max_connections` of them."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 limits: ServerLimits) -> None:
        self.limits = limits
        self._slots = threading.BoundedSemaphore(limits.max_connections)
        super().__init__(address, handler)

    def process_request(self, request: _RequestType, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()  # no thread started: nobody else will
            raise

    def process_request_thread(self, request: _RequestType, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: _RequestType) -> None:
        """503 without waiting for anything: this runs in the accepting thread."""
        if isinstance(request, socket.socket):
            with contextlib.suppress(OSError):
                request.settimeout(0)
                # What already arrived is read first: closing on unread data resets the
                # connection, and the client might lose the answer.
                with contextlib.suppress(BlockingIOError):
                    request.recv(65536)
                request.sendall(BUSY)
        self.shutdown_request(request)


class _RequestReader(io.RawIOBase):
    """The socket under one deadline for a whole request, not one per recv."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline = math.inf

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class BoundedHandler(BaseHTTPRequestHandler):
    """Reads each request under the server's deadline; http.server drops the connection
    on the TimeoutError."""

    server: BoundedServer

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self._reader = _RequestReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        # Waiting for the next request on a kept-alive connection counts too.
        self._reader.deadline = time.monotonic() + self.server.limits.request_deadline_s
        super().handle_one_request()

    def end_headers(self) -> None:
        self.connection.settimeout(self.server.limits.send_timeout_s)
        super().end_headers()
