"""`pkgsandbox watch`, `status` and `worker`: argument parsers and handlers for cli.py."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analyzer.defaults import (
    BACKEND_NAMES,
    DB_ENV_VAR,
    DEFAULT_DB_URL,
    FEED_NAMES,
    JOB_TIMEOUT_S,
    NPM_CHANGES_URL,
    START_CHOICES,
)
from analyzer.options import port_number, positive_count, positive_seconds, registry_url
from analyzer.settings import SandboxSettings, add_sandbox_options, sandbox_settings

# The scheduler, the store and the sandbox are imported by the handlers that use them,
# so that `pkgsandbox --help` and the light commands start at once.
if TYPE_CHECKING:
    from analyzer.scheduler.watch import WatchConfig
    from analyzer.scheduler.worker import WorkerSettings

# The CLI's own parser class (one that raises UsageError) is kept for the subcommands.
P = TypeVar("P", bound=argparse.ArgumentParser)
DB_HELP = (f"database URL: sqlite:///FILE or postgresql+psycopg://USER:PASS@HOST/DB"
           f" (default ${DB_ENV_VAR}, else {DEFAULT_DB_URL})")
# Literal here so that --help does not import Celery; celery_backend.py resolves it.
BROKER_HELP = ("Celery broker URL, e.g. redis://HOST:6379/0"
               " (default $PKGSANDBOX_BROKER_URL, else redis://127.0.0.1:6379/0)")


def _feeds(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in FEED_NAMES]
    if unknown or not names:
        problem = f"unknown feed {unknown[0]!r}" if unknown else "no feed named"
        raise argparse.ArgumentTypeError(f"{problem} (choose from {','.join(FEED_NAMES)})")
    return names


def _add_job_options(parser: argparse.ArgumentParser) -> None:
    """What `watch` and `worker` share: the sandbox as `analyze` has it, how long a job
    may run, where its outputs go."""
    add_sandbox_options(parser, "each release")
    parser.add_argument("--job-timeout", type=positive_seconds, default=JOB_TIMEOUT_S,
                        metavar="S", help="seconds one analysis may take before it counts as"
                                          " failed; at least the phase timeouts added up"
                                          f" (default {JOB_TIMEOUT_S:g})")
    parser.add_argument("--osv-dir", type=Path, default=Path("reports/osv"), metavar="DIR",
                        help="write each malicious release's OSV record here as its analysis"
                             " ends (default reports/osv)")
    parser.add_argument("--html-dir", type=Path, default=Path("reports/html"), metavar="DIR",
                        help="write each flagged release's HTML report here as its analysis"
                             " ends (default reports/html)")


def add_watch_parser(subparsers: argparse._SubParsersAction[P]) -> P:
    """`pkgsandbox watch`: register on the CLI's subparsers."""
    watch = subparsers.add_parser(
        "watch", help="analyse every new PyPI and npm release as it is published",
        description="Poll the registry feeds from their stored cursors, queue each new"
                    " release once, and analyse the queue with local worker processes."
                    " Progress lines go to stderr; SIGTERM or Ctrl-C stops cleanly.")
    watch.add_argument("--once", action="store_true",
                       help="process what is new now, wait for its analyses, and exit")
    watch.add_argument("--workers", type=positive_count, default=2, metavar="N",
                       help="worker processes, one analysis each at a time (default 2)")
    watch.add_argument("--backend", choices=list(BACKEND_NAMES), default="local",
                       help="local: --workers processes on this machine; celery: publish the"
                            " jobs to --broker-url for `pkgsandbox worker` hosts"
                            " (default local)")
    watch.add_argument("--broker-url", metavar="URL", help=BROKER_HELP)
    watch.add_argument("--db", metavar="URL", help=DB_HELP)
    watch.add_argument("--feeds", type=_feeds, default=FEED_NAMES, metavar="LIST",
                       help="comma-separated feeds to watch (default pypi,npm)")
    watch.add_argument("--npm-changes-url", type=registry_url, default=NPM_CHANGES_URL,
                       metavar="URL",
                       help="CouchDB database whose /_changes lists npm publications")
    watch.add_argument("--start", choices=list(START_CHOICES), default=START_CHOICES[0],
                       help="where a feed seen for the first time starts (default now)")
    watch.add_argument("--poll-interval", type=positive_seconds, default=60.0, metavar="S",
                       help="seconds between polls of a feed (default 60)")
    watch.add_argument("--max-attempts", type=positive_count, default=3, metavar="K",
                       help="failed attempts before a job is dead-lettered (default 3)")
    watch.add_argument("--metrics-port", type=port_number, metavar="PORT",
                       help="serve Prometheus /metrics on this port (default: off)")
    _add_job_options(watch)
    watch.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST",
                       help="address for /metrics (default 127.0.0.1)")
    watch.set_defaults(handler=watch_command)
    return watch


