"""Run the in-sandbox driver in a gVisor container with no network, and collect what it says."""

from __future__ import annotations

import contextlib
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
from analyzer.models import FetchedPackage, Phase
from analyzer.protocol import (
    ARTIFACT_DIR,
    DEPS_DIR,
    MAX_RESULT_BYTES,
    NETSIM_LOG,
    OUT_DIR,
    PROGRESS_LOG,
    SPEC_DIR,
    SPEC_FILE,
    NetworkEvent,
    PhaseReport,
    Spec,
)
from analyzer.sandbox.ca import make_run_ca
from analyzer.sandbox.daemon import connect
from analyzer.sandbox.driver_output import (
    read_network_log,
    read_progress,
    read_result,
    readback_notes,
    run_phases,
    started_phases,
)
from analyzer.sandbox.honeytokens import Bait, make_bait
from analyzer.sandbox.host import CONTAINER_LABEL, RUNTIME, trace_dir
from analyzer.sandbox.images import image_name
from analyzer.sandbox.resources import ResourceSampler, Sample
from analyzer.sandbox.seccomp import security_options
from analyzer.sandbox.sweep import OWNER_LABEL, owner_tag

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
class SandboxRun:
    container_id: str
    phases: tuple[PhaseReport, ...]
    samples: tuple[Sample, ...]
    trace_dir: Path
    bait: Bait
    network_events: tuple[NetworkEvent, ...]  # what the simulator heard, validated
    # What the driver could not do (e.g. the simulator did not start), and what the host
    # refused of what came back.
    notes: tuple[str, ...]


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
                    str(spec_dir): {"bind": SPEC_DIR, "mode": "ro"},
                    str(package.artifact.parent): {"bind": ARTIFACT_DIR, "mode": "ro"},
                    str(package.dependency_dir): {"bind": DEPS_DIR, "mode": "ro"},
                    str(out_dir): {"bind": OUT_DIR, "mode": "rw"},
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
        output = container.logs(stdout=True, stderr=False, tail=50)[-MAX_RESULT_BYTES:]
        driver = read_result(output)
        notes = list(driver.notes) if driver else []
        if driver is None:
            # No result line: the sandbox was ended from outside, ran out of memory, or the
            # driver died. What reached the progress log before that is the evidence.
            driver = read_progress(out_dir / PROGRESS_LOG)
            notes.append(stopped or _death_note(container, driver.died_in))
        network = read_network_log(out_dir / NETSIM_LOG)
        return SandboxRun(
            container_id=container.id,
            phases=run_phases(driver, phases, started),
            samples=sampler.samples,
            trace_dir=trace_dir(container.id),
            bait=bait,
            network_events=network.events,
            notes=(*notes, *readback_notes(driver, network)),
        )


@contextmanager
def _spec_dir(package: FetchedPackage, phases: tuple[Phase, ...], limits: SandboxLimits,
              bait: Bait, simulate_network: bool) -> Iterator[Path]:
    ca = make_run_ca()
    spec = Spec(
        ecosystem=package.ref.ecosystem.value,
        user=bait.user,
        name=package.ref.name,
        artifact=package.artifact.name,
        phases=phases,
        timeouts=tuple((p, limits.timeout(p)) for p in phases),
        ca_cert=ca.cert_pem.decode(),
        ca_key=ca.key_pem.decode(),
        files=bait.files,
        windows_files=bait.windows_files,
        env=bait.env,
        simulate_network=simulate_network,
    )
    # mkdtemp makes it 0700: inside, only root (the driver) can read the key and canaries.
    path = Path(tempfile.mkdtemp(prefix="pkgsandbox-spec-"))
    try:
        (path / SPEC_FILE).write_text(spec.to_json())
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _phase_watch(log: Path, on_phase: Callable[[str], None] | None) -> Callable[[], None]:
    """A check, made at each wait step, that tells `on_phase` of a phase newly started."""
    told: list[str] = []

    def check() -> None:
        if on_phase is None:
            return
        for phase in started_phases(log)[len(told):]:
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


def _death_note(container: Any, phase: Phase | None) -> str:
    """Why the driver gave no result, in one line."""
    with contextlib.suppress(docker.errors.DockerException, requests.exceptions.RequestException):
        container.reload()
    state = container.attrs.get("State") or {}
    during = f" during the {phase} phase" if phase else ""
    if state.get("OOMKilled"):
        return (f"the sandbox ran out of memory{during} and was killed; what it did until "
                "then is kept")
    errors = container.logs(stdout=False, stderr=True, tail=5)
    last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no word"]
    return f"the sandbox driver died{during} (exit {state.get('ExitCode')}): {last[0][:300]}"


def _remove(container: Any) -> None:
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        raise SandboxError(
            f"could not remove sandbox container {container.id[:12]}: {exc}") from None
