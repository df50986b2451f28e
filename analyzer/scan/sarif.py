"""SARIF 2.1.0 for code-scanning uploads, built here as a plain document."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import analyzer
from analyzer.scan.interface import Level, ScanFinding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_ROOT = "SRCROOT"
_LEVELS = {Level.MALICIOUS: "error", Level.SUSPICIOUS: "warning", Level.INFO: "note"}
_RULES = {
    "osv": "Dependency is a known malicious package (OSV record)",
    "typosquat": "Dependency name imitates a popular package",
    "analysis": "Sandbox analysis of the dependency flagged it",
}


def _artifact(source: str, root: Path) -> dict[str, str]:
    """Where a lockfile is: relative to the folder scanned from (what code scanning maps
    onto the repository), else an absolute file: URI. Never a bare absolute path."""
    path = Path(source).resolve()
    if path.is_relative_to(root):
        return {"uri": quote(path.relative_to(root).as_posix()), "uriBaseId": _ROOT}
    return {"uri": path.as_uri()}


def to_sarif(findings: list[ScanFinding], root: Path | None = None) -> dict[str, Any]:
    """The findings as one SARIF run; lockfile locations are relative to `root` (the
    working folder by default)."""
    root = (root or Path.cwd()).resolve()
    results = []
    for finding in findings:
        dependency = finding.dependency
        results.append({
            "ruleId": f"pkgsandbox/{finding.check}",
            "level": _LEVELS[finding.level],
            "message": {"text": finding.title},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(dependency.source, root)}}],
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
            "originalUriBaseIds": {_ROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            "results": results,
        }],
    }
