"""The PyPI feed against a local XML-RPC changelog and JSON API, faults included."""

from __future__ import annotations

import logging
import time

import pytest

from analyzer.errors import FeedError, RegistryError
from analyzer.feeds.interface import Cursor
from analyzer.feeds.pypi import PypiFeed
from analyzer.httpclient import HttpClient
from analyzer.models import Ecosystem
from tests.feeds.conftest import nothing_known
from tests.feeds.fake_registry import FakeRegistry


def test_releases_are_grouped_per_version_with_files_and_signals(
        registry: FakeRegistry, client: HttpClient) -> None:
    registry.publish_pypi("Brand-New", "0.1", kinds=("sdist",), new_project=True)
    registry.publish_pypi("requests2", "1.0", kinds=("sdist", "wheel"))
    batch = PypiFeed(registry.url, client).read(Cursor("0", None), nothing_known)
    assert batch.caught_up and batch.gap is None
    assert batch.position == str(len(registry.journal))
    first, second = batch.releases
    assert (first.name, first.version, first.ecosystem) == ("Brand-New", "0.1", Ecosystem.PYPI)
    assert first.first_release and first.install_hooks  # sdist only: setup.py runs
    assert [f.kind for f in first.files] == ["sdist"] and first.files[0].sha256
    assert not second.first_release and not second.install_hooks
    assert sorted(f.kind for f in second.files) == ["sdist", "wheel"]


def test_known_versions_old_entries_and_invalid_names_are_left_out(
        registry: FakeRegistry, client: HttpClient, caplog: pytest.LogCaptureFixture) -> None:
    registry.publish_pypi("old", "1.0", when=1_000_000)
    registry.publish_pypi("seen", "2.0")
    registry.publish_pypi("fresh", "3.0")
    registry.publish_pypi("bad name!", "1.0")

    def known(_ecosystem: Ecosystem, name: str) -> frozenset[str]:
        return frozenset({"2.0"}) if name == "seen" else frozenset()

    batch = PypiFeed(registry.url, client).read(Cursor("0", time.time() - 60), known)
    assert [r.name for r in batch.releases] == ["fresh"]
    assert "invalid release" in caplog.text


@pytest.mark.parametrize("fault", ["500", "timeout", "malformed"])
def test_changelog_faults_are_logged_and_retried(
        registry: FakeRegistry, client: HttpClient, caplog: pytest.LogCaptureFixture,
        fault: str) -> None:
    registry.publish_pypi("pkg", "1.0")
    registry.fail("xmlrpc", fault)
    with caplog.at_level(logging.WARNING):
        batch = PypiFeed(registry.url, client).read(Cursor("0", None), nothing_known)
    assert [r.name for r in batch.releases] == ["pkg"]
    assert "changelog_since_serial(0)" in caplog.text and "retry 2/3" in caplog.text


@pytest.mark.parametrize("fault", ["500", "timeout", "malformed"])
def test_json_api_faults_are_logged_and_retried(
        registry: FakeRegistry, client: HttpClient, caplog: pytest.LogCaptureFixture,
        fault: str) -> None:
    registry.publish_pypi("pkg", "1.0")
    registry.fail("pypi-json", fault)
    batch = PypiFeed(registry.url, client).read(Cursor("0", None), nothing_known)
    assert batch.releases[0].files and "pypi JSON pkg 1.0" in caplog.text


def test_a_feed_that_stays_down_raises_one_line_and_reads_nothing(
        registry: FakeRegistry, client: HttpClient) -> None:
    registry.publish_pypi("pkg", "1.0")
    registry.fail("pypi-json", "500", "500", "500")
    with pytest.raises(RegistryError, match=r"pypi JSON pkg 1.0: HTTP 500 .*after 3 attempts"):
        PypiFeed(registry.url, client).read(Cursor("0", None), nothing_known)
    # Nothing was skipped: the same read succeeds once the registry is back.
    assert PypiFeed(registry.url, client).read(Cursor("0", None), nothing_known).releases


def test_a_release_gone_from_the_json_api_is_still_reported(
        registry: FakeRegistry, client: HttpClient) -> None:
    registry.publish_pypi("taken-down", "1.0", kinds=("sdist",))
    del registry.pypi_files[("taken-down", "1.0")]
    (release,) = PypiFeed(registry.url, client).read(Cursor("0", None), nothing_known).releases
    assert release.gone and release.files[0].filename == "taken-down-1.0.tar.gz"


def test_a_hole_in_the_serials_holds_the_cursor_until_it_fills(
        registry: FakeRegistry, client: HttpClient, caplog: pytest.LogCaptureFixture) -> None:
    registry.publish_pypi("a", "1.0")  # serials 1, 2
    registry.publish_pypi("b", "1.0")  # serials 3, 4: committed late
    registry.publish_pypi("c", "1.0")  # serials 5, 6
    registry.hidden = {3, 4}
    feed = PypiFeed(registry.url, client, gap_patience_s=60)
    batch = feed.read(Cursor("0", None), nothing_known)
    assert batch.position == "2" and batch.caught_up
    assert batch.gap == "serials 3-4 missing from the changelog"
    assert [r.name for r in batch.releases] == ["a", "c"]  # c is queued, not lost or doubled
    again = feed.read(Cursor("2", None), nothing_known)
    assert again.position == "2" and again.gap is None  # logged once, still held
    registry.hidden = set()
    filled = feed.read(Cursor("2", None), nothing_known)
    assert filled.position == "6" and [r.name for r in filled.releases] == ["b", "c"]


def test_a_hole_that_never_fills_is_passed_after_the_patience(
        registry: FakeRegistry, client: HttpClient, caplog: pytest.LogCaptureFixture) -> None:
    for name in "abc":
        registry.publish_pypi(name, "1.0")
    registry.hidden = {3, 4}
    feed = PypiFeed(registry.url, client, gap_patience_s=0.0)
    batch = feed.read(Cursor("0", None), nothing_known)
    assert batch.position == "6" and "taken as never committed" in caplog.text


def test_a_serial_reset_replays_from_zero(registry: FakeRegistry, client: HttpClient,
                                          caplog: pytest.LogCaptureFixture) -> None:
    registry.publish_pypi("a", "1.0")
    batch = PypiFeed(registry.url, client).read(Cursor("500", None), nothing_known)
    assert batch.position == "0" and not batch.caught_up and batch.gap
    assert "below our cursor 500" in caplog.text


def test_paging_and_current_position(registry: FakeRegistry, client: HttpClient) -> None:
    for index in range(5):
        registry.publish_pypi(f"p{index}", "1.0")
    feed = PypiFeed(registry.url, client, batch_size=4)
    assert feed.current_position() == "10"
    first = feed.read(Cursor("0", None), nothing_known)
    assert first.position == "4" and not first.caught_up
    assert [r.name for r in first.releases] == ["p0", "p1"]


def test_a_corrupt_stored_cursor_is_a_feed_error(registry: FakeRegistry,
                                                 client: HttpClient) -> None:
    with pytest.raises(FeedError, match="not a serial"):
        PypiFeed(registry.url, client).read(Cursor("12-abc", None), nothing_known)
