"""What comes back from inside the sandbox is untrusted: parsed field by field, never trusted."""

from __future__ import annotations

import json

from analyzer.models import Phase, PhaseStatus
from analyzer.sandbox.docker_runner import _driver_document, _parse_driver_phases
from analyzer.sandbox.resources import Sample, resources_between

PHASES = (Phase.INSTALL, Phase.IMPORT)


def _parse_driver_output(output: bytes, phases: tuple[Phase, ...], started: float):  # type: ignore[no-untyped-def]
    return _parse_driver_phases(_driver_document(output), phases, started)


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
    for bad in (b"PKGSANDBOX-RESULT {not json\n",
                line({"phases": [phase("install", status="pwned")]}),
                line({"phases": [phase("install", exit_code="zero")]}),
                line({"phases": "install"})):
        parsed = _parse_driver_output(bad, PHASES, started=1.0)
        assert {p.status for p in parsed} == {PhaseStatus.ERROR}, bad


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
