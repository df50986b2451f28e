"""The `pkgsandbox` command: a thin layer over `Analyzer` and the stage modules."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import analyzer
from analyzer.detect.commands import add_rules_parser, add_typosquat_parser
from analyzer.errors import Error, UsageError
from analyzer.options import baseline_choice
from analyzer.scan.commands import add_osv_parser, add_scan_parser
from analyzer.scheduler.commands import (
    add_status_parser,
    add_watch_parser,
    add_worker_parser,
)
from analyzer.settings import add_sandbox_options, sandbox_settings
from analyzer.web.commands import add_report_parser, add_serve_parser

if TYPE_CHECKING:
    from analyzer.analysis import StoredLookup

# Every command imports what it needs when it runs (the sandbox, the store, the rule
# engine, scapy...): `pkgsandbox --help` and the light commands answer at once.

EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
# Errors of the environment a person can act on, even when they are not ours.
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pkgsandbox",
                     description="Dynamic malicious-package analysis in a gVisor sandbox.")
    parser.add_argument("--version", action="version", version=f"pkgsandbox {analyzer.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    analyze = commands.add_parser(
        "analyze", help="install, import and exercise one package in the sandbox; report it",
        description="TARGET is pypi:NAME[==VERSION], npm:NAME[@VERSION], or a local "
                    ".tar.gz, .zip, .whl or .tgz file.")
    analyze.add_argument("target", metavar="TARGET")
    analyze.add_argument("--json", action="store_true",
                         help="print the JSON result on stdout (progress goes to stderr)")
    analyze.add_argument("--out", type=Path, metavar="DIR",
                         help="also write result.json and the raw gVisor trace into DIR")
    analyze.add_argument("--fail-on", choices=["malicious", "suspicious"],
                         help="exit 1 when the verdict is at least this bad")
    analyze.add_argument("--html", type=Path, metavar="FILE",
                         help="also write a self-contained HTML report to FILE")
    analyze.add_argument("--osv-dir", type=Path, metavar="DIR",
                         help="write an OSV record into DIR when the package is malicious")
    analyze.add_argument("--baseline", type=baseline_choice, default=None,
                         metavar="VERSION|auto|none",
                         help="also judge the release against an earlier one of the same "
                              "package: VERSION, auto (the release before it on the "
                              "registry), or none (the default); taken from the store when "
                              "it holds one, else analysed first (twice the time)")
    analyze.add_argument("--db", metavar="URL",
                         help="the store baselines are looked up in (default $PKGSANDBOX_DB, "
                              "else sqlite:///reports/pkgsandbox.db when that file exists)")
    add_sandbox_options(analyze, "the package")
    analyze.set_defaults(handler=_analyze)

    doctor = commands.add_parser("doctor",
                                 help="check the daemon, runtime and images; say how to fix")
    doctor.set_defaults(handler=_doctor)

    images = commands.add_parser("images", help="manage the sandbox images")
    images_commands = images.add_subparsers(dest="images_command", required=True,
                                            parser_class=_Parser)
    build = images_commands.add_parser("build", help="rebuild the sandbox images (root)")
    build.add_argument("which", nargs="?", default="all", choices=["all", "python", "node"])
    build.add_argument("--if-missing", action="store_true",
                       help="only build images whose current version is not there yet")
    images.set_defaults(handler=_images)

    add_watch_parser(commands)
    add_status_parser(commands)
    add_worker_parser(commands)
    add_report_parser(commands)
    add_serve_parser(commands)
    add_rules_parser(commands)
    add_typosquat_parser(commands)
    add_scan_parser(commands)
    add_osv_parser(commands)
    return parser


def _analyze(args: argparse.Namespace) -> int:
    from analyzer.analysis import Analyzer
    from analyzer.fetch.target import parse_target
    from analyzer.live import Activity
    from analyzer.models import Verdict
    from analyzer.report.publish import Outputs, publish
    from analyzer.report.summary import render_summary
    from analyzer.result_codec import result_to_dict
    from analyzer.sandbox.docker_runner import DockerSandbox
    from analyzer.terminal import printable

    target = parse_target(args.target)
    settings = sandbox_settings(args)
    rules = settings.rules()  # a bad rule fails before any work
    with Activity("pkgsandbox: ") as activity:  # on a terminal: the phase and the time
        runner = Analyzer(
            rules=rules,
            sandbox=DockerSandbox(settings.limits()),
            urls=settings.urls,
            deps=settings.dependency_prep(),
            keep_dir=args.out,
            progress=lambda text: activity.step(printable(text)),
            stored=_baseline_store(args.db) if args.baseline is not None else None,
        )
        result = runner.analyze(target, args.baseline)
    # The result reaches stdout first: a file that cannot be written (a full disk) then
    # costs only that file, and is reported in one line with exit status 2.
    if args.json:
        print(json.dumps(result_to_dict(result), indent=2), flush=True)
    else:
        print(render_summary(result), flush=True)
    published = publish(result, Outputs(
        result_json=args.out / "result.json" if args.out is not None else None,
        report=args.html, osv_dir=args.osv_dir))
    if published.osv is not None:
        _err(f"pkgsandbox: OSV record written to {published.osv}")
    flagged = {"malicious": {Verdict.MALICIOUS},
               "suspicious": {Verdict.MALICIOUS, Verdict.SUSPICIOUS}}.get(args.fail_on or "", set())
    return EXIT_FLAGGED if result.verdict in flagged else EXIT_OK


def _baseline_store(url: str | None) -> StoredLookup | None:
    """Stored analyses to take baselines from; None when there is no store to read."""
    from analyzer.store.baselines import stored_result
    from analyzer.store.database import Database, StoreError

    try:
        db = Database.open(url, migrate=False, create=False)
    except StoreError:
        if url is not None:
            raise  # a store asked for by name must be there
        return None
    return lambda ecosystem, name, version: stored_result(db, ecosystem, name, version)


def _doctor(_: argparse.Namespace) -> int:
    from analyzer.sandbox import doctor

    healthy = doctor.report(doctor.run_checks(), print)
    return EXIT_OK if healthy else EXIT_ERROR


def _images(args: argparse.Namespace) -> int:
    from analyzer.sandbox.images import build_images, images_present

    kinds = ["python", "node"] if args.which == "all" else [args.which]
    if args.if_missing:
        kinds = [kind for kind in kinds if not images_present(kind)]
    for kind in kinds:
        build_images(kind)
    return EXIT_OK




class Stopped(BaseException):
    """SIGTERM (what `timeout`, systemd and CI send): unwinds like Ctrl-C, so every
    cleanup on the way runs (the container removed, the spec, out, trace and work
    folders deleted). `watch` and `worker` install handlers of their own."""


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """While the command runs, SIGTERM raises `Stopped`; the handler before is put back."""

    def stop(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup
        raise Stopped

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# Commands that answer and exit. Their imports (SQLAlchemy, the popularity lists) make a
# few hundred thousand objects that live until exit; the cyclic collector walking them
# over and over, and once more at exit, was a third of their time. So it stays off while
# they run, and at exit what is left is frozen: the process ends, the OS frees it all.
SHORT_COMMANDS = frozenset({"typosquat", "rules", "status"})


def main(argv: Sequence[str] | None = None) -> int:
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _stop_on_sigterm():
            return _run(argv)
    finally:
        if collecting:
            gc.enable()


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command in SHORT_COMMANDS:
            atexit.unregister(gc.freeze)  # once, however often main runs in one process
            atexit.register(gc.freeze)
        else:
            gc.enable()
        return int(args.handler(args))
    except Error as exc:
        _err(f"pkgsandbox: error: {exc.diagnostics()}")
        return EXIT_ERROR
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            raise
        _err(f"pkgsandbox: error: {exc.strerror}: {exc.filename or ''}".rstrip(": "))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("pkgsandbox: interrupted")
        return 130
    except Stopped:
        _err("pkgsandbox: stopped (SIGTERM)")
        return 143
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining
        # about the closed stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
