"""The gap-check report: each finding's status and links, unanswered plan rows, and
commitments that are overdue or have no date. Rendered as Markdown, HTML, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlite_utils

from followthrough.link.decide import ANSWERED, GAP, POSSIBLE, UNLISTED, report_status
from followthrough.link.store import Linked, link, stored_id
from followthrough.models import Link
from followthrough.store import document_id
from followthrough.textsafe import csv_safe, terminal_safe
from followthrough.tracking.listing import list_commitments

# UNLISTED ("unlisted"): a concern or recommendation from the body of a report that has its
# own improvement list, which no plan row comes near: shown apart from the gaps, since the
# report did not list it among what must improve (decide.report_status, decide.REPORTING).
STATUS_ORDER = {GAP: 0, POSSIBLE: 1, ANSWERED: 2, UNLISTED: 3}
TITLES = {
    GAP: "Gaps: no plan row answers these",
    POSSIBLE: "Possibly answered: review the row beside each",
    ANSWERED: "Answered",
    UNLISTED: "Also in the report's text, not in its improvement list: no plan row near",
}
CONTEXT_TITLE = "Context: statements about the findings as a whole (not gaps)"


@dataclass
class ReportLink:
    plan_item_id: int
    ref: str | None
    plan_document: str
    area: str | None
    action: str | None
    lead: str | None
    timescale: str | None
    rag: str | None
    score: float
    confidence: float | None
    reason: str
    source: str

    @classmethod
    def of(cls, l: Link) -> ReportLink:
        i = l.plan_item
        return cls(
            stored_id(i.id),
            i.ref,
            l.plan_document,
            i.area,
            i.action,
            i.lead,
            i.timescale,
            i.status,
            l.score,
            l.confidence,
            l.reason,
            l.source,
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ReportFinding:
    id: int
    document: str
    kind: str
    text: str
    page: int | None
    status: str  # answered | possibly answered | gap | unlisted (decide.report_status)
    links: list[ReportLink] = field(default_factory=list)
    closest: ReportLink | None = None  # a gap's nearest row, and why it does not answer
    section: str | None = None  # the report's own list it is an item of ("What needs to improve?")
    priority: bool = False

    def as_dict(self) -> dict[str, Any]:
        row = dict(self.__dict__)
        row["links"] = [l.as_dict() for l in self.links]
        row["closest"] = self.closest.as_dict() if self.closest else None
        return row


@dataclass
class ReportCommitment:
    id: int
    document: str
    text: str
    actor: str | None
    due_text: str | None
    due_end: str | None
    status: str  # overdue | no date

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class GapReport:
    as_of: date
    plans: list[str]
    findings: list[ReportFinding]
    unlinked_plan_items: list[dict[str, Any]]
    commitments: list[ReportCommitment]
    pairs: list[str] = field(default_factory=list)  # "report.pdf -> plan.pdf (same council: BCP)"
    pairs_by_plan: dict[str, list[str]] = field(default_factory=dict)  # plan -> "report.pdf (same council: BCP)"
    unpaired: list[str] = field(default_factory=list)  # findings documents with no plan of their council
    # statements that frame the findings ("address the areas identified"): never gaps
    context: list[ReportFinding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "findings": len(self.findings),
            "answered": sum(f.status == ANSWERED for f in self.findings),
            "possibly_answered": sum(f.status == POSSIBLE for f in self.findings),
            "gaps": sum(f.status == GAP for f in self.findings),
            "unlisted": sum(f.status == UNLISTED for f in self.findings),
            "unlinked_plan_items": len(self.unlinked_plan_items),
            "overdue": sum(c.status == "overdue" for c in self.commitments),
            "no_date": sum(c.status == "no date" for c in self.commitments),
        }

    def by_plan(self) -> list[dict[str, Any]]:
        """Per plan: findings it answers, its rows linked and its rows that answer nothing."""
        out = []
        for plan in self.plans:
            answered = {f.id for f in self.findings if f.status != GAP for l in f.links if l.plan_document == plan}
            linked = {
                l.plan_item_id for f in self.findings if f.status != GAP for l in f.links if l.plan_document == plan
            }
            unlinked = [i for i in self.unlinked_plan_items if i["plan_document"] == plan]
            out.append(
                {
                    "plan_document": plan,
                    "findings_answered": len(answered),
                    "rows_linked": len(linked),
                    "rows_unlinked": len(unlinked),
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "plans": self.plans,
            "pairs": self.pairs,
            "unpaired": self.unpaired,
            "summary": self.counts(),
            "by_plan": self.by_plan(),
            "findings": [f.as_dict() for f in self.findings],
            "unlinked_plan_items": self.unlinked_plan_items,
            "commitments": [c.as_dict() for c in self.commitments],
            "context": [f.as_dict() for f in self.context],
        }


def gap_report(
    db: sqlite_utils.Database,
    *,
    plan: str | Sequence[str] | None = None,
    findings: str | Sequence[str] | None = None,
    as_of: date | None = None,
    workers: int = 1,
) -> GapReport:
    """Link (applying reviewer decisions) and assemble the report. Gaps come first."""
    as_of = as_of or date.today()
    linked = link(db, plan=plan, findings=findings, workers=workers)
    report_findings = _findings(linked)
    answered = {l.plan_item_id for f in report_findings if f.status != GAP for l in f.links}
    unlinked = [
        {
            "id": item.id,
            "ref": item.ref,
            "plan_document": linked.plan_names[stored_id(item.document_id)],
            "section": item.section,
            "area": item.area,
            "action": item.action,
            "lead": item.lead,
            "timescale": item.timescale,
            "status": item.status,
            "page": item.page,
        }
        for item in linked.plan_items
        if item.id not in answered
    ]
    finding_docs = [findings] if isinstance(findings, str) else list(findings or [])
    return GapReport(
        as_of,
        list(linked.plan_names.values()),
        report_findings,
        unlinked,
        commitments(db, as_of, finding_docs),
        [p.describe() for p in linked.pairs],
        _by_plan(linked),
        [d.name for d in linked.unpaired],
        [ReportFinding(stored_id(s.id), s.document or "", s.kind, s.text, s.page, "context") for s in linked.context],
    )


def _by_plan(linked: Linked) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in linked.pairs:
        out.setdefault(linked.plan_names.get(p.plan.id, p.plan.name), []).append(f"{p.findings.name} ({p.basis})")
    return out


def checked_lines(report: GapReport, limit: int = 3) -> list[str]:
    """'plan.pdf: report.pdf (same council: BCP)', one line per plan, long lists shortened."""
    lines = []
    for plan, docs in report.pairs_by_plan.items():
        shown = ", ".join(docs[:limit]) + (f" and {len(docs) - limit} more" if len(docs) > limit else "")
        lines.append(f"{plan} checked against {shown}")
    return lines


def _findings(linked: Linked) -> list[ReportFinding]:
    out = []
    listed = {s.document_id for s in linked.findings if s.section}  # documents with their own list
    for statement in linked.findings:
        sid = stored_id(statement.id)
        decided = linked.status.get(sid, GAP)
        links = linked.links.get(sid, []) if decided != GAP else []
        closest = linked.closest.get(sid)
        status = decided
        if not any(l.source != "auto" for l in links):  # a reviewer's decision stands as it is
            status = report_status(
                decided,
                linked.residual.get(sid, 1.0),
                bool(statement.section),
                statement.document_id in listed,
            )
        if status in (GAP, UNLISTED) and links:
            # possibly answered, reported as a gap candidate: its best row beside it, not a link
            closest, links = links[0], []
        out.append(
            ReportFinding(
                sid,
                statement.document or "",
                statement.kind,
                statement.text,
                statement.page,
                status,
                [ReportLink.of(l) for l in links],
                ReportLink.of(closest) if closest else None,
                statement.section,
                bool(statement.priority),
            )
        )
    # stable: within a status the report's own list items first, then document order
    out.sort(key=lambda f: (STATUS_ORDER[f.status], f.section is None))
    return out


def commitments(db: sqlite_utils.Database, as_of: date, findings: Sequence[str] = ()) -> list[ReportCommitment]:
    """Commitments overdue on ``as_of`` (commitment tracking weighs later evidence and
    re-dating) or with no date at all; with ``findings``, only those these documents made."""
    mine = None
    if findings:
        mine = set()
        for ref in findings:
            doc_id = document_id(db, ref, "findings")
            mine |= {r[0] for r in db.execute("SELECT id FROM statements WHERE document_id = ?", [doc_id])}
    out = []
    for r in list_commitments(db, as_of=as_of):
        if mine is not None and r.id not in mine:
            continue
        if r.status == "overdue":
            status = "overdue"
        elif r.status != "reported" and not r.due_end and not r.due_start and not r.redated_due_end:
            status = "no date"
        else:
            continue
        out.append(
            ReportCommitment(r.id, r.document, r.text, r.actor, r.due_text, r.redated_due_end or r.due_end, status)
        )
    return out


# -- rendering ------------------------------------------------------------------------------


NO_PLAN = "none yet (ingest an action plan: PDF, DOCX, CSV or XLSX with Ref and Action columns)"


def render(report: GapReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "html":
        return render_html(report)
    return render_markdown(report)


def _one_line(text: str | None, limit: int | None = None) -> str:
    text = " ".join((text or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _md(text: str | None, limit: int | None = None) -> str:
    """Text safe inside a Markdown table cell or list item: no HTML a renderer would run
    (``<``, ``>``, and ``&`` before an entity escaped), no control characters for a terminal."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", _one_line(text, limit))
    return terminal_safe(text.replace("<", "&lt;").replace(">", "&gt;")).replace("|", "\\|")


