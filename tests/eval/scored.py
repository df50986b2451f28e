"""What the evaluation analyses (a Sample) and what it made of one (Scored)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.eval.metrics import Outcome


@dataclass(frozen=True)
class Sample:
    target: str  # what `pkgsandbox analyze` is given
    group: str  # "corpus", "malware", or a key of benign.GROUPS
    key: str  # unique and file-name safe: raw results are stored under it
    labels: tuple[str, ...] = ()  # corpus only: class:, ecosystem:, trigger:, evasion:

    @property
    def malicious(self) -> bool:
        return self.group in ("corpus", "malware")


@dataclass(frozen=True)
class Scored:
    sample: Sample
    verdict: str
    score: float | None
    rules: list[str]
    cli_verdict: str | None
    seconds: float | None
    problem: str | None = None

    @property
    def outcome(self) -> Outcome:
        return Outcome(self.sample.key, self.sample.malicious, self.verdict, self.sample.labels)
