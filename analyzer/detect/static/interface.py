"""What a static scanner is: a check plus what it reads and the signal kinds it emits.

Every scanner module ends with its record(s); `scan.SCANNERS` lists them in the order they
run, and `scan.KINDS` gathers the kinds they declare. A scanner is handed only the texts
its record asks for (`reads`, `langs`, `roles`, `suffixes`); a check may still look closer.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from analyzer.detect.static.npm import NpmManifest
from analyzer.detect.static.text import Lang, SourceFile
from analyzer.signals import FileRole, SignalKind, StaticSignal

CODE_LANGS = frozenset(Lang) - {Lang.OTHER}
ALL_LANGS = frozenset(Lang)
# Documentation and metadata are never read as text: only a binary's header is checked.
READ_ROLES = frozenset({FileRole.INSTALL, FileRole.CODE, FileRole.TEST, FileRole.DATA})
ALL_ROLES = frozenset(FileRole)


class Reads(enum.Enum):
    """What the scan hands a scanner."""

    SOURCE = "source"  # a text file of the package, picked by `langs`, `roles`, `suffixes`
    DECODED = "decoded"  # text decoded out of a blob or string in code, whatever its language
    MANIFEST = "manifest"  # npm's package.json, whose script lines are shell commands
    BINARY = "binary"  # a file that is not text, or past the package's byte budget


@dataclass(frozen=True)
class KindInfo:
    """What a signal kind means, for a report, and how much it proves on its own.

    `strong`: one such signal is convincing evidence for a reviewer. A hint for the survey
    and for rule authors; weights and severities belong to the rule engine.
    """

    description: str
    strong: bool


@dataclass(frozen=True)
class ScanContext:
    """What a check is handed besides its file's text: the package around it."""

    paths: frozenset[str]  # every file of the package
    manifest: NpmManifest | None  # npm's top package.json, parsed
    rescan: Callable[[SourceFile], Iterable[StaticSignal]]  # decoded text, scanned as DECODED
    # Code files that mention a name: complete only once every text is read (binaries last).
    referenced_by: Callable[[str], list[str]]
    data: bytes = b""  # the file as read: at most MAX_FILE_BYTES, a header past the budget
    size: int = 0  # the file's whole size


Check = Callable[[SourceFile, ScanContext], Iterable[StaticSignal]]


def text_check(check: Callable[[SourceFile], Iterable[StaticSignal]]) -> Check:
    """`check` as a `Check`: it reads its text and asks nothing of the package."""

    def run(src: SourceFile, _context: ScanContext) -> Iterable[StaticSignal]:
        return check(src)

    return run


@dataclass(frozen=True)
class Scanner:
    """One static check and what it declares.

    `kinds` are the signal kinds this scanner introduces, each with its meaning: every kind
    has exactly one owner. `shares` are kinds another scanner owns that this one emits too
    (a decoded destination found by the blob check is the literal check's kind).
    """

    name: str
    check: Check
    kinds: Mapping[SignalKind, KindInfo]
    reads: frozenset[Reads]
    langs: frozenset[Lang] = CODE_LANGS  # of SOURCE files
    roles: frozenset[FileRole] = READ_ROLES  # of every text read (decoded text: its file's)
    suffixes: tuple[str, ...] = ()  # SOURCE files whose path ends so; () for any
    shares: frozenset[SignalKind] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        problems = [f"{kind.value}: no one-line description"
                    for kind, info in self.kinds.items()
                    if not info.description or "\n" in info.description]
        if not self.kinds and not self.shares:
            problems.append("declares no signal kind")
        if overlap := set(self.kinds) & self.shares:
            problems.append(f"both owns and shares {sorted(k.value for k in overlap)}")
        if not self.reads or not self.roles or (Reads.SOURCE in self.reads and not self.langs):
            problems.append("reads nothing")
        if problems:
            raise ValueError(f"scanner {self.name}: {'; '.join(problems)}")

    @property
    def emits(self) -> frozenset[SignalKind]:
        return frozenset(self.kinds) | self.shares

    def handles(self, src: SourceFile, reads: Reads) -> bool:
        """True when the scan hands `src`, read as `reads`, to this scanner."""
        if reads not in self.reads or src.role not in self.roles:
            return False
        if reads is not Reads.SOURCE:
            return True
        return src.lang in self.langs and (not self.suffixes or src.path.endswith(self.suffixes))


def catalogue(
    scanners: Iterable[Scanner], engine: Mapping[SignalKind, KindInfo],
    engine_shares: frozenset[SignalKind] = frozenset(),
) -> dict[SignalKind, KindInfo]:
    """Every signal kind's meaning, from its one owner: a scanner, or the scan itself
    (`engine`). Raises ValueError naming every kind owned twice or by no one, and every
    shared kind no one owns."""
    owners: dict[SignalKind, list[str]] = {kind: [] for kind in SignalKind}
    found: dict[SignalKind, KindInfo] = {}
    shared: dict[SignalKind, list[str]] = {}
    sources = [(s.name, s.kinds, s.shares) for s in scanners]
    for name, kinds, shares in [*sources, ("the scan", engine, engine_shares)]:
        for kind, info in kinds.items():
            owners[kind].append(name)
            found[kind] = info
        for kind in shares:
            shared.setdefault(kind, []).append(name)
    problems = [f"{kind.value} is declared by {' and '.join(names) or 'no scanner'}"
                for kind, names in owners.items() if len(names) != 1]
    problems += [f"{kind.value}, shared by {', '.join(names)}, is declared by no scanner"
                 for kind, names in shared.items() if not owners[kind]]
    if problems:
        raise ValueError("signal kinds: " + "; ".join(problems))
    return {kind: found[kind] for kind in SignalKind}
