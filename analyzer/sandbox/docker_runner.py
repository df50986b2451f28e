"""Run the in-sandbox driver in a gVisor container with no network, and collect what it says."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions

from analyzer.defaults import PHASE_TIMEOUTS_S, SANDBOX_MEMORY_MB
from analyzer.errors import SandboxError
from analyzer.models import FetchedPackage, Phase, PhaseStatus
from analyzer.sandbox.ca import make_run_ca
from analyzer.sandbox.daemon import connect
from analyzer.sandbox.honeytokens import Bait, make_bait
from analyzer.sandbox.host import CONTAINER_LABEL, RUNTIME, trace_dir
from analyzer.sandbox.images import image_name
from analyzer.sandbox.resources import ResourceSampler, Sample
from analyzer.sandbox.seccomp import security_options
from analyzer.sandbox.sweep import OWNER_LABEL, owner_tag

RESULT_PREFIX = b"PKGSANDBOX-RESULT "
MAX_DRIVER_OUTPUT = 2**20  # the phases' result line: tails and notes, a few tens of kB
# What the driver and the simulator write as they go, in the run's /out (the driver's
# machine.py): it outlives a sandbox that dies. The simulator caps its log at 16 MB.
PROGRESS_LOG = "progress.jsonl"
NETSIM_LOG = "netsim/events.jsonl"
MAX_NETWORK_LOG = 16 * 2**20
MAX_NETWORK_EVENTS = 5000
# The gVisor trace on the host's disk: past this, the run is stopped (a syscall flood
# writes about 4.5 MB/s; an ordinary install of a large package, tens of MB).
MAX_TRACE_BYTES = 256 * 2**20
WAIT_STEP_S = 2.0
# Capabilities the root driver needs to prepare the machine (bind-mount over /proc files,
# bind the simulator's ports) and drop to the package's user, which has none of them.
DRIVER_CAPS = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL",
               "NET_BIND_SERVICE", "SYS_ADMIN"]
# Hostnames of real developer machines and CI runners; never "sandbox" or a container id.
HOSTNAMES = ("alex-thinkpad", "dev-ws-0142", "build-agent-07", "mbp-alexm", "ip-10-0-3-17",
             "workstation-22", "runner-7f3k2")


@dataclass(frozen=True)
class SandboxLimits:
    memory_mb: int = SANDBOX_MEMORY_MB
    pids: int = 512
    cpus: float = 2.0
    tmp_mb: int = 512
    timeouts_s: tuple[tuple[Phase, float], ...] = tuple(
        (Phase(name), seconds) for name, seconds in PHASE_TIMEOUTS_S)

    def timeout(self, phase: Phase) -> float:
        return dict(self.timeouts_s)[phase]


@dataclass(frozen=True)
class DriverPhase:
    """One phase as the driver saw it: status, exit code, wall-clock bounds, output tail."""

    phase: Phase
    status: PhaseStatus
    exit_code: int | None
    started: float
    ended: float
    output_tail: str
    forced: tuple[str, ...] = ()


@dataclass(frozen=True)
class SandboxRun:
    container_id: str
    phases: tuple[DriverPhase, ...]
    samples: tuple[Sample, ...]
    trace_dir: Path
    bait: Bait
    network_events: tuple[dict[str, Any], ...]  # the simulator's log: untrusted, parsed later
    notes: tuple[str, ...]  # what the driver could not do (e.g. the simulator did not start)


class DockerSandbox:
    """Runs phases of one package in a fresh container of the `pkgsandbox-runsc` runtime."""

    def __init__(self, limits: SandboxLimits | None = None,
                 client: docker.DockerClient | None = None, runtime: str = RUNTIME,
                 simulate_network: bool = True) -> None:
        self.limits = limits or SandboxLimits()
        self._client = client
        # Only benchmarks choose another runtime (runc, untraced) or switch the network
        # simulator off, to measure what gVisor and the simulator cost.
        self.runtime = runtime
        self.simulate_network = simulate_network

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = connect()
        return self._client

    def check(self, package: FetchedPackage) -> str:
        """Fail early, in one line, if the runtime or the image is missing; returns the image."""
        runtimes = self.client.info().get("Runtimes", {})
        if self.runtime not in runtimes:
            raise SandboxError(
                f"the Docker daemon has no {self.runtime} runtime; run `make setup` (as root)"
            )
        image = image_name(package.ref.ecosystem)
        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound:
            raise SandboxError(
                f"sandbox image {image} is missing; run `pkgsandbox images build`"
            ) from None
        return image

    def run(self, package: FetchedPackage, phases: tuple[Phase, ...],
            on_phase: Callable[[str], None] | None = None) -> SandboxRun:
        """Run the phases in a new sandbox; `on_phase` hears each phase's name as the
        driver starts it (read from the driver's progress log while the run goes on)."""
        image = self.check(package)
        bait = make_bait()
        with _spec_dir(package, phases, self.limits, bait, self.simulate_network) as spec_dir, \
                _out_dir() as out_dir:
            container = self.client.containers.create(
                image,
                runtime=self.runtime,
                network_mode="none",
                mem_limit=f"{self.limits.memory_mb}m",
                memswap_limit=f"{self.limits.memory_mb}m",
                pids_limit=self.limits.pids,
                nano_cpus=int(self.limits.cpus * 1e9),
                tmpfs={"/tmp": f"size={self.limits.tmp_mb}m,mode=1777"},  # noqa: S108 (inside)
                hostname=secrets.choice(HOSTNAMES),
                dns=["127.0.0.1"],
                cap_drop=["ALL"],
                cap_add=DRIVER_CAPS,
                security_opt=security_options(),  # no user namespaces, no raw sockets
                volumes={
                    str(spec_dir): {"bind": "/in/spec", "mode": "ro"},
                    str(package.artifact.parent): {"bind": "/in/artifact", "mode": "ro"},
                    str(package.dependency_dir): {"bind": "/in/deps", "mode": "ro"},
                    str(out_dir): {"bind": "/out", "mode": "rw"},
                },
                labels={CONTAINER_LABEL: package.ref.name[:200], OWNER_LABEL: owner_tag()},
                detach=True,
            )
            try:
                run = self._run_container(container, phases, bait, out_dir, on_phase)
            except BaseException:
                _remove(container)
                # After the removal: runsc's `delete` writes its own log into this folder.
                shutil.rmtree(trace_dir(container.id), ignore_errors=True)
                raise
            _remove(container)
            return run

    def _run_container(self, container: Any, phases: tuple[Phase, ...], bait: Bait,
                       out_dir: Path, on_phase: Callable[[str], None] | None) -> SandboxRun:
        budget = sum(self.limits.timeout(p) for p in phases) + 60.0
        started = time.time()
        with ResourceSampler(container.id) as sampler:
            container.start()
            stopped = _wait(container, budget, _phase_watch(out_dir / PROGRESS_LOG, on_phase))
        output = container.logs(stdout=True, stderr=False, tail=50)[-MAX_DRIVER_OUTPUT:]
        document = _driver_document(output)
        notes = [str(n)[:500] for n in document.get("notes", [])[:20]]
        if not document:
            # No result line: the sandbox was ended from outside, ran out of memory, or the
            # driver died. What reached the progress log before that is the evidence.
            document = _progress_document(out_dir / PROGRESS_LOG)
            notes.append(stopped or _death_note(container, document))
        return SandboxRun(
            container_id=container.id,
            phases=_parse_driver_phases(document, phases, started),
            samples=sampler.samples,
            trace_dir=trace_dir(container.id),
            bait=bait,
            network_events=_network_events(out_dir / NETSIM_LOG),
            notes=tuple(notes),
        )


@contextmanager
def _spec_dir(package: FetchedPackage, phases: tuple[Phase, ...], limits: SandboxLimits,
              bait: Bait, simulate_network: bool) -> Iterator[Path]:
    ca = make_run_ca()
    spec = {
        "ecosystem": package.ref.ecosystem.value,
        "user": bait.user,
        "name": package.ref.name,
        "artifact": package.artifact.name,
        "phases": [p.value for p in phases],
        "timeouts": {p.value: limits.timeout(p) for p in phases},
        "ca_cert": ca.cert_pem.decode(),
        "ca_key": ca.key_pem.decode(),
        "bait": bait.to_spec(),
        "simulate_network": simulate_network,
    }
    # mkdtemp makes it 0700: inside, only root (the driver) can read the key and canaries.
    path = Path(tempfile.mkdtemp(prefix="pkgsandbox-spec-"))
    try:
        (path / "spec.json").write_text(json.dumps(spec))
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _phase_watch(log: Path, on_phase: Callable[[str], None] | None) -> Callable[[], None]:
    """A check, made at each wait step, that tells `on_phase` of a phase newly started."""
    told: list[str] = []

    def check() -> None:
        if on_phase is None:
            return
        started = [str(r.get("phase"))[:20] for r in _json_lines(log, 2**20)
                   if "started" in r and "status" not in r]
        for phase in started[len(told):]:
            told.append(phase)
            on_phase(phase)

    return check


def _wait(container: Any, budget: float, each_step: Callable[[], None]) -> str | None:
    """Wait for the driver to end; None when it did, else why the sandbox was stopped from
    outside: the run's budget is spent (the driver's own timeouts failed), or the trace
    on the host's disk has grown past MAX_TRACE_BYTES (a flood of syscalls)."""
    deadline = time.monotonic() + budget
    while (left := deadline - time.monotonic()) > 0:
        each_step()
        with contextlib.suppress(requests.exceptions.RequestException):
            container.wait(timeout=max(1, min(left, WAIT_STEP_S)))
            return None
        size = _folder_bytes(trace_dir(container.id))
        if size > MAX_TRACE_BYTES:
            _kill(container)
            return (f"the sandbox was stopped: its trace reached {size / 2**20:.0f} MB "
                    f"(the limit is {MAX_TRACE_BYTES / 2**20:.0f} MB); what it did until then "
                    "is kept")
    _kill(container)
    return f"the sandbox was stopped after {budget:.0f} s"


def _kill(container: Any) -> None:
    with contextlib.suppress(docker.errors.APIError):  # it ended meanwhile
        container.kill()


def _folder_bytes(path: Path) -> int:
    total = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(path):
            with contextlib.suppress(OSError):
                total += entry.stat(follow_symlinks=False).st_size
    return total


@contextmanager
def _out_dir() -> Iterator[Path]:
    """The run's /out: only root inside can write it (the driver makes the simulator's part)."""
    path = Path(tempfile.mkdtemp(prefix="pkgsandbox-out-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _progress_document(path: Path) -> dict[str, Any]:
    """The phases the driver finished before it died, from its progress log; the phase
    it had started and not finished is an error (its trace and network still count)."""
    finished: list[dict[str, Any]] = []
    running: dict[str, Any] | None = None
    for record in _json_lines(path, 2**20):
        if "status" in record:
            finished.append(record)
            running = None
        elif isinstance(record.get("started"), (int, float)):
            running = record
    if running is not None:
        finished.append({"phase": running.get("phase"), "status": "error", "exit_code": None,
                         "started": running["started"], "ended": time.time(),
                         "output_tail": "", "forced": []})
    return {"phases": finished, "died_in": running.get("phase") if running else None}


def _death_note(container: Any, document: dict[str, Any]) -> str:
    """Why the driver gave no result, in one line."""
    with contextlib.suppress(docker.errors.DockerException, requests.exceptions.RequestException):
        container.reload()
    state = container.attrs.get("State") or {}
    phase = document.get("died_in")
    during = f" during the {str(phase)[:20]} phase" if phase else ""
    if state.get("OOMKilled"):
        return (f"the sandbox ran out of memory{during} and was killed; what it did until "
                "then is kept")
    errors = container.logs(stdout=False, stderr=True, tail=5)
    last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no word"]
    return f"the sandbox driver died{during} (exit {state.get('ExitCode')}): {last[0][:300]}"


def _network_events(path: Path) -> tuple[dict[str, Any], ...]:
    """The simulator's log: untrusted JSON lines, bounded; parsed field by field later."""
    return tuple(_json_lines(path, MAX_NETWORK_LOG))[:MAX_NETWORK_EVENTS]


def _json_lines(path: Path, limit: int) -> Iterator[dict[str, Any]]:
    try:
        with path.open("rb") as f:
            data = f.read(limit)
    except OSError:
        return
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # a line nested a million deep too
            continue
        if isinstance(record, dict):
            yield record


def _driver_document(output: bytes) -> dict[str, Any]:
    """The driver's last result line, or {} when there is none or it is not an object."""
    lines = [line for line in output.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        return {}
    try:
        document = json.loads(lines[-1][len(RESULT_PREFIX):])
    except ValueError:
        return {"phases": "malformed"}
    return document if isinstance(document, dict) else {"phases": "malformed"}


def _parse_driver_phases(document: dict[str, Any], phases: tuple[Phase, ...],
                         started: float) -> tuple[DriverPhase, ...]:
    """Phases as the driver reported them; data from inside the sandbox, checked field by field."""
    reported: dict[Phase, DriverPhase] = {}
    if document:
        try:
            for item in document["phases"]:
                phase = Phase(item["phase"])
                reported[phase] = DriverPhase(
                    phase=phase,
                    status=PhaseStatus(item["status"]),
                    exit_code=None if item["exit_code"] is None else int(item["exit_code"]),
                    started=float(item["started"]),
                    ended=float(item["ended"]),
                    output_tail=str(item["output_tail"])[-8192:],
                    forced=_forced(item.get("forced", [])),
                )
        except (ValueError, KeyError, TypeError):
            reported = {}
    now = time.time()
    if document.get("died_in") and reported:
        # The driver died in a phase: the ones after it never started.
        return tuple(reported.get(p) or DriverPhase(p, PhaseStatus.SKIPPED, None, now, now, "")
                     for p in phases)
    # No word from the driver: the container was killed from outside, or the driver died.
    return tuple(
        reported.get(p) or DriverPhase(p, PhaseStatus.ERROR if document else PhaseStatus.TIMEOUT,
                                       None, started, now, "")
        for p in phases
    )


MAX_FORCED = 200


def _forced(names: Any) -> tuple[str, ...]:
    """What the driver says it forced: a list of short strings, or a TypeError."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TypeError("forced is not a list of strings")
    return tuple(n[:200] for n in names[:MAX_FORCED])


def _remove(container: Any) -> None:
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        raise SandboxError(
            f"could not remove sandbox container {container.id[:12]}: {exc}") from None
