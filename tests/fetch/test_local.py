"""Local package files: identified from their own metadata, copied, dependencies prepared."""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from analyzer.errors import FetchError, UnsafeArchiveError
from analyzer.fetch import fetcher_for
from analyzer.fetch.artifact import PYPI_SUFFIXES, safe_filename
from analyzer.fetch.interface import Target
from analyzer.fetch.local import LocalFetcher
from analyzer.fetch.npm import NpmFetcher
from analyzer.fetch.pypi import PypiFetcher
from analyzer.fetch.target import parse_target
from analyzer.models import Ecosystem

from .conftest import Builder, FakeRegistry


def test_local_sdist(registry: FakeRegistry, make_sdist: Builder, make_wheel: Builder,
                     tmp_path: Path) -> None:
    registry.add_pypi("leafdep", "0.1", [make_wheel("leafdep", "0.1")])
    registry.add_pypi("setuptools", "70.0", [make_wheel("setuptools", "70.0")])
    sdist = make_sdist("demo", "1.5", requires=("leafdep>=0.1",))
    fetched = LocalFetcher(registry.urls).fetch(parse_target(str(sdist)), tmp_path / "w")
    assert (fetched.ref.ecosystem, fetched.ref.name, fetched.ref.version) == \
        (Ecosystem.PYPI, "demo", "1.5")
    assert fetched.ref.sha256 == hashlib.sha256(sdist.read_bytes()).hexdigest()
    assert fetched.artifact == tmp_path / "w" / "artifact" / sdist.name
    assert fetched.artifact.read_bytes() == sdist.read_bytes()
    assert fetched.metadata["summary"] == "tiny demo"
    assert fetched.metadata["package_type"] == "sdist"
    # No pyproject.toml: pip's default build requirement, setuptools, comes along too.
    assert {(d.name, d.version) for d in fetched.dependencies} == {
        ("leafdep", "0.1"), ("setuptools", "70.0")}


def test_local_wheel(registry: FakeRegistry, make_wheel: Builder, tmp_path: Path) -> None:
    wheel = make_wheel("demo-pkg", "2.0")
    fetched = LocalFetcher(registry.urls).fetch(parse_target(str(wheel)), tmp_path)
    assert (fetched.ref.name, fetched.ref.version, fetched.ref.filename) == \
        ("demo-pkg", "2.0", "demo_pkg-2.0-py3-none-any.whl")
    assert fetched.dependencies == ()


def test_local_npm_tarball(registry: FakeRegistry, make_npm_tgz: Builder,
                           tmp_path: Path) -> None:
    tgz = make_npm_tgz("@acme/local", "0.0.1", scripts={"install": "node x.js"})
    fetched = fetcher_for(parse_target(str(tgz)), registry.urls).fetch(
        parse_target(str(tgz)), tmp_path)
    assert (fetched.ref.ecosystem, fetched.ref.name, fetched.ref.version) == \
        (Ecosystem.NPM, "@acme/local", "0.0.1")
    assert fetched.metadata["install_scripts"] == "install"


def test_a_file_that_is_no_package(tmp_path: Path, registry: FakeRegistry) -> None:
    path = tmp_path / "photos.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("holiday/beach.jpg")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"jpg"))
    with pytest.raises(FetchError, match="not a Python or npm package"):
        LocalFetcher(registry.urls).fetch(Target(None, path=path), tmp_path / "w")


def test_unsafe_local_archive(tmp_path: Path, registry: FakeRegistry) -> None:
    path = tmp_path / "evil-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("evil-1.0/PKG-INFO")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(UnsafeArchiveError, match="points outside"):
        LocalFetcher(registry.urls).fetch(Target(None, path=path), tmp_path / "w")


def test_wheel_with_a_name_pip_would_refuse(tmp_path: Path, make_wheel: Builder,
                                            registry: FakeRegistry) -> None:
    renamed = tmp_path / "totally-legit.whl"
    shutil.copy(make_wheel("demo", "1.0"), renamed)
    with pytest.raises(FetchError, match="not a valid wheel file name"):
        LocalFetcher(registry.urls).fetch(Target(None, path=renamed), tmp_path / "w")


def test_missing_file(tmp_path: Path, registry: FakeRegistry) -> None:
    with pytest.raises(FetchError, match="no such file"):
        LocalFetcher(registry.urls).fetch(Target(None, path=tmp_path / "x.tgz"), tmp_path)


@pytest.mark.parametrize(("target", "kind"), [
    (Target(Ecosystem.PYPI, "x"), PypiFetcher), (Target(Ecosystem.NPM, "x"), NpmFetcher),
    (Target(None, path=Path("x.whl")), LocalFetcher)])
def test_fetcher_registry(registry: FakeRegistry, target: Target, kind: type) -> None:
    assert isinstance(fetcher_for(target, registry.urls), kind)


def test_a_zip_wheel_named_tar_gz_is_analysed_as_a_wheel(
        tmp_path: Path, make_wheel: Builder, registry: FakeRegistry) -> None:
    lying = tmp_path / "demo-1.0-py3-none-any.tar.gz"
    shutil.copy(make_wheel("demo", "1.0"), lying)
    fetched = LocalFetcher(registry.urls).fetch(Target(None, path=lying), tmp_path / "w")
    assert fetched.ref.filename == "demo-1.0-py3-none-any.whl"
    assert fetched.artifact.name == fetched.ref.filename and fetched.artifact.is_file()
    assert "content is a zip archive" in fetched.metadata["archive_mismatch"]


def test_a_gzip_sdist_named_zip_gets_its_own_suffix(
        tmp_path: Path, make_sdist: Builder, registry: FakeRegistry) -> None:
    registry.add_pypi("setuptools", "70.0", [])
    lying = tmp_path / "plainpkg-0.3.zip"
    shutil.copy(make_sdist("plainpkg", "0.3"), lying)
    fetched = LocalFetcher(registry.urls).fetch(Target(None, path=lying), tmp_path / "w")
    assert fetched.ref.filename == "plainpkg-0.3.tar.gz"
    assert "content is a gzip archive" in fetched.metadata["archive_mismatch"]


def test_an_epoch_in_the_file_name_is_no_reason_to_refuse(
        tmp_path: Path, make_wheel: Builder, registry: FakeRegistry) -> None:
    epoch = tmp_path / "demo-4!10.0-py3-none-any.whl"
    shutil.copy(make_wheel("demo", "4!10.0"), epoch)
    fetched = LocalFetcher(registry.urls).fetch(Target(None, path=epoch), tmp_path / "w")
    assert fetched.ref.version == "4!10.0"
    assert "archive_mismatch" not in fetched.metadata


@pytest.mark.parametrize("name", [".hidden-1.0.tar.gz", "a\x00b-1.0.tar.gz", "..",
                                  "x-1.0.tar.gz\n", "x y-1.0.tar.gz"])
def test_names_that_are_no_plain_file_name_stay_refused(name: str) -> None:
    with pytest.raises(FetchError, match="unsafe"):
        safe_filename(name, PYPI_SUFFIXES)
