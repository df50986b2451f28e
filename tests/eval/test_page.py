"""The evaluation page renders every summary field and keeps hostile names as text."""

from __future__ import annotations

from pathlib import Path

from tests.eval import page, summary
from tests.eval.scored import Sample, Scored
from tests.report.hostile import parse

HOSTILE = '<script>alert(1)</script>"onload="x'


def _scored(group: str, key: str, verdict: str, *labels: str) -> Scored:
    return Scored(Sample(f"/x/{key}", group, key, labels), verdict, 12.0,
                  [f"{HOSTILE}@install"], verdict, 4.2, problem=HOSTILE)


def test_the_page_has_every_section_and_no_markup_from_sample_data(tmp_path: Path) -> None:
    scored = [
        _scored("corpus", f"pypi-{HOSTILE}", "malicious", "class:worm", "ecosystem:pypi",
                "trigger:install", "evasion:obfuscation"),
        _scored("corpus", "npm-miss", "suspicious", "class:dropper", "ecosystem:npm",
                "trigger:import"),
        _scored("malware", "real.tgz", "malicious"),
        _scored("benign", HOSTILE, "malicious"),
    ]
    figures = summary.summarise(scored, 12.5)
    figures["quick"] = True
    out = tmp_path / "report.html"
    page.write(figures, out)
    text = out.read_text()
    for heading in ("Targets", "Project malicious corpus", "By evasion", "Missed corpus samples",
                    "Popular packages", "Typosquatting on name pairs", "Every analysis"):
        assert heading in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "script" not in [tag for tag, _ in parse(text).tags]
    assert [t["met"] for t in figures["targets"]] == [False, True, False, False]
