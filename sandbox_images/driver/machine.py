"""Make the sandbox look like a developer's machine: no container tells, a lived-in home, baits.

Runs in the root driver before any package code. Stdlib only.
"""

import contextlib
import ctypes
import os
import pwd
import selectors
import socket
import subprocess
import time

import protocol

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
SITECUSTOMIZE = "/etc/python3.11/sitecustomize.py"
# On the host's disk (a bind mount), so the evidence outlives a sandbox that dies.
NETSIM_LOG = os.path.join(protocol.OUT_DIR, protocol.NETSIM_LOG)
NETSIM_DIR = os.path.dirname(NETSIM_LOG)
NETSIM_PYTHON = "/opt/pkgsandbox/netsim-venv/bin/python"
FAKE_DIR = "/run/.host"
MS_BIND = 4096

# certifi ships its own CA bundle; Debian's certifi points at the system store instead.
# Do the same for a pip-installed certifi, so the run's CA is trusted there too.
CERTIFI_HOOK = '''
class _SystemStoreCertifi:
    """Point certifi at the system store, as Debian's own certifi does."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in ("certifi.core", "pip._vendor.certifi.core"):
            return None
        import sys
        for finder in sys.meta_path:
            if finder is _SystemStoreCertifi or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                run = spec.loader.exec_module

                def exec_module(module, run=run):
                    run(module)
                    module.where = lambda: "/etc/ssl/certs/ca-certificates.crt"
                    module.contents = lambda: open(module.where()).read()

                spec.loader.exec_module = exec_module
                return spec
        return None


import sys as _sys
_sys.meta_path.insert(0, _SystemStoreCertifi)
del _sys
'''


def _bind(source, target):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source.encode(), target.encode(), None, MS_BIND, None) != 0:
        return os.strerror(ctypes.get_errno())
    return None


def hide_container(notes):
    """Remove what gives a container away: /.dockerenv, container ids in PID 1's cgroup,
    PID 1 being this driver (its command line and environment), an uptime of a few
    seconds. (Other processes' /proc/self/cgroup still name the container id, without
    the word "docker"; gVisor offers no way to change it.)"""
    with contextlib.suppress(FileNotFoundError):
        os.remove("/.dockerenv")
    os.makedirs(FAKE_DIR, mode=0o755, exist_ok=True)
    fakes = {
        "/proc/1/cgroup": "0::/init.scope\n",
        "/proc/1/cmdline": "/sbin/init\0splash\0",
        "/proc/1/environ": "",
        "/proc/1/comm": "systemd\n",
        "/proc/uptime": f"{86400 * 3 + 7211.4:.2f} {(86400 * 3 + 7211.4) * 1.7:.2f}\n",
    }
    for target, content in fakes.items():
        source = os.path.join(FAKE_DIR, target.strip("/").replace("/", "-"))
        with open(source, "w") as f:
            f.write(content)
        problem = _bind(source, target)
        if problem:
            notes.append(f"could not cover {target}: {problem}")
    with open("/etc/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.1\nsearch lan\n")


def trust_ca(ca_cert_pem):
    with open(SYSTEM_BUNDLE, "a") as f:
        f.write("\n" + ca_cert_pem)
    with open(SITECUSTOMIZE, "a") as f:
        f.write(CERTIFI_HOOK)


def plant_home(user, files):
    """Write the bait files (protocol.PlantedFile) into the home, owned by the user."""
    home = user.pw_dir
    for item in files:
        path = os.path.normpath(os.path.join(home, item.path))
        if not path.startswith(home + "/"):
            continue  # the host made these; a bad path is a bug, never a write outside home
        _makedirs_owned(os.path.dirname(path), home, user)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(item.content)
        os.chmod(path, item.mode)
        os.chown(path, user.pw_uid, user.pw_gid)


def _makedirs_owned(path, home, user):
    missing = []
    while path != home and not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for directory in reversed(missing):
        os.mkdir(directory, 0o700)
        os.chown(directory, user.pw_uid, user.pw_gid)


def start_netsim(ca_cert_pem, ca_key_pem, driver_dir):
    """Start the network simulator as root (it binds, then drops to its own user).

    Returns at once: its imports take a second, which the driver spends preparing the
    home; `wait_ready` is called before the first package process starts."""
    netsim_user = "netsim"
    os.makedirs(NETSIM_DIR, mode=0o700, exist_ok=True)
    account = pwd.getpwnam(netsim_user)
    os.chown(NETSIM_DIR, account.pw_uid, account.pw_gid)
    ca_dir = "/run/netsim-ca"
    os.makedirs(ca_dir, mode=0o700, exist_ok=True)
    for name, content in (("ca.pem", ca_cert_pem), ("ca.key", ca_key_pem)):
        with open(os.path.join(ca_dir, name), "w") as f:
            f.write(content)
    return subprocess.Popen(
        [NETSIM_PYTHON, "-I", os.path.join(driver_dir, "netsim.py"),
         "--ca-cert", os.path.join(ca_dir, "ca.pem"), "--ca-key", os.path.join(ca_dir, "ca.key"),
         "--log", NETSIM_LOG, "--user", netsim_user],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        close_fds=True,
    )


