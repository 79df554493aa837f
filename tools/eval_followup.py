"""Score inspection follow-up on the report chains with ../shared/eval/score_followup.py.

usage: python tools/eval_followup.py REPORTS_DIR [--gold-items] [--show]

Ingests the chains' reports into a temporary database, runs `followup` for each chain and
scores it. --gold-items judges the gold recommendations themselves (an oracle for which
statements are the improvement list), to measure the judging alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from followthrough.pipeline import ingest_paths
from followthrough.store import document_id, open_db
from followthrough.tracking.followup import _later_sentences, followup, judge


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("reports", type=Path)
    ap.add_argument("--gold-items", action="store_true")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    chains = json.loads((args.reports / "chains.json").read_text("utf-8"))
    tmp = Path(tempfile.mkdtemp())
    db = open_db(tmp / "reports.db")
    for chain in chains:
        ingest_paths(db, [args.reports / "docs" / f"{chain[k]}.pdf" for k in ("earlier", "later")])
    for chain in chains:
        earlier, later = chain["earlier"] + ".pdf", chain["later"] + ".pdf"
        if args.gold_items:
            from followthrough.language.encoder import embed

            items = judge(
                [(g["recommendation"], None) for g in chain["items"]],
                _later_sentences(db, document_id(db, later, "later"), document_id(db, earlier, "earlier")),
                embed,
            )
        else:
            items = followup(db, later).items  # --earlier found as the previous report
        out = tmp / f"{chain['earlier']}.json"
        out.write_text(json.dumps([i.as_dict() for i in items], indent=2, ensure_ascii=False), "utf-8")
        print(chain["earlier"], "->", chain["later"])
        subprocess.run(
            [
                sys.executable,
                str(args.reports.parent / "score_followup.py"),
                str(args.reports / "chains.json"),
                earlier,
                later,
                str(out),
            ],
            check=False,
        )
        if args.show:
            for g, it in zip(chain["items"], items if args.gold_items else [None] * len(chain["items"])):
                if it is not None:
                    mark = "ok " if it.status == g["status"] else "BAD"
                    print(f"  {mark} gold {g['status']:<13} got {it.status:<13} {g['recommendation'][:60]}")
                    for e in it.evidence[:3]:
                        print(f"        {e.score} p{e.page} {e.text[:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])
