"""A loopback ModernGov site serving real web-service replies (tests/fixtures/moderngov/webservice).

Binds 127.0.0.1 on a free port. Document URLs in the replies are rewritten to point back
at this server, where real PDFs stand behind them. ``faults`` queues misbehaviour per
web-service method (or "attachment") for the next requests: an HTTP status (500, 404),
"timeout" (answers after ``slow`` seconds), "text" (not XML), "html" (an HTML page),
"get-disabled" (ASMX's 500 when HTTP GET is off) or raw bytes to send instead.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "moderngov" / "webservice"
SAMPLE_HOST = b"https://democracy.manchester.gov.uk/mgConvert2PDF.aspx"
# Not a real reply: what GetMeetings gives for a committee with no meetings in the range.
EMPTY_MEETINGS = b'<?xml version="1.0" encoding="utf-8"?>\n<getmeetings>\n  <meetingscount> 0</meetingscount>\n  <committeescount> 0</committeescount>\n</getmeetings>'
GET_DISABLED = (
    b"System.InvalidOperationException: Request format is unrecognized for URL unexpectedly ending in '/GetCommittees'."
)


class SampleSite:
    def __init__(self, fixtures: Path = FIXTURES, slow: float = 2.0) -> None:
        self.fixtures = fixtures
        self.slow = slow
        self.faults: dict[str, list] = defaultdict(list)
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SampleSite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requested(self, method: str) -> int:
        return sum(1 for r in self.requests if method in r)

    def reply(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        name = path.rsplit("/", 1)[-1]
        key = {k.lower(): v[0] for k, v in query.items()}
        if path.startswith("/mgWebService.asmx/"):
            if name == "GetCommittees":
                return 200, "text/xml", self._read("GetCommittees.xml")
            if name == "GetMeetings":
                file = self.fixtures / f"GetMeetings_{key.get('lcommitteeid', '')}.xml"
                return 200, "text/xml", file.read_bytes() if file.exists() else EMPTY_MEETINGS
            if name == "GetMeeting":
                file = self.fixtures / f"GetMeeting_{key.get('lmeetingid', '')}.xml"
                if file.exists():
                    return (
                        200,
                        "text/xml",
                        file.read_bytes().replace(SAMPLE_HOST, f"{self.url}/mgConvert2PDF.aspx".encode()),
                    )
        if name.lower() == "mgconvert2pdf.aspx":
            file = self.fixtures / f"attachment_{key.get('id', '')}.pdf"
            if file.exists():
                return 200, "application/pdf", file.read_bytes()
        return 404, "text/html", b"<html><body><h1>404 - File or directory not found.</h1></body></html>"

    def _read(self, name: str) -> bytes:
        return (self.fixtures / name).read_bytes()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                site.requests.append(self.path)
                site.user_agents.append(self.headers.get("User-Agent", ""))
                method = parts.path.rsplit("/", 1)[-1]
                fault_key = "attachment" if method.lower() == "mgconvert2pdf.aspx" else method
                fault = site.faults[fault_key].pop(0) if site.faults[fault_key] else None
                status, ctype, body = site.reply(parts.path, parse_qs(parts.query))
                if fault == "timeout":
                    time.sleep(site.slow)
                elif isinstance(fault, int):
                    status, ctype, body = fault, "text/html", b"<html><body>Server Error</body></html>"
                elif fault == "text":
                    status, ctype, body = 200, "text/plain", b"Service temporarily unavailable, try later"
                elif fault == "html":
                    status, ctype, body = 200, "text/html", b"<!DOCTYPE html><html><body>Page not found</body></html>"
                elif fault == "get-disabled":
                    status, ctype, body = 500, "text/plain", GET_DISABLED
                elif isinstance(fault, bytes):
                    status, ctype, body = 200, "text/xml", fault
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        return Handler
