"""`scan --sarif` checked by the SARIF SDK's own validator (Microsoft's SARIF Multitool,
from the npm registry): the SARIF 2.1.0 JSON schema and the spec's rules beside it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from analyzer.scan.commands import osv_command, scan_command
from tests.scan.test_scan import LOCKS, _parse, _record

pytestmark = pytest.mark.network

MULTITOOL = "@microsoft/sarif-multitool@5.7.0"


@pytest.fixture(scope="module")
def multitool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("npm") is None:
        pytest.fail("npm is needed to install the SARIF validator")
    folder = tmp_path_factory.mktemp("sarif-multitool")
    subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                    str(folder), MULTITOOL], check=True, capture_output=True, timeout=600)
    return folder / "node_modules" / ".bin" / "sarif-multitool"


def _validate(multitool: Path, document: dict[str, Any], folder: Path) -> list[tuple[str, str]]:
    """(rule, level) of every problem the validator reports."""
    log, report = folder / "scan.sarif", folder / "validation.sarif"
    log.write_text(json.dumps(document))
    report.unlink(missing_ok=True)
    subprocess.run([str(multitool), "validate", "--output", str(report), str(log)],
                   check=True, capture_output=True, timeout=300)
    validation = json.loads(report.read_text())
    return [(r["ruleId"], r.get("level", "warning"))
            for run in validation["runs"] for r in run.get("results", [])]


def test_scan_sarif_validates_against_the_sarif_2_1_0_schema(
        tmp_path: Path, multitool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert osv_command(_parse(["osv", "import", str(_record(tmp_path, "left-pad", "1.3.0")),
                               "--db", db])) == 0
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("reqeusts==2.0.0\n")
    monkeypatch.chdir(project)
    out = io.StringIO()
    # One lockfile inside the folder scanned from (a relative URI), one outside it.
    scan_command(_parse(["scan", "requirements.txt", str(LOCKS / "npm-v3/package-lock.json"),
                         "--db", db, "--sarif", "--osv-dir", str(tmp_path / "none")]), out)
    document = json.loads(out.getvalue())
    checks = {r["ruleId"] for r in document["runs"][0]["results"]}
    assert checks == {"pkgsandbox/osv", "pkgsandbox/typosquat"}
    problems = _validate(multitool, document, tmp_path)
    assert [p for p in problems if p[1] == "error"] == []

    # The validator does check: the same log without the tool's name is refused.
    del document["runs"][0]["tool"]["driver"]["name"]
    assert ("JSON1002", "error") in _validate(multitool, document, tmp_path)
