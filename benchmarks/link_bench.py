"""Linking speed: 1,000 findings x 10,000 plan rows, end to end, beside a plain Python loop.

Run by hand (not a test):

    .venv/bin/python benchmarks/link_bench.py            # the benchmark
    .venv/bin/python benchmarks/link_bench.py --calibrate  # the old threshold calibration table
    .venv/bin/python benchmarks/link_bench.py --decide --findings 200 --rows 2000
        # issue 10: lexical-only scoring beside the full decision (encoder included)

Texts are made by recombining real phrases: clauses of the findings and plan rows of the two
linking cases (tests/fixtures/link), so the vocabulary and lengths are the sector's. The
baseline is what a first attempt would write: a Python double loop over
``fuzz.token_set_ratio`` on a 100 x 1,000 sample, timed and scaled up x100 to the full size.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "fixtures" / "link"
sys.path.insert(0, str(ROOT))

from followthrough.link import matcher  # noqa: E402
from followthrough.link.matcher import (  # noqa: E402
    LINK_THRESHOLD,
    FindingText,
    match,
    previous_sentence,
    score_matrix,
)
from followthrough.models import PlanItem  # noqa: E402


def clauses(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;:])\s+|,\s+(?:and|but|so that|with)\s+", re.sub(r"\s+", " ", text))
    return [p.strip(" .;:") for p in parts if len(p.split()) >= 4]


def phrase_pools() -> tuple[list[str], list[tuple[str, str]]]:
    finding_phrases: list[str] = []
    rows: list[tuple[str, str]] = []
    for case in ("bridgend", "anglesey2016"):
        finding_phrases += clauses((CASES / case / "findings.txt").read_text("utf-8"))
        with open(CASES / case / "plan.csv", encoding="utf-8") as f:
            for r in csv.reader(f):
                if r and r[0] not in ("Ref", "Action No."):
                    rows.append((r[1], r[2]))
    return finding_phrases, rows


def synthetic(n_findings: int, n_rows: int, seed: int = 7) -> tuple[list[FindingText], list[PlanItem]]:
    rng = random.Random(seed)
    finding_phrases, rows = phrase_pools()
    action_clauses = [c for _, action in rows for c in clauses(action)] or [a for _, a in rows]
    areas = [a for a, _ in rows]
    findings = [
        FindingText(" and ".join(rng.sample(finding_phrases, rng.choice((1, 1, 2)))) + ".") for _ in range(n_findings)
    ]
    items = []
    for i in range(n_rows):
        action = "; ".join(rng.sample(action_clauses, rng.choice((1, 2, 2, 3))))
        items.append(
            PlanItem(f"R{i + 1}", f"{i // 25 + 1}. Section", rng.choice(areas), action, document_id=1 + i // 500)
        )
    return findings, items


def bench(n_findings: int, n_rows: int, workers: int, full: bool) -> None:
    findings, items = synthetic(n_findings, n_rows)
    runs = [("candidate pairs", matcher.FULL_CDIST_PAIRS)] + (
        [("cdist over every pair", n_findings * n_rows)] if full else []
    )
    chosen = None
    ours = 0.0
    for label, limit in runs:
        saved, matcher.FULL_CDIST_PAIRS = matcher.FULL_CDIST_PAIRS, limit
        try:
            t0 = time.perf_counter()
            _, links = match(findings, items, workers=workers)
            elapsed = time.perf_counter() - t0
        finally:
            matcher.FULL_CDIST_PAIRS = saved
        pairs = {(i, m.row) for i, found in enumerate(links) for m in found}
        same = "" if chosen is None else f"; same links as above: {pairs == chosen}"
        chosen = chosen if chosen is not None else pairs
        ours = ours or elapsed
        print(
            f"followthrough link ({label}): {n_findings:,} findings x {n_rows:,} rows = {n_findings * n_rows:,} pairs "
            f"in {elapsed:.1f} s (workers={workers}); {sum(bool(f) for f in links):,} findings linked, "
            f"{len(pairs):,} links{same}"
        )

    sample_f, sample_r = findings[:100], items[:1000]
    t0 = time.perf_counter()
    best = 0.0
    for f in sample_f:
        for r in sample_r:
            best = max(best, fuzz.token_set_ratio(f.text, f"{r.area} {r.action}"))
    loop = time.perf_counter() - t0
    scale = (n_findings * n_rows) / (len(sample_f) * len(sample_r))
    print(
        f"python double loop over fuzz.token_set_ratio: 100 x 1,000 in {loop:.2f} s, "
        f"x{scale:.0f} = {loop * scale:.0f} s estimated for the full size "
        f"(string similarity only: no weighting, glossary, topics or reasons)"
    )
    print(f"speed-up: {loop * scale / ours:.1f}x")


def bench_decide(n_findings: int, n_rows: int, workers: int) -> None:
    """Lexical-only scoring (score_matrix + the old global cut-off) beside the full decision:
    the encoder's cosines over action and area/section text, the lexical score, the
    per-finding decision and the reasons (decide_plan). The encoder's one-off load is timed
    apart; texts are encoded once per run (no cache between runs)."""
    from followthrough.language import encoder
    from followthrough.link.matcher import decide_plan

    findings, items = synthetic(n_findings, n_rows)
    pairs = n_findings * n_rows
    t0 = time.perf_counter()
    scores = score_matrix(findings, items, workers=workers)
    matcher.select_links(scores)
    lexical = time.perf_counter() - t0
    print(
        f"lexical only (score_matrix + cut-off): {n_findings:,} findings x {n_rows:,} rows = {pairs:,} pairs in {lexical:.2f} s"
    )
    t0 = time.perf_counter()
    encoder._model()
    load = time.perf_counter() - t0
    print(f"encoder load (WordLlama from its wheel, once per process): {load:.2f} s")
    from followthrough.link import terms

    terms.analyse.cache_clear()  # both timings start from cold text caches
    terms.stem.cache_clear()
    matcher._surface.cache_clear()
    t0 = time.perf_counter()
    _, _, outcomes = decide_plan(findings, items, workers=workers)
    full = time.perf_counter() - t0
    counts = {s: sum(o.status == s for o in outcomes) for s in ("answered", "possibly answered", "gap")}
    print(f"full decision (lexical + encoder + per-finding decision + reasons): {full:.2f} s; {counts}")


def calibrate() -> None:
    """Every (finding, row) score on both dev cases, gold quotes as findings, CSV rows."""
    true, wrong = [], []
    sweep: list[tuple] = []  # (scores, entries, items) per case, for the threshold sweep
    for case in ("bridgend", "anglesey2016"):
        gold = json.loads((CASES / case / "gold.json").read_text("utf-8"))
        text = re.sub(r"\s+", " ", (CASES / case / "findings.txt").read_text("utf-8"))
        with open(CASES / case / "plan.csv", encoding="utf-8") as f:
            rows = [r for r in csv.reader(f)][1:]
        items = [PlanItem(r[0], None, r[1], r[2], document_id=1) for r in rows]
        entries = [g for g in gold["links"] if not g.get("general")]
        findings = [FindingText(g["finding"], previous_sentence(text, text.find(g["finding"]))) for g in entries]
        scores = score_matrix(findings, items)
        sweep.append((scores, entries, items))
        for i, g in enumerate(entries):
            for j, item in enumerate(items):
                row = (float(scores.score[i, j]), case, g["finding"][:45], item.ref)
                (true if item.ref in g["plan_refs"] else wrong).append(row)
    print("true links (score, case, finding, row):")
    for row in sorted(true):
        print(f"  {row[0]:.3f}  {row[1]:<13} {row[3]:<6} {row[2]}")
    print("highest wrong pairs:")
    for row in sorted(wrong)[-5:]:
        print(f"  {row[0]:.3f}  {row[1]:<13} {row[3]:<6} {row[2]}")
    print(f"LINK_THRESHOLD = {LINK_THRESHOLD}: lowest true {min(true)[0]:.3f}, highest wrong {max(wrong)[0]:.3f}")
    print("threshold sweep (both cases, gold quotes): threshold  link P  link R  F1  gaps right")
    for threshold in (0.06, 0.08, 0.10, 0.125, 0.15, 0.20, 0.25):
        tp = n_pred = n_gold = gaps_right = gaps = 0
        for scores, entries, items in sweep:
            for entry, rows in zip(entries, matcher.select_links(scores, threshold=threshold)):
                got = {items[j].ref for j in rows}
                want = set(entry["plan_refs"])
                tp, n_pred, n_gold = tp + len(got & want), n_pred + len(got), n_gold + len(want)
                if not want:
                    gaps += 1
                    gaps_right += not got
        p, r = tp / n_pred if n_pred else 0.0, tp / n_gold
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"  {threshold:.3f}  {p:.2f}  {r:.2f}  {f1:.2f}  {gaps_right}/{gaps}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=-1, help="rapidfuzz cdist threads (-1: all cores)")
    parser.add_argument("--calibrate", action="store_true", help="print the threshold calibration table instead")
    parser.add_argument("--full-cdist", action="store_true", help="also time one cdist over every pair")
    parser.add_argument("--decide", action="store_true", help="lexical-only beside the full decision (issue 10)")
    args = parser.parse_args()
    if args.decide:
        bench_decide(args.findings, args.rows, args.workers)
    elif args.calibrate:
        calibrate()
    else:
        bench(args.findings, args.rows, args.workers, args.full_cdist)


if __name__ == "__main__":
    main()
