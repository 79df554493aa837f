"""Split a document's text into passages (paragraphs) with offsets, page and speaker."""

from __future__ import annotations

import re

from followthrough.models import Document, Passage

# A block ends at a newline followed by a blank line (literal first character: fast to scan).
_BLOCK_END = re.compile(r"\n(?=[ \t\xa0]*\n)")
# A line that ends a sentence and a next line that starts a new one: a paragraph break
# in text whose paragraphs are separated by single newlines.
_SENTENCE_END_CHARS = frozenset(".:;!?\u2019\"')")
_NEW_START = re.compile(r"^\s*(?:[A-Z0-9(\u2022\u00b7\-\u2013*]|RESOLVED)")


def split_passages(doc: Document) -> list[Passage]:
    from followthrough.extract.actors import passage_speaker

    passages: list[Passage] = []
    speaker: str | None = None
    for block_start, block_end in _blocks(doc.text):
        for start, end in _paragraphs(doc.text, block_start, block_end):
            raw = doc.text[start:end]
            stripped = raw.strip()
            if not stripped:
                continue
            start += len(raw) - len(raw.lstrip())
            end = start + len(stripped)
            speaker = passage_speaker(stripped) or (speaker if _continues_speech(stripped) else None)
            item = doc.item_at(start)
            passages.append(
                Passage(
                    text=stripped,
                    start=start,
                    end=end,
                    page=doc.page_at(start),
                    speaker=speaker,
                    item_number=item.number if item else None,
                )
            )
    return passages


def _blocks(text: str) -> list[tuple[int, int]]:
    """Offsets of the runs of text between blank lines."""
    spans, pos = [], 0
    for match in _BLOCK_END.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a] == "\n":
            a += 1
        if a < b:
            out.append((a, b))
    return out


_CONTINUES_SPEECH = re.compile(r"(?:She|He|They|The (?:Director|Officer|Head))\b")


def _continues_speech(text: str) -> bool:
    return _CONTINUES_SPEECH.match(text) is not None


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Break a block at line ends that close a sentence when the next line opens one."""
    lines = []
    pos = start
    for line in text[start:end].split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    if len(lines) == 1:
        return [(start, end)]
    # Hard-wrapped text (most lines long and not ending a sentence) stays one paragraph.
    spans = []
    para_start = lines[0][0]
    for (a, b), (c, _) in zip(lines, lines[1:]):
        if text[a:b].rstrip()[-1:] in _SENTENCE_END_CHARS and _NEW_START.match(text[c : c + 12]):
            spans.append((para_start, b))
            para_start = c
    spans.append((para_start, lines[-1][1]))
    return spans
