"""Plain text and Markdown: UTF-8 (a few bad bytes replaced), else Windows-1252, with a warning."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import cast

from followthrough.errors import BadDocument
from followthrough.models import Document


def decode(path: Path, data: bytes) -> str:
    """Decode bytes (see :func:`decode_text`); the warning is dropped."""
    return decode_with_warning(path, data)[0]


def decode_with_warning(path: Path, data: bytes) -> tuple[str, str | None]:
    """:func:`decode_text`, refusing binary data first."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadDocument(path, "unsupported type (binary data, not text)")
    return decode_text(data)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Text and a warning when the encoding was a guess.

    UTF-8 (with or without BOM) and UTF-16 with a BOM decode as they are. UTF-8 with a few
    bytes that are not UTF-8 keeps its text, the bad bytes replaced by U+FFFD. Anything else
    is read as Windows-1252, the encoding of UK office files that are not UTF-8 (a superset of
    Latin-1 in practice: '£' is 0xA3 in both; its five unassigned bytes read as Latin-1).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8-sig", errors="ignore").count("\ufffd")
    good_non_ascii = sum(1 for c in text if ord(c) > 127 and c != "\ufffd")
    # Windows-1252 text almost never holds a valid UTF-8 multi-byte sequence by chance, so
    # valid ones at least as many as the bad bytes mean UTF-8 damaged in a few places.
    if good_non_ascii and bad <= good_non_ascii:
        return (
            text,
            f"{bad} byte{'s' if bad != 1 else ''} that {'are' if bad != 1 else 'is'} not UTF-8 replaced by \ufffd",
        )
    return data.decode(
        "cp1252", errors="latin1_fallback"
    ), "not UTF-8: read as Windows-1252 (a guess; check '£' and quotes)"


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Windows-1252's unassigned bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) as Latin-1 controls."""
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("latin-1"), error.end


# (registered for decoding only, so the handler is only ever given a UnicodeDecodeError)
codecs.register_error("latin1_fallback", cast(Callable[[UnicodeError], tuple[str, int]], _latin1_fallback))


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, data: bytes) -> Document:
    text, warning = decode_with_warning(path, data)
    text = normalise_newlines(text)
    if not text.strip():
        raise BadDocument(path, "empty (no text)")
    return Document(
        path=str(path), sha256="", text=text, pages=[], file_type="text", warnings=[warning] if warning else []
    )
