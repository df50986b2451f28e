"""Retries, backoff and the errors of the one HTTP client (feeds and fetchers)."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Callable, Iterator

import pytest

from analyzer.errors import RegistryError
from analyzer.httpclient import HttpClient, Malformed, NotFound, RefusedHost, RetryPolicy
from tests.feeds.conftest import FAST
from tests.feeds.fake_registry import FakeRegistry


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(backoff_s=1.0, max_backoff_s=8.0)
    for attempt, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (6, 8.0)]:
        delays = {policy.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


def test_client_errors_are_not_retried_and_404_is_its_own_error(
        registry: FakeRegistry, client: HttpClient) -> None:
    with pytest.raises(NotFound):
        client.get_json(f"{registry.url}/npm/nope", "npm packument nope", lambda d: d)
    assert registry.hits["packument"] == 1  # asked once: a 404 is an answer, not an outage
    with pytest.raises(RegistryError, match="not an http"):
        client.get_json("file:///etc/passwd", "x", lambda d: d)


def test_a_wrong_shape_is_retried_like_an_outage(client: HttpClient) -> None:
    calls = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) < 3:
            raise Malformed("no `results`")
        return 7

    assert client.retrying("thing", flaky) == 7 and len(calls) == 3


def test_stopping_cuts_the_retries_short(registry: FakeRegistry) -> None:
    stop = threading.Event()
    stop.set()
    registry.fail("changes", "500", "500")
    client = HttpClient(FAST, stop)
    # Once the watcher is stopping, no request starts: not even a first attempt.
    with pytest.raises(RegistryError, match=r"^npm _changes: abandoned: stopping$"):
        client.get_json(f"{registry.npm_changes_url}/_changes", "npm _changes", lambda d: d)
    assert registry.hits["changes"] == 0


@contextlib.contextmanager
def _serving(answer: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose every GET is `answer(handler)`; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            answer(self)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_json_nested_past_the_stack_is_one_error_not_retried() -> None:
    # `json.loads` of a million brackets raises RecursionError: a registry answer that
    # will not change, so one line and no retry, whoever asked (feed or fetcher).
    hits: list[str] = []

    def deep(handler: http.server.BaseHTTPRequestHandler) -> None:
        hits.append(handler.path)
        body = b"[" * 1_000_000 + b"]" * 1_000_000
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    with _serving(deep) as url, pytest.raises(
            RegistryError, match=r"^npm demo: malformed response \(nested too deep\)$"):
        HttpClient(FAST).get_json(f"{url}/demo", "npm demo")
    assert hits == ["/demo"]


def test_a_redirect_off_the_allowed_hosts_is_refused() -> None:
    # PyPI redirects a misspelt name; a mirror must not send a fetcher anywhere else.
    def elsewhere(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "http://evil.example/demo-1.0.tar.gz")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with _serving(elsewhere) as url, pytest.raises(
            RefusedHost, match=r"'http://evil\.example/demo-1\.0\.tar\.gz': not an allowed"):
        HttpClient(FAST, hosts=frozenset({"127.0.0.1"})).get_json(f"{url}/pypi/demo/json", "x")
