"""Track a minutes series and score it with ../shared/eval/score_tracking.py.

usage: python tools/eval_tracking.py SERIES_DIR [--oracle] [--body BODY] [--out c.json]

SERIES_DIR holds docs/*.pdf (named ..._YYYY-MM-DD_...) and gold/NAME.gold.json.
Without --oracle the documents are extracted as ingest does; with --oracle every document's
statements are replaced by its gold statements (located in the text) and tracking is re-run,
so the score measures tracking alone.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from followthrough.models import DueDate, Statement
from followthrough.pipeline import ingest_paths
from followthrough.store import open_db, transaction
from followthrough.tracking import list_commitments, track_all

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def locate(text: str, quote: str) -> int:
    words = re.findall(r"\S+", quote)
    pattern = r"\s*".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    return m.start() if m else -1


def oracle(db, gold_dir: Path) -> None:
    from followthrough.extract.store import replace_statements
    from followthrough.ingest import find_document  # noqa: F401
    from followthrough.models import Document

    for doc_id, name, text in db.execute("SELECT id, name, text FROM documents").fetchall():
        gold = gold_dir / (Path(name).stem + ".gold.json")
        if not gold.exists():
            continue
        statements = []
        for e in json.loads(gold.read_text("utf-8"))["statements"]:
            start = locate(text, e["quote"])
            due = e.get("due")
            statements.append(
                Statement(
                    e["kind"],
                    e["quote"],
                    max(start, 0),
                    max(start, 0) + len(e["quote"]),
                    page=e.get("page"),
                    actor=e.get("actor"),
                    due=DueDate(
                        due["text"],
                        date.fromisoformat(due["start"]) if due.get("start") else None,
                        date.fromisoformat(due["end"]) if due.get("end") else None,
                    )
                    if due
                    else None,
                )
            )
        doc = Document(path=name, sha256="", text=text, id=doc_id)
        with transaction(db):
            replace_statements(db, doc, statements)
    track_all(db)


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("series", type=Path)
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--body", default="Community Council")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    db = open_db(tmp / "series.db")
    for pdf in sorted((args.series / "docs").glob("*.pdf")):
        day = date.fromisoformat(_DATE.search(pdf.name).group(1))
        ingest_paths(db, [pdf], meeting_date=day, body=args.body)
    if args.oracle:
        oracle(db, args.series / "gold")
    rows = [c.as_dict() for c in list_commitments(db, as_of=date.today())]
    out = args.out or tmp / "c.json"
    out.write_text(json.dumps(rows, indent=2, ensure_ascii=False), "utf-8")
    scorer = args.series.parent / "score_tracking.py"
    subprocess.run([sys.executable, str(scorer), str(args.series / "tracking.json"), str(out)], check=False)


if __name__ == "__main__":
    main(sys.argv[1:])
