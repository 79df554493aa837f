"""The command line. Each command calls one library function; only this module imports click."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import traceback
from collections.abc import Iterable
from datetime import date

import click

from followthrough import __version__
from followthrough.errors import BadDocument, FollowthroughError, UsageError
from followthrough.models import DOCUMENT_KINDS, STATEMENT_KINDS
from followthrough.textsafe import csv_safe, terminal_safe

MAX_LIMIT = 1_000_000
ID = click.IntRange(1, 2**63 - 1)  # SQLite's integer range: larger ids overflow
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)  # date arithmetic stays in range


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None
    if not EARLIEST <= day <= LATEST:
        raise click.BadParameter(f"{value} is outside {EARLIEST.year}-{LATEST.year}")
    return day


def _open(ctx: click.Context, *, write: bool = True, create: bool | None = None):
    """The database of --db. Commands that load documents create it (``create`` defaults to
    ``write``); commands that only work on what is loaded pass ``create=False``; read
    commands (``write=False``) open it read-only when it is up to date."""
    from followthrough.store import open_db

    try:
        db = open_db(ctx.obj["db"], write=write, create=write if create is None else create)
    except FollowthroughError as exc:
        raise Failure(str(exc)) from exc
    ctx.call_on_close(db.conn.close)
    return db


FORMATS = ["table", "json", "jsonl", "csv"]
FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)


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
            writer.writerow({k: csv_safe(_cell(row.get(k))) for k in columns})
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
    cells = [[terminal_safe(_cell(r.get(c)).replace("\n", " ")) for c in columns] for r in rows]
    cells = [[v if len(v) <= width else v[: width - 1] + "…" for v in row] for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


class Failure(click.ClickException):
    """followthrough itself failed (the database, a bug): exit status 2, bad input is 1."""

    exit_code = 2


def _set_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["db"] = value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(dict)["debug"] = True


class Command(click.Command):
    """A command that also takes --db and --debug after its name (``ingest x.pdf --db a.db``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--db"], expose_value=False, callback=_set_db, help="SQLite database file (as before the command)."
            )
        )
        self.params.append(
            click.Option(
                ["--debug"],
                is_flag=True,
                expose_value=False,
                callback=_set_debug,
                help="Print the traceback of an internal error.",
            )
        )


class Group(click.Group):
    """Commands of the group take --db/--debug anywhere; any failure is one ``Error:`` line."""

    command_class = Command
    group_class = type  # nested groups are Groups too

    def invoke(self, ctx: click.Context):
        if ctx.parent is not None:
            return super().invoke(ctx)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except (UsageError, BadDocument) as exc:  # the user's input: exit 1, as bad files
            raise click.ClickException(terminal_safe(str(exc))) from exc
        except Exception as exc:  # noqa: BLE001 - the one place every failure becomes one line
            if (ctx.obj or {}).get("debug"):
                traceback.print_exc(file=sys.stderr)
            raise Failure(_failure_message(exc)) from exc


def _failure_message(exc: Exception) -> str:
    from followthrough.store import describe_error

    if isinstance(exc, FollowthroughError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return describe_error(exc, click.get_current_context().obj.get("db"))
    if isinstance(exc, OSError) and exc.strerror:
        return f"{terminal_safe(exc.filename) + ': ' if exc.filename else ''}{exc.strerror}"
    detail = str(exc).splitlines()[0] if str(exc) else ""
    debug = (click.get_current_context().obj or {}).get("debug")
    hint = "" if debug else "; run with --debug for the traceback"
    return f"internal error ({type(exc).__name__}{': ' + detail if detail else ''}){hint}"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="followthrough")
