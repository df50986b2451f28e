"""Recall on real malware: every live sample in ../shared/samples/real gets a strong signal.

The archives are opened read-only and scanned in memory; nothing is extracted or run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.detect.static import SignalKind
from tests.detect.static_survey import SAMPLES, survey

_ARCHIVES = (
    sorted(p for p in SAMPLES.glob("*/*") if p.name != "README.md") if SAMPLES.is_dir() else []
)
# Inert on purpose: its install hooks only raise "you probably meant fake-useragent".
_PLACEHOLDERS = {"fakeuseragent-0.1.1.tar.gz"}


@pytest.mark.skipif(not _ARCHIVES, reason=f"no malware samples at {SAMPLES}")
@pytest.mark.parametrize("archive", _ARCHIVES, ids=lambda p: p.name)
def test_real_sample_has_a_strong_signal(archive: Path) -> None:
    kinds = {s.kind for s in survey(archive)}
    if archive.name in _PLACEHOLDERS:
        assert SignalKind.SETUP_CMDCLASS_HOOK in kinds
        assert not any(k.is_strong for k in kinds)
    else:
        assert any(k.is_strong for k in kinds), sorted(kinds)
