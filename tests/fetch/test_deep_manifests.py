"""Manifests nested deep enough to exhaust the parser's recursion: one FetchError."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from analyzer.errors import FetchError
from analyzer.fetch.metadata import read_static_info

DEPTH = 100_000


def _tgz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("members", [
    {"deep-1.0/pyproject.toml": b"x = " + b"[" * DEPTH + b"]" * DEPTH + b"\n",
     "deep-1.0/setup.py": b""},
    {"deep-1.0/PKG-INFO": b"Name: deep\nVersion: 1.0\n",
     "deep-1.0/pyproject.toml": b"x = " + b"[" * DEPTH + b"]" * DEPTH + b"\n"},
    {"package/package.json": b'{"a": ' + b"[" * DEPTH + b"]" * DEPTH + b"}"},
], ids=["source-tree", "sdist", "npm"])
def test_a_manifest_nested_too_deep_is_a_fetch_error(tmp_path: Path,
                                                     members: dict[str, bytes]) -> None:
    archive = _tgz(tmp_path / "deep-1.0.tar.gz", members)
    with pytest.raises(FetchError, match="nested too deep"):
        read_static_info(archive)