@click.option(
    "--db",
    envvar="FOLLOWTHROUGH_DB",
    default="followthrough.db",
    show_default=True,
    help="SQLite database file (or set FOLLOWTHROUGH_DB); also taken after the command.",
)
@click.option("--debug", is_flag=True, help="Print the traceback of an internal error.")
@click.pass_context
def cli(ctx: click.Context, db: str, debug: bool) -> None:
    """followthrough: did the council do what it said it would?

    Load inspection reports, minutes and action plans, extract what was found and
    promised, and check the action plan answers it.

    \b
    Example:
        followthrough ingest corpus/
        followthrough statements --kind commitment
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db  # a --db after the command is parsed later, and wins
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="Document kind, instead of detecting it.")
@click.option("--body", help="Committee or body, e.g. 'Cabinet'.")
@click.option("--council", help="The council the documents are of, instead of detecting it, e.g. 'Bridgend'.")
@click.option("--meeting-date", callback=_date, help="Meeting or publication date, YYYY-MM-DD.")
@click.option("--source-url", help="Where the document was published.")
@click.option("--no-extract", is_flag=True, help="Store the text only; extract later.")
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table: a summary line; json: an object with an entry per file and the summary; jsonl/csv: a row per file.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--strict", is_flag=True, help="Treat document warnings as failures.")
@click.option(
    "--max-file-size",
    type=click.IntRange(1, 1_000_000),
    envvar="FOLLOWTHROUGH_MAX_FILE_MB",
    help="Refuse files over this many MB (default 200; or FOLLOWTHROUGH_MAX_FILE_MB).",
)
@click.option("--no-model", is_flag=True, help="Extract with the rules alone, without the trained sentence classifier.")
@click.pass_context
def ingest(
    ctx,
    paths,
    kind,
    body,
    council,
    meeting_date,
    source_url,
    no_extract,
    model,
    fmt,
    as_json,
    strict,
    max_file_size,
    no_model,
):
    """Load documents (files or folders) into the database and extract statements.

    Takes PDF, ModernGov HTML, DOCX, CSV/XLSX action plans and text. Files already
    loaded (same bytes) are left alone. Bad files are reported, the rest still load,
    and the exit status is 1 if any failed.

    \b
    Example:
        followthrough ingest minutes/2023-09-12-cabinet.pdf --body Cabinet
    """
    from followthrough.pipeline import ingest_paths

    db = _open(ctx, create=True)
    fmt = "json" if as_json else fmt
    show_bar = fmt == "table" and sys.stderr.isatty()

    def progress(files):
        with click.progressbar(
            files, label="Ingesting", file=sys.stderr, item_show_func=lambda p: p.name if p else ""
        ) as bar:
            yield from bar

    try:
        report = ingest_paths(
            db,
            paths,
            kind=kind,
            body=body,
            meeting_date=meeting_date,
            source_url=source_url,
            council=council,
            extract=not no_extract,
            model=model,
            progress=progress if show_bar else None,
            strict=strict,
            max_bytes=max_file_size * 1024 * 1024 if max_file_size else None,
            learned=not no_model,
        )
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps({"files": [f.as_dict() for f in report.files], "summary": report.summary()}, indent=2))
    elif fmt in ("jsonl", "csv"):
        rows = [f.as_dict() for f in report.files]
        _emit_rows(rows, fmt, list(rows[0]) if rows else [])
    else:
        for f in report.files:
            if f.status == "failed":
                if f.internal and ctx.obj.get("debug"):
                    click.echo(f.traceback, err=True, nl=False)
                hint = "; run with --debug for the traceback" if f.internal and not ctx.obj.get("debug") else ""
                click.echo(f"Error: {terminal_safe(f.path)}: {terminal_safe(f.reason)}{hint}", err=True)
            if f.status == "updated":
                click.echo(f"Updated {terminal_safe(f.path)}: {terminal_safe(f.reason)}", err=True)
            for warning in f.warnings:
                click.echo(f"Warning: {terminal_safe(f.path)}: {terminal_safe(warning)}", err=True)
        click.echo(report.summary())
    if report.internal:
        ctx.exit(2)
    if report.failed:
        ctx.exit(1)


PREDICTION_COLUMNS = [
    "document",
    "kind",
    "text",
    "due_text",
    "due_start",
    "due_end",
    "actor",
    "page",
    "start",
    "end",
    "topics",
    "confidence",
]


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--meeting-date", callback=_date, help="Resolve relative dates against this day (YYYY-MM-DD).")
@FORMAT_OPTION
@click.option("--no-store", is_flag=True, help="Use a temporary database instead of --db.")
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.option("--no-model", is_flag=True, help="The rules alone, without the trained sentence classifier.")
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    help="Only print statements the classifier gave at least this probability.",
)
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
    db = _open(ctx, create=True)
    try:
        empty: list[str] = []
        results, failures = extract_files(
            db,
            files,
            meeting_date=meeting_date,
            model=model,
            empty=empty,
            learned=not no_model,
            min_confidence=min_confidence,
        )
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [s.prediction() for s in results]
    columns = PREDICTION_COLUMNS if fmt != "table" else ["document", "page", "kind", "text", "due_end", "actor"]
    _emit_rows(rows, fmt, columns)
    for path in empty:
        click.echo(f"No statements found in {terminal_safe(path)}.", err=True)
    for failure in failures:
        click.echo(f"Error: {terminal_safe(failure)}", err=True)
    if failures:
        ctx.exit(1)


@cli.command()
@click.option("--kind", "kinds", multiple=True, type=click.Choice(STATEMENT_KINDS), help="Only this kind (repeatable).")
@click.option("--document", help="Only this document (file name, path or id).")
@click.option("--topic", help="Only statements tagged with this topic.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), help="At most this many.")
@FORMAT_OPTION
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    help="Only statements the classifier gave at least this probability.",
)
@click.pass_context
def statements(ctx, kinds, document, topic, limit, fmt, min_confidence):
    """List the statements stored in the database.

    \b
    Example:
        followthrough statements --kind commitment --topic workforce
    """
    from followthrough.extract.store import list_statements

    db = _open(ctx, write=False)
    try:
        found = list_statements(
            db, kinds=tuple(kinds), document=document, topic=topic, limit=limit, min_confidence=min_confidence
        )
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [s.prediction() | {"id": s.id, "section": s.section, "priority": s.priority} for s in found]
    columns = (
        ["id", "document", "page", "kind", "text", "due_end", "actor", "topics"]
        if fmt == "table"
        else ["id"] + PREDICTION_COLUMNS + ["section", "priority"]
    )
    _emit_rows(rows, fmt, columns)


@cli.command()
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--docs",
    "docs_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of the documents (default: GOLD_DIR/../docs).",
)
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: the scores and every miss.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--show-errors", is_flag=True, help="List missed gold statements and spurious predictions.")
@click.option("--no-model", is_flag=True, help="Score the rules alone, without the trained sentence classifier.")
@click.option(
    "--cross-validate",
    "folds",
    type=click.IntRange(min=2),
    help="Train on K-1 folds, score the held-out fold, K times.",
)
@click.option(
    "--group",
    type=click.Choice(["council", "document"]),
    default="council",
    show_default=True,
    help="What a fold holds out whole (with --cross-validate).",
)
@click.option(
    "--also",
    "also",
    multiple=True,
    nargs=2,
    type=click.Path(exists=True, file_okay=False),
    metavar="GOLD DOCS",
    help="Another gold set and its documents, pooled (repeatable).",
)
@click.pass_context
def evaluate(ctx, gold_dir, docs_dir, model, fmt, as_json, show_errors, no_model, folds, group, also):
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
    if as_json or fmt == "json":
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
SEARCH_FIELDS = [
    "id",
    "document",
    "meeting_date",
    "body",
    "page",
    "kind",
    "status",
    "score",
    "snippet",
    "text",
    "actor",
    "due_text",
    "due_end",
    "topics",
]


@cli.command()
@click.argument("query")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(STATEMENT_KINDS), help="Only this kind (repeatable).")
@click.option("--topic", help="Only statements tagged with this topic (key or label).")
@click.option("--body", help="Only documents of this committee or body, e.g. Cabinet.")
@click.option("--from", "date_from", callback=_date, help="Meetings on or after this day (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_date, help="Meetings on or before this day (YYYY-MM-DD).")
@click.option("--due-before", callback=_date, help="Statements due on or before this day (YYYY-MM-DD).")
@click.option(
    "--status",
    type=click.Choice(["open", "due", "overdue", "reported", "done", "in progress", "deferred", "re-dated"]),
    help="Commitments with this status today.",
)
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True, help="At most this many.")
@FORMAT_OPTION
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
    from followthrough.search import SearchFilters
    from followthrough.search import search as run_search

    db = _open(ctx, write=False)
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


COMMITMENT_STATUSES = ["open", "due", "overdue", "reported", "done", "in progress", "deferred", "re-dated"]
COMMITMENT_COLUMNS = ["id", "document", "where", "meeting_date", "text", "actor", "due_end", "status", "evidence"]
COMMITMENT_FIELDS = [
    "id",
    "document",
    "council",
    "body",
    "meeting_date",
    "text",
    "actor",
    "due_text",
    "due_start",
    "due_end",
    "status",
    "redated_due_text",
    "redated_due_end",
    "evidence",
]


@cli.command()
@click.option("--overdue", is_flag=True, help="Only commitments past their due date and not reported.")
@click.option(
    "--due-within", type=click.IntRange(0, 36_500), help="Only those due within this many days (up to 100 years)."
)
@click.option("--as-of", callback=_date, help="Status on this day instead of today (YYYY-MM-DD).")
@click.option("--owner", help="Only commitments whose owner (actor) contains this text.")
@click.option("--status", type=click.Choice(COMMITMENT_STATUSES), help="Only this status.")
@FORMAT_OPTION
@click.pass_context
def commitments(ctx, overdue, due_within, as_of, owner, status, fmt):
    """List commitments with their status, and evidence they were reported back.

    Status on the day given by --as-of: done, in progress, deferred, reported (mentioned,
    not complete) or re-dated, from the latest report-back in later minutes of the same
    council; otherwise overdue, due or open. Evidence is found when later minutes are
    ingested; confirm, reject or add it with `followthrough evidence`.

    \b
    Example:
        followthrough commitments --overdue --as-of 2023-10-31
    """
    from followthrough.tracking import list_commitments

    db = _open(ctx, write=False)
    try:
        found = list_commitments(db, as_of=as_of, overdue=overdue, due_within=due_within, owner=owner, status=status)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [c.as_dict() for c in found]
    if not rows and fmt == "table":
        click.echo("No commitments match.", err=True)
    if fmt in ("json", "jsonl"):
        _emit_rows(rows, fmt, COMMITMENT_FIELDS)
        return
    for row in rows:
        row["evidence"] = "; ".join(
            f"[{e['id']}] {e['status']} {e['score']:.2f} {e['meeting_date'] or e['document']}"
            + (f" ({e['source']})" if e["source"] != "auto" else "")
            for e in row["evidence"]
        )
        if row["redated_due_end"] and fmt == "table":
            row["due_end"] = f"{row['redated_due_end']} (was {row['due_end']})"
        row["where"] = " ".join(x for x in (row["council"], row["body"]) if x)
    _emit_rows(rows, fmt, COMMITMENT_COLUMNS if fmt == "table" else COMMITMENT_FIELDS)


@cli.group()
def evidence():
    """Review evidence that a commitment was reported back: confirm, reject or add it.

    A reviewer's decision wins over automatic tracking on every later run.

    \b
    Example:
        followthrough evidence confirm 12
        followthrough evidence reject 13 --note "different plan"
        followthrough evidence add 10 cabinet-2023-09-19.pdf --text "RESOLVED: That Cabinet approved the strategy."
    """


def _review(ctx: click.Context, evidence_id: int, decision: str, note: str | None) -> None:
    from followthrough.tracking import review_evidence

    db = _open(ctx, create=False)
    try:
        result = review_evidence(db, evidence_id, decision, note)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Evidence {result['evidence']} {decision} for commitment {result['commitment']}.")


@evidence.command("confirm")
@click.argument("evidence_id", type=ID)
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
@click.argument("evidence_id", type=ID)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def evidence_reject(ctx, evidence_id, note):
    """Reject evidence: it no longer counts, and tracking will not bring it back.

    \b
    Example:
        followthrough evidence reject 13 --note "a different plan"
    """
    _review(ctx, evidence_id, "rejected", note)


@evidence.command("add")
@click.argument("commitment_id", type=int)
@click.argument("document")
@click.option("--text", help="The sentence of DOCUMENT that reports back, as written.")
@click.option(
    "--kind",
    type=click.Choice(["reported", "done", "progress", "deferred"]),
    help="What it says (default: read from --text).",
)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def evidence_add(ctx, commitment_id, document, text, kind, note):
    """Record a report-back the tool missed: DOCUMENT (file name, path or id) reports on
    commitment COMMITMENT_ID. It counts like confirmed evidence and re-tracking keeps it.

    \b
    Example:
        followthrough evidence add 12 mscc_minutes_2018-03-14_en.pdf --text "The road had been swept"
    """
    from followthrough.tracking import add_evidence

    db = _open(ctx)
    try:
        result = add_evidence(db, commitment_id, document, text, kind, note)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Evidence {result['evidence']} added for commitment {result['commitment']} ({result['kind']}).")


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

    db = _open(ctx, create=False)
    reports = track_all(db)
    click.echo(f"{_plural(len(reports), 'document')} tracked; {_plural(evidence_count(db), 'evidence link')}.")


@cli.command()
@click.option("--later", required=True, help="The later inspection report (file name, path or id).")
@click.option(
    "--earlier", help="The earlier report (default: the previous report of the same council and inspectorate)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def followup(ctx, later, earlier, fmt):
    """Judge each recommendation of an earlier inspection report from a later one:
    improved, continuing (the later report still finds the weakness) or not mentioned,
    with the later report's evidence sentences and pages.

    \b
    Example:
        followthrough followup --later ofsted_ilacs_bcp_2025-01_good.pdf --format json
    """
    from followthrough.tracking.followup import followup as run_followup

    db = _open(ctx)
    try:
        result = run_followup(db, later, earlier)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [i.as_dict() for i in result.items]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{result.earlier} -> {result.later}: {len(rows)} recommendations")
    for row in rows:
        row["evidence"] = " / ".join(
            f"p{e['page']} {e['text']}" if e["page"] else e["text"] for e in row["evidence"][:1]
        )
    _emit_rows(rows, "table", ["status", "text", "evidence"])


@cli.command()
@click.option(
    "--plan", multiple=True, help="Check against this action plan (file name, path or id); repeat for several."
)
@click.option(
    "--findings", multiple=True, help="Only findings from this document (file name, path or id); repeat for several."
)
@click.option(
    "--as-of", callback=_date, help="Commitments due before this day are overdue (YYYY-MM-DD; default today)."
)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "csv", "json"]), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file.")
@click.pass_context
def gaps(ctx, plan, findings, as_of, fmt, output):
    """The gap check: which findings no action-plan row answers.

    Without --findings/--plan, each inspection report is checked against the action
    plans of the same council (documents.council) and the report says which pairs it
    used. Each finding is answered, possibly answered (review the row beside it), or a
    gap (shown with its closest row and why it does not answer). Reviewer decisions from
    `followthrough links` win. Then plan rows that answer no finding, and commitments
    overdue on --as-of or with no date.

    \b
    Example:
        followthrough gaps --findings report.pdf --plan plan.pdf --format html -o gaps.html
    """
    from followthrough.link.report import gap_report, render

    db = _open(ctx, create=False)
    try:
        report = gap_report(db, plan=list(plan), findings=list(findings), as_of=as_of)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    text = render(report, fmt)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise click.ClickException(f"cannot write {terminal_safe(output)}: {exc.strerror or exc}") from exc
        counts = report.counts()
        click.echo(
            f"Wrote {terminal_safe(output)}: {_plural(counts['findings'], 'finding')}, {_plural(counts['gaps'], 'gap')}",
            err=True,
        )
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

    db = _open(ctx, create=False)
    try:
        record_decision(db, finding_id, item_id, decision, note)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{decision}: finding {finding_id} - plan row {item_id}")


@links.command("list")
@click.option("--finding", type=ID, help="Only the links of this finding.")
@FORMAT_OPTION
@click.pass_context
def links_list(ctx, finding, fmt):
    """List links from the last gap check, and reviewer decisions, by finding.

    \b
    Example:
        followthrough links list --finding 12
    """
    from followthrough.link.decisions import LINK_COLUMNS, list_links

    rows = list_links(_open(ctx, write=False), finding)
    if not rows and fmt == "table":
        click.echo("No links: run `followthrough gaps` first.", err=True)
    _emit_rows(rows, fmt, LINK_COLUMNS)


@links.command("confirm")
@click.argument("finding_id", type=ID)
@click.argument("item_id", type=ID)
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
@click.argument("finding_id", type=ID)
@click.argument("item_id", type=ID)
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
@click.argument("finding_id", type=ID)
@click.argument("item_id", type=ID)
@click.option("--note", help="Why, for the record.")
@click.pass_context
def links_add(ctx, finding_id, item_id, note):
    """Add a link the matcher missed: plan row ITEM_ID answers finding FINDING_ID.

    \b
    Example:
        followthrough links add 12 35
    """
    _decide(ctx, "add", finding_id, item_id, note)


@cli.group(invoke_without_command=True)
@click.pass_context
def documents(ctx):
    """The documents in the database: list (the default), show, correct or remove them.

    \b
    Example:
        followthrough documents
        followthrough documents update 3 --body Cabinet --meeting-date 2023-02-14
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(documents_list, fmt="table")


