"""The shipped popularity lists: loaded from the package, validated, refreshed all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.detect.typosquat.checker import PopularListError, load_popular, refresh_popular_lists
from analyzer.detect.typosquat.lists import FILENAMES, MIN_NAMES, NPM_HEADER, parse_popular
from analyzer.errors import Error
from analyzer.models import Ecosystem

PYPI_NAMES = [f"project-{i}" for i in range(MIN_NAMES)]
NPM_ROWS = [f"package-{i}\t{10_000 - i}" for i in range(MIN_NAMES)]


def _write_lists(directory: Path, pypi: list[str], npm: list[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / FILENAMES[Ecosystem.PYPI]).write_text("\n".join(pypi) + "\n")
    (directory / FILENAMES[Ecosystem.NPM]).write_text("\n".join([NPM_HEADER, *npm]) + "\n")
    return directory


def test_shipped_lists_load_most_popular_first() -> None:
    pypi = load_popular(Ecosystem.PYPI)
    npm = load_popular(Ecosystem.NPM)
    assert len(pypi) >= 14_000 and len(npm) >= 19_000
    assert {"boto3", "requests", "numpy"} <= set(pypi[:100])
    assert {"lodash", "debug", "@types/node"} <= set(npm[:200])
    assert "JSONStream" in npm  # legacy capitals are kept as listed


def test_refresh_copies_valid_lists(tmp_path: Path) -> None:
    source = _write_lists(tmp_path / "source", PYPI_NAMES, NPM_ROWS)
    dest = tmp_path / "dest"
    counts = refresh_popular_lists(source, dest_dir=dest)
    assert counts == {Ecosystem.PYPI: MIN_NAMES, Ecosystem.NPM: MIN_NAMES}
    for filename in FILENAMES.values():
        assert (dest / filename).read_bytes() == (source / filename).read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == sorted(FILENAMES.values())


def test_refresh_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    pypi = [*PYPI_NAMES, "not a name", "Project_1"]
    npm = ["@bad scope/x\t5", "package-x\tmany", "package-y\t999999", "no-tab-here"]
    source = _write_lists(tmp_path / "source", pypi, [*NPM_ROWS, *npm])
    dest = tmp_path / "dest"
    with pytest.raises(PopularListError) as caught:
        refresh_popular_lists(source, dest_dir=dest)
    message = str(caught.value)
    for problem in (
        "'not a name' is not a PyPI project name",
        "'Project_1' repeats line 2",
        "'@bad scope/x' is not an npm package name",
        "downloads 'many' is not a whole number",
        "'package-y' has more downloads than the line above",
        "expected name<TAB>monthly_downloads",
    ):
        assert problem in message
    assert "\n" not in message
    assert isinstance(caught.value, Error)
    assert not dest.exists()


def test_refresh_needs_both_files(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / FILENAMES[Ecosystem.PYPI]).write_text("\n".join(PYPI_NAMES))
    with pytest.raises(PopularListError, match="popular-npm.tsv: cannot read it"):
        refresh_popular_lists(source, dest_dir=tmp_path / "dest")


@pytest.mark.parametrize(
    ("data", "ecosystem", "problem"),
    [
        (b"", Ecosystem.PYPI, f"only 0 names; a full list has at least {MIN_NAMES}"),
        (b"\xff\xfe", Ecosystem.PYPI, "not UTF-8 text"),
        (b"name,downloads\n", Ecosystem.NPM, "line 1: the header must be"),
        (b"requests\n\nnumpy\n", Ecosystem.PYPI, "line 2: '' is not a PyPI project name"),
    ],
)
def test_parse_popular_problems(data: bytes, ecosystem: Ecosystem, problem: str) -> None:
    _, problems = parse_popular(data, ecosystem)
    assert any(problem in found for found in problems), problems


def test_many_problems_are_summed_up(tmp_path: Path) -> None:
    source = _write_lists(tmp_path / "source", [*PYPI_NAMES, *["bad name"] * 25], NPM_ROWS)
    with pytest.raises(PopularListError, match="and 15 more problems$"):
        refresh_popular_lists(source, dest_dir=tmp_path / "dest")
