"""OSV records: valid against the official schema, stable ids, hostile names kept as data."""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.models import (
    AnalysisResult,
    Ecosystem,
    Finding,
    Iocs,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    Resources,
    Severity,
    TraceStats,
    Typosquat,
    Verdict,
)
from analyzer.report.osv import DEFAULT_PREFIX, details, osv_id, osv_record, purl, write_osv

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "osv" / "schema.json"


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def assert_valid(record: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(record), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def malicious(name: str = "reqeusts", version: str = "1.0.0",
              ecosystem: Ecosystem = Ecosystem.PYPI) -> AnalysisResult:
    phases = tuple(PhaseResult(p, PhaseStatus.COMPLETED, 1.0, 0, PhaseTrace(),
                               Resources(None, None)) for p in Phase)
    return AnalysisResult(
        package=PackageRef(ecosystem, name, version, "ab" * 32, f"{name}-{version}.tar.gz"),
        started_at="2026-03-04T05:06:07+00:00", duration_s=12.5, phases=phases,
        dependencies=(), trace_stats=TraceStats(1, 1, 0, 10),
        verdict=Verdict.MALICIOUS, score=17.5,
        findings=(
            Finding("honeytoken-leak", Severity.CRITICAL, Phase.INSTALL,
                    "Sends a planted secret out of the sandbox",
                    ("honeytoken aws-secret-access-key left through http to "
                     "POST https://c.example/x",)),
            Finding("static-obfuscation", Severity.HIGH, None, "Obfuscated code",
                    ("setup.py:3: obfuscation: exec(''.join(map(chr,[...])))",)),
        ),
        iocs=Iocs(domains=("c.example",), ips=("203.0.113.9",), urls=("https://c.example/x",)),
        typosquat=Typosquat("requests", 1, "swap"),
    )


def test_a_record_validates_and_looks_like_malicious_packages() -> None:
    record = osv_record(malicious())
    assert_valid(record)
    assert record["summary"] == "Malicious code in reqeusts (PyPI)"
    assert record["modified"] == record["published"] == "2026-03-04T05:06:07Z"
    (affected,) = record["affected"]
    assert affected["package"] == {"ecosystem": "PyPI", "name": "reqeusts",
                                   "purl": "pkg:pypi/reqeusts@1.0.0"}
    assert affected["versions"] == ["1.0.0"]
    assert affected["database_specific"]["cwes"][0]["cweId"] == "CWE-506"
    database = record["database_specific"]
    assert database["iocs"] == {"domains": ["c.example"], "ips": ["203.0.113.9"],
                                "urls": ["https://c.example/x"]}
    assert [f["rule"] for f in database["findings"]] == ["honeytoken-leak", "static-obfuscation"]
    assert database["findings"][0]["evidence"][0].startswith("honeytoken aws-secret")
    assert database["tool"]["name"] == "pkgsandbox"
    assert database["analysis"]["started_at"] == "2026-03-04T05:06:07Z"
    assert database["typosquat"] == {"target": "requests", "kind": "swap", "distance": 1}


def test_details_say_what_happened_and_when() -> None:
    text = details(malicious())
    assert "When installed:" in text
    assert "In its files, without running them:" in text
    assert "Sends a planted secret out of the sandbox" in text
    assert "imitates the popular package requests" in text
    assert "It tried to reach: c.example, 203.0.113.9." in text


def test_the_id_is_stable_and_depends_on_package_and_version_only() -> None:
    first = osv_record(malicious())["id"]
    later = replace(malicious(), started_at="2027-01-01T00:00:00+00:00", score=30.0,
                    findings=())
    assert osv_record(later)["id"] == first
    assert first.startswith(f"{DEFAULT_PREFIX}-") and len(first) == len(DEFAULT_PREFIX) + 17
    # PEP 503: the same PyPI project however its name is spelt.
    assert osv_record(malicious(name="ReqEusts"))["id"] == first
    assert osv_record(malicious(name="req_eusts"))["id"] == \
        osv_record(malicious(name="req-eusts"))["id"]
    assert osv_record(malicious(version="1.0.1"))["id"] != first
    assert osv_record(malicious(ecosystem=Ecosystem.NPM))["id"] != first


def test_the_prefix_is_configurable_and_checked() -> None:
    record = osv_record(malicious(), id_prefix="MAL")
    assert record["id"].startswith("MAL-")
    assert_valid(record)
    for bad in ("", "a b", "../x", "PKG/1"):
        with pytest.raises(ValueError):
            osv_id(malicious().package, bad)


def test_npm_scoped_names_and_purls() -> None:
    record = osv_record(malicious(name="@evil/lodash", version="4.17.22-beta+x",
                                  ecosystem=Ecosystem.NPM))
    assert_valid(record)
    assert record["summary"] == "Malicious code in @evil/lodash (npm)"
    assert record["affected"][0]["package"]["purl"] == "pkg:npm/%40evil/lodash@4.17.22-beta%2Bx"


HOSTILE = ["a\nb", "x](https://evil.example)", "<script>alert(1)</script>", "../../etc/passwd",
           "pkg\u202egnp.exe", "`rm -rf ~`", 'q"uote\\', "*bold* _it_ # h"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_stay_data(name: str, tmp_path: Path) -> None:
    result = replace(malicious(name=name, ecosystem=Ecosystem.NPM),
                     findings=(Finding("r", Severity.HIGH, Phase.IMPORT, "t", (name,)),))
    record = osv_record(result)
    assert_valid(record)
    assert record["affected"][0]["package"]["name"] == name
    assert "/" not in record["id"]
    plain = osv_record(replace(result, package=replace(result.package, name="plain"),
                               findings=(Finding("r", Severity.HIGH, Phase.IMPORT, "t", ("p",)),)))
    assert len(record["details"].splitlines()) == len(plain["details"].splitlines())
    for line in record["details"].splitlines():
        assert "](" not in line and "<script>" not in line
        assert "`" not in line.replace("\\`", "")
    path = write_osv(result, tmp_path / "osv")
    assert path.parent == tmp_path / "osv" and path.name == f"{record['id']}.json"
    assert json.loads(path.read_text())["affected"][0]["package"]["name"] == name


def test_write_osv_replaces_the_record_whole(tmp_path: Path) -> None:
    first = write_osv(malicious(), tmp_path)
    again = write_osv(replace(malicious(), score=99.0), tmp_path,
                      modified=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    assert first == again
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    written = json.loads(again.read_text())
    assert written["database_specific"]["score"] == 99.0
    assert written["modified"] == "2026-05-01T12:00:00Z"
    assert_valid(written)


def test_only_malicious_results_get_a_record() -> None:
    for verdict in (Verdict.SUSPICIOUS, Verdict.BENIGN, Verdict.ERROR, None):
        with pytest.raises(ValueError):
            osv_record(replace(malicious(), verdict=verdict))


def test_purl_normalises_pypi_names() -> None:
    assert purl(malicious(name="Django_REST.framework").package) == \
        "pkg:pypi/django-rest-framework@1.0.0"
