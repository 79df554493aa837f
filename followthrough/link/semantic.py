"""Pair features for linking: the encoder's cosine and the lexical overlap, all pairs at once.

For every (finding, plan row) pair:

- ``action``: cosine of the finding with the row's action text (WordLlama,
  :mod:`followthrough.language.encoder`, offline);
- ``context``: cosine of the finding with the row's area and section text; in most plans
  the area column restates the recommendation the row answers ("Recommendation 3: ...",
  "PAA1 Joint leadership"). A row with neither gets its action cosine here;
- ``lexical``: the IDF-weighted overlap of stems (and glossary acronyms and concepts) from
  :func:`followthrough.link.matcher.score_matrix`, before any topic or fuzzy factor.

:func:`combine` turns them into one score with the weights of
:class:`followthrough.link.decide.Params`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from followthrough.language.encoder import embed
from followthrough.models import PlanItem


@dataclass
class Features:
    action: np.ndarray  # findings x rows
    context: np.ndarray
    lexical: np.ndarray
    part: np.ndarray | None = None  # best cosine of any one part of a compound finding with the row


_PART_SPLIT = re.compile(
    r"[;:]\s*|,\s*(?:and\s+|or\s+)?|\s+(?:and|as well as)\s+(?=the\s|their\s|how\s)", re.IGNORECASE
)
_WORDS = re.compile(r"[A-Za-z]{3,}")
MIN_PART_WORDS = 1


def parts(text: str) -> list[str]:
    """The parts of a compound finding ("the quality of practice, in particular, assessment,
    planning and ..., the response to domestic violence, ..."): pieces between commas,
    semicolons, colons and 'and the', each with a word of three letters or more; [] when it has no parts."""
    pieces = [p.strip() for p in _PART_SPLIT.split(" ".join(text.split())) if p and p.strip()]
    pieces = [p for p in pieces if len(_WORDS.findall(p)) >= MIN_PART_WORDS]
    return pieces if len(pieces) > 1 else []


def row_context(row: PlanItem) -> str:
    """The row's area and section text, the part of a row that names what it answers."""
    parts = [p.strip() for p in (row.section, row.area) if p and p.strip()]
    return " ".join(dict.fromkeys(parts))


def features(finding_texts: list[str], rows: list[PlanItem], lexical: np.ndarray) -> Features:
    """Encoder cosines for every pair beside the given lexical matrix (findings x rows)."""
    n_f, n_r = len(finding_texts), len(rows)
    if not n_f or not n_r:
        empty = np.zeros((n_f, n_r), dtype=np.float32)
        return Features(empty, empty, empty)
    contexts = [row_context(r) for r in rows]
    distinct = list(dict.fromkeys([*finding_texts, *(r.action or "" for r in rows), *contexts]))
    vectors = embed(distinct)
    index = {t: k for k, t in enumerate(distinct)}
    f = vectors[[index[t] for t in finding_texts]]
    a = vectors[[index[r.action or ""] for r in rows]]
    c = vectors[[index[t] for t in contexts]]
    action = f @ a.T
    context = f @ c.T
    missing = np.array([not t for t in contexts])
    if missing.any():
        context[:, missing] = action[:, missing]
    part = np.maximum(action, context)
    split = [(i, p) for i, t in enumerate(finding_texts) for p in parts(t)]
    if split:
        pv = embed([p for _, p in split])
        row_text = embed([" ".join(x for x in (ctx, r.action or "") if x) for ctx, r in zip(contexts, rows)])
        sims = pv @ row_text.T
        for k, (i, _) in enumerate(split):
            part[i] = np.maximum(part[i], sims[k])
    return Features(
        action.astype(np.float32), context.astype(np.float32), lexical.astype(np.float32), part.astype(np.float32)
    )


def combine(feats: Features, lexical_weight: float, context_share: float, part_weight: float = 0.0) -> np.ndarray:
    """One score per pair: encoder cosine (action and context mixed), plus weighted lexical,
    plus weighted best-part cosine (a compound finding's parts each find their own row)."""
    encoder = (1.0 - context_share) * feats.action + context_share * feats.context
    score = encoder + lexical_weight * feats.lexical
    if part_weight and feats.part is not None:
        score = score + part_weight * (feats.part - np.maximum(feats.action, feats.context))
    return score


def residual(finding: str, row: PlanItem) -> str:
    """The finding's own words the row never uses (stop words and sector-generic words
    aside): what is left for the row to answer once the shared subject is set aside."""
    from followthrough.link.glossary import generic_words, stopwords
    from followthrough.link.terms import stem, words

    skip = stopwords() | generic_words()
    row_stems = {stem(w) for w in words(" ".join(p for p in (row.section, row.area, row.action) if p))}
    return " ".join(
        dict.fromkeys(w for w in words(finding) if len(w) > 2 and w not in skip and stem(w) not in row_stems)
    )


def residual_similarity(
    finding_texts: list[str], rows: list[PlanItem], pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], float]:
    """For each (finding, row) pair asked for, the encoder's cosine of the finding's residual
    words with the row's action: low when the row shares the subject but answers none of the
    rest ("care leavers' access to their health records" against a leisure-pass row: the
    residual "records" is unrelated to it). 1.0 when nothing is left."""
    texts = {pair: residual(finding_texts[pair[0]], rows[pair[1]]) for pair in pairs}
    asked = [p for p in pairs if texts[p]]
    out = {p: 1.0 for p in pairs}
    if asked:
        left = embed([texts[p] for p in asked])
        right = embed([rows[j].action or rows[j].area or "" for _, j in asked])
        for k, p in enumerate(asked):
            out[p] = float(left[k] @ right[k])
    return out
