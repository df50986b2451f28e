"""Where people see a change set: the HTML report's first section and the summary."""

from __future__ import annotations

from dataclasses import replace

from analyzer.baseline.interface import Change, ChangeKind, ChangeSet
from analyzer.models import Phase
from analyzer.report.html import render_report
from analyzer.report.summary import render_summary
from tests.report.hostile import IMG, SCRIPT, hostile_result, parse


def _text(page: str) -> str:
    return " ".join(" ".join(parse(page).text).split())


def test_the_report_opens_with_the_changes_escaped() -> None:
    page = render_report(hostile_result())
    text = _text(page)
    assert f"Changed since 0.9{IMG} (2)" in text
    # Above the findings, and the network change first (it is what a reviewer reads first).
    assert text.index("Changed since") < text.index("Findings (")
    assert text.index("destination-added") < text.index("script-changed")
    assert f"the baseline {SCRIPT} was analysed first" in text
    assert SCRIPT not in page and IMG not in page  # shown as text, never as markup
    assert ("section", {"class": "changes", "id": "changes"}) in parse(page).tags


def test_no_baseline_no_section_and_an_empty_change_set_says_so() -> None:
    assert 'id="changes"' not in render_report(replace(hostile_result(), changes=None))
    page = render_report(replace(hostile_result(), changes=ChangeSet("1.0.0")))
    assert "Changed since 1.0.0 (0)" in _text(page)
    assert "Nothing changed that the comparison sees." in _text(page)


def test_the_summary_lists_the_changes_after_the_verdict() -> None:
    changes = ChangeSet("1.0.0", tuple(
        Change(ChangeKind.FILE_ADDED, f"lib/f{i}.js", None, "10") for i in range(14)) + (
        Change(ChangeKind.DESTINATION_ADDED, "webhook.example\x1b[2J", phase=Phase.INSTALL,
               detail="dns"),), ("the baseline 1.0.0 was taken from the store",))
    lines = render_summary(replace(hostile_result(), changes=changes)).splitlines()
    start = lines.index("changed since 1.0.0: 15 changes")
    assert lines[1].startswith("verdict:") and start < 4
    assert lines[start + 1] == "  destination-added webhook.example\\x1b[2J (install) [dns]"
    assert "  … and 3 more (see --json)" in lines
    assert "  note: the baseline 1.0.0 was taken from the store" in lines
    assert not any("\x1b" in line for line in lines)
