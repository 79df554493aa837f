"""The command line. Each command calls one library function; only this module imports click."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable
from datetime import date

import click

from followthrough import __version__
from followthrough.errors import FollowthroughError
from followthrough.models import DOCUMENT_KINDS, STATEMENT_KINDS


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _open(ctx: click.Context):
    from followthrough.store import open_db

    try:
        return open_db(ctx.obj["db"])
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc


def _emit_rows(rows: list[dict], fmt: str, columns: list[str]) -> None:
    """Print dict rows as JSON, JSON lines, CSV or an aligned table."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
        click.echo(out.getvalue(), nl=False)
    elif rows:
        click.echo(_table(rows, columns))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _table(rows: list[dict], columns: list[str], width: int = 70) -> str:
    cells = [[_cell(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    cells = [[v if len(v) <= width else v[: width - 1] + "…" for v in row] for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="followthrough")
@click.option(
    "--db",
    envvar="FOLLOWTHROUGH_DB",
    default="followthrough.db",
    show_default=True,
    help="SQLite database file (or set FOLLOWTHROUGH_DB).",
)
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    """followthrough: did the council do what it said it would?

    Load inspection reports, minutes and action plans, extract what was found and
    promised, and check the action plan answers it.

    \b
    Example:
        followthrough ingest corpus/
        followthrough statements --kind commitment
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="Document kind, instead of detecting it.")
@click.option("--body", help="Committee or body, e.g. 'Cabinet'.")
@click.option("--meeting-date", callback=_date, help="Meeting or publication date, YYYY-MM-DD.")
@click.option("--source-url", help="Where the document was published.")
@click.option("--no-extract", is_flag=True, help="Store the text only; extract later.")
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file and a summary.")
@click.option("--strict", is_flag=True, help="Treat document warnings as failures.")
@click.option("--no-model", is_flag=True, help="Extract with the rules alone, without the trained sentence classifier.")
@click.pass_context
def ingest(ctx, paths, kind, body, meeting_date, source_url, no_extract, model, as_json, strict, no_model):
    """Load documents (files or folders) into the database and extract statements.

    Takes PDF, ModernGov HTML, DOCX, CSV/XLSX action plans and text. Files already
    loaded (same bytes) are left alone. Bad files are reported, the rest still load,
    and the exit status is 1 if any failed.

    \b
    Example:
        followthrough ingest minutes/2023-09-12-cabinet.pdf --body Cabinet
    """
    from followthrough.pipeline import ingest_paths

    db = _open(ctx)
    show_bar = not as_json and sys.stderr.isatty()

    def progress(files):
        with click.progressbar(files, label="Ingesting", file=sys.stderr, item_show_func=lambda p: p.name if p else "") as bar:
            yield from bar

    try:
        report = ingest_paths(
            db, paths, kind=kind, body=body, meeting_date=meeting_date, source_url=source_url,
            extract=not no_extract, model=model, progress=progress if show_bar else None,
            strict=strict, learned=not no_model,
        )
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"files": [f.as_dict() for f in report.files], "summary": report.summary()}, indent=2))
    else:
        for f in report.files:
            if f.status == "failed":
                click.echo(f"Error: {f.path}: {f.reason}", err=True)
            for warning in f.warnings:
                click.echo(f"Warning: {f.path}: {warning}", err=True)
        click.echo(report.summary())
    if report.failed:
        ctx.exit(1)


PREDICTION_COLUMNS = ["document", "kind", "text", "due_text", "due_start", "due_end", "actor", "page", "start", "end", "topics", "confidence"]


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--meeting-date", callback=_date, help="Resolve relative dates against this day (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table", show_default=True)
@click.option("--no-store", is_flag=True, help="Use a temporary database instead of --db.")
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.option("--no-model", is_flag=True, help="The rules alone, without the trained sentence classifier.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only print statements the classifier gave at least this probability.")
@click.pass_context
def extract(ctx, files, meeting_date, fmt, no_store, model, no_model, min_confidence):
    """Extract recommendations, concerns, commitments and decisions from files.

    Files are ingested as they go (into a temporary database with --no-store) and
    their stored statements replaced. --format jsonl prints the prediction lines
    that ANNOTATION.md scores.

    \b
    Example:
        followthrough extract minutes.txt --meeting-date 2023-02-14 --format jsonl
    """
    from followthrough.extract.run import extract_files

    if no_store:
        ctx.obj["db"] = ":memory:"
    db = _open(ctx)
    try:
        results, failures = extract_files(
            db, files, meeting_date=meeting_date, model=model, learned=not no_model, min_confidence=min_confidence
        )
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [s.prediction() for s in results]
    columns = PREDICTION_COLUMNS if fmt != "table" else ["document", "page", "kind", "text", "due_end", "actor"]
    _emit_rows(rows, fmt, columns)
    for failure in failures:
        click.echo(f"Error: {failure}", err=True)
    if failures:
        ctx.exit(1)


@cli.command()
@click.option("--kind", "kinds", multiple=True, type=click.Choice(STATEMENT_KINDS), help="Only this kind (repeatable).")
@click.option("--document", help="Only this document (file name, path or id).")
@click.option("--topic", help="Only statements tagged with this topic.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table", show_default=True)
@click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only statements the classifier gave at least this probability.")
@click.pass_context
def statements(ctx, kinds, document, topic, limit, fmt, min_confidence):
    """List the statements stored in the database.

    \b
    Example:
        followthrough statements --kind commitment --topic workforce
    """
    from followthrough.extract.store import list_statements

    db = _open(ctx)
    try:
        found = list_statements(db, kinds=tuple(kinds), document=document, topic=topic, limit=limit, min_confidence=min_confidence)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [s.prediction() | {"id": s.id} for s in found]
    columns = ["id", "document", "page", "kind", "text", "due_end", "actor", "topics"] if fmt == "table" else ["id"] + PREDICTION_COLUMNS
    _emit_rows(rows, fmt, columns)


@cli.command()
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--docs", "docs_dir", type=click.Path(exists=True, file_okay=False), help="Folder of the documents (default: GOLD_DIR/../docs).")
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores (and every miss) as JSON.")
@click.option("--show-errors", is_flag=True, help="List missed gold statements and spurious predictions.")
@click.option("--no-model", is_flag=True, help="Score the rules alone, without the trained sentence classifier.")
@click.option("--cross-validate", "folds", type=click.IntRange(min=2), help="Train on K-1 folds, score the held-out fold, K times.")
@click.option("--group", type=click.Choice(["council", "document"]), default="council", show_default=True, help="What a fold holds out whole (with --cross-validate).")
@click.option("--also", "also", multiple=True, nargs=2, type=click.Path(exists=True, file_okay=False), metavar="GOLD DOCS", help="Another gold set and its documents, pooled (repeatable).")
@click.pass_context
def evaluate(ctx, gold_dir, docs_dir, model, as_json, show_errors, no_model, folds, group, also):
    """Score extraction against gold annotations (ANNOTATION.md's rules).

    Runs extraction over each gold file's document, with the gold meeting date, and
    prints precision, recall and F1 per kind and overall, and the share of matched
    commitments whose due date is right.

    With --cross-validate K the trained classifier is not used: K models are trained
    on the other folds, each fold's councils held out whole (--group council), and the
    held-out scores pooled.

    \b
    Example:
        followthrough evaluate ../shared/eval/dev/gold --docs ../shared/eval/dev/docs
        followthrough evaluate corpus/train/gold --docs corpus/train/docs \\
            --also corpus/gold corpus/documents --cross-validate 5 --group council
    """
    from followthrough.extract.evaluate import evaluate_sets

    try:
        sets = [(gold_dir, docs_dir), *also]
        result = evaluate_sets(sets, model=model, learned=not no_model, folds=folds, group=group).as_dict()
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'kind':<15}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}")
    for kind in (*STATEMENT_KINDS, "all"):
        m = result[kind]
        click.echo(f"{kind:<15}{m['precision']:7.2f}{m['recall']:7.2f}{m['f1']:7.2f}{m['gold']:6d}{m['predicted']:6d}")
    if result["due_accuracy"] is not None:
        click.echo(f"due dates right on matched commitments: {result['due_accuracy']:.2f} of {result['due_gold']}")
    click.echo(f"documents: {result['documents']}")
    if show_errors:
        for miss in result["missed"]:
            click.echo(f"missed    {miss['kind']:<15}{miss['document']}: {miss['quote']}")
        for extra in result["spurious"]:
            click.echo(f"spurious  {extra['kind']:<15}{extra['document']}: {extra['text'][:160]}")


SEARCH_COLUMNS = ["id", "document", "meeting_date", "page", "kind", "status", "score", "snippet"]
SEARCH_FIELDS = ["id", "document", "meeting_date", "body", "page", "kind", "status", "score", "snippet", "text", "actor", "due_text", "due_end", "topics"]


@cli.command()
@click.argument("query")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(STATEMENT_KINDS), help="Only this kind (repeatable).")
@click.option("--topic", help="Only statements tagged with this topic (key or label).")
@click.option("--body", help="Only documents of this committee or body, e.g. Cabinet.")
@click.option("--from", "date_from", callback=_date, help="Meetings on or after this day (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_date, help="Meetings on or before this day (YYYY-MM-DD).")
@click.option("--due-before", callback=_date, help="Statements due on or before this day (YYYY-MM-DD).")
@click.option("--status", type=click.Choice(["open", "due", "overdue", "reported", "re-dated"]), help="Commitments with this status today.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_context
def search(ctx, query, kinds, topic, body, date_from, date_to, due_before, status, limit, fmt):
    """Search statements, best match first, with the matching words highlighted.

    Topic words also find their synonyms ("recruitment" finds workforce statements),
    misspelt words are corrected against the words in the database, and any text is
    safe to type. Every word must match; if none match together, any word may.
    Past 50,000 statements the newest are ranked first, and older ones only while
    fewer than --limit have been found.

    \b
    Example:
        followthrough search "recruitment of social workers" --kind commitment
    """
    from followthrough.search import SearchFilters, search as run_search

    db = _open(ctx)
    filters = SearchFilters(tuple(kinds), topic, body, date_from, date_to, due_before, status)
    try:
        result = run_search(db, query, filters, limit=limit, snippet_tokens=8 if fmt == "table" else 24)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    if not result.query.groups:
        raise click.ClickException(f"nothing to search for in {query!r}")
    for typed, corrected in result.corrections.items():
        click.echo(f"Searching for {corrected!r} instead of {typed!r}", err=True)
    if result.mode == "OR" and result.hits:
        click.echo("No statement has every word; showing those with any.", err=True)
    if not result.hits:
        click.echo("No statements match.", err=True)
    rows = [h.as_dict() for h in result.hits]
    _emit_rows(rows, fmt, SEARCH_COLUMNS if fmt == "table" else SEARCH_FIELDS)


COMMITMENT_COLUMNS = ["id", "meeting_date", "text", "due_end", "status", "evidence"]
COMMITMENT_FIELDS = ["id", "document", "meeting_date", "text", "actor", "due_text", "due_start", "due_end", "status", "redated_due_text", "redated_due_end", "evidence"]


@cli.command()
@click.option("--overdue", is_flag=True, help="Only commitments past their due date and not reported.")
@click.option("--due-within", type=click.IntRange(min=0), help="Only those due within this many days.")
@click.option("--as-of", callback=_date, help="Status on this day instead of today (YYYY-MM-DD).")
@click.option("--owner", help="Only commitments whose owner (actor) contains this text.")
@click.option("--status", type=click.Choice(["open", "due", "overdue", "reported", "re-dated"]), help="Only this status.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_context
def commitments(ctx, overdue, due_within, as_of, owner, status, fmt):
    """List commitments with their status, and evidence they were reported back.

    Status is open, due, overdue, reported or re-dated on the day given by --as-of.
    Evidence is found when later minutes are ingested; confirm or reject it with
    `followthrough evidence`.

    \b
    Example:
        followthrough commitments --overdue --as-of 2023-10-31
    """
    from followthrough.tracking import list_commitments

    db = _open(ctx)
    try:
        found = list_commitments(db, as_of=as_of, overdue=overdue, due_within=due_within, owner=owner, status=status)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [c.as_dict() for c in found]
    if not rows and fmt == "table":
        click.echo("No commitments match.", err=True)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        row["evidence"] = "; ".join(
            f"[{e['id']}] {e['kind']} {e['score']:.2f} {e['meeting_date'] or e['document']}"
            + (f" ({e['source']})" if e["source"] != "auto" else "")
            for e in row["evidence"]
        )
        if row["redated_due_end"] and fmt == "table":
            row["due_end"] = f"{row['redated_due_end']} (was {row['due_end']})"
    _emit_rows(rows, fmt, COMMITMENT_COLUMNS if fmt == "table" else COMMITMENT_FIELDS)


@cli.group()
def evidence():
    """Review evidence that a commitment was reported back: confirm or reject it.

    A reviewer's decision wins over automatic tracking on every later run.

    \b
    Example:
        followthrough evidence confirm 12
        followthrough evidence reject 13 --note "different plan"
    """


def _review(ctx: click.Context, evidence_id: int, decision: str, note: str | None) -> None:
    from followthrough.tracking import review_evidence

    db = _open(ctx)
    try:
        result = review_evidence(db, evidence_id, decision, note)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Evidence {result['evidence']} {decision} for commitment {result['commitment']}.")


@evidence.command("confirm")
@click.argument("evidence_id", type=int)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def evidence_confirm(ctx, evidence_id, note):
    """Confirm evidence: the commitment counts as reported (or re-dated).

    \b
    Example:
        followthrough evidence confirm 12
    """
    _review(ctx, evidence_id, "confirmed", note)


@evidence.command("reject")
@click.argument("evidence_id", type=int)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def evidence_reject(ctx, evidence_id, note):
    """Reject evidence: it no longer counts, and tracking will not bring it back.

    \b
    Example:
        followthrough evidence reject 13 --note "a different plan"
    """
    _review(ctx, evidence_id, "rejected", note)


@cli.command()
@click.pass_context
def track(ctx):
    """Re-run commitment tracking over every document, oldest meeting first.

    Ingest tracks each new document already; run this after re-extracting statements.
    Reviewed evidence is kept as the reviewer left it.

    \b
    Example:
        followthrough track
    """
    from followthrough.tracking import evidence_count, track_all

    db = _open(ctx)
    reports = track_all(db)
    click.echo(f"{len(reports)} documents tracked; {evidence_count(db)} evidence links.")


@cli.command()
@click.option("--plan", help="Only this action plan (file name, path or id).")
@click.option("--findings", help="Only findings from this document (file name, path or id).")
@click.option("--as-of", callback=_date, help="Commitments due before this day are overdue (YYYY-MM-DD; default today).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "csv", "json"]), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file.")
@click.pass_context
def gaps(ctx, plan, findings, as_of, fmt, output):
    """The gap check: which findings no action-plan row answers.

    Links every recommendation and concern to the plan rows that answer it (reviewer
    decisions from `followthrough links` win), then lists gaps first, partly answered
    and addressed findings with their rows, scores and reasons, plan rows that answer
    no finding, and commitments overdue on --as-of or with no date.

    \b
    Example:
        followthrough gaps --plan plan.pdf --format html -o gaps.html
    """
    from followthrough.link.report import gap_report, render

    db = _open(ctx)
    try:
        report = gap_report(db, plan=plan, findings=findings, as_of=as_of)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    text = render(report, fmt)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
        counts = report.counts()
        click.echo(f"Wrote {output}: {counts['findings']} findings, {counts['gap']} gaps", err=True)
    else:
        click.echo(text, nl=False)


@cli.group()
def links():
    """Review links between findings and plan rows; decisions win on every later run.

    \b
    Example:
        followthrough links reject 12 34
    """


def _decide(ctx: click.Context, decision: str, finding_id: int, item_id: int, note: str | None) -> None:
    from followthrough.link.decisions import record_decision

    db = _open(ctx)
    try:
        record_decision(db, finding_id, item_id, decision, note)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{decision}: finding {finding_id} - plan row {item_id}")


@links.command("confirm")
@click.argument("finding_id", type=int)
@click.argument("item_id", type=int)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def links_confirm(ctx, finding_id, item_id, note):
    """Confirm that plan row ITEM_ID answers finding FINDING_ID (ids from `gaps`).

    \b
    Example:
        followthrough links confirm 12 34
    """
    _decide(ctx, "confirm", finding_id, item_id, note)


@links.command("reject")
@click.argument("finding_id", type=int)
@click.argument("item_id", type=int)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def links_reject(ctx, finding_id, item_id, note):
    """Reject a link: plan row ITEM_ID does not answer finding FINDING_ID.

    \b
    Example:
        followthrough links reject 12 34 --note "about referrals to CAMHS"
    """
    _decide(ctx, "reject", finding_id, item_id, note)


@links.command("add")
@click.argument("finding_id", type=int)
@click.argument("item_id", type=int)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def links_add(ctx, finding_id, item_id, note):
    """Add a link the matcher missed: plan row ITEM_ID answers finding FINDING_ID.

    \b
    Example:
        followthrough links add 12 35
    """
    _decide(ctx, "add", finding_id, item_id, note)


@cli.command()
@click.option("--gold", "gold_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="A gold folder (repeatable; default: corpus/train/gold and corpus/gold).")
@click.option("--docs", "docs_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Its documents, in the order of --gold (default: GOLD/../docs).")
@click.option("--out", type=click.Path(dir_okay=False), help="Where to write the model (default: the one the package loads).")
@click.option("--folds", type=click.IntRange(min=0), default=5, show_default=True, help="Grouped CV folds whose scores go in the model's metadata (0: skip).")
def train(gold_dirs, docs_dirs, out, folds):
    """Train the sentence classifier from gold annotations (needs scikit-learn).

    Runs the current rules over every gold document, labels each sentence with the
    kinds of the gold statements it holds, fits one logistic regression per kind, and
    records the grouped cross-validation score (councils held out) in the model.
    Same data, same model, byte for byte.

    \b
    Example:
        followthrough train
        followthrough train --gold corpus/train/gold --docs corpus/train/docs --out /tmp/model.npz
    """
    from followthrough.extract.train import default_sets, default_output, train as run_training

    try:
        if gold_dirs:
            docs = list(docs_dirs) + [None] * (len(gold_dirs) - len(docs_dirs))
            sets = list(zip(gold_dirs, docs))
        else:
            sets = default_sets()
        model = run_training(sets, out or default_output(), folds=folds, progress=lambda m: click.echo(m, err=True))
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    except ImportError as exc:
        raise click.ClickException(f"training needs scikit-learn: pip install 'followthrough[train]' ({exc})") from exc
    meta = model.metadata
    click.echo(f"trained on {meta['documents']} documents, {meta['sentences']} sentences; wrote {out or default_output()}")
    for name in ("rules", "model"):
        scores = meta.get("grouped_cv", {}).get(name)
        if scores:
            click.echo(f"grouped {meta['grouped_cv']['folds']}-fold CV, {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items() if v is not None))


def main(argv: Iterable[str] | None = None) -> None:
    cli(args=list(argv) if argv is not None else None)
