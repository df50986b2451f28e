"""A fake PyPI and npm on 127.0.0.1 that speak the real formats, with faults on demand.

PyPI: XML-RPC `changelog_since_serial` / `changelog_last_serial` at POST /pypi, the JSON
API at /pypi/NAME/VERSION/json and /pypi/NAME/json, files under /files/. npm: CouchDB
`_changes` under /npm-changes, packuments under /npm/NAME, tarballs under /npm/NAME/-/.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xmlrpc.server import SimpleXMLRPCDispatcher

FAULTS = ("500", "timeout", "malformed")


class FakeRegistry:
    """State of both registries; `fail(route, ...)` queues faults for the next requests."""

    def __init__(self, stall_s: float = 1.0) -> None:
        self.lock = threading.Lock()
        self.stall_s = stall_s
        self.journal: list[list[Any]] = []  # [name, version, timestamp, action, serial]
        self.hidden: set[int] = set()  # serials not yet "committed"
        self.pypi_files: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.seq = 0
        self.packuments: dict[str, dict[str, Any]] = {}
        self.doc_seq: dict[str, int] = {}
        self.string_seqs = False
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.hits: dict[str, int] = defaultdict(int)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def npm_registry_url(self) -> str:
        return f"{self.url}/npm"

    @property
    def npm_changes_url(self) -> str:
        return f"{self.url}/npm-changes"

    def start(self) -> FakeRegistry:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, route: str, *kinds: str) -> None:
        """Routes: xmlrpc, pypi-json, changes, packument."""
        assert all(k in FAULTS for k in kinds)
        with self.lock:
            self.faults[route].extend(kinds)

    # --- PyPI --------------------------------------------------------------------------

    def _journal(self, name: str, version: str | None, action: str, when: float) -> int:
        self.journal.append([name, version, int(when), action, len(self.journal) + 1])
        return len(self.journal)

    def publish_pypi(self, name: str, version: str, kinds: tuple[str, ...] = ("wheel",),
                     when: float | None = None, new_project: bool = False,
                     content: dict[str, bytes] | None = None) -> None:
        """A release with one file per kind (content by kind, or a few placeholder bytes)."""
        when = time.time() if when is None else when
        with self.lock:
            if new_project:
                self._journal(name, None, "create", when)
            self._journal(name, version, "new release", when)
            files = []
            for kind in kinds:
                filename = (f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
                            if kind == "wheel" else f"{name}-{version}.tar.gz")
                data = (content or {}).get(kind, f"{name} {version} {kind}".encode())
                self.files[filename] = data
                files.append({"filename": filename, "url": f"{self.url}/files/{filename}",
                              "packagetype": "bdist_wheel" if kind == "wheel" else "sdist",
                              "digests": {"sha256": hashlib.sha256(data).hexdigest()},
                              "size": len(data)})
                self._journal(name, version, f"add {'py3' if kind == 'wheel' else 'source'}"
                              f" file {filename}", when)
            self.pypi_files[(name, version)] = files

    def changelog_since_serial(self, serial: int) -> list[list[Any]]:
        with self.lock:
            return [e for e in self.journal if e[4] > serial and e[4] not in self.hidden]

    def changelog_last_serial(self) -> int:
        with self.lock:
            visible = [e[4] for e in self.journal if e[4] not in self.hidden]
            return max(visible, default=0)

    # --- npm ---------------------------------------------------------------------------

    def publish_npm(self, name: str, version: str, scripts: dict[str, str] | None = None,
                    when: float | None = None) -> None:
        when = time.time() if when is None else when
        stamp = datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds")
        with self.lock:
            doc = self.packuments.setdefault(name, {"name": name, "versions": {}, "time": {
                "created": stamp}})
            base = name.rsplit("/", 1)[-1]
            doc["versions"][version] = {
                "name": name, "version": version, "scripts": scripts or {},
                "dist": {"tarball": f"{self.npm_registry_url}/{name}/-/{base}-{version}.tgz",
                         "shasum": "0" * 40}}
            doc["time"][version] = doc["time"]["modified"] = stamp
            self.seq += 1
            self.doc_seq[name] = self.seq  # CouchDB lists a document once, at its latest seq

    def reset_npm(self) -> None:
        """A replication reset: sequence numbers start again from 1."""
        with self.lock:
            for index, name in enumerate(sorted(self.doc_seq, key=self.doc_seq.__getitem__)):
                self.doc_seq[name] = index + 1
            self.seq = len(self.doc_seq)

    def _seq(self, number: int) -> Any:
        return f"{number}-g1AAAA{number:08x}" if self.string_seqs else number

    def changes(self, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            order = sorted(self.doc_seq.items(), key=lambda item: item[1])
            limit = int(query.get("limit", "1000"))
            if query.get("descending") == "true":
                rows = order[::-1][:limit]
            else:
                since = int(query.get("since", "0").split("-", 1)[0])
                rows = [r for r in order if r[1] > since][:limit]
            results = [{"seq": self._seq(s), "id": n, "changes": [{"rev": f"{s}-abc"}]}
                       for n, s in rows]
            last = rows[-1][1] if rows and query.get("descending") != "true" else self.seq
            return {"results": results, "last_seq": self._seq(last)}


class _Rpc:
    """What PyPI's XML-RPC endpoint answers here."""

    def __init__(self, registry: FakeRegistry) -> None:
        self.registry = registry

    def changelog_since_serial(self, serial: int) -> list[list[Any]]:
        return self.registry.changelog_since_serial(serial)

    def changelog_last_serial(self) -> int:
        return self.registry.changelog_last_serial()


