"""In-sandbox driver: prepares the machine, runs the phases as the package's user, reports.

Stdlib only, and small: every import it makes is noise in the trace. It runs as root
(the container's PID 1), reads the spec (root-only: it holds the run's CA key and
canaries), and for each state opens the marker path `/.pkgsandbox-marker/<state>` (a
failed open the trace parser keys on) right before starting that state's processes. Its
own stdout carries one result line; the package's output goes to pipes the driver reads,
never to the driver's stdout. What it reads and writes, and the names it shares with the
host, are in protocol.py (analyzer/protocol.py on the host).
"""

import contextlib
import dataclasses
import io
import json
import os
import pwd
import re
import selectors
import signal
import subprocess
import sys
import time

DRIVER_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, DRIVER_DIR)  # `python -I` leaves the script's folder off the path

import machine  # noqa: E402
import protocol  # noqa: E402
from protocol import Phase, PhaseReport, PhaseStatus  # noqa: E402

IMAGE_USER = "dev"  # the account the images are built with; each run renames it
FORCED_PREFIX = b"PKGSANDBOX-FORCED "  # what the exercisers forced, one JSON list a line
# Each phase's start and outcome as it happens, on the host's disk: a sandbox killed
# for its memory still leaves what it did before (the simulator's log lies beside it).
PROGRESS_LOG = os.path.join(protocol.OUT_DIR, protocol.PROGRESS_LOG)
ARTIFACT_DIR, DEPS_DIR = protocol.ARTIFACT_DIR, protocol.DEPS_DIR


def marker(state):
    # Expected to fail: the path does not exist, and the failed open is the marker.
    with contextlib.suppress(OSError):
        open(os.path.join(protocol.MARKER_DIR, state)).close()


def user_env(user, bait_env):
    home = user.pw_dir
    env = {
        "HOME": home, "USER": user.pw_name, "LOGNAME": user.pw_name, "SHELL": "/bin/bash",
        "PATH": f"{home}/.venv/bin:{home}/.local/bin:/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8", "TERM": "xterm-256color", "PWD": home,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
        "npm_config_update_notifier": "false",
    }
    env.update(bait_env)
    return env


def run_as_user(phase, user, env, argv, cwd, timeout):
    """Run argv as `user` in its own session; keep the tail of its output."""
    started = time.time()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, user=user.pw_uid, group=user.pw_gid, extra_groups=[],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, close_fds=True,
    )
    tail = bytearray()
    forced = ForcedLines()
    deadline = started + timeout
    timed_out = False
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.time()
            if left <= 0:
                timed_out = True
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            forced.feed(chunk)
            tail += chunk
            del tail[:-protocol.TAIL_CHARS]
    if timed_out:
        kill_group(proc.pid)
    try:
        exit_code = proc.wait(timeout=max(1.0, deadline - time.time()))
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc.pid)
        exit_code = proc.wait()
    proc.stdout.close()
    status = PhaseStatus.TIMEOUT if timed_out else (
        PhaseStatus.COMPLETED if exit_code == 0 else PhaseStatus.ERROR)
    return PhaseReport(phase, status, None if timed_out else exit_code, started, time.time(),
                       tail.decode("utf-8", "replace"), tuple(forced.names))


class ForcedLines:
    """The stand-ins an exerciser reports on `PKGSANDBOX-FORCED` lines, bounded."""

    def __init__(self):
        self.partial = b""
        self.names = []

    def feed(self, chunk):
        lines = (self.partial + chunk).split(b"\n")
        self.partial = lines.pop()[-4096:]
        for line in lines:
            if not line.startswith(FORCED_PREFIX):
                continue
            with contextlib.suppress(ValueError):
                for name in json.loads(line[len(FORCED_PREFIX):]):
                    if isinstance(name, str) and name not in self.names \
                            and len(self.names) < protocol.MAX_FORCED:
                        self.names.append(name[:protocol.MAX_FORCED_CHARS])


def kill_group(pgid):
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)


def chown_tree(path, user):
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), user.pw_uid, user.pw_gid)
    os.lchown(path, user.pw_uid, user.pw_gid)


# --- PyPI -------------------------------------------------------------------------


def venv_python(user):
    return os.path.join(user.pw_dir, ".venv/bin/python")


def pypi_install_argv(user, spec):
    return [venv_python(user), "-m", "pip", "install", "--no-index",
            "--find-links", DEPS_DIR, "--find-links", "/opt/pkgsandbox/wheels",
            os.path.join(ARTIFACT_DIR, spec.artifact)]


def pypi_install_without_dependencies_argv(user, spec):
    # Build isolation would need the same missing build requirements again.
    return [*pypi_install_argv(user, spec), "--no-deps", "--no-build-isolation"]


