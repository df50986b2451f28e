"""The shapes of gVisor (runsc 2022-12) strace lines: one pattern per argument layout.

Each pattern has a real line above it. gVisor prints paths raw (a path may hold
", 0x1 " or a newline) and buffers and argv Go-quoted; patterns split raw paths at
the leftmost separator inside atomic groups, so a hostile path costs linear time.
Patterns apply to the text between `name(` and the `)` that closes the arguments.
"""

from __future__ import annotations

import re

# I1126 15:17:01.014231   30903 strace.go:596] [   1:   1] python3 X vfork() = 2 (0x2) (76.024µs)
# The group after the time is the runsc process id (the same on every line of one log;
# the sandboxed code cannot know it). The comm is at most 15 bytes and may hold
# anything, " X " too: taking the longest comm that fits stops a comm such as
# "a X vfork() = 9" from passing as a syscall. The other way round, text of the
# arguments could pass as the syscall if it started within 15 bytes of the comm: no
# call in the production list prints anything a process names that early (read,
# close or write would, after a one-letter comm: keep them out of that list).
# Groups: runsc pid, pid, comm, "X vfork" (entry or exit, and the syscall, as one key).
HEADER = re.compile(
    rb"[IWEFD]\d{4} \d\d:\d\d:\d\d\.\d+ +(\d+) strace\.go:\d+\] "
    rb"\[ *(\d+): *\d+\] (.{0,15}) ([EX] [a-z0-9_]+)\("
)
# I1126 15:16:30.645798   24822 kernel.go:791] EXEC: [/bin/sh -c cat /etc/hostname]
GLOG = re.compile(rb"[IWEFD]\d{4} \d\d:\d\d:\d\d\.\d+ +(\d+) [\w.-]+:\d+\] ")
# ... = 3 (0x3) (111.656µs)
# ... = 0 (0x0) errno=2 (no such file or directory) (53.419µs)
RESULT = re.compile(rb"(-?\d+|0x[0-9a-f]+)(?: \(0x[0-9a-f]+\))?(?: errno=(\d+) \(([^)]*)\))? \(")

_FD = rb"(AT_FDCWD|0x[0-9a-f]+)(?: (.*?))?"  # a descriptor and the path gVisor resolved for it
_ADDR = rb"0x[0-9a-f]+ "  # the user address printed before a path
_TOK = rb"([^ ,]+)"  # flags, a mode, a hex number
_SOCKET_FD = rb"(0x[0-9a-f]+) (socket:\[\d+\])?[^,]*"  # a descriptor and gVisor's socket id


def _args(*parts: bytes) -> re.Pattern[bytes]:
    return re.compile(b"".join(parts), re.S)


