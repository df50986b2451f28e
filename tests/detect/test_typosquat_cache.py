"""The per-user cache of built typosquat indexes: reused, rebuilt when its list changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.detect.typosquat.cache import cache_dir, cached
from analyzer.detect.typosquat.checker import TyposquatChecker
from analyzer.models import Ecosystem


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _builder(names: list[str], built: list[int]):  # type: ignore[no-untyped-def]
    def build() -> TyposquatChecker:
        built.append(1)
        return TyposquatChecker(names, Ecosystem.PYPI)
    return build


def test_built_once_then_read_back(tmp_path: Path) -> None:
    listed = tmp_path / "popular.txt"
    listed.write_text("requests\nflask\n")
    built: list[int] = []
    first = cached("t", listed, _builder(["requests", "flask"], built), TyposquatChecker)
    again = cached("t", listed, _builder(["requests", "flask"], built), TyposquatChecker)
    assert built == [1]
    assert again is not first and again.check("reqeusts") == first.check("reqeusts")
    assert oct(cache_dir().stat().st_mode & 0o777) == "0o700"


def test_a_changed_list_or_a_broken_file_builds_afresh(tmp_path: Path) -> None:
    listed = tmp_path / "popular.txt"
    listed.write_text("requests\n")
    built: list[int] = []
    cached("t", listed, _builder(["requests"], built), TyposquatChecker)
    listed.write_text("requests\nnumpy\n")
    cached("t", listed, _builder(["requests", "numpy"], built), TyposquatChecker)
    assert len(built) == 2
    for stored in cache_dir().glob("t-*.pickle"):
        stored.write_bytes(b"not a pickle")
    checker = cached("t", listed, _builder(["requests", "numpy"], built), TyposquatChecker)
    assert len(built) == 3 and checker.check("nunpy") is not None


def test_an_unwritable_cache_is_not_used(tmp_path: Path, private_cache: Path) -> None:
    private_cache.write_text("a file where the folder would be")
    listed = tmp_path / "popular.txt"
    listed.write_text("requests\n")
    built: list[int] = []
    for _ in range(2):
        cached("t", listed, _builder(["requests"], built), TyposquatChecker)
    assert built == [1, 1]
