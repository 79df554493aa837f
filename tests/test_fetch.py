"""`followthrough fetch` against a loopback ModernGov site serving real web-service replies.

Every request goes to 127.0.0.1 (tests/moderngov_server.py); DNS failure is simulated by
making name resolution fail in-process, so no test reaches any other address.
"""

from __future__ import annotations

import socket
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from moderngov_server import FIXTURES, SampleSite

from followthrough import __version__
from followthrough.cli import cli
from followthrough.errors import UsageError
from followthrough.fetch import (
    FetchError,
    FetchOptions,
    Politeness,
    WebServiceOff,
    fetch_site,
    list_committees,
    replies,
)
from followthrough.fetch.client import Client
from followthrough.fetch.site import choose_committees, council_from_host, normalise
from followthrough.store import open_db
from followthrough.tracking import list_commitments

# The samples' meetings are in 2026; a fixed range keeps the tests independent of today's date.
FAST = ["--delay", "0", "--backoff", "0", "--timeout", "5", "--since", "2026-01-01", "--until", "2026-12-31"]
RANGE = {"since": date(2026, 1, 1), "until": date(2026, 12, 31)}


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    """requests honours proxy variables; here every request must go straight to 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def site():
    with SampleSite() as running:
        yield running


def fetch(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "fetch", *args], catch_exceptions=False)


def query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


# --- the everyday job ---------------------------------------------------------------------


def test_first_fetch_loads_the_meeting_and_second_adds_nothing(site, tmp_path):
    db = tmp_path / "ft.db"
    first = fetch(db, site.url, "--committee", "Audit Committee", "--save-to", str(tmp_path / "files"), *FAST)
    assert first.exit_code == 0, first.output
    assert "2026-01-13  meeting 4966  not held: cancelled, skipped" in first.output
    assert "2026-02-10  meeting 4967  loaded: 2 document(s) added" in first.output
    # The cancelled meeting was skipped from the GetMeetings listing, never asked about.
    assert site.requested("GetMeeting?lMeetingId=4966") == 0
    assert all(agent.startswith(f"followthrough/{__version__}") for agent in site.user_agents)

    docs = query(db, "SELECT id, kind, body, council, meeting_date, source_url FROM documents ORDER BY id")
    assert [(kind, body, council) for _, kind, body, council, _, _ in docs] == [
        ("minutes", "Audit Committee", "Manchester"),  # the GetMeeting minutes
        ("minutes", "Audit Committee", "Manchester"),  # the linked minutes PDF
    ]
    assert {d[4] for d in docs} == {"2026-02-10"}
    assert docs[0][5] == f"{site.url}/ieListDocuments.aspx?CId=144&MId=4967"
    assert docs[1][5] == f"{site.url}/mgConvert2PDF.aspx?ID=60860"
    assert query(db, f"SELECT number, title FROM items WHERE document_id = {docs[0][0]} ORDER BY id") == [
        ("1", "Minutes"),
        ("9", "Work Programme"),
    ]
    assert query(db, f"SELECT file_type FROM documents WHERE id = {docs[1][0]}") == [("pdf",)]
    kinds = dict(query(db, f"SELECT kind, COUNT(*) FROM statements WHERE document_id = {docs[1][0]} GROUP BY kind"))
    assert kinds.get("commitment", 0) > 0 and kinds.get("decision", 0) > 0
    # Tracked as `ingest` tracks: the commitments are listed with a status.
    commitments = list_commitments(open_db(db), as_of=date(2026, 3, 1))
    assert len(commitments) == kinds["commitment"]
    assert query(db, "SELECT meeting_id, status FROM fetched_meetings ORDER BY meeting_id") == [
        (4966, "not held"),
        (4967, "loaded"),
    ]
    assert len(list((tmp_path / "files").rglob("*.pdf"))) == 1

    asked = len(site.requests)
    second = fetch(db, site.url, "--committee", "144", "--save-to", str(tmp_path / "files"), *FAST)
    assert second.exit_code == 0, second.output
    assert "0 document(s) added" in second.output and "2 fetched before" in second.output
    new_requests = site.requests[asked:]
    assert [r.split("?")[0] for r in new_requests] == [
        "/mgWebService.asmx/GetCommittees",
        "/mgWebService.asmx/GetMeetings",
    ]
    assert query(db, "SELECT COUNT(*) FROM documents") == [(2,)]


def test_dry_run_lists_and_stores_nothing(site, tmp_path):
    db = tmp_path / "ft.db"
    result = fetch(db, site.url, "--committee", "audit committee", "--dry-run", *FAST)
    assert result.exit_code == 0, result.output
    assert (
        "would load: GetMeeting minutes (2 item(s)), '6 - CHAIR APPROVED Minutes Audit Committee 25 Nov 2025'"
        in result.output
    )
    assert site.requested("mgConvert2PDF") == 0
    assert query(db, "SELECT COUNT(*) FROM documents") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM fetched_meetings") == [(0,)]


def test_documents_all_also_loads_the_other_linked_documents(site, tmp_path):
    db = open_db(tmp_path / "ft.db")
    options = FetchOptions(
        **RANGE,
        committees=("Audit Committee",),
        documents="all",
        extract=False,
        council="Manchester City Council",
        save_to=tmp_path / "files",
        politeness=Politeness(delay=0, backoff=0),
    )
    report = fetch_site(db, site.url, options)
    assert [m.status for m in report.meetings] == ["not held", "loaded"]
    assert report.meetings[1].added == 3
    assert site.requested("mgConvert2PDF.aspx?ID=60909") == 1
    assert {r[0] for r in db.execute("SELECT council FROM documents")} == {"Manchester City Council"}


def test_meeting_without_minutes_yet_is_asked_again_next_run(site, tmp_path):
    # The real cancelled-meeting reply, as meeting 4967 held but its minutes not yet published.
    waiting = (FIXTURES / "GetMeeting_4966.xml").read_bytes().replace(b"4966", b"4967")
    waiting = waiting.replace(b"13/01/2026", b"10/02/2026").replace(b"Cancelled", b"Confirmed")
    site.faults["GetMeeting"] += [waiting]
    db = open_db(tmp_path / "ft.db")
    options = FetchOptions(
        **RANGE,
        committees=("Audit Committee",),
        extract=False,
        save_to=tmp_path / "files",
        politeness=Politeness(delay=0, backoff=0),
    )
    first = fetch_site(db, site.url, options)
    assert [(m.meeting_id, m.status) for m in first.meetings] == [(4966, "not held"), (4967, "no minutes yet")]
    assert [r[0] for r in db.execute("SELECT meeting_id FROM fetched_meetings")] == [4966]
    second = fetch_site(db, site.url, options)
    assert [(m.meeting_id, m.status) for m in second.meetings] == [(4966, "already fetched"), (4967, "loaded")]
    assert site.requested("GetMeeting?lMeetingId=4967") == 2


def test_list_committees(site, tmp_path):
    result = fetch(tmp_path / "ft.db", "--list-committees", site.url, *FAST)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "committee", "category", "status"]
    assert any(line.startswith("144") and "Audit Committee" in line and line.endswith("current") for line in lines)
    assert any(line.startswith("312") and line.endswith("expired") for line in lines)


def test_all_current_committees_when_none_named(site, tmp_path):
    db = open_db(tmp_path / "ft.db")
    options = FetchOptions(**RANGE, dry_run=True, politeness=Politeness(delay=0, backoff=0))
    lines: list[str] = []
    fetch_site(db, site.url, options, progress=lines.append)
    headers = [line for line in lines if not line.startswith(" ")]
    assert [h.split(" (id")[0] for h in headers] == ["Art Galleries Committee", "Audit Committee"]  # 312 is expired


# --- failures -------------------------------------------------------------------------------


def test_server_errors_are_retried_with_back_off(site, tmp_path):
    site.faults["GetMeetings"] += [500, 503]
    waits: list[float] = []
    client = Client(Politeness(delay=0, retries=3, backoff=0.25), sleep=waits.append)
    report = fetch_site(
        open_db(tmp_path / "ft.db"),
        site.url,
        FetchOptions(**RANGE, committees=("Audit Committee",), dry_run=True),
        client=client,
    )
    assert site.requested("GetMeetings") == 3
    assert waits == [0.25, 0.5]
    assert report.count("would load") == 1


def test_server_error_every_time_is_one_line_and_loads_nothing(site, tmp_path):
    db = tmp_path / "ft.db"
    site.faults["attachment"] += [500] * 3
    result = fetch(db, site.url, "--committee", "Audit Committee", "--retries", "2", "--no-extract", *FAST)
    line = one_line_error(result)
    assert "mgConvert2PDF.aspx?ID=60860 answered HTTP 500" in line and "(3 attempts)" in line
    # The cancelled meeting is remembered; the failed one left no trace and is fetched next time.
    assert query(db, "SELECT COUNT(*) FROM documents") == [(0,)]
    assert query(db, "SELECT meeting_id, status FROM fetched_meetings") == [(4966, "not held")]
    again = fetch(db, site.url, "--committee", "Audit Committee", "--no-extract", *FAST)
    assert again.exit_code == 0, again.output
    assert query(db, "SELECT COUNT(*) FROM documents") == [(2,)]


def test_failure_while_storing_rolls_the_whole_meeting_back(site, tmp_path, monkeypatch):
    import followthrough.fetch.store as fetch_store

    record = fetch_store.record_meeting
    calls = []

    def fail_on_loaded(db_, site_, meeting_id, **kwargs):
        calls.append(meeting_id)
        if kwargs["status"] == "loaded":
            raise RuntimeError("disk full")
        return record(db_, site_, meeting_id, **kwargs)

    monkeypatch.setattr(fetch_store, "record_meeting", fail_on_loaded)
    db = open_db(tmp_path / "ft.db")
    options = FetchOptions(
        **RANGE,
        committees=("Audit Committee",),
        extract=False,
        save_to=tmp_path / "files",
        politeness=Politeness(delay=0, backoff=0),
    )
    with pytest.raises(RuntimeError):
        fetch_site(db, site.url, options)
    assert calls == [4966, 4967]
    # Both documents of 4967 had been written inside its transaction; none is left.
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone() == (0,)
    assert [r[0] for r in db.execute("SELECT meeting_id FROM fetched_meetings")] == [4966]


def test_timeout_retried_then_one_line_error(site, tmp_path):
    site.slow = 1.0
    site.faults["GetCommittees"] += ["timeout"]
    waits: list[float] = []
    client = Client(Politeness(delay=0, timeout=0.3, retries=1, backoff=0), sleep=waits.append)
    assert [c.id for c in list_committees(site.url, client=client)] == [312, 163, 144]
    assert site.requested("GetCommittees") == 2

    site.faults["GetCommittees"] += ["timeout", "timeout"]
    result = fetch(
        tmp_path / "ft.db",
        "--list-committees",
        site.url,
        "--timeout",
        "0.3",
        "--retries",
        "1",
        "--delay",
        "0",
        "--backoff",
        "0",
    )
    assert "no answer from" in one_line_error(result) and "within 0.3 s (2 attempts)" in result.output


def test_non_xml_reply(site, tmp_path):
    site.faults["GetMeetings"] += ["text"]
    result = fetch(tmp_path / "ft.db", site.url, "--committee", "Audit Committee", *FAST)
    line = one_line_error(result)
    assert "/mgWebService.asmx/GetMeetings answered something that is not XML" in line
    assert "Service temporarily unavailable" in line


def test_unknown_committee_lists_close_names(site, tmp_path):
    result = fetch(tmp_path / "ft.db", site.url, "--committee", "Audit Comittee", *FAST)
    line = one_line_error(result)
    assert "no committee 'Audit Comittee'" in line and "closest: Audit Committee" in line
    assert "--list-committees" in line
    assert site.requested("GetMeetings") == 0


@pytest.mark.parametrize("fault", [404, "html", "get-disabled"])
def test_web_service_switched_off_suggests_ingest(site, tmp_path, fault):
    site.faults["GetCommittees"] += [fault] * 5
    result = fetch(tmp_path / "ft.db", site.url, *FAST)
    line = one_line_error(result)
    assert "does not answer the ModernGov web service" in line and "followthrough ingest" in line
    assert site.requested("GetCommittees") == 1  # permanent: not retried


def test_later_404_is_not_called_web_service_off(site, tmp_path):
    site.faults["GetMeetings"] += [404]
    line = one_line_error(fetch(tmp_path / "ft.db", site.url, "--committee", "144", *FAST))
    assert "GetMeetings?lCommitteeId=144" in line and "answered HTTP 404" in line
    assert "switched off" not in line


def test_connection_refused_is_one_line(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(tmp_path / "ft.db", f"http://127.0.0.1:{port}", *FAST)
    assert one_line_error(result) == f"Error: cannot reach 127.0.0.1:{port}: connection refused (is the address right?)"


def test_dns_failure_is_one_line(tmp_path, monkeypatch):
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    result = fetch(tmp_path / "ft.db", "https://democracy.nowhere-council.gov.uk", *FAST)
    assert one_line_error(result) == (
        "Error: cannot reach democracy.nowhere-council.gov.uk: the name does not resolve (check the address, or the network)"
    )


def test_external_entities_are_never_resolved(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    reply = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE committees [<!ENTITY file SYSTEM "file://{secret}">'
        f'<!ENTITY net SYSTEM "{site.url}/xxe">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        "<committees><committee><committeeid>7</committeeid>"
        "<committeetitle>Audit &file;&net;&b; Committee</committeetitle></committee></committees>"
    ).encode()
    site.faults["GetCommittees"] += [reply]
    committees = list_committees(site.url, client=Client(Politeness(delay=0)))
    assert [(c.id, c.title) for c in committees] == [(7, "Audit  Committee")]
    assert site.requested("/xxe") == 0


# --- parts ----------------------------------------------------------------------------------


def test_replies_read_the_real_samples():
    meetings = replies.meetings(replies.parse((FIXTURES / "GetMeetings_144.xml").read_bytes(), "getmeetings", "x"))
    assert [(m.id, m.day, m.status) for m in meetings] == [
        (4966, date(2026, 1, 13), "Cancelled"),
        (4967, date(2026, 2, 10), "Confirmed"),
    ]
    held = replies.meeting(replies.parse((FIXTURES / "GetMeeting_4967.xml").read_bytes(), "meeting", "x"))
    assert held.minutes_published and held.items_with_minutes == 2
    assert [(d.id, d.item_title) for d in held.documents] == [("60860", "Minutes"), ("60909", "Work Programme")]
    cancelled = replies.meeting(replies.parse((FIXTURES / "GetMeeting_4966.xml").read_bytes(), "meeting", "x"))
    assert not cancelled.minutes_published and cancelled.items_with_minutes == 0 and not cancelled.documents


def test_replies_unwrap_soap_and_asmx_strings():
    inner = (FIXTURES / "GetCommittees.xml").read_bytes().split(b"?>", 1)[1]
    soap = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<GetCommitteesResponse xmlns="http://moderngov.co.uk/namespaces"><GetCommitteesResult>'
        + inner
        + b"</GetCommitteesResult></GetCommitteesResponse></soap:Body></soap:Envelope>"
    )
    escaped = inner.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
    asmx = b'<?xml version="1.0"?><string xmlns="http://tempuri.org/">' + escaped + b"</string>"
    for data in (soap, asmx):
        assert [c.id for c in replies.committees(replies.parse(data, "committees", "x"))] == [312, 163, 144]
    with pytest.raises(replies.NotXml, match="<meeting>"):
        replies.parse((FIXTURES / "GetMeeting_4966.xml").read_bytes(), "committees", "x")


@pytest.mark.parametrize(
    "url, council",
    [
        ("https://democracy.bridgend.gov.uk", "Bridgend"),
        ("https://bridgend.moderngov.co.uk/ieDocHome.aspx", "Bridgend"),
        ("https://democracy.gwynedd.llyw.cymru", "Gwynedd"),
        ("https://moderngov.rotherham.gov.uk", "Rotherham"),
        ("https://democracy.east-sussex.gov.uk", "East Sussex"),
        ("http://127.0.0.1:8000", None),
        ("http://localhost:8000", None),
    ],
)
def test_council_from_host(url, council):
    assert council_from_host(normalise(url)) == council


def test_normalise_site_addresses():
    assert normalise("democracy.bridgend.gov.uk/ieDocHome.aspx?bcr=1") == "https://democracy.bridgend.gov.uk"
    assert (
        normalise("https://Example.gov.uk/democracy/mgWebService.asmx/GetCommittees")
        == "https://example.gov.uk/democracy"
    )
    with pytest.raises(UsageError):
        normalise("ftp://example.gov.uk")


def test_committee_chosen_by_id_or_name():
    available = replies.committees(replies.parse((FIXTURES / "GetCommittees.xml").read_bytes(), "committees", "x"))
    assert [c.id for c in choose_committees(available, ("144", "art galleries  committee"), "s")] == [144, 163]
    assert [c.id for c in choose_committees(available, (), "s")] == [163, 144]


def test_polite_delay_between_requests(site):
    waits: list[float] = []
    client = Client(Politeness(delay=1.0), sleep=waits.append)
    client.get(site.url + "/mgWebService.asmx/GetCommittees")
    client.get(site.url + "/mgWebService.asmx/GetCommittees")
    assert len(waits) == 1 and 0 < waits[0] <= 1.0


def test_errors_are_followthrough_errors():
    assert issubclass(WebServiceOff, FetchError)
