"""Calibrate the gap check end to end by leave-one-case-out: real extraction, findings
selection and matcher, scored as ../shared/eval/score_links.py scores `gaps --format json`.

usage: .venv/bin/python tools/calibrate_gaps_e2e.py [CASES_DIR] [--json] [--dump]

CASES_DIR (default ../shared/eval/link-dev, relative to the repository's parent) holds one
folder per case: ``findings.*``, ``gold.json`` and ``plan.*``. Each case's findings document
and the plan named in its gold.json are ingested into a fresh database with the installed
``followthrough`` command; the findings are what ``gaps`` selects (link/findings.py), with
their antecedent sentences; the pair features (encoder, lexical, residual) are computed once.
Then, for each case held out in turn, every grid point (decision constants of
:class:`followthrough.link.decide.Params` and the reporting choices of
:class:`followthrough.link.decide.Reporting`) is scored on the five other cases and the best
is applied to the held-out one. Printed per held-out case: link F1, designed gaps flagged,
the findings the report lists as gaps and the share of them that are real, beside the
shipped constants (``DEFAULT``/``REPORTING``, "now"). The last line is the grid point best on
all six cases and how many folds chose it: what ``decide.DEFAULT``/``decide.REPORTING`` hold.

``--dump`` prints every finding of every case under the shipped constants (status, best row,
gold rows) for reading, not for choosing.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from followthrough.link import decide, matcher, semantic  # noqa: E402
from followthrough.link.store import load_plan_items, load_selection  # noqa: E402
from followthrough.models import PlanItem, Statement  # noqa: E402

GRID = {
    "lexical": (1.0, 2.0),
    "context": (0.0, 0.25, 0.5),
    "part": (0.0, 1.0),
    "link_z": (1.0, 1.5, 2.0),
    "relative": (0.7, 0.8, 0.9),
    "group_relative": (0.3, 0.5),
    "gap_z": (0.0,),
    "gap_score": (0.0, 1.0, 1.5, 2.0, 2.5),
    "residual_gap": (0.0,),
    "review_residual": (0.0, 0.1, 0.15, 0.2),
    "answered_score": (1.5, 2.0, 2.28, 2.5, 3.0),
}
REPORTING_GRID = {
    "review_as_gap": ("never", "demoted", "demoted list items", "always"),
    "unlisted": (True, False),
}


@dataclass
class Case:
    name: str
    plan: str
    gold: dict
    findings: list[Statement]
    rows: list[PlanItem]
    feats: semantic.Features
    residual: np.ndarray  # findings x rows
    groups: list


def _scorer(cases: Path):
    """score_links.py: beside the case folders (the test fixtures) or one level up (shared/eval)."""
    path = next(
        (p for p in (cases / "score_links.py", cases.parent / "score_links.py") if p.is_file()),
        ROOT.parent.parent / "shared" / "eval" / "score_links.py",
    )
    spec = importlib.util.spec_from_file_location("score_links", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def load_case(folder: Path, ft: str, tmp: Path) -> Case:
    gold = json.loads((folder / "gold.json").read_text("utf-8"))
    findings_doc = next(folder.glob("findings.*"))
    plan = folder / gold.get("plan_document", "")
    if not plan.is_file():
        plan = sorted(folder.glob("plan.*"))[0]
    db_path = tmp / f"{folder.name}.db"
    subprocess.run([ft, "--db", str(db_path), "ingest", str(findings_doc), str(plan)], check=True, capture_output=True)
    db = sqlite_utils.Database(db_path)
    selection, contexts = load_selection(db, None)
    plan_ids = [r[0] for r in db.execute("SELECT DISTINCT document_id FROM plan_items")]
    rows = load_plan_items(db, plan_ids)
    texts = [matcher.FindingText(s.text, contexts.get(s.id)) for s in selection.findings]
    scores = matcher.score_matrix(texts, rows)
    feats = semantic.features([t.text for t in texts], rows, scores.score)
    every = [(i, j) for i in range(len(texts)) for j in range(len(rows))]
    res = semantic.residual_similarity([t.text for t in texts], rows, every)
    residual = np.ones((len(texts), len(rows)))
    for (i, j), v in res.items():
        residual[i, j] = v
    return Case(folder.name, plan.name, gold, selection.findings, rows, feats, residual, decide.row_groups(rows))


def report_json(case: Case, params: decide.Params, reporting: decide.Reporting) -> dict:
    """What `gaps --format json` would say of the case's findings (text, status, link refs)."""
    if not case.rows:
        return {"findings": [{"text": s.text, "status": decide.GAP, "links": []} for s in case.findings]}
    score = semantic.combine(case.feats, params.lexical, params.context, params.part)
    decisions = decide.decide(score, params, case.groups, lambda i, j: float(case.residual[i, j]))
    has_list = {s.document_id for s in case.findings if s.section}
    out = []
    for i, (s, d) in enumerate(zip(case.findings, decisions)):
        best_residual = float(case.residual[i, d.closest]) if d.closest is not None else 1.0
        status = decide.report_status(
            d.status, best_residual, bool(s.section), s.document_id in has_list, params, reporting
        )
        links = [] if status in (decide.GAP, "unlisted") else [{"ref": str(case.rows[j].ref)} for j in d.rows]
        out.append({"text": s.text, "status": status, "links": links})
    return {"findings": out}


