"""Requirements read from sdists that only declare them in setup.py, setup.cfg, pyproject.toml
or requirements files: real .tar.gz archives, and the hostile shapes of each."""

from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from analyzer.fetch.interface import Target
from analyzer.fetch.local import LocalFetcher
from analyzer.fetch.metadata import DEFAULT_BUILD_REQUIRES, StaticInfo, read_static_info
from analyzer.fetch.poetry import poetry_requirement, poetry_specifier
from analyzer.fetch.setup_py import MAX_SETUP_PY_BYTES

from .conftest import Builder, FakeRegistry

TOP = "demo-1.0"


def sdist(tmp_path: Path, files: dict[str, str | bytes], *, pkg_info: str | None = None,
          top: str = TOP) -> Path:
    """A .tar.gz holding `files` under `top`; PKG-INFO only when given (old sdists lack
    Requires-Dist, hand-made ones lack PKG-INFO altogether)."""
    if pkg_info is not None:
        files = {"PKG-INFO": pkg_info, **files}
    path = tmp_path / f"{top}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode() if isinstance(text, str) else text
            # A leading "/" here means "outside the top folder", not an absolute member.
            info = tarfile.TarInfo(name[1:] if name.startswith("/") else f"{top}/{name}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


def read(tmp_path: Path, files: dict[str, str | bytes], **kwargs: str) -> StaticInfo:
    return read_static_info(sdist(tmp_path, files, **kwargs))


OLD_PKG_INFO = "Metadata-Version: 1.0\nName: demo\nVersion: 1.0\nSummary: old style\n"


# --- setup.py, through its syntax tree -----------------------------------------------

@pytest.mark.parametrize(("setup_py", "extra", "expected"), [
    ('from setuptools import setup\nsetup(name="demo", install_requires=["alpha>=1", "beta"])',
     {}, ("alpha>=1", "beta")),
    ('import setuptools\nBASE = ["alpha"]\nREQS = BASE + ["beta"]\nREQS += ["gamma<2"]\n'
     'REQS.append("delta")\nsetuptools.setup(install_requires=REQS)',
     {}, ("alpha", "beta", "gamma<2", "delta")),
    ('setup(install_requires=open("requirements.txt").read().splitlines())',
     {"requirements.txt": "alpha==1.0  # pinned\n\n-r requirements/base.txt\n--index-url x\n"
                          "-e .\n", "requirements/base.txt": "beta\n"},
     ("alpha==1.0", "beta")),
    ('import os\nhere = os.path.abspath(os.path.dirname(__file__))\n'
     'with open(os.path.join(here, "deps", "runtime.txt")) as f:\n'
     '    reqs = [line.strip() for line in f if line.strip()]\n'
     'setup(install_requires=reqs)',
     {"deps/runtime.txt": "alpha\nbeta; python_version >= '3.8'\n"},
     ("alpha", "beta; python_version >= '3.8'")),
    ('from pathlib import Path\n'
     'setup(install_requires=(Path(__file__).parent / "reqs.in").read_text().splitlines())',
     {"reqs.in": "alpha\n"}, ("alpha",)),
    ('def read_requirements(path):\n    return open(path).read().splitlines()\n'
     'setup(install_requires=read_requirements("requirements-prod.txt"))',
     {"requirements-prod.txt": "alpha\n"}, ("alpha",)),
    ('args = dict(install_requires=["alpha"], extras_require={\n'
     '    "dev": ["pytest"], ":sys_platform == \'linux\'": ["beta"]})\nsetup(**args)',
     {}, ("alpha", 'beta; sys_platform == "linux"')),
    ('if __name__ == "__main__":\n    setup(install_requires="""\n    alpha  # one\n    beta\n""")',
     {}, ("alpha", "beta")),
], ids=["literal", "names-and-concatenation", "open-read-splitlines", "with-open-join",
        "pathlib", "helper", "kwargs-and-marker-extras", "string-block"])
def test_setup_py_only_sdist(tmp_path: Path, setup_py: str, extra: dict[str, str],
                             expected: tuple[str, ...]) -> None:
    info = read(tmp_path, {"setup.py": setup_py, **extra})
    assert (info.name, info.version, info.kind) == ("demo", "1.0", "sdist")
    assert info.requires_dist == expected
    assert all(Requirement(line) for line in info.requires_dist)
    assert "requirements_unread" not in info.metadata


def test_pkg_info_without_requires_dist_is_filled_and_setup_requires_build(
        tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": 'setup(install_requires=["alpha"], setup_requires=['
                           '"setuptools_scm>=6"])'}, pkg_info=OLD_PKG_INFO)
    assert info.metadata["summary"] == "old style"
    assert info.requires_dist == ("alpha",)
    assert info.build_requires == (*DEFAULT_BUILD_REQUIRES, "setuptools_scm>=6")


