"""The review server: index and reports from the store, and triage decisions (stdlib http.server).

Reads are open to whoever can reach the socket (127.0.0.1 by default); writes need a signed-in
reviewer (the token) and the form's CSRF token. A Host header other than the one we listen
on is refused, which stops DNS-rebinding pages from reading the reports.
"""

from __future__ import annotations

import http.cookies
import json
import logging
import re
import threading
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from analyzer.errors import UsageError
from analyzer.options import listen_error
from analyzer.report import html
from analyzer.report.html import ReportLinks
from analyzer.report.html_view import REVIEW_STATES, sort_rows
from analyzer.report.publish import Outputs, publish
from analyzer.result_codec import ResultFormatError
from analyzer.store.database import Database
from analyzer.web import review_store
from analyzer.web.auth import COOKIE, Sessions
from analyzer.web.limits import DEFAULT_LIMITS, BoundedHandler, BoundedServer, ServerLimits
from analyzer.web.page_size import cut_for_page
from analyzer.web.review_store import DecisionKind, ReviewError

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
LARGE_RESULT_WAIT_S = 2.0  # for another large report to be done, before a 503
FILTER_KEYS = ("verdict", "ecosystem", "review", "rule")
ACTIONS = {"confirm": DecisionKind.CONFIRMED, "dismiss": DecisionKind.DISMISSED,
           "note": DecisionKind.NOTE}
