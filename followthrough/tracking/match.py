"""Score a later meeting's minutes as report-backs on earlier commitments.

Pure functions over dataclasses (no database). The unit of comparison is a minute or a
sub-item of one (``minutes.segments``), not a lone sentence: a report-back rarely repeats
the promise's words, but it sits in an item about the same thing (its title, the plan
under its new name, the place and people named) or in "Matters arising" under the
number of the minute that made the promise.

For each earlier commitment the comparison text is its *context*: the minute's title and
the sub-item it sits in, or for long items the sentence before it as well (where "a
refreshed plan" names "the 3-year strategic plan"). Similarity is the mean of the
pre-trained encoder's cosine and an IDF-weighted word overlap (IDF over the later
document's items, so a word every item uses counts for little). A later item that cites
the commitment's minute is evidence at a low similarity; any other needs a high one, helped
by the body the promise named and its due window. Body and date never gate: a report-back a
week late, or at another committee, still counts when the item is about the promise.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from followthrough.search.query import stopwords
from followthrough.tracking.minutes import Segment, segment_at, segments, sentences
from followthrough.tracking.progress import progress_kind

_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Settings:
    weights: dict[str, float]
    cited_similarity: float
    evidence_score: float
    window_before_days: int
    window_after_days: int
    candidate_days: int
    context_chars: int
    segment_chars: int
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
    # "would be brought to", "will now be presented", "to be submitted": a promise. But
    # "sought Cabinet approval to approve" is the delivery: "to" after a verb of asking.
    return re.compile(rf"\b(?<!approval )(?<!permission )(?:{words})\s+(?:\w+\s+)?(?:be\s+)?(?:\w+ly\s+)?$", re.IGNORECASE)


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


def stems(text: str, length: int | None = None) -> list[str]:
    """Content words cut to a fixed length: a cheap stemmer that joins 'recruit'/'recruitment'."""
    length = length or settings().stem_length
    stop = stopwords()
    return [w[:length] for w in _TOKEN.findall(text.lower()) if w not in stop and (len(w) > 2 or w.isdigit())]


@lru_cache(maxsize=1)
def _body_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in settings().body_words) + r")\b", re.IGNORECASE)


def named_body(text: str) -> str | None:
    """The body a promise names ('brought to Cabinet' -> 'cabinet'), if any."""
    found = _body_pattern().findall(text)
    return found[-1].lower() if found else None


@dataclass
class Candidate:
    """An earlier commitment, with what tracking compares (cached per commitment)."""

    id: int
    document_id: int
    text: str
    made_on: date | None
    due_start: date | None
    due_end: date | None
    named_body: str | None
    position: str | None  # its minute and sub-item ('5vii')
    ref: str | None  # the earlier minute its own item reports back on, carried forward
    terms: list[str]
    vector: np.ndarray  # encoder vector of its context (float32, normalised)


@dataclass
class CommitmentContext:
    """What is cached for a commitment when its document is tracked."""

    context: str
    position: str | None
    ref: str | None
    named_body: str | None


def commitment_context(text: str, found: list[Segment], start: int, quote: str) -> CommitmentContext:
    """The commitment's context: its item's title and sub-item, or the sentences leading to it."""
    s = settings()
    segment = segment_at(found, start)
    if segment is None:
        return CommitmentContext(quote, None, None, named_body(quote))
    body = text[segment.start : segment.end]
    if len(body) > s.context_chars:
        spans = sentences(body, segment.start)
        index = next((i for i, (a, b) in enumerate(spans) if a <= start < b or a > start), len(spans) - 1)
        lo = max(0, index - 1)
        body = text[spans[lo][0] : spans[index][1]] if spans else quote
        if quote not in body:
            body = body + " " + quote
    title = segment.title or ""
    context = (title + ". " if title and title not in body[:200] else "") + " ".join(body.split())
    return CommitmentContext(context, segment.position, segment.ref, named_body(quote))


@dataclass
class Meeting:
    """The later document, cut into items, with their vectors and words."""

    document_id: int
    text: str
    meeting_date: date | None
    body: str | None
    items: list[Segment]
    item_texts: list[str]
    vectors: np.ndarray
    terms: list[Counter]
    idf: dict[str, float]
    statements: list[tuple[int, str, int, int, str | None]] = field(default_factory=list)  # id, kind, start, end, due_end


def meeting(document_id: int, text: str, meeting_date: date | None, body: str | None, embed) -> Meeting:
    s = settings()
    items = [seg for seg in segments(text) if text[seg.start : seg.end].strip()]
    texts = []
    for seg in items:
        chunk = " ".join(text[seg.start : seg.end].split())[: s.segment_chars]
        title = seg.title or ""
        texts.append((title + ". " if title and title not in chunk[:200] else "") + chunk)
    terms = [Counter(stems(t)) for t in texts]
    df = Counter(w for t in terms for w in t)
    n = len(texts) + 1
    idf = {w: math.log(n / c) + 1.0 for w, c in df.items()}
    vectors = embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    return Meeting(document_id, text, meeting_date, body, items, texts, vectors, terms, idf)


def _overlap(terms: list[str], item: Counter, idf: dict[str, float], missing: float) -> float:
    """IDF-weighted cosine of two bags of words; words the meeting never uses weigh ``missing``."""
    mine = Counter(terms)
    if not mine or not item:
        return 0.0
    dot = sum(idf.get(w, 0.0) ** 2 * min(c, item[w]) for w, c in mine.items() if w in item)
    a = math.sqrt(sum((idf.get(w, missing) ** 2) * c * c for w, c in mine.items()))
    b = math.sqrt(sum((idf[w] ** 2) * c * c for w, c in item.items()))
    return dot / (a * b) if a and b else 0.0


@dataclass
class Found:
    candidate: Candidate
    document_id: int
    start: int
    end: int
    kind: str  # reported | done | progress | deferred | re-dated
    score: float
    reason: str
    statement_id: int | None = None
    due: tuple[str | None, str | None, str | None] = (None, None, None)  # re-dated: text, start, end


def _window(c: Candidate, m: Meeting) -> tuple[float, str | None]:
    s = settings()
    if m.meeting_date is None or c.due_end is None:
        return 0.0, None
    start = (c.due_start or c.due_end) - timedelta(days=s.window_before_days)
    end = c.due_end + timedelta(days=s.window_after_days)
    if start <= m.meeting_date <= end:
        due = f"{c.due_start}..{c.due_end}" if c.due_start else f"by {c.due_end}"
        return 1.0, f"meeting {m.meeting_date} in due window {due}"
    return 0.0, None


def _latest_by_position(candidates: list[Candidate]) -> dict[str, date | None]:
    """For each minute number, the latest earlier meeting that has it: a bare '5vii)' under
    matters arising cites that meeting's minute (numbering restarts each meeting)."""
    latest: dict[str, date | None] = {}
    for c in candidates:
        if c.position:
            seen = latest.get(c.position, date.min)
            if c.made_on is not None and (seen is None or c.made_on > seen):
                latest[c.position] = c.made_on
            elif c.position not in latest:
                latest[c.position] = c.made_on
    return latest


