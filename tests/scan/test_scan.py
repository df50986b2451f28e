"""`pkgsandbox scan` and `osv import`: real lockfiles, OSV matching, typosquats, output."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from analyzer.models import Ecosystem
from analyzer.scan.commands import add_osv_parser, add_scan_parser, osv_command, scan_command
from analyzer.scan.formats import read_file
from analyzer.scan.interface import Dependency
from analyzer.scan.osv_match import OsvRecord, matches
from analyzer.scan.requirements import parse_requirements
from analyzer.terminal import printable

LOCKS = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
PYTHON = {("certifi", "2026.10.19.post1"), ("charset-normalizer", "3.5.3"), ("idna", "3.20"),
          ("requests", "2.32.3"), ("six", "1.17.0"), ("urllib3", "2.8.0")}
NODE = {("debug", "4.4.3"), ("left-pad", "1.3.0"), ("ms", "2.1.3")}
FILES = {"requirements/requirements.txt": PYTHON, "poetry/poetry.lock": PYTHON,
         "uv/uv.lock": PYTHON, "pipfile/Pipfile.lock": PYTHON,
         "npm-v1/package-lock.json": NODE, "npm-v2/package-lock.json": NODE,
         "npm-v3/package-lock.json": NODE, "yarn-v1/yarn.lock": NODE,
         "yarn-berry/yarn.lock": NODE, "pnpm/pnpm-lock.yaml": NODE}


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    add_scan_parser(commands)
    add_osv_parser(commands)
    return parser.parse_args(argv)


def _record(tmp_path: Path, name: str, version: str, ecosystem: str = "npm") -> Path:
    folder = tmp_path / "mp" / "osv" / "malicious" / ecosystem.lower() / name
    folder.mkdir(parents=True)
    (folder / "MAL-2099-1.json").write_text(json.dumps({
        "schema_version": "1.7.4", "id": "MAL-2099-1", "modified": "2099-01-01T00:00:00Z",
        "summary": f"Malicious code in {name}",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                      "versions": [version]}]}))
    (folder / "MAL-2099-2.json").write_text("{not json")
    return tmp_path / "mp"


@pytest.mark.parametrize("relative", sorted(FILES))
def test_each_real_lockfile_parses_to_its_packages(relative: str) -> None:
    found, problems = read_file(LOCKS / relative)
    assert problems == []
    assert {(d.name.lower(), d.version) for d in found} == FILES[relative]


def test_known_malicious_pin_found_through_an_imported_record(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    source = _record(tmp_path, "left-pad", "1.3.0")
    for _ in range(2):  # idempotent
        assert osv_command(_parse(["osv", "import", str(source), "--db", db])) == 0
    assert "1 OSV records imported, 1 bad" in capsys.readouterr().out
    out = io.StringIO()
    args = _parse(["scan", str(LOCKS / "npm-v3/package-lock.json"), "--db", db, "--json",
                   "--fail-on", "malicious", "--osv-dir", str(tmp_path / "none")])
    assert scan_command(args, out) == 1
    findings = json.loads(out.getvalue())["findings"]
    assert [(f["name"], f["reference"]) for f in findings if f["check"] == "osv"] == [
        ("left-pad", "MAL-2099-1")]


def test_end_to_end_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from analyzer.cli import main

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    source = _record(tmp_path, "Charset_Normalizer", "3.5.3", "PyPI")
    assert main(["osv", "import", str(source), "--db", db]) == 0
    code = main(["scan", str(LOCKS / "uv/uv.lock"), "--db", db, "--fail-on", "malicious"])
    assert code == 1
    assert "MAL-2099-1" in capsys.readouterr().out


def test_a_range_matches_when_an_affected_version_satisfies_it() -> None:
    record = OsvRecord.from_json({"id": "MAL-1", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "Evil.Pkg"}, "versions": ["1.5"]},
        {"package": {"ecosystem": "npm", "name": "evil"},
         "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.0"}]}]}]})
    assert matches(record, Dependency(Ecosystem.PYPI, "evil-pkg", None, ">=1,<2", "r"))
    assert not matches(record, Dependency(Ecosystem.PYPI, "evil-pkg", None, ">=2", "r"))
    assert matches(record, Dependency(Ecosystem.NPM, "evil", "1.1.9", None, "r"))
    assert not matches(record, Dependency(Ecosystem.NPM, "evil", "1.2.0", None, "r"))


def test_typosquat_found(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("reqeusts==2.0.0\n")
    out = io.StringIO()
    args = _parse(["scan", str(requirements), "--db", f"sqlite:///{tmp_path / 'db'}",
                   "--fail-on", "suspicious"])
    assert scan_command(args, out) == 1
    assert "imitates requests" in out.getvalue()


def test_bad_inputs_are_one_line_each_and_the_scan_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "package-lock.json"
    broken.write_text("{broken")
    unknown = tmp_path / "notes.md"
    unknown.write_text("hello")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("git+https://example.org/x.git\n./local\nhttps://e.org/a.whl\n"
                            "six==1.17.0\n")
    out = io.StringIO()
    args = _parse(["scan", str(broken), str(unknown), str(requirements),
                   str(LOCKS / "npm-v1/package-lock.json"), "--db",
                   f"sqlite:///{tmp_path / 'db'}"])
    assert scan_command(args, out) == 0
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 5
    assert "not valid JSON" in errors[0] and "unknown format" in errors[1]
    assert all("not checked" in line for line in errors[2:])
    assert "4 dependencies checked" in out.getvalue()


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    from analyzer.errors import Error

    with pytest.raises(Error, match="no such file"):
        scan_command(_parse(["scan", str(tmp_path / "nope.txt")]))


def test_requirements_pins_and_ranges() -> None:
    found, problems = parse_requirements("a==1.0 \\\n  --hash=sha256:00\nb>=2,<3 # c\n-e .\n", "r")
    assert [(d.name, d.version, d.spec) for d in found] == [("a", "1.0", None),
                                                           ("b", None, "<3,>=2")]
    assert len(problems) == 1


def test_names_are_made_safe_for_a_terminal() -> None:
    assert printable("evil\x1b[2Jname\n") == "evil\\x1b[2Jname\\n"


def test_sarif_output_has_the_2_1_0_shape(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("reqeusts==2.0.0\n")
    out = io.StringIO()
    scan_command(_parse(["scan", str(requirements), "--db", f"sqlite:///{tmp_path / 'db'}",
                         "--sarif"]), out)
    document = json.loads(out.getvalue())
    assert document["version"] == "2.1.0"
    result = document["runs"][0]["results"][0]
    assert result["ruleId"] == "pkgsandbox/typosquat" and result["level"] == "warning"
    rule_ids = {r["id"] for r in document["runs"][0]["tool"]["driver"]["rules"]}
    assert result["ruleId"] in rule_ids
