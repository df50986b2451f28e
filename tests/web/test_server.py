"""The review server over a real socket: pages, headers, the token, CSRF and stored decisions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from analyzer.result_codec import result_to_dict
from analyzer.store.schema import Result, ReviewDecision
from analyzer.web.static_site import from_database, write_site
from tests.report.hostile import hostile_result
from tests.report.test_html import assert_inert
from tests.web.conftest import Served


def test_pages_carry_a_strict_policy(served: Served) -> None:
    client = served.client
    for path in ("/", f"/report/{served.ids[1]}", f"/report/{served.ids[1]}.json", "/login",
                 "/nowhere"):
        client.request("GET", path)
        headers = client.last_headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "script-src" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        # Not no-referrer: Chromium would then send `Origin: null` with our own forms.
        assert headers["Referrer-Policy"] == "same-origin"


def test_index_flags_first_and_filters(served: Served) -> None:
    status, page = served.client.request("GET", "/")
    assert status == 200
    order = [page.index(name) for name in ("evil&lt;script", "odd-package", "calm-package")]
    assert order == sorted(order)
    _, only_benign = served.client.request("GET", "/?verdict=benign")
    assert "calm-package" in only_benign and "odd-package" not in only_benign
    _, by_rule = served.client.request("GET", "/?rule=honeytoken-exfiltration&sort=time")
    assert "evil&lt;script" in by_rule


def test_report_json_and_osv(served: Served) -> None:
    malicious, benign = served.ids[1], served.ids[0]
    status, page = served.client.request("GET", f"/report/{malicious}")
    assert status == 200 and "Sign in</a> to record a decision" in page
    assert_inert(page, {"/", f"/report/{malicious}.json", f"/report/{malicious}.osv.json",
                        "/login"})
    status, text = served.client.request("GET", f"/report/{malicious}.json")
    assert status == 200 and json.loads(text)["verdict"] == "malicious"
    assert served.client.request("GET", f"/report/{malicious}.osv.json")[0] == 200
    assert served.client.request("GET", f"/report/{benign}.osv.json")[0] == 404
    assert served.client.request("GET", "/report/999")[0] == 404


def test_writes_without_the_token_are_refused(served: Served) -> None:
    client = served.client
    result = served.ids[1]
    status, _ = client.request("POST", f"/report/{result}/decision",
                               {"action": "confirm", "csrf": "x"})
    assert status == 403
    assert client.login(token="wrong-token-0123456789") == 403 and client.cookie is None
    client.cookie = "made-up-session"
    assert client.request("POST", f"/report/{result}/decision", {"action": "confirm"})[0] == 403
    assert _decisions(served) == []


def test_a_bad_csrf_token_is_refused(served: Served) -> None:
    client = served.client
    assert client.login() == 303
    result = served.ids[1]
    for csrf in ("", "0" * 64, client.csrf(served.ids[0])):  # another page's token is fine
        status, _ = client.request("POST", f"/report/{result}/decision",
                                   {"action": "confirm", "csrf": csrf})
        assert status == (303 if csrf == client.csrf(served.ids[0]) else 403)
    assert [d.decision for d in _decisions(served)] == ["confirmed"]


def test_cross_origin_and_foreign_host_are_refused(served: Served) -> None:
    client = served.client
    client.login()
    csrf = client.csrf(served.ids[1])
    status, _ = client.request("POST", f"/report/{served.ids[1]}/decision",
                               {"action": "confirm", "csrf": csrf},
                               headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _ = client.request("GET", "/", headers={"Host": "evil.example:80"})
    assert status == 421
    assert _decisions(served) == []


def test_confirm_dismiss_and_note_are_stored_with_who_and_when(served: Served) -> None:
    client = served.client
    client.login(reviewer="alice")
    malicious, suspicious = served.ids[1], served.ids[2]
    before = time.time()
    status, _ = client.request("POST", f"/report/{malicious}/decision",
                               {"action": "confirm", "csrf": client.csrf(malicious)})
    assert status == 303 and client.last_headers["Location"] == f"/report/{malicious}"
    assert client.request("POST", f"/report/{suspicious}/decision",
                          {"action": "dismiss", "csrf": client.csrf(suspicious)})[0] == 400
    note = '<script>alert(1)</script> test fixture'
    for action in ("dismiss", "note"):
        status, _ = client.request("POST", f"/report/{suspicious}/decision",
                                   {"action": action, "note": note,
                                    "csrf": client.csrf(suspicious)})
        assert status == 303
    stored = _decisions(served)
    assert [(d.result_id, d.decision, d.reviewer, d.note) for d in stored] == [
        (malicious, "confirmed", "alice", None), (suspicious, "dismissed", "alice", note),
        (suspicious, "note", "alice", note)]
    assert all(before <= d.decided_at <= time.time() for d in stored)
    assert len(list(served.osv_dir.glob("x_PKGSANDBOX-*.json"))) == 1
    _, page = client.request("GET", f"/report/{suspicious}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; test fixture" in page
    _, index = client.request("GET", "/?review=dismissed")
    assert "odd-package" in index and "calm-package" not in index


def _decisions(served: Served) -> list[ReviewDecision]:
    with served.db.reading() as session:
        return list(session.scalars(select(ReviewDecision).order_by(ReviewDecision.id)))


def _break(served: Served, result_id: int, document: object) -> None:
    """Store a document this version cannot read in place of a result's own."""
    with served.db.transaction() as session:
        row = session.get(Result, result_id)
        assert row is not None
        row.document = document  # type: ignore[assignment]


def test_a_stored_document_the_codec_cannot_read_is_one_line_not_a_traceback(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    broken = served.ids[1]
    _break(served, broken, {**result_to_dict(hostile_result()), "verdict": "evil<script>"})
    for path in (f"/report/{broken}", f"/report/{broken}.osv.json"):
        status, text = served.client.request("GET", path)
        assert status == 500 and text.count("\n") == 1, text
        assert text.startswith(f"this version cannot read the stored result: result {broken}:"
                               " verdict: unknown value"), text
        assert served.client.last_headers["Content-Type"].startswith("text/plain")
    status, text = served.client.request("GET", f"/report/{broken}.json")
    assert status == 200 and json.loads(text)["verdict"] == "evil<script>"  # as stored
    client = served.client
    client.login()
    csrf = client.csrf(served.ids[0])
    status, _ = client.request("POST", f"/report/{broken}/decision",
                               {"action": "confirm", "csrf": csrf})
    assert status == 303  # the decision stands; only its OSV record could not be made
    assert [d.decision for d in _decisions(served)] == ["confirmed"]
    assert not list(served.osv_dir.glob("*.json"))
    assert "Traceback" not in capsys.readouterr().err
    assert served.client.request("GET", f"/report/{served.ids[2]}")[0] == 200


def test_the_static_site_skips_an_unreadable_result_and_says_which(
        served: Served, tmp_path: Path) -> None:
    _break(served, served.ids[0], {"schema_version": "9.0", "package": {}})
    skipped: list[str] = []
    entries = list(from_database(served.db, skipped.append))
    assert [int(e.row.key) for e in entries] == sorted(served.ids[1:], reverse=True)
    assert skipped == [f"result {served.ids[0]}: schema_version: '9.0' is not a version this"
                       " tool reads (1.x)"]
    assert write_site(entries, tmp_path / "site") == 2
