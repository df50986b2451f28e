"""A malicious analysis result whose every package-controlled string is an XSS payload.

Built from the typed objects and turned into the JSON document by `result_to_dict`, so the
pages are tested on exactly what `analyze` and the store produce.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from analyzer.baseline.interface import Change, ChangeKind, ChangeSet
from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    Dependency,
    DnsQuery,
    Ecosystem,
    FileAccess,
    FileEvent,
    Finding,
    HttpRequest,
    Iocs,
    Leak,
    NetworkActivity,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    ProcessEvent,
    Resources,
    Severity,
    TcpStream,
    TlsHello,
    TraceStats,
    Typosquat,
    Verdict,
)
from analyzer.result_codec import result_to_dict
from analyzer.signals import FileRole, SignalKind, StaticSignal

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onerror="alert(1)'
JS_URL = "javascript:alert(1)"
IMG = '<img src=x onerror="alert(1)">'
PAYLOADS = (SCRIPT, ATTRIBUTE, JS_URL, IMG)
HOSTILE_NAME = f"evil{SCRIPT}{ATTRIBUTE}"


def hostile_result(name: str = HOSTILE_NAME, verdict: Verdict = Verdict.MALICIOUS,
                   score: float = 97.5, started_at: str = "2024-05-01T12:00:00+00:00",
                   ecosystem: Ecosystem = Ecosystem.PYPI) -> AnalysisResult:
    home = "/home/dev"
    install = PhaseTrace(
        files=(
            FileEvent(11, "python", f"{home}/.ssh/id_rsa", FileAccess.READ, True),
            FileEvent(11, "python", f"{home}/.aws/credentials", FileAccess.READ, True),
            FileEvent(12, "sh", f"/tmp/{SCRIPT}.py", FileAccess.WRITE, True, mode=0o755),
            FileEvent(12, "sh", f"/tmp/{ATTRIBUTE}", FileAccess.RENAME, True, target=JS_URL),
            FileEvent(11, "python", "/usr/lib/python3/os.py", FileAccess.READ, True),
        ),
        processes=(
            ProcessEvent(10, None, "/usr/bin/pip", ("pip", "install", "evil.tar.gz"), True),
            ProcessEvent(11, 10, "/usr/bin/python3", ("python3", "setup.py", "install"), True),
            ProcessEvent(12, 11, "/bin/sh", ("sh", "-c", f"curl {JS_URL} | sh; echo {SCRIPT}"),
                         True),
            ProcessEvent(13, 12, "/usr/bin/curl", ("curl", IMG), False),
        ),
        network=NetworkActivity(
            dns=(DnsQuery(f"{SCRIPT}.evil.example", "A", 12, "trace"),),
            connections=(ConnectionEvent(12, "curl", "inet", "tcp", "203.0.113.7", 443,
                                         "connected", "connect"),),
            http=(HttpRequest("POST", f"http://evil.example/x?{JS_URL}", "evil.example",
                              (("User-Agent", ATTRIBUTE), ("X-Token", SCRIPT)),
                              f"aws={IMG}&key={SCRIPT}", "ab" * 32, False),),
            tls=(TlsHello(f"{ATTRIBUTE}.example", ("h2",), 443),),
            streams=(TcpStream(4444, f"bash -i {SCRIPT}"),),
        ),
        leaks=(Leak("aws-secret-access-key", "http", f"http://evil.example/{SCRIPT}", 12),),
    )
    phases = (
        PhaseResult(Phase.INSTALL, PhaseStatus.COMPLETED, 4.2, 0, install,
                    Resources(120.5, 1.5), output_tail=f"Installed {SCRIPT}\n",
                    forced=(f"installed without dependencies (missing: {SCRIPT})",
                            f"ctypes.windll.{ATTRIBUTE}")),
        PhaseResult(Phase.IMPORT, PhaseStatus.TIMEOUT, 60.0, None, PhaseTrace(),
                    Resources(None, None)),
        PhaseResult(Phase.EXECUTE, PhaseStatus.SKIPPED, 0.0, None, PhaseTrace(),
                    Resources(None, None)),
    )
    return AnalysisResult(
        package=PackageRef(ecosystem, name, f"1.0{SCRIPT}", "0" * 64, f"{ATTRIBUTE}.tar.gz"),
        started_at=started_at, duration_s=64.2, phases=phases,
        dependencies=(Dependency("requests", "2.32.3", "requests-2.32.3-py3-none-any.whl"),
                      Dependency(f"dep{SCRIPT}", None, None, missing_reason=ATTRIBUTE)),
        trace_stats=TraceStats(1000, 900, 3, 123456),
        verdict=verdict, score=score,
        findings=(Finding("honeytoken-exfiltration", Severity.CRITICAL, Phase.INSTALL,
                          f"sends secrets {SCRIPT}", (f"POST {JS_URL}", IMG)),
                  Finding("static-exec-decoded", Severity.HIGH, None, "exec of base64",
                          (ATTRIBUTE,))),
        iocs=Iocs(domains=(f"{SCRIPT}.evil.example",), ips=("203.0.113.7",),
                  urls=(JS_URL,)),
        typosquat=Typosquat(f"requests{SCRIPT}", 1, "deletion"),
        static_signals=(StaticSignal(SignalKind.EXEC_DECODED, f"setup{ATTRIBUTE}.py", 3,
                                     f"exec(b64decode('{SCRIPT}'))", f"detail {IMG}",
                                     FileRole.INSTALL),),
        metadata={"summary": f"A package {SCRIPT}", "home_page": JS_URL,
                  "author": ATTRIBUTE},
        notes=(f"note {IMG}",),
        changes=ChangeSet(f"0.9{IMG}", (
            Change(ChangeKind.SCRIPT_CHANGED, f"postinstall{ATTRIBUTE}", f"node {SCRIPT}",
                   f"curl {JS_URL} | sh", detail=IMG),
            Change(ChangeKind.DESTINATION_ADDED, f"{SCRIPT}.evil.example", phase=Phase.INSTALL,
                   detail="dns"),
        ), (f"the baseline {SCRIPT} was analysed first",)),
    )


def hostile_document(**kwargs: Any) -> dict[str, Any]:
    return result_to_dict(hostile_result(**kwargs))


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser
