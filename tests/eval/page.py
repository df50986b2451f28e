"""The evaluation's HTML page, rendered from its summary. Sample keys, rule names and
errors come from hostile packages: the template autoescapes everything and the page
carries no script, under the same Content-Security-Policy as the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from analyzer.report.html import CSS, PAGE_CSP

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def render(summary: dict[str, Any]) -> str:
    return _ENV.get_template("evaluation.html.j2").render(
        s=summary, css=CSS, meta_csp=PAGE_CSP, ecosystems=("pypi", "npm"))


def write(summary: dict[str, Any], path: Path) -> None:
    path.write_text(render(summary), encoding="utf-8")
