"""A fake PyPI + npm registry on 127.0.0.1, and builders for tiny packages (never built by code)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import json
import tarfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from packaging.utils import canonicalize_name

from analyzer.fetch.interface import RegistryUrls

Builder = Callable[..., Path]


class FakeRegistry:
    """Speaks PyPI's JSON API, the PEP 503 simple index, npm packuments, and serves files."""

    def __init__(self) -> None:
        self.base = ""
        self.urls = RegistryUrls()
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.status: dict[str, int] = {}  # path -> forced HTTP status
        self.hits: list[str] = []  # raw request paths, in order
        self.delay_s: dict[str, float] = {}  # path -> seconds before it is answered
        self.pypi: dict[str, dict[str, Any]] = {}  # name -> {version: (info, files)}
        self.npm: dict[str, dict[str, Any]] = {}  # name -> packument

    def bind(self, base: str) -> None:
        self.base = base
        self.urls = RegistryUrls(pypi=f"{base}/py", npm=f"{base}/npm")

    def add_file(self, path: str, data: bytes) -> str:
        self.routes[path] = (data, "application/octet-stream")
        return self.base + path

    def add_pypi(self, name: str, version: str, files: list[Path], *,
                 requires_dist: list[str] | None = None, filenames: dict[str, str] | None = None,
                 sha256: dict[str, str] | None = None, urls: dict[str, str] | None = None) -> None:
        """Publish a release; `filenames`/`sha256`/`urls` override what the JSON says per file."""
        entries = []
        for f in files:
            data = f.read_bytes()
            url = self.add_file(f"/files/{f.name}", data)
            entries.append({
                "filename": (filenames or {}).get(f.name, f.name),
                "url": (urls or {}).get(f.name, url),
                "digests": {"sha256": (sha256 or {}).get(f.name, hashlib.sha256(data).hexdigest())},
                "packagetype": "bdist_wheel" if f.name.endswith(".whl") else "sdist",
                "upload_time_iso_8601": "2024-05-29T15:37:49.536140Z",
                "yanked": False,
            })
        info = {"name": name, "version": version, "summary": f"The {name} project",
                "author": "A. Author", "home_page": f"https://example.org/{name}",
                "requires_dist": requires_dist, "license": None}
        self.pypi.setdefault(name, {})[version] = (info, entries)
        self._publish_pypi(name)

    def _publish_pypi(self, name: str) -> None:
        releases = self.pypi[name]
        latest = list(releases)[-1]
        for version, (info, entries) in releases.items():
            doc = {"info": info, "urls": entries, "releases": {}}
            self._json(f"/py/pypi/{name}/{version}/json", doc)
        info, entries = releases[latest]
        self._json(f"/py/pypi/{name}/json", {
            "info": info, "urls": entries,
            "releases": {v: e for v, (_, e) in releases.items()}})
        links = "".join(
            f'<a href="{html.escape(e["url"])}#sha256={e["digests"]["sha256"]}">'
            f'{html.escape(e["filename"])}</a><br>\n'
            for _, es in releases.values() for e in es)
        page = f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode()
        self.routes[f"/py/simple/{canonicalize_name(name)}"] = (page, "text/html")

    def add_npm(self, name: str, version: str, tgz: Path, *, integrity: str | None = None,
                shasum: str | None = None, tarball: str | None = None, latest: bool = True,
                manifest: dict[str, Any] | None = None) -> None:
        """Publish a version; its manifest is the tarball's package.json unless `manifest`."""
        data = tgz.read_bytes()
        url = self.add_file(f"/npm/{name}/-/{tgz.name}", data)
        dist: dict[str, str] = {"tarball": tarball or url}
        if integrity != "":
            dist["integrity"] = integrity or "sha512-" + base64.b64encode(
                hashlib.sha512(data).digest()).decode()
        if shasum != "":
            dist["shasum"] = shasum or hashlib.sha1(data).hexdigest()  # noqa: S324
        if manifest is None:
            with tarfile.open(tgz) as tar:
                handle = tar.extractfile("package/package.json")
                assert handle is not None
                manifest = json.loads(handle.read())
        doc = self.npm.setdefault(name, {"name": name, "dist-tags": {}, "versions": {},
                                         "time": {}})
        doc["versions"][version] = {**manifest, "dist": dist}
        doc["time"][version] = "2024-01-02T03:04:05.000Z"
        if latest:
            doc["dist-tags"]["latest"] = version
        self._json(f"/npm/{name}", doc)

    def _json(self, path: str, doc: Any) -> None:
        self.routes[path] = (json.dumps(doc).encode(), "application/json")


