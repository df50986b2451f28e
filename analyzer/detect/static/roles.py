"""Where a file sits in a package decides how it is read: see `FileRole`."""

from __future__ import annotations

import re

from analyzer.detect.static.text import Lang
from analyzer.signals import FileRole

_TEST_DIR = re.compile(
    r"(?:.*[ _-])?(?:unit|integration|functional|manual)?tests?|testing|__tests__|specs?"
    r"|(?:__)?fixtures(?:__)?|__mocks__|examples?|demos?|bench(?:mark)?s?|e2e"
)
# Documentation and repository tooling: neither install nor import runs them.
_DOC_DIRS = frozenset({"docs", "doc", "documentation", "man", ".github", ".circleci", "ci"})
_DOC_EXTS = (".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm", ".ipynb", ".tex")
_DOC_NAMES = frozenset(
    {"makefile", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", "azure-pipelines.yml",
     "tox.ini", "noxfile.py", "dockerfile", "vagrantfile", ".gitignore", ".npmignore",
     ".editorconfig"}
)  # fmt: skip
_META_NAMES = frozenset(
    {"pkg-info", "metadata", "record", "wheel", "sources.txt", "top_level.txt",
     "dependency_links.txt", "not-zip-safe", "zip-safe", "entry_points.txt", "installer",
     "requested", "namespace_packages.txt", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"}
)  # fmt: skip
_META_PREFIXES = ("license", "licence", "copying", "notice", "authors")
_DOC_PREFIXES = ("readme", "changelog", "changes", "history", "contributing", "code_of_conduct")
_META_EXTS = (".map", ".d.ts", ".d.mts", ".d.cts", ".pyi")
_REQUIREMENTS = re.compile(r"(?i)(?:.*requirements.*|requires|constraints.*)\.(?:txt|in)|pipfile")


def file_role(path: str, lang: Lang, install_paths: frozenset[str] = frozenset()) -> FileRole:
    """How a file is read, from where it sits (see `FileRole`)."""
    if path in install_paths:
        return FileRole.INSTALL
    parts = path.lower().split("/")
    name, dirs = parts[-1], parts[:-1]
    if _REQUIREMENTS.fullmatch(name):
        return FileRole.DATA
    if (
        name in _META_NAMES
        or name.startswith(_META_PREFIXES)
        or name.endswith(_META_EXTS)
        or any(d.endswith((".egg-info", ".dist-info")) for d in dirs)
    ):
        return FileRole.METADATA
    if (
        name in _DOC_NAMES
        or name.startswith(_DOC_PREFIXES)
        or name.endswith(_DOC_EXTS)
        or _DOC_DIRS.intersection(dirs)
    ):
        return FileRole.DOCS
    if (
        any(_TEST_DIR.fullmatch(d) for d in dirs)
        or name == "conftest.py"
        or re.fullmatch(r"test_.*\.py|.*_test\.py|.*\.(?:test|spec)\.[cm]?[jt]sx?", name)
    ):
        return FileRole.TEST
    return FileRole.DATA if lang is Lang.OTHER else FileRole.CODE