def _where(f: ReportFinding) -> str:
    return f.document + (f", p. {f.page}" if f.page else "")


def _row_facts(l: ReportLink) -> str:
    """Lead, timescale and RAG status of a row, those it has."""
    facts = [
        f"lead: {l.lead}" if l.lead else "",
        f"by: {l.timescale}" if l.timescale else "",
        f"RAG: {l.rag}" if l.rag else "",
    ]
    return "; ".join(_one_line(x) for x in facts if x)


def headline(report: GapReport) -> str:
    c = report.counts()
    line = (
        f"{c['findings'] - c['unlisted']} findings: {c['answered']} answered, "
        f"{c['possibly_answered']} possibly answered (review), {c['gaps']} gap{'' if c['gaps'] == 1 else 's'}."
    )
    if c["unlisted"]:
        line += f" {c['unlisted']} more from the report's text outside its list, no plan row near."
    if report.context:
        line += f" {len(report.context)} context statement{'' if len(report.context) == 1 else 's'}."
    return line


def render_markdown(report: GapReport) -> str:
    c = report.counts()
    lines = [f"# Gap check (as of {report.as_of.isoformat()})", ""]
    if report.pairs:
        lines += [f"- {_md(line)}" for line in checked_lines(report)] + [""]
    else:
        lines += [f"Plans: {', '.join(report.plans) or NO_PLAN}", ""]
    if report.unpaired:
        lines += ["Not checked (no plan of their council): " + ", ".join(_md(u) for u in report.unpaired), ""]
    rows = c["unlinked_plan_items"]
    lines += [
        f"**{headline(report)}** {rows} plan row{'' if rows == 1 else 's'} answer{'s' if rows == 1 else ''} no finding; "
        f"{c['overdue']} commitment{'' if c['overdue'] == 1 else 's'} overdue, {c['no_date']} with no date.",
    ]
    for status in (GAP, POSSIBLE, ANSWERED, UNLISTED, "context"):
        group = [f for f in report.findings if f.status == status] if status != "context" else report.context
        if not group:
            continue
        lines += ["", f"## {TITLES.get(status, CONTEXT_TITLE)} ({len(group)})", ""]
        for f in group:
            listed = f" ({_md(f.section)}{', priority' if f.priority else ''})" if f.section else ""
            lines.append(f'- {f.kind}{listed} [{f.id}]: "{_md(f.text)}" ({_md(_where(f))})')
            if status == GAP and f.closest:
                l = f.closest
                lines.append(f"    - closest row {_md(l.ref)} ({_md(l.plan_document)}): {_md(l.action, 100)}")
                lines.append(f"      does not answer it: {_md(l.reason)}")
            for l in f.links:
                tag = "" if l.source == "auto" else f" [{l.source}]"
                conf = f", confidence {l.confidence:.2f}" if l.confidence is not None and l.source == "auto" else ""
                facts = _row_facts(l)
                lines.append(f"    - {_md(l.ref)} ({_md(l.plan_document)}{conf}){tag}: {_md(l.action, 100)}")
                if facts:
                    lines.append(f"      {_md(facts)}")
                label = "may not answer it" if status == POSSIBLE else "why"
                lines.append(f"      {label}: {_md(l.reason)}")
                if status == POSSIBLE:
                    lines.append(
                        f"      confirm: `followthrough links confirm {f.id} {l.plan_item_id}`, "
                        f"or reject: `followthrough links reject {f.id} {l.plan_item_id}`"
                    )
    if report.unlinked_plan_items:
        lines += ["", f"## Plan rows that answer no finding ({len(report.unlinked_plan_items)})"]
        for plan in report.plans:
            items = [i for i in report.unlinked_plan_items if i["plan_document"] == plan]
            if items:
                lines += ["", f"### {_md(plan)}", ""]
                lines += [f"- {_md(i['ref'])}: {_md(i['action'], 100)}" for i in items]
    if report.commitments:
        lines += ["", f"## Commitments overdue or undated ({len(report.commitments)})", ""]
        for cm in report.commitments:
            due = f"due {cm.due_end}" if cm.due_end else "no date"
            lines.append(f'- {cm.status}: "{_md(cm.text, 160)}" ({_md(cm.document)}; {due})')
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    "finding_id",
    "document",
    "page",
    "kind",
    "status",
    "text",
    "ref",
    "plan_document",
    "lead",
    "timescale",
    "rag",
    "score",
    "confidence",
    "reason",
    "source",
]


