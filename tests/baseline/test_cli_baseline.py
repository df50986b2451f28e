"""`analyze --baseline`: a wrong baseline is one line and exit 2, before any sandbox run."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.options import baseline_choice
from tests.cli.test_cli_errors import run_error
from tests.fetch.conftest import FakeRegistry, registry  # noqa: F401 - the fixture
from tests.packages import PACKAGES, build_npm_tgz


def test_a_local_file_has_no_baseline(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    tgz = build_npm_tgz(PACKAGES / "npm-small", tmp_path)
    line = run_error(capsys, "analyze", str(tgz), "--baseline", "auto")
    assert line == ("pkgsandbox: error: a baseline needs a registry target (pypi:NAME==VER or "
                    "npm:NAME@VER), not a local file")


def test_the_release_itself_is_no_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    line = run_error(capsys, "analyze", "npm:left-pad@1.3.0", "--baseline", "1.3.0")
    assert line == "pkgsandbox: error: the baseline '1.3.0' is the release analysed"


def test_an_unknown_release_has_no_baseline(capsys: pytest.CaptureFixture[str],
                                            registry: FakeRegistry,  # noqa: F811
                                            tmp_path: Path) -> None:
    tgz = build_npm_tgz(PACKAGES / "npm-small", tmp_path)
    registry.add_npm("npm-small", "1.0.0", tgz)
    line = run_error(capsys, "analyze", "npm:npm-small@2.0.0", "--baseline", "auto",
                     "--npm-registry-url", registry.urls.npm)
    assert line == "pkgsandbox: error: no such version on npm: npm-small@2.0.0"


@pytest.mark.parametrize("value", ["", "1.0 2.0", "a\x1bb"])
def test_a_baseline_that_is_no_version_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                                         value: str) -> None:
    assert main(["analyze", "npm:left-pad", "--baseline", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pkgsandbox: error: argument --baseline: expected a version, auto "
                          "or none") and len(err.strip().splitlines()) == 1


def test_a_store_named_but_missing_is_one_line(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    line = run_error(capsys, "analyze", "npm:left-pad@1.3.0", "--baseline", "1.2.0",
                     "--db", f"sqlite:///{tmp_path}/none.db")
    assert "no database at sqlite:///" in line


def test_a_baseline_version_that_cannot_be_fetched_fails_before_the_run(
        capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PKGSANDBOX_DB", f"sqlite:///{tmp_path}/absent.db")
    tgz = build_npm_tgz(PACKAGES / "npm-small", tmp_path)
    registry.add_npm("small-npm-pkg", "1.0.0", tgz)
    line = run_error(capsys, "analyze", "npm:small-npm-pkg@1.0.0", "--baseline", "0.9.0",
                     "--npm-registry-url", registry.urls.npm)
    assert line == "pkgsandbox: error: no such version on npm: small-npm-pkg@0.9.0"
    # Only the packument was read: nothing of 1.0.0 was downloaded, nothing ran.
    assert not [hit for hit in registry.hits if hit.endswith(".tgz")]


def test_none_means_no_baseline_and_anything_else_is_kept() -> None:
    assert baseline_choice("none") is None
    assert baseline_choice("auto") == "auto"
    assert baseline_choice(" 1.2.3 ") == "1.2.3"