def test_requires_dist_in_pkg_info_wins(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": 'setup(install_requires=["alpha"], setup_requires=["pbr"])'},
                pkg_info=OLD_PKG_INFO + "Requires-Dist: omega\n")
    assert info.requires_dist == ("omega",)
    assert info.build_requires == (*DEFAULT_BUILD_REQUIRES, "pbr")


def test_what_is_not_a_literal_is_left_out_and_noted(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": 'v = get_version()\nsetup(install_requires=[f"alpha=={v}",'
                                       ' "beta"], setup_requires=compute())'})
    assert info.requires_dist == ("beta",)
    assert info.build_requires == DEFAULT_BUILD_REQUIRES
    assert info.metadata["requirements_unread"] == "setup.py setup_requires is not a literal"


# --- setup.cfg and pyproject.toml ------------------------------------------------------

def test_setup_cfg(tmp_path: Path) -> None:
    cfg = ("[metadata]\nname = demo\n\n[options]\ninstall_requires =\n    alpha>=1\n"
           "    # a comment\n    beta; python_version < \"4\"\nsetup_requires = wheel; cython\n"
           "\n[options.extras_require]\ndev = pytest\n")
    info = read(tmp_path, {"setup.py": "from setuptools import setup\nsetup()\n",
                           "setup.cfg": cfg, "pyproject.toml": '[build-system]\nrequires = '
                           '["setuptools>=61"]\n'})
    assert info.requires_dist == ("alpha>=1", 'beta; python_version < "4"')
    assert info.build_requires == ("setuptools>=61", "wheel", "cython")


def test_setup_cfg_file_directive(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": "setup()", "setup.cfg": "[options]\ninstall_requires = "
                           "file: requirements.txt\n", "requirements.txt": "alpha\n"})
    assert info.requires_dist == ("alpha",)


def test_pyproject_pep621_union_with_setup_py(tmp_path: Path) -> None:
    pyproject = ('[build-system]\nrequires = ["hatchling"]\n[project]\nname = "demo"\n'
                 'version = "1.0"\ndependencies = ["alpha>=2", "beta"]\n'
                 '[project.optional-dependencies]\ntest = ["pytest"]\n')
    info = read(tmp_path, {"pyproject.toml": pyproject,
                           "setup.py": 'setup(install_requires=["beta", "gamma"])'})
    assert info.requires_dist == ("beta", "gamma", "alpha>=2")
    assert info.build_requires == ("hatchling",)


def test_pyproject_setuptools_dynamic_file(tmp_path: Path) -> None:
    pyproject = ('[project]\nname = "demo"\nversion = "1.0"\ndynamic = ["dependencies"]\n'
                 '[tool.setuptools.dynamic]\ndependencies = {file = ["requirements.in"]}\n')
    info = read(tmp_path, {"pyproject.toml": pyproject, "requirements.in": "alpha\n"})
    assert info.requires_dist == ("alpha",)


def test_poetry_dependencies(tmp_path: Path) -> None:
    pyproject = """
[tool.poetry]
name = "demo"
version = "1.0"
[tool.poetry.dependencies]
python = "^3.8"
caret = "^1.2.3"
zerocaret = "^0.2"
tilde = "~1.2"
star = "*"
either = "1.0 || 2.0"
table = { version = ">=2, <3", extras = ["socks"], markers = "sys_platform == 'linux'" }
maybe = { version = "^1", optional = true }
local = { path = "../local" }
gitdep = { git = "https://example.org/gitdep.git" }
several = [{ version = "^1", python = "<3.9" }, { version = "^2", python = ">=3.9" }]
[tool.poetry.group.dev.dependencies]
pytest = "^8"
[build-system]
requires = ["poetry-core>=1.0"]
build-backend = "poetry.core.masonry.api"
"""
    info = read(tmp_path, {"pyproject.toml": pyproject})
    assert info.requires_dist == (
        "caret>=1.2.3,<2", "zerocaret>=0.2,<0.3", "tilde>=1.2,<1.3", "star", "either",
        "table[socks]>=2,<3 ; sys_platform == 'linux'", "gitdep @ git+https://example.org/gitdep.git",
        "several")
    assert info.build_requires == ("poetry-core>=1.0",)
    assert all(Requirement(line) for line in info.requires_dist)


