"""How long the CLI takes to answer: each light command paired with `python -c pass`.

The pairs run interleaved in the same loop, so a loaded machine slows both alike; the
issue's bound (under 0.3 s) is on the command's own wall time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from analyzer.store.database import Database
from tests.bench.figures import Figure, Target, spread

ROOT = Path(__file__).resolve().parents[2]
PKGSANDBOX = ROOT / ".venv" / "bin" / "pkgsandbox"
START_TARGET = Target("<", 0.3)


def _commands(scratch: Path) -> dict[str, list[str]]:
    database = f"sqlite:///{scratch / 'cli-start.db'}"
    return {
        "--help": ["--help"],
        "typosquat": ["typosquat", "reqeusts", "--ecosystem", "pypi"],
        "rules list": ["rules", "list"],
        "status": ["status", "--db", database],
    }


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:  # timing an error path would measure the wrong thing
        raise RuntimeError(f"{' '.join(argv[1:])} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace').strip()[-300:]}")
    return seconds


def measure_cli_start(scratch: Path, runs: int) -> list[Figure]:
    """Median wall time of each command and of a bare interpreter, over `runs` pairs."""
    commands = _commands(scratch)
    database = Database.open(f"sqlite:///{scratch / 'cli-start.db'}")  # migrated, once
    database.close()
    bare: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            bare.append(_wall([sys.executable, "-c", "pass"]))
            times[name].append(_wall([str(PKGSANDBOX), *argv]))
    figures = [spread("cli start", "python -c pass (paired)", bare)]
    figures += [spread("cli start", f"pkgsandbox {name}", values, target=START_TARGET)
                for name, values in times.items()]
    return figures
