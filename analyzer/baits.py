"""The honeytoken vocabulary, shared by the sandbox that plants the baits, the trace stage
that finds their canaries in what left the package, and the report that marks reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Canary:
    """A secret made for one run alone: seen outside the sandbox's home, it was stolen."""

    token: str  # what the bait is, e.g. "aws-secret-access-key"
    value: str


# Files a package has no business reading: reading one is recorded as a honeytoken read.
HONEYTOKEN_FILES = (
    ".ssh/id_rsa", ".ssh/id_ed25519", ".aws/credentials", ".npmrc", ".pypirc", ".git-credentials",
    ".config/gh/hosts.yml", ".docker/config.json", ".config/discord/Local Storage/leveldb",
    ".config/google-chrome/Default/Login Data", ".config/google-chrome/Default/Cookies",
    ".config/google-chrome/Default/Local Extension Settings", ".electrum/wallets",
    ".config/Exodus/exodus.wallet", ".bash_history",
    # The Windows persona's stores, under %APPDATA% and %LOCALAPPDATA%.
    "AppData/Roaming/discord/Local Storage/leveldb",
    "AppData/Local/Google/Chrome/User Data/Local State",
    "AppData/Local/Google/Chrome/User Data/Default/Login Data",
    "AppData/Local/Google/Chrome/User Data/Default/Network/Cookies",
    "AppData/Local/Microsoft/Edge/User Data/Default/Login Data",
    "AppData/Roaming/Exodus/exodus.wallet", "AppData/Roaming/atomic/Local Storage/leveldb",
)
