"""Fakes for the feed tests: a local registry speaking PyPI's and npm's formats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from analyzer.httpclient import HttpClient, RetryPolicy
from analyzer.models import Ecosystem
from tests.feeds.fake_registry import FakeRegistry

# Short enough that a stalled answer costs a fraction of a second, with room for a slow CI.
FAST = RetryPolicy(timeout_s=0.5, attempts=3, backoff_s=0.01, max_backoff_s=0.05)


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    fake = FakeRegistry(stall_s=0.8).start()
    yield fake
    fake.close()


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(FAST)


def nothing_known(_ecosystem: Ecosystem, _name: str) -> frozenset[str]:
    return frozenset()
