"""Link stored findings to stored plan rows: run the matcher per plan, apply reviewer
decisions, and keep the result in the ``links`` table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.link.decisions import FINDING_KINDS, load_decisions
from followthrough.link.findings import Selection, select_findings
from followthrough.link.matcher import FindingText, match, previous_sentence, score_matrix
from followthrough.models import Link, PlanItem, Statement
from followthrough.store import document_id
from followthrough.store import insert_many, transaction

PLAN_COLUMNS = ("id", "document_id", "ref", "section", "area", "action", "lead", "timescale", "status", "page")


@dataclass
class Linked:
    """Every finding in scope with its links, and every plan row in scope."""

    findings: list[Statement] = field(default_factory=list)
    links: dict[int, list[Link]] = field(default_factory=dict)  # finding id -> links
    plan_items: list[PlanItem] = field(default_factory=list)
    plan_names: dict[int, str] = field(default_factory=dict)  # plan document id -> name
    # statements that frame the findings ("address the areas identified"): shown apart, never gaps
    context: list[Statement] = field(default_factory=list)


def _labels(rows: list[tuple[int, str, str]]) -> dict[int, str]:
    """Document id -> its file name, or its path where two documents share a name."""
    counts: dict[str, int] = {}
    for _, name, _ in rows:
        counts[name] = counts.get(name, 0) + 1
    return {doc_id: (path if counts[name] > 1 else name) for doc_id, name, path in rows}


def plan_documents(db: sqlite_utils.Database, plan: str | None = None) -> dict[int, str]:
    """Plan document id -> name: the one named, or every document that has plan rows."""
    if plan is not None:
        doc_id = document_id(db, plan, "plan")
        row = db.execute(
            "SELECT d.name, (SELECT COUNT(*) FROM plan_items p WHERE p.document_id = d.id) FROM documents d WHERE d.id = ?",
            [doc_id],
        ).fetchone()
        if not row[1]:
            raise UsageError(f"{row[0]} has no action-plan rows")
        return {doc_id: row[0]}
    return _labels(
        db.execute(
            "SELECT d.id, d.name, d.path FROM documents d"
            " WHERE EXISTS (SELECT 1 FROM plan_items p WHERE p.document_id = d.id) ORDER BY d.id"
        ).fetchall()
    )


def load_plan_items(db: sqlite_utils.Database, document_ids: list[int]) -> list[PlanItem]:
    if not document_ids:
        return []
    marks = ", ".join("?" for _ in document_ids)
    cursor = db.execute(
        f"SELECT {', '.join(PLAN_COLUMNS)} FROM plan_items WHERE document_id IN ({marks}) ORDER BY document_id, id",
        document_ids,
    )
    return [PlanItem(**dict(zip(PLAN_COLUMNS, r))) for r in cursor]


def load_findings(db: sqlite_utils.Database, findings: str | None = None) -> tuple[list[Statement], dict[int, str]]:
    """Recommendations and concerns (of one document, or of every non-plan document), and
    each one's previous sentence (its antecedent when it says 'address this').

    Only the findings: framing statements are left out (``load_selection`` has them) and the
    same point stated twice is one finding (link/findings.py)."""
    selection, contexts = load_selection(db, findings)
    return selection.findings, contexts


def load_selection(db: sqlite_utils.Database, findings: str | None = None) -> tuple[Selection, dict[int, str]]:
    """Findings and context statements (link/findings.py), and each finding's previous sentence."""
    from followthrough.extract.store import statement_from_row

    params: list = list(FINDING_KINDS)
    where = "s.kind IN (?, ?)"
    if findings is not None:
        where += " AND d.id = ?"
        params.append(document_id(db, findings, "findings"))
    else:
        # Findings come from inspection reports and the minutes that discuss them, never
        # from a plan's own wording.
        where += " AND d.kind != 'action plan'"
    cursor = db.execute(
        f"SELECT s.*, d.name AS document, d.text AS _doc_text FROM statements s JOIN documents d ON d.id = s.document_id"
        f" WHERE {where} ORDER BY d.id, s.start",
        params,
    )
    columns = [c[0] for c in cursor.description]
    out, contexts, texts = [], {}, {}
    for values in cursor:
        row = dict(zip(columns, values))
        doc_text = row.pop("_doc_text") or ""
        statement = statement_from_row(row)
        out.append(statement)
        texts[statement.document_id] = doc_text
        context = previous_sentence(doc_text, statement.start) if statement.start else None
        if context:
            contexts[statement.id] = context
    return select_findings(out, texts), contexts


