"""Peak memory of `pkgsandbox watch --once` analysing a few small releases in the sandbox,
fed by a local PyPI and npm that speak the real feed formats (tests/feeds/fake_registry)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from analyzer.store.database import Database
from analyzer.store.stats import status
from tests.bench.memory import TreePeak
from tests.feeds.fake_registry import FakeRegistry
from tests.packages import PACKAGES, build_package


@dataclass(frozen=True)
class WatcherPeak:
    releases: int
    seconds: float
    watcher_mb: float  # the watcher process itself
    worker_mb: float  # its largest descendant (a worker process)
    tree_mb: float  # the whole tree at its largest poll


def _publish_pypi(registry: FakeRegistry, name: str, scratch: Path) -> None:
    source = scratch / name
    shutil.copytree(PACKAGES / "pypi-small", source)
    info = source / "PKG-INFO"
    info.write_text(info.read_text().replace("Name: small-pkg", f"Name: {name}"))
    wheel = build_package(source, scratch, "wheel")
    registry.publish_pypi(name, "1.0.0", kinds=("wheel",), new_project=True,
                          content={"wheel": wheel.read_bytes()})


def _publish_npm(registry: FakeRegistry, name: str, scratch: Path) -> None:
    source = scratch / name
    shutil.copytree(PACKAGES / "npm-small", source)
    manifest = json.loads((source / "package.json").read_text())
    (source / "package.json").write_text(json.dumps({**manifest, "name": name}))
    data = build_package(source, scratch, "npm").read_bytes()
    registry.publish_npm(name, "1.0.0")
    # The fake serves tarballs from /files/ and lists a placeholder shasum: set both.
    filename = f"{name}-1.0.0.tgz"
    with registry.lock:
        registry.files[filename] = data
        registry.packuments[name]["versions"]["1.0.0"]["dist"] = {
            "tarball": f"{registry.url}/files/{filename}",
            "shasum": hashlib.sha1(data).hexdigest()}  # noqa: S324 (npm's own field)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # the watcher stops its workers on SIGTERM
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure_watcher(releases: int, scratch: Path) -> WatcherPeak:
    """Runs the real watcher (2 local workers, the gVisor sandbox) until `releases` small
    releases, half PyPI wheels and half npm tarballs, are analysed; polls its memory."""
    # About 5 s an analysis here: a watcher still at it after this is stuck (with no
    # sandbox, its workers pause and retry rather than fail the jobs).
    timeout_s = 60.0 + 30.0 * releases
    registry = FakeRegistry().start()
    try:
        for index in range(releases):
            publish = _publish_pypi if index % 2 == 0 else _publish_npm
            publish(registry, f"bench-watch-{index}", scratch)
        db_url = f"sqlite:///{scratch / 'watch.db'}"
        command = [str(Path(sys.executable).with_name("pkgsandbox")), "watch", "--once",
                   "--start", "beginning", "--db", db_url, "--workers", "2",
                   "--pypi-url", registry.url, "--npm-registry-url", registry.npm_registry_url,
                   "--npm-changes-url", registry.npm_changes_url, "--poll-interval", "1",
                   "--max-attempts", "1", "--osv-dir", str(scratch / "osv"),
                   "--html-dir", str(scratch / "html")]
        log_path = scratch / "watch.log"
        started = time.monotonic()
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            try:
                peak = TreePeak(process.pid)
                while process.poll() is None:
                    peak.poll()
                    if time.monotonic() - started > timeout_s:
                        raise RuntimeError(f"the watcher did not finish in {timeout_s:.0f} s:\n"
                                           + log_path.read_text(errors="replace")[-2000:])
                    time.sleep(0.2)
            finally:
                if process.poll() is None:
                    _stop(process)
        seconds = time.monotonic() - started
    finally:
        registry.close()
    tail = log_path.read_text(errors="replace")[-2000:]
    if process.returncode != 0:
        raise RuntimeError(f"the watcher exited with {process.returncode}:\n{tail}")
    db = Database.open(db_url)
    try:
        report = status(db)
    finally:
        db.close()
    if (report["releases"], report["analysed"], report["failed"]) != (releases, releases, 0):
        raise RuntimeError(f"the watcher analysed {report['analysed']} of {releases} releases"
                           f" ({report['failed']} failed):\n{tail}")
    return WatcherPeak(releases, round(seconds, 1), round(peak.own_bytes / 2**20, 1),
                       round(peak.child_bytes / 2**20, 1), round(peak.sum_bytes / 2**20, 1))
