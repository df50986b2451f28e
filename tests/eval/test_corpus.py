"""The project's malicious corpus covers what the evaluation issue asks for, and every
sample builds into an archive the analyser accepts, without any of its code running."""

from __future__ import annotations

import importlib.util
import marshal
import types
from collections import Counter
from pathlib import Path

import pytest

from analyzer.fetch import fetcher_for
from analyzer.fetch.interface import RegistryUrls
from analyzer.fetch.target import parse_target
from tests.corpus import CLASSES, EVASIONS, CorpusSample, LabelError, load_corpus

CORPUS = load_corpus()


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
def test_every_behaviour_class_has_two_samples_in_each_ecosystem(ecosystem: str) -> None:
    per_class = Counter(s.behaviour for s in CORPUS if s.ecosystem == ecosystem)
    assert {c: per_class[c] for c in CLASSES if per_class[c] < 2} == {}


def test_every_evasion_is_used_and_every_trigger_appears() -> None:
    used = Counter(e for s in CORPUS for e in s.evasions)
    assert [e for e in EVASIONS if not used[e]] == []
    for ecosystem in ("pypi", "npm"):
        wanted = set(EVASIONS) - ({"pth"} if ecosystem == "npm" else set())
        have = {e for s in CORPUS if s.ecosystem == ecosystem for e in s.evasions}
        assert wanted - have == set(), ecosystem
        triggers = {s.trigger for s in CORPUS if s.ecosystem == ecosystem}
        assert triggers == {"install", "import", "execute"}, ecosystem


@pytest.mark.parametrize("sample", CORPUS, ids=lambda s: s.key)
def test_each_sample_builds_into_a_package_the_analyser_reads(
        sample: CorpusSample, tmp_path: Path) -> None:
    archive = sample.build(tmp_path / "built")
    target = parse_target(str(archive))
    package = fetcher_for(target, RegistryUrls()).fetch(target, tmp_path / "work")
    assert package.ref.ecosystem.value == sample.ecosystem
    assert package.ref.name


SOURCES = Path(__file__).parents[1] / "data" / "corpus" / "sources"
COMPILED = [("pypi/web3-wallet-tools/web3_wallet_tools/_keystore.pyc",
             "pypi-web3-wallet-tools/_keystore.py"),
            ("pypi/release-bumpver/_build_meta.pyc", "pypi-release-bumpver/_build_meta.py")]


@pytest.mark.parametrize(("shipped", "source"), COMPILED)
def test_each_bytecode_payload_is_the_compiled_form_of_its_kept_source(
        shipped: str, source: str) -> None:
    # compile() and marshal only translate and read bytecode: nothing of it runs.
    data = (SOURCES.parent / shipped).read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    code = marshal.loads(data[16:])
    again = compile((SOURCES / source).read_text(), code.co_filename, "exec")
    assert _shape(again) == _shape(code)


def _shape(code: object) -> object:
    """A code object's bytecode, names and constants, nested functions included."""
    if not isinstance(code, types.CodeType):
        return code
    return (code.co_code, code.co_names, code.co_varnames,
            tuple(_shape(const) for const in code.co_consts))


def test_a_bad_label_is_named_with_its_file_and_field(tmp_path: Path) -> None:
    sample = tmp_path / "pypi" / "x"
    sample.mkdir(parents=True)
    (tmp_path / "npm").mkdir()
    (sample / "LABEL.yaml").write_text(
        "class: dropper\nkind: sdist\ntrigger: install\nioc: [a]\nsummary: s\n"
        "evasions: [invisibility]\n")
    with pytest.raises(LabelError, match=r"x/LABEL.yaml: evasions"):
        load_corpus(tmp_path)
    (sample / "LABEL.yaml").write_text("class: dropper\nkind: npm\ntrigger: install\nioc: [a]\n")
    with pytest.raises(LabelError, match=r"kind must be one of \('sdist', 'wheel'\)"):
        load_corpus(tmp_path)
