"""The bench's rows: a figure with its median, p95, runs and the target an issue set."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A bound an issue set for a figure, e.g. `< 10` seconds."""

    op: str  # "<", "<=" or ">="
    bound: float

    def met(self, value: float) -> bool:
        return {"<": value < self.bound, "<=": value <= self.bound,
                ">=": value >= self.bound}[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.bound:g}"


@dataclass(frozen=True)
class Figure:
    """One row: a value (the median when there were several runs) and its p95."""

    group: str
    name: str
    value: float
    unit: str
    runs: int = 1
    p95: float | None = None
    target: Target | None = None


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: with fewer than 20 runs, the slowest one."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def spread(group: str, name: str, values: list[float], unit: str = "s",
           target: Target | None = None) -> Figure:
    return Figure(group, name, round(statistics.median(values), 2), unit, len(values),
                  round(p95(values), 2), target)


def render(figures: list[Figure]) -> str:
    lines = [f"{'benchmark':32} {'figure':34} {'median':>9} {'p95':>9} {'unit':6} {'n':>3}"
             f"  target"]
    for f in figures:
        status = "" if f.target is None else (
            f"{f.target}  {'met' if f.target.met(f.value) else 'NOT MET'}")
        p95_text = "" if f.p95 is None else f"{f.p95:g}"
        lines.append(f"{f.group:32} {f.name:34} {f.value:>9g} {p95_text:>9} {f.unit:6}"
                     f" {f.runs:>3}  {status}")
    return "\n".join(lines)
