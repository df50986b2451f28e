"""`pkgsandbox report` and `pkgsandbox serve`: argparse wiring over the HTML and web modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from analyzer.errors import UsageError
from analyzer.options import port_number

__all__ = ["add_report_parser", "add_serve_parser"]


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="write the index and every report as static HTML",
        description="Reads the analyses from the database (--db, $PKGSANDBOX_DB or "
                    "reports/pkgsandbox.db), or from a folder of JSON result files (--results).")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder for index.html and r/<id>.html")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", metavar="URL", help="database URL")
    source.add_argument("--results", type=Path, metavar="DIR",
                        help="folder of result JSON files (searched recursively)")
    parser.set_defaults(handler=_report)
    return parser


def add_serve_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="serve the reports and record review decisions",
        description="Write actions need the review token: from --token-file, or generated "
                    "and printed at start.")
    parser.add_argument("--db", metavar="URL", help="database URL")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=port_number, default=8080, help="port (default 8080)")
    parser.add_argument("--token-file", type=Path, metavar="FILE",
                        help="file holding the review token (at least 16 characters)")
    parser.add_argument("--osv-dir", type=Path, metavar="DIR",
                        help="write the OSV record here when a reviewer confirms a result")
    parser.set_defaults(handler=_serve)
    return parser


def _report(args: argparse.Namespace) -> int:
    from analyzer.store.database import Database, describe
    from analyzer.terminal import printable
    from analyzer.web.static_site import from_database, from_results_dir, write_site

    skipped: list[str] = []

    def skip(why: str) -> None:
        skipped.append(why)
        print(f"pkgsandbox: skipped {printable(why)}", file=sys.stderr)

    if args.results is not None:
        entries = list(from_results_dir(args.results, skip))
        source = str(args.results)
    else:
        db = Database.open(args.db, migrate=False, create=False)
        try:
            entries = list(from_database(db, skip))
        finally:
            db.close()
        source = describe(db.url)
    count = write_site(entries, args.out)
    unread = f" ({len(skipped)} unreadable, skipped)" if skipped else ""
    print(f"pkgsandbox: {count} reports from {source} written to {args.out / 'index.html'}"
          f"{unread}", file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from analyzer.store.database import Database, describe
    from analyzer.web.auth import Sessions, load_token
    from analyzer.web.server import App, make_server

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number")
    token, generated = load_token(args.token_file)
    db = Database.open(args.db, create=False)  # migrated: decisions need their table
    server = make_server(App(db, Sessions(token), args.osv_dir), args.host, args.port)
    host, port = server.server_address[:2]
    print(f"pkgsandbox: serving {describe(db.url)} on http://{host!s}:{port}/", file=sys.stderr)
    if generated:
        print(f"pkgsandbox: review token (sign in at /login): {token}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        db.close()
    return 0
