"""Leaves over what the package's processes ran and which files they touched."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from analyzer.detect.rules.context import Context, clip, command_line
from analyzer.detect.rules.leaf import (
    Leaf,
    Pattern,
    allows,
    boolean,
    choice_of,
    globs,
    nested,
    regexes,
)
from analyzer.detect.rules.patterns import (
    NO_GLOBS,
    GlobSet,
    name_glob,
    path_glob,
    search_any,
    text_glob,
)
from analyzer.models import FileAccess, FileEvent, ProcessEvent


def _history(clauses: tuple[FileLeaf, ...], path: str, ctx: Context,
             not_by: int | None = None) -> bool:
    """Each clause matches some event of this phase on `path` (not made by pid `not_by`)."""
    events = [f for f in ctx.files_by_path.get(path, ()) if f.pid != not_by]
    return all(any(clause.matches(f, ctx) for f in events) for clause in clauses)


def script_paths(argv: tuple[str, ...]) -> Iterator[str]:
    """Absolute paths among the words of the arguments (`sh -c "start python /tmp/x"`
    counts), except what cannot be a script run: the value of a long option
    (`--record /tmp/...` is an output), a redirection's target, /dev and /proc files,
    and what follows an interpreter's own `-m MODULE` or `-c/-e CODE` (the module's or
    the code's arguments: `python -m json.tool /tmp/in` runs json.tool)."""
    skip_next = False
    for word in " ".join(_interpreted_words(argv)).split():
        word = word.strip("'\"();")
        if word.startswith("/") and not skip_next and not word.startswith(("/dev/", "/proc/")):
            yield word
        skip_next = (word.startswith("--") and "=" not in word) or word.endswith((">", "<"))


_RUNS_NAMED_CODE = re.compile(r"(python[0-9.]*|node(js)?)")


def _interpreted_words(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The arguments that may name a script: for python or node given `-m MODULE` or
    inline code, only what comes before the module and the code itself."""
    if not argv or not _RUNS_NAMED_CODE.fullmatch(argv[0].rsplit("/", 1)[-1]):
        return argv[1:]
    for i, word in enumerate(argv[1:], start=1):
        if word == "-m":
            return argv[1:i]
        if word in ("-c", "-e", "--eval", "-p", "--print"):
            return argv[1:i + 2]
    return argv[1:]


def by_program(clause: ProcessLeaf | None, pid: int, ctx: Context) -> bool:
    """No `by` clause, or one of the programs `pid` ran matches it."""
    return clause is None or any(clause.matches(p, ctx) for p in ctx.images.get(pid, ()))


@dataclass(frozen=True)
class ProcessLeaf(Leaf[ProcessEvent]):
    """A program run: `executable` globs (a bare name matches the base name), `argv`
    regexes and `command` globs over the space-joined argv, `root` (started by the
    sandbox driver: pip, npm, the import helper), the `parent` or any `ancestor`
    process, `exe_history`: file clauses the executable's own path must each match in
    the same phase (written, then made executable: a dropper), and `script_history`:
    the same for a path among the arguments, written by another process (a script
    written, then interpreted; see `script_paths`)."""

    key: ClassVar[str] = "process"
    executable: GlobSet = NO_GLOBS
    argv: tuple[Pattern, ...] = ()
    command: GlobSet = NO_GLOBS
    ok: bool | None = None
    root: bool | None = None
    parent: ProcessLeaf | None = None
    ancestor: ProcessLeaf | None = None
    exe_history: tuple[FileLeaf, ...] = ()
    script_history: tuple[FileLeaf, ...] = ()

    def events(self, ctx: Context) -> Iterable[ProcessEvent]:
        return ctx.trace.processes

    def accepts(self, event: ProcessEvent, ctx: Context) -> bool:
        line = command_line(event.argv)
        if self.executable and not self.executable.match(event.executable):
            return False
        if self.argv and not search_any(self.argv, line):
            return False
        if self.command and not self.command.match(line):
            return False
        if self.ok is not None and event.ok is not self.ok:
            return False
        if self.root is not None and ctx.is_root(event) is not self.root:
            return False
        if self.parent is not None:
            parents = ctx.images.get(event.ppid, ()) if event.ppid is not None else ()
            if not any(self.parent.matches(p, ctx) for p in parents):
                return False
        if self.ancestor is not None and not any(
            self.ancestor.matches(p, ctx) for p in ctx.ancestors(event.pid)
        ):
            return False
        if self.exe_history and not _history(self.exe_history, event.executable, ctx):
            return False
        return not self.script_history or any(
            _history(self.script_history, path, ctx, not_by=event.pid)
            for path in script_paths(event.argv))

    def describe(self, event: ProcessEvent, ctx: Context) -> str:
        text = f"ran {clip(command_line(event.argv) or event.executable)}"
        if event.argv and event.executable.rsplit("/", 1)[-1] != event.argv[0].rsplit("/", 1)[-1]:
            text += f" ({clip(event.executable, 120)})"
        parents = ctx.images.get(event.ppid, ()) if event.ppid is not None else ()
        if parents:
            text += f", started by {clip(command_line(parents[-1].argv), 120)}"
        return text + ("" if event.ok else " (exec failed)")


@dataclass(frozen=True)
class FileLeaf(Leaf[FileEvent]):
    """A file event: `path` and rename/link `target` globs (`~` is the sandbox home),
    `access` kinds, `ok`, the `process` name (comm) or `by`, a clause on the program
    the accessing process runs, and `executable_mode` for chmod/create with an x bit."""

    key: ClassVar[str] = "file"
    path: GlobSet = NO_GLOBS
    access: frozenset[str] = frozenset()
    ok: bool | None = None
    process: GlobSet = NO_GLOBS
    by: ProcessLeaf | None = None
    target: GlobSet = NO_GLOBS
    executable_mode: bool | None = None

    def events(self, ctx: Context) -> Iterable[FileEvent]:
        return ctx.trace.files

    def accepts(self, event: FileEvent, ctx: Context) -> bool:
        if not allows(self.access, event.access.value):
            return False
        if self.ok is not None and event.ok is not self.ok:
            return False
        if self.path and not self.path.match(event.path):
            return False
        if self.process and not self.process.match(event.process):
            return False
        if self.target and not (event.target and self.target.match(event.target)):
            return False
        if self.executable_mode is not None:
            executable = event.mode is not None and bool(event.mode & 0o111)
            if executable is not self.executable_mode:
                return False
        return by_program(self.by, event.pid, ctx)

    def describe(self, event: FileEvent, ctx: Context) -> str:
        text = f"{event.access.value} {clip(event.path)}"
        if event.target:
            text += f" -> {clip(event.target)}"
        if event.mode is not None and event.access in (FileAccess.CHMOD, FileAccess.WRITE):
            text += f" (mode {event.mode:o})"
        if not event.ok:
            text += " (failed)"
        return text + f" by {clip(event.process, 40)} (pid {event.pid})"


FileLeaf.FIELDS = {
    "path": globs(path_glob),
    "access": choice_of(a.value for a in FileAccess),
    "ok": boolean,
    "process": globs(name_glob),
    "by": nested(ProcessLeaf),
    "target": globs(path_glob),
    "executable_mode": boolean,
}
ProcessLeaf.FIELDS = {
    "executable": globs(name_glob),
    "argv": regexes,
    "command": globs(text_glob),
    "ok": boolean,
    "root": boolean,
    "parent": nested(ProcessLeaf),
    "ancestor": nested(ProcessLeaf),
    "exe_history": nested(FileLeaf, many=True),
    "script_history": nested(FileLeaf, many=True),
}
