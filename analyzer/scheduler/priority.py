"""How urgent a new release is: what looks riskier is analysed first.

Typosquats of popular names, releases that run code at install, and the first release of
a new name are where malicious packages are found; everything else waits its turn.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from analyzer.errors import Error
from analyzer.feeds.interface import Release
from analyzer.models import Ecosystem
from analyzer.store.releases import PlannedRelease

log = logging.getLogger(__name__)
TYPOSQUAT = 100
INSTALL_HOOKS = 40
FIRST_RELEASE = 20
RERUN = 10


def typosquat_of(name: str, ecosystem: Ecosystem) -> dict[str, Any] | None:
    """The popular package `name` imitates, if the typosquat check exists and says so."""
    try:
        from analyzer.detect.typosquat.checker import check_name
    except ImportError:  # the detect stage is optional for the scheduler
        return None
    try:
        squat = check_name(name, ecosystem)
    except Error as exc:
        # A missing popular-name list must not stop the feed; the release still gets queued.
        log.warning("typosquat check unavailable: %s", exc.diagnostics())
        return None
    if squat is None:
        return None
    return {"target": squat.target, "distance": squat.distance, "kind": squat.kind}


def priority(ecosystem: Ecosystem, name: str, metadata: Mapping[str, Any]) -> int:
    """Higher runs sooner. `metadata` holds the release's signals; a missing `typosquat`
    key means "not checked yet" and is checked here."""
    squat = (metadata["typosquat"] if "typosquat" in metadata
             else typosquat_of(name, ecosystem))
    score = TYPOSQUAT if squat else 0
    score += INSTALL_HOOKS if metadata.get("install_hooks") else 0
    score += FIRST_RELEASE if metadata.get("first_release") else 0
    return score


def plan(release: Release) -> PlannedRelease:
    """The release with its signals (kept in the store) and the priority they give it."""
    signals: dict[str, Any] = {
        "install_hooks": release.install_hooks,
        "first_release": release.first_release,
        "typosquat": typosquat_of(release.name, release.ecosystem),
    }
    return PlannedRelease(release, priority(release.ecosystem, release.name, signals), signals)
