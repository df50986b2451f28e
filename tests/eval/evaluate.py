"""`make eval`: measure detection on the project's corpus, real malware and popular packages.

    .venv/bin/python -m tests.eval.evaluate [--out DIR] [--jobs N] [--quick] [--check]
                                            [--only GROUP] [--rescore] [--rerun]
                                            [--rules DIR] [--timeout S]

Every target goes through the real sandbox with `pkgsandbox analyze TARGET --json`:
- the project's labelled malicious corpus (tests/data/corpus, built into archives here
  without running them);
- the real malware in ../shared/samples/real when present (LIVE MALWARE: this script only
  hands their paths to the CLI, which analyses them inside gVisor);
- the benign corpus: popular packages fetched from the registries (tests/eval/benign.py).
Raw results are cached under OUT/raw/ and reused (a corpus sample's cache is keyed by
its source), so `--rescore` scores the stored runs again with the current rules in
seconds. Prints recall per behaviour class, evasion and trigger, precision, recall and
F1, the false positives and the misses by name, typosquatting figures on name pairs and
the time taken; writes OUT/summary.json and OUT/report.html. `--quick` (CI) runs the
corpus, the real malware and a few popular packages; `--check` exits 1 when a target
is missed. Not a test: it needs Docker + runsc and takes a while.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import jsonschema

from analyzer.detect.rules.engine import assess
from analyzer.detect.rules.ruleset import RULES_DIR, RuleSet, load_rules
from analyzer.models import AnalysisResult, Verdict
from analyzer.report.osv import osv_record
from analyzer.result_codec import result_from_dict
from tests.corpus import CorpusSample, LabelError, load_corpus
from tests.eval import benign, page
from tests.eval.scored import Sample, Scored
from tests.eval.summary import print_samples, summarise

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "samples" / "real"
PKGSANDBOX = ROOT / ".venv" / "bin" / "pkgsandbox"
DEFAULT_OUT = ROOT / "reports" / "eval"
OSV_SCHEMA = ROOT / "tests" / "data" / "osv" / "schema.json"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


def _corpus_sample(item: CorpusSample, built: Path) -> Sample:
    digest = hashlib.sha256()
    for path in sorted(item.source.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(item.source)).encode() + b"\0" + path.read_bytes())
    labels = (f"class:{item.behaviour}", f"ecosystem:{item.ecosystem}",
              f"trigger:{item.trigger}", *(f"evasion:{e}" for e in item.evasions))
    return Sample(str(item.build(built)), "corpus", f"{item.key}-{digest.hexdigest()[:10]}",
                  labels)


def samples(only: str | None, quick: bool, out: Path) -> list[Sample]:
    found: list[Sample] = []
    if only in (None, "corpus"):
        found += [_corpus_sample(item, out / "corpus") for item in load_corpus()]
    if only in (None, "malware"):
        found += [Sample(str(p), "malware", _safe(p.name)) for p in sorted(SAMPLES.glob("*/*"))
                  if p.is_file() and not p.name.endswith((".md", ".tsv"))]
    for group, targets in benign.GROUPS.items():
        if only in (None, group):
            found += [Sample(t, group, _safe(t)) for t in targets
                      if not quick or t in benign.QUICK]
    return found


def run_one(sample: Sample, raw: Path, timeout: float, rerun: bool) -> str:
    out, err = raw / f"{sample.key}.json", raw / f"{sample.key}.err"
    if out.exists() and out.stat().st_size and not rerun:
        return "cached"
    started = time.monotonic()
    outcome = _analyze(sample.target, out, err, timeout)
    if outcome == 2 and sample.target.startswith("pypi:"):
        # When the registry fetch itself fails, analyse the same sdist fetched by pip:
        # the measure is about the rules, not about the fetcher.
        local = _pip_sdist(sample.target[len("pypi:"):], raw.parent / "sdists")
        if local is not None:
            outcome = _analyze(str(local), out, err, timeout)
    seconds = time.monotonic() - started
    (raw / f"{sample.key}.seconds").write_text(f"{seconds:.2f}\n")
    return f"exit {outcome} in {seconds:.0f} s"


def _analyze(target: str, out: Path, err: Path, timeout: float) -> int | str:
    try:
        done = subprocess.run([str(PKGSANDBOX), "analyze", target, "--json"],
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        out.write_bytes(b"")
        err.write_text(f"timed out after {timeout:.0f} s\n")
        return "timeout"
    out.write_bytes(done.stdout)
    err.write_bytes(done.stderr)
    return done.returncode


def _pip_sdist(requirement: str, folder: Path) -> Path | None:
    """`NAME==VERSION`'s sdist, downloaded by pip into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "pip"), "download", "--isolated",
                           "--no-deps", "--no-binary", ":all:", "--quiet", "-d", str(folder),
                           requirement], capture_output=True, check=False)
    wanted = _normal(requirement.replace("==", "-")) + "-"
    found = [p for p in folder.iterdir() if _normal(p.name).startswith(wanted)]
    return found[0] if done.returncode == 0 and found else None


