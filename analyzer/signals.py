"""Static signals, the vocabulary of the static scan and of the result: their kinds, the
role of the file each was found in, and `StaticSignal`. What each kind means and how strong
it is sits with the scanner that emits it (`analyzer.detect.static.scan.KINDS`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Only the first MAX_FILE_BYTES of a file are scanned (a `scan-truncated` signal says so);
# after MAX_TOTAL_BYTES in one package, further files get only the executable-header check.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
# Signals of one kind in one file beyond this many are counted in the last one's detail;
# one check stops after MAX_SIGNALS_PER_CHECK in a file (so counts stop there too).
MAX_PER_KIND_PER_FILE = 5
MAX_SIGNALS_PER_CHECK = 50
EXCERPT_CHARS = 200
# Base64 runs at least this long are decoded, classified and their text rescanned.
BLOB_MIN_CHARS = 160


class SignalKind(enum.StrEnum):
    """Stable ids: YAML rules and stored results refer to these values."""

    # install-time hooks
    SETUP_CMDCLASS_HOOK = "setup-cmdclass-hook"
    SETUP_RUNS_PROCESS = "setup-runs-process"
    SETUP_NETWORK = "setup-network"
    SETUP_EXEC = "setup-exec"
    PTH_IMPORT = "pth-import"
    NPM_INSTALL_SCRIPT = "npm-install-script"
    NPM_INSTALL_SCRIPT_BUILD = "npm-install-script-build"
    # code execution of hidden data
    EXEC_DECODED = "exec-decoded"
    EXEC_REMOTE = "exec-remote"
    OBFUSCATION = "obfuscation"
    OBFUSCATOR_TOOL = "obfuscator-tool"
    WHITESPACE_HIDDEN_CODE = "whitespace-hidden-code"
    ENCODED_PAYLOAD = "encoded-payload"
    ENCODED_DESTINATION = "encoded-destination"
    ENCODED_BLOB = "encoded-blob"
    HIGH_ENTROPY_STRING = "high-entropy-string"
    MINIFIED_CODE = "minified-code"
    # where data goes
    EXFIL_WEBHOOK = "exfil-webhook"
    PASTE_SITE = "paste-site"
    OAST_HOST = "oast-host"
    TUNNEL_HOST = "tunnel-host"
    RAW_IP_URL = "raw-ip-url"
    DNS_BEACON = "dns-beacon"
    # what the code does
    REVERSE_SHELL = "reverse-shell"
    BIND_SHELL = "bind-shell"
    WIPER = "wiper"
    DOWNLOAD_EXEC = "download-exec"
    DROPPER = "dropper"
    POWERSHELL_ENCODED = "powershell-encoded"
    POWERSHELL_SUSPICIOUS = "powershell-suspicious"
    PERSISTENCE = "persistence"
    STEALER_TARGET = "stealer-target"
    CREDENTIAL_FILE_ACCESS = "credential-file-access"
    ENV_EXFIL = "env-exfil"
    RECON_EXFIL = "recon-exfil"
    CALLER_DATA_EXFIL = "caller-data-exfil"
    CLIPBOARD_HIJACK = "clipboard-hijack"
    # files
    BUNDLED_EXECUTABLE = "bundled-executable"
    NATIVE_BINARY = "native-binary"
    SCAN_TRUNCATED = "scan-truncated"


class FileRole(enum.StrEnum):
    """When a file's code would run, which is how much a signal in it should count.

    DOCS and METADATA files get only the executable-header check. DATA files (configs,
    requirement files) are read for destinations only. TEST files skip destinations
    (URLs there are fixtures) and the weak kinds (blobs, entropy, minified); strong
    behaviour found in them is still reported, marked TEST.
    """

    INSTALL = "install"  # setup.py, .pth, package.json and the files its install scripts run
    CODE = "code"
    TEST = "test"
    DATA = "data"  # other text: configs, JSON, requirement files
    DOCS = "docs"
    METADATA = "metadata"  # PKG-INFO, RECORD, egg-info, licences, source maps
    BINARY = "binary"


@dataclass(frozen=True)
class PackageIdentity:
    """What a package says it is: its names (normalised: lower case, `-` for `_` and `.`),
    the code repositories (`host/owner/repo`) and web hosts its metadata names as its own.
    Checks use it to tell a package's own release downloads and domains from anyone else's.
    """

    names: frozenset[str] = frozenset()
    repositories: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StaticSignal:
    """One piece of static evidence. `excerpt` is package text made safe to display.

    `line` is 1-based, None for whole-file signals (a binary, a truncated scan).
    """

    kind: SignalKind
    path: str
    line: int | None
    excerpt: str
    detail: str
    role: FileRole
