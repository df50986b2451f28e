"""The result codec: the JSON contract of ARCHITECTURE.md, its exact inverse, hostile input."""

from __future__ import annotations

import copy
import dataclasses
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from analyzer.detect.rules.cases import parse_cases
from analyzer.detect.rules.engine import assess
from analyzer.detect.rules.patterns import Problems
from analyzer.detect.rules.ruleset import default_rules
from analyzer.models import AnalysisResult, Ecosystem, Phase, Verdict
from analyzer.result_codec import (
    SCHEMA_VERSION,
    ResultFormatError,
    result_from_dict,
    result_to_dict,
)
from analyzer.signals import FileRole
from analyzer.web.page_size import MIB, cut_for_page
from tests.report.hostile import hostile_result
from tests.report.test_osv import malicious as osv_malicious
from tests.results import full_result, unscored_result
from tests.web.conftest import results as web_results
from tests.web.test_limits import disk_walker

STORED = sorted((Path(__file__).parent / "data" / "results").glob("*.json"))
CASE = """
name: reqeusts
typosquat: {target: requests, distance: 1, kind: swap}
metadata: {summary: x}
static: [{kind: exec-decoded, path: reqeusts-1.0/setup.py, line: 3, role: install}]
install:
  files: [{path: /tmp/x, access: chmod, mode: "0o755", pid: 7}, ~/.ssh/id_rsa]
  processes: [{argv: "sh -c id", pid: 7, ppid: 6, ok: false}]
  dns: [a.example]
  connections: ["203.0.113.5:4444"]
  http: [{method: POST, url: "https://a.example/x", body: "b", headers: {X-A: "1"}}]
  tls: [{sni: a.example, handshake: failed}]
  streams: [{port: 4444, data: "uid=1000(dev) gid=1000(dev)"}]
  leaks: [{token: npm-token, channel: dns, destination: a.example, pid: 7}]
"""


def _rule_case_result() -> AnalysisResult:
    problems = Problems()
    (case,), _ = parse_cases({"positive": [yaml.safe_load(textwrap.dedent(CASE))]}, "c",
                             problems, Ecosystem.PYPI)
    assert not problems
    return assess(case.result, default_rules())


def _through_json(result: AnalysisResult) -> AnalysisResult:
    return result_from_dict(json.loads(json.dumps(result_to_dict(result))))


def _deep(depth: int = 100_000) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _paths(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if path:
        yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*path, key))


# --- the contract ---------------------------------------------------------------------


def test_contract_fields_are_present_and_typed() -> None:
    document = json.loads(json.dumps(result_to_dict(unscored_result())))
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["package"] == {"ecosystem": "pypi", "name": "recon-pkg", "version": "0.1.0",
                                   "sha256": "ab" * 32, "filename": "recon-pkg-0.1.0.tar.gz"}
    assert document["verdict"] is None and document["score"] is None
    assert document["findings"] == [] and document["typosquat"] is None
    assert set(document["phases"]) == {"install", "import", "execute"}
    install = document["phases"]["install"]
    assert {"status", "duration_s", "exit_code", "files", "processes", "network",
            "forced"} <= set(install)
    assert set(install["network"]) == {"dns", "connections", "http", "tls", "streams"}
    assert install["processes"][0]["argv"] == ["sh", "-c", "id"]
    assert install["network"]["connections"][0]["outcome"] == "no route to host"
    assert document["phases"]["import"]["status"] == "timeout"
    assert document["iocs"] == {"domains": [], "ips": ["203.0.113.5"], "urls": []}
    assert document["dependencies"][0]["missing_reason"] == "no wheel for this platform"


def test_file_modes_are_octal_strings_and_the_persona_phase_is_kept() -> None:
    document = result_to_dict(full_result())
    persona = document["phases"]["persona"]
    assert persona["files"][0]["mode"] == "0o4755"
    assert persona["forced"] == ["persona: windows", "stand-in for winreg"]


# --- the exact inverse ----------------------------------------------------------------


@pytest.mark.parametrize("make", [unscored_result, full_result, hostile_result,
                                  _rule_case_result])
def test_a_result_survives_the_round_trip(make: Callable[[], AnalysisResult]) -> None:
    original = make()
    assert _through_json(original) == original


def _rule_cases() -> Iterator[tuple[str, AnalysisResult]]:
    for rule in default_rules().rules:
        for case in (*rule.positive, *rule.benign):
            yield f"{rule.id} {case.label}", case.result


