"""Where a package would send data: webhooks, paste sites, OAST and tunnel hosts, raw IPs."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from analyzer.detect.static.interface import (
    ALL_LANGS,
    READ_ROLES,
    KindInfo,
    Reads,
    Scanner,
    text_check,
)
from analyzer.detect.static.text import SourceFile, clue, display
from analyzer.signals import FileRole, SignalKind, StaticSignal

# Suffixes are matched on the host name; the key says which kind a match is.
_HOST_SUFFIXES: dict[SignalKind, tuple[str, ...]] = {
    SignalKind.EXFIL_WEBHOOK: (
        "webhook.site", "pipedream.net", "requestbin.net", "requestbin.com",
        "requestcatcher.com", "beeceptor.com", "hookbin.com", "webhook.cool",
    ),
    SignalKind.PASTE_SITE: (
        "pastebin.com", "paste.ee", "hastebin.com", "hastebin.skyra.pw", "ghostbin.com",
        "ghostbin.co", "rentry.co", "rentry.org", "controlc.com", "dpaste.org", "dpaste.com",
        "termbin.com", "ix.io", "sprunge.us", "paste.rs", "pastie.org", "justpaste.it",
        "transfer.sh", "file.io", "anonfiles.com", "gofile.io", "catbox.moe", "tmpfiles.org",
        "temp.sh", "bashupload.com", "0x0.st", "uguu.se", "pixeldrain.com", "filebin.net",
        "oshi.at", "dl.dropboxusercontent.com", "dl.dropbox.com", "paste.website",
    ),
    SignalKind.OAST_HOST: (
        "interact.sh", "interactsh.com", "oast.fun", "oast.pro", "oast.live", "oast.site",
        "oast.online", "oast.me", "oastify.com", "burpcollaborator.net", "canarytokens.com",
        "canarytokens.org", "canarytokens.net", "dnslog.cn", "dnslog.link", "ceye.io",
        "requestrepo.com", "bxss.me", "xss.ht", "pingb.in", "dig.pm",
    ),
    SignalKind.TUNNEL_HOST: (
        "ngrok.io", "ngrok.app", "ngrok-free.app", "ngrok-free.dev", "ngrok.dev", "loca.lt",
        "localtunnel.me", "serveo.net", "serveousercontent.com", "trycloudflare.com",
        "localhost.run", "lhr.life", "pagekite.me", "bore.pub", "playit.gg", "portmap.io",
        "pinggy.io", "pinggy.link", "devtunnels.ms",
    ),
}  # fmt: skip

_URL = re.compile(r"(?i)\b(?:https?|ftp|wss?)://([^\s'\"<>`\\)\]},;]+)")
_SUFFIX_KIND = {s: kind for kind, suffixes in _HOST_SUFFIXES.items() for s in suffixes}
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
_WEBHOOKS = (
    clue("webhooks", r"(?i)discord(?:app)?\.com/api(?:/v\d+)?/webhooks/\d+", "Discord webhook"),
    clue("api.telegram.org", r"(?i)api\.telegram\.org/bot", "Telegram bot API"),
    clue("hooks.slack.com", r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/",
         "Slack incoming webhook"),
    # A webhook given as id + token instead of a URL (discord.js, discord.py).
    clue("webhook",
         r"\b(?:WebhookClient|Webhook\.partial|SyncWebhook\.partial)\(\s*['\"]?\d{17,20}",
         "Discord webhook client with a hard-coded id"),
)  # fmt: skip
_DISCORD_ATTACHMENT = clue(
    "/attachments/",
    r"(?i)(?:cdn|media)\.discordapp\.(?:com|net)/attachments/",
    "Discord attachment",
)
# Images on file hosts are embed thumbnails and avatars, not payloads.
# A request made on a line: Python's HTTP clients and sockets, and JavaScript's.
REQUEST_CALL = re.compile(
    r"\b(?:requests|httpx|session|client)\.(?:post|put|patch|get|request)\s*\(|\burlopen\s*\("
    r"|\bRequest\s*\(|\.sendall?\s*\(|\.sendto\s*\(|\bfetch\s*\(|\baxios(?:\.\w+)?\s*\("
    r"|\bhttps?\.(?:get|request)\s*\(|\.open\s*\(\s*['\"](?:GET|POST)"
)
_IMAGE = re.compile(r"(?i)\.(?:png|jpe?g|gif|webp|svg|ico)(?:\?\S*)?$")


def _bare_hosts(src: SourceFile) -> Iterator[tuple[int, str, SignalKind]]:
    """(offset, host, kind) for host names ending in a listed suffix. A literal search per
    suffix: one regex alternation of them all is far slower on large files."""
    lower = src.lower
    for suffix, kind in _SUFFIX_KIND.items():
        end = 0
        while (start := lower.find(suffix, end)) != -1:
            end = start + len(suffix)
            after = lower[end : end + 2]
            if after[:1] in _HOST_CHARS and not (after[:1] == "." and after[1:] not in _HOST_CHARS):
                continue  # a longer host name: pastebin.com.example.org
            before = lower[start - 1] if start else " "
            if before in _HOST_CHARS and before != ".":
                continue  # notpastebin.com
            if before == "/" and lower[start - 3 : start] != "://":
                continue  # a file path: /tmp/temp.sh
            begin = start
            while begin and lower[begin - 1] in _HOST_CHARS:
                begin -= 1
            yield begin, lower[begin:end].lstrip(".-"), kind


def _kind_of_host(host: str) -> SignalKind | None:
    host = host.lower().rstrip(".")
    for kind, suffixes in _HOST_SUFFIXES.items():
        if any(host == s or host.endswith("." + s) for s in suffixes):
            return kind
    return None


def _generic_paste(host: str) -> bool:
    """paste.example.org, examplepastebin.net: paste hosts the suffix table lacks."""
    host = host.lower()
    return _kind_of_host(host) is None and (host.startswith("paste.") or "pastebin" in host)


def _public_ip(host: str) -> str | None:
    host = host.split(":", 1)[0].strip("[]")
    if not re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", host):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return host if address.is_global else None


def destination_kind(url: str) -> SignalKind | None:
    """What kind of suspicious place a URL points to (paste site, tunnel, raw public IP,
    webhook host...), or None for an ordinary host."""
    host = re.sub(r"(?i)^[a-z]+://", "", url).split("/", 1)[0].split("@")[-1]
    if _public_ip(host) is not None:
        return SignalKind.RAW_IP_URL
    name = host.split(":", 1)[0]
    if _DISCORD_ATTACHMENT.pattern.search(url):
        return SignalKind.PASTE_SITE
    return _kind_of_host(name) or (SignalKind.PASTE_SITE if _generic_paste(name) else None)


def check_network(src: SourceFile) -> Iterator[StaticSignal]:
    """Suspicious destinations in code, configs and requirement files. Comments and tests
    are skipped: URLs there are examples and fixtures, not destinations."""
    if src.role is FileRole.TEST:
        return
    text = src.text
    seen: set[tuple[SignalKind, str]] = set()

    def once(kind: SignalKind, offset: int, detail: str) -> Iterator[StaticSignal]:
        if (kind, detail) not in seen and not src.is_comment(offset):
            seen.add((kind, detail))
            yield src.signal(kind, offset, detail)

    for entry in _WEBHOOKS:
        if src.has(*entry.hints):
            for m in entry.pattern.finditer(text):
                detail = f"{entry.what}: {_url_at(text, m.start(), m.end())}"
                yield from once(SignalKind.EXFIL_WEBHOOK, m.start(), detail)
    if src.has(*_DISCORD_ATTACHMENT.hints):
        for m in _DISCORD_ATTACHMENT.pattern.finditer(text):
            url = _url_at(text, m.start(), m.end())
            if not _IMAGE.search(url):
                yield from once(SignalKind.PASTE_SITE, m.start(), f"Discord attachment link: {url}")
    for offset, host, kind in _bare_hosts(src):
        url = _url_at(text, offset, offset + len(host))
        if not (kind is SignalKind.PASTE_SITE and _IMAGE.search(url)):
            yield from once(kind, offset, f"{host}: {url}")
    if "://" not in text:
        return
    for m in _URL.finditer(text):
        host = m.group(1).split("/", 1)[0].split("@")[-1]
        if _generic_paste(host.split(":", 1)[0]):
            detail = f"{host.lower()}: {display(m.group(0)[:200])}"
            yield from once(SignalKind.PASTE_SITE, m.start(), detail)
        ip = _public_ip(host)
        if ip is not None:
            yield from once(SignalKind.RAW_IP_URL, m.start(), display(m.group(0)[:200]))


def _url_at(text: str, start: int, end: int) -> str:
    """The whole URL-like token around text[start:end], for the detail."""
    low, high = max(0, start - 200), min(len(text), end + 200)
    while start > low and not text[start - 1].isspace() and text[start - 1] not in "'\"`(<[{=,":
        start -= 1
    while end < high and not text[end].isspace() and text[end] not in "'\"`)>]},;":
        end += 1
    return display(text[start:end][:200])


# Configs and requirement files too; tests never: URLs there are fixtures.
NETWORK = Scanner(
    name="network",
    check=text_check(check_network),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    langs=ALL_LANGS,
    roles=READ_ROLES - {FileRole.TEST},
    kinds={
        SignalKind.EXFIL_WEBHOOK: KindInfo(
            "a webhook or bot API often used to receive stolen data",
            strong=True,
        ),
        SignalKind.PASTE_SITE: KindInfo("a paste site or anonymous file host URL", strong=True),
        SignalKind.OAST_HOST: KindInfo(
            "an out-of-band testing host (interactsh, Burp Collaborator...)",
            strong=True,
        ),
        SignalKind.TUNNEL_HOST: KindInfo(
            "a tunnelling service host (ngrok, localtunnel...)",
            strong=True,
        ),
        SignalKind.RAW_IP_URL: KindInfo(
            "a URL to a public IP address instead of a host name",
            strong=False,
        ),
    },
)
