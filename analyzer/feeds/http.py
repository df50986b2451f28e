"""HTTP for feeds: timeouts, retries with exponential backoff and jitter, size limits."""

from __future__ import annotations

import http.client
import json
import logging
import random
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

log = logging.getLogger(__name__)
T = TypeVar("T")
USER_AGENT = f"pkgsandbox/{analyzer.__version__} (+feed watcher)"
# The largest npm packuments are tens of MB; anything far beyond is not a packument.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024


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
    timeout_s: float = 20.0
    attempts: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0

    def delay(self, attempt: int) -> float:
        """Exponential in `attempt` (0-based), half of it random so that retries spread."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2.0 ** attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


class HttpClient:
    """Calls with retries; `stop` cuts backoff sleeps short when the watcher shuts down."""

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

    def _get_json_once(self, url: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the URL is ours, http(s) only
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        if not url.startswith(("http://", "https://")):
            raise FeedError(f"not an http(s) URL: {url[:200]}")
        try:
            with urllib.request.urlopen(  # noqa: S310
                    request, timeout=self.policy.timeout_s) as response:
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotFound(f"not found: {url[:200]}") from exc
            raise
        if len(body) > MAX_RESPONSE_BYTES:
            raise Malformed(f"response larger than {MAX_RESPONSE_BYTES} bytes")
        return json.loads(body)

    def xmlrpc(self, url: str) -> xmlrpc.client.ServerProxy:
        """A proxy whose every call times out after the policy's timeout."""
        transport = (_SafeTimeoutTransport if url.startswith("https://")
                     else _TimeoutTransport)(self.policy.timeout_s)
        return xmlrpc.client.ServerProxy(url, transport=transport, allow_none=True)


class _TimeoutTransport(xmlrpc.client.Transport):
    user_agent = USER_AGENT

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout_s
        return connection


class _SafeTimeoutTransport(xmlrpc.client.SafeTransport):
    user_agent = USER_AGENT

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout_s
        return connection


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
