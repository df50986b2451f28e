"""Where the database is and which schema revision it must be at: read without SQLAlchemy,
whose import alone is most of a `pkgsandbox status` start."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from analyzer.defaults import DB_ENV_VAR, DEFAULT_DB_URL

ENV_VAR = DB_ENV_VAR
# Next to the HTML reports and OSV records, relative to where the watcher runs; servers
# pass an absolute sqlite:////var/lib/... or a postgresql+psycopg://... URL instead.
DEFAULT_URL = DEFAULT_DB_URL
MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# A plain SQLite file URL: no driver, no options, nothing percent-encoded.
_SQLITE_FILE_URL = re.compile(r"sqlite:///(?P<path>[^?#%]+)")
_REVISION = re.compile(r'^(down_)?revision\s*=\s*(?:None|"([^"]+)")', re.MULTILINE)


def resolve_url(url: str | None = None) -> str:
    """`--db` first, then $PKGSANDBOX_DB, then the SQLite file under reports/."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def sqlite_file(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL; None for any other database URL."""
    match = _SQLITE_FILE_URL.fullmatch(url)
    if match is None or match["path"] == ":memory:":
        return None
    return Path(match["path"])


@functools.cache
def head_revision() -> str | None:
    """The newest migration's revision, read from the files as text: the one no other
    migration names as its parent. None when that is not a single one (alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in MIGRATIONS.glob("versions/[0-9]*.py"):
        for down, revision in _REVISION.findall(script.read_text()):
            (parents if down else revisions).add(revision)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
