"""Bump versions in setup.py/pyproject.toml and tag releases."""
import re
import sys

__version__ = "2.3.1"


def bump(version: str, part: str = "patch") -> str:
    major, minor, patch = (int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)", version).groups())
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    print(bump(args[0] if args and args[0][0].isdigit() else "0.1.0"))
    return 0
