"""HTTP for the registries, feeds and fetches alike: one retry policy (exponential
backoff with jitter), every request under bounds (bounds.py), an optional allow-list of
hosts. A request that breaks a bound is not retried; `stop` abandons the one in flight.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import logging
import random
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.parsers.expat
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import analyzer
from analyzer.errors import RegistryError
from analyzer.httpclient.bounds import MIB, LimitExceeded, RequestGuard, read_body

log = logging.getLogger(__name__)
T = TypeVar("T")
C = TypeVar("C", bound=http.client.HTTPConnection)
USER_AGENT = f"pkgsandbox/{analyzer.__version__}"


class NotFound(RegistryError):
    """The registry answered 404: the package or release does not exist (any more)."""


class RefusedHost(RegistryError):
    """A URL (or a redirect) leads off the hosts this client may talk to."""


class Malformed(ValueError):
    """The registry answered, but not in the format it should; retried like an outage."""


# What a flaky registry, proxy or network does; anything else is a bug and propagates.
TRANSIENT = (OSError, http.client.HTTPException, json.JSONDecodeError, Malformed,
             xmlrpc.client.ProtocolError, xmlrpc.client.ResponseError, xmlrpc.client.Fault,
             xml.parsers.expat.ExpatError, UnicodeDecodeError)


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 20.0  # each connect and each read
    deadline_s: float = 60.0  # one whole JSON or XML-RPC request: connect, headers, body
    max_bytes: int = 64 * MIB  # one JSON or XML-RPC answer
    attempts: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    download_deadline_s: float = 600.0
    max_download_bytes: int = 512 * MIB

    def delay(self, attempt: int) -> float:
        """Exponential in `attempt` (0-based), half of it random so that retries spread."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2.0 ** attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


# A fetch reads one packument (the largest run past 100 MB) and downloads one artifact.
FETCH_POLICY = RetryPolicy(timeout_s=30.0, deadline_s=300.0, max_bytes=256 * MIB, attempts=3)


@dataclass(frozen=True)
class Download:
    path: Path
    size: int
    sha256: str
    sha512: bytes
    sha1: str


class HttpClient:
    """Calls with retries, each request bounded (bounds.py); `stop` abandons the request in
    flight and cuts backoff sleeps short when the watcher shuts down. With `hosts`, every
    URL and every redirect must stay on them (a registry's answer names the file URLs)."""

    def __init__(self, policy: RetryPolicy | None = None,
                 stop: threading.Event | None = None,
                 hosts: frozenset[str] | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self.stop = stop or threading.Event()
        self.hosts = hosts

    def retrying(self, what: str, call: Callable[[], T]) -> T:
        """`call()` until it succeeds; `RegistryError` naming `what` once every attempt failed."""
        attempts = max(1, self.policy.attempts)
        for attempt in range(attempts):
            try:
                return call()
            except (NotFound, RefusedHost):
                raise
            except LimitExceeded as exc:
                raise type(exc)(f"{what}: {exc}") from exc
            except (urllib.error.HTTPError, xmlrpc.client.ProtocolError) as exc:
                code = exc.code if isinstance(exc, urllib.error.HTTPError) else exc.errcode
                problem = _describe(exc)
                if code < 500 and code not in (408, 429):  # asking again will not help
                    raise RegistryError(f"{what}: {problem}") from exc
            except RecursionError:  # JSON nested past Python's stack: it will not change
                raise RegistryError(f"{what}: malformed response (nested too deep)") from None
            except TRANSIENT as exc:
                problem = _describe(exc)
            if attempt + 1 == attempts or self.stop.is_set():
                tries = "1 attempt" if attempt == 0 else f"{attempt + 1} attempts"
                raise RegistryError(f"{what}: {problem} (after {tries})")
            delay = self.policy.delay(attempt)
            log.warning("%s: %s; retry %d/%d in %.1f s", what, problem, attempt + 2, attempts,
                        delay)
            self.stop.wait(delay)
        raise AssertionError("unreachable")

    def get_json(self, url: str, what: str, parse: Callable[[Any], T] = lambda doc: doc) -> T:
        """`parse(JSON at url)`; `parse` raises `Malformed` for a wrong shape, which is
        retried like an outage. `NotFound` on 404, `RegistryError` when it stays broken."""
        return self.retrying(what, lambda: parse(json.loads(self._get_once(
            url, what, {"Accept": "application/json"}, self.policy.deadline_s,
            lambda response: b"".join(read_body(response, self.policy.max_bytes))))))

    def download(self, url: str, dest: Path, what: str) -> Download:
        """Stream `url` into `dest`, hashing as it goes; the file is removed on failure."""
        def save(response: http.client.HTTPResponse) -> Download:
            sha256, sha512, sha1 = hashlib.sha256(), hashlib.sha512(), hashlib.sha1()  # noqa: S324
            size = 0
            with dest.open("wb") as out:
                for chunk in read_body(response, self.policy.max_download_bytes):
                    size += len(chunk)
                    out.write(chunk)
                    for digest in (sha256, sha512, sha1):
                        digest.update(chunk)
            return Download(dest, size, sha256.hexdigest(), sha512.digest(), sha1.hexdigest())

        try:
            return self.retrying(what, lambda: self._get_once(
                url, what, {}, self.policy.download_deadline_s, save))
        except BaseException:
            dest.unlink(missing_ok=True)
            raise

    def call_xmlrpc(self, url: str, method: str, *args: Any) -> Any:
        """One XML-RPC call on its own connection, closed whatever happens, under the bounds."""
        self._check(url)
        with RequestGuard(self.policy.deadline_s, self.stop) as guard:
            kind = _HttpsTransport if url.startswith("https://") else _HttpTransport
            transport = kind(self.policy, guard)
            with xmlrpc.client.ServerProxy(url, transport=transport, allow_none=True) as proxy:
                return getattr(proxy, method)(*args)

    def _get_once(self, url: str, what: str, headers: dict[str, str], deadline_s: float,
                  handle: Callable[[http.client.HTTPResponse], T]) -> T:
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked by _check
            self._check(url), headers={"User-Agent": USER_AGENT, **headers})
        with RequestGuard(deadline_s, self.stop) as guard:
            try:
                with _opener(guard, self._check).open(request, timeout=self.policy.timeout_s) \
                        as response:
                    return handle(response)
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code == 404:
                    raise NotFound(f"{what}: not found (HTTP 404)") from None
                raise

    def _check(self, url: str) -> str:
        """`url` if it is http(s), on an allowed host when there is a list; else refused."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise RefusedHost(f"refusing {url[:200]!r}: not an http(s) URL")
        if self.hosts is not None and parts.hostname not in self.hosts:
            raise RefusedHost(f"refusing {url[:200]!r}: not an allowed registry host")
        return url


def _opener(guard: RequestGuard, check: Callable[[str], str]) -> urllib.request.OpenerDirector:
    """urllib's default opener, http(s) only, with guarded connections and checked redirects."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                    _HttpHandler(guard), _HttpsHandler(guard), _RedirectHandler(check),
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
    """The stdlib's, without its unbounded read of the redirect's body, and only to a URL
    the client may fetch (PyPI redirects a misspelt name; a mirror could redirect anywhere)."""

    max_redirections = 5

    def __init__(self, check: Callable[[str], str]) -> None:
        super().__init__()
        self.check = check

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: http.client.HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        self.check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

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
    if isinstance(exc, json.JSONDecodeError | xml.parsers.expat.ExpatError | UnicodeDecodeError):
        return f"malformed response ({exc})"
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
