"""A rule's cases are read into the models with typed reads: a wrong type is a problem."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from analyzer.detect.rules.cases import parse_cases
from analyzer.detect.rules.patterns import Problems
from analyzer.models import Ecosystem


def _problems(case: str) -> list[str]:
    problems = Problems()
    positive, _ = parse_cases({"positive": [yaml.safe_load(case)]}, "c", problems,
                              Ecosystem.PYPI)
    assert not positive or not problems
    return problems.items


@pytest.mark.parametrize(("case", "problem"), [
    ("install: {files: [{path: /x, pid: '7'}]}",
     "c.positive[0].install.files[0].pid: expected an integer, got a string"),
    ("install: {files: [{path: /x, ok: 'no'}]}",
     "c.positive[0].install.files[0].ok: expected true or false, got a string"),
    ("install: {files: [{path: /x, mode: 493}]}",
     "c.positive[0].install.files[0].mode: expected a string, got a number"),
    ("install: {files: [{path: /x, access: explode}]}",
     "c.positive[0].install.files[0].access: unknown value 'explode' (expected read, write"),
    ("install: {processes: [{argv: [sh, 1]}]}",
     "c.positive[0].install.processes[0].argv[1]: expected a string, got a number"),
    ("install: {tls: [{sni: a.example, alpn: h2}]}",
     "c.positive[0].install.tls[0].alpn: expected a list, got a string"),
    ("install: {connections: [{address: 203.0.113.5, port: '443'}]}",
     "c.positive[0].install.connections[0].port: expected an integer, got a string"),
    ("typosquat: {target: requests, distance: one}",
     "c.positive[0].typosquat.distance: expected an integer, got a string"),
    ("static: [{kind: exec-decoded, role: main}]",
     "c.positive[0].static[0].role: unknown value 'main'"),
    ("ecosystem: cargo", "c.positive[0].ecosystem: unknown value 'cargo'"),
])
def test_a_value_of_the_wrong_type_is_a_problem_naming_the_field(case: str,
                                                                 problem: str) -> None:
    (found,) = _problems(case)
    assert found.startswith(problem), found


def test_every_problem_of_a_case_is_reported() -> None:
    found = _problems("install: {files: [{path: /x, pid: x}, {path: 1}], dns: [{name: 2}]}")
    assert [p.split(":")[0] for p in found] == [
        "c.positive[0].install.files[0].pid", "c.positive[0].install.files[1].path",
        "c.positive[0].install.dns[0].name"]


def test_a_well_typed_case_reads_as_before() -> None:
    case: dict[str, Any] = yaml.safe_load(
        "install: {files: [{path: ~/.ssh/id_rsa, mode: '0o600'}], processes: ['sh -c id'],"
        " dns: [a.example], tls: [{sni: a.example, alpn: [h2]}]}")
    problems = Problems()
    (positive,), _ = parse_cases({"positive": [case]}, "c", problems, Ecosystem.NPM)
    trace = positive.result.phases[0].trace
    assert not problems and trace.files[0].path == "/home/dev/.ssh/id_rsa"
    assert trace.files[0].mode == 0o600 and trace.files[0].process == "node"
    assert trace.processes[0].argv == ("sh", "-c", "id") and trace.network.tls[0].alpn == ("h2",)
    assert trace.network.dns[0].pid == 100
