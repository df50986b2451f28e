"""Target strings: registry specs and local files, and one clear error for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import UsageError
from analyzer.fetch.interface import Target
from analyzer.fetch.target import parse_target
from analyzer.models import Ecosystem


@pytest.mark.parametrize(("text", "expected"), [
    ("pypi:requests", Target(Ecosystem.PYPI, "requests")),
    ("pypi:requests==2.32.3", Target(Ecosystem.PYPI, "requests", "2.32.3")),
    ("pypi:zope.interface==6.0rc1", Target(Ecosystem.PYPI, "zope.interface", "6.0rc1")),
    ("  pypi:Foo_Bar-baz==1!2.0.post1  ", Target(Ecosystem.PYPI, "Foo_Bar-baz", "1!2.0.post1")),
    ("npm:left-pad", Target(Ecosystem.NPM, "left-pad")),
    ("npm:left-pad@1.3.0", Target(Ecosystem.NPM, "left-pad", "1.3.0")),
    ("npm:@scope/name@1.2.3-beta.1+build.5", Target(Ecosystem.NPM, "@scope/name",
                                                   "1.2.3-beta.1+build.5")),
    ("npm:@scope/name", Target(Ecosystem.NPM, "@scope/name")),
    ("npm:JSONStream@next", Target(Ecosystem.NPM, "JSONStream", "next")),
])
def test_registry_targets(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("pypi:", "invalid PyPI project name"),
    ("pypi:-bad", "invalid PyPI project name"),
    ("pypi:bad name", "invalid PyPI project name"),
    ("pypi:requests>=2", "invalid PyPI project name"),
    ("pypi:requests==", "invalid PyPI version"),
    ("pypi:requests==not a version", "invalid PyPI version"),
    ("npm:", "invalid npm package name"),
    ("npm:.hidden", "invalid npm package name"),
    ("npm:_under", "invalid npm package name"),
    ("npm:node_modules", "invalid npm package name"),
    ("npm:a/b", "invalid npm package name"),
    ("npm:@scope/", "invalid npm package name"),
    ("npm:name with space", "invalid npm package name"),
    ("npm:x@", "invalid npm version"),
    ("npm:x@^1.2.0", "invalid npm version"),
    ("npm:x@1.2", "invalid npm version"),
    ("gem:rails", "unknown target prefix 'gem'"),
    ("https://evil.example/x.tar.gz", "unknown target prefix 'https'"),
    ("./nothing-here.tar.gz", "no such file"),
    ("README.md", "not pypi:NAME, npm:NAME or a package file"),
])
def test_bad_targets_give_one_line(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_target(text)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["pkg-1.0.tar.gz", "pkg-1.0-py3-none-any.whl", "pkg-1.0.tgz",
                                  "pkg-1.0.zip"])
def test_local_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"content is checked later, by the fetcher")
    assert parse_target(str(path)) == Target(None, path=path.resolve())