DOCUMENT_COLUMNS = ["id", "name", "kind", "council", "body", "meeting_date", "statements"]


@documents.command("list")
@FORMAT_OPTION
@click.pass_context
def documents_list(ctx, fmt):
    """List documents: id, name, kind, council, body, date and number of statements.

    \b
    Example:
        followthrough documents list --format csv
    """
    from followthrough.documents import list_documents

    rows = [d.as_dict() for d in list_documents(_open(ctx, write=False))]
    if not rows and fmt == "table":
        click.echo("No documents loaded.", err=True)
    _emit_rows(rows, fmt, DOCUMENT_COLUMNS)


@documents.command("show")
@click.argument("document")
@FORMAT_OPTION
@click.pass_context
def documents_show(ctx, document, fmt):
    """Show one document (id, file name or path): its fields and what was derived from it.

    \b
    Example:
        followthrough documents show 3
    """
    from followthrough.documents import document_details

    details = document_details(_open(ctx, write=False), document)
    if fmt == "table":
        for key, value in details.items():
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            click.echo(f"{key + ':':<13} {terminal_safe(_cell(shown))}")
    else:
        _emit_rows(
            [details | {"statements": sum(details["statements"].values())}] if fmt == "csv" else [details],
            fmt,
            list(details),
        )


@documents.command("update")
@click.argument("document")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), help="Document kind.")
@click.option("--body", help="Committee or body, e.g. 'Cabinet'.")
@click.option("--council", help="The council the document is of.")
@click.option("--meeting-date", callback=_date, help="Meeting or publication date, YYYY-MM-DD.")
@click.option("--source-url", help="Where the document was published.")
@click.option("--model", help="An installed spaCy pipeline to run under our components.")
@click.pass_context
def documents_update(ctx, document, kind, body, council, meeting_date, source_url, model):
    """Correct a document's kind, body, council, date or source; re-extract and re-track it.

    \b
    Example:
        followthrough documents update 3 --body Cabinet --meeting-date 2023-02-14
    """
    from followthrough.pipeline import describe_changes, update_document

    fields = {"kind": kind, "body": body, "council": council, "meeting_date": meeting_date, "source_url": source_url}
    if all(v is None for v in fields.values()):
        raise click.UsageError("give at least one of --kind, --body, --council, --meeting-date, --source-url")
    doc_id, changed, count = update_document(_open(ctx, create=False), document, fields, model=model)
    if not changed:
        click.echo(f"Document {doc_id} unchanged: it has these values already.")
    else:
        click.echo(
            f"Document {doc_id} updated ({terminal_safe(describe_changes(changed))}); {_plural(count, 'statement')} extracted."
        )


