"""Inspection follow-up: judge each recommendation of an earlier inspection report from a
later report of the same council and inspectorate.

Each earlier recommendation (its improvement-list item) is compared with every sentence of
the later report, by meaning: the pre-trained encoder's cosine and an IDF-weighted word
overlap (IDF over the later report's sentences). Sentences close enough are about it; none
means ``not mentioned``. Of the sentences about it, the closest with a view decides:
``continuing`` when it still finds a weakness (the later report's own improvement list
counts as one), ``improved`` when it finds the area better or good. Wording cues are
general English of inspection reports (``tracking/data/followup.json``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import sqlite_utils

from followthrough.errors import UsageError
from followthrough.language import councils
from followthrough.store import document_id as find_document_id
from followthrough.tracking.match import _overlap, stems
from followthrough.tracking.minutes import sentences

STATUSES = ("improved", "continuing", "not mentioned")
_BULLET = re.compile(r"^\s*[◼■▪●•·\-–−*]\s*")
_SUB_BULLET = re.compile(r"^\s*[−–\-]\s+")
_SENTENCE_END = re.compile(r"[.!?)”’\"]$")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads(resources.files("followthrough.tracking").joinpath("data/followup.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    raw = _data()
    return (
        re.compile("|".join(f"(?:{p})" for p in raw["weakness"]), re.IGNORECASE),
        re.compile("|".join(f"(?:{p})" for p in raw["strength"]), re.IGNORECASE),
    )


def view(sentence: str) -> str | None:
    """'continuing' when the sentence finds a weakness, 'improved' when a strength, else None."""
    weakness, strength = _cues()
    if weakness.search(sentence):
        return "continuing"
    if strength.search(sentence):
        return "improved"
    return None


@dataclass
class Evidence:
    text: str
    page: int | None
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "page": self.page, "score": self.score}


@dataclass
class Item:
    text: str
    page: int | None
    status: str
    evidence: list[Evidence] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "page": self.page,
            "status": self.status,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass
class Followup:
    earlier: str
    later: str
    items: list[Item]


def inspectorate(text: str) -> str | None:
    """Which inspectorate wrote a report, from its opening."""
    opening = text[:4000].lower().replace("’", "'")
    for name, words in _data()["inspectorates"].items():
        if any(re.search(rf"\b{re.escape(w)}\b", opening) for w in words):
            return name
    return None


def _report_date(meeting_date: str | None, text: str) -> str:
    """A sortable date: the publication date, else the latest year in the opening."""
    if meeting_date:
        return meeting_date
    years = _YEAR.findall(text[:3000])
    return max(years) if years else ""


def previous_report(db: sqlite_utils.Database, later_id: int) -> int:
    """The latest inspection report of the same council and inspectorate before ``later_id``."""
    row = db.execute("SELECT council, meeting_date, text FROM documents WHERE id = ?", [later_id]).fetchone()
    council, day, text = row
    when, who = _report_date(day, text), inspectorate(text)
    found = []
    for doc_id, other_council, other_day, other_text in db.execute(
        "SELECT id, council, meeting_date, text FROM documents WHERE kind = 'inspection report' AND id != ?", [later_id]
    ):
        if not (council and other_council and (councils.same(council, other_council) or council == other_council)):
            continue
        if inspectorate(other_text) != who:
            continue
        other_when = _report_date(other_day, other_text)
        if other_when and when and other_when < when:
            found.append((other_when, doc_id))
    if not found:
        raise UsageError("no earlier report of the same council and inspectorate: give --earlier")
    return max(found)[1]


def recommendations(
    db: sqlite_utils.Database, document_id: int, bulleted_only: bool = False
) -> list[tuple[str, int | None]]:
    """The earlier report's recommendations, as (text, page): its improvement-list items
    (statements with a ``section`` where extraction records one; else the bulleted ones,
    if any), each with the sub-bullets that complete it ("including: − ... − ...")."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(statements)")}
    rows = db.execute(
        "SELECT text, page"
        + (", section" if "section" in columns else ", NULL")
        + " FROM statements WHERE document_id = ? AND kind = 'recommendation' ORDER BY start",
        [document_id],
    ).fetchall()
    if any(r[2] for r in rows):
        rows = [r for r in rows if r[2]]
    elif any(_BULLET.match(r[0]) and not _SUB_BULLET.match(r[0]) for r in rows):
        rows = [r for r in rows if _BULLET.match(r[0])]
    elif bulleted_only:
        return []
    items: list[list[Any]] = []
    for text, page, _ in rows:
        clean = " ".join(text.split())
        if items and _SUB_BULLET.match(text) and items[-1][0].rstrip().endswith((":", "including")):
            items[-1][0] += " " + clean
            continue
        if items and _SUB_BULLET.match(text) and items[-1][0].count(" − ") and not items[-1][0].rstrip().endswith("."):
            items[-1][0] += " " + clean
            continue
        items.append([_BULLET.sub("", clean), page])
    return [(t, p) for t, p in items]


