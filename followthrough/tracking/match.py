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
from rapidfuzz import fuzz

from followthrough.language.stopwords import stopwords
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
    encoder_floor: float
    min_similarity: float
    per_item: int
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
    return re.compile(
        rf"\b(?<!approval )(?<!permission )(?:{words})\s+(?:\w+\s+)?(?:be\s+)?(?:\w+ly\s+)?$", re.IGNORECASE
    )


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


@lru_cache(maxsize=1)
def _not_topic() -> frozenset[str]:
    """Stop words, and the words that name a meeting body: the body has its own evidence."""
    return frozenset(stopwords()) | frozenset(w for phrase in settings().body_words for w in phrase.split())


def stems(text: str, length: int | None = None) -> list[str]:
    """Topic words cut to a fixed length (a cheap stemmer that joins 'recruit'/'recruitment').
    Numbers are left out: dates and years have their own evidence (the due window)."""
    length = length or settings().stem_length
    stop = _not_topic()
    return [w[:length] for w in _TOKEN.findall(text.lower()) if w not in stop and len(w) > 2 and not w.isdigit()]


@lru_cache(maxsize=1)
def _body_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in settings().body_words)
    return re.compile(rf"\b(?:to|at|before)\s+(?:the\s+)?(?:[A-Z][\w&’'-]*\s+){{0,4}}?({words})\b", re.IGNORECASE)


def named_body(text: str) -> str | None:
    """The body a promise is due at ('brought to Cabinet' -> 'cabinet'): one named after
    'to', 'at' or 'before' ("met by the Council" names no meeting)."""
    found = [m.group(1) for m in _body_pattern().finditer(text)]
    return found[-1].lower() if found else None


@dataclass(slots=True)
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
    words: str  # its context's topic words, space-separated (as cached)
    vector: np.ndarray  # encoder vector of its context (float32, normalised)
    context: str = ""

    @property
    def terms(self) -> list[str]:
        return self.words.split()


@dataclass
class CommitmentContext:
    """What is cached for a commitment when its document is tracked."""

    context: str
    position: str | None
    ref: str | None
    named_body: str | None


def _body_start(text: str, seg: Segment) -> int:
    """Where a segment's text starts after its heading line ('12. TITLE')."""
    if seg.title is None or seg.sub or seg.ref:
        return seg.start  # a sub-item starts with its text
    newline = text.find("\n", seg.start, seg.end)
    return newline + 1 if newline >= 0 else seg.end


def commitment_context(text: str, found: list[Segment], start: int, quote: str) -> CommitmentContext:
    """The commitment's context: its item's title, the item's first sentence (which names the
    subject: "C.C.C. Property Division regarding ... land at Dolau Tywi"), the sentence before
    the commitment (where "a refreshed plan" names "the 3-year strategic plan") and its own."""
    segment = segment_at(found, start)
    if segment is None:
        return CommitmentContext(quote, None, None, named_body(quote))
    spans = sentences(text[_body_start(text, segment) : segment.end], _body_start(text, segment))
    if not spans:
        return CommitmentContext(quote, segment.position, segment.ref, named_body(quote))
    index = next((i for i, (a, b) in enumerate(spans) if a <= start < b), None)
    if index is None:
        index = max([i for i, (a, _) in enumerate(spans) if a <= start] or [0])
    # A sub-item's first sentence names its subject; a minute's title does that for the minute.
    first = {0} if segment.sub or segment.ref else set()
    chosen = sorted(first | {max(0, index - 1), index})
    parts = [" ".join(text[spans[i][0] : spans[i][1]].split()) for i in chosen]
    context = " ".join(parts)
    quote = " ".join(quote.split())
    if quote not in context:
        context += " " + quote
    title = segment.title or ""
    if title and title.lower() not in context.lower():
        context = title + ". " + context
    return CommitmentContext(context, segment.position, segment.ref, named_body(quote))