STATUS_KEYS = ("gap_score", "answered_score", "review_residual")


def grid() -> list[tuple[decide.Params, decide.Reporting]]:
    keys, rkeys = list(GRID), list(REPORTING_GRID)
    params = [decide.Params(**dict(zip(keys, v))) for v in itertools.product(*(GRID[k] for k in keys))]
    reporting = [
        decide.Reporting(**dict(zip(rkeys, v))) for v in itertools.product(*(REPORTING_GRID[k] for k in rkeys))
    ]
    return [(p, r) for p in params if p.answered_score >= p.gap_score for r in reporting]


def fast_scores(case: Case, points: list[tuple[decide.Params, decide.Reporting]], scorer) -> list[dict]:
    """The scorer's figures for every grid point, computed in bulk: the rows a finding links
    do not depend on the status constants, so ``decide`` runs once per score/link setting and
    the statuses are then applied as arrays (decide.status_of and decide.report_status, in
    numpy). Checked against the plain path in main()."""
    n = len(case.findings)
    gold = [g for g in case.gold["links"] if not g.get("general")]
    reports = [{"text": s.text} for s in case.findings]
    index = [reports.index(f) if (f := scorer.find(g["finding"], reports)) is not None else -1 for g in gold]
    want = [set(g["plan_refs"]) for g in gold]
    gap_gold = np.array([not w for w in want])
    found = np.array([k >= 0 for k in index])
    fi = np.array([max(k, 0) for k in index], dtype=int)
    listed = np.array([bool(s.section) for s in case.findings])
    has_list = {s.document_id for s in case.findings if s.section}
    in_listed_doc = np.array([s.document_id in has_list for s in case.findings])
    out: list[dict] = []
    memo: dict = {}
    for p, r in points:
        key = (p.lexical, p.context, p.part, p.link_z, p.relative, p.group_relative)
        if key not in memo:
            score = semantic.combine(case.feats, p.lexical, p.context, p.part)
            loose = p.with_(gap_score=-1e9, gap_z=-1e9, answered_score=-1e9, review_residual=0.0, residual_gap=0.0)
            ds = decide.decide(score, loose, case.groups) if n and case.rows else []
            best = score.argmax(axis=1) if n and case.rows else np.zeros(n, dtype=int)
            z = decide.standardise(score) if n and case.rows else np.zeros((n, 0))
            plan = decide.plan_standardise(score) if n and case.rows else np.zeros((n, 0))
            rows_i = np.arange(n)
            top = score[rows_i, best] if case.rows else np.zeros(n)
            top_z = z[rows_i, best] if case.rows else np.zeros(n)
            level = plan[rows_i, best] if case.rows else np.zeros(n)
            res = case.residual[rows_i, best] if case.rows else np.ones(n)
            refs = [{str(case.rows[j].ref) for j in d.rows} if d.status != decide.GAP else set() for d in ds] or [
                set()
            ] * n
            tp = np.array([len(w & refs[k]) if k >= 0 else 0 for w, k in zip(want, index)])
            npred = np.array([len(refs[k]) if k >= 0 else 0 for k in index])
            memo[key] = (
                top,
                top_z,
                level,
                res,
                tp,
                npred,
                np.array([d.status == decide.GAP for d in ds] or [True] * n),
            )
        top, top_z, level, res, tp, npred, never = memo[key]
        gap = never | (level < p.gap_score) | (top_z < p.gap_z) | ((p.residual_gap > 0) & (res < p.residual_gap))
        demoted = (p.review_residual > 0) & (res < p.review_residual)
        possible = ~gap & (demoted | (level < p.answered_score))
        if r.review_as_gap == "always":
            gap = gap | possible
        elif r.review_as_gap == "demoted":
            gap = gap | (possible & demoted)
        elif r.review_as_gap == "demoted list items":
            gap = gap | (possible & demoted & listed)
        unlisted = gap & ~listed & in_listed_doc if r.unlisted else np.zeros(n, dtype=bool)
        shown_gap = gap & ~unlisted
        linked = ~gap
        m = found & linked[fi]
        t, npr, ng = int((tp * m).sum()), int((npred * m).sum()), sum(len(w) for w in want)
        g_tp = int((gap_gold & found & shown_gap[fi]).sum())
        g_pred = int((found & shown_gap[fi]).sum())
        reported = int(shown_gap.sum())
        prec, rec = (t / npr if npr else 0.0), (t / ng if ng else 0.0)
        out.append(
            {
                "link_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
                "gap_recall": g_tp / gap_gold.sum() if gap_gold.sum() else 0.0,
                "gap_precision": g_tp / g_pred if g_pred else 0.0,
                "reported_gaps": reported,
                "report_gap_precision": g_tp / reported if reported else 0.0,
                "designed": int(gap_gold.sum()),
                "designed_found": g_tp,
            }
        )
    return out


