"""HTTP for the registries: timeouts, retries, size caps and an allow-list of hosts."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from analyzer import __version__
from analyzer.errors import FetchError

_CHUNK = 64 * 1024
_T = TypeVar("_T")


class NotFoundError(FetchError):
    """The registry answered 404: no such package or version."""


@dataclass(frozen=True)
class HttpPolicy:
    timeout_s: float = 30.0
    retries: int = 2
    backoff_s: float = 1.0
    max_json_bytes: int = 256 << 20  # big npm packuments run to 100+ MB
    max_download_bytes: int = 512 << 20


@dataclass(frozen=True)
class Download:
    path: Path
    size: int
    sha256: str
    sha512: bytes
    sha1: str


class _SameHostsRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to hosts we were allowed to talk to (PyPI redirects bad names)."""

    def __init__(self, hosts: frozenset[str]) -> None:
        self.hosts = hosts

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
        headers: http.client.HTTPMessage, newurl: str,
    ) -> urllib.request.Request | None:
        check_url(newurl, self.hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_url(url: str, hosts: frozenset[str]) -> str:
    """`url` if it is http(s) on an allowed host; a `FetchError` otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in hosts:
        raise FetchError(f"refusing to download from {url[:200]!r}: not an allowed registry host")
    return url


class HttpClient:
    """A client bound to the registry hosts it may contact."""

    def __init__(self, hosts: frozenset[str], policy: HttpPolicy | None = None) -> None:
        self.hosts = hosts
        self.policy = policy or HttpPolicy()
        # No ProxyHandler from the environment surprises, no file:// or ftp:// handlers.
        self._opener = urllib.request.OpenerDirector()
        r = urllib.request
        for handler in (r.HTTPHandler(), r.HTTPSHandler(), r.HTTPErrorProcessor(),
                        r.HTTPDefaultErrorHandler(), _SameHostsRedirect(hosts)):
            self._opener.add_handler(handler)

    def get_json(self, url: str, what: str) -> Any:
        """The decoded JSON at `url`; `what` names it in error messages."""
        body = self._with_retries(url, what, lambda resp: _read_capped(
            resp, self.policy.max_json_bytes, what), {"Accept": "application/json"})
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise FetchError(f"{what}: the registry sent invalid JSON") from None

    def download(self, url: str, dest: Path, what: str) -> Download:
        """Stream `url` into `dest`, hashing as it goes; the file is removed on failure."""
        def save(resp: IO[bytes]) -> Download:
            sha256, sha512, sha1 = hashlib.sha256(), hashlib.sha512(), hashlib.sha1()  # noqa: S324
            size = 0
            with dest.open("wb") as out:
                while chunk := resp.read(_CHUNK):
                    size += len(chunk)
                    if size > self.policy.max_download_bytes:
                        raise FetchError(f"{what}: download larger than"
                                         f" {self.policy.max_download_bytes} bytes")
                    out.write(chunk)
                    for h in (sha256, sha512, sha1):
                        h.update(chunk)
            return Download(dest, size, sha256.hexdigest(), sha512.digest(), sha1.hexdigest())

        try:
            return self._with_retries(url, what, save, {})
        except BaseException:
            dest.unlink(missing_ok=True)
            raise

    def _with_retries(
        self, url: str, what: str, handle: Callable[[IO[bytes]], _T], headers: dict[str, str]
    ) -> _T:
        check_url(url, self.hosts)
        request = urllib.request.Request(  # noqa: S310 - scheme checked by check_url
            url, headers={"User-Agent": f"pkgsandbox/{__version__}", **headers})
        last = ""
        for attempt in range(self.policy.retries + 1):
            if attempt:
                time.sleep(self.policy.backoff_s * attempt)
            try:
                with self._opener.open(request, timeout=self.policy.timeout_s) as resp:
                    return handle(resp)
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code == 404:
                    raise NotFoundError(f"{what}: not found (HTTP 404)") from None
                last = f"HTTP {exc.code}"
                if exc.code < 500 and exc.code != 429:
                    break  # a client error will not improve on retry
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError,
                    ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                last = " ".join(str(reason).split()) or type(exc).__name__
        raise FetchError(f"{what}: request to {url[:200]} failed ({last})")


def _read_capped(resp: IO[bytes], limit: int, what: str) -> bytes:
    body = resp.read(limit + 1)
    if len(body) > limit:
        raise FetchError(f"{what}: response larger than {limit} bytes")
    return body
