"""The typosquatting figures are computed on names the checker has not been built from."""

from __future__ import annotations

from analyzer.detect.typosquat.checker import load_popular
from analyzer.detect.typosquat.variants import normalize
from analyzer.models import Ecosystem
from tests.eval import typosquat_eval


def test_generated_squats_are_never_real_names_and_respect_npm_scopes() -> None:
    popular = load_popular(Ecosystem.NPM)
    known = {normalize(n, Ecosystem.NPM) for n in popular}
    pairs = typosquat_eval.squats(Ecosystem.NPM, popular)
    assert len(pairs) > 3000
    assert not [p for p in pairs if normalize(p.name, Ecosystem.NPM) in known]
    # A scoped target is imitated through its scope, never inside the owner's scope.
    scoped = [p for p in pairs if p.target and p.target.startswith("@")]
    assert scoped
    assert all(p.name.split("/")[0] != p.target.split("/")[0] for p in scoped)


def test_the_figures_are_the_same_from_run_to_run_and_add_up() -> None:
    first = typosquat_eval.evaluate(Ecosystem.PYPI)
    assert first == typosquat_eval.evaluate(Ecosystem.PYPI)
    assert first["squats"] == sum(v["total"] for v in first["by_trick"].values())
    assert first["caught"] == sum(v["caught"] for v in first["by_trick"].values())
    assert first["honest_names"] == typosquat_eval.HELD_OUT[Ecosystem.PYPI]
    # A floor well under today's figures: the check must keep catching misspellings.
    assert first["recall"] > 0.8
