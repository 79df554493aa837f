"""Score a later document's sentences as evidence for earlier commitments.

Pure functions over dataclasses (no database): prefilter candidates by shared terms, score
the survivors with one ``rapidfuzz.process.cdist`` call, then add topic, body and due-window
evidence. Thresholds and word lists live in ``tracking/data``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from followthrough.models import DueDate
from followthrough.language.stopwords import stopwords

_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])")


@dataclass(frozen=True)
class Settings:
    weights: dict[str, float]
    reported_score: float
    related_score: float
    related_similarity: float
    min_similarity: float
    redated_similarity: float
    window_before_days: int
    window_after_days: int
    candidate_before_days: int
    candidate_after_days: int
    candidate_undated_days: int
    later_undated_days: int
    candidate_min_shared_terms: int
    candidate_min_overlap: float
    max_candidates: int
    stem_length: int
    body_words: tuple[str, ...]
    promise_words: tuple[str, ...]


def _data(name: str) -> str:
    return resources.files("followthrough.tracking").joinpath(f"data/{name}").read_text("utf-8")


@lru_cache(maxsize=1)
def settings() -> Settings:
    raw: dict[str, Any] = {k: v for k, v in json.loads(_data("weights.json")).items() if not k.startswith("_")}
    raw["body_words"] = tuple(raw["body_words"])
    raw["promise_words"] = tuple(raw["promise_words"])
    return Settings(**raw)


@lru_cache(maxsize=1)
def _cue_pattern() -> re.Pattern[str]:
    cues = [c.strip() for c in _data("delivery_cues.txt").splitlines() if c.strip() and not c.startswith("#")]
    parts = [re.escape(c.rstrip("*")) + (r"\w*" if c.endswith("*") else r"\b") for c in cues]
    return re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)


@lru_cache(maxsize=1)
def _promise_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in settings().promise_words)
    # "would be brought to", "will now be presented", "to be submitted": a promise.
    return re.compile(rf"\b(?:{words})\s+(?:\w+\s+)?(?:be\s+)?(?:\w+ly\s+)?$", re.IGNORECASE)


def is_promise(text: str) -> bool:
    """Whether the sentence promises a delivery ("would now be brought to Cabinet")."""
    for match in _cue_pattern().finditer(text):
        if _promise_pattern().search(text[max(0, match.start() - 40) : match.start()]):
            return True
    return False


def delivery_cue(text: str) -> str | None:
    """The first delivery cue in ``text`` that is not part of a promise, if any."""
    for match in _cue_pattern().finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if not _promise_pattern().search(before):
            return match.group(0).lower()
    return None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 20]


def stems(text: str, length: int | None = None) -> list[str]:
    """Content words cut to a fixed length: a cheap stemmer that joins 'recruit'/'recruitment'."""
    length = length or settings().stem_length
    stop = stopwords()
    return [w[:length] for w in _TOKEN.findall(text.lower()) if w not in stop and (len(w) > 2 or w.isdigit())]


@dataclass
class Unit:
    """A sentence or statement of the later document that may be evidence."""

    document_id: int
    text: str
    kind: str  # a statement kind, or 'sentence' for passage text
    topics: frozenset[str] = frozenset()
    statement_id: int | None = None
    passage_id: int | None = None
    due: DueDate | None = None
    cue: str | None = None
    terms: list[str] = field(default_factory=list)  # stems(text), when cached


@dataclass
class Commitment:
    """An earlier commitment still being tracked."""

    id: int
    document_id: int
    text: str
    topics: frozenset[str] = frozenset()
    due_start: date | None = None
    due_end: date | None = None  # the current due date (a re-dated one if any)
    body: str | None = None  # the body of the meeting where it was made
    meeting_date: date | None = None
    terms: list[str] = field(default_factory=list)  # stems(text), cached in commitment_terms


@dataclass
class Context:
    """The later document: its meeting date and body."""

    document_id: int
    meeting_date: date | None
    body: str | None


@dataclass
class Evidence:
    commitment: Commitment
    unit: Unit
    kind: str  # reported | re-dated | related
    score: float
    reason: str
    parts: dict[str, float] = field(default_factory=dict)


def is_delivery(unit: Unit) -> bool:
    """A decision, or a sentence with a delivery cue that promises nothing itself."""
    if unit.kind == "decision":
        return True
    return unit.kind != "commitment" and unit.cue is not None and not is_promise(unit.text)


def vocabulary(units: list[Unit]) -> set[str]:
    return {w for u in units for w in stems(u.text)}


def prefilter(terms_by_id: Iterable[tuple[int, list[str]]], words: set[str]) -> tuple[int, list[int]]:
    """(how many commitments were looked at, the ids of those sharing enough content words
    with the units, best overlap first, capped).

    This runs over every commitment in the date window (up to 100,000s), so it is one pass
    of set intersections on cached terms, before any fuzzy scoring.
    """
    s = settings()
    need, min_overlap = s.candidate_min_shared_terms, s.candidate_min_overlap
    seen: set[int] = set()
    kept: list[tuple[float, int, int]] = []
    for cid, terms in terms_by_id:
        if cid in seen or not terms:
            continue
        seen.add(cid)
        unique = set(terms)
        shared = len(unique & words)
        if shared >= min(need, len(unique)) and shared >= min_overlap * len(unique):
            kept.append((shared / len(unique), shared, cid))
    kept.sort(key=lambda k: (-k[0], -k[1]))
    return len(seen), [cid for _, _, cid in kept[: s.max_candidates]]


@lru_cache(maxsize=1)
def _body_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in settings().body_words) + r")\b", re.IGNORECASE)


def _body_named(text: str) -> list[str]:
    return [m.lower() for m in _body_pattern().findall(text)]


def _body_score(c: Commitment, ctx: Context) -> tuple[float, str | None]:
    if not ctx.body:
        return 0.5, None  # unknown, not different
    body = ctx.body.lower()
    named = _body_named(c.text)
    if named:
        hit = next((w for w in named if w in body), None)
        return (1.0, f"at {ctx.body}, where it was due") if hit else (0.0, None)
    if c.body and c.body.lower() == body:
        return 1.0, f"same body ({ctx.body})"
    return 0.0, None


def _window_score(c: Commitment, ctx: Context) -> tuple[float, str | None]:
    s = settings()
    if ctx.meeting_date is None:
        return 0.5, "meeting date unknown"
    if c.due_end is None:
        return 0.5, "no due date"
    start = (c.due_start or c.due_end) - timedelta(days=s.window_before_days)
    end = c.due_end + timedelta(days=s.window_after_days)
    if start <= ctx.meeting_date <= end:
        due = f"{c.due_start}..{c.due_end}" if c.due_start else f"by {c.due_end}"
        return 1.0, f"meeting {ctx.meeting_date} in due window {due}"
    return 0.0, None


def score_evidence(commitments: list[Commitment], units: list[Unit], contexts: dict[int, Context]) -> list[Evidence]:
    """At most one evidence of each kind per commitment and document: the best-scoring unit.

    ``commitments`` are already prefiltered; one ``cdist`` call scores them against every unit.
    """
    s = settings()
    units = [u for u in units if u.document_id in contexts and (is_delivery(u) or u.kind == "commitment")]
    if not units or not commitments:
        return []
    candidates = commitments
    unit_stems = [u.terms or stems(u.text) for u in units]
    cand_stems = [c.terms or stems(c.text) for c in candidates]
    unit_norm = [" ".join(t) for t in unit_stems]
    cand_norm = [" ".join(t) for t in cand_stems]
    matrix = process.cdist(
        cand_norm, unit_norm, scorer=fuzz.token_set_ratio, score_cutoff=s.min_similarity * 100,
        workers=-1, dtype=np.uint8,
    )
    best: dict[tuple[int, str], Evidence] = {}
    for ci, ui in zip(*np.nonzero(matrix)):
        c, u = candidates[ci], units[ui]
        # token_set_ratio alone flatters short generic sentences ("Cabinet noted the report"),
        # so average it with how much of the commitment's wording the sentence covers.
        terms = set(cand_stems[ci])
        coverage = len(terms & set(unit_stems[ui])) / len(terms) if terms else 0.0
        sim = round((float(matrix[ci, ui]) / 100 + coverage) / 2, 3)
        evidence = _evidence(c, u, sim, contexts[u.document_id])
        if evidence is None:
            continue
        key = (c.id, evidence.kind, u.document_id)
        if key not in best or evidence.score > best[key].score:
            best[key] = evidence
    return sorted(best.values(), key=lambda e: (e.commitment.id, e.kind))


def _evidence(c: Commitment, u: Unit, sim: float, ctx: Context) -> Evidence | None:
    s = settings()
    w = s.weights
    topic_shared = sorted(c.topics & u.topics)
    topic = 1.0 if topic_shared else 0.0
    body, body_reason = _body_score(c, ctx)
    window, window_reason = _window_score(c, ctx)
    score = round(w["similarity"] * sim + w["topic"] * topic + w["body"] * body + w["window"] * window, 3)
    reasons = [f"similarity {sim:.2f}"]
    if topic_shared:
        reasons.append("topic " + ", ".join(topic_shared))
    reasons += [r for r in (body_reason, window_reason) if r]
    parts = {"similarity": sim, "topic": topic, "body": body, "window": window}
    if u.kind == "commitment":
        new_end = u.due.end if u.due else None
        if sim >= s.redated_similarity and new_end is not None and new_end != c.due_end:
            reasons.append(f"restated with new date {u.due.text!r} (was {c.due_end or 'undated'})")
            return Evidence(c, u, "re-dated", score, "; ".join(reasons), parts)
        if score >= s.related_score and sim >= s.related_similarity:
            reasons.append("restated")
            return Evidence(c, u, "related", score, "; ".join(reasons), parts)
        return None
    if score >= s.reported_score:
        reasons.append("decision" if u.kind == "decision" else f"delivery cue {u.cue!r}")
        return Evidence(c, u, "reported", score, "; ".join(reasons), parts)
    if score >= s.related_score and sim >= s.related_similarity:
        return Evidence(c, u, "related", score, "; ".join(reasons), parts)
    return None
