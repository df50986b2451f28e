"""A real review server on 127.0.0.1 over a SQLite store holding real result documents."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from analyzer.feeds.interface import Batch
from analyzer.models import AnalysisResult, Verdict
from analyzer.store.database import Database
from analyzer.store.releases import PlannedRelease, record_batch, start_cursor
from analyzer.store.results import save_result
from analyzer.store.schema import Job
from analyzer.web.auth import COOKIE, Sessions
from analyzer.web.limits import DEFAULT_LIMITS, ServerLimits
from analyzer.web.server import App, make_server
from tests.report.hostile import HOSTILE_NAME, hostile_result
from tests.store.builders import planned

TOKEN = "test-review-token-0123456789"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Browser tests skip without chromium, but fail where PKGSANDBOX_REQUIRE_BROWSER is set."""
    if item.get_closest_marker("browser") is None or chromium() is not None:
        return
    if os.environ.get("PKGSANDBOX_REQUIRE_BROWSER"):
        pytest.fail("chromium is required (PKGSANDBOX_REQUIRE_BROWSER) but not on PATH")
    pytest.skip("chromium not installed: `apt-get install -y chromium`")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def seed(db: Database, results: list[AnalysisResult]) -> list[int]:
    """Store each result as the watcher would: its release, its job, then the result."""
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "1", True),
                 [_release_of(result) for result in results], 3, 1.0)
    ids = []
    with db.transaction() as session:
        for job_id, result in enumerate(results, start=1):
            job = session.get(Job, job_id)
            assert job is not None
            job.state = "done"
            ids.append(save_result(session, job_id, job.version_id, result,
                                   now=1_714_500_000.0 + job_id * 86_400))
    return ids


def _release_of(result: AnalysisResult) -> PlannedRelease:
    """The release the feed would have seen for `result`, with its discovery signals."""
    ref, squat = result.package, result.typosquat
    release = planned(ref.name, ref.version, ref.ecosystem)
    signals = {**release.signals, "typosquat": None if squat is None else {
        "target": squat.target, "distance": squat.distance, "kind": squat.kind}}
    return replace(release, signals=signals)


def results() -> list[AnalysisResult]:
    return [
        hostile_result(verdict=Verdict.BENIGN, score=0.0, name="calm-package"),
        hostile_result(),  # malicious, hostile text everywhere
        hostile_result(verdict=Verdict.SUSPICIOUS, score=40.0, name="odd-package"),
    ]


@dataclass
class Client:
    host: str
    port: int
    cookie: str | None = None
    last_headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = f"{COOKIE}={self.cookie}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        self.last_headers = dict(response.getheaders())
        connection.close()
        return response.status, text

    def login(self, token: str = TOKEN, reviewer: str = "alice") -> int:
        status, _ = self.request("POST", "/login", {"token": token, "reviewer": reviewer})
        match = re.search(rf"{COOKIE}=([^;]+)", self.last_headers.get("Set-Cookie", ""))
        self.cookie = match.group(1) if match else None
        return status

    def csrf(self, result_id: int) -> str:
        _, page = self.request("GET", f"/report/{result_id}")
        match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert match, "no review form on the page"
        return match.group(1)


@dataclass
class Served:
    db: Database
    ids: list[int]
    base: str
    client: Client
    osv_dir: Path


@contextmanager
def serving(db: Database, osv_dir: Path, ids: list[int],
            limits: ServerLimits = DEFAULT_LIMITS) -> Iterator[Served]:
    """A review server over `db` on a free port, in a thread, for the block."""
    server = make_server(App(db, Sessions(TOKEN), osv_dir), "127.0.0.1", 0, limits)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = str(server.server_address[0]), int(server.server_address[1])
    try:
        yield Served(db, ids, f"http://{host}:{port}", Client(host, port), osv_dir)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    db = Database.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with serving(db, tmp_path / "osv", seed(db, results())) as running:
            yield running
    finally:
        db.close()


__all__ = ["HOSTILE_NAME", "Served", "chromium", "seed", "served", "serving"]