_REPORT = re.compile(r"/report/(\d{1,18})(\.json|\.osv\.json|/decision)?")
SECURITY_HEADERS = {
    "Content-Security-Policy": html.HTTP_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not "no-referrer": under it Chromium sends `Origin: null` with our own forms, and
    # the Origin check refuses them. same-origin still tells no other site anything.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass(frozen=True)
class App:
    db: Database
    sessions: Sessions
    osv_dir: Path | None = None


class ReviewServer(BoundedServer):
    def __init__(self, address: tuple[str, int], app: App,
                 limits: ServerLimits = DEFAULT_LIMITS) -> None:
        super().__init__(address, Handler, limits)
        self.app = app
        self.large_results = threading.BoundedSemaphore(limits.large_results_at_once)

    @property
    def allowed_hosts(self) -> set[str]:
        host, port = str(self.server_address[0]), self.server_address[1]
        names = {host, "localhost"} | ({"127.0.0.1"} if host == "127.0.0.1" else set())
        return {f"{name}:{port}" for name in names} | {f"[{host}]:{port}"}


class Handler(BoundedHandler):
    server: ReviewServer
    server_version = "pkgsandbox"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)

    # --- dispatch ---------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/":
            self._index(urllib.parse.parse_qs(url.query))
        elif url.path == "/login":
            self._send(HTTPStatus.OK, html.render_login())
        elif (match := _REPORT.fullmatch(url.path)) and match.group(2) != "/decision":
            self._report(int(match.group(1)), match.group(2))
        else:
            self._send(HTTPStatus.NOT_FOUND, "not found\n", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok() or not self._origin_ok():
            return
        path = urllib.parse.urlsplit(self.path).path
        form = self._form()
        if form is None:
            return
        if path == "/login":
            self._login(form)
        elif (match := _REPORT.fullmatch(path)) and match.group(2) == "/decision":
            self._decide(int(match.group(1)), form)
        else:
            self._send(HTTPStatus.NOT_FOUND, "not found\n", "text/plain")

    # --- pages ----------------------------------------------------------------

    def _index(self, query: dict[str, list[str]]) -> None:
        selected = {k: query[k][0] for k in FILTER_KEYS if query.get(k)}
        sort = "time" if query.get("sort") == ["time"] else "score"
        everything = review_store.index_rows(self.server.app.db)
        rows = sort_rows(html.apply_filters(everything, selected), sort)

        def href(key: str, value: str | None, order: str = sort) -> str:
            chosen = {k: v for k, v in selected.items() if k != key}
            if value is not None:
                chosen[key] = value
            if order == "time":
                chosen["sort"] = "time"
            return "/?" + urllib.parse.urlencode(chosen) if chosen else "/"

        groups = html.filter_groups(everything, selected, href)
        groups.append(html.FilterGroup("sort", tuple(
            (order, href("sort", None, order), sort == order) for order in ("score", "time"))))
        reviewer = self.server.app.sessions.reviewer(self._session())
        self._send(HTTPStatus.OK, html.render_index(
            rows, groups, total=len(everything), active=bool(selected), chart_rows=everything,
            login_href="/login", reviewer=reviewer, meta_csp=False))

    def _report(self, result_id: int, suffix: str | None) -> None:
        text = review_store.document_text(self.server.app.db, result_id)
        if text is None:
            self._send(HTTPStatus.NOT_FOUND, "no such analysis\n", "text/plain")
        elif len(text) <= self.server.limits.max_page_json_bytes:
            self._report_from(result_id, suffix, text)
        elif self.server.large_results.acquire(timeout=LARGE_RESULT_WAIT_S):
            try:  # one at a time: parsing a result of 100 MB takes ten times that
                self._report_from(result_id, suffix, text)
            finally:
                self.server.large_results.release()
        else:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "busy with another large report; try"
                       " again\n", "text/plain")

    def _report_from(self, result_id: int, suffix: str | None, text: str) -> None:
        large = len(text) > self.server.limits.max_page_json_bytes
        if suffix == ".json" and large:  # as stored: no second copy, indented
            self._send(HTTPStatus.OK, text, "application/json")
            return
        try:
            document = review_store.load(result_id, text)
            if suffix == ".json":  # the stored document, even one the codec cannot read
                self._send(HTTPStatus.OK, json.dumps(document, indent=2), "application/json")
                return
            result = review_store.decode(result_id, document)
        except ResultFormatError as exc:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR,
                       f"this version cannot read the stored result: {exc.diagnostics()}\n",
                       "text/plain")
            return
        if suffix == ".osv.json":
            osv = html.osv_text(result)
            if osv is None:
                self._send(HTTPStatus.NOT_FOUND, "not malicious: no OSV record\n", "text/plain")
            else:
                self._send(HTTPStatus.OK, osv, "application/json")
            return
        if large:
            result = cut_for_page(result, len(text), f"/report/{result_id}.json",
                                  self.server.limits.max_page_json_bytes)
        self._send(HTTPStatus.OK, html.render_report(
            result, ReportLinks(index="/", json=f"/report/{result_id}.json",
                                osv=f"/report/{result_id}.osv.json"),
            self._panel(result_id), meta_csp=False))

    def _panel(self, result_id: int) -> html.ReviewPanel:
        session = self._session()
        signed_in = self.server.app.sessions.reviewer(session) is not None
        decisions = review_store.decisions(self.server.app.db, result_id)
        state = review_store.review_state(
            (d.decision, i) for i, d in enumerate(decisions))  # already in time order
        return html.ReviewPanel(
            state=state if state in REVIEW_STATES else "unreviewed",
            decisions=tuple(decisions), action=f"/report/{result_id}/decision",
            csrf=self.server.app.sessions.csrf(session) if signed_in and session else None,
            login="/login")

    # --- writes ---------------------------------------------------------------

    def _login(self, form: dict[str, str]) -> None:
        session = self.server.app.sessions.login(form.get("token", ""),
                                                 form.get("reviewer", ""))
        if session is None:
            self._send(HTTPStatus.FORBIDDEN, html.render_login("Wrong token (or no name)."))
            return
        self._redirect("/", cookie=f"{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/")

    def _decide(self, result_id: int, form: dict[str, str]) -> None:
        sessions = self.server.app.sessions
        session = self._session()
        reviewer = sessions.reviewer(session)
        if reviewer is None or session is None:
            self._send(HTTPStatus.FORBIDDEN, "sign in first: /login\n", "text/plain")
            return
        if not sessions.check_csrf(session, form.get("csrf", "")):
            self._send(HTTPStatus.FORBIDDEN, "bad or missing CSRF token\n", "text/plain")
            return
        kind = ACTIONS.get(form.get("action", ""))
        if kind is None:
            self._send(HTTPStatus.BAD_REQUEST, "unknown action\n", "text/plain")
            return
        db = self.server.app.db
        try:
            review_store.record_decision(db, result_id, kind, reviewer, form.get("note"))
        except ReviewError as exc:
            self._send(HTTPStatus.BAD_REQUEST, exc.diagnostics() + "\n", "text/plain")
            return
        if kind is DecisionKind.CONFIRMED and self.server.app.osv_dir is not None:
            self._write_osv(result_id, self.server.app.osv_dir)
        self._redirect(f"/report/{result_id}")

    def _write_osv(self, result_id: int, osv_dir: Path) -> None:
        """The OSV record of a confirmed malicious result; the decision stands either way."""
        try:
            result = review_store.result(self.server.app.db, result_id)
        except ResultFormatError as exc:
            log.warning("no OSV record: %s", exc.diagnostics())
            return
        if result is not None:
            for path in publish(result, Outputs(osv_dir=osv_dir)).files:
                log.info("OSV record written to %s", path)

    # --- plumbing -------------------------------------------------------------

    def _host_ok(self) -> bool:
        if self.headers.get("Host", "") in self.server.allowed_hosts:
            return True
        self._send(HTTPStatus.MISDIRECTED_REQUEST, "unexpected Host header\n", "text/plain")
        return False

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is None or origin.removeprefix("http://") in self.server.allowed_hosts:
            return True
        self._send(HTTPStatus.FORBIDDEN, "cross-origin request refused\n", "text/plain")
        return False

    def _form(self) -> dict[str, str] | None:
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if kind != "application/x-www-form-urlencoded" or not 0 <= length <= MAX_BODY:
            self._send(HTTPStatus.BAD_REQUEST, "expected a small form\n", "text/plain")
            return None
        body = self.rfile.read(length).decode("utf-8", "replace")
        return {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}

    def _session(self) -> str | None:
        cookie = http.cookies.SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return None
        morsel = cookie.get(COOKIE)
        return morsel.value if morsel else None

    def _redirect(self, location: str, cookie: str | None = None) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", location)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self._finish(b"", "text/plain")

    def _send(self, status: HTTPStatus, text: str, kind: str = "text/html") -> None:
        self.send_response(status)
        self._finish(text.encode("utf-8"), kind)

    def _finish(self, body: bytes, kind: str) -> None:
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(app: App, host: str = "127.0.0.1", port: int = 8080,
                limits: ServerLimits = DEFAULT_LIMITS) -> ReviewServer:
    """The server, listening; a busy port or an address not of this host is a UsageError."""
    try:
        return ReviewServer((host, port), app, limits)
    except OSError as exc:  # gaierror included: a host name that does not resolve
        raise UsageError(listen_error(host, port, exc)) from None