def link(db: sqlite_utils.Database, *, plan: str | None = None, findings: str | None = None, workers: int = 1) -> Linked:
    """Link findings to plan rows, store automatic links, and apply reviewer decisions.

    Each plan is scored on its own (term rarity is a property of one plan). Decisions win:
    a rejected pair is never linked, a confirmed or added pair always is.
    """
    plans = plan_documents(db, plan)
    selection, contexts = load_selection(db, findings)
    statements = selection.findings
    items = load_plan_items(db, list(plans))
    result = Linked(statements, {s.id: [] for s in statements}, items, plans, selection.context)
    texts = [FindingText(s.text, contexts.get(s.id)) for s in statements]
    by_plan: dict[int, list[PlanItem]] = defaultdict(list)
    for item in items:
        by_plan[item.document_id].append(item)
    auto: dict[tuple[int, int], tuple[float, str]] = {}
    for doc_id, rows in by_plan.items():
        _, matches = match(texts, rows, workers=workers)
        for statement, found in zip(statements, matches):
            for m in found:
                auto[(statement.id, rows[m.row].id)] = (m.score, m.reason)
    decisions = load_decisions(db)
    in_scope_f = {s.id for s in statements}
    item_by_id = {i.id: i for i in items}
    final: dict[tuple[int, int], tuple[float, str, str]] = {k: (s, r, "auto") for k, (s, r) in auto.items()}
    pending: list[tuple[int, int, str, str | None]] = []
    for key, decision in decisions.items():
        if key[0] not in in_scope_f or key[1] not in item_by_id:
            continue
        if decision.decision == "reject":
            final.pop(key, None)
        elif key in final:
            score, why, _ = final[key]
            final[key] = (score, why + "; confirmed by reviewer" + (f": {decision.note}" if decision.note else ""), "confirmed")
        else:
            source = "confirmed" if decision.decision == "confirm" else "added"
            pending.append((key[0], key[1], source, decision.note))
    if pending:
        _score_pending(texts, statements, item_by_id, pending, final)
    _write_links(db, in_scope_f, final)
    for (finding_id, item_id), (score, why, source) in final.items():
        item = item_by_id[item_id]
        result.links[finding_id].append(Link(finding_id, item, plans[item.document_id], score, why, source))
    for links in result.links.values():
        links.sort(key=lambda l: (l.source == "auto", -l.score))
    return result


def _score_pending(texts, statements, item_by_id, pending, final) -> None:
    """Scores for reviewer-added pairs the matcher did not link (shown, never used to decide)."""
    index = {s.id: i for i, s in enumerate(statements)}
    for finding_id, item_id, source, note in pending:
        item = item_by_id[item_id]
        scores = score_matrix([texts[index[finding_id]]], [item])
        why = ("confirmed" if source == "confirmed" else "added") + " by reviewer" + (f": {note}" if note else "")
        final[(finding_id, item_id)] = (round(float(scores.score[0, 0]), 3), why, source)


def _write_links(db: sqlite_utils.Database, finding_ids: set[int], final: dict) -> None:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with transaction(db):
        ids = sorted(finding_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.execute(f"DELETE FROM links WHERE finding_id IN ({', '.join('?' for _ in chunk)})", chunk)
        insert_many(
            db,
            "links",
            [
                {"finding_id": f, "plan_item_id": p, "score": s, "reason": r, "source": src, "created_at": now}
                for (f, p), (s, r, src) in final.items()
            ],
        )
