"""Local workers: N processes on this machine, each polling the job table.

Workers are not forked from the watcher, which would copy its database connections and
threads into them: they come from a fork server, a clean single-threaded process that
has imported the worker code once, so a replacement after a kill starts in milliseconds.
Where there is no fork server (not POSIX), they are spawned.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess

from analyzer.scheduler.interface import AnalyserFactory, SchedulerError, WorkerBackend
from analyzer.scheduler.worker import EXIT_ABANDONED, WorkerSettings, worker_main

log = logging.getLogger(__name__)
# A worker that dies at once (bad configuration) is not restarted in a tight loop...
RESTART_DELAY_S = 2.0
# ...and one that failed this often in a row within its first seconds never will start.
EARLY_DEATH_S = 10.0
EARLY_DEATHS_MAX = 5


class LocalPool(WorkerBackend):
    """`count` worker processes, replaced when one dies (kill -9, timeout, crash)."""

    def __init__(self, count: int, settings: WorkerSettings, factory: AnalyserFactory,
                 restart_delay_s: float = RESTART_DELAY_S,
                 early_deaths_max: int = EARLY_DEATHS_MAX) -> None:
        self.count = max(1, count)
        self.restart_delay_s = restart_delay_s
        self.early_deaths_max = early_deaths_max
        self.settings = settings
        self.factory = factory
        self._context: ForkServerContext | SpawnContext
        if "forkserver" in multiprocessing.get_all_start_methods():
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["analyzer.scheduler.worker"])
        else:
            self._context = multiprocessing.get_context("spawn")
        # The watcher holds the only write end: when it dies, however, workers read EOF.
        self._lifeline, self._lifeline_end = self._context.Pipe(duplex=False)
        self._workers: list[BaseProcess | None] = [None] * self.count
        self._started_at = [0.0] * self.count
        self._stopping = False
        self._early_deaths = 0

    def start(self) -> None:
        for index in range(self.count):
            self._spawn(index)

    def supervise(self) -> list[str]:
        events = []
        for index, process in enumerate(self._workers):
            if process is not None and process.is_alive():
                continue
            if process is not None:
                events.append(f"worker {index} (pid {process.pid}) {_how(process.exitcode)};"
                              " starting a new one")
                process.join(0)
                self._workers[index] = None
                self._count_early_death(index, process.exitcode)
            if (not self._stopping
                    and time.monotonic() - self._started_at[index] >= self.restart_delay_s):
                self._spawn(index)
        return events

    def alive(self) -> int:
        return sum(1 for p in self._workers if p is not None and p.is_alive())

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and the progress line)."""
        return [p.pid for p in self._workers if p is not None and p.is_alive() and p.pid]

    def stop(self, grace_s: float) -> None:
        self._stopping = True
        live = [p for p in self._workers if p is not None and p.is_alive()]
        for process in live:
            process.terminate()  # SIGTERM: finish or release the current job
        deadline = time.monotonic() + grace_s + 5.0
        for process in live:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in live:
            if process.is_alive():
                log.warning("worker pid %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join(5.0)

    def _count_early_death(self, index: int, exitcode: int | None) -> None:
        # Only an error exit counts: kill -9 or a job timeout is not a start-up problem.
        early = time.monotonic() - self._started_at[index] < EARLY_DEATH_S
        failed = exitcode is not None and exitcode > 0 and exitcode != EXIT_ABANDONED
        self._early_deaths = self._early_deaths + 1 if early and failed else 0
        if self._early_deaths >= self.early_deaths_max:
            raise SchedulerError(f"worker processes exit as soon as they start"
                                 f" ({self._early_deaths} in a row, last {_how(exitcode)});"
                                 " their error is in the log above")

    def _spawn(self, index: int) -> None:
        process = self._context.Process(
            target=worker_main, args=(index, self.settings, self.factory, self._lifeline),
            name=f"pkgsandbox-worker-{index}", daemon=True)
        process.start()
        self._workers[index] = process
        self._started_at[index] = time.monotonic()


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return "is gone"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with status {exitcode}"
