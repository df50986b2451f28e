"""What comes back from inside the sandbox is untrusted: checked entry by entry; what does
not fit is counted and left out, the rest kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

from analyzer.models import Phase, PhaseStatus
from analyzer.protocol import DnsEvent, PhaseReport
from analyzer.sandbox.driver_output import (
    read_network_log,
    read_progress,
    read_result,
    readback_notes,
    run_phases,
)
from analyzer.sandbox.resources import Sample, resources_between

PHASES = (Phase.INSTALL, Phase.IMPORT)


def _parse_driver_output(output: bytes, phases: tuple[Phase, ...],
                         started: float) -> tuple[PhaseReport, ...]:
    return run_phases(read_result(output), phases, started)


def line(document: object) -> bytes:
    return b"PKGSANDBOX-RESULT " + json.dumps(document).encode() + b"\n"


def phase(name: str, status: str = "completed", **extra: object) -> dict[str, object]:
    return {"phase": name, "status": status, "exit_code": 0, "started": 10.0, "ended": 12.5,
            "output_tail": "ok", **extra}


def test_the_last_result_line_wins_and_noise_is_ignored() -> None:
    output = (b"some stray text\n" + line({"phases": [phase("install", "error")]})
              + line({"phases": [phase("install"), phase("import", "timeout", exit_code=None)]}))
    parsed = _parse_driver_output(output, PHASES, started=1.0)
    assert [(p.phase, p.status, p.exit_code) for p in parsed] == [
        (Phase.INSTALL, PhaseStatus.COMPLETED, 0), (Phase.IMPORT, PhaseStatus.TIMEOUT, None)]
    assert parsed[0].ended - parsed[0].started == 2.5


def test_no_result_line_means_the_container_was_ended_from_outside() -> None:
    parsed = _parse_driver_output(b"", PHASES, started=1.0)
    assert {p.status for p in parsed} == {PhaseStatus.TIMEOUT}


def test_malformed_results_become_errors_not_exceptions() -> None:
    for bad in (b"PKGSANDBOX-RESULT {not json\n", b"PKGSANDBOX-RESULT [1]\n",
                line({"phases": [phase("install", status="pwned")]}),
                line({"phases": [phase("install", exit_code="zero")]}),
                line({"phases": [phase("install", exit_code=True)]}),
                line({"phases": [phase("install", started="10")]}),
                line({"phases": [phase("install", ended=float("nan"))]}),
                line({"phases": [phase("install", ended=10**400)]}),
                line({"phases": [phase("install", exit_code=10**400)]}),
                line({"phases": [phase("install", output_tail=["x"])]}),
                line({"phases": [phase("../../etc")]}),
                line({"phases": "install"})):
        result = read_result(bad)
        assert result is not None and result.malformed == 1, bad
        parsed = run_phases(result, PHASES, started=1.0)
        assert {p.status for p in parsed} == {PhaseStatus.ERROR}, bad


def test_one_malformed_entry_costs_only_itself_and_is_counted() -> None:
    output = line({"phases": [phase("install", status="pwned"), phase("import"), 7],
                   "notes": ["simulator did not start", {"a": 1}, "x" * 900]})
    result = read_result(output)
    assert result is not None and result.malformed == 3
    assert result.notes == ("simulator did not start", "x" * 500)
    install, imported = run_phases(result, PHASES, started=1.0)
    assert install.status is PhaseStatus.ERROR and imported.status is PhaseStatus.COMPLETED
    empty = read_network_log(Path("/nonexistent"))
    assert readback_notes(result, empty) == [
        "the driver's report held 3 malformed entries; they were left out"]


def test_output_tail_is_bounded() -> None:
    parsed = _parse_driver_output(line({"phases": [phase("install", output_tail="x" * 100_000)]}),
                                  PHASES, started=1.0)
    assert len(parsed[0].output_tail) == 8192


def test_resources_are_peak_memory_and_cpu_spent_within_the_phase() -> None:
    samples = (Sample(0.5, 100 * 2**20, 1.0), Sample(1.5, 300 * 2**20, 2.0),
               Sample(2.5, 200 * 2**20, 3.5), Sample(3.5, 900 * 2**20, 9.0))
    resources = resources_between(samples, 1.0, 3.0)
    assert resources.peak_memory_mb == 300.0
    assert resources.cpu_s == 2.5
    assert resources_between(samples, 5.0, 6.0).peak_memory_mb is None


def test_what_was_forced_is_kept_bounded_and_checked() -> None:
    output = line({"phases": [phase("install", forced=["installed without dependencies"]),
                              phase("import", forced=["x" * 500] * 300)]})
    install, imported = _parse_driver_output(output, PHASES, started=1.0)
    assert install.forced == ("installed without dependencies",)
    assert len(imported.forced) == 200 and {len(f) for f in imported.forced} == {200}
    for bad in ("stand-in", [1, 2], {"a": 1}):
        parsed = _parse_driver_output(line({"phases": [phase("install", forced=bad)]}),
                                      PHASES, started=1.0)
        assert parsed[0].status is PhaseStatus.ERROR, bad


def test_the_windows_bait_reaches_the_spec_with_this_runs_canaries(tmp_path: Path) -> None:
    from analyzer.baits import HONEYTOKEN_FILES
    from analyzer.models import Ecosystem, FetchedPackage, PackageRef
    from analyzer.protocol import Spec
    from analyzer.sandbox.docker_runner import SandboxLimits, _spec_dir
    from analyzer.sandbox.honeytokens import make_bait

    bait = make_bait()
    artifact = tmp_path / "demo-1.0-py3-none-any.whl"
    package = FetchedPackage(PackageRef(Ecosystem.PYPI, "demo", "1.0", "0" * 64, artifact.name),
                             artifact, tmp_path, ())
    with _spec_dir(package, PHASES, SandboxLimits(), bait, True) as folder:
        assert os.stat(folder).st_mode & 0o077 == 0  # the CA key and canaries: root only
        spec = Spec.from_json((folder / "spec.json").read_text())
    assert spec.user == bait.user and spec.phases == PHASES
    assert spec.artifact == package.artifact.name and spec.timeout(Phase.IMPORT) > 0
    token = next(c.value for c in bait.canaries if c.token == "discord-token")
    files = {f.path: f.content for f in spec.windows_files}
    leveldb = "AppData/Roaming/discord/Local Storage/leveldb/000005.ldb"
    assert token in files[leveldb]
    assert all(not path.startswith(("/", "..")) for path in files)
    assert any(leveldb.startswith(bait_path) for bait_path in HONEYTOKEN_FILES)
    # Laid only for the persona pass: the Linux home has no AppData.
    assert not any(f.path.startswith("AppData/") for f in spec.files)


def test_a_driver_that_died_leaves_its_finished_phases_and_the_one_it_was_in(
        tmp_path: Path) -> None:
    log = tmp_path / "progress.jsonl"
    log.write_text("\n".join([
        json.dumps({"phase": "install", "started": 10.0}),
        json.dumps(phase("install")),
        json.dumps({"phase": "import", "started": 13.0}),
        "{not json", "[1, 2]", "[" * 100_000 + "]" * 100_000,
    ]) + "\n")
    progress = read_progress(log)
    assert progress.died_in is Phase.IMPORT and progress.malformed == 3
    parsed = run_phases(progress, (*PHASES, Phase.EXECUTE), started=1.0)
    assert [(p.phase, p.status) for p in parsed] == [
        (Phase.INSTALL, PhaseStatus.COMPLETED), (Phase.IMPORT, PhaseStatus.ERROR),
        (Phase.EXECUTE, PhaseStatus.SKIPPED)]
    assert parsed[1].started == 13.0

    events = tmp_path / "events.jsonl"
    events.write_text('{"kind": "dns", "t": 11.0, "name": "a.example", "qtype": "A"}\n'
                      'not json\n"text"\n{"kind": "dns", "t": 12.0}\n')
    network = read_network_log(events)
    assert network.events == (DnsEvent(11.0, "a.example", "A"),) and network.malformed == 3
    assert read_network_log(tmp_path / "missing.jsonl").events == ()
    missing = read_progress(tmp_path / "missing.jsonl")
    assert (missing.phases, missing.died_in) == ((), None)
    # Nothing reported and the driver died between phases: errors, not skipped.
    assert {p.status for p in run_phases(missing, PHASES, 1.0)} == {PhaseStatus.ERROR}


def test_each_phase_is_told_once_as_the_driver_starts_it(tmp_path: Path) -> None:
    from analyzer.sandbox.docker_runner import _phase_watch

    log = tmp_path / "progress.jsonl"
    told: list[str] = []
    check = _phase_watch(log, told.append)
    check()  # no log yet
    log.write_text(json.dumps({"phase": "install", "started": 10.0}) + "\n")
    check()
    check()
    with log.open("a") as f:
        f.write(json.dumps(phase("install")) + "\n")  # a finished phase starts nothing
        f.write(json.dumps({"phase": "import", "started": 13.0}) + "\n")
    check()
    assert told == ["install", "import"]