@pytest.mark.parametrize(("constraint", "specifier"), [
    ("^1.2.3", ">=1.2.3,<2"), ("^0.2.3", ">=0.2.3,<0.3"), ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("^0", ">=0,<1"), ("~1.2.3", ">=1.2.3,<1.3"), ("~1", ">=1,<2"), ("~=1.2", "~=1.2"),
    (">= 1.2 < 2.0", ">=1.2,<2.0"), ("1.2.*", "==1.2.*"), ("1.2.3", "==1.2.3"), ("=1.0", "==1.0"),
    ("*", ""), ("1.0 || 2.0", ""), ("^1.2.*", ""), ("latest!", ""), (">=1.0.0-beta.1 <<", ""),
])
def test_poetry_constraints_become_pep440(constraint: str, specifier: str) -> None:
    assert poetry_specifier(constraint) == specifier
    line = poetry_requirement("pkg", constraint)
    assert line == f"pkg{specifier}"
    Requirement(line)


@pytest.mark.parametrize("spec", [{"version": "^1", "markers": "not a marker (("},
                                  {"version": "^1", "extras": ["no good!"]}])
def test_poetry_bad_parts_fall_back_to_a_parsable_line(spec: dict[str, object]) -> None:
    assert poetry_requirement("pkg", spec) == "pkg>=1,<2"


def test_poetry_names_that_are_no_names_are_left_out() -> None:
    assert poetry_requirement("../evil", "^1") is None
    assert poetry_requirement("gitdep", {"git": "not a url ( at all"}) is None


# --- hostile input ---------------------------------------------------------------------

@pytest.mark.parametrize(("setup_py", "problem"), [
    ("x = " + "-" * 1_000_000 + "1\nsetup(install_requires=['a'])", "larger than"),
    ("x = " + "-" * 100_000 + "1\nsetup(install_requires=['a'])", "nested too deep"),
    ("x = 1" + "+1" * 100_000 + "\nsetup(install_requires=['a'])", "nested too deep"),
    ("x = " + "[" * 100_000 + "]" * 100_000 + "\nsetup(install_requires=['a'])",
     "not valid Python"),
    ("setup(install_requires=['a'])\n#" + "x" * MAX_SETUP_PY_BYTES, "larger than"),
    ("x = [" + "a," * 110_000 + "]\nsetup(install_requires=['a'])", "syntax nodes"),
], ids=["million-deep", "deep-unary", "deep-binop", "deep-brackets", "huge", "many-nodes"])
def test_hostile_setup_py_is_skipped_with_a_note(tmp_path: Path, setup_py: str,
                                                 problem: str) -> None:
    started = time.monotonic()
    info = read(tmp_path, {"setup.py": setup_py})
    assert time.monotonic() - started < 10
    assert (info.name, info.requires_dist) == ("demo", ())
    assert info.metadata["requirements_unread"].startswith("setup.py ")
    assert problem in info.metadata["requirements_unread"]


def test_exponential_names_stop_at_the_item_bound(tmp_path: Path) -> None:
    lines = ["a0 = ['x']"] + [f"a{i + 1} = a{i} + a{i}" for i in range(60)]
    info = read(tmp_path, {"setup.py": "\n".join(lines) + "\nsetup(install_requires=a60)"})
    assert info.requires_dist == ()
    assert "install_requires is not a literal" in info.metadata["requirements_unread"]


def test_self_reference_does_not_loop(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": "r = r + ['a']\nsetup(install_requires=r)"})
    assert info.requires_dist == ()


@pytest.mark.parametrize(("setup_py", "files"), [
    ('setup(install_requires=open("../outside/requirements.txt").read().splitlines())', {}),
    ('setup(install_requires=open("/etc/requirements.txt").readlines())', {}),
    ('setup(install_requires=open("requirements.txt").readlines())',
     {"requirements.txt": "alpha\n-r ../../requirements.txt\n-r /etc/requirements.txt\n"
                          "-r ..\\..\\requirements.txt\n"}),
    ('setup(install_requires=open("requirements.txt").readlines())',
     {"/other-1.0/requirements.txt": "stolen\n", "requirements.txt": "alpha\n"
      "-r ../other-1.0/requirements.txt\n"}),
], ids=["dotdot", "absolute", "include-escapes", "include-another-top-folder"])
def test_requirements_files_outside_the_archive_are_refused(
        tmp_path: Path, setup_py: str, files: dict[str, str]) -> None:
    info = read(tmp_path, {"setup.py": setup_py, **files})
    assert info.requires_dist == (("alpha",) if files else ())
    assert "outside the archive" in info.metadata["requirements_unread"]
    assert "stolen" not in info.requires_dist


def test_include_loops_and_missing_files(tmp_path: Path) -> None:
    info = read(tmp_path, {
        "setup.py": 'setup(install_requires=open("requirements.txt").read().split())',
        "requirements.txt": "alpha\n-r more.txt\n-r gone.txt\n",
        "more.txt": "beta\n-r requirements.txt\n-r more.txt\n"})
    assert info.requires_dist == ("alpha", "beta")
    assert info.metadata["requirements_unread"] == \
        "requirements file 'gone.txt' is not in the archive"


def test_nested_includes_stop_at_the_depth_bound(tmp_path: Path) -> None:
    chain = {f"r{i}.txt": f"dep{i}\n-r r{i + 1}.txt\n" for i in range(10)}
    info = read(tmp_path, {"setup.py": 'setup(install_requires=open("r0.txt").readlines())',
                           **chain})
    assert info.requires_dist == ("dep0", "dep1", "dep2", "dep3")
    assert "included more than 4 deep" in info.metadata["requirements_unread"]


def test_a_huge_requirements_file_is_skipped(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": 'setup(install_requires=open("requirements.txt"))',
                           "requirements.txt": "alpha\n" * 100_000})
    assert info.requires_dist == ()
    assert "larger than" in info.metadata["requirements_unread"]