@dataclass
class Meeting:
    """The later document, cut into items and sentences, with their vectors and words."""

    document_id: int
    text: str
    meeting_date: date | None
    body: str | None
    items: list[Segment]
    item_texts: list[str]
    vectors: np.ndarray
    terms: list[Counter]
    spans: list[tuple[int, int]]  # sentences
    sentence_item: np.ndarray  # the item of each sentence
    sentence_vectors: np.ndarray
    sentence_terms: list[Counter]
    idf: dict[str, float]
    delivers: list[bool] = field(default_factory=list)  # each sentence: delivery cue, not a promise
    statements: list[tuple] = field(default_factory=list)  # id, kind, start, end, (due text, start, end)


def meeting(document_id: int, text: str, meeting_date: date | None, body: str | None, embed) -> Meeting:
    s = settings()
    found = segments(text)
    # Before the first numbered minute come the heading and the attendance list: never a report-back.
    numbered = any(seg.minute for seg in found)
    items = [seg for seg in found if text[seg.start : seg.end].strip() and (seg.minute or not numbered)]
    texts, spans, owner = [], [], []
    for j, seg in enumerate(items):
        body_start = _body_start(text, seg)
        chunk = " ".join(text[body_start : seg.end].split())[: s.segment_chars]
        texts.append((seg.title + ". " if seg.title else "") + chunk)
        for span in sentences(text[body_start : seg.end], body_start):
            spans.append(span)
            owner.append(j)
    sentence_texts = [" ".join(text[a:b].split()) for a, b in spans]
    terms = [Counter(stems(t)) for t in texts]
    sentence_terms = [Counter(stems(t)) for t in sentence_texts]
    # IDF over the meeting's sentences: a word most of them use says little
    df = Counter(w for t in sentence_terms for w in t)
    n = len(sentence_texts) + 1
    idf = {w: math.log(n / c) + 1.0 for w, c in df.items()}
    vectors = embed(texts + sentence_texts)
    delivers = [bool(delivery_cue(t)) and not is_promise(t) for t in sentence_texts]
    return Meeting(
        document_id,
        text,
        meeting_date,
        body,
        items,
        texts,
        vectors[: len(texts)],
        terms,
        spans,
        np.asarray(owner, dtype=np.int64),
        vectors[len(texts) :],
        sentence_terms,
        idf,
        delivers,
    )


def _overlap(terms: list[str], item: Counter, idf: dict[str, float], missing: float) -> float:
    """IDF-weighted cosine of two bags of words; words the meeting never uses weigh ``missing``."""
    mine = Counter(terms)
    if not mine or not item:
        return 0.0
    dot = sum(idf.get(w, missing) ** 2 * c * item[w] for w, c in mine.items() if w in item)
    a = math.sqrt(sum((idf.get(w, missing) ** 2) * c * c for w, c in mine.items()))
    b = math.sqrt(sum((idf.get(w, missing) ** 2) * c * c for w, c in item.items()))
    return dot / (a * b) if a and b else 0.0


_LABEL = re.compile(r"\s*(?:[\d.\s]*\d[A-Za-z]?\.?\s?(?:[ivx]{1,6}|[a-h])?\)|\(?(?:[ivx]{1,6}|[a-h])\))\s*")
_WORDS = re.compile(r"[A-Za-z][a-z'’]*")


def template(sentence: str) -> str:
    """A sentence's fixed wording: its lower-case words, names and numbers left out, so
    "It was proposed by Cllr. J. Davies, seconded by ..." is the same every meeting."""
    words = [w for w in _WORDS.findall(sentence) if w[0].islower()]
    return " ".join(words) if len(words) >= 4 else ""


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


