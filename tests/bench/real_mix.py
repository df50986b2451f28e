"""Time to verdict on the releases that really arrive, not on a small wheel.

REAL_MIX is a random draw (seed 20261204) from the env entry's package lists, made apart
from tests/eval/ordinary.py's: 40 PyPI releases of October and November 2026 outside the
15,000 most downloaded, and 10 npm packages with 200 to 20,000 downloads a month. Each is
analysed end to end from its registry (fetch, dependencies, static scan, the sandbox,
scoring), the way the watcher analyses a release. Three passes at 2 workers: today's
code path (no shared dependency cache), then through a new, empty shared cache, then
through the same cache again, as a host that has seen the dependencies before; and,
in the full run, that warm path at 1 worker.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analysis import Analyzer
from analyzer.defaults import DEPENDENCY_BUDGET_S, DEPENDENCY_CACHE_MB, JOB_TIMEOUT_S
from analyzer.fetch.interface import DependencyPrep
from analyzer.fetch.npm_shared import NpmCache
from analyzer.fetch.target import parse_target
from analyzer.fetch.wheel_cache import WheelCache
from analyzer.models import Verdict
from tests.bench.figures import Figure, Target, spread

REAL_MIX = (
    "pypi:acacia-boomslang==2.7.2",
    "pypi:agent-common==0.4.101",
    "pypi:agent-exam==0.3.0",
    "pypi:ai-security-scanner==0.2.5",
    "pypi:aind-behavior-vr-foraging==1.3.2",
    "pypi:alc-aiidalab-widgets==0.2.2",
    "pypi:aws-resource-validator-codeguru-reviewer==2.6.0",
    "pypi:bayesianflow-for-chem==3.0.4",
    "pypi:cad2image==0.1.32",
    "pypi:caura-bus-core==0.3.1",
    "pypi:censys-platform==0.16.7",
    "pypi:ciaren-client==0.3.1",
    "pypi:craftainer-crud==0.8.0",
    "pypi:dwilson-junkyard-common==0.2.0",
    "pypi:fmu-settings-cli==1.3.0",
    "pypi:gdk9-cli==0.4.0",
    "pypi:ggt==1.6.1",
    "pypi:google-chat-cli==0.1.1",
    "pypi:gtfs-analyzer==0.16.0",
    "pypi:hmcpctl==0.0.0",
    "pypi:huaweicloudsdkiec==3.1.219",
    "pypi:hypermath-kavyansh-arya==0.5.2",
    "pypi:icdev-core==0.2.1",
    "pypi:ictonyx==0.5.1",
    "pypi:jupyterlab-drag-and-drop-path-extension==1.0.6",
    "pypi:mcp-pykingenie==1.1.5",
    "pypi:menoa==0.7.0",
    "pypi:node-wire-runtime==1.1.0",
    "pypi:pedgrowth==1.0.0",
    "pypi:protein-inspector==1.14.0",
    "pypi:pysciqlop-cache==0.3.6",
    "pypi:pyshacl-turbo==0.6.5",
    "pypi:pyshmem==1.4.0",
    "pypi:pytruenas==0.7.1",
    "pypi:rappmysql==2026.10.2.1",
    "pypi:robottraderslab==0.7.1",
    "pypi:toolframe-sql-postgres==0.2.2",
    "pypi:v8unpack-agent==0.2.0",
    "pypi:voicerender==0.2.6",
    "pypi:volttron-lib-base-historian==2.0.0rc4",
    "npm:@0xsequence/deployer@0.42.9",
    "npm:@namuna-nur/ui-kit@1.10.8",
    "npm:@stdlib/stats-base-dists-degenerate-logpmf@0.3.2",
    "npm:@strivve/strivve-sdk@3.4.2",
    "npm:@telus-uds/themes-community.theme-casa@5.0.0",
    "npm:@vuepress-reco/core@1.6.13",
    "npm:drawio-mcp@1.6.0",
    "npm:mutex-js@1.1.5",
    "npm:pmxt-core@2.41.0",
    "npm:prisma-repo@0.3.12",
)
# The targets on this 2-core machine.
OUTSIDE_TARGET = Target("<=", 1.0)
OVER_BUDGET_TARGET = Target("<=", 0)
SPEEDUP_TARGET = Target(">=", 2.5)
CACHE_BYTES = DEPENDENCY_CACHE_MB * 2**20  # the default bound, in a folder of its own


@dataclass(frozen=True)
class Timed:
    """One analysis: its wall time to a verdict, and the part its phases took."""

    target: str
    seconds: float
    phases_s: float
    verdict: Verdict | None  # None: not scored


def _analyse(target: str, deps: DependencyPrep) -> Timed:
    started = time.monotonic()
    result = Analyzer(deps=deps).analyze(parse_target(target))
    seconds = time.monotonic() - started
    return Timed(target, seconds, sum(p.duration_s for p in result.phases), result.verdict)


def _pass(targets: Sequence[str], workers: int, deps: DependencyPrep) -> tuple[list[Timed], float]:
    """Every target analysed by `workers` at once; and analyses per hour."""
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        timed = list(pool.map(lambda target: _analyse(target, deps), targets))
    return timed, len(targets) / (time.monotonic() - started) * 3600


def _times(group: str, label: str, timed: list[Timed], per_hour: float,
           workers: int) -> list[Figure]:
    seconds = [t.seconds for t in timed]
    return [
        spread(group, f"time to verdict, {label}", seconds),
        spread(group, f"outside the phases, {label}", [t.seconds - t.phases_s for t in timed],
               target=OUTSIDE_TARGET if label == "warm cache" else None),
        Figure(group, f"analyses/h, {label}, {workers} worker(s)", round(per_hour), "per h",
               len(timed)),
    ]


def measure_real_mix(targets: Sequence[str], scratch: Path, one_worker: bool) -> list[Figure]:
    """Time to verdict and outside the phases (median, p95) and analyses per hour on
    today's path and through the shared dependency cache, cold and warm; the warm path's
    speed-up over today's; analyses over the job's budget and without a verdict."""
    group = f"real mix, {len(targets)} releases"
    root = scratch / "real-mix-cache"
    cached = DependencyPrep(DEPENDENCY_BUDGET_S, WheelCache(root / "pypi", CACHE_BYTES),
                            NpmCache(root / "npm", CACHE_BYTES))
    today, today_rate = _pass(targets, 2, DependencyPrep())
    cold, cold_rate = _pass(targets, 2, cached)
    warm, warm_rate = _pass(targets, 2, cached)
    figures = [*_times(group, "today's path", today, today_rate, 2),
               *_times(group, "cold cache", cold, cold_rate, 2),
               *_times(group, "warm cache", warm, warm_rate, 2),
               Figure(group, "speed-up, warm cache over today's path",
                      round(warm_rate / today_rate, 2), "x", len(targets),
                      target=SPEEDUP_TARGET)]
    if one_worker:
        single, single_rate = _pass(targets, 1, cached)
        figures.append(Figure(group, "analyses/h, warm cache, 1 worker", round(single_rate),
                              "per h", len(single)))
    everything = today + cold + warm
    figures += [
        Figure(group, f"over the job budget ({JOB_TIMEOUT_S:g} s)",
               sum(t.seconds > JOB_TIMEOUT_S for t in everything), "count", len(everything),
               target=OVER_BUDGET_TARGET),
        Figure(group, "no verdict", sum(t.verdict in (None, Verdict.ERROR) for t in everything),
               "count", len(everything)),
    ]
    return figures
