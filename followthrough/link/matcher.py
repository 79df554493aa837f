"""Score every finding against every plan row, and decide which rows answer which finding.

How a pair (finding, row) is scored, all of it vectorised (no Python loop over pairs):

1. Terms. Both texts go through :func:`followthrough.link.terms.analyse`: acronyms expanded
   from the glossary, words stemmed, glossary concepts added as terms of their own
   (``@workforce``), so "the fragility of the social care workforce" and "reduce reliance on
   agency social workers" share ``@workforce``. A row's terms come from its action and, when
   the area is the row's own label, its area. A section heading, or an area value repeated
   down a run of rows (a theme used as a grouping), is context: it sets the row's topic
   label (step 3) but is never matched word for word, so the "4. Well-being" heading cannot
   pull a finding about emotional wellbeing.
2. Weighted overlap. Each term weighs ``ln((N + 1) / (df + 0.5))`` over the N rows being
   linked (a word every row shares weighs ~0), times 0.3 for the sector words listed in
   data/generic.txt ("children", "services", "improve"); judgements ("poor",
   "inconsistent"), reporting verbs ("highlighted") and function words are stop words. A
   finding word no row uses weighs as a word one row uses, x0.6 (it cannot tell rows apart,
   but a finding mostly about things the plan never mentions should still cover little).
   Words inside a phrase that raised a concept count half: the concept carries them.
   ``cover_f`` is the share of the finding's weight the row holds, ``cover_r`` the share of
   the row's weight the finding holds; the lexical score is their geometric mean (an
   IDF-weighted cosine of sets), from two matrix products (numpy) over the findings'
   vocabulary. A finding that points back ("Multi-agency work to address this ...") also
   holds its previous sentence's terms at half weight.
3. Topic label. Concepts belong to topics (workforce, front door, placements ...); broad
   ones (front door, safeguarding) set a topic without being a term. A row's label topics
   come from its area and section (from its action when those name none). Factor 1.0 when
   the finding shares a label topic, 0.85 when a label topic is related to one of the
   finding's (data/glossary.json ``related_topics``), 0.7 when either side has no topic,
   0.3 when both have topics and none agree. This is what sinks a look-alike row: a CAMHS
   referral pathway filed under "Looked after children" shares nearly every word of
   "Referral information received from partners was poor" but not its topic.
4. Corroboration. ``rapidfuzz.process.cdist`` with ``fuzz.token_set_ratio`` over the
   sorted term strings of all findings x all rows; pairs under 60 are scaled by ts/60
   (weak agreement), pairs at or over 60 are not boosted. (Past ``FULL_CDIST_PAIRS`` only
   the pairs that could still reach the threshold are compared: same links, ~5.6x faster
   at 1,000 x 10,000.)

   score = lexical x topic factor x min(1, ts / 60)

Decisions (issue 10). This score is one feature of the pair; :func:`decide_plan` adds the
encoder's cosines over the row's action and its area/section text
(:mod:`followthrough.link.semantic`) and decides each finding against its own distribution
of scores and the plan's (:mod:`followthrough.link.decide`): answered, possibly answered
(review), or gap with its closest row. The weights and cut-offs are chosen by
leave-one-case-out over the link-dev cases (``tools/calibrate_links.py``) and live in
``decide.DEFAULT``. The constants below (``LINK_THRESHOLD`` ...) are the lexical score's own:
they drive ``select_links`` (the old global cut-off, kept as the baseline the calibration
tool reports as "before") and the candidate-pair pruning past ``FULL_CDIST_PAIRS``. They
were set on the two first dev cases (bridgend, anglesey2016); ``benchmarks/link_bench.py
--calibrate`` prints that table.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from rapidfuzz import fuzz, process

from followthrough.link import semantic
from followthrough.link.decide import DEFAULT, GAP, POSSIBLE, Params, decide, row_groups
from followthrough.link.glossary import generic_words, load_glossary
from followthrough.link.terms import Terms, analyse, content_string, normalise, stem, words
from followthrough.models import PlanItem

LINK_THRESHOLD = 0.125
RELATIVE_CUTOFF = 0.45
ADDRESSED_THRESHOLD = 0.25
GENERIC_WEIGHT = 0.3
CONTEXT_WEIGHT = 0.5
CONCEPT_WEIGHT = 1.0
UNSEEN_FACTOR = 0.6  # a finding word no row uses: weighed as a word one row uses, times this
ABSORBED_WEIGHT = 0.5  # a word inside a concept phrase: the concept term carries its meaning
FINDING_SIDE = 0.5  # exponent of cover_f in the lexical score; cover_r gets the rest
TOPIC_MATCH, TOPIC_RELATED, TOPIC_UNKNOWN, TOPIC_MISMATCH = 1.0, 0.85, 0.7, 0.3
FUZZY_FLOOR = 60.0
ROW_CHUNK = 2048
FULL_CDIST_PAIRS = 2_000_000  # 1,000 findings x 2,000 rows: beyond this, compare candidate pairs only


@dataclass
class FindingText:
    """What the matcher needs of a finding: its words and, for 'address this', its antecedent."""

    text: str
    context: str | None = None


@dataclass
class Scores:
    """The score matrix and the pieces that explain it (findings x rows)."""

    score: np.ndarray
    lexical: np.ndarray
    topic: np.ndarray
    fuzzy: np.ndarray
    finding_terms: list[Terms] = field(default_factory=list)
    row_terms: list[Terms] = field(default_factory=list)
    row_labels: list[frozenset[str]] = field(default_factory=list)


@dataclass
class Match:
    """One linked row for a finding."""

    row: int
    score: float
    reason: str
    confidence: float = 0.0


# -- row and finding terms ------------------------------------------------------------------


def grouping_areas(rows: list[PlanItem]) -> set[str]:
    """Area values used as group headings: the same value on consecutive rows of one plan."""
    grouped: set[str] = set()
    for previous, row in zip(rows, rows[1:]):
        if (
            row.area
            and previous.area
            and row.area.strip() == previous.area.strip()
            and row.document_id == previous.document_id
        ):
            grouped.add(row.area.strip())
    return grouped


def row_terms(rows: list[PlanItem]) -> tuple[list[Terms], list[frozenset[str]]]:
    """Matchable terms (action, plus the area when it is the row's own) and label topics."""
    grouped = grouping_areas(rows)
    terms, labels = [], []
    for row in rows:
        own = analyse(row.action)
        area = analyse(row.area)
        if row.area and row.area.strip() not in grouped:
            own = own | area
        label = area.topics | analyse(row.section).topics
        terms.append(own)
        labels.append(label or own.topics)
    return terms, labels


@lru_cache(maxsize=1)
def _anaphora() -> re.Pattern[str]:
    data = json.loads(resources.files("followthrough.link").joinpath("data/anaphora.json").read_text("utf-8"))
    pronouns = "|".join(map(re.escape, data["pronouns"]))
    followers = "|".join(map(re.escape, data["followers"]))
    return re.compile(rf"\b(?:{pronouns})\b(?=\s*(?:[.,;:!?)]|$|(?:{followers})\b))", re.IGNORECASE)


def refers_back(text: str) -> bool:
    """True when the text leans on what came before ('to address this was ...')."""
    return bool(_anaphora().search(text))


_SENTENCE_END = re.compile(r"[.!?]\s+|\n\s*\n")


def previous_sentence(document_text: str, start: int, limit: int = 400) -> str | None:
    """The sentence just before offset ``start`` in the document text."""
    before = document_text[max(0, start - limit) : start].rstrip()
    if not before:
        return None
    before = before.rstrip(".!?")
    ends = list(_SENTENCE_END.finditer(before))
    sentence = before[ends[-1].end() :] if ends else before
    return sentence.strip() or None


# -- scoring --------------------------------------------------------------------------------


def _weights(row_sets: list[frozenset[str]]) -> dict[str, float]:
    n = len(row_sets)
    df = Counter(t for terms in row_sets for t in terms)
    generic = _generic_terms()
    weights = {}
    for term, count in df.items():
        weights[term] = _idf(n, count) * _kind_weight(term, generic)
    return weights


def _kind_weight(term: str, generic: frozenset[str]) -> float:
    """Concepts gather several synonyms, so they count more than one word; generic words less."""
    if term.startswith("@"):
        return CONCEPT_WEIGHT
    return GENERIC_WEIGHT if term in generic else 1.0


def _idf(n: int, df: int) -> float:
    return max(math.log((n + 1) / (df + 0.5)), 0.0)


@lru_cache(maxsize=1)
def _generic_terms() -> frozenset[str]:
    return frozenset(stem(w) for w in generic_words()) | frozenset(generic_words())


def _topic_matrix(findings: list[Terms], labels: list[frozenset[str]]) -> np.ndarray:
    """The topic factor for every pair, computed per distinct (finding topics, label) pair."""
    related = _related_topics()
    cache: dict[tuple[frozenset[str], frozenset[str]], float] = {}
    label_ids: dict[frozenset[str], int] = {}
    row_label = np.array([label_ids.setdefault(label, len(label_ids)) for label in labels], dtype=np.int32)
    distinct_labels = list(label_ids)
    out = np.empty((len(findings), len(labels)), dtype=np.float32)
    for i, terms in enumerate(findings):
        per_label = np.empty(len(distinct_labels), dtype=np.float32)
        for j, label in enumerate(distinct_labels):
            key = (terms.topics, label)
            if key not in cache:
                cache[key] = topic_factor(terms.topics, label, related)
            per_label[j] = cache[key]
        out[i] = per_label[row_label]
    return out


def topic_factor(
    finding: frozenset[str], label: frozenset[str], related: frozenset[tuple[str, str]] | None = None
) -> float:
    if not finding or not label:
        return TOPIC_UNKNOWN
    if finding & label:
        return TOPIC_MATCH
    related = _related_topics() if related is None else related
    if any((a, b) in related for a in finding for b in label):
        return TOPIC_RELATED
    return TOPIC_MISMATCH


def _related_topics() -> frozenset[tuple[str, str]]:
    return load_glossary().related


def finding_terms(findings: list[FindingText]) -> tuple[list[Terms], list[frozenset[str]]]:
    """Own terms of each finding and the extra terms its antecedent lends it."""
    own, lent = [], []
    for finding in findings:
        terms = analyse(finding.text)
        extra: frozenset[str] = frozenset()
        if finding.context and refers_back(finding.text):
            context = analyse(finding.context)
            extra = context.all - terms.all
            terms = Terms(terms.stems, terms.concepts, terms.topics | context.topics)
        own.append(terms)
        lent.append(extra)
    return own, lent


def score_matrix(
    findings: list[FindingText], rows: list[PlanItem], *, workers: int = 1, candidate_floor: float | None = None
) -> Scores:
    """Scores for all findings x all rows (see the module docstring for the formula).

    Up to ``FULL_CDIST_PAIRS`` pairs, the fuzzy corroboration is one ``process.cdist`` over
    every pair. Beyond that, only pairs whose weighted overlap x topic reaches
    ``candidate_floor`` (default ``LINK_THRESHOLD``) are compared (``process.cpdist``); the
    others keep a score below the floor, so the links chosen are the same.
    """
    candidate_floor = LINK_THRESHOLD if candidate_floor is None else candidate_floor
    n_f, n_r = len(findings), len(rows)
    f_terms, f_lent = finding_terms(findings)
    r_terms, labels = row_terms(rows)
    if not n_f or not n_r:
        empty = np.zeros((n_f, n_r), dtype=np.float32)
        return Scores(empty, empty, empty, empty, f_terms, r_terms, labels)
    r_sets = [t.all for t in r_terms]
    weights = _weights(r_sets)
    unseen = _idf(n_r, 1) * UNSEEN_FACTOR
    generic = _generic_terms()

    def weight(term: str) -> float:
        if term in weights:
            return weights[term]
        return unseen * _kind_weight(term, generic)

    # Only terms some finding has can be shared, so the vocabulary is the findings'.
    vocab: dict[str, int] = {}
    for terms, lent in zip(f_terms, f_lent):
        for term in terms.all | lent:
            vocab.setdefault(term, len(vocab))
    term_weight = np.array([weight(t) for t in vocab], dtype=np.float32)
    f_weighted = np.zeros((n_f, len(vocab)), dtype=np.float32)  # finding-side weights
    f_present = np.zeros((n_f, len(vocab)), dtype=np.float32)
    for i, (terms, lent) in enumerate(zip(f_terms, f_lent)):
        own = [vocab[t] for t in terms.all]
        extra = [vocab[t] for t in lent]
        absorbed = [vocab[t] for t in terms.absorbed]
        f_weighted[i, own] = term_weight[own]
        f_weighted[i, absorbed] *= ABSORBED_WEIGHT
        f_weighted[i, extra] = term_weight[extra] * CONTEXT_WEIGHT
        f_present[i, own] = 1.0
        f_present[i, extra] = CONTEXT_WEIGHT
    f_total = f_weighted.sum(axis=1, keepdims=True)
    r_total = np.array(
        [sum(weights[t] * (ABSORBED_WEIGHT if t in rt.absorbed else 1.0) for t in s) for s, rt in zip(r_sets, r_terms)],
        dtype=np.float32,
    )

    lexical = np.zeros((n_f, n_r), dtype=np.float32)
    for start in range(0, n_r, ROW_CHUNK):
        chunk = range(start, min(start + ROW_CHUNK, n_r))
        r_present = np.zeros((len(chunk), len(vocab)), dtype=np.float32)
        r_weighted = np.zeros((len(chunk), len(vocab)), dtype=np.float32)
        for k, j in enumerate(chunk):
            cols = [vocab[t] for t in r_sets[j] if t in vocab]
            r_present[k, cols] = 1.0
            r_weighted[k, cols] = term_weight[cols]
            absorbed = [vocab[t] for t in r_terms[j].absorbed if t in vocab]
            r_weighted[k, absorbed] *= ABSORBED_WEIGHT
        shared_f = f_weighted @ r_present.T  # finding weight the row holds
        shared_r = f_present @ r_weighted.T  # row weight the finding holds
        cover_f = np.divide(shared_f, f_total, out=np.zeros_like(shared_f), where=f_total > 0)
        totals = r_total[start : start + ROW_CHUNK][None, :]
        cover_r = np.divide(shared_r, totals, out=np.zeros_like(shared_r), where=totals > 0)
        lexical[:, start : start + ROW_CHUNK] = np.power(cover_f, FINDING_SIDE) * np.power(cover_r, 1.0 - FINDING_SIDE)

    topic = _topic_matrix(f_terms, labels)
    f_strings = [content_string(t) for t in f_terms]
    r_strings = [content_string(t) for t in r_terms]
    if n_f * n_r <= FULL_CDIST_PAIRS:
        fuzzy = process.cdist(f_strings, r_strings, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=workers)
        fuzzy = fuzzy.astype(np.float32)
    else:
        # Corroboration only scales a score down: compare just the pairs whose weighted
        # overlap and topic reach the floor; the others keep lexical x topic uncorroborated
        # (an upper bound under the floor, so they stay weak beside the encoder's part).
        fuzzy = np.full((n_f, n_r), FUZZY_FLOOR, dtype=np.float32)
        fi, rj = np.nonzero(lexical * topic >= candidate_floor)
        if len(fi):
            fuzzy[fi, rj] = process.cpdist(
                [f_strings[i] for i in fi],
                [r_strings[j] for j in rj],
                scorer=fuzz.token_set_ratio,
                dtype=np.uint8,
                workers=workers,
            )
    corroboration = np.minimum(1.0, fuzzy / FUZZY_FLOOR)
    score = lexical * topic * corroboration
    return Scores(score, lexical, topic, fuzzy, f_terms, r_terms, labels)


def select_links(
    scores: Scores, *, threshold: float = LINK_THRESHOLD, relative: float = RELATIVE_CUTOFF
) -> list[list[int]]:
    """For each finding, the rows (best first) that clear both cut-offs."""
    out: list[list[int]] = []
    if scores.score.size == 0:
        return [[] for _ in range(scores.score.shape[0])]
    best = scores.score.max(axis=1)
    for i in range(scores.score.shape[0]):
        cut = max(threshold, relative * float(best[i]))
        rows = np.nonzero(scores.score[i] >= cut)[0]
        out.append(sorted(rows.tolist(), key=lambda j: -float(scores.score[i, j])))
    return out


def status_for(best: float | None, *, addressed: float = ADDRESSED_THRESHOLD) -> str:
    """gap with no link; addressed when the best link reaches ``addressed``; else partial."""
    if best is None:
        return "gap"
    return "addressed" if best >= addressed else "partial"


# -- reasons --------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _surface(text: str | None) -> dict[str, str]:
    """stem -> the first word in the text that has it, to show readable words in reasons."""
    out: dict[str, str] = {}
    for word in words(text or ""):
        out.setdefault(stem(word), word)
    for hyphenated in re.findall(r"\w+(?:-\w+)+", normalise(text or "").lower()):
        out.setdefault(stem(hyphenated.replace("-", "")), hyphenated)
    return out


def _shared_words(scores: Scores, finding: FindingText, row: PlanItem, i: int, j: int, limit: int) -> list[str]:
    f, r = scores.finding_terms[i], scores.row_terms[j]
    surface = {**_surface(row.area), **_surface(row.action), **_surface(finding.text)}
    generic = _generic_terms()
    concepts = [c.replace("_", " ") for c in sorted(f.concepts & r.concepts)]
    carried = (f.absorbed | r.absorbed) if concepts else frozenset()  # words a shared concept already names
    words_ = [
        surface.get(t, t) for t in sorted(f.stems & r.stems - carried, key=lambda t: (-len(t), t)) if t not in generic
    ]
    return list(dict.fromkeys(concepts + words_))[:limit]


def _missing_words(scores: Scores, finding: FindingText, i: int, j: int, limit: int) -> list[str]:
    """The finding's own words the row does not have, most specific (longest) first."""
    f, r = scores.finding_terms[i], scores.row_terms[j]
    surface = _surface(finding.text)
    generic = _generic_terms()
    carried = f.absorbed if f.concepts & r.concepts else frozenset()  # words of a shared concept
    missing = [t for t in f.stems - r.stems - carried if t not in generic]
    return [surface.get(t, t) for t in sorted(missing, key=lambda t: (-len(t), t))][:limit]


def _commitment(row: PlanItem, limit: int = 90) -> str:
    """What the row commits to, as a short phrase: its action's first clause."""
    text = " ".join((row.action or row.area or "").split())
    first = re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0].rstrip(".;:")
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return first[:1].lower() + first[1:] if first[:2] != first[:2].upper() else first


