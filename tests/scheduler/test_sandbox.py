"""The real gVisor `Analyzer` behind the queue: a release from the fake PyPI, analysed once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from analyzer.fetch.interface import RegistryUrls
from analyzer.scheduler.queue import QueueSettings
from analyzer.scheduler.watch import run_watch
from analyzer.scheduler.worker import SandboxAnalyser
from analyzer.settings import SandboxSettings
from analyzer.store.database import Database
from analyzer.store.schema import Artifact, Result
from tests.feeds.fake_registry import FakeRegistry
from tests.packages import PACKAGES, build_package
from tests.scheduler.watcher_process import config_for_tests


@pytest.mark.sandbox
def test_a_published_wheel_is_analysed_in_the_sandbox_through_the_queue(
        registry: FakeRegistry, tmp_path: Path) -> None:
    wheel = build_package(PACKAGES / "pypi-small", tmp_path, "wheel")
    registry.publish_pypi("small-pkg", "1.0.0", kinds=("wheel",), new_project=True,
                          content={"wheel": wheel.read_bytes()})
    db_url = f"sqlite:///{tmp_path / 'watch.db'}"
    config = replace(
        config_for_tests({"db": db_url, "registry": registry.url, "feeds": ["pypi"],
                          "workers": 1}),
        analyser=SandboxAnalyser(SandboxSettings(
            urls=RegistryUrls(pypi=registry.url, npm=registry.npm_registry_url))),
        job_timeout_s=600.0, queue=QueueSettings(lease_s=60.0, max_attempts=1))
    report = run_watch(config, once=True)
    assert (report["releases"], report["analysed"], report["failed"]) == (1, 1, 0)
    db = Database.open(db_url)
    with db.reading() as session:
        result = session.scalars(select(Result)).one()
        artifact = session.scalars(select(Artifact)).one()
    db.close()
    document = result.document
    assert document["package"]["name"] == "small-pkg"
    assert document["package"]["filename"] == wheel.name
    assert document["phases"]["install"]["status"] == "completed"
    assert document["phases"]["import"]["status"] == "completed"
    assert artifact.sha256 == result.sha256 == document["package"]["sha256"]
