"""Progress for long work: drawn in place with rich on a terminal, plain lines elsewhere.

Text shown here comes from packages and registries: callers pass it through
`analyzer.terminal.printable` first, and rich gets it as `Text`, never as markup, so a
name like `[bold]x` is shown as it is spelt.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.progress import Progress, TaskID

Lines = Callable[[str], None]


def _console(stream: IO[str]) -> Console | None:
    """A rich console on `stream` when it is a terminal, else None (imported only then)."""
    if not stream.isatty():
        return None
    from rich.console import Console

    return Console(file=stream, highlight=False, markup=False, emoji=False)


def _plain(stream: IO[str]) -> Lines:
    def write(line: str) -> None:
        print(line, file=stream, flush=True)

    return write


class _Display:
    """What every display shares: its stream, a rich console when that is a terminal,
    and what draws on it, stopped when the block ends."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream or sys.stderr
        self._console = _console(self._stream)
        self._drawing: Progress | Live | None = None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._drawing is not None:
            self._drawing.stop()


class Activity(_Display):
    """One piece of work with steps: on a terminal a spinner, the current step and the
    time since the start, redrawn in place; elsewhere each step as a line of its own."""

    def __init__(self, prefix: str = "", stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._prefix = prefix
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Activity:
        if self._console is not None:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}", markup=False),
                TimeElapsedColumn(), console=self._console, transient=True)
            self._progress.start()
            self._drawing = self._progress
            self._task = self._progress.add_task("starting", total=None)
        return self

    def step(self, text: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)
            # Each step also stays above the spinner, as the plain lines would.
            self._progress.console.print(self._prefix + text, markup=False)
        else:
            _plain(self._stream)(self._prefix + text)


class Bar(_Display):
    """N items of work: on a terminal a bar with done/total, the current item and the
    time taken; elsewhere a line per item."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._total = total
        self._done = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Bar:
        if self._console is not None and self._total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False), console=self._console,
                transient=True)
            self._progress.start()
            self._drawing = self._progress
            self._task = self._progress.add_task("", total=self._total)
        return self

    def note(self, text: str) -> None:
        """A line for the person, above the bar."""
        if self._progress is not None:
            self._progress.console.print(text, markup=False)
        else:
            _plain(self._stream)(text)

    def start(self, item: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=item)
        else:
            _plain(self._stream)(f"pkgsandbox: [{self._done + 1}/{self._total}] analysing {item}")

    def advance(self) -> None:
        self._done += 1
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)


class LiveLine(_Display):
    """A status line that is rewritten in place on a terminal, and printed as a new line
    each time elsewhere (a log keeps every reading)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._live: Live | None = None

    def __enter__(self) -> LiveLine:
        if self._console is not None:
            from rich.live import Live

            self._live = Live(console=self._console, auto_refresh=False, transient=False)
            self._live.start()
            self._drawing = self._live
        return self

    def show(self, line: str) -> None:
        if self._live is not None:
            from rich.text import Text

            self._live.update(Text(line, no_wrap=True, overflow="ellipsis"), refresh=True)
        else:
            _plain(self._stream)(line)
