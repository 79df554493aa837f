"""``followthrough fetch``: load a ModernGov site's new minutes into the store.

For each chosen committee: GetMeetings over the date range; for each meeting not fetched
before and not cancelled, GetMeeting; when its minutes are published, the GetMeeting reply
(agenda items with their minutes) and the linked minutes/decision documents are downloaded,
read by the ingest readers, extracted, and stored with the meeting's fetch-state row in one
transaction, so a failure leaves the meeting wholly unloaded and the next run retries it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from followthrough.errors import BadDocument, UsageError
from followthrough.fetch import replies, store
from followthrough.fetch import site as sites
from followthrough.fetch.client import Client, FetchError, Politeness, Reply, WebServiceOff
from followthrough.fetch.replies import Committee, LinkedDoc, Meeting, MeetingRef
from followthrough.ingest import find_document, read_document
from followthrough.store import transaction

DOCUMENT_CHOICES = ("minutes", "all")
DEFAULT_DAYS = 365
# ASMX's answer when the HTTP GET protocol is disabled for the service: permanent, not a blip.
_GET_DISABLED = re.compile(rb"Request format is unrecognized|Request format is invalid", re.I)


@dataclass
class FetchOptions:
    committees: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    documents: str = "minutes"
    dry_run: bool = False
    council: str | None = None
    save_to: Path | None = None
    extract: bool = True
    model: str | None = None
    politeness: Politeness = field(default_factory=Politeness)


@dataclass
class MeetingResult:
    committee: str
    meeting_id: int
    day: date | None
    status: str  # loaded | not held | no minutes yet | already fetched | would load
    detail: str = ""
    added: int = 0
    unchanged: int = 0
    statements: int = 0
    document_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        day = self.day.isoformat() if self.day else "(no date)"
        return f"  {day}  meeting {self.meeting_id}  {self.status}" + (f": {self.detail}" if self.detail else "")


@dataclass
class FetchReport:
    site: str
    council: str | None = None
    meetings: list[MeetingResult] = field(default_factory=list)
    requests: int = 0
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.meetings)

    def summary(self) -> str:
        added = sum(m.added for m in self.meetings)
        statements = sum(m.statements for m in self.meetings)
        parts = [
            f"{self.count('would load' if self.dry_run else 'loaded')} meeting(s) {'to load' if self.dry_run else 'loaded'}",
            f"{self.count('not held')} not held",
            f"{self.count('no minutes yet')} without minutes yet",
            f"{self.count('already fetched')} fetched before",
        ]
        text = f"{self.site}: " + ", ".join(parts)
        if not self.dry_run:
            text += f"; {added} document(s) added, {statements} statement(s) extracted"
        return text + f"; {self.requests} request(s)"


def list_committees(
    site_url: str, *, politeness: Politeness | None = None, client: Client | None = None
) -> list[Committee]:
    """The committees a ModernGov site lists (GetCommittees)."""
    site = sites.normalise(site_url)
    client = client or Client(politeness or Politeness())
    return replies.committees(_call(client, site, "GetCommittees", None, "committees"))


def fetch_site(
    db: sqlite_utils.Database,
    site_url: str,
    options: FetchOptions | None = None,
    *,
    client: Client | None = None,
    progress: Callable[[str], None] | None = None,
) -> FetchReport:
    """Fetch the chosen committees' new meetings from ``site_url`` into ``db``."""
    options = options or FetchOptions()
    if options.documents not in DOCUMENT_CHOICES:
        raise UsageError(f"--documents must be one of {', '.join(DOCUMENT_CHOICES)}")
    until = options.until or date.today()
    since = options.since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    site = sites.normalise(site_url)
    client = client or Client(options.politeness)
    say = progress or (lambda line: None)
    report = FetchReport(site=site, council=options.council or sites.council_from_host(site), dry_run=options.dry_run)
    loader = _Loader(db, site, options, client)
    try:
        chosen = sites.choose_committees(
            replies.committees(_call(client, site, "GetCommittees", None, "committees")), options.committees, site
        )
        done = store.done_meetings(db, site)
        for committee in chosen:
            refs = replies.meetings(
                _call(
                    client,
                    site,
                    "GetMeetings",
                    {
                        "lCommitteeId": str(committee.id),
                        "sFromDate": f"{since:%d/%m/%Y}",
                        "sToDate": f"{until:%d/%m/%Y}",
                    },
                    "getmeetings",
                )
            )
            refs = sorted(
                (r for r in refs if r.day is None or since <= r.day <= until), key=lambda r: (r.day or date.min, r.id)
            )
            say(f"{committee.title} (id {committee.id}), {since} to {until}: {len(refs)} meeting(s)")
            for ref in refs:
                result = _one_meeting(loader, report, committee, ref, done)
                if result.status in ("loaded", "not held"):
                    done.add(ref.id)  # a joint meeting listed under two committees loads once
                report.meetings.append(result)
                say(result.line())
                for warning in result.warnings:
                    say(f"    warning: {warning}")
    finally:
        report.requests = client.requests_made
    return report


