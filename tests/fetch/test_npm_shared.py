"""The host's shared npm cache, with real npm against the fake registry."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analyzer.fetch.npm_cache import NPM_CACHE_DIRNAME, prepare_npm_dependencies
from analyzer.fetch.npm_shared import NpmCache

from .conftest import Builder, FakeRegistry

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm on the host")
DEPS = {"dep-a": "^1.0.0", "@acme/util": "~0.3.0"}
BIG = 100 * 2**20


def _publish(registry: FakeRegistry, make_npm_tgz: Builder) -> dict[str, bytes]:
    """dep-a (needing dep-b), @acme/util and an unrelated package; each tarball's bytes."""
    tarballs = {"dep-b": make_npm_tgz("dep-b", "2.1.0"),
                "dep-a": make_npm_tgz("dep-a", "1.4.0", deps={"dep-b": "^2.0.0"}),
                "@acme/util": make_npm_tgz("@acme/util", "0.3.0"),
                "other": make_npm_tgz("other", "1.0.0")}
    for name, tgz in tarballs.items():
        registry.add_npm(name, tgz.stem.rsplit("-", 1)[-1], tgz)
    return {name: tgz.read_bytes() for name, tgz in tarballs.items()}


def _content(cacache: Path, data: bytes) -> Path:
    digest = hashlib.sha512(data).hexdigest()
    return cacache / "content-v2" / "sha512" / digest[:2] / digest[2:4] / digest[4:]


def _tarball_hits(registry: FakeRegistry) -> list[str]:
    return [hit for hit in registry.hits if hit.endswith(".tgz")]


def _installs_offline(registry: FakeRegistry, dest: Path, make_npm_tgz: Builder,
                      tmp_path: Path) -> None:
    """What the sandbox does: install the package offline from a copy of `dest`'s cache."""
    cache = tmp_path / f"sandbox-cache-{dest.name}"
    shutil.copytree(dest / NPM_CACHE_DIRNAME, cache)
    project = tmp_path / f"project-{dest.name}"
    project.mkdir()
    (project / "package.json").write_text('{"name": "webapp", "version": "1.0.0"}')
    hits = len(registry.hits)
    proc = subprocess.run(
        ["npm", "install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund",
         "--cache", str(cache), "--registry", registry.urls.npm + "/",
         str(make_npm_tgz("@acme/app", "1.0.0", deps=DEPS))],
        cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (project / "node_modules" / "dep-b" / "package.json").is_file()
    assert len(registry.hits) == hits


def test_a_second_preparation_fetches_no_tarball(registry: FakeRegistry, make_npm_tgz: Builder,
                                                 tmp_path: Path) -> None:
    tarballs = _publish(registry, make_npm_tgz)
    shared = NpmCache(tmp_path / "npm", BIG)
    assert prepare_npm_dependencies({"other": "^1.0.0"}, tmp_path / "first", registry.urls.npm,
                                    shared=shared)[0].version == "1.0.0"
    prepare_npm_dependencies(DEPS, tmp_path / "one", registry.urls.npm, shared=shared)
    assert len(_tarball_hits(registry)) == 4

    registry.hits.clear()
    found = prepare_npm_dependencies(DEPS, tmp_path / "two", registry.urls.npm, shared=shared)
    assert {d.name: d.version for d in found} == {
        "dep-a": "1.4.0", "dep-b": "2.1.0", "@acme/util": "0.3.0"}
    assert _tarball_hits(registry) == []
    own = tmp_path / "two" / NPM_CACHE_DIRNAME / "_cacache"
    assert _content(own, tarballs["dep-b"]).read_bytes() == tarballs["dep-b"]
    assert not _content(own, tarballs["other"]).exists()  # only this package's entries
    _installs_offline(registry, tmp_path / "two", make_npm_tgz, tmp_path)

    # Without the shared cache every tarball is fetched again: the count above can fail.
    prepare_npm_dependencies(DEPS, tmp_path / "three", registry.urls.npm)
    assert len(_tarball_hits(registry)) == 3


def test_two_workers_at_once(registry: FakeRegistry, make_npm_tgz: Builder,
                             tmp_path: Path) -> None:
    tarballs = _publish(registry, make_npm_tgz)
    shared = NpmCache(tmp_path / "npm", BIG)
    start = threading.Barrier(2)

    def worker(index: int) -> set[str]:
        start.wait()
        found = prepare_npm_dependencies(DEPS, tmp_path / f"w{index}", registry.urls.npm,
                                         shared=shared)
        return {d.name for d in found if d.missing_reason is None}

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(worker, range(2))) == [{"dep-a", "dep-b", "@acme/util"}] * 2
    cacache = shared.for_registry(registry.urls.npm).root / "_cacache"
    for name in ("dep-a", "dep-b", "@acme/util"):
        assert _content(cacache, tarballs[name]).read_bytes() == tarballs[name]
    for index in range(2):
        _installs_offline(registry, tmp_path / f"w{index}", make_npm_tgz, tmp_path)


def _entries(cacache: Path) -> list[Path]:
    return [p for folder in ("index-v5", "content-v2") for p in (cacache / folder).rglob("*")
            if p.is_file()]


def test_eviction_keeps_the_bound_and_waits_for_npm(registry: FakeRegistry,
                                                    make_npm_tgz: Builder,
                                                    tmp_path: Path) -> None:
    tarballs = _publish(registry, make_npm_tgz)
    shared = NpmCache(tmp_path / "npm", BIG)
    prepare_npm_dependencies({"other": "^1.0.0"}, tmp_path / "old", registry.urls.npm,
                             shared=shared)
    part = shared.for_registry(registry.urls.npm)
    cacache = part.root / "_cacache"
    old = sum(p.stat().st_size for p in _entries(cacache))
    prepare_npm_dependencies(DEPS, tmp_path / "new", registry.urls.npm, shared=shared)
    files = _entries(cacache)
    total = sum(p.stat().st_size for p in files)
    small = NpmCache(part.root, total - old)  # room for all but the oldest preparation's

    with part.in_use():  # npm is running for a preparation
        assert small.evict() is False
    assert all(p.exists() for p in files)

    assert small.evict() is True
    left = _entries(cacache)
    assert sum(p.stat().st_size for p in left) <= small.max_bytes
    assert not _content(cacache, tarballs["other"]).exists()  # used longest ago: gone first
    assert _content(cacache, tarballs["dep-b"]).exists()
