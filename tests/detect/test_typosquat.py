"""The typosquat check on the shipped lists: real squats caught, honest names left alone."""

from __future__ import annotations

import time

import pytest

from analyzer.detect.typosquat.checker import (
    TyposquatChecker,
    check_name,
    checker_for,
    load_popular,
    measure_checks_per_second,
)
from analyzer.models import Ecosystem, Typosquat

PYPI, NPM = Ecosystem.PYPI, Ecosystem.NPM

# (name, target, kind). Names marked "sample" are malware found on PyPI, named after
# the files in /work/shared/samples/real/pypi (their names only; the files are live).
SQUATS = [
    (PYPI, "reqeusts", "requests", "swap"),
    (PYPI, "reqests", "requests", "omission"),
    (PYPI, "requestes", "requests", "keyboard"),
    (PYPI, "urlib3", "urllib3", "omission"),
    (PYPI, "djanga", "django", "edit"),
    (PYPI, "colourama", "colorama", "edit"),
    (PYPI, "numpyy", "numpy", "repeat"),
    (PYPI, "pandass", "pandas", "repeat"),
    (PYPI, "matplotib", "matplotlib", "omission"),
    (PYPI, "python-dateutils", "python-dateutil", "edit"),
    (PYPI, "tqdn", "tqdm", "keyboard"),
    (PYPI, "google-aut", "google-auth", "omission"),
    (PYPI, "scikitlearn", "scikit-learn", "separator"),
    (PYPI, "Scikit_Learn_", "scikit-learn", "separator"),
    (PYPI, "rnatplotlib", "matplotlib", "homoglyph"),
    (PYPI, "b0to3", "boto3", "homoglyph"),
    (PYPI, "s1x", "six", "homoglyph"),
    (PYPI, "toolbelt-requests", "requests-toolbelt", "reorder"),
    (PYPI, "python3-requests", "requests", "combosquat"),
    (PYPI, "requests-python", "requests", "combosquat"),
    (PYPI, "requests-sdk", "requests", "combosquat"),
    (PYPI, "dateutil", "python-dateutil", "combosquat"),
    (PYPI, "python-cord", "py-cord", "combosquat"),  # sample
    (PYPI, "BeaotifulSoup", "beautifulsoup", "edit"),  # sample
    (PYPI, "Sjimplejson", "simplejson", "keyboard"),  # sample
    (PYPI, "scikit-lear", "scikit-learn", "omission"),  # sample
    (PYPI, "tensoflqw", "tensorflow", "edit"),  # sample
    (PYPI, "selemiumm", "selenium", "edit"),  # sample
    (PYPI, "asynccio", "asyncio", "repeat"),  # sample
    (PYPI, "customtkiter", "customtkinter", "omission"),  # sample
    (PYPI, "PyGarme", "pygame", "edit"),  # sample
    (PYPI, "fakeuseragent", "fake-useragent", "separator"),  # sample
    (PYPI, "xsetuptools", "setuptools", "keyboard"),  # sample
    (PYPI, "py-corfd", "py-cord", "keyboard"),  # sample
    (PYPI, "hello_wordl", "hello-world", "swap"),  # sample
    (NPM, "lodahs", "lodash", "swap"),
    (NPM, "crossenv", "cross-env", "separator"),
    (NPM, "electorn", "electron", "swap"),
    (NPM, "mongose", "mongoose", "omission"),
    (NPM, "expres", "express", "omission"),
    (NPM, "debugg", "debug", "repeat"),
    (NPM, "babelcli", "babel-cli", "separator"),
    (NPM, "d3.js", "d3", "combosquat"),
    (NPM, "jquery.js", "jquery", "combosquat"),
    (NPM, "lodash.js", "lodash", "combosquat"),
    (NPM, "@typescript_eslinter/eslint", "@typescript-eslint/eslint-plugin", "scope"),
    (NPM, "@typescript_eslint/parser", "@typescript-eslint/parser", "scope"),
    (NPM, "@babell/core", "@babel/core", "scope"),
    (NPM, "@types-node/x", "@types/node", "scope"),
    (NPM, "types-node", "@types/node", "scope"),
    (NPM, "@evil/lodash", "lodash", "scope"),
]

# Popular names, including close pairs that are both popular, and honest names that
# only look like a popular one to a careless rule.
BENIGN = [
    (PYPI, "requests"),
    (PYPI, "urllib3"),
    (PYPI, "numpy"),
    (PYPI, "Requests"),
    (PYPI, "typing_extensions"),
    (PYPI, "pyyaml"),
    (PYPI, "pyaml"),
    (PYPI, "boto"),
    (PYPI, "boto3"),
    (PYPI, "pyqt5"),
    (PYPI, "pyqt6"),
    (PYPI, "pydantic-core"),
    (PYPI, "mypy-boto3-eks"),
    (PYPI, "gunicorn"),
    (PYPI, "unicorn"),
    (PYPI, "slack"),
    (PYPI, "black"),
    (PYPI, "tensorflow-gpu"),  # a real package: `gpu` for `cpu` is another word
    (PYPI, "cupy-cuda13x"),  # another version, not a typo
    (PYPI, "pipp"),  # three-letter names are compared only for look-alikes
    (PYPI, "sox"),
    (PYPI, "pyfoo-test"),
    (PYPI, "python-cord-bot-toolkit"),
    (NPM, "lodash"),
    (NPM, "lodash-es"),
    (NPM, "preact"),
    (NPM, "node-fetch"),
    (NPM, "fetch"),  # not `ofetch` with a letter lost
    (NPM, "@acme/react"),  # `@x/react` is how bindings are named
    (NPM, "@types/lodahs"),  # only DefinitelyTyped publishes in @types
    (NPM, "@babel/cor"),
    (NPM, "@storyblok/js"),
    (NPM, "mss"),
]


