"""The npm feed against a local CouchDB `_changes` feed and packuments, faults included."""

from __future__ import annotations

import logging
import time

import pytest

from analyzer.errors import RegistryError
from analyzer.feeds.interface import Cursor
from analyzer.feeds.npm import NpmFeed, seq_number
from analyzer.httpclient import HttpClient
from analyzer.models import Ecosystem
from tests.feeds.conftest import nothing_known
from tests.feeds.fake_registry import FakeRegistry


def _feed(registry: FakeRegistry, client: HttpClient, batch_size: int = 100) -> NpmFeed:
    return NpmFeed(registry.npm_registry_url, registry.npm_changes_url, client, batch_size)


def test_new_versions_come_from_the_packument(registry: FakeRegistry,
                                              client: HttpClient) -> None:
    registry.publish_npm("left-pad", "1.0.0", when=time.time() - 10)
    registry.publish_npm("left-pad", "1.0.1", scripts={"postinstall": "node x.js"})
    registry.publish_npm("@scope/tool", "2.0.0", scripts={"test": "jest"})
    batch = _feed(registry, client).read(Cursor("0", None), nothing_known)
    assert batch.caught_up and batch.position == "3"
    found = {(r.name, r.version): r for r in batch.releases}
    assert set(found) == {("left-pad", "1.0.0"), ("left-pad", "1.0.1"), ("@scope/tool", "2.0.0")}
    assert found["left-pad", "1.0.0"].first_release and not found["left-pad", "1.0.1"].first_release
    assert found["left-pad", "1.0.1"].install_hooks
    assert not found["@scope/tool", "2.0.0"].install_hooks  # `test` never runs at install
    assert found["@scope/tool", "2.0.0"].files[0].filename == "tool-2.0.0.tgz"
    assert all(r.ecosystem is Ecosystem.NPM and r.published_at for r in batch.releases)


def test_only_versions_not_seen_and_not_older_than_the_origin(
        registry: FakeRegistry, client: HttpClient) -> None:
    registry.publish_npm("pkg", "0.9.0", when=1_000_000)
    registry.publish_npm("pkg", "1.0.0")
    registry.publish_npm("pkg", "1.1.0")

    def known(_ecosystem: Ecosystem, name: str) -> frozenset[str]:
        return frozenset({"1.0.0"})

    batch = _feed(registry, client).read(Cursor("0", time.time() - 60), known)
    assert [r.version for r in batch.releases] == ["1.1.0"]


def test_string_sequences_are_passed_back_verbatim(registry: FakeRegistry,
                                                   client: HttpClient) -> None:
    registry.string_seqs = True
    registry.publish_npm("a", "1.0.0")
    registry.publish_npm("b", "1.0.0")
    feed = _feed(registry, client, batch_size=1)
    first = feed.read(Cursor("0", None), nothing_known)
    assert first.position.startswith("1-g1AAAA") and not first.caught_up
    second = feed.read(Cursor(first.position, None), nothing_known)
    assert [r.name for r in second.releases] == ["b"] and second.position.startswith("2-")
    assert feed.current_position().startswith("2-")
    assert seq_number(second.position) == 2 and seq_number("opaque") is None


@pytest.mark.parametrize("route", ["changes", "packument"])
@pytest.mark.parametrize("fault", ["500", "timeout", "malformed"])
def test_faults_are_logged_and_retried(registry: FakeRegistry, client: HttpClient,
                                       caplog: pytest.LogCaptureFixture, route: str,
                                       fault: str) -> None:
    registry.publish_npm("pkg", "1.0.0")
    registry.fail(route, fault)
    with caplog.at_level(logging.WARNING):
        batch = _feed(registry, client).read(Cursor("0", None), nothing_known)
    assert [r.version for r in batch.releases] == ["1.0.0"]
    assert "retry 2/3" in caplog.text


def test_a_feed_that_stays_down_raises_and_keeps_its_position(
        registry: FakeRegistry, client: HttpClient) -> None:
    registry.publish_npm("pkg", "1.0.0")
    registry.fail("packument", "500", "timeout", "malformed")
    with pytest.raises(RegistryError, match="npm packument pkg: malformed response"):
        _feed(registry, client).read(Cursor("0", None), nothing_known)
    assert _feed(registry, client).read(Cursor("0", None), nothing_known).releases


def test_a_replication_reset_replays_from_zero(registry: FakeRegistry, client: HttpClient,
                                               caplog: pytest.LogCaptureFixture) -> None:
    for index in range(5):
        registry.publish_npm(f"p{index}", "1.0.0")
    registry.reset_npm()
    registry.doc_seq = {"p4": 1}
    registry.seq = 1
    batch = _feed(registry, client).read(Cursor("5", None), nothing_known)
    assert batch.position == "0" and not batch.caught_up
    assert "last_seq 1 is below our cursor 5" in caplog.text


def test_deleted_design_and_unpublished_documents_yield_nothing(
        registry: FakeRegistry, client: HttpClient, caplog: pytest.LogCaptureFixture) -> None:
    registry.publish_npm("gone", "1.0.0")
    del registry.packuments["gone"]
    registry.doc_seq["_design/app"] = 99
    registry.doc_seq["Bad Name"] = 100
    batch = _feed(registry, client).read(Cursor("0", None), nothing_known)
    assert batch.releases == () and batch.position == "100"
    assert "invalid package name" in caplog.text
