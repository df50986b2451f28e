"""Static signals, the vocabulary of the static scan and of the result: their kinds, what
each means and how strong it is, the role of the file it was found in, and `StaticSignal`."""

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
    """Stable ids: YAML rules refer to these values."""

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

    @property
    def description(self) -> str:
        """One line a report can show next to the id."""
        return _DESCRIPTIONS[self]

    @property
    def is_strong(self) -> bool:
        """True when one such signal is, on its own, convincing evidence for a reviewer.

        A hint for the survey and for rule authors; weights and severities belong to
        the rule engine.
        """
        return self in _STRONG


_DESCRIPTIONS: dict[SignalKind, str] = {
    SignalKind.SETUP_CMDCLASS_HOOK: (
        "setup.py replaces an install-time command (install, develop, egg_info, build...)"
    ),
    SignalKind.SETUP_RUNS_PROCESS: "setup.py starts a process that is not a known build tool",
    SignalKind.SETUP_NETWORK: "setup.py opens a network connection or downloads something",
    SignalKind.SETUP_EXEC: "setup.py runs exec/eval on something other than a local file",
    SignalKind.PTH_IMPORT: ".pth file with an import line: code that runs at every Python start",
    SignalKind.NPM_INSTALL_SCRIPT: "package.json runs a command when the package is installed",
    SignalKind.NPM_INSTALL_SCRIPT_BUILD: (
        "package.json install script that only runs a known native-build or setup tool"
    ),
    SignalKind.EXEC_DECODED: "code executes data it has just decoded, decompressed or decrypted",
    SignalKind.EXEC_REMOTE: "code executes data it has just downloaded",
    SignalKind.OBFUSCATION: (
        "hand-made obfuscation around execution (chr-joins, builtins lookups, escaped code)"
    ),
    SignalKind.OBFUSCATOR_TOOL: "output of a known obfuscator or packer (pyarmor, _0x names...)",
    SignalKind.WHITESPACE_HIDDEN_CODE: "code pushed off-screen by a long run of whitespace",
    SignalKind.ENCODED_PAYLOAD: "an encoded blob that decodes to program code or an executable",
    SignalKind.ENCODED_DESTINATION: (
        "a string that decodes (base64, hex, zlib...) to a webhook, bot API, paste site, "
        "out-of-band host or raw-IP URL"
    ),
    SignalKind.ENCODED_BLOB: "a long base64 or hex string in code",
    SignalKind.HIGH_ENTROPY_STRING: "a long string literal that looks random",
    SignalKind.MINIFIED_CODE: "very long code lines (minified or packed)",
    SignalKind.EXFIL_WEBHOOK: "a webhook or bot API often used to receive stolen data",
    SignalKind.PASTE_SITE: "a paste site or anonymous file host URL",
    SignalKind.OAST_HOST: "an out-of-band testing host (interactsh, Burp Collaborator...)",
    SignalKind.TUNNEL_HOST: "a tunnelling service host (ngrok, localtunnel...)",
    SignalKind.RAW_IP_URL: "a URL to a public IP address instead of a host name",
    SignalKind.DNS_BEACON: (
        "resolves a DNS name that carries the host's identity or the package's name as a "
        "label of someone else's domain"
    ),
    SignalKind.REVERSE_SHELL: "a shell wired to a network connection",
    SignalKind.BIND_SHELL: "a shell wired to a socket that listens for connections",
    SignalKind.WIPER: "walks the home folder or / and deletes or overwrites the files in it",
    SignalKind.DOWNLOAD_EXEC: "downloads a file and runs it",
    SignalKind.DROPPER: "downloads an executable or script to a file and starts it",
    SignalKind.POWERSHELL_ENCODED: "PowerShell started with an encoded command",
    SignalKind.POWERSHELL_SUSPICIOUS: (
        "PowerShell that downloads, evaluates strings or hides its window"
    ),
    SignalKind.PERSISTENCE: "writes to autostart places (Run keys, Startup folder, cron, shell rc)",
    SignalKind.STEALER_TARGET: "reads browser, Discord, wallet or messenger secrets",
    SignalKind.CREDENTIAL_FILE_ACCESS: "reads developer credential files (~/.ssh, ~/.aws, .npmrc)",
    SignalKind.ENV_EXFIL: "serialises the whole environment, typically to send it away",
    SignalKind.RECON_EXFIL: (
        "install-time or import-time code collects host identity and sends it out"
    ),
    SignalKind.CALLER_DATA_EXFIL: (
        "a function sends away the wallet key or seed phrase it is given, or its callers'"
        " source files"
    ),
    SignalKind.CLIPBOARD_HIJACK: (
        "reads or rewrites the clipboard next to crypto wallet-address patterns or addresses"
    ),
    SignalKind.BUNDLED_EXECUTABLE: "a PE, ELF or Mach-O executable inside the package",
    SignalKind.NATIVE_BINARY: "a native shared library (.so, .pyd, .node, .dll, .dylib)",
    SignalKind.SCAN_TRUNCATED: "a file, or the package, was larger than the scan limit",
}

_STRONG = frozenset(
    {
        SignalKind.SETUP_NETWORK,
        SignalKind.SETUP_EXEC,
        SignalKind.EXEC_DECODED,
        SignalKind.EXEC_REMOTE,
        SignalKind.OBFUSCATION,
        SignalKind.WHITESPACE_HIDDEN_CODE,
        SignalKind.ENCODED_PAYLOAD,
        SignalKind.ENCODED_DESTINATION,
        SignalKind.EXFIL_WEBHOOK,
        SignalKind.PASTE_SITE,
        SignalKind.OAST_HOST,
        SignalKind.TUNNEL_HOST,
        SignalKind.REVERSE_SHELL,
        SignalKind.BIND_SHELL,
        SignalKind.WIPER,
        SignalKind.DOWNLOAD_EXEC,
        SignalKind.DROPPER,
        SignalKind.DNS_BEACON,
        SignalKind.CLIPBOARD_HIJACK,
        SignalKind.POWERSHELL_ENCODED,
        SignalKind.POWERSHELL_SUSPICIOUS,
        SignalKind.PERSISTENCE,
        SignalKind.STEALER_TARGET,
        SignalKind.ENV_EXFIL,
        SignalKind.RECON_EXFIL,
        SignalKind.CALLER_DATA_EXFIL,
        SignalKind.BUNDLED_EXECUTABLE,
    }
)


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