@documents.command("remove")
@click.argument("document")
@click.pass_context
def documents_remove(ctx, document):
    """Remove a document and everything derived from it (statements, links, evidence).

    \b
    Example:
        followthrough documents remove 3
    """
    from followthrough.documents import remove_document

    details = remove_document(_open(ctx, create=False), document)
    statements = sum(details["statements"].values())
    click.echo(
        f"Removed document {details['id']} ({terminal_safe(details['name'])}) with {_plural(statements, 'statement')}."
    )


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


@cli.command()
@click.option(
    "--gold",
    "gold_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="A gold folder (repeatable; default: corpus/train/gold and corpus/gold).",
)
@click.option(
    "--docs",
    "docs_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="Its documents, in the order of --gold (default: GOLD/../docs).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Where to write the model (default: the one the package loads)."
)
@click.option(
    "--folds",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Grouped CV folds whose scores go in the model's metadata (0: skip).",
)
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
    from followthrough.extract.train import default_output, default_sets
    from followthrough.extract.train import train as run_training

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
    click.echo(
        f"trained on {meta['documents']} documents, {meta['sentences']} sentences; wrote {out or default_output()}"
    )
    for name in ("rules", "model"):
        scores = meta.get("grouped_cv", {}).get(name)
        if scores:
            click.echo(
                f"grouped {meta['grouped_cv']['folds']}-fold CV, {name}: "
                + ", ".join(f"{k} {v:.3f}" for k, v in scores.items() if v is not None)
            )