def add_status_parser(subparsers: argparse._SubParsersAction[P]) -> P:
    """`pkgsandbox status`: register on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "status", help="what the watcher has done: queue, verdicts, feeds",
        description="Print the watcher's state from the database; with --json the object"
                    " has at least analysed, queued, failed and by_verdict.")
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.set_defaults(handler=status_command)
    return parser


def add_worker_parser(subparsers: argparse._SubParsersAction[P]) -> P:
    """`pkgsandbox worker`: register on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "worker", help="analyse jobs a `watch --backend celery` publishes (one host of many)",
        description="Run a Celery worker that takes job ids from the broker, claims each"
                    " job in the shared database, analyses it in the gVisor sandbox and"
                    " records the result there. SIGTERM finishes the jobs in hand first.")
    parser.add_argument("--db", metavar="URL",
                        help=DB_HELP + "; it must be the watcher's, e.g. PostgreSQL")
    parser.add_argument("--broker-url", metavar="URL", help=BROKER_HELP)
    parser.add_argument("--concurrency", type=positive_count, default=1, metavar="N",
                        help="analyses at a time on this host (default 1)")
    _add_job_options(parser)
    parser.set_defaults(handler=worker_command)
    return parser


def _sandbox_for_jobs(args: argparse.Namespace) -> SandboxSettings:
    """The sandbox settings of `watch` and `worker`, checked before any job starts."""
    sandbox = sandbox_settings(args)
    sandbox.check_job_timeout(args.job_timeout)
    sandbox.rules()  # a bad rule fails here, with every problem listed, not in each job
    return sandbox


def worker_settings(args: argparse.Namespace) -> WorkerSettings:
    """The `WorkerSettings` a parsed `worker` command line asks for."""
    from analyzer.scheduler.queue import QueueSettings
    from analyzer.scheduler.worker import WorkerSettings
    from analyzer.store.location import resolve_url

    return WorkerSettings(db_url=resolve_url(args.db), job_timeout_s=args.job_timeout,
                          queue=QueueSettings.for_jobs_of(args.job_timeout),
                          osv_dir=args.osv_dir, html_dir=args.html_dir)


def worker_command(args: argparse.Namespace) -> int:
    """Handler of `pkgsandbox worker`: runs until SIGTERM/SIGINT."""
    from analyzer.scheduler.celery_backend import resolve_broker_url, run_worker
    from analyzer.scheduler.worker import SandboxAnalyser

    sandbox = _sandbox_for_jobs(args)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="pkgsandbox worker: %(message)s")
    run_worker(resolve_broker_url(args.broker_url), worker_settings(args),
               SandboxAnalyser(sandbox), concurrency=args.concurrency)
    return 0


def watch_config(args: argparse.Namespace) -> WatchConfig:
    """The `WatchConfig` a parsed `watch` command line asks for."""
    from analyzer.scheduler.intake import Start
    from analyzer.scheduler.queue import QueueSettings
    from analyzer.scheduler.watch import WatchConfig

    return WatchConfig(
        db_url=args.db, feeds=args.feeds, sandbox=_sandbox_for_jobs(args),
        npm_changes_url=args.npm_changes_url, start=Start(args.start),
        poll_interval_s=args.poll_interval, backend=args.backend, broker_url=args.broker_url,
        workers=args.workers, job_timeout_s=args.job_timeout,
        queue=QueueSettings.for_jobs_of(args.job_timeout, max_attempts=args.max_attempts),
        metrics_port=args.metrics_port, metrics_host=args.metrics_host, osv_dir=args.osv_dir,
        html_dir=args.html_dir)


def watch_command(args: argparse.Namespace) -> int:
    """Handler of `pkgsandbox watch`; errors reach the CLI as `analyzer.errors.Error`."""
    from analyzer.live import LiveLine
    from analyzer.scheduler.watch import run_watch

    # On a terminal the progress line is redrawn in place; log lines go above it (the
    # handler is made inside, where sys.stderr is the live display's).
    with LiveLine() as live:
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                                format="pkgsandbox: %(message)s")
        run_watch(watch_config(args), once=args.once, progress_callback=live.show)
    return 0


def status_command(args: argparse.Namespace) -> int:
    """Handler of `pkgsandbox status`."""
    from analyzer.store.stats import read_status, render_status

    report = read_status(args.db)
    print(json.dumps(report, indent=2) if args.json else render_status(report))
    return 0
