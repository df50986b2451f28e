"""Against the real registries (marked `network`): one known release from each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from analyzer.fetch import fetcher_for, parse_target
from analyzer.fetch.interface import RegistryUrls
from analyzer.fetch.npm_cache import NPM_CACHE_DIRNAME

pytestmark = pytest.mark.network

REQUESTS_2_32_3_SDIST = "55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760"


def test_requests_from_pypi(tmp_path: Path) -> None:
    target = parse_target("pypi:requests==2.32.3")
    fetched = fetcher_for(target, RegistryUrls()).fetch(target, tmp_path)
    assert fetched.ref.filename == "requests-2.32.3.tar.gz"
    assert fetched.ref.sha256 == REQUESTS_2_32_3_SDIST
    have = {str(canonicalize_name(d.name)): d.filename for d in fetched.dependencies}
    for name in ("urllib3", "idna", "certifi", "charset-normalizer"):
        filename = have.get(name)
        assert filename is not None and filename.endswith(".whl"), fetched.dependencies
        assert (fetched.dependency_dir / filename).is_file()
    assert all(p.suffix == ".whl" for p in fetched.dependency_dir.iterdir())


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm on the host")
def test_is_odd_from_npm(tmp_path: Path) -> None:
    target = parse_target("npm:is-odd@3.0.1")
    fetched = fetcher_for(target, RegistryUrls()).fetch(target, tmp_path)
    assert fetched.ref.filename == "is-odd-3.0.1.tgz"
    assert {(d.name, d.version) for d in fetched.dependencies} == {("is-number", "6.0.0")}
    assert (fetched.dependency_dir / NPM_CACHE_DIRNAME / "_cacache").is_dir()
