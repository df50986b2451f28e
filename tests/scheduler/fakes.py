"""The fake analyser: real `AnalysisResult`s without a sandbox, chosen by package name.

`evil` -> malicious verdict, `slow` -> sleeps `slow_s`, `hang` -> never returns,
`crash` -> an analyser bug, `unfetchable` -> FetchError, `nosandbox` -> SandboxError.
Kept apart from conftest.py (which re-exports it) so that worker processes, which
unpickle it, do not import pytest and the fake registry.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass

from analyzer.detect.rules.ruleset import default_rules
from analyzer.errors import FetchError, SandboxError
from analyzer.fetch.interface import Target
from analyzer.models import AnalysisResult, Ecosystem, Verdict
from analyzer.scheduler.interface import Analyser
from tests.store.builders import EXFIL, analysis_result


@dataclass(frozen=True)
class FakeAnalyser:
    """A factory of the fake `analyse`; `journal` gets a line per start and per finish."""

    sleep_s: float = 0.0
    journal: str | None = None
    slow_s: float | None = None  # default: ten times `sleep_s`

    def __call__(self) -> Analyser:
        return Analyser(functools.partial(fake_analyse, self), default_rules())


def _note(journal: str | None, event: str, target: Target) -> None:
    if journal is None:
        return
    ecosystem = target.ecosystem.value if target.ecosystem else "?"
    line = f"{event} {ecosystem} {target.name} {target.version} {os.getpid()}\n"
    # O_APPEND keeps each short line whole when several worker processes write at once.
    descriptor = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


def fake_analyse(config: FakeAnalyser, target: Target) -> AnalysisResult:
    name, version = target.name or "", target.version or ""
    _note(config.journal, "start", target)
    if "hang" in name:
        time.sleep(3600)
    if "crash" in name:
        raise RuntimeError("analyser bug")
    if "unfetchable" in name:
        raise FetchError(f"PyPI {name}: no sdist and no wheel")
    if "nosandbox" in name:
        raise SandboxError("the Docker daemon is not running")
    slow_s = config.sleep_s * 10 if config.slow_s is None else config.slow_s
    time.sleep(slow_s if "slow" in name else config.sleep_s)
    evil = "evil" in name
    ecosystem = target.ecosystem or Ecosystem.PYPI
    result = analysis_result(ecosystem, name, version,
                             Verdict.MALICIOUS if evil else Verdict.BENIGN,
                             findings=(EXFIL,) if evil else ())
    _note(config.journal, "finish", target)
    return result


@dataclass(frozen=True)
class BrokenAnalyser:
    """A factory that fails in every worker, as a missing Docker SDK would."""

    def __call__(self) -> Analyser:
        raise RuntimeError("cannot build the analyser")
