"""Droppers: code that downloads an executable or script to a file and then starts it.

`download-exec` (behaviour.py) reports the capability wherever it appears, chmod
included: honest CLIs fetch their own binaries that way. A `dropper` is narrower and
meant to convict on its own:

- a command line that downloads to a file and then starts that same file (curl -o,
  wget -O, Invoke-WebRequest -OutFile, DownloadFile, certutil, bitsadmin; then start,
  Start-Process, cmd /c, ./file...), or pipes a download into a shell;
- Python or JavaScript that downloads, writes a Windows executable or script (.exe,
  .bat, .ps1...) and starts it within a few lines.

Only where it would run: install hooks, text decoded out of a blob, and code that starts
processes (a module that only prints a command line is documentation). A file that
names many download commands is a catalogue of them, not a dropper. Downloads from the
package's own repository or web host, and the official installers of well-known
toolchains piped into a shell, are what honest tools do.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.network import destination_kind
from analyzer.detect.static.text import Lang, SourceFile, clip, display
from analyzer.signals import FileRole, SignalKind, StaticSignal

_HINTS = ("curl", "wget", "invoke-webrequest", "iwr ", "downloadfile", "certutil", "bitsadmin",
          "start-bitstransfer")  # fmt: skip
_FILE = r"""['"]?([^\s'"&|;<>()]+)"""
_URL = r"""['"]?(https?://[^\s'"&|;<>]+)"""
# (pattern, which group is the file written, which group is the URL; 0: none)
_DOWNLOADS: tuple[tuple[re.Pattern[str], int, int], ...] = (
    (re.compile(rf"(?i)\bcurl(?:\.exe)?\b[^\n|;&]{{0,300}}?\s(?:-o|--output)\s*{_FILE}"), 1, 0),
    (re.compile(
        rf"(?i)\bwget(?:\.exe)?\b[^\n|;&]{{0,300}}?\s(?:-O|--output-document[= ])\s*{_FILE}"
    ), 1, 0),
    (re.compile(rf"(?i)\b(?:invoke-webrequest|iwr|curl|wget)\b[^\n|;]{{0,300}}?-OutFile\s+{_FILE}"),
     1, 0),
    (re.compile(rf"(?i)\.DownloadFile\(\s*{_URL}['\"]?\s*,\s*{_FILE}"), 2, 1),
    (re.compile(rf"(?i)\bStart-BitsTransfer\b[^\n|;]{{0,300}}?-Destination\s+{_FILE}"), 1, 0),
    (re.compile(rf"(?i)\bcertutil(?:\.exe)?\s+[^\n]{{0,60}}-urlcache[^\n]{{0,40}}?\s{_URL}\s+{_FILE}"),
     2, 1),
    (re.compile(rf"(?i)\bbitsadmin(?:\.exe)?\s+/transfer\s+\S+\s+(?:/\w+\s+)*{_URL}\s+{_FILE}"),
     2, 1),
)  # fmt: skip
_PIPED = re.compile(
    r"(?i)\b(?:curl|wget)\b[^\n|;&]{0,300}?(https?://[^\s'\"|;&)]+)[^\n|;&]{0,100}"
    r"\|\s*(?:sudo\s+(?:-\w+\s+)*)?(?:ba|z|da)?sh\b"
)
# What starts a program, right before its name (a path may come between).
_START = re.compile(
    r"(?i)(?:\bstart(?:\s+/\w+)*(?:\s+['\"]{2})?|\bstart-process(?:\s+-\w+)*|\bsaps|\bcmd(?:\.exe)?\s+/[ck]"
    r"|\bcall|\bwscript|\bcscript|\bmshta|\brundll32|\bmsiexec(?:\s+/\w+)*|\binvoke-item|\bii"
    r"|-file|\bnohup|\b(?:ba|z|da)?sh|\bpython[\d.]*w?|\bnode|\bpowershell(?:\.exe)?[^\n]{0,40}"
    r"|\b(?:system|popen|startfile|Popen|call|run|check_call|check_output|execSync|execFile"
    r"|execFileSync|spawn|spawnSync)\s*\(\s*\[?\s*[rfb]?|\b(?:do|then|else|exec)|&&|\|\||[;&])"
    r"\s*['\"]?[\w.$%{}\\/:~-]*$"
)
# A line that is only the program's name (and its path): a batch or shell script line.
_BARE = re.compile(r"\s*(?:@\s*)?['\"]?[\w.$%{}\\/:~-]*")
_INERT = re.compile(
    r"(?i)\.(?:png|jpe?g|gif|ico|svg|txt|json|html?|css|md|csv|xml|ya?ml|tar|gz|tgz|zip|whl)$"
)
_CATALOGUE = 6  # this many download commands in one file: a list of them, not a dropper
_DOWNLOAD_WORD = re.compile(
    r"(?i)\b(?:curl|wget|invoke-webrequest|certutil|bitsadmin)\b|downloadfile"
)
_STARTS_PROCESSES = {
    Lang.PYTHON: re.compile(
        r"\bos\.(?:system|popen|startfile|exec\w*|spawn\w*)\s*\(|\bsubprocess\b|\bPopen\s*\("
        r"|\bShellExecute\w*\s*\(|\bpty\.spawn\s*\("
    ),
    Lang.JS: re.compile(
        # A bare call: `re.exec(s)` is a regular expression, `mp.spawn(` a quoted snippet,
        # "spawn (" prose.
        r"\bchild_process\b|(?<![\w$.])(?:exec|execSync|execFile|execFileSync|spawn|spawnSync)\("
        r"|\bexeca\b"
        r"|\bshelljs\b"
    ),
}
# Official installers of well-known toolchains, fetched from their vendors' own hosts.
_INSTALLERS = (
    "sh.rustup.rs", "get.docker.com", "install.python-poetry.org", "deb.nodesource.com",
    "rpm.nodesource.com", "get.helm.sh", "raw.githubusercontent.com/helm/", "get.pnpm.io",
    "bun.sh/install", "deno.land/install", "astral.sh/", "install.determinate.systems",
    "nixos.org/nix/install", "raw.githubusercontent.com/homebrew/", "get.rvm.io",
    "raw.githubusercontent.com/nvm-sh/", "sdk.cloud.google.com", "cli.github.com",
    "bootstrap.pypa.io/", "get.sdkman.io", "install.julialang.org",
)  # fmt: skip

# Python and JavaScript: a download, a write, a start, and a Windows executable's name.
_API_DOWNLOAD = {
    Lang.PYTHON: re.compile(
        r"\burlretrieve\s*\(|\bwget\.download\s*\(|\burlopen\s*\(|\brequests\.get\s*\("
        r"|\bhttpx\.get\s*\(|\.get\(\s*['\"]?https?:"
    ),
    Lang.JS: re.compile(r"\bhttps?\.get\s*\(|\bfetch\s*\(|\baxios\b|\bgot\s*\(|\bdownload\w*\s*\("),
}
_API_WRITE = {
    Lang.PYTHON: re.compile(
        r"\burlretrieve\s*\(|\bwget\.download\s*\(|['\"]wb\+?['\"]|\.write_bytes\("
    ),
    Lang.JS: re.compile(r"\bwriteFile(?:Sync)?\s*\(|\bcreateWriteStream\s*\(|\.pipe\("),
}
_API_START = {
    Lang.PYTHON: re.compile(
        r"\bos\.(?:startfile|system|popen|exec\w*|spawn\w*)\s*\(|\bsubprocess\.\w+\s*\("
        r"|(?<![\w.])(?:Popen|call|run|check_call|check_output|startfile)\s*\(\s*[\[\w'\"f]"
        r"|\bShellExecute\w*\s*\("
    ),
    Lang.JS: re.compile(
        r"(?:(?<![\w$.])|\b(?:child_process|childProcess|cp)\.)"
        r"(?:exec|execSync|execFile|execFileSync|spawn|spawnSync)\s*\(|\bopen\s*\(\s*\w"
    ),
}
_WINDOWS_PROGRAM = re.compile(
    r"""(?i)\.(?:exe|scr|msi|bat|cmd|vbs|vbe|wsf|hta|ps1|pif|jar|pyw)(?:\?[^'"\s]*)?['"`]"""
)
_WINDOW_LINES = 30


def check_dropper(src: SourceFile) -> Iterator[StaticSignal]:
    commands = src.has(*_HINTS)
    api = src.lang in _API_DOWNLOAD and bool(
        _WINDOWS_PROGRAM.search(src.text) or _shady_source(src.text)
    )
    if not (commands or api) or not runs_as_is(src):
        return
    if commands and len(_DOWNLOAD_WORD.findall(src.text)) < _CATALOGUE:
        yield from _command_lines(src)
    if api:
        found = _api(src)
        if found is not None:
            yield found


def runs_as_is(src: SourceFile) -> bool:
    """True where the text would run as it is: install hooks, decoded text, Windows
    scripts, and code that starts processes."""
    if src.role is FileRole.INSTALL or src.origin is not None:
        return True
    if src.role not in (FileRole.CODE, FileRole.TEST):
        return False
    if src.lang in (Lang.POWERSHELL, Lang.BATCH):
        return True
    starts = _STARTS_PROCESSES.get(src.lang)
    return bool(starts and starts.search(src.text))


_ASSIGNED = re.compile(r"\s*(?:const\s+|let\s+|var\s+)?([A-Za-z_$][\w$]*)\s*\+?=(?!=)")
_CALL_LINES = 3  # a call's arguments spread over the lines before the command
# A call that starts a process, on one line (the file is known to start processes).
_PROCESS_CALLS = {
    Lang.PYTHON: re.compile(
        r"\b(?:system|popen|startfile|Popen|check_call|check_output|getoutput|getstatusoutput"
        r"|run|call|spawn\w*|exec[lv]\w*|ShellExecute\w*)\s*\("
    ),
    Lang.JS: re.compile(
        r"\b(?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork|execa)\s*\("
    ),
}
_SCRIPT_LINES = 60  # how far back a multi-line script's assignment is looked for
_OPENS_TEXT = re.compile(r"\"\"\"|\'\'\'|`")
_LOOP = re.compile(r"\bfor\b.*\b(?:in|of)\b")
_USES = 50  # later uses of the name looked at


def _assignment(src: SourceFile, line: int) -> re.Match[str] | None:
    """The assignment a line belongs to: on the line itself, or the one that opens the
    multi-line string (triple quotes, a template literal) the line sits in."""
    assigned = _ASSIGNED.match(src.line_text(line))
    if assigned is not None:
        return assigned
    for n in range(line - 1, max(0, line - _SCRIPT_LINES), -1):
        text = src.line_text(n)
        assigned = _ASSIGNED.match(text)
        if assigned is not None and _OPENS_TEXT.search(text, assigned.end()):
            return assigned
    return None


def command_is_run(src: SourceFile, offset: int) -> bool:
    """Whether a command line written in Python or JavaScript reaches a process start:
    on a line of the call that starts one, or through the name it is assigned to. A
    command only stored, shown or returned (an install hint a server hands out) is not."""
    starts = _PROCESS_CALLS.get(src.lang)
    if starts is None or src.role is FileRole.INSTALL or src.origin is not None:
        return True
    line = src.line_of(offset)
    if any(starts.search(src.line_text(n)) for n in range(max(1, line - _CALL_LINES), line + 1)):
        return True
    assigned = _assignment(src, line)
    if assigned is None:
        return False
    name = re.compile(rf"(?<![\w$.]){re.escape(assigned.group(1))}(?![\w$])")
    after = src.offset_of(line) + len(src.line_text(line))
    for use in itertools.islice(name.finditer(src.text, after), _USES):
        text = src.line_text(src.line_of(use.start()))
        if starts.search(text) or _LOOP.search(text):  # run, or looped over and run
            return True
    return False


def _trusted(src: SourceFile, url: str) -> bool:
    """The package's own download, or an official toolchain installer."""
    rest = re.sub(r"^[a-z]+://", "", url.lower())
    return own_url(src, url) or any(
        rest.startswith(i) and (i.endswith("/") or rest[len(i) : len(i) + 1] in ("", "/", "?"))
        for i in _INSTALLERS
    )


def own_url(src: SourceFile, url: str) -> bool:
    """The URL points into the package's own repository (on its forge) or web host."""
    host, _, path = re.sub(r"^[a-z]+://", "", url.lower()).partition("/")
    if any(host == h or host.endswith("." + h) for h in src.package.hosts):
        return True
    for repo in src.package.repositories:
        forge, owner, name = repo.split("/", 2)
        hosts = {forge, f"raw.{forge.split('.')[0]}usercontent.com"}  # raw.githubusercontent
        if host in hosts and f"/{path}".startswith(f"/{owner}/{name}/"):
            return True
    return False


def _command_lines(src: SourceFile) -> Iterator[StaticSignal]:
    text = src.text
    for pattern, file_group, url_group in _DOWNLOADS:
        for m in pattern.finditer(text):
            target = m.group(file_group).strip("'\"")
            url = m.group(url_group) if url_group else _url_near(text, m.start(), m.end())
            name = re.split(r"[\\/]", target)[-1]
            if len(name) < 2 or name in ("-", "null") or _inert(src, name):
                continue
            if (url and _trusted(src, url)) or src.is_comment(m.start()):
                continue
            started = _started(text, m.end(), name)
            if started:
                source = display(clip(url or "(a URL)", width=100))
                detail = (f"downloads {source} to {display(name)}, then starts it: "
                          f"{display(clip(started, width=80))}")
                yield src.signal(SignalKind.DROPPER, m.start(), detail)
                return
    for m in _PIPED.finditer(text):
        url = m.group(1)
        if _trusted(src, url) or src.is_comment(m.start()):
            continue
        if src.role is not FileRole.INSTALL and src.origin is None and not _shady_source(url):
            # In a module, `curl https://vendor/install.sh | sh` is how tools set up other
            # tools (a CLI offering to install an agent): proof of intent only at install
            # time, or from a raw IP, paste site or tunnel.
            continue
        detail = f"pipes {display(clip(url, width=120))} into a shell"
        yield src.signal(SignalKind.DROPPER, m.start(), detail)
        return


def _inert(src: SourceFile, name: str) -> bool:
    """The file is a document or an image, by its name or, for a `{variable}` in an
    f-string or template, by the literal that variable was assigned."""
    if _INERT.search(name):
        return True
    variable = re.fullmatch(r"\$?\{(\w+)\}|\$(\w+)|%(\w+)%", name)
    if variable is None:
        return False
    assigned = src.assignments.get(next(g for g in variable.groups() if g), [])
    return any(_INERT.search(s) for value in assigned for s in re.findall(r"[\w.-]+", value))


def _url_near(text: str, start: int, end: int) -> str | None:
    m = re.search(r"https?://[^\s'\"&|;<>]+", text[start : end + 300].split("\n", 1)[0])
    return m.group() if m else None


def _started(text: str, after: int, name: str) -> str | None:
    """The command after a download that starts the file called `name`, if any."""
    rest = text[after : after + 600]
    at = rest.find(name)
    while at != -1:
        line_start = rest.rfind("\n", 0, at) + 1
        prefix = rest[line_start:at]
        verb = _START.search(prefix[-60:])
        if verb or (line_start > 0 and _BARE.fullmatch(prefix)):
            begin = at - len(prefix[-60:]) + verb.start() if verb else line_start
            return rest[begin : at + len(name)].strip(" &;|")
        at = rest.find(name, at + len(name))
    return None


@dataclass(frozen=True)
class Chain:
    """A download, a write in the lines around it, then a process start after it."""

    offset: int  # where the download's line starts
    download: re.Match[str]
    line: str
    start_offset: int  # where the starting line starts
    start: re.Match[str]
    body: str  # the window's lines, `back` before the download to _WINDOW_LINES after


def download_chains(src: SourceFile, download: re.Pattern[str], write: re.Pattern[str],
                    start: re.Pattern[str], back: int = 0,
                    skip: str | None = None) -> Iterator[Chain]:
    """Each download line (not a comment) with a write in its window, and the first
    process start after it (not on a line holding `skip`)."""
    text = src.text
    if not (download.search(text) and write.search(text) and start.search(text)):
        return
    lines = src.lines()
    for i, (offset, line) in enumerate(lines):
        m = download.search(line)
        if not m or src.is_comment(offset):
            continue
        body = "\n".join(t for _, t in lines[max(0, i - back) : i + _WINDOW_LINES])
        if not write.search(body):
            continue
        for later_offset, later in lines[i : i + _WINDOW_LINES]:
            r = start.search(later)
            if r and not (skip and skip in later) and not src.is_comment(later_offset):
                yield Chain(offset, m, line, later_offset, r, body)
                break


def _api(src: SourceFile) -> StaticSignal | None:
    lang = src.lang
    for chain in download_chains(src, _API_DOWNLOAD[lang], _API_WRITE[lang], _API_START[lang],
                                 back=5, skip="chmod"):
        program = _WINDOWS_PROGRAM.search(chain.body)
        what = (program.group().strip("'\"`").split("?")[0] if program
                else _shady_source(chain.body))
        if what is None or _mentions_own(src, chain.body):
            continue
        detail = (
            f"downloads at line {src.line_of(chain.offset)} "
            f"({display(clip(chain.line, chain.download.start(), 80))}), writes a {what} file "
            f"and starts it with {chain.start.group().rstrip('( [')} at line "
            f"{src.line_of(chain.start_offset)}"
        )
        return src.signal(SignalKind.DROPPER, chain.start_offset + chain.start.start(), detail)
    return None


def _shady_source(body: str) -> str | None:
    """'raw-ip-url file' and the like when the code downloads from a raw IP address, a
    paste site or file drop, or a tunnel: no honest build is fetched from those."""
    for url in re.findall(r"https?://[^\s'\"`)]+", body):
        kind = destination_kind(url)
        if kind in (SignalKind.RAW_IP_URL, SignalKind.PASTE_SITE, SignalKind.TUNNEL_HOST):
            return f"downloaded ({kind.value})"
    return None


def _mentions_own(src: SourceFile, body: str) -> bool:
    """The code names the package's own repository or host, or builds a release URL from
    its own package.json: fetching its own build, as binary wrappers do."""
    lowered = body.lower()
    if "releases/download" in lowered and "package.json" in src.text:
        return True
    for url in re.findall(r"https?://[^\s'\"`]+", body):
        if own_url(src, url):
            return True
    # the repository's path in a template: `https://github.com/${repo}/releases/...`
    return "releases/download" in lowered and any(
        repo.split("/", 1)[1] in lowered for repo in src.package.repositories
    )


DROPPER = Scanner(
    name="dropper",
    check=text_check(check_dropper),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    kinds={
        SignalKind.DROPPER: KindInfo(
            "downloads an executable or script to a file and starts it",
            strong=True,
        ),
    },
)
