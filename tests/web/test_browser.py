"""The pages in a real headless Chromium: nothing a package wrote runs; screenshots are kept."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.report.html import write_report
from tests.report.hostile import ATTRIBUTE, IMG, SCRIPT, Elements, hostile_result
from tests.web.conftest import Served, chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
pytestmark = pytest.mark.browser


def run_chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "chromium-profile"
    command = [str(chromium()), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump(tmp_path: Path, url: str) -> Elements:
    dom = Elements()
    dom.feed(run_chromium(tmp_path, "--dump-dom", url))
    return dom


def assert_nothing_injected(dom: Elements) -> None:
    tags = [tag for tag, _ in dom.tags]
    assert "script" not in tags and "img" not in tags and "iframe" not in tags
    for tag, attrs in dom.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not any((value or "").lower().startswith("javascript:")
                       for value in attrs.values()), (tag, attrs)
    text = "".join(dom.text)
    for payload in (SCRIPT, ATTRIBUTE, IMG):
        assert payload in text  # shown to the reviewer as text


def screenshot(tmp_path: Path, url: str, name: str) -> Path:
    shot = tmp_path / name
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert shot.stat().st_size > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENSHOTS / name)
    return shot


def test_hostile_report_file_runs_nothing(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    write_report(hostile_result(), page)
    dom = dump(tmp_path, page.as_uri())
    assert_nothing_injected(dom)
    assert any(attrs.get("id") == "leaks" for _, attrs in dom.tags)


def test_served_pages_render_and_are_kept_as_screenshots(served: Served, tmp_path: Path) -> None:
    malicious = served.ids[1]
    dom = dump(tmp_path, f"{served.base}/report/{malicious}")
    assert_nothing_injected(dom)
    index = dump(tmp_path, f"{served.base}/?verdict=suspicious")
    text = "".join(index.text)
    assert "odd-package" in text and "calm-package" not in text
    screenshot(tmp_path, f"{served.base}/", "index.png")
    screenshot(tmp_path, f"{served.base}/report/{malicious}", "report.png")
