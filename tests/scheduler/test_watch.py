"""`run_watch` end to end in this process: feeds -> queue -> worker processes -> results."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from analyzer.errors import FeedError
from analyzer.scheduler.watch import run_watch
from analyzer.store.database import Database
from analyzer.store.stats import status
from tests.feeds.fake_registry import FakeRegistry
from tests.scheduler.watcher_process import config_for_tests


def _publish_mix(registry: FakeRegistry) -> None:
    registry.publish_pypi("requests-tool", "1.0", new_project=True)
    registry.publish_pypi("evil-stealer", "0.1", kinds=("sdist",))
    registry.publish_npm("left-pad-ng", "1.0.0", scripts={"postinstall": "node x"})
    registry.publish_npm("left-pad-ng", "1.0.1")
    registry.publish_npm("@acme/unfetchable", "2.0.0")


def test_once_analyses_what_is_new_and_reports_progress(
        registry: FakeRegistry, tmp_path: Path) -> None:
    _publish_mix(registry)
    registry.fail("changes", "500")  # retried inside the poll: no gap, no crash
    lines: list[str] = []
    config = config_for_tests({"db": f"sqlite:///{tmp_path / 'w.db'}", "registry": registry.url,
                               "max_attempts": 2, "progress_s": 0.1})
    report = run_watch(config, once=True, progress_callback=lines.append)
    assert (report["releases"], report["analysed"], report["queued"], report["failed"]) == (
        5, 4, 0, 1)
    assert report["by_verdict"] == {"benign": 3, "malicious": 1}
    assert report["last_flagged"]["name"] == "evil-stealer"
    assert set(report["feeds"]) == {"pypi", "npm"}
    assert all(f["status"] == "ok" for f in report["feeds"].values())
    final = lines[-1]
    assert final.endswith("| stopped") and "pypi 5 ok" in final and "npm 3 ok" in final
    assert "last flagged pypi:evil-stealer 0.1 (malicious)" in final
    assert "1 failed" in final and "analyses/h" in final
    # A second --once finds nothing new and analyses nothing twice.
    again = run_watch(config, once=True)
    assert (again["releases"], again["analysed"]) == (5, 4)


def test_once_with_a_feed_down_processes_the_rest_then_fails_in_one_line(
        registry: FakeRegistry, tmp_path: Path) -> None:
    registry.publish_pypi("fine", "1.0")
    registry.publish_npm("never-seen", "1.0.0")
    registry.fail("changes", *["500"] * 20)
    db_url = f"sqlite:///{tmp_path / 'w.db'}"
    config = config_for_tests({"db": db_url, "registry": registry.url})
    with pytest.raises(FeedError, match=r"^npm: npm _changes since 0: HTTP 500"):
        run_watch(config, once=True)
    db = Database.open(db_url)
    report = status(db)
    db.close()
    assert report["analysed"] == 1 and report["feeds"]["npm"]["status"] == "down"
    assert report["feeds"]["npm"]["position"] == "0"  # still at its start: nothing skipped
    registry.faults.clear()
    assert run_watch(config, once=True)["analysed"] == 2


def test_a_feed_that_goes_down_shows_it_and_catches_up_when_back(
        registry: FakeRegistry, tmp_path: Path) -> None:
    registry.publish_pypi("before", "1.0")
    registry.publish_npm("during-outage", "1.0.0")
    registry.fail("changes", *["500"] * 6)  # two polls of three attempts each
    lines: list[str] = []
    stop = threading.Event()
    config = config_for_tests({"db": f"sqlite:///{tmp_path / 'w.db'}", "registry": registry.url,
                               "progress_s": 0.05, "poll_s": 0.1})
    reports: list[dict[str, object]] = []
    thread = threading.Thread(target=lambda: reports.append(
        run_watch(config, progress_callback=lines.append, stop=stop)))
    thread.start()
    def saw(*parts: str) -> bool:
        return any(all(part in line for part in parts) for line in list(lines))

    try:
        deadline = time.monotonic() + 30
        while not (saw("npm 0 DOWN (npm _changes since 0: HTTP 500", "failures, retry in")
                   and saw("npm 1 ok", "queue 0 (+0 running")):
            assert time.monotonic() < deadline and thread.is_alive(), lines[-5:]
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    (report,) = reports
    assert report["analysed"] == 2 and report["queued"] == 0
