"""The simulated network, honeytokens, disguise and execute phase, in the real gVisor sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analyzer.analysis import Analyzer
from analyzer.fetch.target import parse_target
from analyzer.models import AnalysisResult, FileAccess, Phase, PhaseTrace
from analyzer.sandbox.docker_runner import HOSTNAMES, DockerSandbox, SandboxRun

pytestmark = pytest.mark.sandbox


class RecordingSandbox(DockerSandbox):
    """The real sandbox; keeps the last run so a test can see the run's canary values."""

    last: SandboxRun

    def run(self, package, phases, on_phase=None):  # type: ignore[no-untyped-def]
        self.last = super().run(package, phases, on_phase)
        return self.last


def analyse(artifact: Path) -> tuple[AnalysisResult, RecordingSandbox]:
    sandbox = RecordingSandbox()
    return Analyzer(sandbox=sandbox).analyze(parse_target(str(artifact))), sandbox


def phase(result: AnalysisResult, which: Phase) -> PhaseTrace:
    found = result.phase(which)
    assert found is not None
    return found.trace


def canary(sandbox: RecordingSandbox, token: str) -> str:
    return next(c.value for c in sandbox.last.bait.canaries if c.token == token)


def test_https_post_of_the_environment_is_recorded_with_the_canary(package_factory: Any) -> None:
    result, sandbox = analyse(package_factory("pypi-exfil-https"))

    install = phase(result, Phase.INSTALL)
    posts = [r for r in install.network.http if r.method == "POST"]
    assert posts and posts[0].host == "collector.example"
    assert posts[0].url == "https://collector.example/api"
    assert canary(sandbox, "aws-secret-access-key") in posts[0].body
    assert any(t.sni == "collector.example" and t.handshake == "ok" for t in install.network.tls)
    leaked = {(leak.token, leak.channel) for leak in install.leaks}
    assert ("aws-secret-access-key", "http") in leaked
    assert "collector.example" in result.iocs.domains


def test_hex_encoded_dns_beacon_and_a_payload_that_waits_to_be_called(
    package_factory: Any
) -> None:
    result, _ = analyse(package_factory("pypi-exfil-https"))

    beacons = [q.name for q in phase(result, Phase.IMPORT).network.dns
               if q.name.endswith(".beacon.example")]
    assert beacons
    assert bytes.fromhex(beacons[0].split(".")[0]).decode() in HOSTNAMES
    # upload() only runs when called: the execute phase calls it with harmless arguments.
    execute = phase(result, Phase.EXECUTE)
    assert any(r.url == "http://drop.example/k" for r in execute.network.http)
    assert any(leak.token == "ssh-private-key" for leak in execute.leaks)
    imported = phase(result, Phase.IMPORT)
    assert not any(r.url == "http://drop.example/k" for r in imported.network.http)


def test_node_https_request_is_recorded(package_factory: Any) -> None:
    result, sandbox = analyse(package_factory("npm-exfil-https"))

    install = phase(result, Phase.INSTALL)
    posts = [r for r in install.network.http if r.url == "https://collector.example/api"]
    assert posts and canary(sandbox, "npm-token") in posts[0].body
    assert any(leak.token == "npm-token" for leak in install.leaks)


@pytest.mark.network
def test_requests_with_certifi_is_intercepted_too(package_factory: Any) -> None:
    result, sandbox = analyse(package_factory("pypi-exfil-requests"))

    imported = phase(result, Phase.IMPORT)
    posts = [r for r in imported.network.http if r.url == "https://collector.example/api"]
    assert posts, result.phase(Phase.IMPORT).output_tail  # type: ignore[union-attr]
    assert canary(sandbox, "github-token") in posts[0].body


def test_a_sandbox_aware_package_still_shows_its_payload(package_factory: Any) -> None:
    result, sandbox = analyse(package_factory("pypi-evasive"))

    install = phase(result, Phase.INSTALL)
    request = next(r for r in install.network.http if r.url == "http://evasive.example/x")
    # What it sent describes a developer's machine, not a container.
    assert f'"HOME": "/home/{sandbox.last.bait.user}"' in request.body
    assert any(r.url == "http://evasive.example/x" for r in install.network.http), \
        result.phase(Phase.INSTALL).output_tail  # type: ignore[union-attr]
    assert any(leak.token == "aws-access-key-id" for leak in install.leaks)


def test_dropper_download_write_chmod_exec_in_order(package_factory: Any) -> None:
    result, sandbox = analyse(package_factory("pypi-dropper"))

    install = phase(result, Phase.INSTALL)
    result_user = sandbox.last.bait.user
    stage = f"/home/{result_user}/.cache/update-helper"
    assert any(r.method == "GET" and r.url == "http://cdn-updates.example/stage2"
               for r in install.network.http)
    accesses = [f.access for f in install.files if f.path == stage]
    assert FileAccess.WRITE in accesses and FileAccess.CHMOD in accesses
    assert accesses.index(FileAccess.WRITE) < accesses.index(FileAccess.CHMOD)
    chmods = [f for f in install.files if f.path == stage and f.access is FileAccess.CHMOD]
    assert chmods[0].mode is not None and chmods[0].mode & 0o111
    assert any(p.executable == stage and p.ok for p in install.processes)


def test_a_bind_shell_answers_the_knock_and_its_shell_is_traced(package_factory: Any) -> None:
    result, sandbox = analyse(package_factory("pypi-bind-shell"))

    imported = phase(result, Phase.IMPORT)
    assert any(c.syscall == "bind" and c.port == 31337 for c in imported.network.connections)
    commands = [" ".join(p.argv) for p in imported.processes]
    assert "/bin/sh" in commands and "id" in commands
    assert any("knocked on port 31337" in note and "uid=" in note
               for note in sandbox.last.notes)
    assert {"listening-socket", "recon-commands"} <= {f.rule for f in result.findings}


def test_npm_commands_run_with_help_in_the_execute_phase(package_factory: Any) -> None:
    result, _ = analyse(package_factory("npm-cli-tool"))

    executed = phase(result, Phase.EXECUTE)
    assert any(p.argv[-2:] == ("node_modules/.bin/cli-tool-only", "--help")
               for p in executed.processes)
    assert any(f.path == "/tmp/cli-tool-only-ran" and f.access is FileAccess.WRITE
               for f in executed.files)


def test_a_background_child_that_acts_after_its_phase_is_still_seen(
        package_factory: Any) -> None:
    """The straggler wait ends when the package runs nothing more, not before: what a
    detached child does 2 s after the import returned belongs to the import phase."""
    result, sandbox = analyse(package_factory("pypi-late-straggler"))

    imported = phase(result, Phase.IMPORT)
    assert any(f.path == "/tmp/late-straggler-ran" and f.access is FileAccess.WRITE
               for f in imported.files)
    assert "late.straggler.example" in [q.name for q in imported.network.dns]
    # It ended within the wait (its zombies are not waited for), and nothing listened.
    assert not any("still running" in note or "knocked" in note
                   for note in sandbox.last.notes), sandbox.last.notes


def test_a_child_that_outlives_the_wait_is_named_in_the_notes(package_factory: Any) -> None:
    _, sandbox = analyse(package_factory("pypi-lingering-child"))

    assert "package processes still running 4 s after the import phase ended: 1 (sleep); " \
           "what came next ran beside them" in sandbox.last.notes, sandbox.last.notes