def reason(scores: Scores, finding: FindingText, row: PlanItem, i: int, j: int, limit: int = 4) -> str:
    """Why row ``j`` answers finding ``i``, in words: the subject they share and what the
    row commits to ("same subject: supervision, oversight; row commits to monthly audits")."""
    shared = _shared_words(scores, finding, row, i, j, limit)
    parts = [("same subject: " + ", ".join(shared)) if shared else "similar in meaning, few shared words"]
    parts.append("row commits to " + _commitment(row))
    if finding.context and refers_back(finding.text):
        parts.append("read with the previous sentence")
    return "; ".join(parts)


def why_not(scores: Scores, finding: FindingText, row: PlanItem, i: int, j: int, limit: int = 4) -> str:
    """Why the closest row does not (or may not) answer the finding: what it shares and
    which of the finding's words it never mentions."""
    shared = _shared_words(scores, finding, row, i, j, limit)
    missing = _missing_words(scores, finding, i, j, limit)
    parts = [("shares " + ", ".join(shared)) if shared else "shares no subject words"]
    if missing:
        parts.append("says nothing of " + ", ".join(missing))
    parts.append("row commits to " + _commitment(row))
    return "; ".join(parts)


@dataclass
class Outcome:
    """One finding against one plan: answered / possible / gap, its rows, or its closest row."""

    status: str
    matches: list[Match] = field(default_factory=list)
    closest: Match | None = None
    residual: float = 1.0  # the best row's residual cosine (decide.status_of)