def score(candidates: list[Candidate], m: Meeting, embed) -> list[Found]:
    """At most one report-back per commitment in this meeting: the best item, and in it the
    sentence closest to the promise."""
    s = settings()
    w = s.weights
    if not candidates or not m.items:
        return []
    cos = np.vstack([c.vector for c in candidates]) @ m.vectors.T
    latest = _latest_by_position(candidates)
    missing = max(m.idf.values(), default=1.0)
    best: dict[int, tuple[float, int, str]] = {}
    floor = min(s.cited_similarity, s.evidence_score - w["body"] - w["window"] - w["delivery"]) - w["lexical"]
    for ci, c in enumerate(candidates):
        row = cos[ci]
        hits = np.nonzero(row * w["encoder"] >= floor)[0]
        cited_items = [j for j, seg in enumerate(m.items) if seg.ref and _cites(seg, c, latest)]
        for j in set(hits.tolist()) | set(cited_items):
            lexical = _overlap(c.terms, m.terms[j], m.idf, missing)
            sim = w["encoder"] * float(row[j]) + w["lexical"] * lexical
            reasons = [f"similarity {sim:.2f}"]
            if j in cited_items:
                if sim < s.cited_similarity:
                    continue
                total = sim + w["cited"]
                reasons.append(f"item {m.items[j].ref} cites its minute")
            else:
                text = m.item_texts[j]
                window, why = _window(c, m)
                body = 1.0 if c.named_body and m.body and c.named_body in m.body.lower() else 0.0
                delivery = 1.0 if delivery_cue(text) and not is_promise(text) else 0.0
                total = sim + w["body"] * body + w["window"] * window + w["delivery"] * delivery
                if body:
                    reasons.append(f"at {m.body}, where it was due")
                if why:
                    reasons.append(why)
                if total < s.evidence_score:
                    continue
            if c.id not in best or total > best[c.id][0]:
                best[c.id] = (round(total, 3), j, "; ".join(reasons))
    found = []
    for c in candidates:
        if c.id not in best:
            continue
        total, j, reason = best[c.id]
        found.append(_found(c, m, j, total, reason, embed))
    return found


def _cites(seg: Segment, c: Candidate, latest: dict[str, date | None]) -> bool:
    if c.ref and seg.ref == c.ref:
        return True  # an item carried forward from meeting to meeting under the same number
    return bool(c.position) and seg.ref == c.position and latest.get(c.position) == c.made_on


def _found(c: Candidate, m: Meeting, j: int, total: float, reason: str, embed) -> Found:
    """The sentence of item ``j`` that reports on ``c``, and what it says (done, in progress ...)."""
    seg = m.items[j]
    spans = sentences(m.text[seg.start : seg.end], seg.start) or [(seg.start, seg.end)]
    texts = [" ".join(m.text[a:b].split()) for a, b in spans]
    sims = embed(texts) @ c.vector
    scores = [float(sims[i]) + _overlap(stems(c.text), Counter(stems(t)), m.idf, 1.0) for i, t in enumerate(texts)]
    i = int(np.argmax(scores))
    start, end = spans[i]
    sentence = texts[i]
    kind = progress_kind(sentence)
    statement_id, due = None, (None, None, None)
    for sid, skind, s_start, s_end, s_due in m.statements:
        if s_start < end and s_end > start:
            statement_id = sid
            if skind == "commitment" and s_due[2] and s_due[2] != (c.due_end.isoformat() if c.due_end else None):
                kind, due = "re-dated", s_due
                reason += f"; restated with new date {s_due[0]!r} (was {c.due_end or 'undated'})"
            break
    if kind == "reported" and is_promise(sentence) and statement_id is None:
        kind = "reported"
    return Found(c, m.document_id, start, end, kind, total, reason, statement_id, due)
