"""What code would do: PowerShell droppers, download-and-run, persistence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static.dropper import command_is_run, download_chains, runs_as_is
from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.network import NETWORK, check_network
from analyzer.detect.static.text import (
    Clue,
    Lang,
    SourceFile,
    as_text,
    b64decode_loose,
    clip,
    display,
)
from analyzer.signals import BLOB_MIN_CHARS, SignalKind, StaticSignal

_PS_ENCODED = re.compile(
    r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]{0,200}?\s[-/]e(?:c|n|nc|ncodedcommand|\w{0,12})?"
    r"\s+['\"]?([A-Za-z0-9+/]{20,}={0,2})"
)
_PS_CONTEXT = re.compile(r"(?i)\b(?:powershell|pwsh)\b")
_PS_FEATURES = (
    (re.compile(r"(?i)\b(?:iex|invoke-expression)\b"), "Invoke-Expression"),
    (re.compile(r"(?i)\.download(?:string|file|data)\b"), "WebClient download"),
    (re.compile(r"(?i)\bnet\.webclient\b"), "Net.WebClient"),
    (re.compile(r"(?i)\s-w(?:indowstyle)?\s+['\"]?h(?:idden|id)?\b"), "hidden window"),
    (re.compile(r"(?i)\badd-mppreference\b[^\n]{0,40}-exclusion"), "Defender exclusion"),
    (re.compile(r"(?i)-(?:executionpolicy|ep|exec)\s+bypass\b"), "execution policy bypass"),
    (re.compile(r"(?i)\b(?:invoke-webrequest|iwr|start-bitstransfer)\b"), "web request"),
)
# On its own, how Windows build and CI scripts work.
_PS_ORDINARY = frozenset({"web request", "execution policy bypass"})


def _command_text_is_data(src: SourceFile) -> bool:
    """A command line inside Python or JavaScript that starts no process, outside an
    install hook: a help index, a grammar, a catalogue of commands, not something run."""
    return src.lang in (Lang.PYTHON, Lang.JS) and not runs_as_is(src)


def check_powershell(src: SourceFile) -> Iterator[StaticSignal]:
    in_ps = src.lang is Lang.POWERSHELL
    if not (in_ps or src.has("powershell", "pwsh")):
        return
    for m in _PS_ENCODED.finditer(src.text):
        decoded = b64decode_loose(m.group(1))
        command = as_text(decoded) if decoded else None
        detail = f"decodes to: {display(clip(command))}" if command else "does not decode"
        yield src.signal(SignalKind.POWERSHELL_ENCODED, m.start(), detail)
        # Longer runs are decoded and rescanned by the blob check already.
        if command and len(m.group(1)) < BLOB_MIN_CHARS:
            origin = (src.line_of(m.start()), "in the decoded PowerShell command")
            inner = src.decoded(Lang.POWERSHELL, command, origin)
            yield from check_powershell(inner)
            yield from check_network(inner)
            yield from check_download_exec(inner)
    if _command_text_is_data(src):
        return
    for offset, line in src.lines():
        if not (in_ps or _PS_CONTEXT.search(line)) or src.is_comment(offset):
            continue
        found = [what for pattern, what in _PS_FEATURES if pattern.search(line)]
        if set(found) - _PS_ORDINARY:
            yield src.signal(SignalKind.POWERSHELL_SUSPICIOUS, offset, ", ".join(found))


_DOWNLOAD_EXEC = (
    Clue(("curl", "wget"),
         re.compile(r"(?i)\b(?:curl|wget)\b[^\n|;&]{0,300}\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b"),
         "curl/wget piped to a shell"),
    Clue(("curl", "wget"),
         re.compile(r"(?i)\b(?:curl|wget)\b[^\n|;&]{0,300}\|\s*(?:sudo\s+)?python\d?\b"),
         "curl/wget piped to python"),
    Clue(("curl", "wget"),
         re.compile(r"(?i)\b(?:curl|wget)\b[^\n]{0,300}?\s(?:-o|-O|--output(?:-document)?)\s*\S+"
                    r"[^\n]{0,200}?(?:&&|;)\s*(?:chmod\s|\./|sh\s|bash\s|start\s|python\d?\s)"),
         "curl/wget to a file, then run or chmod"),
    Clue(("certutil",), re.compile(r"(?i)certutil(?:\.exe)?\s+[^\n]{0,40}-urlcache"),
         "certutil -urlcache"),
    Clue(("bitsadmin",), re.compile(r"(?i)bitsadmin(?:\.exe)?\s+/transfer"), "bitsadmin /transfer"),
    Clue(("mshta",), re.compile(r"(?i)\bmshta(?:\.exe)?\s+['\"]?https?:"), "mshta of a URL"),
    Clue(("regsvr32",), re.compile(r"(?i)\bregsvr32\b[^\n]{0,60}/i:\s*https?:"),
         "regsvr32 scriptlet from a URL"),
    Clue(("invoke-webrequest",),
         re.compile(r"(?i)invoke-webrequest[^\n]{0,300}-outfile[^\n]{0,300}start-process"),
         "Invoke-WebRequest -OutFile then Start-Process"),
)  # fmt: skip
_PY_DOWNLOAD = re.compile(
    r"\burlretrieve\s*\(|\bwget\.download\s*\(|\burlopen\s*\(|\brequests\.get\s*\(|\bhttpx\.get\s*\("
)
_PY_WRITES = re.compile(r"\burlretrieve\s*\(|\bwget\.download\s*\(|['\"]wb['\"]|\.write_bytes\(")
_PY_RUN = re.compile(
    r"(?:\bos\.|(?<![\w.]))(?:system|startfile|execv\w*|execl\w*)\s*\("
    r"|\b(?:Popen|check_call|check_output|chmod)\s*\("
    r"|\b(?:subprocess\.(?:run|call)\s*\(|(?<![\w.])(?:run|call)\s*\(\s*\[)"
)
_JS_DOWNLOAD = re.compile(r"\bhttps?\.get\s*\(|\bfetch\s*\(|\baxios\b|\bdownload\w*\s*\(|\bgot\(")
_JS_WRITES = re.compile(r"\bwriteFile(?:Sync)?\s*\(|\bcreateWriteStream\s*\(")
_JS_RUN = re.compile(
    r"(?:(?<![\w$.])|\b(?:child_process|childProcess|cp)\.)"
    r"(?:exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\("
)


def check_download_exec(src: SourceFile) -> Iterator[StaticSignal]:
    entries = [entry for entry in _DOWNLOAD_EXEC if src.has(*entry.hints)]
    if entries and _command_text_is_data(src):  # one search of the file, not one an entry
        entries = []
    for entry in entries:
        m = next((m for m in entry.pattern.finditer(src.text)
                  if not src.is_comment(m.start()) and command_is_run(src, m.start())), None)
        if m:
            yield src.signal(SignalKind.DOWNLOAD_EXEC, m.start(), entry.what)
    if src.lang is Lang.PYTHON:
        yield from _near(src, _PY_DOWNLOAD, _PY_WRITES, _PY_RUN)
    elif src.lang is Lang.JS:
        yield from _near(src, _JS_DOWNLOAD, _JS_WRITES, _JS_RUN)


def _near(
    src: SourceFile, download: re.Pattern[str], writes: re.Pattern[str], run: re.Pattern[str]
) -> Iterator[StaticSignal]:
    """A download, a write to disk and a process start within a few lines of each other."""
    for chain in download_chains(src, download, writes, run):
        detail = (
            f"download at line {src.line_of(chain.offset)} "
            f"({display(clip(chain.line, chain.download.start(), 80))}), then "
            f"{chain.start.group().rstrip('( ')} at line {src.line_of(chain.start_offset)}"
        )
        yield src.signal(SignalKind.DOWNLOAD_EXEC, chain.start_offset + chain.start.start(),
                         detail)
        return


# Autostart written through an API or a path: persistence wherever it is.
_PERSISTENCE_WRITES = (
    Clue(("currentversion",), re.compile(r"(?i)CurrentVersion[\\/]+Run(?:Once)?\b"),
         "registry Run key"),
    Clue(("startup",), re.compile(
        r"(?i)Start Menu[\\/]+Programs[\\/]+Startup|shell:startup"
        # os.path.join(appdata, ..., 'Start Menu', 'Programs', 'Startup')
        r"|['\"]Start Menu['\"]\s*,\s*['\"]Programs['\"]\s*,\s*['\"]Startup['\"]"),
        "Startup folder"),
    Clue(("bashrc", "zshrc", "bash_profile"),
         re.compile(r"(?i)appendFile\w*\([^\n]{0,120}\.(?:bashrc|zshrc|bash_profile)\b"
                    r"|open\([^\n]{0,120}\.(?:bashrc|zshrc|bash_profile)\b[^\n]{0,40}?['\"]a\+?['\"]"),
         "shell startup file"),
    Clue(("launchagents", "launchdaemons"), re.compile(r"(?i)Library/Launch(?:Agents|Daemons)/"),
         "macOS launch agent"),
)  # fmt: skip
# Autostart as a command line: in Python or JavaScript that starts no process it is
# advice or a catalogue entry ("run `systemctl enable --now chrony`"), not a command.
_PERSISTENCE_COMMANDS = (
    Clue(("schtasks",), re.compile(r"(?i)\bschtasks(?:\.exe)?\s+/create\b"), "scheduled task"),
    Clue(("crontab",), re.compile(r"\|\s*crontab\s+-(?:\s|$|['\"])"), "crontab entry"),
    Clue(("bashrc", "zshrc", "bash_profile"),
         re.compile(r"(?i)>>\s*['\"]?[~$\w/{}.-]*\.(?:bashrc|zshrc|bash_profile)\b"),
         "shell startup file"),
    Clue(("systemctl",), re.compile(r"\bsystemctl\s+(?:--user\s+)?enable\b"), "systemd service"),
)  # fmt: skip


def check_persistence(src: SourceFile) -> Iterator[StaticSignal]:
    entries: tuple[Clue, ...] = _PERSISTENCE_WRITES
    if not _command_text_is_data(src):
        entries += _PERSISTENCE_COMMANDS
    for entry in entries:
        m = entry.search(src)
        if m and not src.is_comment(m.start()):
            yield src.signal(SignalKind.PERSISTENCE, m.start(), entry.what)


# A short encoded command is decoded and read here by the network and download checks.
POWERSHELL = Scanner(
    name="powershell",
    check=text_check(check_powershell),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    kinds={
        SignalKind.POWERSHELL_ENCODED: KindInfo(
            "PowerShell started with an encoded command",
            strong=True,
        ),
        SignalKind.POWERSHELL_SUSPICIOUS: KindInfo(
            "PowerShell that downloads, evaluates strings or hides its window",
            strong=True,
        ),
    },
    shares=frozenset(NETWORK.kinds) | {SignalKind.DOWNLOAD_EXEC},
)

DOWNLOAD_EXEC = Scanner(
    name="download-exec",
    check=text_check(check_download_exec),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    kinds={
        SignalKind.DOWNLOAD_EXEC: KindInfo("downloads a file and runs it", strong=True),
    },
)

PERSISTENCE = Scanner(
    name="persistence",
    check=text_check(check_persistence),
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    kinds={
        SignalKind.PERSISTENCE: KindInfo(
            "writes to autostart places (Run keys, Startup folder, cron, shell rc)",
            strong=True,
        ),
    },
)