def pypi_exercise_argv(mode):
    def argv(user, spec):
        return [venv_python(user), "-I", os.path.join(DRIVER_DIR, "exercise_python.py"),
                mode, spec.name, os.path.join(ARTIFACT_DIR, spec.artifact)]
    return argv


# --- npm --------------------------------------------------------------------------


def npm_prepare(user):
    import shutil
    project = os.path.join(user.pw_dir, "project")
    os.makedirs(project, exist_ok=True)
    with open(os.path.join(project, "package.json"), "w") as f:
        json.dump({"name": "webapp", "version": "1.0.0", "private": True}, f)
    cache = os.path.join(user.pw_dir, ".npm")
    npm_cache = os.path.join(DEPS_DIR, "npm-cache")
    if os.path.isdir(npm_cache):
        shutil.copytree(npm_cache, cache, dirs_exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    chown_tree(project, user)
    chown_tree(cache, user)


def npm_install_argv(user, spec):
    return ["npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=warn",
            "--cache", os.path.join(user.pw_dir, ".npm"),
            os.path.join(ARTIFACT_DIR, spec.artifact)]


NO_DEPS_DIR = "/run/pkgsandbox-nodeps"


def npm_install_without_dependencies_argv(user, spec):
    """The same install of a copy of the tarball whose package.json lists no dependencies."""
    import tarfile
    os.makedirs(NO_DEPS_DIR, mode=0o755, exist_ok=True)
    copy = os.path.join(NO_DEPS_DIR, "package.tgz")
    with tarfile.open(os.path.join(ARTIFACT_DIR, spec.artifact)) as source, \
            tarfile.open(copy, "w:gz") as target:
        manifest = min((m for m in source.getmembers()
                        if m.isfile() and m.name.count("/") == 1
                        and m.name.endswith("/package.json")),
                       key=lambda m: m.name, default=None)
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member is manifest:
                document = json.load(data)
                for key in ("dependencies", "optionalDependencies", "peerDependencies"):
                    document.pop(key, None)
                content = json.dumps(document).encode()
                member.size = len(content)
                data = io.BytesIO(content)
            target.addfile(member, data)
    os.chmod(copy, 0o644)
    return [*npm_install_argv(user, spec)[:-1], copy]


def npm_exercise_argv(mode):
    def argv(user, spec):
        # `node -e` resolves bare names from the working directory, the project folder.
        with open(os.path.join(DRIVER_DIR, "exercise_node.js")) as f:
            return ["node", "-e", f.read(), mode, spec.name, DRIVER_DIR]
    return argv


# An install that failed for a dependency the sandbox could not have (offline, only what
# the host prepared): the package itself is installed once more without its dependencies.
MISSING_DEPENDENCY = {
    "pypi": re.compile(r"No matching distribution found for (\S+)"
                       r"|Could not find a version that satisfies the requirement (\S+)"),
    "npm": re.compile(r"No matching version found for (\S+?)\.?\s"
                      r"|request to \S+?registry\S*?/(@?[^/\s]+(?:%2[fF][^/\s]+)?) failed"
                      r"|(?:ENOTCACHED|ETARGET|E404)()"),
}

ECOSYSTEMS = {
    "pypi": {"prepare": None, "cwd": "", "install": pypi_install_argv,
             "install-without-dependencies": pypi_install_without_dependencies_argv,
             "import": pypi_exercise_argv("import"), "execute": pypi_exercise_argv("execute"),
             "persona": pypi_exercise_argv("persona")},
    "npm": {"prepare": npm_prepare, "cwd": "project", "install": npm_install_argv,
            "install-without-dependencies": npm_install_without_dependencies_argv,
            "import": npm_exercise_argv("import"), "execute": npm_exercise_argv("execute"),
            "persona": npm_exercise_argv("persona")},
}


def missing_dependencies(ecosystem, output):
    """Names of the dependencies an install failed for; None: it failed for another reason."""
    found = MISSING_DEPENDENCY[ecosystem].findall(output)
    if not found:
        return None
    names = (next((part for part in match if part), "") for match in found)
    return sorted({name.strip("'\"").replace("%2f", "/").replace("%2F", "/")
                   for name in names if name})


def install_again_without_dependencies(eco, user, env, spec, cwd, outcome):
    """When the install failed for a missing dependency, install without any; one retry."""
    missing = missing_dependencies(spec.ecosystem, outcome.output_tail)
    if outcome.status is not PhaseStatus.ERROR or missing is None:
        return outcome
    try:
        argv = eco["install-without-dependencies"](user, spec)
    # A tarball npm would refuse anyway; a package.json nested a million deep.
    except (OSError, ValueError, EOFError, RecursionError) as exc:
        return dataclasses.replace(outcome, forced=(
            *outcome.forced, f"install without dependencies not possible: {exc}"))
    budget = spec.timeout(Phase.INSTALL) - (outcome.ended - outcome.started)
    retry = run_as_user(Phase.INSTALL, user, env, argv, cwd, max(budget, 30.0))
    what = ", ".join(missing) if missing else "unnamed"
    return dataclasses.replace(
        retry, started=outcome.started,
        output_tail=(outcome.output_tail + "\n--- installed again without its dependencies "
                     "---\n" + retry.output_tail)[-protocol.TAIL_CHARS:],
        forced=(*outcome.forced, f"installed without dependencies (missing: {what})",
                *retry.forced))


def windows_env(user):
    """The environment of a Windows session of the same user, mapped onto the home."""
    home = user.pw_dir
    roaming, local = f"{home}/AppData/Roaming", f"{home}/AppData/Local"
    return {
        "USERPROFILE": home, "APPDATA": roaming, "LOCALAPPDATA": local,
        "TEMP": f"{local}/Temp", "TMP": f"{local}/Temp", "USERNAME": user.pw_name,
        "USERDOMAIN": "DESKTOP-4F1K2QH", "COMPUTERNAME": "DESKTOP-4F1K2QH", "OS": "Windows_NT",
        "HOMEDRIVE": "C:", "HOMEPATH": f"\\Users\\{user.pw_name}",
        "PROGRAMDATA": f"{home}/.drive_c/ProgramData", "SYSTEMROOT": f"{home}/.drive_c/Windows",
        "WINDIR": f"{home}/.drive_c/Windows", "PROCESSOR_ARCHITECTURE": "AMD64",
        "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.JS;.PS1;.PY",
    }


def skipped(phase):
    now = time.time()
    return PhaseReport(phase, PhaseStatus.SKIPPED, None, now, now)


def main():
    with open(os.path.join(protocol.SPEC_DIR, protocol.SPEC_FILE)) as f:
        spec = protocol.Spec.from_json(f.read())
    eco = ECOSYSTEMS[spec.ecosystem]
    notes = []
    marker(protocol.SETUP_STATE)
    # Others may pass through (the simulator, to its own 0700 folder) but not list it.
    os.chmod(protocol.OUT_DIR, 0o711)  # noqa: S103 - traverse only, no listing
    machine.rename_user(IMAGE_USER, spec.user)
    user = pwd.getpwnam(spec.user)
    netsim = None
    if spec.simulate_network:  # off only to measure what it costs
        netsim = machine.start_netsim(spec.ca_cert, spec.ca_key, DRIVER_DIR)
    machine.hide_container(notes)
    machine.trust_ca(spec.ca_cert)
    machine.plant_home(user, spec.files)
    if eco["prepare"]:
        eco["prepare"](user)
    if netsim is not None:
        netsim = machine.wait_ready(netsim, notes)
    env = user_env(user, dict(spec.env))
    cwd = os.path.join(user.pw_dir, eco["cwd"])
    results = []
    installed = True
    for phase in spec.phases:
        # Nothing to import or execute from a package that did not install; the persona
        # still re-runs its install scripts as on Windows: a setup.py that dies on Linux
        # for want of %APPDATA% is what that pass is for.
        if not installed and phase is not Phase.PERSONA:
            results.append(skipped(phase))
            continue
        phase_env = env
        if phase is Phase.PERSONA:
            phase_env = {**env, **windows_env(user)}
            machine.plant_home(user, spec.windows_files)
        argv = eco[phase](user, spec)
        progress(protocol.PhaseStarted(phase, time.time()).to_json())
        marker(phase)
        outcome = run_as_user(phase, user, phase_env, argv, cwd, spec.timeout(phase))
        if phase is Phase.INSTALL:
            outcome = install_again_without_dependencies(eco, user, env, spec, cwd, outcome)
        still = machine.wait_for_stragglers(user.pw_uid, notes)
        if still:
            names = ", ".join(sorted({name for _, name in still})[:5])
            notes.append(f"package processes still running {machine.STRAGGLER_SECONDS:g} s "
                         f"after the {phase} phase ended: {len(still)} ({names}); what "
                         "came next ran beside them")
        results.append(outcome)
        progress(outcome.to_json())
        installed = installed and not (phase is Phase.INSTALL
                                       and outcome.status is not PhaseStatus.COMPLETED)
    marker(protocol.DONE_STATE)
    time.sleep(0.2)  # let the simulator log connections that were still closing
    if netsim is not None:
        netsim.kill()
    sys.stdout.write(protocol.DriverResult(tuple(results), tuple(notes)).to_line())
    sys.stdout.flush()


def progress(line):
    """One line of the progress log, on the host's disk before the next step begins."""
    fd = os.open(PROGRESS_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with open(fd, "a") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
