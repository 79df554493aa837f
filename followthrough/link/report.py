"""The gap-check report: each finding's status and links, unanswered plan rows, and
commitments that are overdue or have no date. Rendered as Markdown, HTML, CSV or JSON."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlite_utils

from followthrough.store import document_id
from followthrough.textsafe import csv_safe, terminal_safe
from followthrough.tracking.listing import list_commitments

from followthrough.link.matcher import status_for
from followthrough.link.store import Linked, link

STATUS_ORDER = {"gap": 0, "partial": 1, "addressed": 2, "unlisted": 3}
# "unlisted": a concern or recommendation from the body of a report that has its own
# improvement list, which no plan row comes near: shown apart from the gaps, since the
# report did not list it among what must improve (link/findings.py).


@dataclass
class ReportLink:
    plan_item_id: int
    ref: str | None
    plan_document: str
    area: str | None
    action: str | None
    score: float
    reason: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ReportFinding:
    id: int
    document: str
    kind: str
    text: str
    page: int | None
    status: str
    links: list[ReportLink] = field(default_factory=list)
    section: str | None = None  # the report's own list it is an item of ("What needs to improve?")
    priority: bool = False

    def as_dict(self) -> dict[str, Any]:
        row = dict(self.__dict__)
        row["links"] = [l.as_dict() for l in self.links]
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
    # statements that frame the findings ("address the areas identified"): never gaps
    context: list[ReportFinding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {s: sum(f.status == s for f in self.findings) for s in STATUS_ORDER}
        out["findings"] = len(self.findings)
        out["unlinked_plan_items"] = len(self.unlinked_plan_items)
        out["overdue"] = sum(c.status == "overdue" for c in self.commitments)
        out["no_date"] = sum(c.status == "no date" for c in self.commitments)
        return out

    def by_plan(self) -> list[dict[str, Any]]:
        """Per plan: findings it answers, its rows linked and its rows that answer nothing."""
        out = []
        for plan in self.plans:
            answered = {f.id for f in self.findings for l in f.links if l.plan_document == plan}
            linked = {l.plan_item_id for f in self.findings for l in f.links if l.plan_document == plan}
            unlinked = [i for i in self.unlinked_plan_items if i["plan_document"] == plan]
            out.append({"plan_document": plan, "findings_answered": len(answered), "rows_linked": len(linked),
                        "rows_unlinked": len(unlinked)})
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "plans": self.plans,
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
    plan: str | None = None,
    findings: str | None = None,
    as_of: date | None = None,
    workers: int = 1,
) -> GapReport:
    """Link (applying reviewer decisions) and assemble the report. Gaps come first."""
    as_of = as_of or date.today()
    linked = link(db, plan=plan, findings=findings, workers=workers)
    report_findings = _findings(linked)
    answered = {l.plan_item_id for f in report_findings for l in f.links}
    unlinked = [
        {
            "id": item.id, "ref": item.ref, "plan_document": linked.plan_names[item.document_id],
            "section": item.section, "area": item.area, "action": item.action,
            "lead": item.lead, "timescale": item.timescale, "status": item.status, "page": item.page,
        }
        for item in linked.plan_items
        if item.id not in answered
    ]
    context = [
        ReportFinding(s.id, s.document or "", s.kind, s.text, s.page, "context") for s in linked.context
    ]
    return GapReport(
        as_of, list(linked.plan_names.values()), report_findings, unlinked, commitments(db, as_of, findings), context
    )


def _findings(linked: Linked) -> list[ReportFinding]:
    out = []
    listed = {s.document_id for s in linked.findings if s.section}  # documents with their own list
    for statement in linked.findings:
        links = linked.links.get(statement.id, [])
        reviewed = any(l.source in ("confirmed", "added") for l in links)
        best = max((l.score for l in links), default=None)
        status = "addressed" if reviewed else status_for(best)
        if status == "gap" and not links and not statement.section and statement.document_id in listed:
            status = "unlisted"
        out.append(
            ReportFinding(
                statement.id, statement.document or "", statement.kind, statement.text, statement.page, status,
                [
                    ReportLink(l.plan_item.id, l.plan_item.ref, l.plan_document, l.plan_item.area,
                               l.plan_item.action, l.score, l.reason, l.source)
                    for l in links
                ],
                statement.section,
                statement.priority,
            )
        )
    # stable: within a status the report's own list items first, then document order
    out.sort(key=lambda f: (STATUS_ORDER[f.status], f.section is None))
    return out


def commitments(db: sqlite_utils.Database, as_of: date, findings: str | None = None) -> list[ReportCommitment]:
    """Commitments overdue on ``as_of`` (commitment tracking weighs later evidence and
    re-dating) or with no date at all; with ``findings``, only those that document made."""
    mine = None
    if findings:
        doc_id = document_id(db, findings, "findings")
        mine = {r[0] for r in db.execute("SELECT id FROM statements WHERE document_id = ?", [doc_id])}
    out = []
    for r in list_commitments(db, as_of=as_of):
        if mine is not None and r.id not in mine:
            continue
        if r.status == "overdue":
            status = "overdue"
        elif r.status == "open" and not r.due_end and not r.due_start and not r.redated_due_end:
            status = "no date"
        else:
            continue
        out.append(ReportCommitment(r.id, r.document, r.text, r.actor, r.due_text, r.redated_due_end or r.due_end, status))
    return out


# -- rendering ------------------------------------------------------------------------------


TITLES = (
    ("gap", "Gaps: no plan row answers these"),
    ("partial", "Partly answered"),
    ("addressed", "Addressed"),
    ("unlisted", "Also in the report's text, not in its improvement list: no plan row near"),
)
CONTEXT_TITLE = "Context: statements about the findings as a whole (not gaps)"
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


def render_markdown(report: GapReport) -> str:
    c = report.counts()
    lines = [
        f"# Gap check (as of {report.as_of.isoformat()})",
        "",
        f"Plans: {', '.join(report.plans) or NO_PLAN}",
        "",
        f"**{c['findings'] - c['unlisted']} findings: {c['gap']} gaps, {c['partial']} partly answered, {c['addressed']} addressed.** "
        + (f"{c['unlisted']} more from the report's text outside its list, no plan row near; " if c["unlisted"] else "")
        + (f"{len(report.context)} context statements. " if report.context else "")
        + 
        f"{c['unlinked_plan_items']} plan rows answer no finding; {c['overdue']} commitments overdue, {c['no_date']} with no date.",
        "",
    ]
    for p in report.by_plan():
        lines.append(
            f"- {_md(p['plan_document'])}: answers {p['findings_answered']} findings with {p['rows_linked']} rows; "
            f"{p['rows_unlinked']} rows answer none"
        )
    for status, title in (*TITLES, ("context", CONTEXT_TITLE)):
        group = [f for f in report.findings if f.status == status] if status != "context" else report.context
        if not group:
            continue
        lines += ["", f"## {title} ({len(group)})", ""]
        for f in group:
            where = f"{f.document}" + (f", p. {f.page}" if f.page else "")
            listed = f" ({_md(f.section)}{', priority' if f.priority else ''})" if f.section else ""
            lines.append(f"- [{f.id}] {f.kind}{listed}: \"{_md(f.text)}\" ({_md(where)})")
            for l in f.links:
                tag = "" if l.source == "auto" else f" [{l.source}]"
                lines.append(
                    f"    - {_md(l.ref)} ({_md(l.plan_document)}, row {l.plan_item_id}) {l.score:.2f}{tag}: "
                    f"{_md(l.action, 90)} ({_md(l.reason)})"
                )
    if report.unlinked_plan_items:
        lines += ["", f"## Plan rows that answer no finding ({len(report.unlinked_plan_items)})"]
        for plan in report.plans:
            items = [i for i in report.unlinked_plan_items if i["plan_document"] == plan]
            if items:
                lines += ["", f"### {_md(plan)}", ""]
                lines += [f"- {_md(i['ref'])} (row {i['id']}): {_md(i['action'], 100)}" for i in items]
    if report.commitments:
        lines += ["", f"## Commitments overdue or undated ({len(report.commitments)})", ""]
        for cm in report.commitments:
            due = f"due {cm.due_end}" if cm.due_end else "no date"
            lines.append(f"- {cm.status}: \"{_md(cm.text, 160)}\" ({_md(cm.document)}; {due})")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ["finding_id", "document", "page", "kind", "status", "text", "ref", "plan_document", "plan_item_id", "score", "reason", "source"]


def render_csv(report: GapReport) -> str:
    """One line per (finding, link); a finding with no link has one line with empty link columns."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for f in report.findings:
        base = {"finding_id": f.id, "document": f.document, "page": f.page, "kind": f.kind, "status": f.status, "text": _one_line(f.text)}
        if not f.links:
            writer.writerow(_csv_safe_row(base))
        for l in f.links:
            writer.writerow(_csv_safe_row(base | {"ref": l.ref, "plan_document": l.plan_document, "plan_item_id": l.plan_item_id,
                                    "score": f"{l.score:.3f}", "reason": l.reason, "source": l.source}))
    return out.getvalue()


