"""HTTP for feeds: retries with exponential backoff and jitter, under per-request bounds.

Every request has a total deadline and a size limit (see bounds.py), and is abandoned
as soon as the watcher stops; a request that breaks a bound is not retried.
"""

from __future__ import annotations

import functools
import http.client
import json
import logging
import random
import ssl
import threading
import urllib.error
import urllib.request
import xml.parsers.expat
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import analyzer
from analyzer.errors import FeedError
from analyzer.feeds.bounds import MIB, LimitExceeded, RequestGuard, TooLarge, read_body

__all__ = ["HttpClient", "LimitExceeded", "Malformed", "NotFound", "RetryPolicy", "TooLarge"]
log = logging.getLogger(__name__)
T = TypeVar("T")
C = TypeVar("C", bound=http.client.HTTPConnection)
USER_AGENT = f"pkgsandbox/{analyzer.__version__} (+feed watcher)"
# The largest npm packuments are tens of MB; an answer far beyond is not a feed's.
MAX_RESPONSE_BYTES = 64 * MIB


class NotFound(FeedError):
    """The registry answered 404: the package or release does not exist (any more)."""


class Malformed(ValueError):
    """The registry answered, but not in the format it should; retried like an outage."""


# What a flaky registry, proxy or network does; anything else is a bug and propagates.
TRANSIENT = (OSError, http.client.HTTPException, json.JSONDecodeError, Malformed,
             xmlrpc.client.ProtocolError, xmlrpc.client.ResponseError, xmlrpc.client.Fault,
             xml.parsers.expat.ExpatError)


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 20.0  # each connect and each read
    deadline_s: float = 60.0  # one whole request: connect, headers, body, redirects
    max_bytes: int = MAX_RESPONSE_BYTES
    attempts: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0

    def delay(self, attempt: int) -> float:
        """Exponential in `attempt` (0-based), half of it random so that retries spread."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2.0 ** attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


class HttpClient:
    """Calls with retries, each request bounded (bounds.py); `stop` abandons the request in
    flight and cuts backoff sleeps short when the watcher shuts down."""

    def __init__(self, policy: RetryPolicy | None = None,
                 stop: threading.Event | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self.stop = stop or threading.Event()

    def retrying(self, what: str, call: Callable[[], T]) -> T:
        """`call()` until it succeeds; `FeedError` naming `what` once every attempt failed."""
        attempts = max(1, self.policy.attempts)
        for attempt in range(attempts):
            try:
                return call()
            except NotFound:
                raise
            except LimitExceeded as exc:
                raise type(exc)(f"{what}: {exc}") from exc
            except (urllib.error.HTTPError, xmlrpc.client.ProtocolError) as exc:
                code = exc.code if isinstance(exc, urllib.error.HTTPError) else exc.errcode
                problem = _describe(exc)
                if code < 500 and code not in (408, 429):  # asking again will not help
                    raise FeedError(f"{what}: {problem}") from exc
            except TRANSIENT as exc:
                problem = _describe(exc)
            if attempt + 1 == attempts or self.stop.is_set():
                tries = "1 attempt" if attempt == 0 else f"{attempt + 1} attempts"
                raise FeedError(f"{what}: {problem} (after {tries})")
            delay = self.policy.delay(attempt)
            log.warning("%s: %s; retry %d/%d in %.1f s", what, problem, attempt + 2, attempts,
                        delay)
            self.stop.wait(delay)
        raise AssertionError("unreachable")

    def get_json(self, url: str, what: str, parse: Callable[[Any], T]) -> T:
        """`parse(JSON at url)`; `parse` raises `Malformed` for a wrong shape, which is
        retried like an outage. `NotFound` on 404, `FeedError` when it stays broken."""
        return self.retrying(what, lambda: parse(self._get_json_once(url)))

    def call_xmlrpc(self, url: str, method: str, *args: Any) -> Any:
        """One XML-RPC call on its own connection, closed whatever happens, under the bounds."""
        with self._guard() as guard:
            kind = _HttpsTransport if url.startswith("https://") else _HttpTransport
            transport = kind(self.policy, guard)
            with xmlrpc.client.ServerProxy(url, transport=transport, allow_none=True) as proxy:
                return getattr(proxy, method)(*args)

    def _get_json_once(self, url: str) -> Any:
        if not url.startswith(("http://", "https://")):
            raise FeedError(f"not an http(s) URL: {url[:200]}")
        request = urllib.request.Request(  # noqa: S310 - the URL is ours, http(s) only
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        body = bytearray()
        with self._guard() as guard:
            try:
                with _opener(guard).open(request, timeout=self.policy.timeout_s) as response:
                    for chunk in read_body(response, self.policy.max_bytes):
                        body += chunk
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code == 404:
                    raise NotFound(f"not found: {url[:200]}") from exc
                raise
        return json.loads(body)

    def _guard(self) -> RequestGuard:
        return RequestGuard(self.policy.deadline_s, self.stop)


def _opener(guard: RequestGuard) -> urllib.request.OpenerDirector:
    """urllib's default opener, http(s) only, with guarded connections."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                    _HttpHandler(guard), _HttpsHandler(guard), _RedirectHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, guard: RequestGuard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, /, **kwargs: Any) -> http.client.HTTPConnection:
            return self.guard.adopt(http.client.HTTPConnection(host, **kwargs))
        return self.do_open(connection, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, guard: RequestGuard) -> None:
        super().__init__()
        self.guard = guard

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, /, **kwargs: Any) -> http.client.HTTPConnection:
            return self.guard.adopt(http.client.HTTPSConnection(host, context=_tls(), **kwargs))
        return self.do_open(connection, req)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """The stdlib's, without its unbounded read of the redirect's body."""

    max_redirections = 5

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: Any) -> Any:
        fp.close()  # the stdlib then reads b"" from it
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class _BoundedTransport(xmlrpc.client.Transport):
    """One guarded connection; answers read in chunks up to the size limit."""

    user_agent = USER_AGENT
    accept_gzip_encoding = False  # the stdlib reads a gzip answer whole before decoding

    def __init__(self, policy: RetryPolicy, guard: RequestGuard) -> None:
        super().__init__()
        self.policy = policy
        self.guard = guard

    def _bounded(self, connection: C) -> C:
        connection.timeout = self.policy.timeout_s
        return self.guard.adopt(connection)

    def single_request(self, host: Any, handler: str, request_body: Any,
                       verbose: bool = False) -> Any:
        """The stdlib's, without its unbounded read of an error answer's body."""
        try:
            response = self.send_request(host, handler, request_body, verbose).getresponse()
            if response.status != 200:
                raise xmlrpc.client.ProtocolError(f"{host}{handler}", response.status,
                                                  response.reason, dict(response.getheaders()))
            return self.parse_response(response)
        except Exception:
            self.close()  # as the stdlib: a failed connection is not reused
            raise

    def parse_response(self, response: http.client.HTTPResponse) -> Any:
        parser, unmarshaller = self.getparser()
        for chunk in read_body(response, self.policy.max_bytes):
            parser.feed(chunk)
        parser.close()
        return unmarshaller.close()


class _HttpTransport(_BoundedTransport):
    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        return self._bounded(super().make_connection(host))


class _HttpsTransport(_BoundedTransport, xmlrpc.client.SafeTransport):
    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        return self._bounded(super().make_connection(host))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return f"HTTP {exc.errcode} {exc.errmsg}"
    if isinstance(exc, xmlrpc.client.Fault):
        return f"XML-RPC fault {exc.faultCode}: {str(exc.faultString)[:200]}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, json.JSONDecodeError | xml.parsers.expat.ExpatError):
        return f"malformed response ({exc})"
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
