"""What the sandbox is given, the same for `analyze`, `watch` and `worker`.

Built once from the command line (or by a caller), checked there, and passed down to
the process that makes the sandbox and loads the rules; it is plain data, so it crosses
to worker processes and Celery hosts as it is.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.defaults import (
    DEPENDENCY_BUDGET_S,
    DEPENDENCY_CACHE_MB,
    PHASE_TIMEOUTS_S,
    SANDBOX_MEMORY_MB,
)
from analyzer.errors import UsageError
from analyzer.fetch.interface import DependencyPrep, RegistryUrls
from analyzer.options import cache_mb, memory_mb, positive_seconds, registry_url
from analyzer.protocol import Phase  # not models: a parser needs only the phase names

if TYPE_CHECKING:
    from analyzer.detect.rules.ruleset import RuleSet
    from analyzer.sandbox.docker_runner import SandboxLimits


DEPENDENCY_CACHE_DIRNAME = "dependency-cache"


@dataclass(frozen=True)
class SandboxSettings:
    memory_mb: int = SANDBOX_MEMORY_MB
    timeouts_s: tuple[tuple[Phase, float], ...] = tuple(
        (Phase(name), seconds) for name, seconds in PHASE_TIMEOUTS_S)
    rules_dirs: tuple[Path, ...] = ()  # loaded on top of the project's rules
    urls: RegistryUrls = field(default_factory=RegistryUrls)
    deps_budget_s: float = DEPENDENCY_BUDGET_S
    deps_cache_mb: int = DEPENDENCY_CACHE_MB  # 0: no host cache

    @property
    def budget_s(self) -> float:
        """What the phases may take together: a job must be given at least this."""
        return sum(seconds for _, seconds in self.timeouts_s)

    def check_job_timeout(self, job_timeout_s: float) -> None:
        """`UsageError` when a job would be cut off before its own sandbox phases end."""
        if job_timeout_s < self.budget_s:
            raise UsageError(
                f"--job-timeout {job_timeout_s:g} is shorter than the sandbox's own budget,"
                f" {self.budget_s:g} s (the phase timeouts added up): raise it, or lower"
                f" the phase timeouts")

    def limits(self) -> SandboxLimits:
        from analyzer.sandbox.docker_runner import SandboxLimits

        return SandboxLimits(memory_mb=self.memory_mb, timeouts_s=self.timeouts_s)

    def dependency_prep(self) -> DependencyPrep:
        """The dependency budget, and this host's wheel and npm caches under the state dir
        (found in the process that prepares, as the state dir is that host's); each is
        bounded by `deps_cache_mb`."""
        if self.deps_cache_mb == 0:
            return DependencyPrep(self.deps_budget_s)
        from analyzer.fetch.npm_shared import NpmCache
        from analyzer.fetch.wheel_cache import WheelCache
        from analyzer.sandbox.host import state_dir

        root, bound = state_dir() / DEPENDENCY_CACHE_DIRNAME, self.deps_cache_mb * 1024 * 1024
        return DependencyPrep(self.deps_budget_s, WheelCache(root / "pypi", bound),
                              NpmCache(root / "npm", bound))

    def rules(self) -> RuleSet:
        """The project's rules and those of `rules_dirs`; `RuleError` lists every problem."""
        from analyzer.detect.rules.ruleset import RULES_DIR, load_rules

        return load_rules([RULES_DIR, *self.rules_dirs])


def add_sandbox_options(parser: argparse.ArgumentParser, what: str = "one package") -> None:
    """The options that build a `SandboxSettings`, worded for `what` is analysed."""
    defaults = SandboxSettings()
    for phase, seconds in defaults.timeouts_s:
        parser.add_argument(f"--{phase.value}-timeout", type=positive_seconds, default=seconds,
                            metavar="S", help=f"seconds the {_PHASE_HELP[phase]} may take"
                                              f" (default {seconds:g})")
    parser.add_argument("--memory", type=memory_mb, default=defaults.memory_mb, metavar="MB",
                        help="sandbox memory limit, which also bounds what it can write"
                             f" (default {defaults.memory_mb})")
    parser.add_argument("--rules", action="append", type=Path, default=[], metavar="DIR",
                        help="also load the *.yaml rules in DIR (may be repeated)")
    parser.add_argument("--deps-budget", type=positive_seconds, default=defaults.deps_budget_s,
                        metavar="S", help="seconds all dependency downloads of a package may"
                                          " take together; the sandbox then runs with what"
                                          f" was had (default {defaults.deps_budget_s:g})")
    parser.add_argument("--deps-cache", type=cache_mb, default=defaults.deps_cache_mb,
                        metavar="MB", help="size bound of each of this host's wheel and npm"
                                           " caches, shared by analyses and workers, in the"
                                           " state dir (PKGSANDBOX_STATE_DIR); 0: none"
                                           f" (default {defaults.deps_cache_mb})")
    parser.add_argument("--pypi-url", type=registry_url, default=defaults.urls.pypi,
                        metavar="URL", help=f"PyPI base URL {what} is downloaded from"
                                            " (JSON API at /pypi, simple index at /simple)")
    parser.add_argument("--npm-registry-url", type=registry_url, default=defaults.urls.npm,
                        metavar="URL", help=f"npm registry base URL {what} is downloaded"
                                            " from (packuments and tarballs)")


def sandbox_settings(args: argparse.Namespace) -> SandboxSettings:
    """The `SandboxSettings` of a command line parsed with `add_sandbox_options`."""
    return SandboxSettings(
        memory_mb=args.memory,
        timeouts_s=tuple((phase, getattr(args, f"{phase.value}_timeout")) for phase in Phase),
        rules_dirs=tuple(args.rules),
        urls=RegistryUrls(pypi=args.pypi_url, npm=args.npm_registry_url),
        deps_budget_s=args.deps_budget, deps_cache_mb=args.deps_cache)


_PHASE_HELP = {
    Phase.INSTALL: "install phase",
    Phase.IMPORT: "import phase",
    Phase.EXECUTE: "execute phase",
    Phase.PERSONA: "Windows persona pass (install scripts and imports once more, as if on"
                   " Windows)",
}