def score(
    candidates: list[Candidate], m: Meeting, templates=None, matrix: np.ndarray | None = None, fill=None
) -> list[Found]:
    """At most one report-back per commitment in this meeting: the best item, and in it the
    sentence closest to the promise. An item's similarity is the better of the whole item's
    and its best sentence's.

    ``fill(candidates)`` reads the texts of candidates loaded without them (only those that
    get past the encoder are read). ``templates(document_id)`` gives the fixed wording
    (:func:`template`) of an earlier document's sentences: a sentence the latest earlier
    meeting has too ("took the Chair and welcomed ...") is no report-back, unless it is the
    promise's own context carried forward.
    An item citing a minute number cites one thing: either the minute of that number in the
    latest earlier meeting, or the item carried forward under that number from meeting to
    meeting; of the two, the one whose commitments it resembles more.
    """
    s = settings()
    w = s.weights
    if not candidates or not m.items:
        return []
    if matrix is None:
        matrix = np.vstack([c.vector for c in candidates])
    cos_items = matrix @ m.vectors.T
    cos_sents = matrix @ m.sentence_vectors.T if len(m.spans) else np.zeros((len(candidates), 0), dtype=np.float32)
    latest = _latest_by_position(candidates)
    missing = max(m.idf.values(), default=1.0)
    cited_refs = {seg.ref for seg in m.items if seg.ref}
    best: dict[int, tuple[tuple[bool, float], tuple[float, int, int, str]]] = {}
    templates = templates or (lambda doc_id: set())
    # Wording every meeting has is in the latest earlier meeting too: one document to read.
    latest_document = max(candidates, key=lambda c: (c.made_on or date.min, c.document_id)).document_id
    m_templates = [template(" ".join(m.text[a:b].split())) for a, b in m.spans]
    sims: dict[tuple[int, int], tuple[int, float]] = {}

    def similarity(ci: int, j: int) -> tuple[int, float]:
        if (ci, j) not in sims:
            c = candidates[ci]
            item = w["encoder"] * float(cos_items[ci, j]) + w["lexical"] * _overlap(c.terms, m.terms[j], m.idf, missing)
            own = {template(p) for p in _split(c.context)}
            skip = templates(latest_document) - own
            k, sent = _best_sentence(
                c, m, j, cos_sents[ci], missing, lambda k: m_templates[k] in skip and bool(m_templates[k])
            )
            sims[ci, j] = (k, max(item, sent) if k >= 0 else 0.0)
        return sims[ci, j]

    fill = fill or (lambda found: None)
    if cited_refs:
        fill([c for c in candidates if c.ref in cited_refs or c.position in cited_refs])
    chosen = _cited_groups(candidates, m, latest, similarity) if cited_refs else {}
    # The encoder's cosine picks the items worth the word-overlap step (most pairs are far apart).
    floor = s.encoder_floor
    # One vector pass, then Python only for the few promises closest to some item or sentence:
    # an item reports back on a handful of things, so the closest ``per_item`` of each suffice
    # however many commitments are open.
    wanted = set(chosen)
    for cos in (cos_items, cos_sents):
        if not cos.shape[1]:
            continue
        top = _closest(cos, s.per_item)
        wanted.update(np.nonzero(((cos >= floor) & top).any(axis=1))[0].tolist())
    worth = sorted(wanted)
    fill([candidates[ci] for ci in worth])
    for ci in worth:
        c = candidates[ci]
        cited = chosen.get(ci, [])
        near_items = np.nonzero(cos_items[ci] >= floor)[0].tolist()
        near_sents = np.nonzero(cos_sents[ci] >= floor)[0]
        todo = set(near_items) | set(m.sentence_item[near_sents].tolist()) | set(cited)
        for j in todo:
            k, sim = similarity(ci, j)
            if k < 0:
                continue
            reasons = [f"similarity {sim:.2f}"]
            if j in cited:
                if sim < s.cited_similarity:
                    continue
                total = sim + w["cited"]
                reasons.append(f"item {m.items[j].ref} cites its minute")
            else:
                window, why = _window(c, m)
                body = 1.0 if c.named_body and m.body and c.named_body in m.body.lower() else 0.0
                text = m.item_texts[j]
                delivery = 1.0 if delivery_cue(text) and not is_promise(text) else 0.0
                if sim < s.min_similarity:
                    continue  # body, date and delivery help an item about the promise, not any item
                total = sim + w["body"] * body + w["window"] * window + w["delivery"] * delivery
                if body:
                    reasons.append(f"at {m.body}, where it was due")
                if why:
                    reasons.append(why)
                if total < s.evidence_score:
                    continue
            # An item that cites the commitment's minute is its report-back, before any other.
            rank = (j in cited, total)
            if c.id not in best or rank > best[c.id][0]:
                best[c.id] = (rank, (round(total, 3), j, k, "; ".join(reasons)))
    return [_found(c, m, *best[c.id][1]) for c in candidates if c.id in best]


