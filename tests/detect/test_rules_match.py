"""What the rule language means: phase binding, all/any/not, unless, globs, process
lineage, droppers, grouped DNS, and evidence that quotes events safely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from analyzer.detect.rules.cases import parse_cases
from analyzer.detect.rules.engine import Contexts, evaluate, evaluate_rule
from analyzer.detect.rules.leaves import script_paths
from analyzer.detect.rules.match import MAX_EVIDENCE
from analyzer.detect.rules.patterns import Problems, host_glob, path_glob
from analyzer.detect.rules.ruleset import Rule, default_rules, load_rules
from analyzer.models import AnalysisResult, Ecosystem, Finding, Phase

SCORING = "scoring: {thresholds: {suspicious: 4, malicious: 10}, repeat_decay: 0.5}\n"


@pytest.fixture
def make_rule(tmp_path: Path):  # type: ignore[no-untyped-def]
    counter = iter(range(1000))

    def make(match: str, **fields: str) -> Rule:
        folder = tmp_path / f"r{next(counter)}"
        folder.mkdir()
        (folder / "scoring.yaml").write_text(SCORING)
        extra = "".join(f"    {k}: {v}\n" for k, v in fields.items())
        body = textwrap.indent(textwrap.dedent(match).strip(), "      ")
        (folder / "r.yaml").write_text(
            "rules:\n  - id: probe\n    title: Probe\n    description: d\n    severity: high\n"
            f"    weight: 1\n{extra}    match:\n{body}\n")
        return load_rules([folder]).rules[0]

    return make


def case(text: str, ecosystem: Ecosystem = Ecosystem.PYPI) -> AnalysisResult:
    problems = Problems()
    positive, _ = parse_cases({"positive": [yaml.safe_load(textwrap.dedent(text))]}, "case",
                              problems, ecosystem)
    assert not problems, problems.items
    return positive[0].result


def fired(rule: Rule, result: AnalysisResult) -> list[Finding]:
    return evaluate_rule(rule, Contexts(result))


def test_trace_clauses_bind_within_one_phase(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("""
        all:
          - file: {path: "~/.aws/credentials"}
          - dns: {}
    """)
    same = case("install: {files: [~/.aws/credentials], dns: [x.example]}")
    split = case("install: {files: [~/.aws/credentials]}\nimport: {dns: [x.example]}")
    (finding,) = fired(rule, same)
    assert finding.phase is Phase.INSTALL
    assert finding.evidence == ("read /home/dev/.aws/credentials by python3 (pid 100)",
                                "DNS A query for x.example")
    assert fired(rule, split) == []


def test_static_clauses_hold_in_every_phase_and_alone_make_one_finding(make_rule) -> None:  # type: ignore[no-untyped-def]
    static = make_rule("signal: {kind: [exec-decoded]}")
    mixed = make_rule("""
        all:
          - signal: {kind: [exec-decoded]}
          - dns: {}
    """)
    result = case("""
        static: [{kind: exec-decoded, path: setup.py, line: 3, excerpt: "exec(b64decode(x))"}]
        install: {dns: [a.example]}
        import: {dns: [b.example]}
    """)
    (finding,) = fired(static, result)
    assert finding.phase is None
    assert finding.evidence == ("setup.py:3: exec-decoded: exec(b64decode(x))",)
    assert [f.phase for f in fired(mixed, result)] == [Phase.INSTALL, Phase.IMPORT]


def test_rule_phases_and_ecosystems_limit_where_it_looks(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("dns: {}", phases="[import]", ecosystems="[npm]")
    assert fired(rule, case("import: {dns: [a.example]}", Ecosystem.NPM))
    assert fired(rule, case("install: {dns: [a.example]}", Ecosystem.NPM)) == []
    assert fired(rule, case("import: {dns: [a.example]}", Ecosystem.PYPI)) == []


def test_any_collects_every_branch_and_not_negates(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("""
        all:
          - any:
              - dns: {name: ["*.evil.example"]}
              - http: {method: [POST]}
          - not:
              file: {path: /tmp/allow}
    """)
    result = case("""
        install:
          dns: [c2.evil.example]
          http: [{method: POST, url: "http://c2.evil.example/x", body: "hi"}]
    """)
    (finding,) = fired(rule, result)
    assert finding.evidence == ("DNS A query for c2.evil.example",
                                "HTTP POST http://c2.evil.example/x body: hi")
    allowed = case("install: {dns: [c2.evil.example], files: [/tmp/allow]}")
    assert fired(rule, allowed) == []


def test_unless_removes_events_and_min_count_counts_distinct_hits(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("""
        file:
          access: [delete]
          path: "~/**"
          unless: {path: "~/.cache/**"}
          min_count: 2
    """)
    assert fired(rule, case("install: {files: [{path: ~/a, access: delete}, "
                            "{path: ~/.cache/x, access: delete}]}")) == []
    (finding,) = fired(rule, case("install: {files: [{path: ~/a, access: delete}, "
                                  "{path: ~/b, access: delete}]}"))
    assert len(finding.evidence) == 2


@pytest.mark.parametrize(("glob", "path", "matches"), [
    ("~/.ssh/id_*", "/home/dev/.ssh/id_rsa", True),
    ("~/.ssh/id_*", "/home/dev/.ssh/sub/id_rsa", False),
    ("~/.ssh/id_*", "/root/.ssh/id_rsa", False),
    ("~/**/Cookies", "/home/dev/.config/google-chrome/Default/Cookies", True),
    ("~/.{bashrc,profile}", "/home/dev/.profile", True),
    ("~/.{bashrc,profile}", "/home/dev/.zshrc", False),
    ("/etc/cron*/**", "/etc/cron.d/job", True),
    ("/tmp/[!.]*", "/tmp/.hidden", False),
])
def test_path_globs(glob: str, path: str, matches: bool) -> None:
    assert path_glob(glob).match(path) is matches


def test_host_globs_are_case_blind_and_cross_dots() -> None:
    assert host_glob("*.oast.fun").match("A.B.OAST.FUN")
    assert not host_glob("*.oast.fun").match("oast.fun")
    assert not host_glob("discord.com").match("discord.com.evil.example")


def test_parent_ancestor_and_root(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("""
        process:
          executable: [sh]
          unless:
            - parent: {argv: ["^npm "]}
            - ancestor: {executable: [make]}
            - root: true
    """)
    result = case("""
        install:
          processes:
            - {argv: "npm install x", pid: 1}
            - {argv: "sh -c 'node-gyp rebuild'", pid: 2, ppid: 1}
            - {argv: "make -C build", pid: 3, ppid: 2}
            - {argv: "sh -c 'g++ x.cc'", pid: 4, ppid: 3}
            - {argv: "node evil.js", pid: 5, ppid: 2}
            - {argv: "sh -c 'id'", pid: 6, ppid: 5}
    """)
    (finding,) = fired(rule, result)
    assert finding.evidence == ("ran sh -c id, started by node evil.js",)


def test_exe_history_finds_a_dropper_and_renames_count_as_writes(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("""
        process:
          exe_history:
            - {access: [write, rename]}
            - {access: [chmod], executable_mode: true}
    """)
    moved = case("""
        install:
          files:
            - {path: /tmp/x.part, access: write}
            - {path: /tmp/x.part, access: rename, target: /tmp/x}
            - {path: /tmp/x, access: chmod, mode: "0o700"}
          processes: [{argv: [/tmp/x], pid: 9}]
    """)
    assert fired(rule, moved)
    not_executable = case("""
        install:
          files: [{path: /tmp/x, access: write}, {path: /tmp/x, access: chmod, mode: "0o600"}]
          processes: [{argv: [/tmp/x]}]
    """)
    assert fired(rule, not_executable) == []


def test_dns_groups_names_under_one_domain(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("dns: {subdomains_min: 3}")
    result = case("install: {dns: [a.t.example, b.t.example, c.t.example, a.other.example]}")
    (finding,) = fired(rule, result)
    assert finding.evidence == (
        "DNS queries for 3 distinct names under t.example: a.t.example, b.t.example, "
        "c.t.example",)
    assert fired(rule, case("install: {dns: [a.t.example, b.t.example, a.u.example]}")) == []


def test_connection_fields(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("connection: {remote: true, port: ['4000-4999'], address: [203.0.113.0/24]}")
    assert fired(rule, case("install: {connections: ['203.0.113.5:4444']}"))
    assert fired(rule, case("install: {connections: ['127.0.0.1:4444']}")) == []
    assert fired(rule, case("install: {connections: ['203.0.113.5:443']}")) == []


def test_metadata_and_typosquat_leaves(make_rule) -> None:  # type: ignore[no-untyped-def]
    meta = make_rule("metadata: {field: author_email, regex: ['@proton\\.me$']}")
    assert fired(meta, case("metadata: {author_email: x@proton.me}"))
    assert fired(meta, case("metadata: {summary: x@proton.me}")) == []
    squat = make_rule("typosquat: {kind: [swap], distance_max: 1}")
    (finding,) = fired(squat, case("{name: reqeusts, typosquat: {target: requests, kind: swap}}"))
    assert finding.evidence == (
        "the name reqeusts imitates the popular package requests (swap, distance 1)",)
    assert fired(squat, case("{typosquat: {target: requests, kind: edit}}")) == []


def test_evidence_is_one_printable_line_and_capped(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("file: {}")
    hostile = case("install: {files: [\"/tmp/a\\nFAKE LINE\\u001b[31m\"]}")
    (finding,) = fired(rule, hostile)
    assert finding.evidence == ("read /tmp/a\\nFAKE LINE\\x1b[31m by python3 (pid 100)",)
    many = case("install: {files: [" + ", ".join(f"/tmp/f{i}" for i in range(50)) + "]}")
    (finding,) = fired(rule, many)
    assert len(finding.evidence) == MAX_EVIDENCE
    assert finding.evidence[-1] == f"... and {50 - MAX_EVIDENCE + 1} more"


def test_findings_come_strongest_first() -> None:
    result = case("""
        name: reqeusts
        typosquat: {target: requests}
        install:
          leaks: [{token: npm-token, channel: http, destination: "POST http://x.example/"}]
    """)
    findings = evaluate(result, default_rules().rules)
    assert [f.rule for f in findings][:1] == ["honeytoken-leak"]
    assert "typosquat-name" in [f.rule for f in findings]


def test_script_history_needs_a_script_another_process_wrote(make_rule) -> None:  # type: ignore[no-untyped-def]
    rule = make_rule("""
        process:
          executable: [sh, python3]
          script_history: [{access: [write]}]
    """)
    written = case("""
        install:
          files: [{path: /tmp/s.py, access: write, pid: 5}]
          processes: [{argv: "sh -c 'start python3 /tmp/s.py'", pid: 6}]
    """)
    assert fired(rule, written)
    own_output = case("""
        install:
          files: [{path: /tmp/s.py, access: write, pid: 6}]
          processes: [{argv: "python3 x.py /tmp/s.py", pid: 6}]
    """)
    assert fired(rule, own_output) == []
    option_value = case("""
        install:
          files: [{path: /tmp/rec.txt, access: write, pid: 5}]
          processes: [{argv: "python3 setup.py install --record /tmp/rec.txt", pid: 6}]
    """)
    assert fired(rule, option_value) == []


def test_script_paths() -> None:
    assert list(script_paths(("sh", "-c", "start /usr/bin/python '/tmp/x'"))) == [
        "/usr/bin/python", "/tmp/x"]
    assert list(script_paths(("python", "--record", "/tmp/r", "--x=/a", "/b"))) == ["/b"]
    assert list(script_paths(("sh", "-c", ":; (node /x/pre.js > /tmp/log 2>/dev/null || true)"))) \
        == ["/x/pre.js"]


def test_script_paths_after_a_module_or_inline_code_are_its_arguments() -> None:
    assert list(script_paths(("/v/bin/python", "-m", "json.tool", "/tmp/in", "/tmp/out"))) == []
    assert list(script_paths(("python3", "-c", "import sys; run(sys.argv[1])", "/tmp/arg"))) == []
    assert list(script_paths(("node", "-e", "load( /tmp/s.js )", "/tmp/data"))) == ["/tmp/s.js"]
    assert list(script_paths(("python3", "-W", "d", "/tmp/dropped.py", "-m", "x"))) \
        == ["/tmp/dropped.py"]
