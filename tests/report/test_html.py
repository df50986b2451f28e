"""Report and index pages: hostile package text stays text, evidence is shown, links are ours."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.models import Verdict
from analyzer.report.html import (
    CSS,
    STYLE_HASH,
    ReportLinks,
    render_report,
    write_report,
)
from analyzer.report.html_view import is_sensitive, process_tree, timeline
from analyzer.result_codec import result_from_dict, result_to_dict
from analyzer.web.static_site import from_results_dir, write_site
from tests.report.hostile import (
    ATTRIBUTE,
    IMG,
    JS_URL,
    PAYLOADS,
    SCRIPT,
    Elements,
    hostile_document,
    hostile_result,
    parse,
)

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


def assert_inert(page: str, allowed_links: set[str]) -> Elements:
    """No script, no event handler, no javascript: URL, and only our own links."""
    elements = parse(page)
    for tag, attrs in elements.tags:
        assert tag not in {"script", "iframe", "object", "embed", "img", "base", "link"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert "alert(1)" not in (value or "") or name in {"value", "placeholder"}, (
                tag, name, value)
            if name in URL_ATTRIBUTES:
                assert value in allowed_links, (tag, name, value)
    return elements


def test_hostile_text_is_escaped_and_shown_as_text() -> None:
    page = render_report(hostile_result(), ReportLinks("/", "/report/1.json",
                                                       "/report/1.osv.json"))
    for payload in PAYLOADS:
        if payload != JS_URL:  # plain text in HTML; assert_inert keeps it out of URLs
            assert payload not in page  # never raw markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34; onerror=&#34;alert(1)" in page
    elements = assert_inert(page, {"/", "/report/1.json", "/report/1.osv.json"})
    text = "".join(elements.text)
    for payload in (SCRIPT, ATTRIBUTE, JS_URL, IMG):
        assert payload in text  # what the package wrote is readable, as text


def test_the_style_block_is_the_one_the_policy_allows() -> None:
    page = render_report(hostile_result())
    assert f"<style>{CSS}</style>" in page
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    assert f"sha256-{digest}" == STYLE_HASH
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    policy = html.unescape(csp.group(1)) if csp else ""
    assert "default-src 'none'" in policy and f"style-src '{STYLE_HASH}'" in policy
    assert "unsafe-inline" not in page


def test_report_shows_the_evidence_a_reviewer_needs() -> None:
    page = render_report(hostile_result())
    text = "".join(parse(page).text)
    for expected in ("Honeytoken leaks", "aws-secret-access-key", "honeytoken-exfiltration",
                     "203.0.113.7:443", "POST http://evil.example/x", "bash -i",
                     "exec-decoded", "Typosquat of", "timeout", "requests-2.32.3",
                     "OSV record", "x_PKGSANDBOX-", "120.5", "Forced to run",
                     "2 stand-ins and overrides", "installed without dependencies (missing: "):
        assert expected in text, expected
    assert re.search(r'<tr class="sensitive"><td>read</td><td class="path">/home/dev/\.ssh/id_rsa',
                     page)
    assert '<tr class=""><td>read</td><td class="path">/usr/lib/python3/os.py' in page


def test_benign_reports_carry_no_osv_record() -> None:
    page = render_report(hostile_result(verdict=Verdict.BENIGN, score=0.0))
    assert "OSV record" not in page


def test_an_older_document_renders_with_the_codecs_defaults() -> None:
    document = result_to_dict(hostile_result())
    for key in ("static_signals", "notes", "metadata", "typosquat", "trace", "schema_version"):
        del document[key]
    for phase in document["phases"].values():
        for key in ("forced", "leaks", "resources", "output_tail"):
            del phase[key]
    page = render_report(result_from_dict(document))
    text = "".join(parse(page).text)
    assert "honeytoken-exfiltration" in text and "Typosquat of" not in text
    assert "Honeytoken leaks" not in text and "Trace: 0 lines" in text


def test_the_raw_json_block_is_the_codecs_document() -> None:
    result = hostile_result()
    page = render_report(result)
    raw = re.search(r"<summary>Raw JSON result</summary><pre>(.*?)</pre>", page, re.S)
    assert raw and json.loads(html.unescape(raw[1])) == result_to_dict(result)


def test_file_modes_are_shown_in_octal() -> None:
    page = render_report(hostile_result())
    assert "&lt;/script&gt;.py (0o755)</td>" in page


def test_timeline_and_tree_geometry() -> None:
    result = hostile_result()
    bars = timeline(result)
    assert [b.phase for b in bars] == ["install", "import", "execute"]
    assert bars[1].x == pytest.approx(bars[0].width, abs=0.2)
    tree = process_tree(result)
    assert [(n.pid, n.depth, n.parent_row) for n in tree] == [
        (10, 0, None), (11, 1, 0), (12, 2, 1), (13, 3, 2)]


@pytest.mark.parametrize("path", ["/home/dev/.ssh/id_ed25519", "/home/dev/.aws/config",
                                  "/home/dev/.npmrc",
                                  "/home/dev/.config/google-chrome/Default/Login Data",
                                  "/home/dev/.config/Exodus/exodus.wallet"])
def test_sensitive_paths(path: str) -> None:
    assert is_sensitive(path)


def test_ordinary_paths_are_not_sensitive() -> None:
    assert not is_sensitive("/usr/lib/python3.11/json/__init__.py")


def test_write_report_writes_a_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    write_report(hostile_result(), out)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing fetched from elsewhere


def test_static_site_from_result_files(tmp_path: Path) -> None:
    results = tmp_path / "results"
    for folder, document in {
        "a": hostile_document(verdict=Verdict.BENIGN, score=0.0, name="calm"),
        "b": hostile_document(),
        "c": hostile_document(verdict=Verdict.SUSPICIOUS, score=40.0, name="odd"),
    }.items():
        (results / folder).mkdir(parents=True)
        (results / folder / "result.json").write_text(json.dumps(document))
    (results / "b" / "x_PKGSANDBOX-1.json").write_text('{"id": "an OSV record"}')
    broken = {**hostile_document(), "phases": {"install": {"status": "done"}}}
    (results / "d").mkdir()
    (results / "d" / "result.json").write_text(json.dumps(broken))
    out = tmp_path / "site"
    skipped: list[str] = []
    assert write_site(list(from_results_dir(results, skipped.append)), out) == 3
    assert skipped == [f"{results / 'd' / 'result.json'}: phases.install.status: unknown value"
                       " 'done' (expected completed, error, timeout, skipped)"]
    index = (out / "index.html").read_text()
    links = {attrs["href"] for tag, attrs in parse(index).tags if tag == "a"}
    assert {"r/1.html", "r/2.html", "r/3.html"} <= links
    assert all(re.fullmatch(r"(r/\d+\.html|index(-\w+-[0-9a-f]{12})?\.html)", str(link))
               for link in links)
    order = [index.index(name) for name in ("evil&lt;script", "odd", "calm")]
    assert order == sorted(order)  # malicious, then suspicious, then benign
    benign_page = next(p for p in out.glob("index-verdict-*.html") if "calm" in p.read_text()
                       and "odd" not in p.read_text())
    assert "evil&lt;script" not in benign_page.read_text()
    assert (out / "r" / "2.osv.json").exists() and not (out / "r" / "1.osv.json").exists()
    assert_inert((out / "r" / "2.html").read_text(),
                 {"../index.html", "2.json", "2.osv.json"})


def test_report_command_names_what_it_skipped(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "good.json").write_text(json.dumps(hostile_document()))
    (results / "old\x1b[2J.json").write_text(json.dumps({**hostile_document(),
                                                          "schema_version": "0.9"}))
    assert main(["report", "--out", str(tmp_path / "site"), "--results", str(results)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("pkgsandbox: skipped ") and "old\\x1b[2J.json: schema_version:" \
        in lines[0]
    assert lines[1].endswith("(1 unreadable, skipped)") and " 1 reports " in lines[1]
