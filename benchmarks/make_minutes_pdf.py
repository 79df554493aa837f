"""Make a ~300-page council-minutes PDF for benchmarks (kept out of git, in the temp dir).

The committed 18-page Limerick rendering (corpus/rendered/, with its running header and
"Page X of Y" footer) is repeated in one DOCX, each copy starting on a new page, and
LibreOffice exports it to PDF (about a minute). The result is cached and reused.

    .venv/bin/python benchmarks/make_minutes_pdf.py            # prints the PDF's path
    .venv/bin/python benchmarks/make_minutes_pdf.py --pages 600 --rebuild
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import tempfile
from pathlib import Path

import docx
import pypdfium2 as pdfium
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "corpus" / "rendered" / "limerick_council_2024-01-22_ordinary_meeting_minutes"
CACHE = Path(tempfile.gettempdir()) / "followthrough-bench"

sys.path.insert(0, str(ROOT / "tools"))
from render_corpus import convert_to_pdf  # noqa: E402  (tools/ is not a package)


def page_count(pdf: Path) -> int:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def build_docx(copies: int, out: Path) -> Path:
    """The Limerick minutes ``copies`` times over, each copy from a fresh page."""
    document = docx.Document(str(SOURCE.with_suffix(".docx")))
    body = document.element.body
    section = body.find(qn("w:sectPr"))
    original = [child for child in body if child is not section]
    for _ in range(copies - 1):
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for child in original:
            section.addprevious(copy.deepcopy(child))
    document.save(str(out))
    return out


def minutes_pdf(pages: int = 300, rebuild: bool = False) -> Path:
    """Path of a cached minutes PDF of at least ``pages`` pages, building it if needed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    pdf = CACHE / f"minutes-{pages}.pdf"
    if pdf.exists() and not rebuild:
        return pdf
    copies = math.ceil(pages / page_count(SOURCE.with_suffix(".pdf")))
    source = build_docx(copies, CACHE / f"minutes-{pages}.docx")
    convert_to_pdf(source, CACHE)
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    pdf = minutes_pdf(args.pages, args.rebuild)
    print(f"{pdf}  {page_count(pdf)} pages, {pdf.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
