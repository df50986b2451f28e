"""pyproject-lint: report PEP 621 mistakes in pyproject.toml."""
import argparse
import datetime
import os
import sys

from . import _cache

REQUIRED = ("name", "version")


def lint(text: str):
    problems = []
    if "[project]" not in text:
        problems.append("no [project] table")
    for key in REQUIRED:
        if f"\n{key} =" not in text and f"\n{key}=" not in text:
            problems.append(f"[project] has no {key}")
    return problems


def main(argv=None):
    _cache.prune()
    parser = argparse.ArgumentParser(prog="pyproject-lint", description=__doc__)
    parser.add_argument("paths", nargs="*", default=["pyproject.toml"])
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        with open(path) as f:
            for problem in lint(f.read()):
                print(f"{path}: {problem}")
                status = 1
    return status
