"""Every feed request has a total deadline, a size limit, and ends when the watcher stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.feeds.interface import Cursor
from analyzer.feeds.npm import NpmFeed
from analyzer.feeds.pypi import PypiFeed
from analyzer.httpclient import MIB, HttpClient, LimitExceeded, RetryPolicy, Stopped, TooLarge
from tests.feeds.conftest import nothing_known
from tests.feeds.fake_registry import FakeRegistry
from tests.feeds.slow_server import SlowServer

# Each read arrives well inside the per-read timeout: only a total deadline can end it.
BOUNDED = RetryPolicy(timeout_s=0.5, deadline_s=1.0, max_bytes=1 * MIB, attempts=3,
                      backoff_s=0.01, max_backoff_s=0.05)


@pytest.fixture
def slow(request: pytest.FixtureRequest) -> Iterator[SlowServer]:
    server = SlowServer(request.param).start()
    yield server
    server.close()


def _changes(client: HttpClient, server: SlowServer) -> object:
    return client.get_json(f"{server.url}/npm-changes/_changes", "npm _changes", lambda d: d)


@pytest.mark.parametrize("slow", ["drip-body", "drip-headers"], indirect=True)
def test_a_dripping_answer_ends_at_the_deadline_and_is_not_retried(slow: SlowServer) -> None:
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match=r"^npm _changes: no complete answer within 1 s$"):
        _changes(HttpClient(BOUNDED), slow)
    assert time.monotonic() - started < 2.0
    assert slow.requests == 1


@pytest.mark.parametrize("slow", ["drip-body"], indirect=True)
def test_a_dripping_xmlrpc_answer_ends_at_the_deadline(slow: SlowServer) -> None:
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match=r"^pypi changelog_last_serial: no complete answer"):
        PypiFeed(slow.url, HttpClient(BOUNDED)).current_position()
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("slow", ["drip-headers"], indirect=True)
def test_stopping_abandons_a_request_in_flight_at_once(slow: SlowServer) -> None:
    stop = threading.Event()
    client = HttpClient(RetryPolicy(timeout_s=5.0, deadline_s=30.0), stop)
    threading.Thread(target=lambda: (slow.asked.wait(5), stop.set()), daemon=True).start()
    started = time.monotonic()
    with pytest.raises(Stopped, match=r"^npm _changes: abandoned: stopping$"):
        _changes(client, slow)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("slow", ["declared-huge"], indirect=True)
def test_an_announced_huge_answer_is_refused_before_reading_it(slow: SlowServer) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge, match=r"^npm _changes: answer larger than 1 MiB"):
        _changes(HttpClient(BOUNDED), slow)
    assert time.monotonic() - started < 0.5 and slow.requests == 1


@pytest.mark.parametrize("slow", ["flood"], indirect=True)
def test_an_endless_xmlrpc_answer_stops_at_the_size_limit(slow: SlowServer) -> None:
    policy = RetryPolicy(timeout_s=2.0, deadline_s=20.0, max_bytes=1 * MIB)
    with pytest.raises(TooLarge, match=r"^pypi changelog_last_serial: answer larger than 1 MiB"):
        PypiFeed(slow.url, HttpClient(policy)).current_position()
    assert slow.requests == 1
    time.sleep(0.2)
    assert slow.sent < 16 * MIB  # read to the limit, not to the 128 MiB the server offers


def test_a_packument_too_large_to_read_is_skipped_not_retried_for_ever(
        registry: FakeRegistry) -> None:
    registry.publish_npm("small", "1.0.0")
    registry.publish_npm("huge", "1.0.0")
    registry.packuments["huge"]["readme"] = "x" * (2 * MIB)
    feed = NpmFeed(registry.npm_registry_url, registry.npm_changes_url, HttpClient(BOUNDED))
    batch = feed.read(Cursor("0", None), nothing_known)
    assert [r.name for r in batch.releases] == ["small"]
    assert batch.position == "2" and batch.gap == "packuments too large to read, skipped: huge"
    assert registry.hits["packument"] == 2  # each asked once


@pytest.mark.parametrize("slow", ["drip-body", "declared-huge"], indirect=True)
def test_a_download_is_bounded_like_a_feed_answer_and_leaves_no_file(
        slow: SlowServer, tmp_path: Path) -> None:
    # The fetchers use the same client: an artifact that drips, or says it is 10 GiB,
    # ends at its own deadline or size limit, once, and the partial file is gone.
    policy = RetryPolicy(timeout_s=0.5, download_deadline_s=1.0, max_download_bytes=1 * MIB,
                         attempts=3, backoff_s=0.01)
    dest = tmp_path / "demo-1.0.tgz"
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match=r"^demo-1\.0\.tgz: (no complete answer within 1 s"
                                            r"|answer larger than 1 MiB)"):
        HttpClient(policy, hosts=frozenset({"127.0.0.1"})).download(
            f"{slow.url}/demo-1.0.tgz", dest, "demo-1.0.tgz")
    assert time.monotonic() - started < 2.0
    assert slow.requests == 1 and not dest.exists()