def main(argv: Iterable[str] | None = None) -> None:
    cli(args=list(argv) if argv is not None else None)


@cli.command()
@click.argument("site_url")
@click.option(
    "--committee",
    "committees",
    multiple=True,
    help="A committee's name or id (repeatable); default: every current committee.",
)
@click.option("--since", callback=_date, help="First meeting day, YYYY-MM-DD (default: a year before --until).")
@click.option("--until", callback=_date, help="Last meeting day, YYYY-MM-DD (default: today).")
@click.option(
    "--documents",
    type=click.Choice(["minutes", "all"]),
    default="minutes",
    show_default=True,
    help="Linked documents to load besides the meeting's minutes: minutes/decision documents, or all.",
)
@click.option("--council", help="The council's name, instead of reading it from the site's address.")
@click.option("--dry-run", is_flag=True, help="List what would be fetched; download and store nothing.")
@click.option("--list-committees", is_flag=True, help="List the site's committees (ids and names) and stop.")
@click.option(
    "--save-to",
    type=click.Path(file_okay=False),
    help="Folder for the downloaded files (default: 'fetched' beside the database).",
)
@click.option("--delay", type=float, default=1.0, show_default=True, help="Seconds between requests.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for each answer.")
@click.option("--retries", type=int, default=3, show_default=True, help="Retries after a server error or timeout.")
@click.option(
    "--backoff", type=float, default=2.0, show_default=True, help="First retry wait in seconds, doubling each time."
)
@click.option("--no-extract", is_flag=True, help="Store the text only; extract later.")
@click.pass_context
def fetch(
    ctx,
    site_url,
    committees,
    since,
    until,
    documents,
    council,
    dry_run,
    list_committees,
    save_to,
    delay,
    timeout,
    retries,
    backoff,
    no_extract,
):
    """Load new minutes straight from a council's ModernGov site (its web service).

    Asks the site for the committees' meetings in the range; for each meeting held and
    not fetched before, loads its minutes (agenda items kept) and the linked minutes or
    decision documents, dated the meeting day, as `ingest` does. A meeting lands wholly
    or not at all; a second run only asks about new meetings. One request at a time.

    \b
    Example:
        followthrough fetch --list-committees https://democracy.bridgend.gov.uk
        followthrough fetch https://democracy.bridgend.gov.uk --committee Cabinet --since 2025-01-01
    """
    from pathlib import Path

    from followthrough.fetch import FetchOptions, Politeness, fetch_site
    from followthrough.fetch import list_committees as committees_of

    politeness = Politeness(delay=delay, timeout=timeout, retries=retries, backoff=backoff)
    try:
        if list_committees:
            rows = [
                {
                    "id": c.id,
                    "committee": c.title,
                    "category": c.category,
                    "status": "deleted" if c.deleted else "expired" if c.expired else "current",
                }
                for c in committees_of(site_url, politeness=politeness)
            ]
            _emit_rows(rows, "table", ["id", "committee", "category", "status"])
            return
        options = FetchOptions(
            committees=committees,
            since=since,
            until=until,
            documents=documents,
            dry_run=dry_run,
            council=council,
            save_to=Path(save_to) if save_to else None,
            extract=not no_extract,
            politeness=politeness,
        )
        report = fetch_site(_open(ctx), site_url, options, progress=click.echo)
    except FollowthroughError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.summary())
