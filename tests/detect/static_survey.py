"""Print the static signal kinds found in each archive: a measuring tool, not a test.

    .venv/bin/python -m tests.detect.static_survey [DIR_OR_ARCHIVE ...] [-v]

Without arguments it reads ../shared/samples/real (live malware). Archives are opened
read-only and their members handed to the scanner in memory: nothing is extracted,
installed, imported or run. Kinds marked * are strong (`KINDS[kind].strong`).
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from analyzer.detect.static.scan import KINDS, StaticSignal, scan_package
from analyzer.fetch.archive import content_format
from analyzer.models import Ecosystem

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "real"
_ARCHIVES = (".tar.gz", ".tgz", ".zip", ".whl", ".tar.bz2")


def members(archive: Path) -> Iterator[tuple[str, bytes]]:
    """The archive's files, opened by what their first bytes say they are, as the fetch
    stage opens them: a wheel renamed to .tar.gz is still read as the zip it is."""
    if content_format(archive) == "zip":
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                if not info.is_dir():
                    yield info.filename, z.read(info)
        return
    with tarfile.open(archive, "r:*") as t:
        for m in t.getmembers():
            f = t.extractfile(m) if m.isfile() else None
            if f is not None:
                yield m.name, f.read()


def ecosystem_of(archive: Path) -> Ecosystem:
    if archive.name.endswith(".tgz") or "npm" in archive.parts:
        return Ecosystem.NPM
    return Ecosystem.PYPI


def survey(archive: Path) -> tuple[StaticSignal, ...]:
    return scan_package(members(archive), ecosystem_of(archive))


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    targets = [Path(a) for a in argv if a != "-v"] or [SAMPLES]
    archives = sorted(
        p
        for t in targets
        for p in ([t] if t.is_file() else t.rglob("*"))
        if p.name.endswith(_ARCHIVES)
    )
    weak_only = []
    for archive in archives:
        signals = survey(archive)
        kinds = sorted({s.kind for s in signals}, key=lambda k: (not KINDS[k].strong, k.value))
        shown = " ".join(f"{k.value}{'*' if KINDS[k].strong else ''}" for k in kinds)
        print(f"{archive.name}: {shown or '-'}")
        if not any(KINDS[k].strong for k in kinds):
            weak_only.append(archive.name)
        if verbose:
            for s in signals:
                print(f"    {s.kind.value} {s.path}:{s.line} [{s.role.value}] {s.detail[:160]}")
    print(f"\n{len(archives)} archives; without a strong signal: {', '.join(weak_only) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
