"""What npm runs at install: package.json's lifecycle scripts, and node-gyp's implicit one."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, ScanContext, Scanner
from analyzer.detect.static.npm import NpmManifest, is_build_command
from analyzer.detect.static.text import SourceFile, clip, display
from analyzer.signals import FileRole, SignalKind, StaticSignal


def check_manifest(
    src: SourceFile, manifest: NpmManifest, binding_gyp: bool
) -> Iterator[StaticSignal]:
    scripts = dict(manifest.all_scripts)
    for hook, command in manifest.scripts:
        found = src.text.find(f'"{hook}"')
        kind = (
            SignalKind.NPM_INSTALL_SCRIPT_BUILD
            if is_build_command(command, scripts)
            else SignalKind.NPM_INSTALL_SCRIPT
        )
        detail = f"{hook}: {display(clip(command, width=180))}"
        yield src.signal(kind, max(found, 0), detail)
    hooks = dict(manifest.scripts)
    if binding_gyp and "install" not in hooks and "preinstall" not in hooks:
        # npm runs node-gyp itself when binding.gyp is present and no install script is set.
        detail = "install (implicit, binding.gyp present): node-gyp rebuild"
        yield src.signal(SignalKind.NPM_INSTALL_SCRIPT_BUILD, 0, detail)


def _check_manifest(src: SourceFile, context: ScanContext) -> Iterator[StaticSignal]:
    if context.manifest is not None:  # the scan hands this check only the parsed manifest
        binding_gyp = f"{context.manifest.root}binding.gyp" in context.paths
        yield from check_manifest(src, context.manifest, binding_gyp)


INSTALL_SCRIPTS = Scanner(
    name="install-scripts",
    check=_check_manifest,
    reads=frozenset({Reads.MANIFEST}),
    roles=frozenset({FileRole.INSTALL}),
    kinds={
        SignalKind.NPM_INSTALL_SCRIPT: KindInfo(
            "package.json runs a command when the package is installed",
            strong=False,
        ),
        SignalKind.NPM_INSTALL_SCRIPT_BUILD: KindInfo(
            "package.json install script that only runs a known native-build or setup tool",
            strong=False,
        ),
    },
)
