"""Resource limits for reading files: a file too big to read, an archive that decompresses to
far more than it holds (a zip bomb), a PDF with more pages than any council document.

Each failing check raises :class:`BadDocument` with the reason "too large (...)".
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from followthrough.errors import BadDocument

MAX_FILE_MB = 200  # ingest --max-file-size (or FOLLOWTHROUGH_MAX_FILE_MB)
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # all parts of a DOCX/XLSX together
MAX_ZIP_RATIO = 200  # a part larger than 10 MB that shrank more than this is a bomb
MAX_ZIP_MEMBERS = 10_000
MAX_PDF_PAGES = 5_000  # the longest agenda packs run to a couple of thousand


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def check_file_size(path: Path, size: int, max_bytes: int | None) -> None:
    limit = MAX_FILE_MB * 1024 * 1024 if max_bytes is None else max_bytes
    if size > limit:
        raise BadDocument(path, f"too large ({_mb(size)}; the limit is {_mb(limit)}: --max-file-size)")


def check_zip(path: Path, data: bytes) -> None:
    """Refuse an archive whose parts (as its directory declares them; zipfile reads no more
    than that) add up past :data:`MAX_UNZIPPED_BYTES`, or shrank past :data:`MAX_ZIP_RATIO`."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        return  # the reader reports it as corrupt
    if len(infos) > MAX_ZIP_MEMBERS:
        raise BadDocument(path, f"too large ({len(infos):,} parts in the archive; the limit is {MAX_ZIP_MEMBERS:,})")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise BadDocument(
            path, f"too large (decompresses to {_mb(total)}; the limit is {_mb(MAX_UNZIPPED_BYTES)}: a zip bomb?)"
        )
    for info in infos:
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise BadDocument(
                path,
                f"too large ({info.filename} decompresses {info.file_size // max(info.compress_size, 1):,} times over: a zip bomb?)",
            )


def check_pdf_pages(path: Path, pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise BadDocument(path, f"too large ({pages:,} pages; the limit is {MAX_PDF_PAGES:,})")
