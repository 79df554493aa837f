"""Documents past spaCy's 1,000,000 characters (E088) are extracted in parts, with offsets,
pages and agenda items of the whole document; the batch goes on."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from test_bad_input import GOOD

from followthrough.cli import cli
from followthrough.extract import build_pipeline, extract_statements
from followthrough.extract.parts import parts
from followthrough.ingest import read_document

LIMERICK = (
    Path(__file__).parent / "fixtures" / "realdocs" / "limerick_council_2024-01-22_ordinary_meeting_minutes_full.md"
)


def minutes_book(tmp_path: Path) -> tuple[Path, int]:
    """Real minutes repeated past 1,000,000 characters (a year's minutes book)."""
    one = LIMERICK.read_text(encoding="utf-8")
    copies = 1_000_000 // len(one) + 2
    book = tmp_path / "minutes_book.md"
    book.write_text("\n\n".join([one] * copies), encoding="utf-8")
    return book, copies


def test_a_minutes_book_past_a_million_characters_loads(tmp_path: Path) -> None:
    book, copies = minutes_book(tmp_path)
    db = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", "--json", str(book), str(GOOD)])
    assert result.exit_code == 0, result.output
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files[book.name]["status"] == "added"
    assert files[GOOD.name]["status"] == "added"
    conn = sqlite3.connect(db)
    (text,) = conn.execute("SELECT text FROM documents WHERE name = ?", [book.name]).fetchone()
    assert len(text) > 1_000_000
    rows = conn.execute(
        'SELECT s.text, s.start, s."end" FROM statements s JOIN documents d ON d.id = s.document_id WHERE d.name = ?',
        [book.name],
    ).fetchall()
    # every statement's offsets point at its text in the whole document, to the last copy
    assert rows and all(text[start:end] == quote for quote, start, end in rows)
    assert max(start for _, start, _ in rows) > len(text) - len(LIMERICK.read_text(encoding="utf-8"))


def test_parts_find_what_the_whole_document_finds(tmp_path: Path) -> None:
    """Each copy in the book yields the statements one copy yields (cuts fall on breaks)."""
    book, copies = minutes_book(tmp_path)
    nlp = build_pipeline()
    single = extract_statements(read_document(LIMERICK), nlp=nlp)
    whole = extract_statements(read_document(book), nlp=nlp)
    assert single
    one = {(s.kind, s.text) for s in single}
    found = [(s.kind, s.text) for s in whole]
    # every statement of one copy is found; where one copy's last resolution runs on into
    # the next copy's opening, that joint may add a statement, at most one per joint
    assert one <= set(found)
    assert len(set(found) - one) <= copies
    # at most the statements cut by the few part boundaries are lost
    assert len(found) >= copies * len(single) - len(list(parts(read_document(book))))


def test_parts_cover_the_text_and_cut_at_breaks(tmp_path: Path) -> None:
    book, _ = minutes_book(tmp_path)
    doc = read_document(book)
    spans = list(parts(doc, 200_000))
    assert spans[0][0] == 0 and spans[-1][1] == len(doc.text)
    assert all(a_end == b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert all(end - start <= 200_000 for start, end in spans)
    assert all(doc.text[end - 2 : end] == "\n\n" for _, end in spans[:-1])
