"""The evaluation reads stored JSON results back: the round trip keeps what rules see."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace

import yaml

from analyzer.detect.engine import assess
from analyzer.detect.rule_cases import parse_cases
from analyzer.detect.rule_patterns import Problems
from analyzer.detect.rules import default_rules
from analyzer.models import Ecosystem
from analyzer.report.json_result import result_to_dict
from tests.eval.results import result_from_json

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


def test_a_result_survives_the_json_round_trip() -> None:
    problems = Problems()
    (case,), _ = parse_cases({"positive": [yaml.safe_load(textwrap.dedent(CASE))]}, "c",
                             problems, Ecosystem.PYPI)
    assert not problems
    original = assess(case.result, default_rules())
    again = result_from_json(json.loads(json.dumps(result_to_dict(original))))
    assert replace(again, verdict=original.verdict, score=original.score,
                   findings=original.findings) == original
    assert assess(again, default_rules()).findings == original.findings
