"""package.json as npm reads it: its install-time hooks, and the package files they run."""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import dataclass

# prepare/prepublish run for git and local installs, uninstall hooks on old npm versions.
INSTALL_HOOKS = (
    "preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare",
    "prepublish", "preuninstall", "uninstall", "postuninstall",
)  # fmt: skip
_BUILD_TOOLS = frozenset(
    {"node-gyp", "node-gyp-build", "node-gyp-build-optional-packages", "prebuild-install",
     "node-pre-gyp", "cmake-js", "husky", "is-ci", "patch-package", "opencollective",
     "opencollective-postinstall", "ngcc", "electron-rebuild", "electron-builder", "tsc",
     "napi", "neon", "pinst", "babel", "rollup", "webpack", "tsup", "vite", "swc", "lerna",
     "npm-run-all", "run-s", "run-p", "ts-patch", "playwright", "echo", "exit", "true", ":"}
)  # fmt: skip
_RUNNERS = frozenset({"npx", "cross-env", "env", "sudo", "nohup", "exec"})
_INTERPRETERS = frozenset({"node", "nodejs", "sh", "bash", "zsh", "python", "python3", "bun"})
_REQUIRE = re.compile(r"""require\(\s*['"](\.{1,2}/[^'"]+)['"]\s*\)""")


@dataclass(frozen=True)
class NpmManifest:
    path: str
    root: str  # directory of package.json, with a trailing slash ("" at the top)
    scripts: tuple[tuple[str, str], ...]  # the install-time hooks only, in INSTALL_HOOKS order
    all_scripts: tuple[tuple[str, str], ...]
    main: str | None


def parse_manifest(path: str, text: str) -> NpmManifest | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # a hostile manifest is no manifest to scan
        return None
    if not isinstance(data, dict):
        return None
    raw = data.get("scripts")
    scripts = {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}
    main = data.get("main") if isinstance(data.get("main"), str) else None
    root = path[: path.rfind("/") + 1]
    hooks = tuple((h, scripts[h]) for h in INSTALL_HOOKS if h in scripts)
    return NpmManifest(path, root, hooks, tuple(scripts.items()), main)


def _segments(command: str) -> list[list[str]]:
    """The simple commands of a script line, each as tokens without env/runner prefixes."""
    out = []
    for part in re.split(r"&&|\|\||;|\|", command):
        try:
            tokens = shlex.split(part)
        except ValueError:
            tokens = part.split()
        while tokens and (re.match(r"^\w+=", tokens[0]) or tokens[0] in _RUNNERS):
            tokens = tokens[1:]
        if tokens:
            out.append(tokens)
    return out


def _program(tokens: list[str]) -> str:
    return tokens[0].rsplit("/", 1)[-1]


def is_build_command(command: str, scripts: dict[str, str], depth: int = 2) -> bool:
    """True when every part of the command is a known build/setup tool (or a script that is)."""
    segments = _segments(command)
    if not segments:
        return True
    for tokens in segments:
        program = _program(tokens)
        if program in ("npm", "yarn", "pnpm") and depth > 0:
            name = tokens[2] if len(tokens) > 2 and tokens[1] == "run" else tokens[-1]
            if name in scripts and is_build_command(scripts[name], scripts, depth - 1):
                continue
            return False
        if program not in _BUILD_TOOLS:
            return False
    return True


def install_targets(manifest: NpmManifest, paths: set[str]) -> set[str]:
    """Package files that the install-time scripts run directly."""
    targets: set[str] = set()
    for _, command in manifest.scripts:
        for tokens in _segments(command):
            program = _program(tokens)
            if program in _INTERPRETERS:
                args = tokens[1:]
                if args and args[0] in ("-e", "--eval", "-p", "--print", "-c"):
                    code = args[1] if len(args) > 1 else ""
                    targets |= {_resolve(manifest, r, paths) for r in _REQUIRE.findall(code)}
                    continue
                script = next((a for a in args if not a.startswith("-")), None)
                if script is not None:
                    targets.add(_resolve(manifest, script, paths))
            elif tokens[0].startswith("./"):
                targets.add(_resolve(manifest, tokens[0], paths))
    targets.discard("")
    return targets


def _resolve(manifest: NpmManifest, relative: str, paths: set[str]) -> str:
    if relative in (".", "./"):
        relative = manifest.main or "index.js"
    base = posixpath.normpath(manifest.root + relative)
    for candidate in (base, base + ".js", base + "/index.js", base + ".cjs", base + ".mjs"):
        if candidate in paths:
            return candidate
    return ""
