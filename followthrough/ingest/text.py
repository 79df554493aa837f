"""Plain text and Markdown: decode with the declared or detected encoding."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from followthrough.errors import BadDocument
from followthrough.models import Document, Page


def decode(path: Path, data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), else the best detected encoding."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadDocument(path, "unsupported type (binary data, not text)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise BadDocument(path, "unsupported type (undecodable text)")
    return str(best)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, data: bytes) -> Document:
    text = normalise_newlines(decode(path, data))
    if not text.strip():
        raise BadDocument(path, "empty (no text)")
    return Document(path=str(path), sha256="", text=text, pages=[], file_type="text")