def _closest(cos: np.ndarray, k: int) -> np.ndarray:
    """A mask of the ``k`` highest values in each column (every value when there are fewer rows)."""
    if cos.shape[0] <= k:
        return np.ones_like(cos, dtype=bool)
    cut = np.partition(cos, cos.shape[0] - k, axis=0)[cos.shape[0] - k]
    return cos >= cut


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]


def _cited_groups(candidates: list[Candidate], m: Meeting, latest: dict, similarity) -> dict[int, list[int]]:
    """candidate index -> the items that cite its minute (see :func:`score`)."""
    out: dict[int, list[int]] = {}
    by_ref: dict[str, list[int]] = {}
    by_position: dict[str, list[int]] = {}
    for ci, c in enumerate(candidates):
        if c.ref:
            by_ref.setdefault(c.ref, []).append(ci)
        if c.position and latest.get(c.position) == c.made_on:
            by_position.setdefault(c.position, []).append(ci)
    for j, seg in enumerate(m.items):
        if not seg.ref:
            continue
        carried = by_ref.get(seg.ref, [])
        positional = [ci for ci in by_position.get(seg.ref, []) if ci not in set(carried)]
        groups = [g for g in (carried, positional) if g]
        if len(groups) == 2:
            groups.sort(key=lambda g: -max(similarity(ci, j)[1] for ci in g))
        for ci in groups[0] if groups else []:
            out.setdefault(ci, []).append(j)
    return out


def _best_sentence(
    c: Candidate, m: Meeting, j: int, cos: np.ndarray, missing: float, skip=lambda k: False
) -> tuple[int, float]:
    """The sentence of item ``j`` closest to the commitment, and its similarity (-1 when every
    sentence is skipped)."""
    w = settings().weights
    ks = [k for k in np.nonzero(m.sentence_item == j)[0].tolist() if not skip(k)]
    if not ks:
        return -1, 0.0
    sims = [
        w["encoder"] * float(cos[k]) + w["lexical"] * _overlap(c.terms, m.sentence_terms[k], m.idf, missing) for k in ks
    ]
    # Of sentences about as close, the one that delivers ("presented ... for approval",
    # "RESOLVED: That Cabinet approved ...") is the report-back to show.
    shown = [sim + w["delivery"] * m.delivers[k] for sim, k in zip(sims, ks)]
    i = int(np.argmax(shown))
    return int(ks[i]), max(sims)


def _cites(seg: Segment, c: Candidate, latest: dict[str, date | None]) -> bool:
    if c.ref and seg.ref == c.ref:
        return True  # an item carried forward from meeting to meeting under the same number
    if not c.position:
        return False
    return seg.ref == c.position and latest.get(c.position) == c.made_on


def _found(c: Candidate, m: Meeting, total: float, j: int, k: int, reason: str) -> Found:
    """The report-back: sentence ``k`` of item ``j``, and what it says (done, in progress ...)."""
    seg = m.items[j]
    start, end = m.spans[k] if k >= 0 else (seg.start, seg.end)
    label = _LABEL.match(m.text, start, end) if start == seg.start else None
    if label:  # "4.4.13ii) The application ..." -> "The application ..."
        start = label.end()
    sentence = " ".join(m.text[start:end].split())
    # The promise restated word for word is a mention, not progress.
    kind = (
        "reported" if fuzz.ratio(sentence.lower(), " ".join(c.text.split()).lower()) >= 85 else progress_kind(sentence)
    )
    statement_id, due = None, (None, None, None)
    for sid, skind, s_start, s_end, s_due in m.statements:
        if s_start < end and s_end > start:
            statement_id = sid
            if skind == "commitment" and s_due[2] and s_due[2] != (c.due_end.isoformat() if c.due_end else None):
                kind, due = "re-dated", s_due
                reason += f"; restated with new date {s_due[0]!r} (was {c.due_end or 'undated'})"
            break
    return Found(c, m.document_id, start, end, kind, total, reason, statement_id, due)
