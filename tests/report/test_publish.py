"""One output policy for the CLI, the worker and the review server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.models import Ecosystem, Verdict
from analyzer.report.osv import osv_id
from analyzer.report.publish import Outputs, publish
from tests.store.builders import EXFIL, analysis_result


@pytest.mark.parametrize(("verdict", "in_folder", "osv"), [
    (Verdict.MALICIOUS, True, True),
    (Verdict.SUSPICIOUS, True, False),
    (Verdict.BENIGN, False, False),
])
def test_each_output_is_written_for_the_verdicts_it_is_for(
        tmp_path: Path, verdict: Verdict, in_folder: bool, osv: bool) -> None:
    result = analysis_result(Ecosystem.NPM, "../../etc/x", "1.0.0", verdict,
                             findings=(EXFIL,) if verdict is not Verdict.BENIGN else ())
    outputs = Outputs(result_json=tmp_path / "out" / "result.json",
                      report=tmp_path / "page.html", report_dir=tmp_path / "html",
                      osv_dir=tmp_path / "osv")
    published = publish(result, outputs)
    assert json.loads((tmp_path / "out" / "result.json").read_text())["verdict"] == verdict.value
    assert (tmp_path / "page.html").read_text().startswith("<!DOCTYPE html>")
    page = tmp_path / "html" / f"{osv_id(result.package)}.html"  # never the package's name
    assert page.exists() is in_folder
    assert (published.osv is not None) is osv
    assert sorted(p.name for p in (tmp_path / "osv").glob("*")) == (
        [f"{osv_id(result.package)}.json"] if osv else [])
    assert set(published.files) == {p for p in tmp_path.rglob("*") if p.is_file()}


def test_nothing_asked_is_nothing_written(tmp_path: Path) -> None:
    result = analysis_result(Ecosystem.PYPI, "demo", "1.0", Verdict.MALICIOUS, findings=(EXFIL,))
    assert publish(result, Outputs()).files == ()
