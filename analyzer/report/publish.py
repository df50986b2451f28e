"""Where a result goes once it is judged: the JSON file, the HTML report, the OSV record.

One policy for the CLI, the worker and the review server alike: an OSV record only for
a malicious result; a report into a folder only for a flagged one, named by its stable
OSV id (package text never becomes a file name); a report to a named file always.
Each file is written whole or not at all (atomic.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analyzer.atomic import write_atomic
from analyzer.models import FLAGGED, AnalysisResult, Verdict
from analyzer.report.html import write_report
from analyzer.report.osv import osv_id, write_osv
from analyzer.result_codec import result_to_dict


@dataclass(frozen=True)
class Outputs:
    """What to write; None leaves that output out."""

    result_json: Path | None = None  # the JSON result, whatever the verdict
    report: Path | None = None  # the HTML report, whatever the verdict
    report_dir: Path | None = None  # the HTML report of a flagged result, named by OSV id
    osv_dir: Path | None = None  # the OSV record of a malicious result


@dataclass(frozen=True)
class Published:
    """The files written, for the caller to name in its log or on stderr."""

    files: tuple[Path, ...] = ()
    osv: Path | None = None


def publish(result: AnalysisResult, outputs: Outputs) -> Published:
    """Write the outputs `result` calls for; an `OutputError` names a file that failed."""
    files: list[Path] = []
    if outputs.result_json is not None:
        write_atomic(outputs.result_json, json.dumps(result_to_dict(result), indent=2) + "\n")
        files.append(outputs.result_json)
    if outputs.report is not None:
        write_report(result, outputs.report)
        files.append(outputs.report)
    if outputs.report_dir is not None and result.verdict in FLAGGED:
        page = outputs.report_dir / f"{osv_id(result.package)}.html"
        write_report(result, page)
        files.append(page)
    osv = None
    if outputs.osv_dir is not None and result.verdict is Verdict.MALICIOUS:
        osv = write_osv(result, outputs.osv_dir)
        files.append(osv)
    return Published(tuple(files), osv)
