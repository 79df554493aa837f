"""Minutes' layout: lines -> headings, labels, bullets and paragraphs -> sentences.

Works on character offsets into the document text, so every segment can be quoted
verbatim. Copes with what PDF extraction and ModernGov pages leave behind: hard-wrapped
lines, bullets on a line of their own, numbered resolution parts, "Decision:" and
"Minutes:" labels, and "... view the full minutes text" cut marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

BULLET_ONLY = re.compile(r"^[ \t\xa0]*[·•▪◦‣∙o*\-–][ \t\xa0]*$")
BULLET = re.compile(
    r"^[ \t\xa0]*(?:[·•▪◦‣∙*\-–](?=[ \t\xa0])|\(?(?:[a-z]|[ivx]{1,5}|\d{1,2})\)|(?:\d{1,2}|[a-z])\.(?=[ \t\xa0])"
    r"|\d{1,2}\.\d{1,2}\.?(?=[ \t\xa0]+[A-Za-z])"
    r"|(?:R|P|AFI|PAD)\d{1,2}[.:)]?(?=[ \t\xa0])|Recommendation\s+\d{1,2}[.:)]?(?=[ \t\xa0]))[ \t\xa0]*"
)
ITEM_NUMBER = re.compile(r"^[ \t\xa0]*\d{1,4}[.)]?[ \t\xa0]*$")
LABEL = re.compile(
    r"^[ \t\xa0]*(?P<label>Decision|Decisions|Minutes|Minute|Purpose|Advice of the [^:\n]{3,60}|Decision of the [^:\n]{3,60}"
    r"|Additional documents|Reason(?:s)?(?: for (?:the )?decision)?|REASON|Recommendations?|Declarations? of interest)[ \t\xa0]*:?[ \t\xa0]*$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*[ \t\xa0]*$")


def ends_sentence(text: str) -> bool:
    """``SENTENCE_END.search(text)``, looking at the end only: a regex search tries every
    position, and a paragraph is tested again each time a wrapped line joins it."""
    if text.endswith("\n"):
        text = text[:-1]  # as $ does
    text = text.rstrip(" \t\xa0")
    if text.endswith((":-", ":–")):  # "The Committee resolved:-" introduces its parts
        return True
    text = text.rstrip("\"'”’)]")
    last = text[-1:]
    if last == ".":  # a line that stops after "Cllr." or "J." has not ended its sentence
        word = text[text.rfind(" ") + 1 : -1].lower().lstrip("(")
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False
    return last in (".", "!", "?", ":", ";")


# Words a wrapped line can end on but a heading cannot.
CONTINUES = frozenset(
    "the a an of and or to in for with by on at from as that which who whose whom this these "
    "those its their his her was were is are be been being has have had will would should must "
    "can could may might it he she they we there not but also than into onto upon over under "
    "about after before between during within without while whilst where when if so such "
    "any all each every some both either neither our your my".split()
)
ABBREVIATIONS = frozenset(
    "mr mrs ms dr cllr cllrs st no nos e.g i.e etc approx para paras ref co ltd inc vs prof rev "
    "gen jan feb mar apr jun jul aug sep sept oct nov dec fig figs vol cf al dept govt".split()
)
CUT_MARK = re.compile(
    r"[ \t\xa0]*(?:\.\.\.|…)[ \t\xa0]*view the full (?:minutes|decision) text for item[^\n]*", re.IGNORECASE
)


class Line:
    """One line of the text and its offsets; ``stripped`` is the text without edge blanks."""

    __slots__ = ("start", "end", "text", "stripped")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.stripped = text.strip(" \t\xa0")


@dataclass(slots=True)
class Block:
    """A heading, a label, or a paragraph/bullet of running text (offsets are verbatim)."""

    role: str  # heading | label | item | paragraph | bullet
    start: int
    end: int
    text: str
    sentences: list[Sentence] | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str


def lines_of(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


_MARK_STARTS = frozenset("·•▪◦‣∙o*-–(RPADMdmpar0123456789")


def _may_be_marked(stripped: str) -> bool:
    """Whether BULLET_ONLY, LABEL, ITEM_NUMBER or BULLET could match a line (given its
    stripped text), by what they can start with: most lines are plain text, and the four
    expressions are then not tried."""
    first = stripped[0]
    if first in _MARK_STARTS:
        return True
    if "a" <= first <= "z":  # "a) ...", "b. ...", "iv) ..."
        return stripped[1:2] in (".", ")") or (first in "ivx" and ")" in stripped[:6])
    return False


def _is_heading(line: str) -> bool:
    s = line.strip(" \t\xa0")
    if not s or len(s) > 100 or s.endswith((",", "–", "-", "—")):
        return False
    if ends_sentence(s) and not s.endswith("?"):  # "What needs to improve?" is a heading
        return False
    words = s.split()
    if len(words) > 14 or not (s[0].isupper() or s[0].isdigit()):
        return False
    return words[-1].lower().strip("'’\"") not in CONTINUES


def blocks_of(text: str) -> list[Block]:
    """Group lines into blocks: hard-wrapped lines join; bullets, labels and headings stand alone."""
    blocks: list[Block] = []
    current: Block | None = None
    pending_bullet = False
    after_break = True  # at a paragraph start (after a blank line or a finished sentence)

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
            current = None

    lines = lines_of(text)
    for index, line in enumerate(lines):
        s = line.stripped
        if not s or s in ("\xa0",):
            if current is None or not _wraps_across_blank(current, lines, index):
                close()
                after_break = True
            continue
        if not _may_be_marked(s):
            label = bullet = None  # plain text: no bullet, label or item number can match
        elif BULLET_ONLY.match(line.text):
            close()
            pending_bullet = True
            after_break = True
            continue
        else:
            label = LABEL.match(line.text)
            if label:
                close()
                blocks.append(Block("label", line.start, line.end, s))
                after_break = True
                continue
            if ITEM_NUMBER.match(line.text):
                close()
                blocks.append(Block("item", line.start, line.end, s))
                after_break = True
                continue
            bullet = BULLET.match(line.text)
        if bullet and (after_break or current is None or ends_sentence(current.text) or current.role == "bullet"):
            close()
            start = line.start + bullet.end()
            current = Block("bullet", start, line.end, line.text[bullet.end() :])
            pending_bullet = False
            after_break = False
            continue
        joinable = current is not None and not ends_sentence(current.text.rstrip())
        if joinable and current is not None and current.role == "bullet" and _heading_after_list(line, lines, index):
            joinable = False  # "- Timeliness of reviews" then "Strengths": a new heading, not a wrap
        at_start = after_break or current is None or not joinable
        if joinable and current is not None and current.role in ("paragraph", "bullet"):
            current.end = line.end
            current.text = text[current.start : current.end]
            continue
        following = lines[index + 1].stripped if index + 1 < len(lines) else ""
        wraps_on = bool(following) and following[0].islower()
        if at_start and not pending_bullet and not wraps_on and _is_heading(line.text):
            close()
            blocks.append(Block("heading", line.start + _lead(line.text), line.end, s))
            after_break = True
            continue
        close()
        start = line.start + _lead(line.text)
        current = Block("bullet" if pending_bullet else "paragraph", start, line.end, text[start : line.end])
        pending_bullet = False
        after_break = False
    close()
    for block in blocks:
        _trim(block, text)
    return [b for b in blocks if b.text.strip()]


def _heading_after_list(line: Line, lines: list[Line], index: int) -> bool:
    """A short capitalised line after a bullet, followed by a bullet or a blank line."""
    s = line.stripped
    if not s or not s[0].isupper() or len(s.split()) > 6 or not _is_heading(line.text):
        return False
    following = lines[index + 1].stripped if index + 1 < len(lines) else ""
    return (
        not following
        or bool(BULLET.match(lines[index + 1].text))
        or BULLET_ONLY.match(lines[index + 1].text) is not None
    )


def _wraps_across_blank(current: Block, lines: list[Line], index: int) -> bool:
    """PDF-to-text output often puts a blank line after every wrapped line: join across it
    when the paragraph stops mid-sentence and the next line carries on."""
    if current.role not in ("paragraph", "bullet") or ends_sentence(current.text):
        return False
    following = next((l.stripped for l in lines[index + 1 : index + 3] if l.stripped), "")
    if not following or BULLET.match(following) or LABEL.match(following):
        return False
    last_line = current.text.rsplit("\n", 1)[-1].strip()
    last_word = last_line.rsplit(None, 1)[-1].lower() if last_line else ""
    return following[0].islower() or last_word in CONTINUES or len(last_line) >= 70


def _lead(s: str) -> int:
    return len(s) - len(s.lstrip(" \t\xa0"))


def _trim(block: Block, text: str) -> None:
    cut = CUT_MARK.search(block.text) if ("..." in block.text or "…" in block.text) else None
    if cut:
        block.end = block.start + cut.start()
    raw = text[block.start : block.end]
    stripped = raw.rstrip(" \t\xa0\n")
    block.end = block.start + len(stripped)
    block.text = text[block.start : block.end]


INITIALISM = re.compile(r"[a-z](?:\.[a-z])+\.?")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def sentences_of(block: Block) -> list[Sentence]:
    """A block's sentences (split once, then remembered on the block)."""
    if block.sentences is None:
        block.sentences = list(_split_sentences(block))
    return block.sentences


def _split_sentences(block: Block) -> Iterator[Sentence]:
    """Split a block into sentences, not after abbreviations or initials."""
    text = block.text
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start()].rstrip(".!?\"'”’)]").rsplit(None, 1)
        last = before[-1].lower() if before else ""
        if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or INITIALISM.fullmatch(last.lstrip("(")):
            continue  # "Cllr.", "J.", "C.C.C.)": no sentence ends there
        piece = text[start : match.start()]
        if piece.strip():
            yield _sentence(block, start, match.start())
        start = match.end()
    if text[start:].strip():
        yield _sentence(block, start, len(text))


def _sentence(block: Block, a: int, b: int) -> Sentence:
    raw = block.text[a:b]
    a += len(raw) - len(raw.lstrip())
    b = a + len(raw.strip())
    return Sentence(block.start + a, block.start + b, block.text[a:b])
