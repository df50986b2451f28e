"""Real-world archive shapes pip can still be handed: a wheel under a .zip name, and a
source tree without PKG-INFO."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from analyzer.errors import FetchError
from analyzer.fetch.interface import RegistryUrls, Target
from analyzer.fetch.local import LocalFetcher

# No dependencies to prepare, so no registry is contacted.
URLS = RegistryUrls(pypi="http://127.0.0.1:9", npm="http://127.0.0.1:9")


def _tar(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_wheel_kept_under_a_zip_name_is_installed_as_a_wheel(tmp_path: Path) -> None:
    archive = tmp_path / "demo_pkg-1.0-py3-none-any.zip"
    with zipfile.ZipFile(archive, "w") as wheel:
        wheel.writestr("demo_pkg/__init__.py", "")
        wheel.writestr("demo_pkg-1.0.dist-info/METADATA", "Name: demo-pkg\nVersion: 1.0\n")
        wheel.writestr("demo_pkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
    package = LocalFetcher(URLS).fetch(Target(None, path=archive), tmp_path / "work")
    assert package.artifact.name == "demo_pkg-1.0-py3-none-any.whl"
    assert (package.ref.name, package.ref.version) == ("demo-pkg", "1.0")


def test_a_source_tree_without_pkg_info_is_named_by_its_folder(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "plain-2.0.tar.gz", {
        "plain-2.0/setup.py": b"from setuptools import setup\nsetup()\n",
        "plain-2.0/plain/__init__.py": b"",
    })
    package = LocalFetcher(URLS).fetch(Target(None, path=archive), tmp_path / "work")
    assert (package.ref.name, package.ref.version) == ("plain", "2.0")


def test_a_broken_archive_with_code_is_still_analysed_by_its_file_name(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "broken-1.1.tar.gz", {"broken-1.1/x/y/code.py": b"print(1)\n"})
    package = LocalFetcher(URLS).fetch(Target(None, path=archive), tmp_path / "work")
    assert (package.ref.name, package.ref.version) == ("broken", "1.1")
    assert package.metadata["identified_by"].startswith("file name")


def test_an_archive_without_code_or_metadata_is_no_package(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "notes-1.0.tar.gz", {"notes-1.0/readme.txt": b"hello\n"})
    with pytest.raises(FetchError, match="not a Python or npm package"):
        LocalFetcher(URLS).fetch(Target(None, path=archive), tmp_path / "work")