def _normal(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def score_one(sample: Sample, raw: Path, rules: RuleSet) -> Scored:
    out, err = raw / f"{sample.key}.json", raw / f"{sample.key}.err"
    timing = raw / f"{sample.key}.seconds"
    seconds = float(timing.read_text()) if timing.exists() else None
    text = out.read_text() if out.exists() else ""
    if not text.strip():
        tail = err.read_text().strip().splitlines()[-1:] if err.exists() else ["not run"]
        return Scored(sample, "error", None, [], None, seconds, tail[0] if tail else "no output")
    stored = result_from_dict(json.loads(text))  # as the CLI printed it
    result: AnalysisResult = assess(stored, rules)
    fired = [f"{f.rule}@{f.phase.value if f.phase else 'static'}" for f in result.findings]
    verdict = result.verdict.value if result.verdict else "none"
    problem = stored.error
    if result.verdict is Verdict.MALICIOUS:
        # Real, hostile data makes a good test of the OSV writer too.
        errors = [e.message for e in _osv_validator().iter_errors(osv_record(result))]
        problem = f"invalid OSV record: {errors[0]}" if errors else problem
    cli_verdict = stored.verdict.value if stored.verdict else None
    return Scored(sample, verdict, result.score, fired, cli_verdict, seconds, problem)


@functools.cache
def _osv_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(OSV_SCHEMA.read_text()))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"results folder (default {DEFAULT_OUT})")
    parser.add_argument("--jobs", type=int, default=2, help="analyses at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per analysis")
    parser.add_argument("--only", choices=["corpus", "malware", *benign.GROUPS])
    parser.add_argument("--quick", action="store_true",
                        help="the corpus, real malware and a few popular packages (CI)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--rescore", action="store_true",
                        help="do not run anything: score the stored results again")
    parser.add_argument("--rerun", action="store_true", help="run even when a result is stored")
    parser.add_argument("--rules", type=Path, action="append", default=[], metavar="DIR",
                        help="extra rules folder, as with `pkgsandbox rules --rules`")
    args = parser.parse_args(argv)
    started = time.monotonic()
    raw = args.out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    try:
        chosen = samples(args.only, args.quick, args.out)
    except LabelError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    if not any(s.group == "malware" for s in chosen) and args.only in (None, "malware"):
        print(f"no real malware under {SAMPLES}: measuring without it", file=sys.stderr)
    if not args.rescore:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(run_one, s, raw, args.timeout, args.rerun): s for s in chosen}
            for future in concurrent.futures.as_completed(futures):
                print(f"{futures[future].key}: {future.result()}", file=sys.stderr, flush=True)
    rules = load_rules([RULES_DIR, *args.rules])
    scored = [score_one(s, raw, rules) for s in chosen]
    print_samples(scored)
    summary = summarise(scored, time.monotonic() - started)
    summary["quick"] = args.quick
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    page.write(summary, args.out / "report.html")
    print(f"\nwrote {args.out / 'summary.json'} and {args.out / 'report.html'}")
    missed = [t["name"] for t in summary["targets"] if not t["met"] and t["gated"]]
    if args.check and missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