GAP_WEIGHT = 0.5  # --gap-weight


def objective(results: list[dict]) -> float:
    """Mean over cases of link F1, plus GAP_WEIGHT times the designed gaps' recall and the
    report's gap precision: the issue's three targets, links first."""
    return float(np.mean([r["link_f1"] + GAP_WEIGHT * (r["gap_recall"] + r["report_gap_precision"]) for r in results]))


def line(name: str, r: dict) -> str:
    if "rows" in r:
        gaps = sum(1 for row in r["rows"] if not row["want"])
        found = sum(1 for row in r["rows"] if not row["want"] and row["status"] == "gap")
    else:
        gaps, found = r["designed"], r["designed_found"]
    return (
        f"{name:<16} link F1 {r['link_f1']:.2f}  designed gaps {found}/{gaps}  "
        f"listed gaps {r['reported_gaps']:>2} ({r['report_gap_precision']:.2f} real)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="?", default=str(ROOT.parent.parent / "shared" / "eval" / "link-dev"))
    ap.add_argument(
        "--ft",
        default=str(Path(sys.executable).parent / "followthrough"),
        help="the followthrough command to ingest with",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--dump", action="store_true")
    ap.add_argument(
        "--all",
        action="store_true",
        help="also re-choose the score and link constants (default: those of decide.DEFAULT, chosen on gold findings by calibrate_links.py)",
    )
    ap.add_argument("--gap-weight", type=float, default=GAP_WEIGHT)
    args = ap.parse_args(argv)
    globals()["GAP_WEIGHT"] = args.gap_weight
    if not args.all:
        for key in ("lexical", "context", "part", "link_z", "relative", "group_relative"):
            GRID[key] = (getattr(decide.DEFAULT, key),)
    scorer = _scorer(Path(args.cases))
    tmp = Path(tempfile.mkdtemp())
    try:
        cases = [load_case(p, args.ft, tmp) for p in sorted(Path(args.cases).iterdir()) if (p / "gold.json").exists()]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    now = (decide.DEFAULT, decide.REPORTING)
    if args.dump:
        for c in cases:
            rep = report_json(c, *now)
            r = scorer.score(c.gold, rep)
            print(line(c.name, r))
            score = semantic.combine(c.feats, now[0].lexical, now[0].context, now[0].part)
            for i, (s, f) in enumerate(zip(c.findings, rep["findings"])):
                best = int(score[i].argmax())
                gold = next((g for g in c.gold["links"] if scorer.find(g["finding"], [f])), None)
                want = (
                    "-"
                    if gold is None
                    else ("general" if gold.get("general") else ",".join(gold["plan_refs"]) or "GAP")
                )
                print(
                    f"  {f['status'][:8]:<8} {'L' if s.section else 'B'} {s.kind[:4]} want {want:<10} got "
                    f"{','.join(l['ref'] for l in f['links']) or '-':<10} best {c.rows[best].ref} "
                    f"res {c.residual[i, best]:.2f}  {s.text[:90]!r}"
                )
        return 0
    points = grid()
    cache = {}
    for c in cases:
        for k, r in enumerate(fast_scores(c, points, scorer)):
            cache[(c.name, k)] = r
    for c in cases:  # the bulk path agrees with the plain one (a few points per case)
        for k in range(0, len(points), max(1, len(points) // 7)):
            plain = scorer.score(c.gold, report_json(c, *points[k]))
            assert all(
                abs(plain[m] - cache[(c.name, k)][m]) < 1e-9
                for m in ("link_f1", "gap_recall", "reported_gaps", "report_gap_precision")
            ), (c.name, points[k], plain, cache[(c.name, k)])
    folds, chosen = [], Counter()
    for held in cases:
        train = [c for c in cases if c is not held]
        k = max(range(len(points)), key=lambda k: (round(objective([cache[(c.name, k)] for c in train]), 6), -k))
        chosen[k] += 1
        folds.append(
            (
                held,
                k,
                scorer.score(held.gold, report_json(held, *now)),
                scorer.score(held.gold, report_json(held, *points[k])),
            )
        )
    best = max(range(len(points)), key=lambda k: (round(objective([cache[(c.name, k)] for c in cases]), 6), -k))
    if args.json:
        print(
            json.dumps(
                {
                    "folds": [
                        {
                            "case": h.name,
                            "now": {k: v for k, v in n.items() if k != "rows"},
                            "loco": {k: v for k, v in l.items() if k != "rows"},
                            "params": asdict(points[k][0]),
                            "reporting": asdict(points[k][1]),
                        }
                        for h, k, n, l in folds
                    ],
                    "all_cases": {
                        "params": asdict(points[best][0]),
                        "reporting": asdict(points[best][1]),
                        "folds_agreeing": chosen[best],
                    },
                },
                indent=2,
            )
        )
        return 0
    print("shipped constants (now):")
    for h, _, n, _ in folds:
        print("  " + line(h.name, n))
    print("leave-one-case-out (chosen on the other five):")
    for h, k, _, l in folds:
        print("  " + line(h.name, l) + f"   {asdict(points[k][1])}")
    for label, idx in (("now", 2), ("loco", 3)):
        rs = [f[idx] for f in folds]
        designed = sum(sum(1 for row in r["rows"] if not row["want"]) for r in rs)
        found = sum(sum(1 for row in r["rows"] if not row["want"] and row["status"] == "gap") for r in rs)
        listed = sum(r["reported_gaps"] for r in rs)
        print(
            f"{label}: objective {objective(rs):.3f}; mean link F1 {np.mean([r['link_f1'] for r in rs]):.2f} (min {min(r['link_f1'] for r in rs):.2f}); "
            f"designed gaps {found}/{designed}; listed gaps {listed}, mean precision "
            f"{np.mean([r['report_gap_precision'] for r in rs]):.2f}"
        )
    print(
        f"all cases: {asdict(points[best][0])} {asdict(points[best][1])}; chosen by {chosen[best]} of {len(folds)} folds"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
