"""Exceptions raised by the library; cli.py turns them into one-line messages."""

from __future__ import annotations

from pathlib import Path


class FollowthroughError(Exception):
    """Base class for every error followthrough reports to the user."""


class BadDocument(FollowthroughError):
    """A file that cannot be read as a document.

    ``reason`` is one of a short fixed vocabulary (corrupt, encrypted, scanned with no
    text layer, empty, unsupported type, unreadable, too large) plus detail.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StoreError(FollowthroughError):
    """The database cannot be opened or upgraded."""


class UsageError(FollowthroughError):
    """Arguments that do not make sense together."""
