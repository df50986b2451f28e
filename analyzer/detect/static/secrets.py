"""Secrets a package reaches for: stealer targets, credential files, the environment."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.text import Clue, Lang, SourceFile, clue
from analyzer.signals import FileRole, SignalKind, StaticSignal

_SEP = r"[\\/]+"
# MetaMask, Phantom, Coinbase Wallet, Binance Wallet: extension ids stealers look for.
_WALLET_EXTENSIONS = (
    "nkbihfbeogaeaoehlefnkodbefgpgknn", "bfnaelmomeimhlpmgjnjophhpkkoljpa",
    "hnfanknocfeofbddgcijnmhnfnkdnaad", "fhbohimaelbohpjbbldcngcnapndodjp",
)  # fmt: skip
_STEALER_TARGETS = (
    clue("leveldb", r"(?i)Local Storage(?:[\\/]+|['\"]\s*,\s*['\"])leveldb",
         "Discord/browser Local Storage leveldb"),
    clue("{24}|{84}", r"\[\\w-?\]\{24\}\\\.|mfa\\\.\[\\w-\]\{84\}", "Discord token regex"),
    clue("dqw4w9wgxcq", r"dQw4w9WgXcQ:", "encrypted Discord token prefix"),
    clue("login data", r"(?i)['\"/\\]Login Data['\"]", "browser saved passwords (Login Data)"),
    clue("web data", r"(?i)['\"/\\]Web Data['\"]", "browser autofill/cards (Web Data)"),
    clue("cookies", rf"(?i)(?:Network|Default|Profile \d+){_SEP}Cookies\b|\bcookies\.sqlite\b",
         "browser cookie store"),
    clue("local state|os_crypt", r"(?i)['\"/\\]Local State['\"]|\bos_crypt\b",
         "browser master key (Local State)"),
    clue("cryptunprotectdata", r"\bCryptUnprotectData\b", "DPAPI decryption"),
    clue("key4.db|logins.json", r"(?i)\b(?:key4\.db|logins\.json)\b", "Firefox password store"),
    clue("wallet.dat|keystore|exodus|electrum|atomic",
         rf"(?i)\bwallet\.dat\b|\bEthereum{_SEP}keystore|\bExodus{_SEP}exodus\.wallet"
         rf"|\bElectrum{_SEP}wallets|\bAtomic{_SEP}Local Storage", "crypto wallet files"),
    clue("|".join(_WALLET_EXTENSIONS), "|".join(_WALLET_EXTENSIONS),
         "wallet browser extension storage"),
    clue("tdata", rf"(?i)Telegram Desktop{_SEP}tdata|telegram[^\n]{{0,60}}['\"/\\]tdata\b",
         "Telegram session (tdata)"),
    clue("ssfn|loginusers", r"(?i)['\"/\\]ssfn|loginusers\.vdf", "Steam session files"),
    clue(".roblosecurity", r"(?i)\.ROBLOSECURITY", "Roblox session cookie"),
    clue("filezilla", rf"(?i)FileZilla{_SEP}(?:recentservers|sitemanager)\.xml",
         "FileZilla servers"),
)  # fmt: skip
_CREDENTIAL_FILES = (
    clue(".ssh", rf"\.ssh{_SEP}(?:id_\w+|authorized_keys)|['\"]~?/?\.ssh['\"/]", "~/.ssh"),
    clue(".aws", rf"\.aws{_SEP}credentials|['\"]\.aws['\"]", "~/.aws/credentials"),
    clue(".npmrc", r"['\"/\\~]\.npmrc\b", ".npmrc"),
    clue(".pypirc", r"['\"/\\~]\.pypirc\b", ".pypirc"),
    clue(".git-credentials", r"\.git-credentials\b", ".git-credentials"),
    clue(".docker", rf"\.docker{_SEP}config\.json", "~/.docker/config.json"),
    clue(".kube", rf"\.kube{_SEP}config\b", "~/.kube/config"),
    clue("/etc/shadow", r"/etc/shadow\b", "/etc/shadow"),
    clue("_history", r"['\"/\\~]\.(?:bash|zsh)_history\b", "shell history"),
    clue("application_default_credentials|gcloud",
         rf"application_default_credentials\.json|gcloud{_SEP}credentials", "gcloud"),
)  # fmt: skip


def _found(src: SourceFile, table: tuple[Clue, ...]) -> list[tuple[int, str]]:
    hits = []
    for entry in table:
        m = entry.search(src)
        if m and not src.is_comment(m.start()):
            hits.append((m.start(), entry.what))
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
    m = _ENV_DUMP.search(src.text) if src.has("os.environ", "process.env") else None
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


SECRETS = Scanner(
    name="secrets",
    check=text_check(check_secrets),
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    kinds={
        SignalKind.STEALER_TARGET: KindInfo(
            "reads browser, Discord, wallet or messenger secrets",
            strong=True,
        ),
        SignalKind.CREDENTIAL_FILE_ACCESS: KindInfo(
            "reads developer credential files (~/.ssh, ~/.aws, .npmrc)",
            strong=False,
        ),
    },
)

ENV_EXFIL = Scanner(
    name="env-exfil",
    check=text_check(check_env_exfil),
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    kinds={
        SignalKind.ENV_EXFIL: KindInfo(
            "serialises the whole environment, typically to send it away",
            strong=True,
        ),
    },
)

RECON_EXFIL = Scanner(
    name="recon-exfil",
    check=text_check(check_recon_exfil),
    reads=frozenset({Reads.SOURCE}),
    roles=frozenset({FileRole.INSTALL, FileRole.CODE}),
    kinds={
        SignalKind.RECON_EXFIL: KindInfo(
            "install-time or import-time code collects host identity and sends it out",
            strong=True,
        ),
    },
)