def _csv_safe_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: csv_safe(v) if isinstance(v, str) else v for k, v in row.items()}


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.summary{display:flex;gap:.8rem;flex-wrap:wrap;margin:1rem 0}.summary div{border-radius:6px;padding:.5rem .9rem;background:#f2f2f2}
.summary b{display:block;font-size:1.5rem}.gap{background:#fde2e1!important}.partial{background:#fff1cc!important}
.addressed{background:#dff3e3!important}.finding{border-left:4px solid #ccc;padding:.3rem .8rem;margin:.8rem 0}
.finding.gap{border-color:#c62828}.finding.partial{border-color:#e0a800}.finding.addressed{border-color:#2e7d32}
.finding.gap,.finding.partial,.finding.addressed{background:none!important}
blockquote{margin:.2rem 0;font-style:italic}.meta{color:#555;font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #e5e5e5;padding:.3rem;text-align:left;vertical-align:top}
.score{font-variant-numeric:tabular-nums;white-space:nowrap}
"""


def _h(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_html(report: GapReport) -> str:
    """One self-contained page: summary counts, then gaps, partial, addressed; all text escaped."""
    c = report.counts()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Gap check {_h(report.as_of.isoformat())}</title><style>{_CSS}</style></head><body>",
        f"<h1>Gap check</h1><p class=\"meta\">As of {_h(report.as_of.isoformat())}. Plans: {_h(', '.join(report.plans) or 'none')}.</p>",
        '<div class="summary">',
        f'<div class="gap"><b>{c["gap"]}</b>gaps</div>',
        f'<div class="partial"><b>{c["partial"]}</b>partly answered</div>',
        f'<div class="addressed"><b>{c["addressed"]}</b>addressed</div>',
        *([f'<div><b>{c["unlisted"]}</b>outside the report\'s list, no row near</div>'] if c["unlisted"] else []),
        f'<div><b>{c["unlinked_plan_items"]}</b>plan rows answering no finding</div>',
        f'<div><b>{c["overdue"]}</b>commitments overdue</div>',
        f'<div><b>{c["no_date"]}</b>commitments with no date</div>',
        "</div>",
        "<ul>",
        *[
            f"<li>{_h(p['plan_document'])}: answers {p['findings_answered']} findings with {p['rows_linked']} rows; "
            f"{p['rows_unlinked']} rows answer none</li>"
            for p in report.by_plan()
        ],
        "</ul>",
    ]
    for status, title in (*TITLES, ("context", CONTEXT_TITLE)):
        group = [f for f in report.findings if f.status == status] if status != "context" else report.context
        if not group:
            continue
        parts.append(f"<h2>{_h(title)} ({len(group)})</h2>")
        for f in group:
            where = _h(f.document) + (f", page {_h(f.page)}" if f.page else "")
            parts.append(f'<div class="finding {_h(f.status)}"><div class="meta">#{_h(f.id)} · {_h(f.kind)} · {where}</div>')
            parts.append(f"<blockquote>{_h(_one_line(f.text))}</blockquote>")
            if f.links:
                parts.append("<table><tr><th>Row</th><th>Action</th><th>Score</th><th>Why</th></tr>")
                for l in f.links:
                    source = "" if l.source == "auto" else f" ({_h(l.source)})"
                    parts.append(
                        f"<tr><td>{_h(l.ref)}<div class=\"meta\">{_h(l.plan_document)}</div></td>"
                        f"<td>{_h(_one_line(l.action))}</td><td class=\"score\">{l.score:.2f}{source}</td><td>{_h(l.reason)}</td></tr>"
                    )
                parts.append("</table>")
            parts.append("</div>")
    if report.unlinked_plan_items:
        parts.append(f"<h2>Plan rows that answer no finding ({len(report.unlinked_plan_items)})</h2>")
        parts.append("<table><tr><th>Row</th><th>Area</th><th>Action</th><th>Lead</th><th>Timescale</th></tr>")
        for item in report.unlinked_plan_items:
            parts.append(
                f"<tr><td>{_h(item['ref'])}<div class=\"meta\">{_h(item['plan_document'])}</div></td><td>{_h(item['area'])}</td>"
                f"<td>{_h(_one_line(item['action']))}</td><td>{_h(item['lead'])}</td><td>{_h(item['timescale'])}</td></tr>"
            )
        parts.append("</table>")
    if report.commitments:
        parts.append(f"<h2>Commitments overdue or undated ({len(report.commitments)})</h2>")
        parts.append("<table><tr><th>Status</th><th>Commitment</th><th>Who</th><th>Due</th><th>Document</th></tr>")
        for cm in report.commitments:
            parts.append(
                f"<tr><td>{_h(cm.status)}</td><td>{_h(_one_line(cm.text))}</td><td>{_h(cm.actor)}</td>"
                f"<td>{_h(cm.due_text or cm.due_end or '')}</td><td>{_h(cm.document)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
