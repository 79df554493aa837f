"""How fast is PDF ingest next to raw PDFium? Run by hand, not in the test suite.

Times, in one process, on a ~300-page minutes PDF (benchmarks/make_minutes_pdf.py):

- raw pypdfium2: every page's text, nothing else (the floor);
- pdfplumber extract_text: a sample of pages, scaled to the whole (it is much slower);
- followthrough read_document: text, header/footer removal, dehyphenation, plan-table
  checks, kind/date detection and passages;
- followthrough ingest_paths(extract=False): read_document plus storing into a new SQLite db.

Target: followthrough >= 0.5 x raw pypdfium2 pages/s.

    .venv/bin/python benchmarks/ingest_pdf.py
    .venv/bin/python benchmarks/ingest_pdf.py --pdf some.pdf --repeat 5 --plumber-sample 0  # all pages
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_minutes_pdf import minutes_pdf  # noqa: E402

from followthrough.ingest import read_document  # noqa: E402
from followthrough.pipeline import ingest_paths  # noqa: E402
from followthrough.store import open_db  # noqa: E402


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def raw_pdfium(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        chars = 0
        for page in pdf:
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return chars
    finally:
        pdf.close()


def plumber(path: Path, pages: list[int]) -> int:
    with pdfplumber.open(path) as pdf:
        return sum(len(pdf.pages[i].extract_text() or "") for i in pages)


def ingest(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        report = ingest_paths(db, [path], extract=False)
        db.conn.close()
        if report.failed:
            raise SystemExit(f"ingest failed: {report.failed[0].reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, help="PDF to time (default: the ~300-page minutes PDF)")
    parser.add_argument("--pages", type=int, default=300, help="size of the generated PDF")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--plumber-sample", type=int, default=30,
                        help="pdfplumber pages to time, spread evenly, then scaled (0 = every page)")
    args = parser.parse_args(argv)

    path = args.pdf or minutes_pdf(args.pages)
    with pdfium.PdfDocument(str(path)) as pdf:
        n = len(pdf)
    print(f"machine: {platform.platform()}; {platform.machine()}; {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}")
    print(f"versions: pypdfium2 {version('pypdfium2')}, pdfplumber {version('pdfplumber')}")
    print(f"file: {path} ({n} pages, {path.stat().st_size // 1024} KB); best of {args.repeat} runs")

    raw = best_of(args.repeat, lambda: raw_pdfium(path))
    if args.plumber_sample and args.plumber_sample < n:
        step = n / args.plumber_sample
        sample = sorted({int(i * step) for i in range(args.plumber_sample)})
    else:
        sample = list(range(n))
    plumb = best_of(1, lambda: plumber(path, sample)) * n / len(sample)
    doc = read_document(path)
    read = best_of(args.repeat, lambda: read_document(path))
    stored = best_of(args.repeat, lambda: ingest(path))

    rows = [
        ("raw pypdfium2 text", raw, ""),
        ("pdfplumber extract_text", plumb,
         f" (timed on {len(sample)} of {n} pages, scaled)" if len(sample) < n else ""),
        ("followthrough read_document", read, ""),
        ("followthrough ingest (no extraction)", stored, ""),
    ]
    print(f"{'':38} {'seconds':>8} {'pages/s':>9} {'x pypdfium2':>12}")
    for label, seconds, note in rows:
        print(f"{label:38} {seconds:8.2f} {n / seconds:9.1f} {raw / seconds:12.2f}{note}")
    print(f"read_document: {len(doc.pages)} pages, {len(doc.text)} chars, "
          f"{len(doc.passages)} passages, kind={doc.kind!r}, warnings={len(doc.warnings)}")
    ratio = raw / stored
    print(f"target followthrough ingest >= 0.5 x pypdfium2: {'met' if ratio >= 0.5 else 'NOT met'} ({ratio:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
