"""OSV records for malicious packages, in the style of ossf/malicious-packages; the only
place they are built.

The id is stable: a hash of the ecosystem, the normalised name and the version, so a
package version analysed twice gets the same record id. The OSV schema only accepts
registered database prefixes and `x_` for everyone else, hence `x_PKGSANDBOX`.
Package text (names, versions, evidence) is data: JSON-escaped in the record,
Markdown-escaped in `details`, and never part of a file path.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import analyzer
from analyzer.atomic import write_atomic
from analyzer.models import AnalysisResult, Ecosystem, Finding, PackageRef, Phase, Verdict

OSV_SCHEMA_VERSION = "1.7.4"
DEFAULT_PREFIX = "x_PKGSANDBOX"
PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*|x_[A-Za-z0-9_-]+")
CWE_506 = {
    "cweId": "CWE-506",
    "description": "The product contains code that appears to be malicious in nature.",
    "name": "Embedded Malicious Code",
}
PHASE_WORDS = {
    Phase.INSTALL: "When installed",
    Phase.IMPORT: "When imported",
    Phase.EXECUTE: "When its commands and functions were run",
    Phase.PERSONA: "When installed and imported as if on Windows",
}
DETAIL_EVIDENCE = 3  # evidence lines per finding quoted in `details`; all are in database_specific
# Markup that works mid-line (text from packages never starts a line in `details`).
_MARKDOWN = re.compile(r"([\\`*_\[\]()#!|<>~])")


def osv_id(ref: PackageRef, id_prefix: str = DEFAULT_PREFIX) -> str:
    """`PREFIX-<16 hex digits>` from the ecosystem, normalised name and version."""
    if not PREFIX.fullmatch(id_prefix):
        raise ValueError(f"not an OSV id prefix: {id_prefix!r}")
    key = f"{ref.ecosystem.value}\0{_normalise(ref)}\0{ref.version}"
    return f"{id_prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"


def purl(ref: PackageRef) -> str:
    """The package URL of this version (pkg:pypi/... or pkg:npm/...)."""
    version = _quote(ref.version)
    if ref.ecosystem is Ecosystem.PYPI:
        return f"pkg:pypi/{_quote(_normalise(ref))}@{version}"
    scope, _, name = ref.name.rpartition("/") if ref.name.startswith("@") else ("", "", ref.name)
    namespace = f"{_quote(scope)}/" if scope else ""
    return f"pkg:npm/{namespace}{_quote(name)}@{version}"


def osv_record(result: AnalysisResult, id_prefix: str = DEFAULT_PREFIX,
               modified: datetime | None = None) -> dict[str, Any]:
    """The OSV record of a malicious analysis result.

    `modified` defaults to the analysis time, so the same result gives the same record.
    """
    if result.verdict is not Verdict.MALICIOUS:
        raise ValueError("OSV records are written for malicious results only")
    ref = result.package
    analysed = _timestamp(_parse_time(result.started_at))
    database: dict[str, Any] = {
        "verdict": result.verdict.value,
        "score": result.score,
        "findings": [_finding(f) for f in result.findings],
        "iocs": {
            "domains": list(result.iocs.domains),
            "ips": list(result.iocs.ips),
            "urls": list(result.iocs.urls),
        },
        "artifact": {"filename": ref.filename, "sha256": ref.sha256},
        "analysis": {"started_at": analysed, "duration_s": result.duration_s,
                     "phases": {p.phase.value: p.status.value for p in result.phases}},
        "tool": {"name": "pkgsandbox", "version": analyzer.__version__},
    }
    if result.typosquat is not None:
        database["typosquat"] = {"target": result.typosquat.target,
                                 "kind": result.typosquat.kind,
                                 "distance": result.typosquat.distance}
    return {
        "schema_version": OSV_SCHEMA_VERSION,
        "id": osv_id(ref, id_prefix),
        "modified": _timestamp(modified) if modified is not None else analysed,
        "published": analysed,
        "summary": f"Malicious code in {ref.name} ({ref.ecosystem.osv_name})",
        "details": details(result),
        "affected": [{
            "package": {"ecosystem": ref.ecosystem.osv_name, "name": ref.name,
                        "purl": purl(ref)},
            "versions": [ref.version],
            "database_specific": {"cwes": [dict(CWE_506)]},
        }],
        "credits": [{"name": "pkgsandbox", "type": "FINDER"}],
        "database_specific": database,
    }


def write_osv(result: AnalysisResult, directory: Path, id_prefix: str = DEFAULT_PREFIX,
              modified: datetime | None = None) -> Path:
    """Write `<id>.json` into `directory` (made if missing), replacing an older copy whole."""
    record = osv_record(result, id_prefix, modified)
    path = directory / f"{record['id']}.json"
    write_atomic(path, json.dumps(record, indent=2) + "\n")
    return path


def details(result: AnalysisResult) -> str:
    """What the package did and when, in plain words, for a person reading the record."""
    ref = result.package
    lines = [
        f"pkgsandbox installed and imported {_md(ref.name)} {_md(ref.version)} "
        f"({ref.ecosystem.osv_name}) in a gVisor sandbox with no real network, traced what "
        f"it did, and judged it malicious (score {result.score:g})."
        if result.score is not None else
        f"pkgsandbox judged {_md(ref.name)} {_md(ref.version)} malicious.",
    ]
    for heading, findings in _by_phase(result.findings):
        lines += ["", f"{heading}:"]
        for finding in findings:
            quoted = "; ".join(_md(e) for e in finding.evidence[:DETAIL_EVIDENCE])
            more = len(finding.evidence) - DETAIL_EVIDENCE
            lines.append(f"- {_md(finding.title)}: {quoted}"
                         + (f" (and {more} more)" if more > 0 else ""))
    if result.typosquat is not None:
        lines += ["", f"Its name imitates the popular package {_md(result.typosquat.target)}."]
    contacted = [*result.iocs.domains, *result.iocs.ips]
    if contacted:
        lines += ["", "It tried to reach: " + ", ".join(_md(c) for c in contacted[:20]) + "."]
    lines += ["", "Any computer that installed this package should be considered compromised: "
                  "rotate the secrets it held, from another computer."]
    return "\n".join(lines)


def _by_phase(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[Phase | None, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.phase, []).append(finding)
    order = [*Phase, None]
    return [(PHASE_WORDS[p] if p is not None else "In its files, without running them", groups[p])
            for p in order if p in groups]


def _finding(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity.value,
            "phase": finding.phase.value if finding.phase else None, "title": finding.title,
            "evidence": list(finding.evidence)}


def _normalise(ref: PackageRef) -> str:
    if ref.ecosystem is Ecosystem.PYPI:
        return re.sub(r"[-_.]+", "-", ref.name).lower()
    return ref.name


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _md(text: str) -> str:
    """Package text as literal Markdown: one line, every markup character escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)  # `started_at` is ISO 8601 by contract
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
