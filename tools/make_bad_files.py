"""Write tests/bad_files/: one file per way a document can be unreadable.

The good PDF and DOCX they start from are renderings in corpus/rendered/ (render_corpus.py).
Needs qpdf for the encrypted file (apt-get install qpdf); everything else uses the
project's own dependencies (pypdfium2 renders the "scanned" page, Pillow wraps it in a PDF).

    .venv/bin/python tools/make_bad_files.py

The unreadable-path case is made at test time (chmod 000), since git does not keep modes;
so are FIFOs, sockets, symlink loops and names that are not UTF-8 (tests/test_bad_input.py,
tests/test_batch_outcomes.py). Issue 12 added binary data under text names, entity and zip
bombs, a page-tree bomb, OLE2 (encrypted Office / old .doc), misnamed and empty files.
encrypted.pdf changes on every run (AES-256's file key is random): keep the committed one
unless it must change (git checkout tests/bad_files/encrypted.pdf).
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
        [
            qpdf,
            "--static-id",
            "--static-aes-iv",
            "--encrypt",
            "council-user",
            "council-owner",
            "256",
            "--",
            str(GOOD_PDF),
            str(out),
        ],
        check=True,
    )
    return out.read_bytes()


def scanned_pdf() -> bytes:
    """Page 1 of the good PDF as a greyscale image in a PDF: no text layer at all."""
    page = pdfium.PdfDocument(str(GOOD_PDF))[0]
    image = page.render(scale=110 / 72, grayscale=True).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(
        buffer, format="PDF", resolution=110.0, quality=60, creationDate=FIXED.timetuple(), modDate=FIXED.timetuple()
    )
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


def _xlsx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(plan_xlsx())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _no_plan_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for line in CSV_WITHOUT_PLAN_HEADER.splitlines():
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return _renormalise_zip(buffer.getvalue())


CSV_WITHOUT_PLAN_HEADER = (
    "Date,Supplier,Amount,Cost centre\n"
    "2023-04-03,Acme Office Supplies Ltd,120.00,CS101\n"
    "2023-04-11,Valley Taxis,86.50,CS204\n"
    "2023-05-02,Northgate Catering,412.75,CS101\n"
)


GOOD_DOCX = GOOD_PDF.with_suffix(".docx")
PLAN_CSV = ROOT / "corpus" / "bridgend-plan" / "plan.csv"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _docx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(GOOD_DOCX) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def plan_xlsx(formulas: bool = False) -> bytes:
    """The Bridgend plan (corpus/bridgend-plan/plan.csv) as a workbook written by openpyxl."""
    import csv

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Action plan"
    with PLAN_CSV.open(encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    if formulas:  # openpyxl writes formulas without cached values, as many tools do
        sheet["H1"] = "Days left"
        for r in range(2, sheet.max_row + 1):
            sheet[f"H{r}"] = f"=DATE(2024,3,31)-TODAY()+{r}"
    buffer = io.BytesIO()
    book.save(buffer)
    return _renormalise_zip(buffer.getvalue())


def _renormalise_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps, so the file does not churn."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _zip({name: archive.read(name) for name in archive.namelist()})


def bomb(base: dict[str, bytes], part: str, megabytes: int = 11) -> bytes:
    """A real archive plus one part of zeros that deflates about a thousand times over."""
    return _zip({**base, part: b"\0" * (megabytes * 1024 * 1024)})


def billion_laughs_docx() -> bytes:
    """A DOCX whose document.xml declares nested entities (the 'billion laughs' attack)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return _zip({**_docx_parts(), "word/document.xml": xml.encode()})


