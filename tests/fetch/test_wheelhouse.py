"""One resolver run per batch: what pip's failure output blames is dropped and the rest retried
as a batch, within a time budget. pip's output below is real (pip 23.2.1, a local index)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from analyzer.fetch import wheelhouse
from analyzer.fetch.pip_failure import PipFailure, blame, parse_pip_failure
from analyzer.fetch.wheelhouse import MAX_BATCH_RUNS, download_wheels, prepare_python_dependencies

from .conftest import Builder, FakeRegistry

TRANSITIVE = """\
Looking in indexes: http://127.0.0.1:40975/py/simple/
Collecting mid
Collecting okdep
Collecting tinydep (from mid)
INFO: pip is looking at multiple versions of tinydep to determine which version is compatible \
with other requirements. This could take a while.
ERROR: Could not find a version that satisfies the requirement leafdep (from tinydep) (from \
versions: none)
ERROR: No matching distribution found for leafdep
"""
DIRECT = """\
Collecting okdep
ERROR: Could not find a version that satisfies the requirement ghost>=1 (from versions: none)
ERROR: No matching distribution found for ghost>=1
"""
CONFLICT = """\
Collecting aa
Collecting bb
Collecting okdep
Collecting cc<2 (from aa)
The conflict is caused by:
    aa 1.0 depends on cc<2
    bb 1.0 depends on cc>=2

To fix this you could try to:
1. loosen the range of package versions you've specified
ERROR: Cannot install aa==1.0 and bb==1.0 because these package versions have conflicting \
dependencies.
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-\
resolution/#dealing-with-dependency-conflicts
"""
USER_CONFLICT = """\
Collecting cc==1.0
Collecting bb
The conflict is caused by:
    The user requested cc==1.0
    bb 1.0 depends on cc>=2