def wait_ready(proc, notes, timeout=30):
    """The simulator once it listens, or None (with a note) when it failed to start."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if sel.select(timeout=timeout) and proc.stdout.readline().strip() == b"ready":
            return proc
    proc.kill()
    proc.wait()
    problem = proc.stderr.read(2000).decode("utf-8", "replace").strip().splitlines()
    notes.append("network simulator did not start: " + (problem[-1] if problem else "no word"))
    return None


# A detached worker on a short timer (setTimeout, sleep, a forked child) acts after the
# phase's own process has exited: the driver waits while the package runs anything, for
# STRAGGLER_SECONDS at most, looking again every STRAGGLER_POLL_SECONDS.
STRAGGLER_SECONDS = 4.0
STRAGGLER_POLL_SECONDS = 0.05


def user_processes(uid):
    """(pid, command name) of each live process whose real user is `uid`.

    A zombie has done all it will: it is reaped when it is the driver's (an orphan the
    driver, as PID 1, adopted) and is never counted."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            # A process names itself: any bytes, not UTF-8 alone.
            with open(f"/proc/{entry}/status", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue  # gone already
        uids = fields.get("Uid", "").split()
        if not uids or uids[0] != str(uid):
            continue
        if fields.get("State", "").strip().startswith(("Z", "X")):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(int(entry), os.WNOHANG)
            continue
        found.append((int(entry), fields.get("Name", "").strip()))
    return found


def wait_for_stragglers(uid, notes, seconds=STRAGGLER_SECONDS):
    """Wait until the package's user runs nothing more, for `seconds` at most; knock on
    each port it listens on as soon as it does. Returns what was still running then."""
    deadline = time.monotonic() + seconds
    knocked = []
    while True:
        running = user_processes(uid)
        for port in listening_ports(uid):
            if port not in knocked and len(knocked) < KNOCK_PORTS:
                knocked.append(port)
                knock(port, notes)
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(STRAGGLER_POLL_SECONDS)


# What an operator types into a shell they reach: a bind shell runs it, and the trace
# then shows the shell and the commands, not just a socket waiting.
KNOCK = b"id\nuname -a\n"
KNOCK_PORTS = 5
KNOCK_SECONDS = 1.5


def listening_ports(uid):
    """TCP ports a socket of `uid` listens on, from /proc/net/tcp and tcp6 (the
    simulator's are its own user's)."""
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 7 and fields[3] == "0A" and fields[7] == str(uid):
                port = int(fields[1].rsplit(":", 1)[1], 16)
                if port not in ports:
                    ports.append(port)
    return ports


def knock(port, notes):
    """Connect to a port the package listens on, type a few commands, note the answer.

    Typing ends with a half-close: a shell reads its end of input, runs what it got and
    exits, so the answer ends when the shell does, not at KNOCK_SECONDS."""
    answer = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=KNOCK_SECONDS) as conn:
            conn.sendall(KNOCK)
            conn.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + KNOCK_SECONDS
            while len(answer) < 4096 and time.monotonic() < deadline:
                conn.settimeout(max(0.05, deadline - time.monotonic()))
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    break
                if not chunk:
                    break
                answer += chunk
    except OSError as exc:
        notes.append(f"knocked on port {port}, where the package listened: {exc}")
        return
    notes.append(f"knocked on port {port}, where the package listened: typed "
                 f"{KNOCK!r}, {len(answer)} bytes came back: {answer[:200]!r}")


def rename_user(old, new):
    """Give the image's user the run's name: account files, home folder, venv scripts.

    The uid stays, so ownership is untouched; the venv keeps working because only its
    scripts' #! lines name the home (its python finds itself through pyvenv.cfg)."""
    if new == old:
        return
    for path, home_field in (("/etc/passwd", 5), ("/etc/shadow", None), ("/etc/group", None),
                             ("/etc/gshadow", None)):
        if not os.path.exists(path):
            continue
        with open(path) as f:
            lines = f.read().splitlines()
        out = []
        for line in lines:
            fields = line.split(":")
            if fields[0] == old:
                fields[0] = new
                if home_field is not None:
                    fields[home_field] = f"/home/{new}"
            if path.endswith("group") and len(fields) > 3:
                fields[-1] = ",".join(new if m == old else m for m in fields[-1].split(","))
            out.append(":".join(fields))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
    os.rename(f"/home/{old}", f"/home/{new}")
    bin_dir = f"/home/{new}/.venv/bin"
    for name in os.listdir(bin_dir) if os.path.isdir(bin_dir) else []:
        path = os.path.join(bin_dir, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"#!") or name.startswith("activate"):
            with open(path, "wb") as f:
                f.write(data.replace(f"/home/{old}/".encode(), f"/home/{new}/".encode()))