def empty_docx() -> bytes:
    """A valid DOCX whose body holds one empty paragraph."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p/></w:body></w:document>"
    )
    return _zip({**_docx_parts(), "word/document.xml": xml.encode()})


def page_tree_bomb_pdf() -> bytes:
    """A tiny PDF whose page tree reuses one node ten times per level, eight levels deep:
    100,000,000 pages from one page object."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
    ]
    levels = 8
    # object 2 is the root; objects 3..(2+levels-1) are inner nodes; the last is the page
    for level in range(levels):
        kid = 3 + level
        count = 10 ** (levels - level)
        parent = b"" if level == 0 else f" /Parent {2 + level - 1} 0 R".encode()
        objects.append(
            f"<< /Type /Pages /Kids [{' '.join([f'{kid} 0 R'] * 10)}] /Count {count}".encode() + parent + b" >>"
        )
    objects.append(f"<< /Type /Page /Parent {2 + levels - 1} 0 R /MediaBox [0 0 612 792] >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree holds no page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def ole2_file() -> bytes:
    """The header of an OLE2 compound file: what a password-protected DOCX or an old .doc is."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header + b"\x00" * (512 - len(header)) + random.Random(7).randbytes(1536)


def deep_html() -> bytes:
    return (
        "<html><body>"
        + "<div>" * 5000
        + "The Cabinet RESOLVED to approve the plan."
        + "</div>" * 5000
        + "</body></html>"
    ).encode()


def csv_huge_field() -> bytes:
    """A plan whose one cell is longer than Python's CSV field limit (131,072 characters)."""
    return (
        'Ref,Action,Lead,Timescale\n1.1,"' + "Review placements. " * 8000 + '",Head of Service,March 2024\n'
    ).encode()


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
            # --- added for issue 12: more ways a file can be hostile or broken
            "garbage.html": random.Random(11).randbytes(8000),
            "garbage.txt": random.Random(12).randbytes(8000),
            "garbage.csv": random.Random(13).randbytes(8000),
            "controls.txt": bytes(random.Random(14).choice([*range(1, 9), 11, *range(14, 32)]) for _ in range(3000)),
            "nul_in_text.txt": b"Minutes of the Cabinet.\x00\x00\x00 RESOLVED that the plan be approved.\n",
            "empty.html": b"",
            "tags_only.html": b"<html><head><title></title><style>p{color:red}</style></head><body><div> </div><script>var a=1;</script></body></html>",
            "bom_only.txt": b"\xef\xbb\xbf  \n",
            "deep_nesting.html": deep_html(),
            "gzip.pdf": __import__("gzip").compress(b"%PDF-1.4 not really", mtime=0),
            "html_named.pdf": b"<!DOCTYPE html><html><body><p>The Cabinet RESOLVED to approve the plan.</p></body></html>",
            "zero_pages.pdf": zero_page_pdf(),
            "page_tree_bomb.pdf": page_tree_bomb_pdf(),
            "ole2_encrypted.docx": ole2_file(),
            "old_word.doc": ole2_file(),
            "empty.docx": empty_docx(),
            "billion_laughs.docx": billion_laughs_docx(),
            "zip_bomb.docx": bomb(_docx_parts(), "word/media/padding.bin"),
            "xlsx_named.docx": plan_xlsx(),
            "corrupt.xlsx": b"PK\x03\x04" + random.Random(15).randbytes(4000),
            "truncated.xlsx": plan_xlsx()[: len(plan_xlsx()) // 2],
            "zip_bomb.xlsx": bomb(_xlsx_parts(), "xl/media/padding.bin"),
            "no_plan_header.xlsx": _no_plan_xlsx(),
            "header_only.csv": b"Ref,Action,Lead,Timescale,Status\n",
            "huge_field.csv": csv_huge_field(),
            "rtf_named.docx": b"{\\rtf1\\ansi The Cabinet RESOLVED to approve the plan.}",
            "not_moderngov.xml": b'<?xml version="1.0"?><feed><entry><title>x</title></entry></feed>',
            "utf16_nul.csv": "Ref,Action\n1.1,Do it\n".encode("utf-16-le"),
        }
    finally:
        shutil.rmtree(tmp)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{OUT.relative_to(ROOT)}/{name}  {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
