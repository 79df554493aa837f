"""Search over the corpus documents, with the dev set's gold statements standing in for extraction."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tracking_support import BRIDGEND_168, CORPUS, GOLD, add_statement, fake_extractor, gold_statements

from followthrough.cli import cli
from followthrough.errors import UsageError
from followthrough.pipeline import ingest_paths
from followthrough.search import SearchFilters, search
from followthrough.search.query import parse_query
from followthrough.store import open_db, transaction

DATES = {BRIDGEND_168.name: date(2023, 2, 14)}


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """The corpus documents with their gold statements, ingested once for the module."""
    mp = pytest.MonkeyPatch()
    names = [p.name for p in CORPUS.iterdir() if (GOLD / (p.stem + ".gold.json")).exists()]
    fake_extractor(mp, {name: gold_statements(name) for name in names})
    path = tmp_path_factory.mktemp("search") / "search.db"
    db = open_db(path)
    for name in sorted(names):
        ingest_paths(db, [CORPUS / name], meeting_date=DATES.get(name), body="Cabinet" if name in DATES else None)
    db.conn.close()
    mp.undo()
    return path


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.conn.close()


def texts(result) -> list[str]:
    return [h.text for h in result.hits]


def test_bm25_ranks_the_statement_with_every_word_first(db):
    result = search(db, "criminal exploitation")
    assert result.mode == "AND"
    assert (
        result.hits[0].text
        == "The second area in need of urgent improvement was around criminal exploitation and practice in this area"
    )
    assert "**criminal exploitation**" in result.hits[0].snippet
    plain = search(db, "children care", limit=50)
    assert len(plain.hits) > 5 and all(a.score >= b.score for a, b in zip(plain.hits, plain.hits[1:]))
    top = result.hits[0]
    assert (top.document, top.meeting_date, top.body) == (BRIDGEND_168.name, "2023-02-14", "Cabinet")


def test_stemming_and_a_fallback_to_any_word(db):
    # Porter stemming: "recruited" matches "recruit"; no statement has both words, so any word.
    result = search(db, "recruited zebra")
    assert result.mode == "OR"
    assert any("recruit" in t for t in texts(result))


def test_topic_word_finds_statements_tagged_with_its_synonyms(db):
    result = search(db, "recruitment", limit=50)
    found = texts(result)
    assert "the ongoing fragility of the social care workforce" in found  # no word "recruitment"
    assert result.query.groups[0].topic == "workforce"
    # The word as typed ranks first; statements found only through synonyms follow.
    literal = [h for h in result.hits if "recruit" in h.text.lower()]
    assert literal and result.hits[: len(literal)] == literal and len(result.hits) > len(literal)
    plain = search(db, '"recruitment"', SearchFilters(kinds=("concern",)), limit=50)
    assert len(plain.hits) >= 1


def test_misspelt_words_are_corrected_against_the_index(db):
    for typo, right in [
        ("recruitmnet", "recruitment"),
        ("exploitaton", "exploitation"),
        ("safegaurding", "safeguarding"),
    ]:
        wrong, correct = search(db, typo, limit=100), search(db, right, limit=100)
        assert typo in wrong.corrections, typo
        assert wrong.hits, typo
        assert set(texts(wrong)) & set(texts(correct)), typo
    assert search(db, "exploitation").corrections == {}


def test_filters(db):
    kinds = {h.kind for h in search(db, "plan", SearchFilters(kinds=("commitment",)), limit=100).hits}
    assert kinds == {"commitment"}
    everything = search(db, "plan", limit=200).hits
    cabinet = search(db, "plan", SearchFilters(body="cabinet"), limit=200).hits
    assert BRIDGEND_168.name in {h.document for h in cabinet}
    assert all("cabinet" in h.body.lower() for h in cabinet)
    assert len(cabinet) < len(everything)
    assert search(db, "plan", SearchFilters(body="%")).hits == []  # % and _ are literal
    dated = search(db, "plan", SearchFilters(date_from=date(2018, 1, 1), date_to=date(2018, 12, 31)), limit=100).hits
    assert dated and all("2018-01-01" <= h.meeting_date <= "2018-12-31" for h in dated)
    due = search(db, "plan", SearchFilters(due_before=date(2023, 9, 30)), limit=100).hits
    assert due and all(h.due_end <= "2023-09-30" for h in due)
    topic = search(db, "care", SearchFilters(topic="Workforce"), limit=100).hits
    assert topic and all("workforce" in h.topics for h in topic)
    overdue = search(db, "refreshed plan", SearchFilters(status="overdue")).hits
    assert [h.text for h in overdue] == ["a refreshed plan would be brought to Cabinet in September 2023"]
    assert overdue[0].status == "overdue"
    assert search(db, "refreshed plan", SearchFilters(status="reported")).hits == []
    with pytest.raises(UsageError, match="unknown topic 'weather'"):
        search(db, "plan", SearchFilters(topic="weather"))


HOSTILE = [
    '"',
    '""',
    "'",
    "(",
    ")",
    "((",
    "recruit*",
    "*",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(a b, 2)",
    "a OR",
    "OR b",
    "plan AND",
    '"unbalanced',
    "col:umn",
    "text: plan",
    "topics : workforce",
    "{text}: plan",
    "^plan",
    "plan -care",
    "+plan",
    "NEAR/3",
    "\x00plan",
    "plan\x00care",
    "🙂 plan",
    "[brackets]",
    "(plan OR",
    "plan)) OR ((care",
    "-",
    "",
    "   ",
    "\\",
    "%",
    "_",
    "a'b\"c(d)e*",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_strings_never_raise(db, query):
    result = search(db, query)
    assert isinstance(result.hits, list)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_is_a_safe_query(db, query):
    try:
        search(db, query, limit=3)
    except sqlite3.Error as exc:  # pragma: no cover - the failure being tested for
        pytest.fail(f"{query!r} raised {exc!r}")


def test_query_expression_quotes_every_word():
    parsed = parse_query(None, 'plan" OR (care NEAR', expand=False)
    assert parsed.expression() == '"plan" AND "care"'


def test_fts_is_datasette_compatible_and_kept_in_sync(tmp_path):
    db = open_db(tmp_path / "fts.db")
    assert db["statements"].detect_fts() == "statements_fts"
    assert db["passages"].detect_fts() == "passages_fts"
    with transaction(db):
        doc = db.execute(
            "INSERT INTO documents (sha256, path, name, kind, file_type, text, ingested_at)"
            " VALUES ('x', 'x.txt', 'x.txt', 'minutes', 'text', 'The council will recruit volunteers for the zoo.', 'now')"
        ).lastrowid
        sid = add_statement(db, doc, "commitment", "The council will recruit volunteers for the zoo.")
    # What Datasette runs for its search box, via sqlite-utils.
    assert [r["id"] for r in db["statements"].search("recruit")] == [sid]
    assert search(db, "recruiting").hits[0].id == sid
    with transaction(db):
        db.execute("UPDATE statements SET text = 'The council will review fees.' WHERE id = ?", [sid])
    assert search(db, "zoo").hits == []
    with transaction(db):
        db.execute("DELETE FROM statements WHERE id = ?", [sid])
    assert search(db, "fees").hits == []


def test_search_cli_json_and_errors(db_path):
    runner = CliRunner()
    base = ["--db", str(db_path), "search"]
    result = runner.invoke(cli, base + ["exploitaton", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and {"document", "meeting_date", "page", "snippet", "score", "kind"} <= set(rows[0])
    assert result.stderr == "Searching for 'exploit' instead of 'exploitaton'\n"
    result = runner.invoke(cli, base + ["?!", "--format", "json"])
    assert result.exit_code == 1
    assert result.output == "Error: nothing to search for in '?!'\n"
    result = runner.invoke(cli, base + ["plan", "--topic", "weather"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown topic 'weather' (known: workforce, ")
    result = runner.invoke(cli, base + ["plan", "--from", "2023-13-01"])
    assert result.exit_code == 2
    assert "'2023-13-01' is not a date in the form YYYY-MM-DD" in result.output
    result = runner.invoke(cli, base + ["workforce", "--format", "csv", "--limit", "2"])
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0]
        == "id,document,meeting_date,body,page,kind,status,score,snippet,text,actor,due_text,due_end,topics"
    )
    assert len(result.stdout.splitlines()) == 3


def test_large_databases_rank_newest_statements_first(db, monkeypatch):
    import followthrough.search as search_module

    full = search(db, "plan", limit=500).hits
    assert len(full) > 12
    monkeypatch.setattr(search_module, "FIRST_WINDOW", 5)
    windowed = search(db, "plan", limit=10).hits
    # Still the statements that match, as many as asked for, best first within what was read...
    assert len(windowed) == 10 and {h.id for h in windowed} <= {h.id for h in full}
    assert all(a.score >= b.score for a, b in zip(windowed, windowed[1:]))
    # ...read newest first: a better match is left out only if it is older than all shown.
    oldest, worst = min(h.id for h in windowed), min(h.score for h in windowed)
    better = {h.id for h in full if h.id >= oldest and h.score > worst}
    assert better <= {h.id for h in windowed}
    assert {h.id for h in windowed} != {h.id for h in full[:10]}  # it did change the ranking
    # Asking for more than there are finds every one, as without windows.
    assert {h.id for h in search(db, "plan", limit=500).hits} == {h.id for h in full}