def _one_meeting(
    loader: _Loader, report: FetchReport, committee: Committee, ref: MeetingRef, done: set[int]
) -> MeetingResult:
    title = ref.committee or committee.title
    result = MeetingResult(committee=title, meeting_id=ref.id, day=ref.day, status="already fetched")
    if ref.id in done:
        return result
    if _not_held(ref.status):
        return loader.not_held(result, committee, ref.status)
    root = _call(loader.client, loader.site, "GetMeeting", {"lMeetingId": str(ref.id)}, "meeting")
    meeting = replies.meeting(root)
    if _not_held(meeting.status):
        return loader.not_held(result, committee, meeting.status)
    if not meeting.minutes_published and not meeting.items_with_minutes:
        result.status, result.detail = "no minutes yet", "asked again next run"
        return result
    report.council = report.council or _council_in_reply(root, loader.site)
    return loader.load(result, committee, ref, meeting, root, report.council)


class _Loader:
    """Downloads, reads and stores one meeting's documents."""

    def __init__(self, db: sqlite_utils.Database, site: str, options: FetchOptions, client: Client) -> None:
        self.db, self.site, self.options, self.client = db, site, options, client
        self._nlp = None

    def not_held(self, result: MeetingResult, committee: Committee, status: str) -> MeetingResult:
        result.status, result.detail = "not held", f"{status.lower() or 'cancelled'}, skipped"
        if not self.options.dry_run:
            with transaction(self.db):
                store.record_meeting(
                    self.db,
                    self.site,
                    result.meeting_id,
                    committee_id=committee.id,
                    committee=result.committee,
                    day=result.day,
                    status="not held",
                )
        return result

    def load(
        self, result: MeetingResult, committee: Committee, ref: MeetingRef, meeting: Meeting, root, council: str | None
    ) -> MeetingResult:
        day = meeting.day or ref.day
        linked = [d for d in meeting.documents if self._wanted(d)]
        names = [f"GetMeeting minutes ({meeting.items_with_minutes} item(s))"] if meeting.items_with_minutes else []
        names += [repr(_tidy(d.title)) for d in linked]
        if self.options.dry_run:
            result.status, result.detail = "would load", ", ".join(names) or "no documents"
            return result
        folder = self._folder(committee, ref, day)
        page = sites.meeting_page(self.site, committee.id, ref.id)
        # (path, source url, is the meeting's own minutes)
        files: list[tuple[Path, str, bool]] = []
        fetched: list[store.FetchedFile] = []
        if meeting.items_with_minutes:
            path = folder / f"meeting-{ref.id}.xml"
            _write(path, replies.serialise(root))
            files.append((path, page, True))
        for doc in linked:
            reply = self.client.get(doc.url)
            if reply.status >= 400:
                result.warnings.append(f"{_tidy(doc.title)}: HTTP {reply.status} from {doc.url}; not loaded")
                fetched.append(store.FetchedFile(doc.url, None, f"HTTP {reply.status}"))
                continue
            path = folder / (_slug(f"{doc.id}-{doc.title}") + _suffix(reply, doc.url))
            _write(path, reply.content)
            files.append((path, doc.url, False))
        loaded = []
        for path, url, own in files:
            try:
                document = read_document(
                    path,
                    kind="minutes" if own else None,
                    body=result.committee,
                    meeting_date=day if own else None,
                    source_url=url,
                    council=council,
                )
            except BadDocument as exc:
                result.warnings.append(f"{path.name}: {exc.reason}; not loaded")
                fetched.append(store.FetchedFile(url, None, exc.reason))
                continue
            document.meeting_date = document.meeting_date or day
            statements = None
            if find_document(self.db, document.sha256) is None and self.options.extract:
                statements = self._extract(document)
            loaded.append((document, statements, url))
        from followthrough.pipeline import save_document

        seen_urls = {f.url for f in fetched}
        with transaction(self.db):
            for document, statements, url in loaded:
                if save_document(self.db, document, statements):
                    result.added += 1
                    result.statements += len(statements or [])
                else:
                    result.unchanged += 1
                assert document.id is not None  # set by save_document either way
                result.document_ids.append(document.id)
                if url not in seen_urls:
                    seen_urls.add(url)
                    fetched.append(store.FetchedFile(url, document.id))
            store.record_meeting(
                self.db,
                self.site,
                ref.id,
                committee_id=committee.id,
                committee=result.committee,
                day=day,
                status="loaded",
                files=fetched,
            )
        result.status = "loaded"
        detail = f"{result.added} document(s) added"
        if result.unchanged:
            detail += f", {result.unchanged} already stored"
        result.detail = detail + f", {result.statements} statement(s) extracted ({', '.join(names) or 'no documents'})"
        return result

    def _wanted(self, doc: LinkedDoc) -> bool:
        if doc.is_url or doc.restricted:
            return False
        if self.options.documents == "all":
            return True
        words = sites.config()["minutes_words"]
        text = f"{doc.title} {doc.item_title}".lower()
        return doc.decision or any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)

    def _extract(self, doc):
        from followthrough.extract import build_pipeline, extract_statements

        self._nlp = self._nlp or build_pipeline(self.options.model)
        return extract_statements(doc, nlp=self._nlp)

    def _folder(self, committee: Committee, ref: MeetingRef, day: date | None) -> Path:
        base = self.options.save_to or _default_folder(self.db)
        host = urlsplit(self.site).netloc.replace(":", "_")
        name = f"{day.isoformat() if day else 'undated'}-{_slug(committee.title)}-{ref.id}"
        return base / host / name


