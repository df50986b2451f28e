"""Retries, backoff and the errors the feeds' HTTP client gives."""

from __future__ import annotations

import threading

import pytest

from analyzer.errors import FeedError
from analyzer.feeds.http import HttpClient, Malformed, NotFound, RetryPolicy
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
    with pytest.raises(FeedError, match="not an http"):
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
    with pytest.raises(FeedError, match=r"^npm _changes: abandoned: stopping$"):
        client.get_json(f"{registry.npm_changes_url}/_changes", "npm _changes", lambda d: d)
    assert registry.hits["changes"] == 0
