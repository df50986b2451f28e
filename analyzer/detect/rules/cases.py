"""A rule's own test cases: small synthetic analyses written in YAML next to the rule.

A case names the phases it fills and, in each, the events in short form; everything
it leaves out is empty. `~` in a path is the sandbox user's home. Example:

    - note: setup.py reads the SSH key
      install:
        files: [{path: ~/.ssh/id_rsa, access: read}]
        processes: ["sh -c 'cat ~/.ssh/id_rsa'", {argv: [node, x.js], pid: 7, ppid: 6}]
        dns: [evil.example]
        connections: ["203.0.113.5:4444"]
        http: [{method: POST, url: "http://evil.example/x", body: "..."}]
      static: [{kind: exec-decoded, path: setup.py, line: 3}]
      metadata: {summary: "..."}
      typosquat: {target: requests}
      changed: [{kind: script-added, subject: postinstall, after: "node x.js"}]

`changed` lists changes since a baseline (version 0.9.0 unless `baseline:` says);
a case without it has no baseline at all.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from analyzer.baseline.interface import Change, ChangeKind, ChangeSet
from analyzer.detect.rules.patterns import Problems
from analyzer.errors import Error
from analyzer.json_fields import Fields
from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    DnsQuery,
    Ecosystem,
    FileAccess,
    FileEvent,
    HttpRequest,
    Leak,
    NetworkActivity,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    ProcessEvent,
    Resources,
    TcpStream,
    TlsHello,
    TraceStats,
    Typosquat,
)
from analyzer.signals import FileRole, SignalKind, StaticSignal

T = TypeVar("T")
CASE_HOME = "/home/dev"
CASE_KEYS = ("note", "ecosystem", "name", "version", "static", "metadata", "typosquat", "trace",
             "changed", "baseline", *(p.value for p in Phase))
CHANGE_KEYS = ("kind", "subject", "before", "after", "phase", "detail")
PHASE_KEYS = ("files", "processes", "dns", "connections", "http", "tls", "streams", "leaks")


class _CaseError(Error):
    """A value of the wrong type in a case; recorded as a problem, never raised out."""


@dataclass(frozen=True)
class Case:
    label: str  # "positive[0]: note"
    result: AnalysisResult


class _Reader:
    """Reads one case into the models, recording problems instead of raising.

    Values are read by `json_fields.Fields`, as the result codec reads them: a pid that
    is not a whole number or an `ok` that is not a boolean is a problem, not a bad model.
    """

    def __init__(self, where: str, problems: Problems, ecosystem: Ecosystem) -> None:
        self.where = where
        self.problems = problems
        self.ecosystem = ecosystem
        self.next_pid = 100

    def fields(self, item: Any, where: str, allowed: tuple[str, ...],
               required: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(item, Mapping):
            self.problems.add(where, f"expected a mapping with: {', '.join(allowed)}")
            return None
        bad = [k for k in item if k not in allowed]
        for key in bad:
            self.problems.add(where, f"unknown key {key!r} (expected: {', '.join(allowed)})")
        for key in required:
            if key not in item:
                self.problems.add(where, f"missing {key!r}")
        return None if bad or any(k not in item for k in required) else dict(item)

    def typed(self, item: Any, where: str, allowed: tuple[str, ...],
              required: tuple[str, ...] = ()) -> Fields | None:
        f = self.fields(item, where, allowed, required)
        return None if f is None else Fields(f, where, _CaseError)

    @property
    def program(self) -> str:
        return "node" if self.ecosystem is Ecosystem.NPM else "python3"

    # --- events ---------------------------------------------------------------------

    def file(self, item: Any, where: str) -> FileEvent | None:
        if isinstance(item, str):
            item = {"path": item}
        f = self.typed(item, where, ("path", "access", "ok", "process", "pid", "target", "mode"),
                       ("path",))
        if f is None:
            return None
        mode = f.text_or_none("mode")
        try:
            octal = None if mode is None else int(mode, 8)
        except ValueError:
            self.problems.add(f"{where}.mode", f"not an octal mode: {mode!r}")
            return None
        target = f.text_or_none("target")
        return FileEvent(
            pid=f.integer("pid", 100),
            process=f.text("process", self.program),
            path=home(f.text("path")),
            access=f.choice("access", FileAccess, FileAccess.READ),
            ok=f.flag("ok", True),
            target=home(target) if target else None,
            mode=octal,
        )

    def process(self, item: Any, where: str) -> ProcessEvent | None:
        if isinstance(item, (str, list)):
            item = {"argv": item}
        f = self.typed(item, where, ("argv", "executable", "pid", "ppid", "ok"), ("argv",))
        if f is None:
            return None
        if isinstance(item["argv"], str):
            try:
                argv = shlex.split(item["argv"])
            except ValueError as exc:
                self.problems.add(f"{where}.argv", f"cannot split {item['argv']!r}: {exc}")
                return None
        else:
            argv = list(f.texts("argv"))
        if not argv:
            self.problems.add(f"{where}.argv", "expected a command line or a list of strings")
            return None
        argv = [home(a) for a in argv]
        self.next_pid += 1
        executable = f.text("executable", "") or (
            argv[0] if "/" in argv[0] else f"/usr/bin/{argv[0]}")
        return ProcessEvent(pid=f.integer("pid", self.next_pid), ppid=f.integer_or_none("ppid"),
                            executable=home(executable), argv=tuple(argv), ok=f.flag("ok", True))

    def dns(self, item: Any, where: str) -> DnsQuery | None:
        if isinstance(item, str):
            item = {"name": item}
        f = self.typed(item, where, ("name", "qtype", "pid", "source"), ("name",))
        if f is None:
            return None
        return DnsQuery(f.text("name"), f.text("qtype", "A"), f.integer("pid", 100),
                        f.text("source", "resolver"))

    def connection(self, item: Any, where: str) -> ConnectionEvent | None:
        if isinstance(item, str):
            address, _, port = item.rpartition(":")
            item = {"address": address.strip("[]"), "port": int(port) if port.isdigit() else None}
        f = self.typed(item, where, ("address", "port", "protocol", "family", "outcome",
                                     "syscall", "pid", "process"), ("address",))
        if f is None:
            return None
        address = f.text("address")
        try:
            family = "inet6" if ipaddress.ip_address(address).version == 6 else "inet"
        except ValueError:
            family = "unix"
        return ConnectionEvent(
            pid=f.integer("pid", 100), process=f.text("process", self.program),
            family=f.text("family", family), protocol=f.text("protocol", "tcp"),
            address=address, port=f.integer_or_none("port"),
            outcome=f.text("outcome", "connected"), syscall=f.text("syscall", "connect"),
        )

    def http(self, item: Any, where: str) -> HttpRequest | None:
        if isinstance(item, str):
            item = {"url": item}
        f = self.typed(item, where, ("method", "url", "body", "headers"), ("url",))
        if f is None:
            return None
        url, body = f.text("url"), f.text("body", "")
        host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        headers = item.get("headers") or {}
        if not isinstance(headers, Mapping):
            self.problems.add(f"{where}.headers", "expected a mapping of header: value")
            return None
        headers = {"Host": host, **headers}
        return HttpRequest(
            method=f.text("method", "GET"), url=url, host=host,
            headers=tuple((str(k), str(v)) for k, v in headers.items()), body=body,
            body_sha256=hashlib.sha256(body.encode()).hexdigest(), body_truncated=False,
        )

    def tls(self, item: Any, where: str) -> TlsHello | None:
        if isinstance(item, str):
            item = {"sni": item}
        f = self.typed(item, where, ("sni", "port", "alpn", "handshake"))
        if f is None:
            return None
        return TlsHello(f.text_or_none("sni"), f.texts("alpn"), f.integer("port", 443),
                        f.text("handshake", "ok"))

    def stream(self, item: Any, where: str) -> TcpStream | None:
        f = self.typed(item, where, ("port", "data"), ("port", "data"))
        return None if f is None else TcpStream(f.integer("port"), f.text("data"))

    def leak(self, item: Any, where: str) -> Leak | None:
        f = self.typed(item, where, ("token", "channel", "destination", "pid"),
                       ("token", "channel", "destination"))
        if f is None:
            return None
        return Leak(f.text("token"), f.text("channel"), f.text("destination"),
                    f.integer_or_none("pid"))

    def signal(self, item: Any, where: str) -> StaticSignal | None:
        f = self.typed(item, where, ("kind", "path", "line", "excerpt", "detail", "role"),
                       ("kind",))
        if f is None:
            return None
        return StaticSignal(f.choice("kind", SignalKind), f.text("path", "pkg/__init__.py"),
                            f.integer("line", 1), f.text("excerpt", ""), f.text("detail", ""),
                            f.choice("role", FileRole, FileRole.CODE))

    def change(self, item: Any, where: str) -> Change | None:
        if isinstance(item, Mapping):  # sizes may be written as numbers
            item = {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v
                    for k, v in item.items()}
        f = self.typed(item, where, CHANGE_KEYS, ("kind", "subject"))
        if f is None:
            return None
        return Change(f.choice("kind", ChangeKind), f.text("subject"), f.text_or_none("before"),
                      f.text_or_none("after"), f.choice_or_none("phase", Phase),
                      f.text("detail", ""))

    # --- a whole case ----------------------------------------------------------------

    def phase(self, data: Any, where: str) -> PhaseTrace | None:
        f = self.fields(data or {}, where, PHASE_KEYS)
        if f is None:
            return None
        readers: dict[str, Callable[[Any, str], Any]] = {
            "files": self.file, "processes": self.process, "dns": self.dns,
            "connections": self.connection, "http": self.http, "tls": self.tls,
            "streams": self.stream, "leaks": self.leak,
        }
        built = {key: self.items(f.get(key), f"{where}.{key}", readers[key]) for key in PHASE_KEYS}
        return PhaseTrace(
            files=built["files"], processes=built["processes"], leaks=built["leaks"],
            network=NetworkActivity(dns=built["dns"], connections=built["connections"],
                                    http=built["http"], tls=built["tls"],
                                    streams=built["streams"]),
        )

    def items(self, value: Any, where: str, read: Callable[[Any, str], Any]) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problems.add(where, "expected a list")
            return ()
        return tuple(x for x in (self.read(read, v, f"{where}[{i}]")
                                 for i, v in enumerate(value)) if x)

    def read(self, read: Callable[[Any, str], T | None], item: Any, where: str) -> T | None:
        try:
            return read(item, where)
        except _CaseError as exc:
            self.problems.items.append(exc.diagnostics())  # it names the field already
            return None

    def case(self, data: Any) -> AnalysisResult | None:
        before = len(self.problems.items)
        f = self.fields(data, self.where, CASE_KEYS)
        if f is None:
            return None
        try:
            self.ecosystem = Fields(f, self.where, _CaseError).choice("ecosystem", Ecosystem,
                                                                      self.ecosystem)
        except _CaseError as exc:
            self.problems.items.append(exc.diagnostics())
        phases = []
        for phase in Phase:
            trace = self.phase(f.get(phase.value), f"{self.where}.{phase.value}") \
                if phase.value in f else None
            status = PhaseStatus.COMPLETED if trace is not None else PhaseStatus.SKIPPED
            phases.append(PhaseResult(phase, status, 1.0, 0, trace or PhaseTrace(),
                                      Resources(None, None)))
        metadata = f.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            self.problems.add(f"{self.where}.metadata", "expected a mapping of field: value")
            metadata = {}
        squat = None
        if "typosquat" in f:
            squat = self.read(self.typosquat, f["typosquat"], f"{self.where}.typosquat")
        signals = self.items(f.get("static"), f"{self.where}.static", self.signal)
        changes = None
        if "changed" in f:
            changes = ChangeSet(str(f.get("baseline", "0.9.0")),
                                self.items(f["changed"], f"{self.where}.changed", self.change))
        stats = TraceStats(0, 0, 0, 0)
        if "trace" in f:
            t = self.fields(f["trace"], f"{self.where}.trace", ("unparsed", "sample"))
            unparsed = 0 if t is None else t.get("unparsed", 0)
            if isinstance(unparsed, bool) or not isinstance(unparsed, int) or unparsed < 0:
                self.problems.add(f"{self.where}.trace.unparsed", "expected a whole number")
            else:
                sample = () if t is None or "sample" not in t else (str(t["sample"]),)
                stats = TraceStats(unparsed, unparsed, unparsed, 0, sample)
        if len(self.problems.items) != before:
            return None
        name = str(f.get("name", "sample-package"))
        version = str(f.get("version", "1.0.0"))
        return AnalysisResult(
            package=PackageRef(self.ecosystem, name, version, "0" * 64, f"{name}-{version}"),
            started_at="2026-01-01T00:00:00+00:00", duration_s=1.0, phases=tuple(phases),
            dependencies=(), trace_stats=stats, typosquat=squat,
            static_signals=signals, metadata={str(k): str(v) for k, v in metadata.items()},
            changes=changes,
        )


    def typosquat(self, item: Any, where: str) -> Typosquat | None:
        s = self.typed(item, where, ("target", "distance", "kind"), ("target",))
        return None if s is None else Typosquat(s.text("target"), s.integer("distance", 1),
                                                s.text("kind", "edit"))


def home(text: str) -> str:
    if text == "~" or text.startswith("~/"):
        return CASE_HOME + text[1:]
    return text


def parse_cases(data: Any, where: str, problems: Problems,
                ecosystem: Ecosystem) -> tuple[tuple[Case, ...], tuple[Case, ...]]:
    """The `positive` and `benign` cases of one rule."""
    if data is None:
        return (), ()
    if not isinstance(data, Mapping) or set(data) - {"positive", "benign"}:
        problems.add(where, "expected a mapping with `positive` and `benign` lists")
        return (), ()
    built: dict[str, list[Case]] = {"positive": [], "benign": []}
    for group in built:
        items = data.get(group) or []
        if not isinstance(items, list):
            problems.add(f"{where}.{group}", "expected a list of cases")
            continue
        for index, item in enumerate(items):
            place = f"{where}.{group}[{index}]"
            result = _Reader(place, problems, ecosystem).case(item)
            if result is not None:
                note = item.get("note", "") if isinstance(item, Mapping) else ""
                label = f"{group}[{index}]" + (f": {note}" if note else "")
                built[group].append(Case(label, result))
    return tuple(built["positive"]), tuple(built["benign"])