# openat(AT_FDCWD /tmp, 0x7f1e627310b1 /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0)
# openat(0x6 /tmp/edge/d, 0x7fce97e99790 sub/f.txt, O_RDWR|O_CREAT|O_TRUNC, 0o640)
OPENAT = _args(rb"(?>", _FD, rb", ", _ADDR, rb")(.*), ", _TOK, rb", ", _TOK)
# The same with its result, in one step, when neither path holds a comma (nearly
# always): the fast route for the most frequent line. Anything else takes the other.
OPENAT_LINE = _args(
    rb"(AT_FDCWD|0x[0-9a-f]+) ([^,]*), ", _ADDR, rb"([^,]*), ", _TOK, rb", ", _TOK,
    rb"\) = (\d+) \(0x[0-9a-f]+\)(?: errno=(\d+) \([^)]*\))? \(",
)
# open(0x7fce980c2ba0 raw-open.txt, O_WRONLY|O_CREAT, 0o644)
OPEN = _args(_ADDR, rb"(.*), ", _TOK, rb", ", _TOK)
# creat(0x7fce980c31d0 raw-creat.txt, 0o600)
# mkdir(0x7f9f79c73f9a pkgs, 0o777)
# chmod(0x7f8030987e00 pydir/b.txt, 0o700)
PATH_TOK = _args(_ADDR, rb"(.*), ", _TOK)
# unlink(0x7f8030987620 pydir/link)
# chdir(0x7f56fc6a6f95 /tmp)
PATH = _args(_ADDR, rb"(.*)")
# unlinkat(AT_FDCWD /tmp/pkgs/build, 0x5640a9890bf0 hard, 0x0)
# mkdirat(0x6 /tmp/edge/d, 0x7fce980c1370 sub, 0x1ed)
# fchmodat(AT_FDCWD /tmp/pkgs/build, 0x56470d09ec20 rel.txt, 0o755)
AT_PATH_TOK = _args(rb"(?>", _FD, rb", ", _ADDR, rb")(.*), ", _TOK)
# fchmod(0x8 /tmp/edge/raw-creat.txt, S_ISUID|0o755)
FD_TOK = _args(rb"(AT_FDCWD|0x[0-9a-f]+)(?: (.*))?, ", _TOK)
# fchdir(0x3 /tmp/pkgs)
FD_ONLY = _args(rb"(AT_FDCWD|0x[0-9a-f]+)(?: (.*))?")
# rename(0x7f8030987620 pydir/a.txt, 0x7f8030987e00 pydir/b.txt)
# link(0x7fce980c2ba0 raw-open.txt, 0x7fce97e9a330 linked.txt)
# symlink(0x7f8030987e00 /etc/passwd, 0x7f8030987620 pydir/link)
TWO_PATHS = _args(rb"(?>", _ADDR, rb"(.*?), ", _ADDR, rb")(.*)")
# renameat(0x6 /tmp/edge/d, 0x7fce97e99790 sub/f.txt, 0x6, 0x7fce97e99a90 sub/g.txt)
RENAMEAT = _args(rb"(?>", _FD, rb", ", _ADDR, rb")(?>(.*?), (0x[0-9a-f]+), ", _ADDR, rb")(.*)")
# renameat2(AT_FDCWD /tmp/pkgs/build, 0x7f3c6fc26f7c rel.txt, 0xffffff9c,
#   0x7f3c6fc26f84 moved.txt, 0x1)
# linkat(AT_FDCWD /tmp/pkgs/build, 0x7f0f4cfe0f81 rel.txt, 0xffffff9c, 0x7f0f4cfe0f89 hard, 0x0)
RENAMEAT2 = _args(
    rb"(?>", _FD, rb", ", _ADDR, rb")(?>(.*?), (0x[0-9a-f]+), ", _ADDR, rb")(.*), ", _TOK
)
# symlinkat(0x7fd173dc3f82 rel.txt, AT_FDCWD /tmp/pkgs/build, 0x7fd173dc3f8a sym)
SYMLINKAT = _args(rb"(?>", _ADDR, rb"(.*?), ", _FD, rb", ", _ADDR, rb")(.*)")
# execve(0x56358c808b78 /usr/bin/cat, 0x56358c808a40 ["cat", "/etc/hostname"],
#   0x56358c808a58 ["HOME=/root", ...])
EXECVE = _args(rb"(?>", _ADDR, rb"(.*?), 0x[0-9a-f]+ )(?=[\[{])")
# execveat(0x9 /usr/bin/true, 0x7fce982cbdd5 , 0x7fce97ec07f0 ["true", "via-fd"],
#   0x7fce98060570 [], 0x1000)
EXECVEAT = _args(rb"(?>", _FD, rb", ", _ADDR, rb")(?>(.*?), 0x[0-9a-f]+ )(?=[\[{])")
# socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP)
SOCKET = _args(rb"(\w+), ([A-Z0-9_|x]+), ")
# connect(0x3 socket:[3], 0x7f38f13f3390 {Family: AF_INET, Addr: 203.0.113.5, Port: 443}, 0x10)
# bind(0x4 socket:[2], 0x7fcbe318a650 {Family: AF_INET, Addr: 127.0.0.1, Port: 8443}, 0x10)
CONNECT = _args(_SOCKET_FD, rb", (?:null|0x[0-9a-f]+ \{(.*)\}), 0x[0-9a-f]+")
# sendto(0x3 socket:[11], 0x7f9417abe440, 0x2e, 0x0,
#   0x7f38f13f3330 {Family: AF_INET, Addr: 127.0.0.1, Port: 53}, 0x10)
# sendto(0xa socket:[3], 0x7fce97f6cc80, 0x24, 0x0, null, 0x0)
SENDTO = _args(
    _SOCKET_FD, rb", 0x[0-9a-f]+(?: (", rb'"(?:[^"\\]++|\\.)*+"', rb"))?",
    rb"[^,]*, 0x[0-9a-f]+, 0x[0-9a-f]+, (?:null|0x[0-9a-f]+ \{(.*)\}), 0x[0-9a-f]+",
)
# {Family: AF_INET6, Addr: ::1, Port: 443}   {Family: AF_UNIX, Addr: "/var/run/nscd/socket"}
SOCKADDR = re.compile(rb"Family: (\w+), Addr: (.*?)(?:, Port: (\d+))?", re.S)
# sendmsg(0x3 socket:[11], 0x7f38f13f32d0 {name=0x7f38f13f3310, namelen=16, iovecs=0x7f9417c8c3f0
#   {base=0x7f9417cfc0f0, len=35, "\x124\x01\x00..."}, control={0x0 }, flags=0}, 0x0)
SENDMSG = _args(_SOCKET_FD, rb", 0x[0-9a-f]+ \{name=0x[0-9a-f]+, namelen=(\d+), (.*)")
# write(0xa socket:[3], 0x7f1507118b90 "\xbe\xef\x01\x00...", 0x25)
# writev(0x3 socket:[2], 0x7f.. {base=0x7f.., len=12, "..."}, ..., 0x2)
WRITE = _args(rb"(0x[0-9a-f]+) (socket:\[\d+\]), (.*)")

# The open flags that mean the file is written (or made); O_APPEND comes with one of them.
_WRITE_FLAG = re.compile(rb"O_(?:WRONLY|RDWR|CREAT|TRUNC|TMPFILE)").search
_MODE_BITS = {b"S_ISUID": 0o4000, b"S_ISGID": 0o2000, b"S_ISVTX": 0o1000}
AT_FDCWD_HEX = (b"0xffffff9c", b"0xffffffffffffff9c")  # AT_FDCWD as a plain number


# A path with "." or ".." components, "//" or a trailing "/" needs normalising.
needs_normpath = re.compile(rb"/\.\.?(?:/|$)|//|/$").search


def is_write(flags: bytes) -> bool:
    return _WRITE_FLAG(flags) is not None


def parse_mode(token: bytes) -> int | None:
    """`0o755`, `S_ISUID|0o755`, `0x1ed` or `S_IFREG|0o644` as permission bits."""
    mode = 0
    for part in token.split(b"|"):
        try:
            if part.startswith(b"0o"):
                mode |= int(part[2:], 8)
            elif part.startswith(b"0x"):
                mode |= int(part[2:], 16)
            else:
                mode |= _MODE_BITS.get(part, 0)
        except ValueError:
            return None
    return mode & 0o7777


def parse_int(token: bytes) -> int | None:
    try:
        return int(token, 16) if token.startswith(b"0x") else int(token)
    except ValueError:
        return None
