"""A Prometheus `/metrics` endpoint (text format 0.0.4), every value read from the database.

Bound to 127.0.0.1 unless told otherwise: it names packages' verdicts and feed errors,
which is for the operator's scraper, not the internet.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from analyzer.errors import UsageError
from analyzer.feeds.npm import seq_number
from analyzer.options import listen_error
from analyzer.store.columns import JobState
from analyzer.store.database import Database, StoreError
from analyzer.store.stats import status

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def render_metrics(report: dict[str, Any]) -> str:
    """The `status()` report as Prometheus gauges and counters."""
    out: list[str] = []

    def metric(name: str, kind: str, text: str, samples: list[tuple[dict[str, str], float]]
               ) -> None:
        out.append(f"# HELP pkgsandbox_{name} {text}")
        out.append(f"# TYPE pkgsandbox_{name} {kind}")
        for labels, value in samples:
            label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            out.append(f"pkgsandbox_{name}{{{label_text}}} {value:g}" if label_text
                       else f"pkgsandbox_{name} {value:g}")

    counts = {JobState.QUEUED.value: report["queued"], JobState.RUNNING.value: report["running"],
              JobState.DEAD.value: report["failed"], JobState.DONE.value: report["analysed"]}
    metric("jobs", "gauge", "Analysis jobs by state (dead: every attempt failed).",
           [({"state": state}, count) for state, count in counts.items()])
    metric("jobs_retrying", "gauge", "Queued jobs that already failed at least once.",
           [({}, report["retrying"])])
    metric("releases_total", "counter", "Releases recorded from the feeds.",
           [({}, report["releases"])])
    metric("results_total", "counter", "Analysis results by verdict.",
           [({"verdict": v}, n) for v, n in sorted(report["by_verdict"].items())])
    metric("analyses_last_hour", "gauge", "Analyses finished in the last hour.",
           [({}, report["analyses_last_hour"])])
    feeds = sorted(report["feeds"].items())
    metric("feed_up", "gauge", "1 when the feed's last poll succeeded.",
           [({"feed": f}, 1.0 if d["status"] == "ok" else 0.0) for f, d in feeds])
    metric("feed_position", "gauge", "The feed cursor (PyPI serial, npm seq number).",
           [({"feed": f}, float(seq_number(d["position"]) or 0)) for f, d in feeds])
    metric("feed_failures", "gauge", "Failed polls in a row.",
           [({"feed": f}, d["failures"]) for f, d in feeds])
    metric("feed_gaps_total", "counter", "Gaps and resets noticed (and recovered from).",
           [({"feed": f}, d["gaps"]) for f, d in feeds])
    metric("feed_releases_total", "counter", "Releases found by the feed.",
           [({"feed": f}, d["releases"]) for f, d in feeds])
    return "\n".join(out) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsServer:
    """`GET /metrics` on host:port in a background thread; port 0 picks a free one."""

    def __init__(self, db: Database, host: str = "127.0.0.1", port: int = 9464) -> None:
        try:
            self._server = ThreadingHTTPServer((host, port), _handler(db))
        except OSError as exc:  # gaierror included: a host name that does not resolve
            raise UsageError(listen_error(host, port, exc)) from None
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        # A short poll interval: shutdown() waits for the loop to notice.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,),
                                        name="pkgsandbox-metrics", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5.0)


def _handler(db: Database) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server naming
            if self.path.split("?", 1)[0] != "/metrics":
                self._send(404, "text/plain; charset=utf-8", "only /metrics is here\n")
                return
            try:
                body = render_metrics(status(db))
            except StoreError as exc:
                self._send(503, "text/plain; charset=utf-8", f"{exc.diagnostics()}\n")
                return
            self._send(200, CONTENT_TYPE, body)

        def _send(self, code: int, content_type: str, body: str) -> None:
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("metrics: " + format, *args)

    return Handler
