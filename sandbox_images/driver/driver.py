"""In-sandbox driver: prepares the machine, runs the phases as the package's user, reports.

Stdlib only, and small: every import it makes is noise in the trace. It runs as root
(the container's PID 1), reads /in/spec/spec.json (root-only: it holds the run's CA key
and canaries), and for each state opens the marker path `/.pkgsandbox-marker/<state>`
(a failed open the trace parser keys on; see analyzer/trace/markers.py) right before
starting that state's processes. Its own stdout carries one result line; the package's
output goes to pipes the driver reads, never to the driver's stdout.
"""

import contextlib
import json
import os
import pwd
import selectors
import signal
import subprocess
import sys
import time

DRIVER_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, DRIVER_DIR)  # `python -I` leaves the script's folder off the path

import machine  # noqa: E402

MARKER_DIR = "/.pkgsandbox-marker"
IMAGE_USER = "dev"  # the account the images are built with; each run renames it
RESULT_PREFIX = "PKGSANDBOX-RESULT "
TAIL_BYTES = 8192
NETWORK_LOG_LIMIT = 8 * 2**20


def marker(state):
    # Expected to fail: the path does not exist, and the failed open is the marker.
    with contextlib.suppress(OSError):
        open(os.path.join(MARKER_DIR, state)).close()


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


def run_as_user(user, env, argv, cwd, timeout):
    """Run argv as `user` in its own session; keep the tail of its output."""
    started = time.time()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, user=user.pw_uid, group=user.pw_gid, extra_groups=[],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, close_fds=True,
    )
    tail = bytearray()
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
            tail += chunk
            del tail[:-TAIL_BYTES]
    if timed_out:
        kill_group(proc.pid)
    try:
        exit_code = proc.wait(timeout=max(1.0, deadline - time.time()))
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc.pid)
        exit_code = proc.wait()
    proc.stdout.close()
    status = "timeout" if timed_out else ("completed" if exit_code == 0 else "error")
    return {"status": status, "exit_code": None if timed_out else exit_code,
            "started": started, "ended": time.time(),
            "output_tail": tail.decode("utf-8", "replace")}


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
            "--find-links", "/in/deps", "--find-links", "/opt/pkgsandbox/wheels",
            os.path.join("/in/artifact", spec["artifact"])]


def pypi_exercise_argv(mode):
    def argv(user, spec):
        return [venv_python(user), "-I", os.path.join(DRIVER_DIR, "exercise_python.py"),
                mode, spec["name"]]
    return argv


# --- npm --------------------------------------------------------------------------


def npm_prepare(user):
    import shutil
    project = os.path.join(user.pw_dir, "project")
    os.makedirs(project, exist_ok=True)
    with open(os.path.join(project, "package.json"), "w") as f:
        json.dump({"name": "webapp", "version": "1.0.0", "private": True}, f)
    cache = os.path.join(user.pw_dir, ".npm")
    if os.path.isdir("/in/deps/npm-cache"):
        shutil.copytree("/in/deps/npm-cache", cache, dirs_exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    chown_tree(project, user)
    chown_tree(cache, user)


def npm_install_argv(user, spec):
    return ["npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=warn",
            "--cache", os.path.join(user.pw_dir, ".npm"),
            os.path.join("/in/artifact", spec["artifact"])]


def npm_exercise_argv(mode):
    def argv(user, spec):
        # `node -e` resolves bare names from the working directory, the project folder.
        with open(os.path.join(DRIVER_DIR, "exercise_node.js")) as f:
            return ["node", "-e", f.read(), mode, spec["name"]]
    return argv


ECOSYSTEMS = {
    "pypi": {"prepare": None, "cwd": "", "install": pypi_install_argv,
             "import": pypi_exercise_argv("import"), "execute": pypi_exercise_argv("execute")},
    "npm": {"prepare": npm_prepare, "cwd": "project", "install": npm_install_argv,
            "import": npm_exercise_argv("import"), "execute": npm_exercise_argv("execute")},
}


def skipped(phase):
    now = time.time()
    return {"phase": phase, "status": "skipped", "exit_code": None, "started": now,
            "ended": now, "output_tail": ""}


def main():
    with open("/in/spec/spec.json") as f:
        spec = json.load(f)
    eco = ECOSYSTEMS[spec["ecosystem"]]
    notes = []
    marker("setup")
    machine.rename_user(IMAGE_USER, spec.get("user", IMAGE_USER))
    user = pwd.getpwnam(spec.get("user", IMAGE_USER))
    netsim = None
    if spec.get("simulate_network", True):  # off only to measure what it costs
        netsim = machine.start_netsim(spec["ca_cert"], spec["ca_key"], DRIVER_DIR)
    machine.hide_container(notes)
    machine.trust_ca(spec["ca_cert"])
    machine.plant_home(user, spec.get("bait", {}))
    if eco["prepare"]:
        eco["prepare"](user)
    if netsim is not None:
        netsim = machine.wait_ready(netsim, notes)
    env = user_env(user, spec.get("bait", {}).get("env", {}))
    cwd = os.path.join(user.pw_dir, eco["cwd"])
    results = []
    installed = True
    for phase in spec["phases"]:
        if not installed:
            results.append(skipped(phase))
            continue
        argv = eco[phase](user, spec)
        marker(phase)
        outcome = run_as_user(user, env, argv, cwd, float(spec["timeouts"][phase]))
        outcome["phase"] = phase
        machine.wait_for_stragglers(user.pw_uid)
        machine.knock_on_listeners(user.pw_uid, notes)
        results.append(outcome)
        # Nothing to import or execute from a package that did not install.
        installed = not (phase == "install" and outcome["status"] != "completed")
    marker("done")
    time.sleep(0.2)  # let the simulator log connections that were still closing
    events = machine.read_netsim_log(NETWORK_LOG_LIMIT)
    if netsim is not None:
        netsim.kill()
    sys.stdout.write(RESULT_PREFIX + json.dumps(
        {"phases": results, "network": events, "notes": notes}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