def _report_results() -> Iterator[tuple[str, AnalysisResult]]:
    """The results the report and web tests render, each as the rules leave it."""
    yield "hostile", hostile_result()
    for verdict in Verdict:
        yield f"hostile-{verdict.value}", hostile_result(verdict=verdict, score=1.0)
    yield "osv-malicious", osv_malicious()
    yield "osv-npm", osv_malicious("@evil/pkg", "0.0.1", Ecosystem.NPM)
    yield "walker", cut_for_page(disk_walker(), 10 * MIB, "/report/1.json", 64 * 1024)
    for i, result in enumerate(web_results()):
        yield f"web-{i}", result


def test_every_rule_case_survives_the_round_trip_before_and_after_the_rules() -> None:
    rules = default_rules()
    cases = list(_rule_cases())
    assert len(cases) > 2 * len(rules.rules)  # every rule has cases: none were missed
    for label, result in cases:
        assert _through_json(result) == result, label
        assessed = assess(result, rules)
        assert _through_json(assessed) == assessed, label


def test_every_result_the_report_tests_make_survives_the_round_trip() -> None:
    made = list(_report_results())
    assert any("file events not shown" in note for _, r in made for note in r.notes)
    for label, result in made:
        assert _through_json(result) == result, label


def test_the_round_trip_keeps_what_rules_see() -> None:
    original = _rule_case_result()
    assert assess(_through_json(original), default_rules()).findings == original.findings


