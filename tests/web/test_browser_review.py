"""A reviewer in a real headless Chromium: signs in, dismisses one result, confirms another,
and filters the index; the decisions and the allow-list end up in the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from analyzer.store.allow_list import allow_list
from analyzer.store.schema import ReviewDecision
from tests.web.cdp import Browser, Page
from tests.web.conftest import TOKEN, Served, chromium

pytestmark = pytest.mark.browser
REASON = "test fixture: <b>known</b> build step"


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    executable = chromium()
    assert executable is not None  # the browser marker skipped us otherwise
    browser = Browser(executable, tmp_path)
    try:
        yield browser.new_page()
    finally:
        browser.close()


def _fill_and_click(button: str, **values: str) -> str:
    """JavaScript that fills the fields of `button`'s form and clicks it."""
    fills = "".join(f"form.elements[{json.dumps(k)}].value = {json.dumps(v)};"
                    for k, v in values.items())
    return (f"(() => {{ const button = document.getElementById({json.dumps(button)});"
            f" const form = button.form; {fills} button.click(); }})()")


def _rows(page: Page) -> list[list[str]]:
    return page.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('tbody tr'))"
        ".map(row => Array.from(row.cells).map(cell => cell.textContent.trim()))")


def test_a_reviewer_decides_in_the_browser(served: Served, page: Page) -> None:
    malicious, suspicious = served.ids[1], served.ids[2]
    page.navigate(f"{served.base}/login")
    page.submit(_fill_and_click("sign-in", reviewer="alice", token=TOKEN))
    assert page.evaluate("location.pathname") == "/", page.evaluate("document.body.innerText")

    page.navigate(f"{served.base}/report/{suspicious}")
    page.submit(_fill_and_click("dismiss", note=REASON))
    assert page.evaluate("location.pathname") == f"/report/{suspicious}"
    assert REASON in page.evaluate("document.body.innerText")

    page.navigate(f"{served.base}/report/{malicious}")
    page.submit(_fill_and_click("confirm"))
    assert page.evaluate("location.pathname") == f"/report/{malicious}"

    with served.db.reading() as session:
        stored = [(d.result_id, d.decision, d.reviewer, d.note) for d in session.scalars(
            select(ReviewDecision).order_by(ReviewDecision.id))]
    assert stored == [(suspicious, "dismissed", "alice", REASON),
                      (malicious, "confirmed", "alice", None)]
    assert allow_list(served.db, "pypi", "odd-package") == {
        "honeytoken-exfiltration": REASON, "static-exec-decoded": REASON}
    assert len(list(served.osv_dir.glob("*.json"))) == 1

    page.navigate(f"{served.base}/?verdict=suspicious")
    rows = _rows(page)
    assert [(row[0], row[2].split()[0], row[6]) for row in rows] == [
        ("suspicious", "odd-package", "dismissed")]
    page.navigate(f"{served.base}/?review=confirmed")
    assert [row[0] for row in _rows(page)] == ["malicious"]
    page.navigate(f"{served.base}/?review=unreviewed")
    assert [row[2].split()[0] for row in _rows(page)] == ["calm-package"]


def test_without_signing_in_the_browser_gets_no_forms(served: Served, page: Page) -> None:
    page.navigate(f"{served.base}/report/{served.ids[1]}")
    assert page.evaluate("document.querySelectorAll('form.decide').length") == 0
    assert "Sign in" in page.evaluate("document.body.innerText")