def _key(sentence: str) -> str:
    return " ".join(re.findall(r"[a-z]+", sentence.lower()))


def _later_sentences(
    db: sqlite_utils.Database, document_id: int, earlier_id: int | None = None
) -> list[tuple[str, int | None, bool]]:
    """(sentence, page, on the later report's own improvement list). Sentences the earlier
    report has word for word are the inspectorate's standard text (judgement headings,
    "It assesses council children's services ..."), not a finding."""
    standard = ""
    if earlier_id is not None:
        standard = _key(db.execute("SELECT text FROM documents WHERE id = ?", [earlier_id]).fetchone()[0])
    listed = {_key(t) for t, _ in recommendations(db, document_id, bulleted_only=True)}
    out = []
    for page, text in db.execute("SELECT page, text FROM passages WHERE document_id = ? ORDER BY start", [document_id]):
        for a, b in sentences(text):
            sentence = _BULLET.sub("", " ".join(text[a:b].split()))
            sentence = re.sub(r"^\d{1,3}\.\s+", "", sentence)  # numbered paragraphs
            key = _key(sentence)
            # a finding is a sentence: headings ("The experiences and progress of care leavers")
            # have no full stop; the inspectorate's standard text is in the earlier report too
            if len(sentence.split()) >= 4 and _SENTENCE_END.search(sentence) and key not in standard:
                out.append((sentence, page, key in listed))
    return out


def judge(recs: list[tuple[str, int | None]], later: list[tuple[str, int | None, bool]], embed) -> list[Item]:
    raw = _data()
    if not recs:
        return []
    if not later:
        return [Item(t, p, "not mentioned") for t, p in recs]
    later_terms = [Counter(stems(s)) for s, _, _ in later]
    df = Counter(w for t in later_terms for w in t)
    n = len(later) + 1
    idf = {w: math.log(n / c) + 1.0 for w, c in df.items()}
    missing = max(idf.values(), default=1.0)
    vectors = embed([t for t, _ in recs] + [s for s, _, _ in later])
    cos = vectors[: len(recs)] @ vectors[len(recs) :].T
    items = []
    for i, (text, page) in enumerate(recs):
        terms = stems(text)
        sims = np.array(
            [0.5 * float(cos[i, k]) + 0.5 * _overlap(terms, later_terms[k], idf, missing) for k in range(len(later))]
        )
        order = [int(k) for k in np.argsort(-sims) if sims[k] >= raw["mention_similarity"]]
        if not order:
            items.append(Item(text, page, "not mentioned"))
            continue
        views = ("continuing" if later[k][2] else view(later[k][0]) for k in order)
        status = next((v for v in views if v), "continuing")
        evidence = [Evidence(later[k][0], later[k][1], round(float(sims[k]), 3)) for k in order[: raw["evidence"]]]
        items.append(Item(text, page, status, evidence))
    return items


def followup(db: sqlite_utils.Database, later: str, earlier: str | None = None, embed=None) -> Followup:
    """Judge the recommendations of ``earlier`` (default: the previous report of the same
    council and inspectorate) from the text of ``later``."""
    if embed is None:
        from followthrough.language.encoder import embed
    later_id = find_document_id(db, later, "later")
    earlier_id = find_document_id(db, earlier, "earlier") if earlier else previous_report(db, later_id)
    if earlier_id == later_id:
        raise UsageError("--earlier and --later name the same document")
    names = dict(db.execute("SELECT id, name FROM documents WHERE id IN (?, ?)", [earlier_id, later_id]).fetchall())
    items = judge(recommendations(db, earlier_id), _later_sentences(db, later_id, earlier_id), embed)
    return Followup(names[earlier_id], names[later_id], items)
