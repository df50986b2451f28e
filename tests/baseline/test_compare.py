"""The change set: inventories taken from real archives, and typed results compared."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from analyzer.baseline.compare import compare, dependency_source
from analyzer.baseline.interface import ChangeKind, DependencySource, Inventory, PackageFile
from analyzer.baseline.inventory import InventoryTaker
from analyzer.fetch.archive import read_members
from analyzer.models import (
    AnalysisResult,
    DnsQuery,
    Ecosystem,
    FileAccess,
    FileEvent,
    NetworkActivity,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    ProcessEvent,
    Resources,
)
from analyzer.signals import MAX_FILE_BYTES, FileRole, SignalKind, StaticSignal
from tests.packages import build_npm_tgz, build_sdist, build_wheel
from tests.results import unscored_result


def npm_release(tmp_path: Path, version: str, files: dict[str, str],
                manifest: dict[str, Any] | None = None) -> tuple[Path, PackageRef]:
    source = tmp_path / f"src-{version}"
    source.mkdir()
    doc = {"name": "tiny-colors", "version": version, "main": "index.js", **(manifest or {})}
    (source / "package.json").write_text(json.dumps(doc))
    for name, text in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text)
    tgz = build_npm_tgz(source, tmp_path)
    return tgz, PackageRef(Ecosystem.NPM, "tiny-colors", version, "", tgz.name)


def inventory_of(path: Path, ref: PackageRef) -> Inventory:
    taker = InventoryTaker(ref)
    for _ in taker.watch(read_members(path, lambda _: True, MAX_FILE_BYTES)):
        pass
    return taker.inventory()


def result(ref: PackageRef, inventory: Inventory | None = None,
           install: PhaseTrace | None = None, metadata: dict[str, str] | None = None,
           signals: tuple[StaticSignal, ...] = ()) -> AnalysisResult:
    phases = tuple(
        PhaseResult(phase, PhaseStatus.COMPLETED, 1.0, 0,
                    install if phase is Phase.INSTALL and install else PhaseTrace(),
                    Resources(None, None))
        for phase in (Phase.INSTALL, Phase.IMPORT))
    return replace(unscored_result(), package=ref, phases=phases, inventory=inventory,
                   metadata=metadata or {}, static_signals=signals)


def test_an_npm_tarball_inventory_lists_files_without_the_top_folder(tmp_path: Path) -> None:
    tgz, ref = npm_release(tmp_path, "1.0.0", {"index.js": "module.exports = 1;\n"}, {
        "scripts": {"test": "node test.js"}, "bin": {"colors": "cli.js"},
        "dependencies": {"ansi": "^1.0.0"}})
    inventory = inventory_of(tgz, ref)
    assert [f.path for f in inventory.files] == ["index.js", "package.json"]
    assert inventory.files[0].size == len("module.exports = 1;\n")
    assert inventory.scripts == (("test", "node test.js"),)
    assert inventory.entry_points == ("colors",)
    assert inventory.requirements == (("ansi", "^1.0.0"),)


def test_a_wheel_and_an_sdist_keep_their_paths_from_release_to_release(tmp_path: Path) -> None:
    def release(version: str) -> tuple[Inventory, Inventory]:
        source = tmp_path / version
        (source / "tiny").mkdir(parents=True)
        (source / "tiny" / "__init__.py").write_text("x = 1\n")
        (source / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: tiny\nVersion: {version}"
                                         "\nRequires-Dist: requests>=2\n")
        out = tmp_path / f"out-{version}"
        out.mkdir()
        wheel, sdist = build_wheel(source, out), build_sdist(source, out)
        return (inventory_of(wheel, PackageRef(Ecosystem.PYPI, "tiny", version, "", wheel.name)),
                inventory_of(sdist, PackageRef(Ecosystem.PYPI, "tiny", version, "", sdist.name)))

    (wheel1, sdist1), (wheel2, sdist2) = release("1.0"), release("1.1")
    assert [f.path for f in wheel1.files] == [f.path for f in wheel2.files]
    assert "tiny-VERSION.dist-info/METADATA" in [f.path for f in wheel1.files]
    assert [f.path for f in sdist1.files] == [f.path for f in sdist2.files]
    assert "tiny/__init__.py" in [f.path for f in sdist1.files]
    assert wheel1.requirements == (("requests", "requests>=2"),)


def test_a_hijacked_release_shows_its_new_script_files_and_dependency(tmp_path: Path) -> None:
    old_tgz, old_ref = npm_release(tmp_path, "1.0.0", {
        "index.js": "module.exports = (s) => s;\n", "README.md": "colors\n"},
        {"scripts": {"prepare": "tsc"}, "dependencies": {"ansi": "^1.0.0"}})
    new_tgz, new_ref = npm_release(tmp_path, "1.0.1", {
        "index.js": "module.exports = (s) => s;\n" + "var a=1;" * 500, "setup.js": "fetch(x)\n"},
        {"scripts": {"prepare": "bun run build.ts", "postinstall": "node setup.js",
                     "install": "node-gyp rebuild"},
         "bin": {"colors": "cli.js"},
         "dependencies": {"ansi": "^1.0.0", "helper": "github:someone/helper#main"}})
    changes = compare(result(new_ref, inventory_of(new_tgz, new_ref)),
                      result(old_ref, inventory_of(old_tgz, old_ref)))
    by_kind = {(c.kind, c.subject): c for c in changes.changes}
    assert changes.baseline == "1.0.0"
    assert (ChangeKind.FILE_ADDED, "setup.js") in by_kind
    assert (ChangeKind.FILE_REMOVED, "README.md") in by_kind
    grown = by_kind[(ChangeKind.FILE_GROWN, "index.js")]
    assert grown.detail == "+4000 bytes"
    assert by_kind[(ChangeKind.SCRIPT_ADDED, "postinstall")].after == "node setup.js"
    changed = by_kind[(ChangeKind.SCRIPT_CHANGED, "prepare")]
    assert (changed.before, changed.after, changed.detail) == ("tsc", "bun run build.ts", "")
    assert by_kind[(ChangeKind.SCRIPT_ADDED, "install")].detail == "build"  # node-gyp only
    assert (ChangeKind.ENTRY_POINT_ADDED, "colors") in by_kind
    dependency = by_kind[(ChangeKind.DEPENDENCY_ADDED, "helper")]
    assert dependency.detail == "git"
    assert (ChangeKind.DEPENDENCY_ADDED, "ansi") not in by_kind
    assert changes.notes == ()


def test_an_identical_release_has_no_changes(tmp_path: Path) -> None:
    files = {"index.js": "module.exports = 1;\n"}
    old_tgz, old_ref = npm_release(tmp_path, "1.0.0", files)
    new_tgz, new_ref = npm_release(tmp_path, "1.0.1", files)
    trace = PhaseTrace(network=NetworkActivity(dns=(DnsQuery("registry.example", "A", 5,
                                                             "resolver"),)))
    changes = compare(result(new_ref, inventory_of(new_tgz, new_ref), trace),
                      result(old_ref, inventory_of(old_tgz, old_ref), trace))
    # package.json differs in its version only: same size, so not grown.
    assert changes.changes == ()


def test_new_destinations_programs_and_bait_reads_are_per_phase() -> None:
    ref0 = PackageRef(Ecosystem.NPM, "p", "1.0.0", "", "p-1.0.0.tgz")
    ref1 = replace(ref0, version="1.1.0", filename="p-1.1.0.tgz")
    before = PhaseTrace(
        processes=(ProcessEvent(5, None, "/usr/bin/node", ("node", "x"), True),),
        network=NetworkActivity(dns=(DnsQuery("old.example", "A", 5, "resolver"),)))
    after = PhaseTrace(
        processes=(ProcessEvent(5, None, "/usr/bin/node", ("node", "x"), True),
                   ProcessEvent(6, 5, "/usr/bin/curl", ("curl", "x"), True)),
        files=(FileEvent(6, "node", "/home/dev/.npmrc", FileAccess.READ, True),
               FileEvent(6, "node", "/home/dev/notes.txt", FileAccess.READ, True)),
        network=NetworkActivity(dns=(DnsQuery("old.example", "A", 5, "resolver"),
                                     DnsQuery("Webhook.example.", "A", 6, "resolver"))))
    changes = compare(result(ref1, Inventory(), after), result(ref0, Inventory(), before))
    assert [(c.kind, c.subject, c.phase, c.detail) for c in changes.changes] == [
        (ChangeKind.DESTINATION_ADDED, "webhook.example", Phase.INSTALL, "dns"),
        (ChangeKind.PROCESS_ADDED, "curl", Phase.INSTALL, ""),
        (ChangeKind.BAIT_READ_ADDED, "~/.npmrc", Phase.INSTALL, ""),
    ]


def test_metadata_changes_name_an_email_on_another_domain() -> None:
    ref0 = PackageRef(Ecosystem.PYPI, "p", "1.0", "", "p-1.0.tar.gz")
    ref1 = replace(ref0, version="1.1", filename="p-1.1.tar.gz")
    changes = compare(
        result(ref1, Inventory(), metadata={"author_email": "x@evil.example", "author": "A",
                                            "summary": "new words"}),
        result(ref0, Inventory(), metadata={"author_email": "x@corp.example", "author": "A",
                                            "summary": "old words"}))
    assert [(c.kind, c.subject, c.before, c.after, c.detail) for c in changes.changes] == [
        (ChangeKind.METADATA_CHANGED, "author_email", "x@corp.example", "x@evil.example",
         "domain")]


def test_a_signal_new_to_a_file_is_a_change_and_one_that_was_there_is_not() -> None:
    ref0 = PackageRef(Ecosystem.NPM, "p", "1.0.0", "", "p-1.0.0.tgz")
    ref1 = replace(ref0, version="1.0.1", filename="p-1.0.1.tgz")

    def signal(kind: SignalKind, path: str) -> StaticSignal:
        return StaticSignal(kind, path, 1, "", "", FileRole.CODE)

    changes = compare(
        result(ref1, Inventory(), signals=(signal(SignalKind.MINIFIED_CODE, "package/index.js"),
                                           signal(SignalKind.OBFUSCATION, "package/a.js"))),
        result(ref0, Inventory(), signals=(signal(SignalKind.OBFUSCATION, "package/a.js"),)))
    assert [(c.kind, c.subject, c.detail) for c in changes.changes] == [
        (ChangeKind.SIGNAL_ADDED, "index.js", "minified-code")]


def test_a_baseline_without_an_inventory_is_compared_on_behaviour_and_says_so() -> None:
    ref0 = PackageRef(Ecosystem.NPM, "p", "1.0.0", "", "p-1.0.0.tgz")
    ref1 = replace(ref0, version="1.0.1", filename="p-1.0.1.tgz")
    trace = PhaseTrace(network=NetworkActivity(dns=(DnsQuery("new.example", "A", 5, "trace"),)))
    changes = compare(result(ref1, Inventory(), trace), result(ref0, None))
    assert [c.subject for c in changes.changes] == ["new.example"]
    assert changes.notes == ("no file inventory for the baseline 1.0.0: files, scripts, entry "
                             "points and dependencies are not compared",)


@pytest.mark.parametrize(("spec", "source"), [
    ("^1.2.3", DependencySource.REGISTRY),
    ("npm:other@^1", DependencySource.REGISTRY),
    ("requests>=2; extra == 'x'", DependencySource.REGISTRY),
    ("github:owner/repo#v1", DependencySource.GIT),
    ("owner/repo#main", DependencySource.GIT),
    ("git+https://github.com/o/r.git#abc", DependencySource.GIT),
    ("https://evil.example/x.tgz", DependencySource.URL),
    ("payload @ https://evil.example/p-1.0.tar.gz", DependencySource.URL),
    ("file:../local", DependencySource.FILE),
])
def test_dependency_sources(spec: str, source: DependencySource) -> None:
    assert dependency_source(spec) is source


def test_a_truncated_inventory_compares_growth_only_and_other_layouts_say_so() -> None:
    ref0 = PackageRef(Ecosystem.PYPI, "p", "1.0", "", "p-1.0-py3-none-any.whl")
    ref1 = replace(ref0, version="1.1", filename="p-1.1.tar.gz")
    old = Inventory((PackageFile("a.py", 10, "0"), PackageFile("b.py", 10, "0")))
    new = Inventory((PackageFile("a.py", 20, "1"), PackageFile("c.py", 10, "0")), truncated=True)
    changes = compare(result(ref1, new), result(ref0, old))
    assert [(c.kind, c.subject) for c in changes.changes] == [(ChangeKind.FILE_GROWN, "a.py")]
    assert changes.notes == (
        "more files than the inventory lists: files added or removed are not compared, only "
        "the growth of files both list",
        "the baseline is a .whl and this release a .tar.gz: their files are laid out "
        "differently")
