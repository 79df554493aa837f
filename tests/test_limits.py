"""Resource limits: a size limit per file, zip-bomb checks for DOCX/XLSX, a page limit for
PDFs, search query limits, and range checks on numbers, dates and ids (no OverflowError)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from test_bad_input import GOOD, assert_only_good_document, error_lines

import followthrough.ingest.limits as limits
from followthrough.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCX = ROOT / "corpus" / "rendered" / "ciw_press_powys_childrens_2019-01-09.docx"
PDF = ROOT / "corpus" / "rendered" / "ciw_press_powys_childrens_2019-01-09.pdf"


def ingest(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "ingest", *args])


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "agenda_pack.txt"
    big.write_bytes(GOOD.read_bytes() * 3000)  # about 2 MB
    result = ingest(tmp_path / "t.db", "--max-file-size", "1", str(big), str(GOOD))
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [f"Error: {big}: too large (2 MB; the limit is 1 MB: --max-file-size)"]
    assert_only_good_document(tmp_path / "t.db")


def test_size_limit_from_the_environment(tmp_path: Path) -> None:
    big = tmp_path / "agenda_pack.txt"
    big.write_bytes(GOOD.read_bytes() * 3000)
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "t.db"), "ingest", str(big)], env={"FOLLOWTHROUGH_MAX_FILE_MB": "1"}
    )
    assert result.exit_code == 1
    assert error_lines(result)[0].startswith(f"Error: {big}: too large")


def bomb_docx(tmp_path: Path) -> Path:
    """The real DOCX with one extra part: 600 MB of zeros, deflated to about 600 KB."""
    out = tmp_path / "bomb.docx"
    with zipfile.ZipFile(DOCX) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("word/media/padding.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(600):
                part.write(chunk)
    return out


def test_docx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = bomb_docx(tmp_path)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    result = ingest(tmp_path / "t.db", str(bomb), str(GOOD))
    assert result.exit_code == 1, result.output
    total = sum(info.file_size for info in zipfile.ZipFile(bomb).infolist()) / 1024 / 1024
    assert error_lines(result) == [
        f"Error: {bomb}: too large (decompresses to {total:,.0f} MB; the limit is 512 MB: a zip bomb?)"
    ]
    assert_only_good_document(tmp_path / "t.db")


def test_one_highly_compressed_part_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", 10**12)
    bomb = bomb_docx(tmp_path)
    result = ingest(tmp_path / "t.db", str(bomb))
    (line,) = error_lines(result)
    assert line.startswith(f"Error: {bomb}: too large (word/media/padding.bin decompresses ") and line.endswith(
        "times over: a zip bomb?)"
    )


def test_pdf_over_the_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 3)
    long_pdf = tmp_path / "pack.pdf"
    pdf = pdfium.PdfDocument(str(PDF))
    for _ in range(3):
        pdf.import_pages(pdfium.PdfDocument(str(PDF)))
    pdf.save(str(long_pdf))
    result = ingest(tmp_path / "t.db", str(long_pdf), str(GOOD))
    assert result.exit_code == 1
    assert error_lines(result) == [f"Error: {long_pdf}: too large ({len(pdf)} pages; the limit is 3)"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("limits") / "t.db"
    assert ingest(db, str(GOOD)).exit_code == 0
    return db


def test_search_query_limits(db: Path) -> None:
    long = CliRunner().invoke(cli, ["--db", str(db), "search", "plan " * 4000])
    assert long.exit_code == 1
    assert long.stderr.strip() == "Error: query too long (20,000 characters; the limit is 1,000)"
    many = CliRunner().invoke(cli, ["--db", str(db), "search", " ".join(["plan"] * 40)])
    assert many.exit_code == 1
    assert many.stderr.strip() == "Error: query has too many words (40; the limit is 32)"


@pytest.mark.parametrize(
    "args",
    [
        ["statements", "--limit", "99999999999999999999"],
        ["search", "plan", "--limit", "99999999999999999999"],
        ["commitments", "--due-within", "99999999999999999999"],
        ["commitments", "--due-within", "3000000"],
        ["commitments", "--as-of", "9999-12-31", "--due-within", "10"],
        ["gaps", "--as-of", "0001-01-01"],
        ["evidence", "confirm", "99999999999999999999"],
        ["links", "confirm", "1", "99999999999999999999"],
        ["links", "add", "0", "1"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(db: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError)
    assert "Error: Invalid value" in result.stderr