def decide_plan(
    findings: list[FindingText], rows: list[PlanItem], *, params: Params = DEFAULT, workers: int = 1
) -> tuple[Scores, np.ndarray, list[Outcome]]:
    """Score all pairs (lexical and encoder, :mod:`followthrough.link.semantic`) and decide
    each finding on its own distribution (:mod:`followthrough.link.decide`)."""
    scores = score_matrix(findings, rows, workers=workers)
    if not findings or not rows:
        return scores, scores.score, [Outcome(GAP) for _ in findings]
    feats = semantic.features([f.text for f in findings], rows, scores.score)
    combined = semantic.combine(feats, params.lexical, params.context, params.part)
    best = combined.argmax(axis=1)
    residuals = semantic.residual_similarity(
        [f.text for f in findings], rows, [(i, int(j)) for i, j in enumerate(best)]
    )
    outcomes = []
    for i, d in enumerate(decide(combined, params, row_groups(rows), lambda a, b: residuals.get((a, b), 1.0))):

        def as_match(j: int, conf: float, explain=reason, i: int = i) -> Match:
            return Match(j, round(float(combined[i, j]), 3), explain(scores, findings[i], rows[j], i, j), conf)

        closest = as_match(d.closest, 0.0, why_not) if d.closest is not None else None
        explain = reason if d.status != POSSIBLE else why_not
        matches = [as_match(j, c, explain) for j, c in zip(d.rows, d.confidence)]
        outcomes.append(Outcome(d.status, matches, closest, d.residual))
    return scores, combined, outcomes


def match(findings: list[FindingText], rows: list[PlanItem], *, workers: int = 1) -> tuple[Scores, list[list[Match]]]:
    """Score all pairs and pick each finding's linked rows (none for a gap), with reasons."""
    scores, _, outcomes = decide_plan(findings, rows, workers=workers)
    return scores, [o.matches if o.status != GAP else [] for o in outcomes]


__all__ = [
    "ADDRESSED_THRESHOLD",
    "FindingText",
    "LINK_THRESHOLD",
    "Match",
    "Outcome",
    "RELATIVE_CUTOFF",
    "Scores",
    "decide_plan",
    "match",
    "previous_sentence",
    "refers_back",
    "score_matrix",
    "select_links",
    "status_for",
]
