"""The project's labelled malicious corpus: sources under tests/data/corpus/<ecosystem>/<name>/,
each with a LABEL.yaml, built into archives without running any of their code.

    .venv/bin/python -m tests.corpus list             # every sample and its label
    .venv/bin/python -m tests.corpus build DEST [NAME...]   # archives into DEST, one path a line

The archives are malicious by design: analyse them only with `pkgsandbox analyze`, which
runs them inside gVisor. Never install them on the host.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.packages import build_package

CORPUS = Path(__file__).parent / "data" / "corpus"
LABEL = "LABEL.yaml"

# The behaviour classes of the evaluation issue, and the evasions a sample may use.
CLASSES = (
    "install-hook", "credential-theft", "exfiltration", "dropper", "reverse-shell",
    "persistence", "cryptomining", "clipboard-spying", "destructive", "worm",
)
EVASIONS = ("obfuscation", "delayed", "sandbox-aware", "pth", "data-file", "binary",
            "dependency")
TRIGGERS = ("install", "import", "execute")
KINDS = {"pypi": ("sdist", "wheel"), "npm": ("npm",)}


class LabelError(ValueError):
    """A sample's LABEL.yaml is missing a field or holds a value outside the lists above."""


@dataclass(frozen=True)
class CorpusSample:
    ecosystem: str
    name: str
    source: Path
    behaviour: str  # one of CLASSES
    kind: str  # sdist, wheel or npm: how the archive is built
    trigger: str  # the phase the payload runs in
    evasions: tuple[str, ...]
    ioc: tuple[str, ...]
    summary: str

    @property
    def key(self) -> str:
        return f"{self.ecosystem}-{self.name}"

    def build(self, dest: Path) -> Path:
        """The archive, written into `dest` (its own folder per sample: names may clash)."""
        folder = dest / self.key
        folder.mkdir(parents=True, exist_ok=True)
        return build_package(self.source, folder, self.kind)


def _label(ecosystem: str, source: Path) -> CorpusSample:
    where = f"{source / LABEL}"
    try:
        doc = yaml.safe_load((source / LABEL).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise LabelError(f"{where}: {exc}") from None
    if not isinstance(doc, dict):
        raise LabelError(f"{where}: not a mapping")

    def field(name: str, allowed: tuple[str, ...] | None = None) -> str:
        value = doc.get(name)
        if not isinstance(value, str) or not value or (allowed and value not in allowed):
            raise LabelError(f"{where}: {name} must be one of {allowed}" if allowed
                             else f"{where}: {name} must be a non-empty string")
        return value

    evasions = doc.get("evasions") or []
    ioc = doc.get("ioc") or []
    if not isinstance(evasions, list) or any(e not in EVASIONS for e in evasions):
        raise LabelError(f"{where}: evasions must be a list of {EVASIONS}")
    if not isinstance(ioc, list) or not ioc or not all(isinstance(i, str) for i in ioc):
        raise LabelError(f"{where}: ioc must be a non-empty list of strings")
    return CorpusSample(
        ecosystem=ecosystem, name=source.name, source=source,
        behaviour=field("class", CLASSES), kind=field("kind", KINDS[ecosystem]),
        trigger=field("trigger", TRIGGERS), evasions=tuple(evasions), ioc=tuple(ioc),
        summary=field("summary"),
    )


def load_corpus(root: Path = CORPUS) -> list[CorpusSample]:
    """Every labelled sample, sorted by ecosystem and name."""
    return [_label(eco, source) for eco in KINDS
            for source in sorted((root / eco).iterdir()) if (source / LABEL).exists()]


def main(argv: list[str]) -> int:
    try:
        corpus = load_corpus()
    except LabelError as exc:
        print(f"corpus: {exc}", file=sys.stderr)
        return 2
    if argv[:1] == ["list"]:
        for s in corpus:
            print(f"{s.key:40} {s.behaviour:17} {s.trigger:8} {','.join(s.evasions) or '-'}")
        return 0
    if argv[:1] == ["build"] and len(argv) >= 2:
        dest, names = Path(argv[1]), set(argv[2:])
        for s in corpus:
            if not names or s.name in names or s.key in names:
                print(s.build(dest))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
