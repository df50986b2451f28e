"""Peak memory and CPU of one gVisor sandbox, sampled from the host with psutil.

Memory is the sum of the sandbox processes' proportional set sizes (PSS): the Sentry,
the gofer and the stubs share pages, and adding their RSS counted those pages once per
process (2.5-4x what the container's cgroup reports).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psutil

from analyzer.models import Resources


@dataclass(frozen=True)
class Sample:
    at: float  # epoch seconds
    memory_bytes: int  # PSS summed over the sandbox's processes
    cpu_s: float


def _sandbox_processes(container_id: str) -> list[psutil.Process]:
    """The runsc-sandbox (Sentry) process of this container and its children.

    With the ptrace platform the application's memory lives in the Sentry's stub
    children, so they count too.
    """
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if cmdline and cmdline[0].endswith("runsc-sandbox") and container_id in cmdline:
            try:
                return [proc, *proc.children(recursive=True)]
            except psutil.Error:
                return [proc]
    return []


class ResourceSampler:
    """Samples in a background thread until stopped; cheap enough at 4 Hz."""

    def __init__(self, container_id: str, interval_s: float = 0.25) -> None:
        self._container_id = container_id
        self._interval_s = interval_s
        self._samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="resource-sampler", daemon=True)

    def __enter__(self) -> ResourceSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def samples(self) -> tuple[Sample, ...]:
        return tuple(self._samples)

    def _run(self) -> None:
        procs: list[psutil.Process] = []
        while not self._stop.is_set():
            if not procs:
                procs = _sandbox_processes(self._container_id)
            else:
                # Children come and go (stubs); refresh them from the Sentry.
                try:
                    procs = [procs[0], *procs[0].children(recursive=True)]
                except psutil.Error:
                    procs = []
            memory = 0
            cpu = 0.0
            for proc in procs:
                try:
                    memory += _proportional_size(proc)
                    times = proc.cpu_times()
                    cpu += times.user + times.system
                except psutil.Error:
                    continue
            if procs:
                self._samples.append(Sample(time.time(), memory, cpu))
            self._stop.wait(self._interval_s)


def _proportional_size(proc: psutil.Process) -> int:
    """PSS where the kernel gives it (smaps_rollup); RSS otherwise."""
    try:
        return int(proc.memory_full_info().pss)
    except (psutil.AccessDenied, AttributeError):
        return int(proc.memory_info().rss)


def resources_between(samples: tuple[Sample, ...], start: float, end: float) -> Resources:
    """Peak memory within [start, end] and the CPU time spent across it."""
    inside = [s for s in samples if start <= s.at <= end]
    if not inside:
        return Resources(peak_memory_mb=None, cpu_s=None)
    before = [s for s in samples if s.at < start]
    cpu_start = before[-1].cpu_s if before else inside[0].cpu_s
    return Resources(
        peak_memory_mb=round(max(s.memory_bytes for s in inside) / 2**20, 1),
        cpu_s=round(max(0.0, inside[-1].cpu_s - cpu_start), 2),
    )
