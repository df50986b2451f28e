"""The review server over a real socket: pages, headers, the token, CSRF and stored decisions."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from analyzer.store.schema import ReviewDecision
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
