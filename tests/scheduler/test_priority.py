"""Priorities: typosquats, install hooks and first releases go first."""

from __future__ import annotations

import pytest

from analyzer.detect.typosquat import checker as typosquat
from analyzer.errors import Error
from analyzer.feeds.interface import Release
from analyzer.models import Ecosystem
from analyzer.scheduler import priority as priority_module
from analyzer.scheduler.priority import (
    FIRST_RELEASE,
    INSTALL_HOOKS,
    TYPOSQUAT,
    plan,
    priority,
    typosquat_of,
)


def test_signals_add_up() -> None:
    quiet = {"install_hooks": False, "first_release": False, "typosquat": None}
    assert priority(Ecosystem.NPM, "whatever", quiet) == 0
    assert priority(Ecosystem.NPM, "x", {**quiet, "install_hooks": True}) == INSTALL_HOOKS
    assert priority(Ecosystem.NPM, "x", {**quiet, "first_release": True}) == FIRST_RELEASE
    squat = {**quiet, "typosquat": {"target": "lodash"}, "install_hooks": True}
    assert priority(Ecosystem.NPM, "x", squat) == TYPOSQUAT + INSTALL_HOOKS


def test_plan_checks_the_name_against_popular_packages() -> None:
    item = plan(Release(Ecosystem.PYPI, "reqeusts", "1.0", None, first_release=True))
    assert item.signals["typosquat"]["target"] == "requests"
    assert item.priority == TYPOSQUAT + FIRST_RELEASE
    assert priority(Ecosystem.PYPI, "reqeusts", {}) == TYPOSQUAT  # checked when not given


def test_without_the_typosquat_module_there_is_no_signal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "analyzer.detect.typosquat.checker", None)
    assert typosquat_of("reqeusts", Ecosystem.PYPI) is None
    assert plan(Release(Ecosystem.PYPI, "reqeusts", "1.0", None)).priority == 0


def test_a_broken_popular_list_is_logged_not_fatal(monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    def broken(_name: str, _ecosystem: Ecosystem) -> None:
        raise Error("popular list missing")

    monkeypatch.setattr(typosquat, "check_name", broken)
    assert typosquat_of("reqeusts", Ecosystem.PYPI) is None
    assert "typosquat check unavailable: popular list missing" in caplog.text
    assert priority_module.plan(Release(Ecosystem.NPM, "a", "1.0.0", None)).priority == 0
