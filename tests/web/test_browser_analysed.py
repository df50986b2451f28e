"""A package whose description, file names and HTTP payload are script injections is
analysed in the real sandbox and its report loaded in Chromium: nothing runs, all shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.cli import main
from tests.web.test_browser import dump

pytestmark = [pytest.mark.sandbox, pytest.mark.browser]


def test_an_analysed_hostile_package_runs_nothing_in_the_browser(
    package_factory: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    assert main(["analyze", str(package_factory("pypi-hostile-text")), "--json",
                 "--html", str(page)]) == 0
    result = json.loads(capsys.readouterr().out)
    install = result["phases"]["install"]
    # The hostile text really is in the result: description, file name, HTTP payload.
    assert "<script>alert(1)</script>" in result["metadata"]["summary"]
    assert any("<svg onload=alert(4)>" in f["path"] for f in install["files"])
    assert any("alert(7)" in r["body"] for r in install["network"]["http"])

    dom = dump(tmp_path, page.as_uri())
    tags = [tag for tag, _ in dom.tags]
    assert "script" not in tags and "img" not in tags and "iframe" not in tags
    for tag, attrs in dom.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any((value or "").lower().startswith("javascript:")
                       for value in attrs.values()), (tag, attrs)
    text = "".join(dom.text)
    for shown in ("<script>alert(1)</script>", '<svg onload=alert(4)>" onerror="alert(5).txt',
                  '<img src=x onerror="alert(8)">', "javascript:alert(6)"):
        assert shown in text
