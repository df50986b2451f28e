"""Peak memory of a sandbox (its container's cgroup) and of the watcher's process tree."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from analyzer.models import Phase
from analyzer.sandbox.docker_runner import DockerSandbox, SandboxRun
from analyzer.sandbox.honeytokens import Bait

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_peak_files(container_id: str) -> list[Path]:
    """Where the kernel keeps a container's peak memory: cgroup v1 (Docker's cgroupfs
    driver) has memory.max_usage_in_bytes; cgroup v2 has memory.peak from Linux 5.19."""
    return [CGROUP_ROOT / "memory" / "docker" / container_id / "memory.max_usage_in_bytes",
            CGROUP_ROOT / "docker" / container_id / "memory.peak",
            CGROUP_ROOT / "system.slice" / f"docker-{container_id}.scope" / "memory.peak"]


class CgroupPeak:
    """Reads a container's peak-memory counter until stopped.

    The cgroup goes away when the container exits, so the counter is read while it
    runs; it only grows, and the last read (at most `interval_s` before the exit) is
    the peak.
    """

    def __init__(self, container_id: str, interval_s: float = 0.05) -> None:
        self._files = cgroup_peak_files(container_id)
        self._interval_s = interval_s
        self.peak_bytes: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cgroup-peak", daemon=True)

    def __enter__(self) -> CgroupPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in self._files:
                try:
                    value = int(path.read_text())
                except (OSError, ValueError):
                    continue  # not created yet, already gone, or another cgroup layout
                self.peak_bytes = max(value, self.peak_bytes or 0)
                self._files = [path]
                break
            self._stop.wait(self._interval_s)


class PeakMemorySandbox(DockerSandbox):
    """The sandbox, also keeping each container's peak memory (MB) as the kernel counted
    it: the Sentry, its gofer and the in-memory root overlay, page cache included."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.peaks_mb: list[float] = []

    def _run_container(self, container: Any, phases: tuple[Phase, ...], bait: Bait,
                       out_dir: Path, on_phase: Callable[[str], None] | None) -> SandboxRun:
        with CgroupPeak(container.id) as peak:
            run = super()._run_container(container, phases, bait, out_dir, on_phase)
        if peak.peak_bytes is None:
            raise RuntimeError(f"no memory cgroup found for container {container.id[:12]}"
                               f" (looked for {', '.join(map(str, cgroup_peak_files('ID')))})")
        self.peaks_mb.append(peak.peak_bytes / 2**20)
        return run


def vm_hwm_bytes(pid: int) -> int:
    """A process's peak resident set size so far (VmHWM in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise ValueError(f"no VmHWM for pid {pid}")


class TreePeak:
    """Peak RSS of a process and its descendants, polled: the process's own high-water
    mark, the largest descendant's, and the largest sum of the tree's RSS at one poll
    (shared pages count once per process, so the sum errs high)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.own_bytes = 0
        self.child_bytes = 0
        self.sum_bytes = 0

    def poll(self) -> None:
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return  # exiting
        total = 0
        for proc in tree:
            try:
                total += proc.memory_info().rss
                hwm = vm_hwm_bytes(proc.pid)
            except (psutil.Error, OSError, ValueError):
                continue
            if proc.pid == self.root.pid:
                self.own_bytes = max(self.own_bytes, hwm)
            else:
                self.child_bytes = max(self.child_bytes, hwm)
        self.sum_bytes = max(self.sum_bytes, total)