def _optional_fields(node: object) -> Iterator[tuple[str, bool]]:
    """(`Class.field`, set) for each optional field of each dataclass under `node`; `set`:
    the value is neither None nor the field's default."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _optional_fields(item)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return
    for spec in dataclasses.fields(node):
        value = getattr(node, spec.name)
        default = spec.default if spec.default_factory is dataclasses.MISSING \
            else spec.default_factory()
        if default is not dataclasses.MISSING or "None" in str(spec.type):
            name = f"{type(node).__name__}.{spec.name}"
            yield name, value is not None and value != default
        yield from _optional_fields(value)


def test_the_full_result_really_sets_every_optional_field() -> None:
    fields = list(_optional_fields(full_result()))
    assert {name for name, _ in fields} - {name for name, is_set in fields if is_set} == set()
    assert "PhaseResult.forced" in {name for name, _ in fields}


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.name)
def test_stored_results_decode_and_encode_back_unchanged(path: Path) -> None:
    document = json.loads(path.read_text())
    result = result_from_dict(document)
    assert _through_json(result) == result
    again = result_to_dict(result)
    # Newer keys (`forced`, `changes`...) may be added, and with them the minor version.
    assert again["schema_version"].split(".")[0] == document["schema_version"].split(".")[0]
    for key in set(document) - {"tool", "schema_version"}:
        assert _subset(document[key], again[key]), key


def _subset(old: Any, new: Any) -> bool:
    if isinstance(old, dict):
        return isinstance(new, dict) and all(k in new and _subset(v, new[k])
                                             for k, v in old.items())
    if isinstance(old, list):
        return isinstance(new, list) and len(old) == len(new) and all(
            _subset(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)


def test_an_older_document_without_newer_keys_decodes_with_defaults() -> None:
    document = result_to_dict(full_result())
    persona = document["phases"].pop("persona")
    for key in ("forced", "leaks", "resources", "output_tail"):
        del persona[key]
    del persona["network"]["streams"]
    del persona["files"][0]["mode"]
    document["phases"]["install"] = persona
    for key in ("static_signals", "notes", "metadata", "error", "typosquat", "trace"):
        del document[key]
    del document["schema_version"]
    result = result_from_dict(document)
    (install,) = result.phases
    assert install.phase is Phase.INSTALL and install.forced == () and install.output_tail == ""
    assert install.trace.files[0].mode is None and install.trace.network.streams == ()
    assert install.resources.cpu_s is None and result.trace_stats.unparsed_samples == ()
    assert result.error is None and result.metadata == {} and result.typosquat is None


@pytest.mark.parametrize(("path", "role"), [
    ("pkg-1.0/setup.py", FileRole.INSTALL),
    ("pkg-1.0/tests/test_a.py", FileRole.TEST),
    ("pkg-1.0/pkg/__init__.py", FileRole.CODE),
])
def test_a_signal_without_a_role_gets_the_scanners_role(path: str, role: FileRole) -> None:
    document = result_to_dict(full_result())
    document["static_signals"] = [{"kind": "exec-decoded", "path": path, "line": 1}]
    assert result_from_dict(document).static_signals[0].role is role


# --- untrusted documents --------------------------------------------------------------


MALFORMED: list[tuple[tuple[str | int, ...], Any, str]] = [
    (("package",), "pypi:x", "package"),
    (("package", "ecosystem"), "cargo", "package.ecosystem"),
    (("package", "name"), 1, "package.name"),
    (("verdict",), "evil", "verdict"),
    (("score",), "high", "score"),
    (("score",), True, "score"),
    (("phases",), [], "phases"),
    (("phases", "persona", "status"), "done", "phases.persona.status"),
    (("phases", "persona", "exit_code"), 1.5, "phases.persona.exit_code"),
    (("phases", "persona", "files", 0, "access"), "explode", "phases.persona.files[0].access"),
    (("phases", "persona", "files", 0, "mode"), "0o9", "phases.persona.files[0].mode"),
    (("phases", "persona", "files", 0, "mode"), 493, "phases.persona.files[0].mode"),
    (("phases", "persona", "processes", 0, "argv"), "node -e 1",
     "phases.persona.processes[0].argv"),
    (("phases", "persona", "processes", 0, "argv", 1), None,
     "phases.persona.processes[0].argv[1]"),
    (("phases", "persona", "network", "http", 0, "headers", 0), ["A"],
     "phases.persona.network.http[0].headers[0]"),
    (("phases", "persona", "network", "tls", 0, "port"), "443",
     "phases.persona.network.tls[0].port"),
    (("phases", "persona", "forced"), "all", "phases.persona.forced"),
    (("findings", 0, "severity"), "apocalyptic", "findings[0].severity"),
    (("findings", 0, "phase"), "later", "findings[0].phase"),
    (("typosquat", "distance"), "1", "typosquat.distance"),
    (("static_signals", 0, "kind"), "evil-kind", "static_signals[0].kind"),
    (("static_signals", 0, "role"), "main", "static_signals[0].role"),
    (("metadata", "description"), ["d"], "metadata.description"),
    (("trace", "unparsed_samples"), [1], "trace.unparsed_samples[0]"),
    (("iocs",), ["a.example"], "iocs"),
    (("schema_version",), "2.0", "schema_version"),
    (("schema_version",), 1, "schema_version"),
    (("notes",), _deep(), "notes[0]"),
    (("metadata",), {"x": _deep()}, "metadata.x"),
    (("phases", "persona", "files"), _deep(), "phases.persona.files[0]"),
]


@pytest.mark.parametrize(("path", "value", "field"), MALFORMED,
                         ids=[".".join(map(str, m[0])) for m in MALFORMED])
def test_malformed_documents_raise_one_error_naming_the_field(
        path: tuple[str | int, ...], value: Any, field: str) -> None:
    document = _set(result_to_dict(full_result()), path, value)
    with pytest.raises(ResultFormatError) as caught:
        result_from_dict(document)
    message = caught.value.diagnostics()
    assert message.startswith(field + ":") and "\n" not in str(caught.value), message


@pytest.mark.parametrize("path", [("package", "name"), ("phases", "install", "status"),
                                  ("started_at",)])
def test_a_missing_required_key_is_named(path: tuple[str, ...]) -> None:
    document = result_to_dict(hostile_result())
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    with pytest.raises(ResultFormatError, match=r"^" + r"\.".join(path) + ": missing$"):
        result_from_dict(document)


@pytest.mark.parametrize("doc", [None, [], "x", _deep()])
def test_a_document_that_is_not_an_object(doc: Any) -> None:
    with pytest.raises(ResultFormatError, match="^document: expected an object"):
        result_from_dict(doc)


def test_a_hostile_phase_name_stays_on_one_line() -> None:
    document = result_to_dict(full_result())
    document["phases"] = {"persona\n<script>" * 20: {}}
    with pytest.raises(ResultFormatError) as caught:
        result_from_dict(document)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_unknown_keys_are_ignored() -> None:
    document = result_to_dict(full_result())
    document["added_in_1_9"] = _deep()
    document["phases"]["persona"]["later"] = {"x": 1}
    assert result_from_dict(document) == full_result()


WRONG_VALUES = [None, True, -1, 1.5, "x", [], [None], {}, {"a": None}]


@pytest.mark.parametrize("make", [full_result, hostile_result])
def test_any_value_anywhere_decodes_or_raises_result_format_error(
        make: Callable[[], AnalysisResult]) -> None:
    original = result_to_dict(make())
    outcomes = {"decoded": 0, "refused": 0}
    for path in _paths(original):
        for value in WRONG_VALUES:
            try:
                result_from_dict(_set(original, path, value))
                outcomes["decoded"] += 1
            except ResultFormatError:
                outcomes["refused"] += 1
    assert outcomes["refused"] > outcomes["decoded"] > 0, outcomes
