"""The bounds of one registry request: a total deadline, a size limit, abandon-on-stop.

http.client's timeout applies to each socket operation: a server that drips a byte a
second never trips it, in the headers or in the body. So each request gets a guard, a
thread that shuts the request's sockets down at its deadline or as soon as the watcher
is told to stop (a fetcher's never is). A blocking TLS handshake or read then ends at
once, and the guard replaces whatever error that gave with one that says why. (A
connect is bounded by the per-operation timeout, capped at what is left of the deadline.)
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, TypeVar

from analyzer.errors import RegistryError

MIB = 1024 * 1024
CHUNK_BYTES = 256 * 1024
GUARD_TICK_S = 0.05  # how soon a stop is noticed
C = TypeVar("C", bound=http.client.HTTPConnection)


class LimitExceeded(RegistryError):
    """An answer broke a bound: asking again at once would not help, so no retry."""


class TooLarge(LimitExceeded):
    """The answer is larger than any real registry answer of its kind."""


class Stopped(LimitExceeded):
    """The request was abandoned because the watcher is stopping."""


class RequestGuard:
    """`with RequestGuard(...)` around one request (redirects and XML-RPC included)."""

    def __init__(self, deadline_s: float, stop: threading.Event) -> None:
        self.deadline_s = deadline_s
        self.stop = stop
        self.fired: str | None = None  # "stop" | "deadline"
        self._ends = time.monotonic() + deadline_s
        self._sockets: list[socket.socket] = []  # duplicates: the originals change hands
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="http-request-guard",
                                        daemon=True)

    def __enter__(self) -> RequestGuard:
        if self.stop.is_set():
            raise Stopped("abandoned: stopping")
        self._thread.start()
        return self

    def __exit__(self, _type: type[BaseException] | None, exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()
        for sock in self._sockets:
            sock.close()
        if self.fired == "stop":
            raise Stopped("abandoned: stopping") from exc
        if self.fired == "deadline":
            raise LimitExceeded(f"no complete answer within {self.deadline_s:g} s") from exc

    def adopt(self, connection: C) -> C:
        """Route `connection`'s sockets through this guard, through the hook http.client
        itself uses to open them, so that the TLS handshake is guarded too."""
        connection._create_connection = self._connect  # type: ignore[attr-defined]
        return connection

    def _connect(self, address: tuple[str, int], timeout: Any,
                 source_address: tuple[str, int] | None = None) -> socket.socket:
        left = max(0.001, self._ends - time.monotonic())
        capped = min(timeout, left) if isinstance(timeout, int | float) else left
        sock = socket.create_connection(address, capped, source_address)
        # shutdown() acts on the socket, not the descriptor: a duplicate can end the reads
        # of the original, even once TLS has wrapped it.
        self._sockets.append(sock.dup())
        if self.fired is not None:
            _shut(self._sockets[-1])
        return sock

    def _watch(self) -> None:
        while not self._done.wait(min(GUARD_TICK_S, max(0.0, self._ends - time.monotonic()))):
            if self.stop.is_set():
                self.fired = "stop"
            elif time.monotonic() >= self._ends:
                self.fired = "deadline"
            else:
                continue
            for sock in list(self._sockets):
                _shut(sock)
            return


def read_body(response: http.client.HTTPResponse, limit: int) -> Iterator[bytes]:
    """The body in chunks; `TooLarge` as soon as it says or shows it is over `limit`."""
    declared = response.getheader("Content-Length") or ""
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(_too_large(limit))
    total = 0
    while chunk := response.read(CHUNK_BYTES):
        total += len(chunk)
        if total > limit:
            raise TooLarge(_too_large(limit))
        yield chunk


def _too_large(limit: int) -> str:
    return f"answer larger than {limit / MIB:g} MiB, the limit for one answer"


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected (any more): nothing to end
        sock.shutdown(socket.SHUT_RDWR)
