"""How fast is PDF ingest next to raw PDFium? Run by hand, not in the test suite.

Times, in one process, on a ~300-page minutes PDF (benchmarks/make_minutes_pdf.py):

- raw pypdfium2: every page's text, nothing else (the floor);
- pdfplumber extract_text on every page (or, with --plumber-sample N, on N pages scaled up);
- followthrough read_document: text, header/footer removal, dehyphenation, plan-table
  checks, kind/date detection and passages;
- followthrough ingest_paths(extract=False) into a new SQLite db, once with the AFTER_STORE
  hooks switched off (read + store) and once as the command runs it (hooks on).

Each is timed in wall-clock and CPU seconds (CPU is steadier when other work shares the
machine). Target: followthrough >= 0.5 x raw pypdfium2 pages/s.

    .venv/bin/python benchmarks/ingest_pdf.py
    .venv/bin/python benchmarks/ingest_pdf.py --pdf big.pdf --repeat 9 --plumber-sample 30
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_minutes_pdf import minutes_pdf  # noqa: E402

from followthrough import pipeline  # noqa: E402
from followthrough.ingest import read_document  # noqa: E402
from followthrough.pipeline import ingest_paths  # noqa: E402
from followthrough.store import open_db  # noqa: E402


@dataclass
class Timing:
    wall: float  # seconds on the clock
    cpu: float  # seconds of this process's CPU (steadier on a shared machine)


def timed(run: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def best_of(repeat: int, runs: dict[str, Callable[[], object]]) -> dict[str, Timing]:
    """Each run's fastest wall and CPU time over ``repeat`` rounds.

    Rounds interleave the runs, so a burst of load from other processes hits all of them
    alike rather than one; the minimum is the run least disturbed.
    """
    times: dict[str, list[Timing]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
    return {name: Timing(min(t.wall for t in found), min(t.cpu for t in found)) for name, found in times.items()}


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


def ingest(path: Path, hooks: bool = True) -> None:
    """ingest_paths into a new database; ``hooks=False`` runs it without AFTER_STORE hooks."""
    saved = list(pipeline.AFTER_STORE)
    if not hooks:
        pipeline.AFTER_STORE.clear()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_db(Path(tmp) / "bench.db")
            report = ingest_paths(db, [path], extract=False)
            db.conn.close()
    finally:
        pipeline.AFTER_STORE[:] = saved
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed[0].reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, help="PDF to time (default: the ~300-page minutes PDF)")
    parser.add_argument("--pages", type=int, default=300, help="size of the generated PDF")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of timing; each run's best counts")
    parser.add_argument(
        "--plumber-sample",
        type=int,
        default=0,
        help="time pdfplumber on this many pages, spread evenly, and scale up "
        "(default 0: every page, ~25 s on 300 pages)",
    )
    args = parser.parse_args(argv)

    path = args.pdf or minutes_pdf(args.pages)
    with pdfium.PdfDocument(str(path)) as pdf:
        n = len(pdf)
    print(
        f"machine: {platform.platform()}; {platform.machine()}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}"
    )
    print(f"versions: pypdfium2 {version('pypdfium2')}, pdfplumber {version('pdfplumber')}")
    print(f"file: {path} ({n} pages, {path.stat().st_size // 1024} KB); best of {args.repeat} rounds")

    if args.plumber_sample and args.plumber_sample < n:
        step = n / args.plumber_sample
        sample = sorted({int(i * step) for i in range(args.plumber_sample)})
    else:
        sample = list(range(n))
    plumb = timed(lambda: plumber(path, sample))
    plumb = Timing(plumb.wall * n / len(sample), plumb.cpu * n / len(sample))
    doc = read_document(path)  # warm-up: imports, data files
    hooks = [f"{h.__module__}.{h.__name__}" for h in pipeline.AFTER_STORE]
    best = best_of(
        args.repeat,
        {
            "raw": lambda: raw_pdfium(path),
            "read": lambda: read_document(path),
            "store": lambda: ingest(path, hooks=False),
            "ingest": lambda: ingest(path),
        },
    )
    raw = best["raw"]
    rows = [
        ("raw pypdfium2 text", raw, ""),
        ("pdfplumber extract_text", plumb, f"timed on {len(sample)} of {n} pages, scaled" if len(sample) < n else ""),
        ("followthrough read_document", best["read"], ""),
        ("followthrough ingest, no hooks", best["store"], "read_document + store_document"),
        ("followthrough ingest (no extraction)", best["ingest"], f"+ AFTER_STORE hooks {', '.join(hooks) or 'none'}"),
    ]
    print(f"{'':37} {'wall s':>7} {'cpu s':>7} {'pages/s':>8} {'x pdfium':>9} {'cpu pages/s':>12} {'x pdfium':>9}")
    for label, t, note in rows:
        print(
            f"{label:37} {t.wall:7.2f} {t.cpu:7.2f} {n / t.wall:8.1f} {raw.wall / t.wall:9.2f} "
            f"{n / t.cpu:12.1f} {raw.cpu / t.cpu:9.2f}" + (f"  ({note})" if note else "")
        )
    print(
        f"read_document: {len(doc.pages)} pages, {len(doc.text)} chars, "
        f"{len(doc.passages)} passages, kind={doc.kind!r}, warnings={len(doc.warnings)}"
    )
    for label, key in (("read_document", "read"), ("ingest (no extraction)", "ingest")):
        ratio = raw.cpu / best[key].cpu
        print(f"target {label} >= 0.5 x pypdfium2 (CPU time): {'met' if ratio >= 0.5 else 'NOT met'} ({ratio:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
