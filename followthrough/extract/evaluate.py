"""Measure extraction against hand-made gold files (the rules of ANNOTATION.md).

A prediction matches a gold statement when the kinds are equal, the gold quote is
contained in the predicted text (``rapidfuzz.fuzz.partial_ratio`` of the normalised
strings >= 90) and the predicted text is at most three times as long as the quote plus
120 characters; each side matches at most once, best score first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from followthrough.errors import UsageError
from followthrough.models import STATEMENT_KINDS, Statement

MIN_SCORE = 90


def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub("[\u2013\u2014]", "-", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def match(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (gold index, prediction index), best score first."""
    candidates = []
    for i, g in enumerate(gold):
        quote = normalise(g["quote"])
        for j, p in enumerate(predicted):
            text = normalise(p.get("text") or "")
            if p["kind"] != g["kind"] or len(text) > 3 * len(quote) + 120:
                continue
            score = fuzz.partial_ratio(quote, text, score_cutoff=MIN_SCORE)
            if score:
                candidates.append((score, -abs(len(text) - len(quote)), i, j))
    candidates.sort(reverse=True)
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return pairs


@dataclass
class Evaluation:
    counts: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0, 0] for k in STATEMENT_KINDS})
    due_total: int = 0
    due_right: int = 0
    documents: int = 0
    missed: list[dict[str, str]] = field(default_factory=list)
    spurious: list[dict[str, str]] = field(default_factory=list)

    @staticmethod
    def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f, "gold": n_gold, "predicted": n_pred}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self._prf(*self.counts[k]) for k in STATEMENT_KINDS}
        totals = [sum(c[i] for c in self.counts.values()) for i in range(3)]
        out["all"] = self._prf(*totals)
        out["due_accuracy"] = self.due_right / self.due_total if self.due_total else None
        out["due_gold"] = self.due_total
        out["documents"] = self.documents
        out["missed"] = self.missed
        out["spurious"] = self.spurious
        return out

    def add(self, document: str, gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> None:
        self.documents += 1
        pairs = match(gold, predicted)
        for g in gold:
            self.counts[g["kind"]][2] += 1
        for p in predicted:
            self.counts[p["kind"]][1] += 1
        for i, j in pairs:
            g, p = gold[i], predicted[j]
            self.counts[g["kind"]][0] += 1
            end = (g.get("due") or {}).get("end")
            if g["kind"] == "commitment" and end:
                self.due_total += 1
                self.due_right += p.get("due_end") == end
        matched_gold = {i for i, _ in pairs}
        matched_pred = {j for _, j in pairs}
        self.missed += [
            {"document": document, "kind": g["kind"], "quote": g["quote"]}
            for i, g in enumerate(gold)
            if i not in matched_gold
        ]
        self.spurious += [
            {"document": document, "kind": p["kind"], "text": p["text"]}
            for j, p in enumerate(predicted)
            if j not in matched_pred
        ]


def evaluate(
    gold_dir: str | Path, docs_dir: str | Path | None = None, *, model: str | None = None, learned: bool = True
) -> Evaluation:
    """Extract from each gold file's document and score it."""
    from followthrough.extract import build_pipeline, extract_statements
    from followthrough.ingest import read_document

    gold_dir = Path(gold_dir)
    docs_dir = Path(docs_dir) if docs_dir else gold_dir.parent / "docs"
    gold_files = sorted(gold_dir.glob("*.gold.json"))
    if not gold_files:
        raise UsageError(f"{gold_dir}: no *.gold.json files")
    nlp = build_pipeline(model, learned)
    result = Evaluation()
    for path in gold_files:
        data = json.loads(path.read_text(encoding="utf-8"))
        doc_path = docs_dir / data["document"]
        if not doc_path.exists():
            raise UsageError(f"{doc_path}: document named by {path.name} not found (use --docs)")
        meeting = date.fromisoformat(data["meeting_date"]) if data.get("meeting_date") else None
        doc = read_document(doc_path, meeting_date=meeting)
        statements: list[Statement] = extract_statements(doc, nlp=nlp, meeting_date=meeting)
        gold = [s for s in data["statements"] if s["kind"] in STATEMENT_KINDS]
        result.add(data["document"], gold, [s.prediction() for s in statements])
    return result


def evaluate_sets(
    sets: list[tuple[str | Path, str | Path | None]],
    *,
    model: str | None = None,
    learned: bool = True,
    folds: int | None = None,
    group: str = "council",
) -> Evaluation:
    """Score several (gold, documents) sets pooled; with ``folds``, grouped cross-validation
    of the learned classifier (``learned=False``: the rules alone over the same folds)."""
    if folds:
        from followthrough.extract.train import cross_validate_sets

        return cross_validate_sets(sets, folds, learned=learned, group=group, spacy_model=model)
    result = Evaluation()
    for gold_dir, docs_dir in sets:
        one = evaluate(gold_dir, docs_dir, model=model, learned=learned)
        for kind, counts in one.counts.items():
            result.counts[kind] = [a + b for a, b in zip(result.counts[kind], counts)]
        result.due_total += one.due_total
        result.due_right += one.due_right
        result.documents += one.documents
        result.missed += one.missed
        result.spurious += one.spurious
    return result
