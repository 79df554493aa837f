"""ModernGov meeting-page parse time, on the Cardiff fixture's agenda rows repeated.

A big council meeting page has 20-60 items; --items 240 is a stress case. Prints the
HTML size, items found, text length and the best of --repeat CPU timings.

    .venv/bin/python benchmarks/moderngov_bench.py --items 240
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from followthrough.ingest.moderngov import read_html

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "moderngov" / "ieListDocuments_cardiff_cabinet_2016-01-21.html"


def big_page(items: int) -> bytes:
    source = FIXTURE.read_text("utf-8")
    rows = re.findall(r'<tr><td  class="mgItemNumberCell" >.*?</td></tr>', source, re.S)
    repeated = [rows[i % len(rows)] for i in range(items)]
    for row in rows[1:]:
        source = source.replace(row, "", 1)
    return source.replace(rows[0], "\n".join(repeated), 1).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = big_page(args.items)
    timings = []
    for _ in range(args.repeat):
        start = time.process_time()
        doc = read_html(Path("bench.html"), data)
        timings.append(time.process_time() - start)
    print(f"html {len(data) / 1024:.0f} KiB, items {len(doc.items)}, text {len(doc.text)} chars")
    print(f"best of {args.repeat}: {min(timings):.3f} s CPU ({len(data) / 1024 / min(timings):.0f} KiB/s)")


if __name__ == "__main__":
    main()