def _call(client: Client, site: str, method: str, params: dict | None, expected: str):
    url = sites.service_url(site, method)
    reply = client.get(url, params, no_retry=lambda r: bool(_GET_DISABLED.search(r.content[:2000])))
    # GetCommittees is asked first: a site that answered it has its web service on, and a
    # later 404 is about the meeting asked for, reported as such.
    if method == "GetCommittees" and _service_off(reply):
        why = f"HTTP {reply.status}" if reply.status >= 400 else "an HTML page"
        raise WebServiceOff(
            f"{site} does not answer the ModernGov web service ({why} for {sites.WEB_SERVICE}/{method}): "
            "it is not a ModernGov address or its web service is switched off; save the meeting pages or "
            "minutes PDFs from the site and load them with `followthrough ingest FILES --council NAME --body COMMITTEE`"
        )
    if reply.status >= 400:
        raise FetchError(f"{reply.url} answered HTTP {reply.status}")
    return replies.parse(reply.content, expected, f"{site}/{sites.WEB_SERVICE}/{method}")


def _service_off(reply: Reply) -> bool:
    if reply.status in (401, 403, 404, 405, 410, 501):
        return True
    if reply.status >= 500 and _GET_DISABLED.search(reply.content[:2000]):
        return True
    head = reply.content[:300].lstrip().lower()
    return reply.status < 400 and (reply.content_type == "text/html" or head.startswith((b"<!doctype html", b"<html")))


def _not_held(status: str) -> bool:
    lowered = status.lower()
    return any(word in lowered for word in sites.config()["not_held"])


def _council_in_reply(root, site: str) -> str | None:
    """The council named by the hosts of the absolute URLs a reply carries (a site writes its
    own public address into them, even when reached through another address)."""
    own = urlsplit(site).hostname
    hosts = Counter(
        urlsplit(text.strip()).hostname for text in root.itertext() if text.strip().startswith(("http://", "https://"))
    )
    for host, _ in hosts.most_common():
        if host and host != own:
            found = sites.council_from_host(f"https://{host}")
            if found:
                return found
    return None


def _default_folder(db: sqlite_utils.Database) -> Path:
    row = db.execute("PRAGMA database_list").fetchone()
    base = Path(row[2]).parent if row and row[2] else Path.cwd()
    return base / "fetched"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def _suffix(reply: Reply, url: str) -> str:
    if reply.content.startswith(b"%PDF"):
        return ".pdf"
    if reply.content.startswith(b"PK\x03\x04"):
        return ".xlsx" if "sheet" in reply.content_type else ".docx"
    by_type = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt"}
    if reply.content_type in by_type:
        return by_type[reply.content_type]
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if suffix and suffix != ".aspx" else ".bin"


def _slug(text: str, limit: int = 60) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-") or "document"


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
