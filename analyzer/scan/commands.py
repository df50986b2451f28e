"""`pkgsandbox scan FILE...` and `pkgsandbox osv import DIR`, for cli.py to mount.

    add_scan_parser(commands)   # scan FILE... [--db URL] [--json|--sarif] [--fail-on ...]
    add_osv_parser(commands)    # osv import DIR [--db URL]

Each parser sets `handler`, a function `(args) -> int`. The store, SQLAlchemy and the
analyzer are imported inside the handlers so that the CLI starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analyzer.scan.interface import Dependency, Level, LockfileProblem, ScanError, ScanFinding

# The lockfile parsers and the matcher load when a scan runs, not for --help.
if TYPE_CHECKING:
    from analyzer.scan.osv_match import OsvRecord
from analyzer.terminal import printable

EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
DB_HELP = "database URL (default $PKGSANDBOX_DB, else sqlite:///reports/pkgsandbox.db)"


def add_scan_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scan", help="check a project's dependencies: OSV malicious records, typosquats",
        description="FILE is a requirements file, poetry.lock, uv.lock, Pipfile.lock, "
                    "package-lock.json, yarn.lock or pnpm-lock.yaml.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("--osv-dir", type=Path, default=Path("reports/osv"), metavar="DIR",
                        help="also match the project's own OSV records here"
                             " (default reports/osv)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON on stdout")
    output.add_argument("--sarif", action="store_true", help="print SARIF 2.1.0 on stdout")
    parser.add_argument("--fail-on", choices=["malicious", "suspicious"],
                        help="exit 1 when a finding is at least this bad")
    parser.add_argument("--analyze", action="store_true",
                        help="also analyse in the sandbox each pinned version never analysed")
    parser.set_defaults(handler=scan_command)
    return parser


def add_osv_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "osv", help="manage the OSV malicious-package records the scan matches")
    commands = parser.add_subparsers(dest="osv_command", required=True,
                                     parser_class=type(parser))
    imported = commands.add_parser(
        "import", help="import a checkout of ossf/malicious-packages (OSV JSON files)")
    imported.add_argument("directory", type=Path, metavar="DIR")
    imported.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.set_defaults(handler=osv_command)
    return parser


def _err(text: str) -> None:
    print(f"pkgsandbox: {text}", file=sys.stderr, flush=True)


def osv_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from analyzer.scan.osv_store import import_dir
    from analyzer.store.database import Database

    db = Database.open(args.db)
    try:
        imported, bad = import_dir(db, args.directory,
                                   lambda line: _err(printable(line, limit=300)))
    finally:
        db.close()
    print(f"{imported} OSV records imported, {bad} bad", file=out or sys.stdout)
    return EXIT_OK


def check(dependencies: list[Dependency], records: list[OsvRecord]) -> list[ScanFinding]:
    """OSV and typosquat findings, each dependency once."""
    from analyzer.detect.typosquat.checker import check_name
    from analyzer.scan.osv_match import matches

    findings: list[ScanFinding] = []
    for dependency in dict.fromkeys(dependencies):
        for record in records:
            if matches(record, dependency):
                findings.append(ScanFinding(dependency, "osv", Level.MALICIOUS,
                                            f"known malicious: {record.id}", record.id))
        squat = check_name(dependency.name, dependency.ecosystem)
        if squat is not None:
            findings.append(ScanFinding(
                dependency, "typosquat", Level.SUSPICIOUS,
                f"name imitates {squat.target} ({squat.kind}, distance {squat.distance})",
                squat.target))
    return findings


def scan_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from analyzer.scan.formats import read_file

    out = out or sys.stdout
    missing = [path for path in args.files if not path.is_file()]
    if missing:
        raise ScanError(f"no such file: {missing[0]}")
    dependencies: list[Dependency] = []
    problems: list[LockfileProblem] = []
    for path in args.files:
        found, trouble = read_file(path)
        dependencies += found
        problems += trouble
    for problem in problems:
        _err(f"{printable(problem.source, limit=200)}: "
             f"{printable(problem.message, limit=200)}")
    from analyzer.scan.osv_store import load_records
    from analyzer.store.database import Database

    db = Database.open(args.db)
    try:
        findings = check(dependencies, load_records(db, args.osv_dir))
        if args.analyze:
            from analyzer.scan.analysis import analyze_new

            findings += analyze_new(db, dependencies)
    finally:
        db.close()
    _print(args, dependencies, findings, out)
    threshold = {"malicious": 2, "suspicious": 1}.get(args.fail_on or "")
    if threshold is not None and any(f.level.rank >= threshold for f in findings):
        return EXIT_FLAGGED
    return EXIT_OK


def _print(args: argparse.Namespace, dependencies: list[Dependency],
           findings: list[ScanFinding], out: TextIO) -> None:
    if args.sarif:
        from analyzer.scan.sarif import to_sarif

        print(json.dumps(to_sarif(findings), indent=2), file=out)
        return
    if args.json:
        print(json.dumps({
            "dependencies": len(dict.fromkeys(dependencies)),
            "findings": [{"ecosystem": f.dependency.ecosystem.value, "name": f.dependency.name,
                          "version": f.dependency.version, "spec": f.dependency.spec,
                          "source": f.dependency.source, "check": f.check,
                          "level": f.level.value, "title": f.title,
                          "reference": f.reference} for f in findings]}, indent=2), file=out)
        return
    unique = len(dict.fromkeys(dependencies))
    if not findings:
        print(f"{unique} dependencies checked: no findings", file=out)
        return
    print(f"{'LEVEL':10} {'ECOSYSTEM':9} {'PACKAGE':40} {'VERSION':16} FINDING", file=out)
    for f in findings:
        dep = f.dependency
        print(f"{f.level.value:10} {dep.ecosystem.value:9} {printable(dep.name, limit=40):40} "
              f"{printable(dep.version or dep.spec or '*', limit=16):16} "
              f"{printable(f.title, limit=100)}", file=out)
    print(f"\n{unique} dependencies checked, {len(findings)} findings", file=out)

