"""Time normaliser speed: due_for per statement and find_times per character.

Statements are the dev gold quotes (every kind, most stating no time) when
/work/shared/eval/dev/gold is present, else the sentences of corpus/documents.

    .venv/bin/python benchmarks/timex_bench.py --repeat 50
"""

from __future__ import annotations

import argparse
import json
import re
import time
from datetime import date
from pathlib import Path

from followthrough.extract.timex import due_for, find_times

ROOT = Path(__file__).resolve().parent.parent
GOLD = Path("/work/shared/eval/dev/gold")


def statements() -> list[tuple[str, date | None]]:
    if GOLD.is_dir():
        found = []
        for path in sorted(GOLD.glob("*.gold.json")):
            gold = json.loads(path.read_text("utf-8"))
            meeting = date.fromisoformat(gold["meeting_date"]) if gold.get("meeting_date") else None
            found += [(s["quote"], meeting) for s in gold["statements"]]
        return found
    text = " ".join(p.read_text("utf-8") for p in sorted((ROOT / "corpus" / "documents").glob("*.txt")))
    return [(s, None) for s in re.split(r"(?<=[.;])\s+", text) if s.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    quotes = statements()
    due_for("warm-up: by May 2016", None)  # compiles the rules once
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for text, reference in quotes:
            due_for(text, reference)
    elapsed = time.perf_counter() - t0
    calls = len(quotes) * args.repeat
    print(f"due_for: {calls} calls in {elapsed:.2f}s, {elapsed / calls * 1e6:.0f} µs per statement")
    documents = [p.read_text("utf-8") for p in sorted((ROOT / "corpus").rglob("*.txt"))]
    documents += [p.read_text("utf-8") for p in sorted((ROOT / "corpus").rglob("*.md"))]
    chars = sum(len(d) for d in documents)
    t0 = time.perf_counter()
    matches = sum(len(find_times(d, date(2023, 1, 1))) for d in documents)
    elapsed = time.perf_counter() - t0
    print(
        f"find_times: {chars} characters, {matches} expressions in {elapsed:.2f}s, {chars / elapsed / 1e3:.0f} k chars/s"
    )
    # The worst case: a tracker table where nearly every cell is a time.
    table = "| Q1 | Q2 | 2023/24 | March 2024 | Ongoing | Monthly | by 31/03/2024 |\n" * 2000
    t0 = time.perf_counter()
    matches = len(find_times(table, date(2023, 1, 1)))
    elapsed = time.perf_counter() - t0
    print(f"find_times, dense table: {len(table)} characters, {matches} expressions in {elapsed:.2f}s")


if __name__ == "__main__":
    main()
