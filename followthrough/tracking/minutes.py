"""The structure of minutes that tracking reads: numbered minutes, their lettered or roman
sub-items, and the "Matters arising" items that report back on earlier minutes by number.

Pure functions over the document text. A minute is a line "12. TITLE" (a short or capitalised
title); a sub-item is a line "iii)" or "(b)"; under a matters-arising minute a line that starts
with a minute number ("13i)", "5.iv)", "10. The revised ...") refers to that minute of an
earlier meeting, and so does "Minute 123" anywhere. PDF text sometimes repeats list numbers in
front of a line ("4.4.4. 11iii)"): the reference is the last number before the bracket.
Documents with no numbered minutes fall back to their paragraphs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_LINE = re.compile(r"[^\n]*\n?")
# Minute numbers as councils write them: "12.", "12)", "45/23" (number/year), "C45", "CAB 45".
_NUMBER = r"(?:[A-Z]{1,3}\s?)?\d{1,4}[A-Z]?(?:/\d{2,4})?"
_HEADING = re.compile(
    rf"^\s*(?:(?:Minute|Min\.?)\s*(?:No\.?\s*)?)?(?P<num>{_NUMBER})[.):]?\s+(?P<title>\S.{{2,}}?)\s*$"
)
_SUB = re.compile(r"^\s*\(?(?P<sub>[ivx]{1,6}|[a-h])\)\s+\S")
# A reference at the start of a line under matters arising: "4.4.13ii)", "5.iv)", "5A The", "10. The"
_REF_BRACKET = re.compile(r"^\s*[\d.\s]*?(?P<num>\d{1,4}[A-Z]?)\s?\.?\s?(?P<sub>[ivx]{1,6}|[a-h])?\)\s*")
_REF_PLAIN = re.compile(r"^\s*[\d.\s]*?(?P<num>\d{1,4}[A-Z]?)\.?\s+(?=[A-Z])")
_MINUTE_REF = re.compile(
    r"\b(?:Minute|Min\.)\s*(?:No\.?\s*)?(?P<num>(?-i:[A-Z]{1,3}\s?)?\d{1,4}[A-Z]?(?:/\d{2,4})?)"
    r"(?:\s*\(?(?P<sub>[ivx]{1,6}|[a-h])\))?",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“‘(])|(?<=:)[ \t]*\n\s*(?=\S)")
# A full stop after these is not the end of a sentence: titles, initials ("J."), dotted
# abbreviations ("C.C.C."), and common short forms.
_ABBREVIATION = re.compile(
    r"(?:\b(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Miss|Dr|Prof|Rev|Revd|St|No|Nos|Ref|Dept|Co|Ltd|Plc|Inc|approx|etc|vs|viz|cf|i\.e|e\.g)|"
    r"\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$"
)


@dataclass(frozen=True)
class Segment:
    """A numbered minute or one of its sub-items (or a paragraph), with its place in the text."""

    start: int
    end: int
    minute: str | None = None
    title: str | None = None
    sub: str | None = None
    ref: str | None = None  # the earlier minute it reports back on, normalised ("13i")
    matters_arising: bool = False

    @property
    def position(self) -> str | None:
        """This segment's own minute number, with its sub-item: '5vii', '13'."""
        if self.minute is None:
            return None
        return key(self.minute + (self.sub or ""))


def key(label: str) -> str:
    """A minute reference in a comparable form: '5.iv' -> '5iv', '13 (i)' -> '13i'."""
    return re.sub(r"[^0-9a-z]", "", label.lower())


@lru_cache(maxsize=1)
def _matters_arising() -> re.Pattern[str]:
    raw = json.loads(resources.files("followthrough.tracking").joinpath("data/minutes.json").read_text("utf-8"))
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in raw["matters_arising"]) + r")\b", re.IGNORECASE)


def _is_title(title: str) -> bool:
    """A heading's title: mostly capitals, or short with no full stop at the end."""
    letters = [c for c in title if c.isalpha()]
    if not letters:
        return False
    if sum(c.isupper() for c in letters) >= 0.6 * len(letters):
        return True
    return len(title.split()) <= 14 and not title.rstrip().endswith((".", ",", ";")) and title[0].isupper()


def segments(text: str) -> list[Segment]:
    """The document's minutes and sub-items in order; paragraphs when it has no numbered minutes."""
    lines: list[tuple[int, str]] = []
    offset = 0
    for match in _LINE.finditer(text):
        line = match.group(0)
        if not line:
            break
        lines.append((offset, line.rstrip("\n")))
        offset += len(line)
    starts: list[tuple[int, str | None, str | None, str | None, str | None, bool]] = []
    minute = title = None
    arising = False
    for start, line in lines:
        heading = _HEADING.match(line)
        if heading and _is_title(heading.group("title")) and not (arising and _REF_BRACKET.match(line)):
            minute, title = heading.group("num"), heading.group("title").strip()
            arising = bool(_matters_arising().search(title))
            starts.append((start, minute, title, None, None, arising))
            continue
        if minute is None:
            continue
        cited = _MINUTE_REF.match(line.lstrip())
        if cited:  # "Minute 45/23 – the Clerk reported that ...": a report-back on that minute
            label = key(cited.group("num") + (cited.group("sub") or ""))
            starts.append((start, minute, title, label, label, True))
            continue
        if arising:
            ref_match = _REF_BRACKET.match(line) or _REF_PLAIN.match(line)
            if ref_match:
                label = key(ref_match.group("num") + (ref_match.groupdict().get("sub") or ""))
                starts.append((start, minute, title, label, label, True))
                continue
        sub_match = _SUB.match(line)
        if sub_match:
            starts.append((start, minute, title, sub_match.group("sub"), None, arising))
    if not starts:
        return _paragraphs(text)
    found = []
    for i, (start, minute, title, sub, ref, arising) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        if ref is None:
            cited = _MINUTE_REF.search(text, start, end)
            if cited:
                ref = key(cited.group("num") + (cited.group("sub") or ""))
        found.append(Segment(start, end, minute, title, sub if ref is None or not arising else None, ref, arising))
    if starts[0][0] > 0:
        found.insert(0, Segment(0, starts[0][0]))
    return found


def _paragraphs(text: str) -> list[Segment]:
    found = []
    for match in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        cited = _MINUTE_REF.search(match.group(0))
        ref = key(cited.group("num") + (cited.group("sub") or "")) if cited else None
        found.append(Segment(match.start(), match.end(), ref=ref))
    return found


def segment_at(found: list[Segment], offset: int) -> Segment | None:
    for segment in found:
        if segment.start <= offset < segment.end:
            return segment
    return None


def sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, offsets shifted by ``start``."""
    spans = []
    pos = 0
    for match in _SENTENCE.finditer(text):
        if text[match.start() - 1 : match.start()] == "." and _ABBREVIATION.search(
            text[max(0, match.start() - 12) : match.start()]
        ):
            continue
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        chunk = text[a:b]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        if trail - lead > 0:
            out.append((start + a + lead, start + a + trail))
    return out
