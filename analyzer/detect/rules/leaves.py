"""The leaf clauses of the rule language, one class per YAML key."""

from __future__ import annotations

from typing import Any

from analyzer.detect.rules.leaf import Leaf
from analyzer.detect.rules.leaves_changes import ChangedLeaf
from analyzer.detect.rules.leaves_host import FileLeaf, ProcessLeaf, script_paths
from analyzer.detect.rules.leaves_network import (
    ConnectionLeaf,
    DnsLeaf,
    HttpLeaf,
    LeakLeaf,
    StreamLeaf,
    TlsLeaf,
)
from analyzer.detect.rules.leaves_static import (
    MetadataLeaf,
    SignalLeaf,
    TraceLeaf,
    TyposquatLeaf,
)

__all__ = ["LEAVES", "Leaf", "script_paths"]

LEAVES: dict[str, type[Leaf[Any]]] = {
    leaf.key: leaf
    for leaf in (FileLeaf, ProcessLeaf, DnsLeaf, ConnectionLeaf, HttpLeaf, TlsLeaf, StreamLeaf,
                 LeakLeaf, SignalLeaf, MetadataLeaf, TraceLeaf, TyposquatLeaf, ChangedLeaf)
}
