"""The `changed:` leaf and the takeover rules, judged through the shipped rule set."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.baseline.interface import Change, ChangeKind, ChangeSet
from analyzer.detect.rules.engine import assess, case_failures
from analyzer.detect.rules.ruleset import RULES_DIR, RuleSetError, default_rules, load_rules
from analyzer.models import AnalysisResult, Phase, Verdict
from tests.results import unscored_result


def quiet_release(*changes: Change) -> AnalysisResult:
    """A release that did nothing the behaviour rules see, with these changes."""
    base = unscored_result()
    phases = tuple(replace(p, trace=replace(p.trace, files=(), processes=(),
                                            network=replace(p.trace.network, connections=())))
                   for p in base.phases)
    return replace(base, phases=phases, iocs=replace(base.iocs, ips=()),
                   trace_stats=replace(base.trace_stats, unparsed_lines=0),
                   changes=ChangeSet("1.0.0", changes))


def judged(*changes: Change) -> AnalysisResult:
    return assess(quiet_release(*changes), default_rules())


def test_without_changes_a_quiet_release_is_benign() -> None:
    result = judged()
    assert (result.verdict, result.findings) == (Verdict.BENIGN, ())


def test_new_install_time_network_alone_is_suspicious_and_not_malicious() -> None:
    result = judged(Change(ChangeKind.DESTINATION_ADDED, "webhook.example", phase=Phase.INSTALL,
                           detail="dns"))
    assert result.verdict is Verdict.SUSPICIOUS
    assert [f.rule for f in result.findings] == ["changed-install-network"]
    assert result.findings[0].evidence == (
        "since 1.0.0: destination-added webhook.example (install) [dns]",)


def test_an_ordinary_release_adding_a_dependency_and_a_build_step_stays_benign() -> None:
    result = judged(
        Change(ChangeKind.DEPENDENCY_ADDED, "ms", None, "^2.1.3", detail="registry"),
        Change(ChangeKind.SCRIPT_ADDED, "prepare", None, "tsc", detail="build"),
        Change(ChangeKind.SCRIPT_ADDED, "install", None, "node-gyp rebuild", detail="build"),
        Change(ChangeKind.FILE_ADDED, "lib/new.js", None, "2000"),
        Change(ChangeKind.FILE_GROWN, "index.js", "1000", "1800", detail="+800 bytes"),
        Change(ChangeKind.PROCESS_ADDED, "node-gyp", phase=Phase.INSTALL),
    )
    assert (result.verdict, result.findings) == (Verdict.BENIGN, ())


def test_a_git_dependency_with_a_bun_prepare_is_suspicious() -> None:
    result = judged(
        Change(ChangeKind.DEPENDENCY_ADDED, "x", None, "github:evil/x#abc", detail="git"),
        Change(ChangeKind.SCRIPT_ADDED, "prepare", None, "bun run ./setup.ts"),
    )
    assert result.verdict is Verdict.SUSPICIOUS
    assert {f.rule for f in result.findings} == {"changed-dependency-added-url",
                                                 "changed-prepare-runs-other-program"}


def test_every_change_rule_is_weak_alone() -> None:
    changed = [r for r in default_rules().rules if r.source.name == "takeover.yaml"]
    assert len(changed) >= 6
    assert not any(r.strong for r in changed)
    assert all(r.weight < default_rules().scoring.malicious for r in changed)


def test_a_strong_change_rule_refused_unless_marked_strong(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("""
rules:
  - id: changed-anything
    title: t
    description: d
    severity: high
    weight: 12
    match: {changed: {kind: file-added}}
    cases:
      positive: [{changed: [{kind: file-added, subject: a.js}]}]
      benign: [{changed: [{kind: file-removed, subject: a.js}]}]
""")
    with pytest.raises(RuleSetError, match="changed-anything: weight 12 can reach 12"):
        load_rules([RULES_DIR, tmp_path])


def test_grown_min_and_bad_fields_of_the_changed_leaf(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("""
rules:
  - id: changed-big-growth
    title: t
    description: d
    severity: low
    weight: 1
    match: {changed: {kind: [file-grown, file-added], subject: "**/*.js", grown_min: 40000}}
    cases:
      positive:
        - changed: [{kind: file-grown, subject: dist/index.js, before: 1000, after: 41000}]
        - changed: [{kind: file-added, subject: lib/x.js, after: 40000}]
      benign:
        - changed: [{kind: file-grown, subject: dist/index.js, before: 1000, after: 40999}]
        - changed: [{kind: file-grown, subject: data.json, before: 1, after: 90000}]
""")
    rules = load_rules([RULES_DIR, tmp_path])
    assert case_failures(rules.by_id["changed-big-growth"]) == []
    (tmp_path / "mine.yaml").write_text("""
rules:
  - id: changed-bad
    title: t
    description: d
    severity: low
    weight: 1
    match: {changed: {kind: file-moved, detail: nonsense, phase: later}}
""")
    with pytest.raises(RuleSetError) as raised:
        load_rules([RULES_DIR, tmp_path])
    text = str(raised.value)
    assert "unknown value 'file-moved'" in text and "unknown value 'nonsense'" in text \
        and "unknown value 'later'" in text
