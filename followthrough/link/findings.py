"""Which statements are the findings a plan must answer, and which only frame them.

- A findings document with an improvement list (statements with a ``section``,
  extract/report_lists.py): every list item is a finding.
- Recommendations and concerns in the body are findings too, unless they frame the findings
  rather than state one: a statement whose content words are all report language about its
  own findings ("further improvements are needed in key areas", "we expect the local authority
  to take appropriate action to address the areas identified"; data/framing.txt), or a
  judgement heading read as a statement ("Overall effectiveness: inadequate"). Those are shown
  apart as context, never as gaps.
- The same point stated twice (a recommendation and a concern over the same words, two
  near-identical statements, or a body sentence that repeats a list item's words) is one
  finding: the list item, else the recommendation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

from followthrough.models import Statement

NEAR_IDENTICAL = 90  # rapidfuzz ratio of normalised texts at or above which two statements are one point
SHARED_SHARE = 0.8  # ... or this share of the shorter statement's content words in the other
MIN_SHARED_WORDS = 4  # ... when it has at least this many
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass
class Selection:
    findings: list[Statement] = field(default_factory=list)
    context: list[Statement] = field(default_factory=list)
    merged: dict[int, int] = field(default_factory=dict)  # dropped duplicate id -> kept finding id


@lru_cache(maxsize=1)
def framing_words() -> frozenset[str]:
    text = resources.files("followthrough.link").joinpath("data/framing.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    from followthrough.link.glossary import stopwords

    return stopwords()


def content_words(text: str) -> list[str]:
    """Words of ``text`` that are neither function words nor report language about findings."""
    skip = framing_words() | _function_words()
    return [w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in skip and len(w) > 2]


_PRONOUN_SUBJECT = re.compile(r"^(?:this|that|these|those|it)\s+\w+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _reporting_verbs() -> frozenset[str]:
    from followthrough.extract.actors import reporting_verbs

    return frozenset(reporting_verbs())


def _without_speaker(text: str) -> str:
    """The reported part of "The Corporate Director highlighted two areas of concern": what
    follows the first reporting verb, when one comes within the first dozen words."""
    words = text.split()
    for index, word in enumerate(words[:12]):
        if word.lower().strip(",.") in _reporting_verbs():
            rest = words[index + 1 :]
            return " ".join(rest[1:] if rest and rest[0].lower() == "that" else rest)
    return text


def is_framing(statement: Statement, doc_text: str | None = None) -> bool:
    """Whether the statement frames the findings instead of stating one (never for list items):
    nothing of its own subject (its content words, speaker aside, are all report language), or
    a pronoun for a subject and at most one content word ("this required a whole Council
    approach"), or a heading read as a statement."""
    if statement.section:
        return False
    said = _without_speaker(statement.text.strip())
    words = content_words(said)
    if not words or (len(words) <= 1 and _PRONOUN_SUBJECT.match(said)):
        return True
    return doc_text is not None and is_heading(statement, doc_text)


def is_heading(statement: Statement, doc_text: str) -> bool:
    """A heading taken for a statement: a paragraph of its own (blank lines around it) of at
    most two lines and twenty words, with no sentence end ("Overall effectiveness: inadequate",
    "The experiences and progress of children who need help and protection: inadequate")."""
    start, end = statement.start, statement.end
    if start is None or end is None or end > len(doc_text):
        return False
    before = doc_text[max(0, start - 200) : start]
    after = doc_text[end : end + 200]
    # the whole paragraph: from the blank line before to the blank line after
    head = before.rsplit("\n\n", 1)[-1] if "\n\n" in before or start <= 200 else None
    tail = after.split("\n\n", 1)[0] if "\n\n" in after or end + 200 >= len(doc_text) else None
    if head is None or tail is None:
        return False
    paragraph = (head + doc_text[start:end] + tail).strip()
    words = paragraph.split()
    return (
        0 < len(words) <= 20
        and paragraph.count("\n") <= 1
        and not re.search(r"[.!?;,]['\"’”)]*$", paragraph)
        and paragraph[:1].isupper()
    )


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def _same_point(a: Statement, b: Statement) -> bool:
    if a.document_id != b.document_id:
        return False
    if a.start is not None and b.start is not None and a.end is not None and b.end is not None:
        overlap = min(a.end, b.end) - max(a.start, b.start)
        if overlap > 0 and overlap >= 0.5 * min(a.end - a.start, b.end - b.start):
            return True
    if fuzz.ratio(_norm(a.text), _norm(b.text)) >= NEAR_IDENTICAL:
        return True
    # the same words with a different ending ("The response to ... homeless." as a list item,
    # "The response to ... homeless is ineffective." in the body): the shorter one's content
    # words nearly all in the other
    words_a, words_b = set(content_words(a.text)), set(content_words(b.text))
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) >= MIN_SHARED_WORDS and len(shorter & longer) >= SHARED_SHARE * len(shorter)


def _rank(statement: Statement) -> tuple[int, int]:
    """Which of two statements of one point to keep: the list item, else the recommendation."""
    return (0 if statement.section else 1, 0 if statement.kind == "recommendation" else 1)


def select_findings(statements: list[Statement], doc_texts: dict[int, str] | None = None) -> Selection:
    """Split recommendations and concerns into findings and context, one finding per point.
    ``doc_texts``: document id -> text, to see headings taken for statements."""
    out = Selection()
    candidates: list[Statement] = []
    for statement in statements:
        doc_text = (doc_texts or {}).get(statement.document_id) if statement.document_id is not None else None
        (out.context if is_framing(statement, doc_text) else candidates).append(statement)
    kept: list[Statement] = []
    for statement in sorted(candidates, key=_rank):
        twin = next((k for k in kept if _same_point(k, statement)), None)
        if twin is None:
            kept.append(statement)
        elif statement.id is not None and twin.id is not None:
            out.merged[statement.id] = twin.id
    order = {id(s): i for i, s in enumerate(statements)}
    out.findings = sorted(kept, key=lambda s: order[id(s)])
    return out
