"""The release before: read from a local server speaking PyPI's JSON API and npm packuments."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from analyzer.baseline.interface import BaselineError
from analyzer.baseline.previous import previous_release
from analyzer.models import Ecosystem
from tests.fetch.conftest import FakeRegistry, registry  # noqa: F401 - the fixture


def _file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"not opened by this test")
    return path


def test_pypi_the_release_before_in_pep440_order(registry: FakeRegistry,  # noqa: F811
                                                 tmp_path: Path) -> None:
    for version in ("1.10.0", "1.9.0", "2.0.0rc1", "1.2.0"):
        registry.add_pypi("colour", version, [_file(tmp_path, f"colour-{version}.tar.gz")])
    registry.add_pypi("colour", "1.9.5", [])  # no files: nothing to analyse
    urls = registry.urls
    assert previous_release(Ecosystem.PYPI, "colour", "1.10.0", urls) == ("1.10.0", "1.9.0")
    assert previous_release(Ecosystem.PYPI, "colour", "1.9", urls) == ("1.9.0", "1.2.0")
    assert previous_release(Ecosystem.PYPI, "colour", "1.2.0", urls) == ("1.2.0", None)
    # A pre-release's baseline may be a pre-release; a release's never is.
    assert previous_release(Ecosystem.PYPI, "colour", "2.0.0rc1", urls) == ("2.0.0rc1", "1.10.0")
    with pytest.raises(BaselineError, match="no release '3.0'"):
        previous_release(Ecosystem.PYPI, "colour", "3.0", urls)


def test_npm_the_version_before_in_semver_order(registry: FakeRegistry,  # noqa: F811
                                               tmp_path: Path) -> None:
    for version in ("1.0.0", "1.10.0", "1.2.0", "2.0.0-beta.10", "2.0.0-beta.9", "1.0.1"):
        tgz = tmp_path / f"tiny-{version}.tgz"
        data = json.dumps({"name": "tiny", "version": version}).encode()
        with tarfile.open(tgz, "w:gz") as tar:
            info = tarfile.TarInfo("package/package.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        registry.add_npm("tiny", version, tgz, latest=version == "1.10.0")
    # A mirror's `time` (when it copied each version) must not decide: 1.0.0 looks newest.
    registry.npm["tiny"]["time"]["1.0.0"] = "2030-01-01T00:00:00Z"
    registry._json("/npm/tiny", registry.npm["tiny"])
    urls = registry.urls
    assert previous_release(Ecosystem.NPM, "tiny", None, urls) == ("1.10.0", "1.2.0")
    assert previous_release(Ecosystem.NPM, "tiny", "1.2.0", urls) == ("1.2.0", "1.0.1")
    assert previous_release(Ecosystem.NPM, "tiny", "2.0.0-beta.10", urls) == (
        "2.0.0-beta.10", "2.0.0-beta.9")
    assert previous_release(Ecosystem.NPM, "tiny", "2.0.0-beta.9", urls) == (
        "2.0.0-beta.9", "1.10.0")
    assert previous_release(Ecosystem.NPM, "tiny", "1.0.0", urls) == ("1.0.0", None)
    with pytest.raises(BaselineError, match="no such version on npm: tiny@9.9.9"):
        previous_release(Ecosystem.NPM, "tiny", "9.9.9", urls)
    with pytest.raises(BaselineError, match="no such package"):
        previous_release(Ecosystem.NPM, "absent", None, urls)
