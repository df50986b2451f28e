"""Name forms and naming the trick: normalisation, look-alikes, affixes, `classify`."""

from __future__ import annotations

import pytest

from analyzer.detect.typosquat.variants import (
    KEYBOARD_NEIGHBOURS,
    Kind,
    affix_form,
    classify,
    combo_cores,
    normalize,
    own_core,
    reorder_key,
    sepless,
    skeleton,
    split_scope,
)
from analyzer.models import Ecosystem


def test_normalize_follows_pep_503_for_pypi_only() -> None:
    assert normalize("Flask_SQL.Alchemy--x", Ecosystem.PYPI) == "flask-sql-alchemy-x"
    assert normalize("JSONStream", Ecosystem.NPM) == "jsonstream"
    assert normalize("lodash.merge", Ecosystem.NPM) == "lodash.merge"


def test_split_scope() -> None:
    assert split_scope("@types/node") == ("types", "node")
    assert split_scope("node") == (None, "node")
    assert split_scope("@broken") == (None, "@broken")


def test_forms() -> None:
    assert sepless("@types/node") == "typesnode"
    assert sepless("cross-env") == sepless("cross_env") == sepless("crossenv")
    assert skeleton("rnatp1ot1ib") == skeleton("matplotlib")
    assert skeleton("vvheel") == skeleton("wheel")
    assert skeleton("b0t05") == skeleton("botos")
    assert skeleton("boto3") != skeleton("botoe")
    assert reorder_key("requests-toolbelt") == reorder_key("toolbelt_requests")
    assert reorder_key("requests") is None


def test_affixes() -> None:
    assert affix_form("python3-cord") == affix_form("py-cord") == "pycord"
    assert affix_form("discord.python") == affix_form("discord-py")
    assert affix_form("nodejs-foo") == affix_form("node-foo")
    assert {"requests", "requests-dev"} <= combo_cores("python3-requests-dev")
    assert "requests" in combo_cores("requests2")
    assert "d3" in combo_cores("d3.js")
    assert own_core("python-dateutil") == "dateutil"
    assert own_core("pytest") == "pytest"


def test_keyboard_neighbours() -> None:
    assert KEYBOARD_NEIGHBOURS["a"] == frozenset("qwsz")
    assert KEYBOARD_NEIGHBOURS["g"] == frozenset("tyfhvb")
    assert KEYBOARD_NEIGHBOURS["1"] == frozenset("2q")
    assert all(
        key in KEYBOARD_NEIGHBOURS[near]
        for key, nears in KEYBOARD_NEIGHBOURS.items()
        for near in nears
    )


@pytest.mark.parametrize(
    ("query", "target", "kind"),
    [
        ("reqeusts", "requests", Kind.SWAP),
        ("reqursts", "requests", Kind.KEYBOARD),
        ("xsetuptools", "setuptools", Kind.KEYBOARD),
        ("requ1re", "require", Kind.HOMOGLYPH),
        ("rnock", "mock", Kind.HOMOGLYPH),
        ("numpyy", "numpy", Kind.REPEAT),
        ("reqquessts", "requests", Kind.REPEAT),
        ("urlib3", "urllib3", Kind.OMISSION),
        ("reqests", "requests", Kind.OMISSION),
        ("crossenv", "cross-env", Kind.SEPARATOR),
        ("toolbelt-requests", "requests-toolbelt", Kind.REORDER),
        ("types-node", "@types/node", Kind.SCOPE),
        ("@evil/lodash", "lodash", Kind.SCOPE),
        ("djanga", "django", Kind.EDIT),
        ("colourama", "colorama", Kind.EDIT),
    ],
)
def test_classify(query: str, target: str, kind: Kind) -> None:
    assert classify(query, target) is kind
