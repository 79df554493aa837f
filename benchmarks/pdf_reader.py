"""Pages per second: our PDF reader against bare pypdfium2 text and pdfplumber text.

    .venv/bin/python benchmarks/pdf_reader.py [PDF ...]

With no arguments it builds a 180-page PDF from ten copies of the rendered Limerick minutes
(corpus/rendered/, 18 pages each: running header and "Page N of 18" footer on every page)
and also times the 4-page Bridgend action plan (pdfplumber runs on its table pages).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from followthrough.ingest.pdf import read_pdf

ROOT = Path(__file__).parent.parent


def _long_pdf() -> tuple[str, bytes]:
    source = ROOT / "corpus" / "rendered" / "limerick_council_2024-01-22_ordinary_meeting_minutes.pdf"
    target = pdfium.PdfDocument.new()
    for _ in range(10):
        target.import_pages(pdfium.PdfDocument(source.read_bytes()))
    buffer = io.BytesIO()
    target.save(buffer)
    return "10 x Limerick minutes", buffer.getvalue()


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _pypdfium2(data: bytes) -> None:
    pdf = pdfium.PdfDocument(data)
    for page in pdf:
        page.get_textpage().get_text_range()


def _pdfplumber(data: bytes) -> None:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def main(paths: list[str]) -> None:
    cases = [(p, Path(p).read_bytes()) for p in paths] or [
        _long_pdf(),
        ("Bridgend plan", (ROOT / "corpus" / "bridgend-plan" / "plan.pdf").read_bytes()),
    ]
    for name, data in cases:
        pages = len(pdfium.PdfDocument(data))
        ours = _best(lambda: read_pdf(Path(name), data))
        bare = _best(lambda: _pypdfium2(data))
        plumber = _best(lambda: _pdfplumber(data), repeat=1)
        print(
            f"{name}: {pages} pages | read_pdf {pages / ours:.0f} pages/s | "
            f"pypdfium2 text {pages / bare:.0f} pages/s | pdfplumber extract_text {pages / plumber:.1f} pages/s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
