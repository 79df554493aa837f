"""Snapshot what the pipeline outputs, to show a refactoring changed nothing.

    python tools/output_snapshot.py before.json            # on the old code
    python tools/output_snapshot.py after.json             # on the new code
    cmp before.json after.json && echo identical

Loads every document of corpus/ and of ../shared/eval (when present) into a temporary
database and records: each document's statements (kind, verbatim span, actor, due date,
topics) as stored, the topic tags of every passage, search results for a set of queries
(topic words, typos, operators, stop words, filters), the parsed query expressions,
commitments with their status and evidence, and the gap report of every plan. Run it
before and after a structural change; the two files must be byte-identical (it runs with
PYTHONHASHSEED=0: the order of a gap report's shared terms follows the hash seed). For an
older commit in one go: ``python tools/output_snapshot.py --against REV`` (the commit's
files are unpacked with ``git archive`` into a temporary folder that goes first on
PYTHONPATH; exit status 1 and the first differences when the outputs differ).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    "recruitment",
    "recruitmnet",
    "workforce",
    "safeguarding",
    "plan",
    "the plan",
    'care" OR (plan NEAR',
    "mental health",
    "exploitation",
    "budget",
    "voice of the child",
    "early help",
    "placements",
    "quality assurance",
    "report",
    "september",
    "the",
    "zzzz",
    "caseloads",
    "partnership working",
    "children",
    "governance",
    "CAMHS",
]
AS_OF = date(2024, 1, 31)


def shared_docs() -> list[Path]:
    for parent in REPO.parents:
        shared = parent / "shared" / "eval"
        if shared.is_dir():
            return sorted(p for p in shared.glob("*/docs") if p.is_dir()) + sorted(
                p for p in shared.glob("link-dev/*") if p.is_dir()
            )
    return []


def snapshot(paths: list[Path]) -> dict:
    from followthrough.extract.store import list_statements
    from followthrough.link.report import gap_report, render
    from followthrough.pipeline import ingest_paths
    from followthrough.search import SearchFilters, search
    from followthrough.search.query import parse_query
    from followthrough.store import open_db
    from followthrough.tracking import list_commitments

    try:
        from followthrough.language.taxonomy import tag_topics
    except ImportError:  # before the move to followthrough/language
        from followthrough.search.taxonomy import tag_topics

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(str(Path(tmp) / "snapshot.db"))
        report = ingest_paths(db, [str(p) for p in paths])
        out["ingest"] = [f.as_dict() | {"path": str(f.path)} for f in report.files]
        out["statements"] = [s.prediction() | {"id": s.id} for s in list_statements(db, limit=None)]
        out["passage_topics"] = [
            [row["id"], tag_topics(row["text"])] for row in db.query("SELECT id, text FROM passages ORDER BY id")
        ]
        out["search"] = {}
        for query in QUERIES:
            parsed = parse_query(db, query)
            entry = {"expression": parsed.expression(), "corrections": parsed.corrections}
            for kinds in [(), ("commitment",)]:
                result = search(db, query, SearchFilters(kinds), limit=25, as_of=AS_OF)
                entry["/".join(kinds) or "all"] = [h.as_dict() | {"score": round(h.score, 6)} for h in result.hits] + [
                    result.mode
                ]
            out["search"][query] = entry
        for topic in ["workforce", "early help", "budget"]:
            result = search(db, "plan", SearchFilters(topic=topic), limit=25, as_of=AS_OF)
            out["search"][f"plan --topic {topic}"] = [h.as_dict() | {"score": round(h.score, 6)} for h in result.hits]
        out["commitments"] = [c.as_dict() for c in list_commitments(db, as_of=AS_OF)]
        out["gaps"] = render(gap_report(db, as_of=AS_OF), "json")
    return out


def compare(rev: str, paths: list[str]) -> int:
    """Snapshot the code of ``rev`` and the working tree; 0 when identical."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        old_tree, old, new = Path(tmp) / "old", Path(tmp) / "old.json", Path(tmp) / "new.json"
        old_tree.mkdir()
        archive = subprocess.run(["git", "archive", rev], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(old_tree)}
        for out, extra in [(old, env), (new, {**os.environ, "PYTHONHASHSEED": "0"})]:
            subprocess.run([sys.executable, __file__, str(out), *paths], env=extra, cwd=tmp, check=True)
        before, after = json.loads(old.read_text("utf-8")), json.loads(new.read_text("utf-8"))
    if before == after:
        print(f"identical to {rev}")
        return 0
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            print(f"{key}: differs from {rev}")
    return 1


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # set orders (shared terms) follow the hash seed
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", help="where to write the snapshot")
    parser.add_argument("--against", metavar="REV", help="compare with the code of this git revision")
    parser.add_argument("paths", nargs="*", type=Path, help="default: corpus/ and ../shared/eval")
    args = parser.parse_args()
    if args.against:
        return compare(args.against, [str(p) for p in args.paths])
    if args.out is None:
        parser.error("give OUT or --against REV")
    paths = args.paths or [REPO / "corpus", *shared_docs()]
    data = snapshot(paths)
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True, default=str), "utf-8")
    print(
        f"{args.out}: {len(data['statements'])} statements, {len(data['passage_topics'])} passages, "
        f"{len(data['commitments'])} commitments",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
