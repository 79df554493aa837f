"""Commitment tracking at scale (issue 11's benchmark). Run by hand:

    .venv/bin/python benchmarks/tracking_bench.py [--docs 1000] [--commitments 100000] [--dir /tmp/ft-track-bench]

1. Ingest cost per document: generates ``--docs`` varied minutes (50 councils, monthly
   meetings, numbered minutes, matters arising citing earlier minutes, commitments with due
   dates; clauses recombined from the real corpus so no two are near-duplicates) and ingests
   them one by one with extraction and tracking, as `followthrough ingest` does. Prints the
   time per document for the first 100 and the last 100, the tracking part of each, and the
   database size per document after 100 and after all of them.
2. One new minutes document against 100,000 open commitments: a database of 100,000 cached
   commitments (the tracking cache that ingest fills, with encoder vectors) spread over 50
   councils and ten years, then the same with all 100,000 of the new meeting's council and
   inside its date window (the worst case for narrowing). Times the ingest of the realistic
   Bridgend minute and its tracking part.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search_bench import clauses, machine  # noqa: E402

from followthrough.language import councils  # noqa: E402
from followthrough.language.encoder import embed  # noqa: E402
from followthrough.pipeline import ingest_paths  # noqa: E402
from followthrough.store import open_db, transaction  # noqa: E402
from followthrough.tracking.match import stems  # noqa: E402
from followthrough.tracking.store import _pack  # noqa: E402

NEW_MINUTES = ROOT / "tests" / "fixtures" / "tracking" / "bridgend_cabinet_2023-09-19_childrens_strategy_minutes.txt"
PLACES = [
    "Aberdare",
    "Barry",
    "Bedwas",
    "Bettws",
    "Brynmawr",
    "Caerleon",
    "Caldicot",
    "Chepstow",
    "Cowbridge",
    "Crickhowell",
    "Denbigh",
    "Dolgellau",
    "Ewloe",
    "Fishguard",
    "Gorseinon",
    "Harlech",
    "Holywell",
    "Kidwelly",
    "Knighton",
    "Lampeter",
    "Laugharne",
    "Llandovery",
    "Llanelli",
    "Llangollen",
    "Llanidloes",
    "Machynlleth",
    "Maesteg",
    "Menai",
    "Mold",
    "Monmouth",
    "Narberth",
    "Newtown",
    "Neyland",
    "Pembroke",
    "Penarth",
    "Porthcawl",
    "Presteigne",
    "Pwllheli",
    "Rhayader",
    "Rhuthun",
    "Risca",
    "Ruthin",
    "Saundersfoot",
    "Talgarth",
    "Tenby",
    "Tredegar",
    "Tywyn",
    "Usk",
    "Whitland",
    "Ystradgynlais",
]
ACTORS = ["The Clerk", "Cllr. Jones", "Cllr. Evans", "The Chair", "The Head of Finance", "The Director"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def minutes_text(rng: random.Random, parts: list[str], council: str, day: date, number: int) -> str:
    lines = [
        f"{council.upper()} TOWN COUNCIL",
        f"Minutes of the meeting of the Council held on {day.day} {MONTHS[day.month - 1]} {day.year}",
        "",
    ]
    lines += [
        "1. APOLOGIES",
        f"Apologies were received from Cllr. {rng.choice(['Hughes', 'Price', 'Lloyd', 'Morgan'])}.",
        "",
    ]
    lines += ["2. MATTERS ARISING"]
    for _ in range(rng.randint(2, 4)):
        lines.append(
            f"{rng.randint(3, 9)}{rng.choice(['i', 'ii', 'iii'])}) With regard to {rng.choice(parts).lower()}, "
            f"{rng.choice(['the work had been completed', 'this was in hand', 'a reply was awaited', 'the matter was deferred'])}."
        )
    lines.append("")
    for minute in range(3, rng.randint(7, 10)):
        title = " ".join(rng.choice(parts).split()[:5]).upper().strip(" ,.")
        lines.append(f"{minute}. {title}")
        for sub in ("i", "ii", "iii")[: rng.randint(1, 3)]:
            due = day + timedelta(days=rng.randint(20, 200))
            lines.append(
                f"{sub}) {rng.choice(parts)}. {rng.choice(ACTORS)} would {rng.choice(parts).lower()} "
                f"by {MONTHS[due.month - 1]} {due.year}."
            )
        lines.append("")
    lines.append(f"The meeting closed at {rng.randint(8, 9)}.{rng.randint(10, 55)}pm. Minute book page {number}.")
    return "\n".join(lines) + "\n"


def bench_ingest(folder: Path, n: int, seed: int = 11) -> dict:
    rng = random.Random(seed)
    parts = [p for p in clauses() if 30 <= len(p) <= 140]
    docs = folder / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    docs.mkdir(parents=True)
    files = []
    for i in range(n):
        council = PLACES[i % len(PLACES)]
        day = date(2019, 1, 9) + timedelta(days=30 * (i // len(PLACES)))
        path = docs / f"{council.lower()}_{day.isoformat()}.txt"
        path.write_text(minutes_text(rng, parts, council, day, i), "utf-8")
        files.append((path, day))
    db_path = folder / f"ingest-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    db = open_db(db_path)
    import followthrough.tracking as tracking

    original, tracked = tracking.track_document, []

    def timed(db_, document_id):
        t = time.perf_counter()
        report = original(db_, document_id)
        tracked.append(time.perf_counter() - t)
        return report

    tracking.track_document = timed
    per_doc, size_at_100 = [], None
    try:
        for k, (path, day) in enumerate(files, 1):
            t = time.perf_counter()
            ingest_paths(db, [path], meeting_date=day, body="Council")
            per_doc.append(time.perf_counter() - t)
            if k == 100:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                size_at_100 = db_path.stat().st_size
    finally:
        tracking.track_document = original
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    evidence = db.execute("SELECT count(*) FROM commitment_evidence").fetchone()[0]
    commitments = db.execute("SELECT count(*) FROM statements WHERE kind = 'commitment'").fetchone()[0]
    db.conn.close()
    ms = lambda xs: round(1000 * statistics.mean(xs), 1)  # noqa: E731
    return {
        "documents": n,
        "per_document_ms_first_100": ms(per_doc[:100]),
        "per_document_ms_last_100": ms(per_doc[-100:]),
        "tracking_ms_first_100": ms(tracked[:100]),
        "tracking_ms_last_100": ms(tracked[-100:]),
        "db_kb_per_document_at_100": round(size_at_100 / 100 / 1024, 1) if size_at_100 else None,
        f"db_kb_per_document_at_{n}": round(db_path.stat().st_size / n / 1024, 1),
        "commitments": commitments,
        "evidence_rows": evidence,
    }


def build_commitments(path: Path, n: int, *, one_council: bool, seed: int = 5) -> None:
    """``n`` cached commitments in 50-commitment meetings; spread over 50 councils and ten
    years, or (``one_council``) all Bridgend's and due around September 2023."""
    rng = random.Random(seed)
    parts = clauses()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_db(path)
    per_doc = 50
    texts = [", ".join(rng.sample(parts, rng.choice((1, 2, 2, 3)))) for _ in range(n)]
    vectors = embed(texts)
    with transaction(db):
        for d in range(n // per_doc):
            council = "Bridgend" if one_council else rng.choice(PLACES[:49] + ["Bridgend"])
            day = (
                (date(2023, 9, 19) - timedelta(days=rng.randint(20, 600)))
                if one_council
                else date(2015, 1, 1) + timedelta(days=rng.randint(0, 3650))
            )
            db.execute(
                "INSERT INTO documents (id, sha256, path, name, kind, file_type, body, council, meeting_date, text, ingested_at)"
                " VALUES (?, ?, ?, ?, 'minutes', 'text', 'Cabinet', ?, ?, 'generated', 'x')",
                [d + 1, f"g{d}", f"g/{d}.txt", f"g{d}.txt", council, day.isoformat()],
            )
            rows, cache = [], []
            for k in range(per_doc):
                sid = d * per_doc + k + 1
                due = day + timedelta(days=rng.randint(30, 300))
                text = texts[sid - 1]
                rows.append(
                    (sid, d + 1, "commitment", text, 0, len(text), due.strftime("%B %Y"), due.isoformat(), "[]", "x")
                )
                cache.append(
                    (
                        sid,
                        d + 1,
                        councils.key(council),
                        day.isoformat(),
                        None,
                        due.isoformat(),
                        f"{rng.randint(3, 12)}{rng.choice(['i', 'ii'])}",
                        None,
                        "cabinet" if rng.random() < 0.2 else None,
                        text,
                        " ".join(stems(text)),
                        _pack(vectors[sid - 1]),
                    )
                )
            db.conn.executemany(
                'INSERT INTO statements (id, document_id, kind, text, start, "end", due_text, due_end, topics,'
                " extracted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany(
                "INSERT INTO tracking_commitments (statement_id, document_id, council, made_on, due_start,"
                " due_end, position, ref, named_body, context, terms, vector)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                cache,
            )
    db.conn.close()


def bench_one(path: Path, label: str) -> dict:
    import followthrough.tracking as tracking

    work = path.with_name(path.stem + "-work.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copy(path, work)
    db = open_db(work)
    timed: dict = {}
    original = tracking.track_document

    def timed_track(db_, document_id):
        t = time.perf_counter()
        report = original(db_, document_id)
        timed.update(track=time.perf_counter() - t, compared=report.compared, evidence=report.evidence)
        return report

    tracking.track_document = timed_track
    try:
        t = time.perf_counter()
        ingest_paths(db, [NEW_MINUTES])
        total = time.perf_counter() - t
    finally:
        tracking.track_document = original
    open_count = db.execute("SELECT count(*) FROM tracking_commitments").fetchone()[0]
    db.conn.close()
    return {
        "case": label,
        "open_commitments": open_count,
        "ingest_total_s": round(total, 2),
        "tracking_s": round(timed["track"], 2),
        "compared_after_narrowing": timed["compared"],
        "evidence_rows": timed["evidence"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--dir", default="/tmp/ft-track-bench")
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    embed(["warm up the encoder"])
    if not args.skip_ingest:
        print("ingest:", json.dumps(bench_ingest(folder, args.docs), indent=2), flush=True)
    for one, label in (
        (False, "spread over 50 councils, 2015-2025"),
        (True, "all of the new meeting's council, in its date window"),
    ):
        path = folder / f"commitments-{args.commitments}-{'one' if one else 'spread'}.db"
        build_commitments(path, args.commitments, one_council=one)
        print(
            "tracking:", json.dumps(bench_one(path, f"{args.commitments:,} commitments {label}"), indent=2), flush=True
        )


if __name__ == "__main__":
    main()
