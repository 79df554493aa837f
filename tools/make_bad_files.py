"""Write tests/bad_files/: one file per way a document can be unreadable.

The good PDF and DOCX they start from are renderings in corpus/rendered/ (render_corpus.py).
Needs qpdf for the encrypted file (apt-get install qpdf); everything else uses the
project's own dependencies (pypdfium2 renders the "scanned" page, Pillow wraps it in a PDF).

    .venv/bin/python tools/make_bad_files.py

The unreadable-path case is made at test time (chmod 000), since git does not keep modes.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "bad_files"
GOOD_PDF = ROOT / "corpus" / "rendered" / "ciw_press_powys_childrens_2019-01-09.pdf"
FIXED = datetime(2024, 1, 22, 15, 0, 0)  # timestamps written into the files


def corrupt_pdf() -> bytes:
    """A PDF header followed by bytes that are not PDF objects."""
    garbage = random.Random(20240122).randbytes(6000)
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + garbage


def truncated_pdf() -> bytes:
    """A real PDF cut in half: no cross-reference table, no trailer, half the objects."""
    data = GOOD_PDF.read_bytes()
    return data[: len(data) // 2]


def encrypted_pdf(tmp: Path) -> bytes:
    """The good PDF behind a user password (AES-256), as qpdf writes it."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise SystemExit("qpdf not found: apt-get install -y qpdf")
    out = tmp / "encrypted.pdf"
    subprocess.run(
        # --static-id/--static-aes-iv cut the churn; AES-256's file key is still random
        [qpdf, "--static-id", "--static-aes-iv", "--encrypt", "council-user", "council-owner", "256",
         "--", str(GOOD_PDF), str(out)],
        check=True,
    )
    return out.read_bytes()


def scanned_pdf() -> bytes:
    """Page 1 of the good PDF as a greyscale image in a PDF: no text layer at all."""
    page = pdfium.PdfDocument(str(GOOD_PDF))[0]
    image = page.render(scale=110 / 72, grayscale=True).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=110.0, quality=60, creationDate=FIXED.timetuple(), modDate=FIXED.timetuple())
    return buffer.getvalue()


def png_image() -> bytes:
    """A small real PNG: a type followthrough does not read."""
    page = pdfium.PdfDocument(str(GOOD_PDF))[0]
    image = page.render(scale=0.25, grayscale=True).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def truncated_docx() -> bytes:
    """A real DOCX cut in half: the ZIP's central directory is gone."""
    data = GOOD_PDF.with_suffix(".docx").read_bytes()
    return data[: len(data) // 2]


def windows_program() -> bytes:
    """The start of a Windows executable (an 'MZ' header and the DOS stub message)."""
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
    return stub + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200


def not_a_docx() -> bytes:
    """A valid ZIP archive named .docx that holds no Word document parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("notes.txt", date_time=FIXED.timetuple()[:6])
        archive.writestr(info, "Agenda item 7: this archive is not a Word document.\n")
    return buffer.getvalue()


CSV_WITHOUT_PLAN_HEADER = (
    "Date,Supplier,Amount,Cost centre\n"
    "2023-04-03,Acme Office Supplies Ltd,120.00,CS101\n"
    "2023-04-11,Valley Taxis,86.50,CS204\n"
    "2023-05-02,Northgate Catering,412.75,CS101\n"
)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = OUT / ".tmp"
    tmp.mkdir(exist_ok=True)
    try:
        files = {
            "corrupt.pdf": corrupt_pdf(),
            "truncated.pdf": truncated_pdf(),
            "encrypted.pdf": encrypted_pdf(tmp),
            "scanned.pdf": scanned_pdf(),
            "empty.pdf": b"",
            "whitespace.txt": b"  \n\t\n   \r\n\n",
            "image.png": png_image(),
            "not_a_docx.docx": not_a_docx(),
            "truncated.docx": truncated_docx(),
            "program.exe": windows_program(),
            "no_plan_header.csv": CSV_WITHOUT_PLAN_HEADER.encode(),
        }
    finally:
        shutil.rmtree(tmp)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{OUT.relative_to(ROOT)}/{name}  {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