@pytest.mark.parametrize(("ecosystem", "name", "target", "kind"), SQUATS)
def test_catches_squat(ecosystem: Ecosystem, name: str, target: str, kind: str) -> None:
    found = check_name(name, ecosystem)
    assert found is not None, name
    assert (found.target, found.kind) == (target, kind)
    assert found.distance >= 1


@pytest.mark.parametrize(("ecosystem", "name"), BENIGN)
def test_leaves_honest_name_alone(ecosystem: Ecosystem, name: str) -> None:
    assert check_name(name, ecosystem) is None


def test_issue_example() -> None:
    assert check_name("reqeusts", PYPI) == Typosquat(target="requests", distance=1, kind="swap")
    for name in ("requests", "urllib3", "numpy"):
        assert check_name(name, PYPI) is None


@pytest.mark.parametrize("ecosystem", list(Ecosystem))
def test_popular_names_never_flagged_against_each_other(ecosystem: Ecosystem) -> None:
    checker = checker_for(ecosystem)
    assert [name for name in load_popular(ecosystem) if checker.check(name)] == []


def test_most_popular_target_wins() -> None:
    assert TyposquatChecker(["abcdef", "abcdeg"], PYPI).check("abcdex") == Typosquat(
        "abcdef", 1, "edit"
    )
    assert TyposquatChecker(["abcdeg", "abcdef"], PYPI).check("abcdex") == Typosquat(
        "abcdeg", 1, "edit"
    )


def test_look_alike_beats_edit_and_edit_beats_two_edits() -> None:
    checker = TyposquatChecker(["abcdefghij", "abcdefgxyz", "abcd-efghik"], PYPI)
    assert checker.check("abcdefghik") == Typosquat("abcd-efghik", 1, "separator")
    assert checker.check("abcdefgxyj") == Typosquat("abcdefgxyz", 1, "edit")


def test_target_keeps_the_popular_list_spelling() -> None:
    checker = TyposquatChecker(["Flask_SQLAlchemy", "numpy"], PYPI)
    found = checker.check("flask-sqlalchemyy")
    assert found is not None
    assert found.target == "Flask_SQLAlchemy"


def test_short_names_need_exact_look_alikes() -> None:
    checker = TyposquatChecker(["six", "tox", "attrs"], PYPI)
    assert checker.check("sx") is None
    assert checker.check("sixx") is None
    assert checker.check("s1x") == Typosquat("six", 1, "homoglyph")
    assert checker.check("atrs") == Typosquat("attrs", 1, "omission")


def test_combosquat_needs_distinctive_popular_target() -> None:
    filler = [f"filler{i}" for i in range(3000)]
    checker = TyposquatChecker(["test", "node-fetch", "python-dotenv", *filler, "rarelib"], PYPI)
    assert checker.check("pytest-x") is None  # `test` is a word
    assert checker.check("fetch") is None  # and so is the core of `node-fetch`
    assert checker.check("dotenv") == Typosquat("python-dotenv", 7, "combosquat")
    assert checker.check("python-rarelib") is None  # not in the top 3,000
    assert TyposquatChecker(["fetcher"], PYPI).check("py-fetcher") == Typosquat(
        "fetcher", 3, "combosquat"
    )


def test_npm_scope_rules() -> None:
    checker = TyposquatChecker(
        ["lodash", "@babel/core", "@sentry/react", "@mdi/react", "react"], NPM
    )
    assert checker.check("@evil/lodash") == Typosquat("lodash", 6, "scope")
    assert checker.check("@evil/react") is None  # several scopes name their bindings so
    assert checker.check("babel-core") == Typosquat("@babel/core", 2, "scope")
    assert checker.check("@babel/anything") is None  # only the scope's owner publishes there


def test_speed_under_a_millisecond_a_name() -> None:
    checker = checker_for(PYPI)
    names = [n for n in load_popular(NPM)[:2000] if not n.startswith("@")]
    started = time.perf_counter()
    for name in names:
        checker.check(name)
    assert (time.perf_counter() - started) / len(names) < 1e-3


def test_measure_checks_per_second() -> None:
    assert measure_checks_per_second(NPM, seconds=0.05) > 100


def test_rough_false_positive_rate() -> None:
    """Honest, fairly popular PyPI names against the top 5,000: few look like squats."""
    popular = load_popular(PYPI)
    checker = TyposquatChecker(popular[:5000], PYPI)
    flagged = sum(1 for name in popular[5000:] if checker.check(name))
    assert flagged / len(popular[5000:]) < 0.04
