"""PyPI fetching against the fake registry: releases, refusals, and wheels-only dependencies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analyzer.errors import FetchError, RegistryError, UnsafeArchiveError
from analyzer.fetch.interface import Target
from analyzer.fetch.pypi import PypiFetcher, choose_file
from analyzer.fetch.wheelhouse import applicable, wheel_rank
from analyzer.httpclient import RetryPolicy
from analyzer.models import Ecosystem

from .conftest import Builder, FakeRegistry

FAST = RetryPolicy(timeout_s=5, attempts=3, backoff_s=0)


def fetcher(registry: FakeRegistry) -> PypiFetcher:
    return PypiFetcher(registry.urls, FAST)


def target(name: str, version: str | None = None) -> Target:
    return Target(Ecosystem.PYPI, name, version)


def test_latest_and_pinned_versions(registry: FakeRegistry, make_sdist: Builder,
                                    make_wheel: Builder, tmp_path: Path) -> None:
    old = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [old], requires_dist=[])
    registry.add_pypi("demo", "2.0", [make_wheel("demo", "2.0"), make_sdist("demo", "2.0")],
                      requires_dist=[])

    latest = fetcher(registry).fetch(target("demo"), tmp_path / "a")
    assert (latest.ref.name, latest.ref.version, latest.ref.filename) == \
        ("demo", "2.0", "demo-2.0.tar.gz")  # the sdist is preferred: it runs code at install
    assert latest.artifact == tmp_path / "a" / "artifact" / "demo-2.0.tar.gz"
    assert latest.ref.sha256 == hashlib.sha256(latest.artifact.read_bytes()).hexdigest()
    assert latest.metadata["summary"] == "The demo project"
    assert latest.metadata["upload_time"].startswith("2024-05-29")
    assert latest.dependency_dir == tmp_path / "a" / "deps"

    pinned = fetcher(registry).fetch(target("demo", "1.0"), tmp_path / "b")
    assert pinned.ref.version == "1.0"
    assert pinned.artifact.read_bytes() == old.read_bytes()


def test_pinned_version_from_project_json_when_the_version_endpoint_is_missing(
        registry: FakeRegistry, make_sdist: Builder, tmp_path: Path) -> None:
    registry.add_pypi("demo", "1.0", [make_sdist("demo", "1.0")], requires_dist=[])
    registry.add_pypi("demo", "2.0", [make_sdist("demo", "2.0")], requires_dist=[])
    registry.status["/py/pypi/demo/1.0/json"] = 404  # as on some mirrors
    fetched = fetcher(registry).fetch(target("demo", "1.0"), tmp_path)
    assert fetched.ref.version == "1.0"
    assert fetched.metadata["summary"] == "tiny demo"  # from the sdist's own PKG-INFO


def test_unknown_package_or_version_is_a_fetch_error(registry: FakeRegistry, make_sdist: Builder,
                                                     tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no such package on PyPI: nope"):
        fetcher(registry).fetch(target("nope"), tmp_path)
    registry.add_pypi("demo", "1.0", [make_sdist("demo", "1.0")])
    with pytest.raises(FetchError, match=r"no such package/version on PyPI: demo==9\.9"):
        fetcher(registry).fetch(target("demo", "9.9"), tmp_path)


def test_server_errors_are_retried_then_reported(registry: FakeRegistry, tmp_path: Path) -> None:
    registry.status["/py/pypi/demo/json"] = 500
    with pytest.raises(RegistryError, match="HTTP 500"):
        fetcher(registry).fetch(target("demo"), tmp_path)
    assert registry.hits.count("/py/pypi/demo/json") == 3  # one try and two retries


def test_unreachable_registry_is_a_fetch_error(tmp_path: Path) -> None:
    from analyzer.fetch.interface import RegistryUrls

    urls = RegistryUrls(pypi="http://127.0.0.1:9")  # the discard port: refused at once
    with pytest.raises(RegistryError, match="Connection refused"):
        PypiFetcher(urls, FAST).fetch(target("demo"), tmp_path)


def test_sha256_mismatch_is_refused(registry: FakeRegistry, make_sdist: Builder,
                                    tmp_path: Path) -> None:
    sdist = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [sdist], sha256={sdist.name: "0" * 64})
    with pytest.raises(FetchError, match="sha256 mismatch for demo-1.0.tar.gz"):
        fetcher(registry).fetch(target("demo"), tmp_path)
    assert not (tmp_path / "artifact" / sdist.name).exists()


@pytest.mark.parametrize("hostile", ["..", "../..", ".hidden.tar.gz", "dir/.tar.gz",
                                     "evil 1.0.tar.gz", "evil;rm -rf.tar.gz", "evil\n.tar.gz",
                                     "evil-1.0.exe", "évil-1.0.tar.gz", ""])
def test_hostile_filenames_are_refused(registry: FakeRegistry, make_sdist: Builder,
                                       tmp_path: Path, hostile: str) -> None:
    sdist = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [sdist], filenames={sdist.name: hostile})
    with pytest.raises(FetchError, match="unsafe artifact file name"):
        fetcher(registry).fetch(target("demo"), tmp_path / "w")
    assert not (tmp_path / "w" / "artifact").exists() or \
        list((tmp_path / "w" / "artifact").iterdir()) == []


def test_only_the_basename_of_a_registry_filename_is_used(
        registry: FakeRegistry, make_sdist: Builder, tmp_path: Path) -> None:
    sdist = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [sdist], filenames={sdist.name: "../../../demo-1.0.tar.gz"},
                      requires_dist=[])
    fetched = fetcher(registry).fetch(target("demo"), tmp_path / "w")
    assert fetched.artifact == tmp_path / "w" / "artifact" / "demo-1.0.tar.gz"
    assert fetched.ref.filename == "demo-1.0.tar.gz"


def test_files_on_other_hosts_are_refused(registry: FakeRegistry, make_sdist: Builder,
                                          tmp_path: Path) -> None:
    sdist = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [sdist], urls={sdist.name: "http://evil.example/x.tar.gz"})
    with pytest.raises(RegistryError, match="not an allowed registry host"):
        fetcher(registry).fetch(target("demo"), tmp_path)


def test_an_unsafe_archive_from_the_registry_is_refused(registry: FakeRegistry,
                                                        tmp_path: Path) -> None:
    import io
    import tarfile

    evil = tmp_path / "evil-1.0.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../../home/user/.bashrc")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"boom"))
    registry.add_pypi("evil", "1.0", [evil])
    with pytest.raises(UnsafeArchiveError, match="path traversal"):
        fetcher(registry).fetch(target("evil"), tmp_path / "w")


def test_wheel_only_release_picks_a_wheel_for_linux_cp311(make_wheel: Builder) -> None:
    files = [{"filename": "demo-1.0-cp311-cp311-win_amd64.whl", "packagetype": "bdist_wheel"},
             {"filename": "demo-1.0-cp312-cp312-manylinux2014_x86_64.whl",
              "packagetype": "bdist_wheel"},
             {"filename": "demo-1.0-py3-none-any.whl", "packagetype": "bdist_wheel"},
             {"filename": "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
              "packagetype": "bdist_wheel"}]
    assert choose_file(files, "demo", "1.0")["filename"].startswith("demo-1.0-cp311-cp311-many")
    assert choose_file(files[:3], "demo", "1.0")["filename"] == "demo-1.0-py3-none-any.whl"
    with pytest.raises(FetchError, match="no sdist and no wheel"):
        choose_file(files[:2], "demo", "1.0")
    assert wheel_rank("demo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl") is None


def test_requirements_that_apply_in_the_sandbox() -> None:
    usable, refused = applicable([
        "idna<4,>=2.5", "PySocks!=1.5.7,>=1.5.6; extra == 'socks'",
        "pywin32>=1; sys_platform == 'win32'", "tomli; python_version < '3.11'",
        "typing-extensions; python_version >= '3.8'", "requests[socks]>=2",
        "evil @ https://evil.example/evil.whl", "not a requirement !!"])
    assert usable == ["idna<4,>=2.5", "typing-extensions", "requests[socks]>=2"]
    assert [(d.name, d.missing_reason) for d in refused] == [
        ("evil", "direct URL requirement refused"),
        ("not a requirement !!", "unparsable requirement")]


def test_dependencies_are_downloaded_as_wheels_only(registry: FakeRegistry, make_sdist: Builder,
                                                    make_wheel: Builder, tmp_path: Path) -> None:
    registry.add_pypi("tinydep", "1.2", [make_wheel("tinydep", "1.2", requires=("leafdep",))])
    registry.add_pypi("leafdep", "0.1", [make_wheel("leafdep", "0.1")])
    registry.add_pypi("tinybuild", "3.0", [make_wheel("tinybuild", "3.0")])
    registry.add_pypi("sdistonly", "1.0", [make_sdist("sdistonly", "1.0")])
    pyproject = '[build-system]\nrequires = ["tinybuild>=3"]\nbuild-backend = "tinybuild.api"\n'
    registry.add_pypi("demo", "1.0", [make_sdist("demo", "1.0", pyproject=pyproject)],
                      requires_dist=["tinydep>=1", "sdistonly", "extraonly; extra == 'x'",
                                     "winonly; sys_platform == 'win32'"])

    fetched = fetcher(registry).fetch(target("demo"), tmp_path)
    found = {d.name: d for d in fetched.dependencies}
    assert set(found) == {"tinydep", "leafdep", "tinybuild", "sdistonly"}
    assert (found["tinydep"].version, found["tinydep"].filename) == \
        ("1.2", "tinydep-1.2-py3-none-any.whl")
    assert (fetched.dependency_dir / "leafdep-0.1-py3-none-any.whl").is_file()
    assert (fetched.dependency_dir / "tinybuild-3.0-py3-none-any.whl").is_file()
    missing = found["sdistonly"]
    assert missing.version is None and missing.filename is None
    assert "sdistonly" in (missing.missing_reason or "")
    # Only wheels: the sdist that would need setup.py was never downloaded.
    assert sorted(p.suffix for p in fetched.dependency_dir.iterdir()) == [".whl"] * 3
    assert "/files/sdistonly-1.0.tar.gz" not in registry.hits


def test_requires_dist_read_from_the_file_when_the_json_has_none(
        registry: FakeRegistry, make_wheel: Builder, tmp_path: Path) -> None:
    registry.add_pypi("leafdep", "0.1", [make_wheel("leafdep", "0.1")])
    registry.add_pypi("demo", "1.0", [make_wheel("demo", "1.0", requires=("leafdep",))],
                      requires_dist=None)
    fetched = fetcher(registry).fetch(target("demo"), tmp_path)
    assert [(d.name, d.version) for d in fetched.dependencies] == [("leafdep", "0.1")]
    assert fetched.ref.filename == "demo-1.0-py3-none-any.whl"


def test_file_urls_relative_to_the_json_are_resolved(registry: FakeRegistry, make_sdist: Builder,
                                                     tmp_path: Path) -> None:
    # Some mirrors answer "../../files/NAME" where pypi.org gives an absolute URL.
    sdist = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [sdist], urls={sdist.name: f"../../../files/{sdist.name}"})
    package = fetcher(registry).fetch(target("demo"), tmp_path)
    assert package.artifact.name == sdist.name
    assert f"/files/{sdist.name}" in registry.hits


def test_a_relative_url_cannot_climb_to_another_host(registry: FakeRegistry, make_sdist: Builder,
                                                     tmp_path: Path) -> None:
    sdist = make_sdist("demo", "1.0")
    registry.add_pypi("demo", "1.0", [sdist], urls={sdist.name: "//evil.example/x.tar.gz"})
    with pytest.raises(RegistryError, match="not an allowed registry host"):
        fetcher(registry).fetch(target("demo"), tmp_path)
