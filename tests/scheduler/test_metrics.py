"""The Prometheus endpoint: gauges and counters straight from the database."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from analyzer.feeds.interface import Batch
from analyzer.models import Ecosystem, Verdict
from analyzer.scheduler.metrics import MetricsServer
from analyzer.scheduler.queue import JobQueue
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, record_feed_error, start_cursor
from tests.store.builders import analysis_result, planned


def test_metrics_endpoint_serves_the_database_state(db: Database) -> None:
    cursor = start_cursor(db, "npm", "41", None, now=1.0)
    record_batch(db, "npm", cursor, Batch((), "42-g1AAAA", True, gap="reset"),
                 [planned(name, ecosystem=Ecosystem.NPM) for name in ("evil-pkg", "b")], 3, 1.0)
    record_feed_error(db, "pypi", 'pypi "changelog": HTTP 500', now=2.0)
    queue = JobQueue(db)
    job = queue.claim("w")
    assert job is not None
    queue.complete(job, analysis_result(Ecosystem.NPM, "evil-pkg", "1.0.0", Verdict.MALICIOUS))
    server = MetricsServer(db, "127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(f"{url}/metrics") as response:
            body = response.read().decode()
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/")
        assert missing.value.code == 404
        missing.value.close()
    finally:
        server.close()
    for line in [
        'pkgsandbox_jobs{state="done"} 1',
        'pkgsandbox_jobs{state="queued"} 1',
        'pkgsandbox_results_total{verdict="malicious"} 1',
        'pkgsandbox_feed_up{feed="npm"} 1',
        'pkgsandbox_feed_up{feed="pypi"} 0',
        'pkgsandbox_feed_position{feed="npm"} 42',
        'pkgsandbox_feed_gaps_total{feed="npm"} 1',
        'pkgsandbox_feed_failures{feed="pypi"} 1',
        "# TYPE pkgsandbox_releases_total counter",
        "pkgsandbox_releases_total 2",
    ]:
        assert line in body.splitlines()
