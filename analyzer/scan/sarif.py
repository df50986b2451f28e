"""SARIF 2.1.0 for code-scanning uploads, built here as a plain document."""

from __future__ import annotations

from typing import Any

import analyzer
from analyzer.scan.interface import Level, ScanFinding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Level.MALICIOUS: "error", Level.SUSPICIOUS: "warning", Level.INFO: "note"}
_RULES = {
    "osv": "Dependency is a known malicious package (OSV record)",
    "typosquat": "Dependency name imitates a popular package",
    "analysis": "Sandbox analysis of the dependency flagged it",
}


def to_sarif(findings: list[ScanFinding]) -> dict[str, Any]:
    results = []
    for finding in findings:
        dependency = finding.dependency
        results.append({
            "ruleId": f"pkgsandbox/{finding.check}",
            "level": _LEVELS[finding.level],
            "message": {"text": finding.title},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": dependency.source.split(":")[0]}}}],
            "properties": {"ecosystem": dependency.ecosystem.value, "name": dependency.name,
                           "version": dependency.version, "spec": dependency.spec,
                           "level": finding.level.value, "reference": finding.reference},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pkgsandbox", "version": analyzer.__version__,
                "informationUri": "https://github.com/ossf/malicious-packages",
                "rules": [{"id": f"pkgsandbox/{rule}", "shortDescription": {"text": text}}
                          for rule, text in _RULES.items()],
            }},
            "results": results,
        }],
    }
