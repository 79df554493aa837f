"""Link stored findings to stored plan rows: run the matcher per plan, apply reviewer
decisions, and keep the result in the ``links`` table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from followthrough.errors import UsageError
from followthrough.link.decide import ANSWERED, GAP, POSSIBLE
from followthrough.link.decisions import FINDING_KINDS, load_decisions
from followthrough.link.findings import Selection, select_findings
from followthrough.link.matcher import FindingText, decide_plan, previous_sentence, score_matrix
from followthrough.link.pairing import DocInfo, Pair, pair
from followthrough.models import Link, PlanItem, Statement
from followthrough.store import document_id, insert_many, transaction

PLAN_COLUMNS = ("id", "document_id", "ref", "section", "area", "action", "lead", "timescale", "status", "page")


@dataclass
class Linked:
    """Every finding in scope with its links and status, and every plan row in scope."""

    findings: list[Statement] = field(default_factory=list)
    links: dict[int, list[Link]] = field(default_factory=dict)  # finding id -> links
    plan_items: list[PlanItem] = field(default_factory=list)
    plan_names: dict[int, str] = field(default_factory=dict)  # plan document id -> name
    status: dict[int, str] = field(default_factory=dict)  # finding id -> answered | possible | gap
    closest: dict[int, Link] = field(default_factory=dict)  # gap finding id -> its closest row
    residual: dict[int, float] = field(default_factory=dict)  # finding id -> its best row's residual cosine
    pairs: list[Pair] = field(default_factory=list)
    unpaired: list[DocInfo] = field(default_factory=list)  # findings documents no plan was checked against
    # statements that frame the findings ("address the areas identified"): shown apart, never gaps
    context: list[Statement] = field(default_factory=list)


def stored_id(value: int | None) -> int:
    """A stored record's id or document id: statements and plan rows read from the database
    always have them (None only before a record is saved)."""
    assert value is not None
    return value


def _labels(rows: list[tuple[int, str, str]]) -> dict[int, str]:
    """Document id -> its file name, or its path where two documents share a name."""
    counts: dict[str, int] = {}
    for _, name, _ in rows:
        counts[name] = counts.get(name, 0) + 1
    return {doc_id: (path if counts[name] > 1 else name) for doc_id, name, path in rows}


def plan_documents(db: sqlite_utils.Database, plans: str | Sequence[str] | None = None) -> dict[int, str]:
    """Plan document id -> name: the ones named, or every document that has plan rows."""
    if isinstance(plans, str):
        plans = [plans]
    if plans:
        out: dict[int, str] = {}
        for plan in plans:
            doc_id = document_id(db, plan, "plan")
            row = db.execute(
                "SELECT d.name, (SELECT COUNT(*) FROM plan_items p WHERE p.document_id = d.id) FROM documents d WHERE d.id = ?",
                [doc_id],
            ).fetchone()
            if not row[1]:
                raise UsageError(f"{row[0]} has no action-plan rows")
            out[doc_id] = row[0]
        return out
    return _labels(
        db.execute(
            "SELECT d.id, d.name, d.path FROM documents d"
            " WHERE EXISTS (SELECT 1 FROM plan_items p WHERE p.document_id = d.id) ORDER BY d.id"
        ).fetchall()
    )


def doc_infos(db: sqlite_utils.Database, names: dict[int, str]) -> list[DocInfo]:
    """Id, display name and council of each document, in the order given."""
    if not names:
        return []
    ids = list(names)
    marks = ", ".join("?" for _ in ids)
    councils = dict(db.execute(f"SELECT id, council FROM documents WHERE id IN ({marks})", ids).fetchall())
    return [DocInfo(i, names[i], councils.get(i)) for i in ids]


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
    out: list[Statement] = []
    contexts: dict[int, str] = {}
    texts: dict[int, str] = {}
    for values in cursor:
        row = dict(zip(columns, values))
        doc_text = row.pop("_doc_text") or ""
        statement = statement_from_row(row)
        out.append(statement)
        texts[stored_id(statement.document_id)] = doc_text
        context = previous_sentence(doc_text, statement.start) if statement.start else None
        if context:
            contexts[stored_id(statement.id)] = context
    return select_findings(out, texts), contexts


STATUS_RANK = {GAP: 0, POSSIBLE: 1, ANSWERED: 2}


def link(
    db: sqlite_utils.Database,
    *,
    plan: str | Sequence[str] | None = None,
    findings: str | Sequence[str] | None = None,
    workers: int = 1,
) -> Linked:
    """Link findings to plan rows, store automatic links, and apply reviewer decisions.

    Each findings document is checked against the plans it is paired with
    (:mod:`followthrough.link.pairing`: same council, or as named), and each plan is scored
    on its own (term rarity and score distributions are properties of one plan). A finding's
    status is its best over its plans. Decisions win: a rejected pair is never linked, a
    confirmed or added pair always is.
    """
    finding_refs: list[str | None] = [findings] if isinstance(findings, str) else list(findings or [])
    plan_refs = [plan] if isinstance(plan, str) else list(plan or [])
    plans = plan_documents(db, plan_refs)
    statements: list[Statement] = []
    contexts: dict[int, str] = {}
    context: list[Statement] = []
    for ref in finding_refs or [None]:
        selection, ctx = load_selection(db, ref)
        statements += selection.findings
        context += selection.context
        contexts.update(ctx)
    statements = list({s.id: s for s in statements}.values())
    doc_names = {stored_id(s.document_id): s.document or str(s.document_id) for s in statements}
    pairs, unpaired = pair(doc_infos(db, doc_names), doc_infos(db, plans), named=bool(finding_refs) and bool(plan_refs))
    paired_docs = {p.findings.id for p in pairs}
    statements = [s for s in statements if s.document_id in paired_docs]
    context = [s for s in {s.id: s for s in context}.values() if s.document_id in paired_docs]
    items = load_plan_items(db, list(plans))
    result = Linked(
        statements,
        {stored_id(s.id): [] for s in statements},
        items,
        plans,
        pairs=pairs,
        unpaired=unpaired,
        context=context,
    )
    texts = {stored_id(s.id): FindingText(s.text, contexts.get(stored_id(s.id))) for s in statements}
    by_plan: dict[int, list[PlanItem]] = defaultdict(list)
    for item in items:
        by_plan[stored_id(item.document_id)].append(item)
    auto: dict[tuple[int, int], tuple[float, str, float]] = {}
    best_status: dict[int, str] = {}
    closest: dict[int, tuple[float, PlanItem, str]] = {}
    for doc_id, rows in by_plan.items():
        docs = {p.findings.id for p in pairs if p.plan.id == doc_id}
        mine = [s for s in statements if s.document_id in docs]
        if not mine:
            continue
        _, _, outcomes = decide_plan([texts[stored_id(s.id)] for s in mine], rows, workers=workers)
        for statement, outcome in zip(mine, outcomes):
            sid = stored_id(statement.id)
            previous = best_status.get(sid)
            if previous is None or STATUS_RANK[outcome.status] > STATUS_RANK[previous]:
                best_status[sid] = outcome.status
                result.residual[sid] = outcome.residual
            if outcome.status != GAP:
                for m in outcome.matches:
                    auto[(sid, stored_id(rows[m.row].id))] = (m.score, m.reason, m.confidence)
            if outcome.closest is not None:
                c = outcome.closest
                if sid not in closest or c.score > closest[sid][0]:
                    closest[sid] = (c.score, rows[c.row], c.reason)
    decisions = load_decisions(db)
    in_scope_f = {stored_id(s.id) for s in statements}
    item_by_id = {i.id: i for i in items}
    final: dict[tuple[int, int], tuple[float, str, str]] = {k: (s, r, "auto") for k, (s, r, _) in auto.items()}
    confidence = {k: c for k, (_, _, c) in auto.items()}
    pending: list[tuple[int, int, str, str | None]] = []
    for key, decision in decisions.items():
        if key[0] not in in_scope_f or key[1] not in item_by_id:
            continue
        if decision.decision == "reject":
            final.pop(key, None)
        elif key in final:
            score, why, _ = final[key]
            final[key] = (
                score,
                why + "; confirmed by reviewer" + (f": {decision.note}" if decision.note else ""),
                "confirmed",
            )
        else:
            source = "confirmed" if decision.decision == "confirm" else "added"
            pending.append((key[0], key[1], source, decision.note))
    if pending:
        _score_pending(texts, item_by_id, pending, final)
    _write_links(db, in_scope_f, final)
    for (finding_id, item_id), (score, why, source) in final.items():
        item = item_by_id[item_id]
        result.links[finding_id].append(
            Link(
                finding_id,
                item,
                plans[stored_id(item.document_id)],
                score,
                why,
                source,
                1.0 if source != "auto" else confidence.get((finding_id, item_id)),
            )
        )
    for finding_id, links in result.links.items():
        links.sort(key=lambda l: (l.source == "auto", -l.score))
        status = best_status.get(finding_id, GAP)
        if any(l.source != "auto" for l in links):
            status = ANSWERED
        elif not links:
            status = GAP
        result.status[finding_id] = status
        if status == GAP and finding_id in closest:
            score, item, why = closest[finding_id]
            result.closest[finding_id] = Link(
                finding_id, item, plans[stored_id(item.document_id)], round(score, 3), why, "closest", 0.0
            )
    return result


def _score_pending(texts, item_by_id, pending, final) -> None:
    """Scores for reviewer-added pairs the matcher did not link (shown, never used to decide)."""
    for finding_id, item_id, source, note in pending:
        item = item_by_id[item_id]
        scores = score_matrix([texts[finding_id]], [item])
        why = ("confirmed" if source == "confirmed" else "added") + " by reviewer" + (f": {note}" if note else "")
        final[(finding_id, item_id)] = (round(float(scores.score[0, 0]), 3), why, source)


def _write_links(db: sqlite_utils.Database, finding_ids: set[int], final: dict) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
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