def _handler(registry: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            registry.hits.append(self.path)
            path = unquote(urlsplit(self.path).path).rstrip("/")
            if path in registry.delay_s:
                time.sleep(registry.delay_s[path])
            if path in registry.status:
                self.send_error(registry.status[path])
                return
            if path not in registry.routes:
                self.send_error(404)
                return
            body, ctype = registry.routes[path]
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output clean

    return Handler


@contextlib.contextmanager
def serving() -> Iterator[FakeRegistry]:
    """A fake registry on a free local port, for as long as the block runs."""
    fake = FakeRegistry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.bind(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    with serving() as fake:
        yield fake


# --- tiny packages, written with tarfile/zipfile only --------------------------------


def _tar_gz(dest: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(dest, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return dest


def _pkg_info(name: str, version: str, requires: tuple[str, ...] | list[str]) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             f"Summary: tiny {name}", "Author: Test Author",
             *(f"Requires-Dist: {r}" for r in requires)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def make_sdist(tmp_path: Path) -> Builder:
    def build(name: str, version: str, requires: tuple[str, ...] = (),
              pyproject: str | None = None, extra: dict[str, bytes] | None = None) -> Path:
        top = f"{name}-{version}"
        files = {f"{top}/PKG-INFO": _pkg_info(name, version, requires),
                 f"{top}/setup.py": b"raise SystemExit('never run by the tests')\n",
                 **{f"{top}/{k}": v for k, v in (extra or {}).items()}}
        if pyproject is not None:
            files[f"{top}/pyproject.toml"] = pyproject.encode()
        folder = tmp_path / "built"
        folder.mkdir(exist_ok=True)
        return _tar_gz(folder / f"{top}.tar.gz", files)

    return build


@pytest.fixture
def make_wheel(tmp_path: Path) -> Builder:
    def build(name: str, version: str, requires: tuple[str, ...] = (),
              tag: str = "py3-none-any") -> Path:
        dist = f"{canonicalize_name(name).replace('-', '_')}-{version}"
        files = {
            f"{dist.split('-')[0]}/__init__.py": b"VALUE = 1\n",
            f"{dist}.dist-info/METADATA": _pkg_info(name, version, requires),
            f"{dist}.dist-info/WHEEL": f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n"
                                       .encode(),
        }
        record = "".join(
            f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},"
            f"{len(d)}\n" for n, d in files.items())
        files[f"{dist}.dist-info/RECORD"] = (record + f"{dist}.dist-info/RECORD,,\n").encode()
        folder = tmp_path / "built"
        folder.mkdir(exist_ok=True)
        dest = folder / f"{dist}-{tag}.whl"
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for n, d in files.items():
                zf.writestr(n, d)
        return dest

    return build


@pytest.fixture
def make_npm_tgz(tmp_path: Path) -> Builder:
    def build(name: str, version: str, deps: dict[str, str] | None = None,
              scripts: dict[str, str] | None = None) -> Path:
        manifest = {"name": name, "version": version, "description": f"tiny {name}",
                    "main": "index.js", "dependencies": deps or {}, "scripts": scripts or {}}
        folder = tmp_path / "built"
        folder.mkdir(exist_ok=True)
        base = name.rsplit("/", 1)[-1]
        return _tar_gz(folder / f"{base}-{version}.tgz", {
            "package/package.json": json.dumps(manifest).encode(),
            "package/index.js": b"module.exports = 1;\n"})

    return build