def test_bad_setup_cfg_and_pyproject_do_not_stop_the_rest(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": 'setup(install_requires=["alpha"])',
                           "setup.cfg": "no section header\n"})
    assert info.requires_dist == ("alpha",)
    assert info.metadata["requirements_unread"] == "setup.cfg is not a valid INI file"


# --- into the wheelhouse -------------------------------------------------------------

def test_a_setup_py_only_sdist_gets_its_dependencies_prepared(
        registry: FakeRegistry, make_wheel: Builder, tmp_path: Path) -> None:
    registry.add_pypi("leafdep", "0.1", [make_wheel("leafdep", "0.1")])
    registry.add_pypi("otherdep", "2.0", [make_wheel("otherdep", "2.0")])
    registry.add_pypi("setuptools", "70.0", [make_wheel("setuptools", "70.0")])
    registry.add_pypi("buildhelper", "1.0", [make_wheel("buildhelper", "1.0")])
    path = sdist(tmp_path, {
        "setup.py": 'REQS = ["leafdep>=0.1"]\nsetup(name="demo", install_requires=REQS + '
                    'open("requirements.txt").read().splitlines(), setup_requires=["buildhelper"])',
        "requirements.txt": "otherdep==2.0\n"})
    fetched = LocalFetcher(registry.urls).fetch(Target(None, path=path), tmp_path / "w")
    assert {(d.name, d.version, d.missing_reason) for d in fetched.dependencies} == {
        ("leafdep", "0.1", None), ("otherdep", "2.0", None), ("setuptools", "70.0", None),
        ("buildhelper", "1.0", None)}


def test_pypi_release_without_requires_dist_reads_the_sdist(
        registry: FakeRegistry, make_wheel: Builder, tmp_path: Path) -> None:
    from analyzer.fetch.pypi import PypiFetcher
    registry.add_pypi("leafdep", "0.1", [make_wheel("leafdep", "0.1")])
    registry.add_pypi("setuptools", "70.0", [make_wheel("setuptools", "70.0")])
    registry.add_pypi("demo", "1.0", [sdist(tmp_path, {
        "setup.py": 'setup(install_requires=["leafdep"])'}, pkg_info=OLD_PKG_INFO)],
        requires_dist=None)
    fetched = PypiFetcher(registry.urls).fetch(Target(None, name="demo", version="1.0"),
                                               tmp_path / "w")
    assert {d.name for d in fetched.dependencies if d.version} == {"leafdep", "setuptools"}


def test_one_requirements_file_for_both_runtime_and_setup(tmp_path: Path) -> None:
    info = read(tmp_path, {"setup.py": 'reqs = open("requirements.txt").read().splitlines()\n'
                                       'setup(install_requires=reqs, setup_requires=reqs)',
                           "requirements.txt": "alpha\n"})
    assert info.requires_dist == ("alpha",)
    assert info.build_requires == (*DEFAULT_BUILD_REQUIRES, "alpha")


def test_deeply_parenthesised_markers_are_refused_not_a_crash(tmp_path: Path) -> None:
    from analyzer.fetch.wheelhouse import applicable
    deep = "(" * 5000 + "os_name == 'posix'" + ")" * 5000
    assert poetry_requirement("pkg", {"version": "^1", "markers": deep}) == "pkg>=1,<2"
    info = read(tmp_path, {"setup.py": "setup(extras_require={':" + deep + "': ['alpha']})"})
    assert info.requires_dist == ()
    assert applicable([f"pkg ; {deep}"])[1][0].missing_reason == "unparsable requirement"
