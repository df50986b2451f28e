"""From every traced event to the ones a reviewer and the rules need, and the IOCs among them."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from analyzer.models import (
    ConnectionEvent,
    FileAccess,
    FileEvent,
    Iocs,
    PhaseTrace,
    ProcessEvent,
)
from analyzer.trace.noise import is_routine_read

# Hosts every analysis talks to legitimately (the registries); never IOCs.
REGISTRY_HOSTS = frozenset({
    "pypi.org", "files.pythonhosted.org", "pypi.python.org", "registry.npmjs.org",
    "registry.yarnpkg.com",
})


# Bounds on what one phase keeps: a package that floods the trace (a loop of failing
# opens on distinct paths made 1.3 M file events) must not make the result unbounded.
MAX_FILE_EVENTS = 20_000
MAX_PROCESS_EVENTS = 5_000
MAX_CONNECTIONS = 5_000


def condense(trace: PhaseTrace) -> PhaseTrace:
    """Drop routine reads, PATH-search exec misses, local unix-socket chatter, binds to an
    ephemeral port, and repeated DNS questions; bound what is left (see `bounded_files`)."""
    files = bounded_files(tuple(
        event for event in trace.files
        if not (event.access is FileAccess.READ and is_routine_read(event.path))
    ))
    connections = tuple(
        c for c in trace.network.connections
        if c.family != "unix" and not (c.syscall == "bind" and not c.port)
    )
    dns = tuple({(q.name, q.qtype, q.source): q for q in trace.network.dns}.values())
    return replace(
        trace,
        files=files,
        processes=_without_path_search_misses(trace.processes)[:MAX_PROCESS_EVENTS],
        network=replace(trace.network, connections=connections[:MAX_CONNECTIONS], dns=dns),
    )


def bounded_files(files: tuple[FileEvent, ...]) -> tuple[FileEvent, ...]:
    """At most MAX_FILE_EVENTS events: the first half as they come; then accesses that
    succeeded, and failed ones only once per folder and kind and for a quarter of the
    bound, so a flood of misses cannot push a later credential read or write out."""
    if len(files) <= MAX_FILE_EVENTS:
        return files
    kept = list(files[:MAX_FILE_EVENTS // 2])
    seen: set[tuple[str, FileAccess]] = set()
    for event in files[MAX_FILE_EVENTS // 2:]:
        if len(kept) >= MAX_FILE_EVENTS:
            break
        if not event.ok:
            key = (event.path.rsplit("/", 1)[0], event.access)
            if key in seen or len(seen) >= MAX_FILE_EVENTS // 4:
                continue
            seen.add(key)
        kept.append(event)
    return tuple(kept)


def bound_notes(phase: str, traced: PhaseTrace) -> list[str]:
    """What a reviewer should know about a phase whose events (as traced, before
    `condense`) pass a bound."""
    counts = (("file", len(traced.files), MAX_FILE_EVENTS),
              ("process", len(traced.processes), MAX_PROCESS_EVENTS),
              ("connection", len(traced.network.connections), MAX_CONNECTIONS))
    return [f"{phase}: {count} {kind} events were traced, more than the {bound} a result "
            "keeps; later failed accesses were kept once per folder, the rest left out"
            for kind, count, bound in counts if count > bound]


def _without_path_search_misses(processes: tuple[ProcessEvent, ...]) -> tuple[ProcessEvent, ...]:
    """A shell looking up `sh` tries each PATH entry; only the exec that ran (or the last
    failure, when none did) says what the process wanted."""
    succeeded = {(p.pid, p.argv) for p in processes if p.ok}
    kept: list[ProcessEvent] = []
    last_failure: dict[tuple[int, tuple[str, ...]], ProcessEvent] = {}
    for process in processes:
        key = (process.pid, process.argv)
        if process.ok:
            kept.append(process)
        elif key not in succeeded:
            last_failure[key] = process
    kept.extend(last_failure.values())
    return tuple(kept)


def _is_public_ip(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast)


def _outbound(connection: ConnectionEvent) -> bool:
    return connection.family in ("inet", "inet6") and _is_public_ip(connection.address)


def collect_iocs(traces: tuple[PhaseTrace, ...]) -> Iocs:
    """Domains asked for, addresses dialled and URLs requested, registries left out."""
    domains: dict[str, None] = {}
    ips: dict[str, None] = {}
    urls: dict[str, None] = {}
    for trace in traces:
        for query in trace.network.dns:
            name = query.name.rstrip(".").lower()
            if name and name not in REGISTRY_HOSTS and name != "localhost":
                domains[name] = None
        for connection in trace.network.connections:
            if _outbound(connection):
                ips[connection.address] = None
        for request in trace.network.http:
            if request.host.lower() not in REGISTRY_HOSTS:
                urls[request.url] = None
                domains.setdefault(request.host.lower(), None)
        for hello in trace.network.tls:
            if hello.sni and hello.sni.lower() not in REGISTRY_HOSTS:
                domains.setdefault(hello.sni.lower(), None)
    return Iocs(domains=tuple(domains), ips=tuple(ips), urls=tuple(urls))
