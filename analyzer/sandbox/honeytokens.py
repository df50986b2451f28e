"""Baits for one run: credential files in a lived-in home and secrets in the environment.

Every secret is a canary value made for this run alone, shaped like the real thing
(an AWS key starts with AKIA, a GitHub token with ghp_), so that finding one in an
outbound payload, a DNS name or a command line is proof of theft.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
from dataclasses import dataclass

from analyzer.baits import Canary
from analyzer.protocol import PlantedFile

ALNUM = string.ascii_letters + string.digits
# (login, full name, e-mail domain): the person whose laptop or CI runner this seems to be.
PEOPLE = (
    ("alexm", "Alex Morgan", "northwind-labs.io"),
    ("jordan", "Jordan Lee", "brightpath.dev"),
    ("sarah.k", "Sarah Kim", "acmeanalytics.com"),
    ("dpatel", "Dev Patel", "orbital-apps.io"),
    ("mgarcia", "Maria Garcia", "tidewater.tech"),
    ("tnguyen", "Tom Nguyen", "finch-systems.com"),
    ("ci", "CI Runner", "build.internal"),
)


@dataclass(frozen=True)
class Bait:
    user: str  # the login the package runs as; its home is /home/<user>
    canaries: tuple[Canary, ...]
    files: tuple[PlantedFile, ...]
    env: tuple[tuple[str, str], ...]
    # Laid in the home only for the Windows persona pass, where %APPDATA% points.
    windows_files: tuple[PlantedFile, ...] = ()


ROAMING, LOCAL = "AppData/Roaming", "AppData/Local"


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _fake_ssh_key(marker: str) -> str:
    """An OpenSSH-shaped private key whose body carries the canary line."""
    body = base64.b64encode(b"openssh-key-v1\0" + secrets.token_bytes(180)).decode()
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    lines.insert(2, marker)
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + \
        "\n-----END OPENSSH PRIVATE KEY-----\n"


def make_bait() -> Bait:
    login, real_name, domain = secrets.choice(PEOPLE)
    email = f"{real_name.split()[0].lower()}@{domain}"
    values = {
        "aws-access-key-id": "AKIA" + _random(string.ascii_uppercase + string.digits, 16),
        "aws-secret-access-key": _random(ALNUM + "/+", 40),
        "github-token": "ghp_" + _random(ALNUM, 36),
        "gh-cli-token": "gho_" + _random(ALNUM, 36),
        "git-credential": "ghp_" + _random(ALNUM, 36),
        "npm-token": "npm_" + _random(ALNUM, 36),
        "pypi-token": "pypi-AgEIcHlwaS5vcmc" + _random(ALNUM, 40),
        "openai-api-key": "sk-proj-" + _random(ALNUM, 48),
        "docker-token": "dckr_pat_" + _random(ALNUM + "-_", 27),
        "discord-token": "MTE" + _random(ALNUM, 23) + "." + _random(ALNUM, 6) + "." +
                         _random(ALNUM + "-_", 38),
        "ssh-private-key": _random(ALNUM + "+/", 70),
        "browser-password": _random(ALNUM, 14) + "!",
        "wallet-seed": " ".join(secrets.choice(_SEED_WORDS) for _ in range(12)),
    }
    docker_auth = base64.b64encode(f"{login}:{values['docker-token']}".encode()).decode()
    files = (
        PlantedFile(".ssh/id_rsa", _fake_ssh_key(values["ssh-private-key"])),
        PlantedFile(".ssh/known_hosts", "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkV"
                                        "zrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n", 0o644),
        PlantedFile(".aws/credentials",
                    f"[default]\naws_access_key_id = {values['aws-access-key-id']}\n"
                    f"aws_secret_access_key = {values['aws-secret-access-key']}\n"),
        PlantedFile(".aws/config", "[default]\nregion = us-east-1\noutput = json\n", 0o644),
        PlantedFile(".npmrc", f"//registry.npmjs.org/:_authToken={values['npm-token']}\n"),
        PlantedFile(".pypirc",
                    f"[pypi]\nusername = __token__\npassword = {values['pypi-token']}\n"),
        PlantedFile(".git-credentials",
                    f"https://{login}:{values['git-credential']}@github.com\n"),
        PlantedFile(".gitconfig", f"[user]\n\tname = {real_name}\n\temail = {email}\n"
                                  "[credential]\n\thelper = store\n", 0o644),
        PlantedFile(".config/gh/hosts.yml", f"github.com:\n    user: {login}\n    oauth_token: "
                                            f"{values['gh-cli-token']}\n    git_protocol: https\n"),
        PlantedFile(".docker/config.json", json.dumps(
            {"auths": {"https://index.docker.io/v1/": {"auth": docker_auth}}}, indent=1)),
        PlantedFile(".config/discord/Local Storage/leveldb/000005.ldb",
                    f'_https://discord.com\0\x01token\0"{values["discord-token"]}"'),
        PlantedFile(".config/google-chrome/Default/Login Data",
                    f"SQLite format 3\0https://accounts.google.com\0{email}\0"
                    f"{values['browser-password']}\0"),
        PlantedFile(".config/google-chrome/Default/Cookies",
                    f"SQLite format 3\0.github.com\0user_session\0{values['github-token']}\0"),
        PlantedFile(".electrum/wallets/default_wallet", json.dumps({
            "keystore": {"type": "bip32", "seed": values["wallet-seed"]},
            "wallet_type": "standard"})),
        PlantedFile(".config/Exodus/exodus.wallet/seed.seco", "SECO" + values["wallet-seed"]),
        PlantedFile(".bash_history", _BASH_HISTORY, 0o600),
        # A working developer's files: what wipers, ransomware and worms look for, and
        # what makes an empty, freshly made home (a sandbox giveaway) look lived in.
        PlantedFile("projects/billing-api/.env",
                    f"DATABASE_URL=postgresql://billing:{values['browser-password']}@10.20.3.14"
                    f"/billing\nOPENAI_API_KEY={values['openai-api-key']}\n"),
        PlantedFile("projects/billing-api/.git/config",
                    "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
                    f'[remote "origin"]\n\turl = git@github.com:{login}/billing-api.git\n'
                    "\tfetch = +refs/heads/*:refs/remotes/origin/*\n", 0o644),
        PlantedFile("projects/billing-api/.git/HEAD", "ref: refs/heads/main\n", 0o644),
        PlantedFile("projects/billing-api/.git/hooks/pre-commit.sample",
                    "#!/bin/sh\n# An example hook script to verify what is about to be "
                    "committed.\nexec git diff-index --check --cached HEAD --\n", 0o755),
        PlantedFile("projects/billing-api/pyproject.toml", _PYPROJECT, 0o644),
        PlantedFile("projects/billing-api/src/billing/__init__.py", "", 0o644),
        PlantedFile("projects/billing-api/src/billing/invoices.py", _INVOICES, 0o644),
        PlantedFile("projects/billing-api/web/package.json", json.dumps(
            {"name": "billing-web", "version": "2.3.1", "private": True,
             "scripts": {"build": "vite build"}, "dependencies": {"react": "^18.3.1"}},
            indent=2) + "\n", 0o644),
        PlantedFile("Documents/refunds-2026-q3.csv", _REFUNDS_CSV, 0o644),
        PlantedFile("Documents/meeting-notes.md", _NOTES, 0o644),
        PlantedFile("Desktop/todo.txt", "- renew TLS cert for billing.northwind.example\n"
                                        "- review PR #412 (partial refunds)\n", 0o644),
    )
    env = (
        ("AWS_ACCESS_KEY_ID", values["aws-access-key-id"]),
        ("AWS_SECRET_ACCESS_KEY", values["aws-secret-access-key"]),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("GITHUB_TOKEN", values["github-token"]),
        ("NPM_TOKEN", values["npm-token"]),
        ("OPENAI_API_KEY", values["openai-api-key"]),
        ("EDITOR", "vim"),
        ("COLORTERM", "truecolor"),
        ("XDG_SESSION_TYPE", "wayland"),
    )
    canaries = tuple(Canary(token, value) for token, value in values.items())
    return Bait(user=login, canaries=canaries, files=files, env=env,
                windows_files=_windows_files(values, email))


def _windows_files(values: dict[str, str], email: str) -> tuple[PlantedFile, ...]:
    """The same secrets where a Windows stealer looks for them (see baits.HONEYTOKEN_FILES)."""
    # Chrome's key for its saved passwords, as DPAPI protects it; under the persona
    # win32crypt.CryptUnprotectData hands back what it is given.
    key = base64.b64encode(b"DPAPI" + secrets.token_bytes(32)).decode()
    local_state = json.dumps({"os_crypt": {"encrypted_key": key},
                              "profile": {"info_cache": {"Default": {"user_name": email}}}})
    login_data = (f"SQLite format 3\0https://accounts.google.com\0{email}\0"
                  f"v10{values['browser-password']}\0")
    cookies = f"SQLite format 3\0.github.com\0user_session\0v10{values['github-token']}\0"
    leveldb = f'_https://discord.com\0\x01token\0"{values["discord-token"]}"'
    chrome, edge = f"{LOCAL}/Google/Chrome/User Data", f"{LOCAL}/Microsoft/Edge/User Data"
    return (
        PlantedFile(f"{ROAMING}/discord/Local Storage/leveldb/000005.ldb", leveldb),
        PlantedFile(f"{ROAMING}/discord/Local Storage/leveldb/LOG", "2026/11/30-09:12:01.311 "
                                                                   "Recovering log #3\n"),
        PlantedFile(f"{chrome}/Local State", local_state),
        PlantedFile(f"{chrome}/Default/Login Data", login_data),
        PlantedFile(f"{chrome}/Default/Network/Cookies", cookies),
        PlantedFile(f"{edge}/Local State", local_state),
        PlantedFile(f"{edge}/Default/Login Data", login_data),
        PlantedFile(f"{ROAMING}/Exodus/exodus.wallet/seed.seco", "SECO" + values["wallet-seed"]),
        PlantedFile(f"{ROAMING}/atomic/Local Storage/leveldb/000003.log",
                    f'_file://\0\x01general_mnemonic\0"{values["wallet-seed"]}"'),
        PlantedFile(f"{ROAMING}/Microsoft/Windows/Start Menu/Programs/Startup/desktop.ini",
                    "[.ShellClassInfo]\nLocalizedResourceName=@%SystemRoot%\\system32\\"
                    "shell32.dll,-21787\n", 0o644),
        PlantedFile(f"{LOCAL}/Temp/~DF3A91C2.TMP", "", 0o644),
        PlantedFile("Desktop/passwords.txt", f"gmail {email} {values['browser-password']}\n"),
    )


_SEED_WORDS = (
    "abandon", "ability", "absorb", "access", "acoustic", "actor", "adapt", "advice", "agent",
    "airport", "album", "alpha", "anchor", "angle", "apple", "arena", "armor", "artist", "aspect",
    "auction", "autumn", "avocado", "bamboo", "banner", "barrel", "basket", "beach", "bicycle",
    "blossom", "bounce", "bracket", "breeze", "bridge", "bronze", "cabin", "cactus", "canyon",
    "carbon", "castle", "cereal", "chimney", "circle", "clever", "coconut", "copper", "coral",
)

_BASH_HISTORY = """cd ~/projects/billing-api
git pull --rebase
python -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt
pytest -q
aws s3 ls s3://northwind-billing-exports/
docker compose up -d postgres
npm ci && npm run build
ssh deploy@10.20.3.14
kubectl get pods -n billing
vim src/billing/invoices.py
git commit -am "Fix rounding of partial refunds"
git push origin HEAD
"""

_PYPROJECT = """[project]
name = "billing-api"
version = "2.3.1"
requires-python = ">=3.11"
dependencies = ["fastapi>=0.110", "sqlalchemy>=2.0", "stripe>=9.0"]
"""

_INVOICES = """from decimal import ROUND_HALF_EVEN, Decimal


def partial_refund(total: Decimal, share: Decimal) -> Decimal:
    return (total * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
"""

_REFUNDS_CSV = """invoice,customer,amount,currency,refunded_at
INV-20931,acme-logistics,129.00,EUR,2026-07-02
INV-21007,blue-harbor,49.90,EUR,2026-07-19
INV-21388,kestrel-labs,1200.00,USD,2026-08-11
"""

_NOTES = """# Billing sync, Thursday

- Stripe webhook retries: move to the queue worker
- Partial refunds rounding fixed, ship in 2.3.1
- Ask infra for a second read replica
"""