ERROR: Cannot install bb==1.0 and cc==1.0 because these package versions have conflicting \
dependencies.
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/
"""


def test_parse_a_missing_transitive_distribution() -> None:
    failure = parse_pip_failure(TRANSITIVE)
    assert failure.not_found == {"leafdep": "No matching distribution found for leafdep"}
    assert failure.parents == {"tinydep": "mid", "leafdep": "tinydep"}
    assert blame(failure, ["okdep", "Mid>=1"]) == {
        "Mid>=1": "No matching distribution found for leafdep (a dependency of Mid>=1)"}


def test_parse_a_missing_requirement() -> None:
    failure = parse_pip_failure(DIRECT)
    assert failure.reason == "No matching distribution found for ghost>=1"
    assert blame(failure, ["okdep", "ghost>=1"]) == {
        "ghost>=1": "No matching distribution found for ghost>=1"}


def test_parse_a_conflict_keeps_the_first_requirement() -> None:
    failure = parse_pip_failure(CONFLICT)
    assert failure.conflicts == ("aa", "bb")
    assert failure.reason == ("conflicting dependencies: aa 1.0 depends on cc<2; bb 1.0 depends"
                              " on cc>=2")
    assert blame(failure, ["aa", "bb", "okdep"]) == {"bb": failure.reason}
    # pip names them sorted; the one given first is kept whatever that order.
    user = parse_pip_failure(USER_CONFLICT)
    assert blame(user, ["cc==1.0", "bb"]) == {"bb": user.reason}
    assert blame(parse_pip_failure(CONFLICT.replace("aa==1.0 and ", "")), ["aa", "bb"]) == {
        "bb": failure.reason}


def test_output_that_blames_nothing() -> None:
    failure = parse_pip_failure("ERROR: Could not install packages due to an OSError: [Errno 28]"
                                " No space left on device\n", 1)
    assert failure.reason == ("Could not install packages due to an OSError: [Errno 28] No space"
                              " left on device")
    assert blame(failure, ["a", "b"]) == {}
    assert parse_pip_failure("", 2).reason == "pip exited with 2"


class FakePip:
    """Resolves like pip: stops at the first requirement (or dependency) it cannot find."""

    def __init__(self, index: dict[str, list[str]]) -> None:
        self.index = index  # name -> its dependencies
        self.runs: list[list[str]] = []

    def __call__(self, requirements: Sequence[str], dest: Path, pypi_url: str,
                 timeout_s: float, find_links: Path | None = None) -> PipFailure | None:
        self.runs.append(list(requirements))
        lines = []
        for req in requirements:
            lines.append(f"Collecting {req}")
            for name, parent in [(req, None), *((d, req) for d in self.index.get(req, []))]:
                if name not in self.index:
                    source = f" (from {parent})" if parent else ""
                    return parse_pip_failure("\n".join([
                        *lines, "ERROR: Could not find a version that satisfies the requirement"
                        f" {name}{source} (from versions: none)",
                        f"ERROR: No matching distribution found for {name}"]))
        return None


@pytest.fixture
def fake_pip(monkeypatch: pytest.MonkeyPatch) -> FakePip:
    index: dict[str, list[str]] = {f"dep{i}": [] for i in range(64)} | {"dep7": ["gone"]}
    pip = FakePip(index)
    monkeypatch.setattr(wheelhouse, "_pip_download", pip)
    return pip


def test_a_large_failed_batch_is_not_retried_one_by_one(fake_pip: FakePip, tmp_path: Path) -> None:
    requirements = [f"dep{i}" for i in range(64)] + ["ghost"]
    missing = download_wheels(requirements, tmp_path, "http://index.invalid")
    assert [(d.name, d.missing_reason) for d in missing] == [
        ("dep7", "No matching distribution found for gone (a dependency of dep7)"),
        ("ghost", "No matching distribution found for ghost")]
    assert len(fake_pip.runs) == 3
    assert len(fake_pip.runs[-1]) == 63


def test_batch_runs_are_capped(fake_pip: FakePip, tmp_path: Path) -> None:
    requirements = ["ghost1", "ghost2", "ghost3", "ghost4", "dep1", "dep2"]
    missing = download_wheels(requirements, tmp_path, "http://index.invalid")
    assert len(fake_pip.runs) == MAX_BATCH_RUNS
    reasons = {d.name: d.missing_reason or "" for d in missing}
    assert set(reasons) == set(requirements)
    assert reasons["ghost3"] == "No matching distribution found for ghost3"
    assert reasons["dep1"].startswith("not downloaded: pip download still failed after 3 runs")
    assert all("\n" not in r for r in reasons.values())


def test_when_nothing_is_blamed_only_a_small_batch_goes_one_by_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runs: list[list[str]] = []

    def broken(requirements: Sequence[str], *_: object) -> PipFailure:
        runs.append(list(requirements))
        return PipFailure("Could not fetch URL: connection\nrefused")

    monkeypatch.setattr(wheelhouse, "_pip_download", broken)
    small = download_wheels(["a", "b"], tmp_path, "http://index.invalid")
    assert runs == [["a", "b"], ["a"], ["b"]]
    assert {d.name for d in small} == {"a", "b"}
    runs.clear()
    large = download_wheels([f"d{i}" for i in range(10)], tmp_path, "http://index.invalid")
    assert len(runs) == 1
    assert large[0].missing_reason == ("not downloaded: its batch of 10 failed (Could not fetch"
                                       " URL: connection refused)")


def test_the_time_budget(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    timeouts: list[float] = []

    def slow(requirements: Sequence[str], dest: Path, url: str, timeout_s: float,
             find_links: Path | None = None) -> PipFailure:
        timeouts.append(timeout_s)
        return PipFailure(f"pip download timed out after {timeout_s:.0f}s", timed_out=True)

    monkeypatch.setattr(wheelhouse, "_pip_download", slow)
    missing = download_wheels(["a", "b", "c"], tmp_path, "http://index.invalid", budget_s=5)
    assert len(timeouts) == 1 and timeouts[0] <= 5
    assert {d.missing_reason for d in missing} == {
        "not downloaded: the 5s budget for dependency downloads ran out"}
    timeouts.clear()
    missing = download_wheels(["a"], tmp_path, "http://index.invalid", budget_s=0)
    assert timeouts == []
    assert missing[0].missing_reason == "not tried: the 0s budget for dependency downloads ran out"


def test_build_requirements_go_first_and_share_the_budget(fake_pip: FakePip,
                                                          tmp_path: Path) -> None:
    deps = prepare_python_dependencies(["dep1", "ghost"], ["dep2"], tmp_path,
                                       "http://index.invalid")
    assert fake_pip.runs == [["dep2"], ["dep1", "ghost"], ["dep1"]]
    assert [(d.name, d.missing_reason) for d in deps] == [
        ("ghost", "No matching distribution found for ghost")]
    fake_pip.runs.clear()
    deps = prepare_python_dependencies(["dep1"], ["dep2"], tmp_path, "http://index.invalid",
                                       budget_s=0)
    assert fake_pip.runs == []
    assert {d.name for d in deps} == {"dep1", "dep2"}


def test_real_pip_against_a_local_index(registry: FakeRegistry, make_wheel: Builder,
                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("okdep", "alpha", "beta", "gamma", "delta"):
        registry.add_pypi(name, "1.0", [make_wheel(name, "1.0")])
    registry.add_pypi("tinydep", "1.2", [make_wheel("tinydep", "1.2", requires=("leafdep",))])
    runs: list[list[str]] = []
    real = wheelhouse._pip_download

    def counted(requirements: Sequence[str], *args: object) -> PipFailure | None:
        runs.append(list(requirements))
        return real(requirements, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(wheelhouse, "_pip_download", counted)
    dest = tmp_path / "deps"
    missing = download_wheels(["okdep", "tinydep", "alpha", "ghost>=1", "beta", "gamma",
                               "delta"], dest, registry.urls.pypi)
    assert {d.name: d.missing_reason for d in missing} == {
        "tinydep": "No matching distribution found for leafdep (a dependency of tinydep)",
        "ghost": "No matching distribution found for ghost>=1"}
    assert len(runs) == 3
    assert sorted(p.name.split("-")[0] for p in dest.glob("*.whl")) == [
        "alpha", "beta", "delta", "gamma", "okdep"]
