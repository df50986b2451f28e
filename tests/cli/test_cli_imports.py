"""`pkgsandbox --help` and the light commands load none of the heavy parts.

The start time itself is a figure of `make bench`; this test keeps the reason for it
(what gets imported) from coming back unnoticed.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "docker", "scapy", "celery", "cryptography", "jinja2",
         "analyzer.analysis", "analyzer.store.database", "analyzer.sandbox.docker_runner",
         "analyzer.detect.rules.ruleset", "analyzer.detect.typosquat.checker",
         "analyzer.detect.static.scan", "analyzer.scan.formats")

PROBE = """
import json, sys
from analyzer.cli import build_parser
build_parser()
print(json.dumps(sorted(m for m in sys.modules)))
"""


def test_building_the_parser_imports_no_heavy_module() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True)
    loaded = set(json.loads(done.stdout))
    assert [m for m in HEAVY if m in loaded] == []
