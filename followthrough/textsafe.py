"""Text that is safe where it goes: file names as text, the terminal, CSV cells.

- :func:`path_text`: a path as valid UTF-8 text (bytes of a name that are not UTF-8 become
  U+FFFD, as ``ls`` shows them as ``?``), so it can be stored and printed;
- :func:`terminal_safe`: control characters (newlines, ANSI escapes, carriage returns)
  written as visible escapes, so document text or a file name cannot forge lines or colours;
- :func:`csv_safe`: a cell that a spreadsheet would run as a formula (OWASP CSV injection)
  gets a leading apostrophe.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# C0 controls except TAB, DEL, the C1 controls, and the Unicode line/paragraph separators
# and bidirectional overrides that can reorder what the terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def path_text(path: str | Path) -> str:
    """``path`` as text that encodes to UTF-8 (undecodable bytes of the name as U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def terminal_safe(text: str | Path) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x1b``, ``\\u202e``); one line."""
    return _CONTROL.sub(_escape, _valid(text))


def _valid(text: str | Path) -> str:
    """Text without lone surrogates (undecodable file names carry them), which cannot be printed."""
    try:
        return path_text(text)
    except UnicodeError:
        return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def csv_safe(value: str) -> str:
    """A CSV cell that spreadsheets show as text: formula starts get a leading ``'``; a bare
    carriage return becomes a newline (Python's writer, ending lines with ``\\n``, leaves a
    cell with only ``\\r`` unquoted, which splits the row for readers)."""
    if value and value.startswith(_FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")
