"""Shared fixtures: test packages built from sources, and the sandbox gate."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from tests.packages import PACKAGES, build_package


@functools.cache
def _sandbox_problem() -> str | None:
    from analyzer.sandbox import doctor

    missing = [c for c in doctor.run_checks() if not c.ok]
    return "; ".join(f"{c.name}: {c.detail}" for c in missing) or None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Sandbox tests skip on a laptop without the sandbox, but fail in CI, where
    PKGSANDBOX_REQUIRE_SANDBOX is set: a green run must have run them."""
    if item.get_closest_marker("sandbox") is None:
        return
    problem = _sandbox_problem()
    if problem is None:
        return
    if os.environ.get("PKGSANDBOX_REQUIRE_SANDBOX"):
        pytest.fail(f"sandbox required but not ready: {problem}")
    pytest.skip(f"sandbox not ready ({problem}); run `make setup`")


@pytest.fixture
def package_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build a test package by folder name under tests/data/packages."""

    def build(name: str, kind: str = "auto") -> Path:
        return build_package(PACKAGES / name, tmp_path, kind)

    return build