def _handler(registry: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    dispatcher = SimpleXMLRPCDispatcher(allow_none=True)
    # Method names are looked up on the registry; only these two are public.
    dispatcher.register_instance(_Rpc(registry))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _fault(self, route: str, malformed: bytes) -> bool:
            with registry.lock:
                registry.hits[route] += 1
                kind = registry.faults[route].pop(0) if registry.faults[route] else None
            if kind == "500":
                self._send(500, b"oops", "text/plain")
            elif kind == "timeout":
                time.sleep(registry.stall_s)
                self.close_connection = True
            elif kind == "malformed":
                self._send(200, malformed, "text/xml" if route == "xmlrpc" else "application/json")
            return kind is not None

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != "/pypi":
                self._send(404, b"no", "text/plain")
                return
            if not self._fault("xmlrpc", b"<?xml version='1.0'?><methodResponse><params><para"):
                answer = dispatcher._marshaled_dispatch(body)
                self._send(200, answer.encode() if isinstance(answer, str) else answer,
                           "text/xml")

        def do_GET(self) -> None:  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            parts = [urllib.parse.unquote(p) for p in url.path.split("/")[1:]]
            query = dict(urllib.parse.parse_qsl(url.query))
            if parts[:1] == ["files"] and parts[-1] in registry.files:
                self._send(200, registry.files[parts[-1]], "application/octet-stream")
            elif parts[:1] == ["pypi"] and parts[-1] == "json":
                if not self._fault("pypi-json", b'{"urls": [tru'):
                    self._pypi_json(parts[1:-1])
            elif url.path == "/npm-changes/_changes":
                if not self._fault("changes", b'{"results": [{"seq": 1, "id"'):
                    self._json(registry.changes(query))
            elif parts[:1] == ["npm"] and len(parts) == 2:
                if not self._fault("packument", b'{"versions": {'):
                    doc = registry.packuments.get(parts[1])
                    self._json(doc) if doc else self._send(404, b'{"error":"not_found"}',
                                                           "application/json")
            else:
                self._send(404, b"not found", "text/plain")

        def _pypi_json(self, key: list[str]) -> None:
            with registry.lock:
                if len(key) == 2 and tuple(key) in registry.pypi_files:
                    doc = {"info": {"name": key[0], "version": key[1]},
                           "urls": registry.pypi_files[(key[0], key[1])]}
                else:
                    versions = {v: f for (n, v), f in registry.pypi_files.items()
                                if len(key) == 1 and n == key[0]}
                    latest = max(versions, default=None)
                    doc = {"info": {"name": key[0], "version": latest},
                           "urls": versions[latest], "releases": versions} if latest else {}
            if doc:
                self._json(doc)
            else:
                self._send(404, b'{"message": "Not Found"}', "application/json")

        def _json(self, doc: Any) -> None:
            self._send(200, json.dumps(doc).encode(), "application/json")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test)

    return Handler