def render_csv(report: GapReport) -> str:
    """One line per (finding, row); a gap has one line with its closest row (source 'closest')."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for f in report.findings:
        base = {
            "finding_id": f.id,
            "document": f.document,
            "page": f.page,
            "kind": f.kind,
            "status": f.status,
            "text": _one_line(f.text),
        }
        rows = f.links or ([f.closest] if f.closest else [])
        if not rows:
            writer.writerow(_csv_safe_row(base))
        for l in rows:
            writer.writerow(
                _csv_safe_row(
                    base
                    | {
                        "ref": l.ref,
                        "plan_document": l.plan_document,
                        "lead": l.lead,
                        "timescale": l.timescale,
                        "rag": l.rag,
                        "score": f"{l.score:.3f}",
                        "confidence": "" if l.confidence is None else f"{l.confidence:.2f}",
                        "reason": l.reason,
                        "source": l.source,
                    }
                )
            )
    return out.getvalue()


def _csv_safe_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: csv_safe(v) if isinstance(v, str) else v for k, v in row.items()}


def render_html(report: GapReport) -> str:
    """One self-contained page from templates/gaps.html (Jinja2, autoescaped): the counts,
    then gaps with their closest rows, rows to review, answered findings with their rows."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("followthrough.link", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["one_line"] = _one_line
    groups = [
        (status, TITLES[status], [f for f in report.findings if f.status == status])
        for status in (GAP, POSSIBLE, ANSWERED, UNLISTED)
    ]
    if report.context:
        groups.append(("context", CONTEXT_TITLE, report.context))
    return env.get_template("gaps.html").render(
        report=report,
        counts=report.counts(),
        groups=groups,
        checked=checked_lines(report, limit=6),
        headline=headline(report),
        GAP=GAP,
        POSSIBLE=POSSIBLE,
    )
