"""Secrets a package reaches for: stealer targets, credential files, the environment."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static_text import Lang, SourceFile
from analyzer.detect.static_types import FileRole, SignalKind, StaticSignal

_SEP = r"[\\/]+"
_STEALER_TARGETS = (
    (re.compile(rf"(?i)Local Storage{_SEP}leveldb"), "Discord/browser Local Storage leveldb"),
    (re.compile(r"\[\\w-\]\{24\}\\\.\[\\w-\]\{6\}|\[\\w\]\{24\}\\\.|mfa\\\.\[\\w-\]\{84\}"),
     "Discord token regex"),
    (re.compile(r"dQw4w9WgXcQ:"), "encrypted Discord token prefix"),
    (re.compile(r"(?i)['\"/\\]Login Data['\"]"), "browser saved passwords (Login Data)"),
    (re.compile(r"(?i)['\"/\\]Web Data['\"]"), "browser autofill/cards (Web Data)"),
    (re.compile(rf"(?i)(?:Network{_SEP}|['\"])Cookies['\"]"), "browser cookie store"),
    (re.compile(r"(?i)\bencrypted_key\b"), "browser master key (Local State)"),
    (re.compile(r"\bCryptUnprotectData\b"), "DPAPI decryption"),
    (re.compile(r"(?i)\b(?:key4\.db|logins\.json)\b"), "Firefox password store"),
    (re.compile(r"(?i)\bwallet\.dat\b|\bEthereum[\\/]+keystore|\bExodus[\\/]+exodus\.wallet"
                r"|\bElectrum[\\/]+wallets|\bAtomic[\\/]+Local Storage"), "crypto wallet files"),
    (re.compile(r"nkbihfbeogaeaoehlefnkodbefgpgknn|bfnaelmomeimhlpmgjnjophhpkkoljpa"
                r"|hnfanknocfeofbddgcijnmhnfnkdnaad|fhbohimaelbohpjbbldcngcnapndodjp"),
     "wallet browser extension storage"),
    (re.compile(r"(?i)Telegram Desktop[\\/]+tdata|['\"]tdata['\"]"), "Telegram session (tdata)"),
    (re.compile(r"(?i)\bssfn\w*|loginusers\.vdf"), "Steam session files"),
    (re.compile(r"(?i)\.ROBLOSECURITY"), "Roblox session cookie"),
    (re.compile(r"(?i)FileZilla[\\/]+(?:recentservers|sitemanager)\.xml"), "FileZilla servers"),
)  # fmt: skip
_CREDENTIAL_FILES = (
    (re.compile(r"\.ssh[\\/]+(?:id_\w+|authorized_keys)|['\"]~?/?\.ssh['\"/]"), "~/.ssh"),
    (re.compile(r"\.aws[\\/]+credentials|['\"]\.aws['\"]"), "~/.aws/credentials"),
    (re.compile(r"['\"/\\~]\.npmrc\b"), ".npmrc"),
    (re.compile(r"['\"/\\~]\.pypirc\b"), ".pypirc"),
    (re.compile(r"\.git-credentials\b"), ".git-credentials"),
    (re.compile(r"\.docker[\\/]+config\.json"), "~/.docker/config.json"),
    (re.compile(r"\.kube[\\/]+config\b"), "~/.kube/config"),
    (re.compile(r"/etc/shadow\b"), "/etc/shadow"),
    (re.compile(r"['\"/\\~]\.(?:bash|zsh)_history\b"), "shell history"),
    (re.compile(r"application_default_credentials\.json|gcloud[\\/]+credentials"), "gcloud"),
)  # fmt: skip


def _found(
    src: SourceFile, table: tuple[tuple[re.Pattern[str], str], ...]
) -> list[tuple[int, str]]:
    hits = []
    for pattern, what in table:
        m = pattern.search(src.text)
        if m and not src.is_comment(m.start()):
            hits.append((m.start(), what))
    return sorted(hits)


def check_secrets(src: SourceFile) -> Iterator[StaticSignal]:
    """One signal per file and table, listing every target found."""
    for kind, table in (
        (SignalKind.STEALER_TARGET, _STEALER_TARGETS),
        (SignalKind.CREDENTIAL_FILE_ACCESS, _CREDENTIAL_FILES),
    ):
        hits = _found(src, table)
        if hits:
            yield src.signal(kind, hits[0][0], "; ".join(what for _, what in hits))


_ENV_DUMP = re.compile(
    r"json\.dumps\(\s*(?:dict\(\s*)?os\.environ\b(?!\s*[\[.])"
    r"|\bstr\(\s*os\.environ\s*\)|\b(?:b64encode|urlencode|pickle\.dumps)\([^)\n]{0,40}os\.environ"
    r"|\b(?:data|json|params|body|payload)\s*=\s*(?:dict\(\s*)?os\.environ\s*[,)\n]"
    r"|os\.environ\.items\(\)[^\n]{0,80}(?:post|send|request)"
    r"|JSON\.stringify\(\s*process\.env\s*[,)]"
    r"|\b(?:data|body|json|env)\s*:\s*(?:JSON\.stringify\()?process\.env\s*[,}\n)]"
    r"|querystring\.stringify\(\s*process\.env\b|Object\.entries\(\s*process\.env\s*\)"
)
_NETWORK = re.compile(
    r"\burlopen\s*\(|\brequests\.\w+\s*\(|\bhttpx\.|\bhttp\.client|\bfetch\s*\(|"
    r"\bsocket\.(?:socket|create_connection)\s*\(|\.sendto\s*\(|"
    r"\bhttps?\.(?:get|request)\s*\(|\baxios\b|\bdns\.(?:lookup|resolve\w*)\s*\(|"
    r"['\"`](?:nslookup|ping|dig)\s|\bgetaddrinfo\s*\(|\bgethostbyname\s*\(\s*[a-z_]"
)


def check_env_exfil(src: SourceFile) -> Iterator[StaticSignal]:
    m = _ENV_DUMP.search(src.text)
    if m and not src.is_comment(m.start()):
        sends = " and the file makes network calls" if _NETWORK.search(src.text) else ""
        yield src.signal(SignalKind.ENV_EXFIL, m.start(), f"whole environment serialised{sends}")


_IDENTITY = re.compile(
    r"\bgethostname\s*\(|\bgetuser\s*\(|\bgetlogin\s*\(|\bplatform\.node\s*\(|\buname\s*\(\)"
    r"|environ(?:\.get\(|\[)\s*['\"](?:USER|USERNAME|COMPUTERNAME|LOGNAME|HOSTNAME)['\"]"
    r"|\bos\.(?:hostname|userInfo|networkInterfaces)\s*\(|process\.env\.(?:USER|USERNAME|HOSTNAME)\b"
    r"|\bwhoami\b"
)


def is_entry_file(path: str) -> bool:
    """Files that run on import or require: a package's __init__.py, index.js."""
    name = path.rsplit("/", 1)[-1]
    return name in ("__init__.py", "index.js", "index.mjs", "index.cjs")


def check_recon_exfil(src: SourceFile) -> Iterator[StaticSignal]:
    """Host identity plus a network send in code that runs at install or import time:
    the dependency-confusion 'ping home' pattern."""
    if src.role is not FileRole.INSTALL and not (
        src.role is FileRole.CODE and is_entry_file(src.path)
    ):
        return
    if src.lang not in (Lang.PYTHON, Lang.JS):
        return
    who = _IDENTITY.search(src.text)
    send = _NETWORK.search(src.text)
    if who and send:
        detail = f"collects {who.group().strip('(. ')} and sends with {send.group().strip('(. ')}"
        yield src.signal(SignalKind.RECON_EXFIL, send.start(), detail)
