"""ModernGov pages (and any other HTML page) as a Document.

Councils' ModernGov sites serve the pages we want as HTML: the meeting page
(ieListDocuments.aspx: numbered agenda items with "Decision:" and "Minutes:" text), the
agenda item page (mgAi.aspx) and issue history (ieIssueDetails.aspx), both built from
"Meeting: 17/12/2018 - The Executive (Item 7)" blocks, and the decision page
(ieDecisionDetails.aspx). The mgWebService GetMeeting XML is read too. Page chrome, file-size
labels, hidden screen-reader text and document-link lists are dropped; the labels the
extractor relies on ("Decision:", "Minutes:", "RESOLVED:") stay as lines of text.

Markup we do not recognise still loads: the visible text of the main content, with a
warning on the Document.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import cast

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from followthrough.errors import BadDocument
from followthrough.ingest import detect
from followthrough.ingest.htmltext import BLOCK_TAGS, collapse, inline_text, render
from followthrough.models import AgendaItem, Document

# "Meeting: 17/12/2018 - The Executive (Item 7)": the head of each block on mgAi and
# ieIssueDetails pages. Search-result pages print "Meeting: dd/mm/yyyy - X (n)" instead,
# which the "(Item n)" requirement keeps out.
MEETING_BLOCK = re.compile(
    r"^Meeting:\s*(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\s*[-–]\s*(?P<body>.+?)\s*"
    r"\(Item\s*(?P<item>[\w.]+)\)$"
)
# "19/10/2015 - Policy Committee" (decided at meeting) or "28/01/2009 - Improvement Plan ..."
DATED_LINE = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\s*[-–]\s*(?P<rest>.+)$")
DMY = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
ITEM_NUMBER = re.compile(r"^\s*(?:Item\s*)?(?P<number>\d+[A-Za-z]?(?:\.\d+)*)\s*[.:)]?\s*(?=\S)")
# Modern.gov pages carry this comment, and ids/classes starting "mg".
MODGOV_MARKERS = (
    "modgov",
    "mgContent",
    "mgMainTitleTxt",
    "mgSubTitleTxt",
    "mgItemTable",
    "mgWordPara",
    "mgTabTable",
    "mgMainTxt",
    "mgAiTitleTxt",
)


@cache
def _config() -> dict:
    text = resources.files("followthrough.ingest").joinpath("data/moderngov.json").read_text("utf-8")
    return json.loads(text)


@cache
def _pattern(key: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _config()[key]), re.IGNORECASE)


@dataclass
class ParsedPage:
    """What one HTML page yields before it becomes a Document."""

    text: str
    items: list[AgendaItem] = field(default_factory=list)
    title: str | None = None
    body: str | None = None
    meeting_date: date | None = None
    source_url: str | None = None
    kind: str = "other"
    warnings: list[str] = field(default_factory=list)


def read_html(path: Path, data: bytes) -> Document:
    """Read a saved ModernGov page (or GetMeeting XML, or any HTML page)."""
    if re.match(rb"(?:\xef\xbb\xbf)?\s*<\?xml", data[:200]) and not re.search(rb"<html", data[:2000], re.I):
        page = parse_meeting_xml(path, data)
    else:
        page = parse_html(BeautifulSoup(data, "lxml"))
    if not page.text.strip():
        raise BadDocument(path, "empty (no text in the HTML page)")
    return Document(
        path=str(path),
        sha256="",
        text=page.text,
        pages=[],
        kind=page.kind,
        title=page.title,
        body=page.body,
        meeting_date=page.meeting_date,
        source_url=page.source_url,
        file_type="html",
        items=page.items,
        warnings=page.warnings,
    )


# --- HTML pages -----------------------------------------------------------------------


def parse_html(soup: BeautifulSoup) -> ParsedPage:
    """Text, items and meeting details of a parsed HTML page."""
    source_url = _source_url(soup)
    dc_date = _meta_date(soup)
    html_title = _html_title(soup)
    if not _is_moderngov(soup):
        page = _generic(soup)
        page.source_url = source_url
        return page
    root = soup.find(id="modgov") or soup.body or soup
    _drop(root, _config()["modgov_chrome"])
    _clean(root)
    main_title = _first_text(root, ".mgMainTitleTxt")
    subtitle = _first_text(root, ".mgSubTitleTxt")
    headings = [tag for tag in _leaf_blocks(root) if MEETING_BLOCK.match(inline_text(tag))]
    number_cells = root.select("td.mgItemNumberCell")
    if headings:
        page = _issue_page(root, headings, subtitle)
    elif number_cells or root.select(".mgItemTable") or _titled(main_title, "meeting"):
        page = _meeting_page(root, number_cells, subtitle, html_title, dc_date)
    elif _titled(main_title, "agenda_item"):
        page = _agenda_item_page(root, subtitle)
    elif _is_decision_page(root, main_title):
        page = _decision_page(root, subtitle)
    else:
        content = root.select_one(".mgContent") or root
        page = ParsedPage(render(content).text, title=subtitle or main_title or html_title)
        page.warnings.append("unrecognised ModernGov page layout: kept the visible text of the main content")
    page.source_url = source_url
    return page


def _issue_page(root: Tag, headings: list[Tag], subtitle: str | None) -> ParsedPage:
    """mgAi.aspx / ieIssueDetails.aspx: one item per "Meeting: ... (Item n)" block."""
    marks = {f"h{i}": tag for i, tag in enumerate(headings)}
    rendered = render(root, marks)
    text = rendered.text
    items = []
    for i, tag in enumerate(headings):
        match = _meeting_match(tag)
        start = rendered.spans[f"h{i}"][0]
        end = rendered.spans[f"h{i + 1}"][0] if i + 1 < len(headings) else len(text)
        title = _block_title(tag, headings[i + 1] if i + 1 < len(headings) else None) or subtitle
        items.append(_item(text, match["item"], title or "", start, end))
    first = _meeting_match(headings[0])
    page = ParsedPage(
        text,
        items=items,
        title=subtitle or items[0].title,
        body=_tidy(first["body"]),
        meeting_date=_date(first),
        kind="minutes",
    )
    meetings = {(_tidy(m["body"]), _date(m)) for m in (_meeting_match(h) for h in headings)}
    if len(meetings) > 1:
        page.warnings.append(
            f"issue page covers {len(meetings)} meetings: committee and date are the first listed "
            f"({page.body}, {page.meeting_date.isoformat() if page.meeting_date else 'no date'})"
        )
    return page


def _meeting_match(heading: Tag) -> re.Match[str]:
    """The meeting block a heading was chosen for (headings are the tags it matches)."""
    match = MEETING_BLOCK.match(inline_text(heading))
    assert match is not None
    return match


def _attr(tag: Tag, name: str) -> str:
    """A single-valued attribute (bs4 types every attribute as possibly multi-valued)."""
    return cast(str, tag[name])


def _block_title(heading: Tag, stop: Tag | None) -> str | None:
    """The agenda item title printed under a meeting heading (number taken off)."""
    for tag in heading.find_all_next(True):
        if stop is not None and tag is stop:
            break
        classes: str | list[str] = tag.get("class") or []
        if "mgAiTitleTxt" in classes and not tag.find_parent(class_="mgItemNumberCell"):
            title = inline_text(tag)
            title = ITEM_NUMBER.sub("", title, count=1) or title
            if title and not title.rstrip(".").isdigit():
                return title
    return None


def _agenda_item_page(root: Tag, subtitle: str | None) -> ParsedPage:
    """mgAi.aspx without a meeting heading: "Agenda item", its title, then its text.

    The page names neither the meeting nor the item number, so neither is guessed.
    """
    content = root.select_one(".mgContent") or root
    rendered = render(root, {"content": content})
    start, end = rendered.spans["content"]
    items = [_item(rendered.text, None, subtitle or "", start, end)] if end > start else []
    return ParsedPage(rendered.text, items=items, title=subtitle, kind="minutes")


def _titled(title: str | None, kind: str) -> bool:
    names = {t.lower() for t in _config()["page_titles"][kind]}
    if not title:
        return False
    return title.strip().lower() in names


def _meeting_page(
    root: Tag, number_cells: list[Tag], subtitle: str | None, html_title: str | None, dc_date: date | None
) -> ParsedPage:
    """ieListDocuments.aspx: one item per row of the agenda table."""
    rows: list[Tag] = []
    seen: set[int] = set()
    for cell in number_cells:
        row = cell.find_parent("tr")
        # By identity: bs4 compares tags by content, and two rows can read the same.
        if row is not None and id(row) not in seen:
            seen.add(id(row))
            rows.append(row)
    marks = {f"r{i}": row for i, row in enumerate(rows)}
    rendered = render(root, marks)
    items = []
    for i, row in enumerate(rows):
        number_cell = row.select_one("td.mgItemNumberCell")
        assert number_cell is not None  # rows are the parents of number cells
        number = inline_text(number_cell).rstrip(".").strip() or None
        start, end = rendered.spans[f"r{i}"]
        items.append(_item(rendered.text, number, _row_title(row, number), start, end))
    page = ParsedPage(rendered.text, items=items, title=subtitle, kind="minutes")
    for heading in (subtitle, html_title):
        found_body, found_date, _ = detect.detect_meeting(heading or "")
        if found_date:
            page.body, page.meeting_date = found_body, found_date
            break
    if page.meeting_date is None:
        page.meeting_date = dc_date
    if not items:
        page.warnings.append("ModernGov meeting page with no numbered agenda items found")
    return page


def _row_title(row: Tag, number: str | None) -> str:
    cells = [td for td in row.find_all("td", recursive=False) if "mgItemNumberCell" not in (td.get("class") or [])]
    for cell in cells:
        tag = cell.select_one(".mgAiTitleTxt, a") or cell
        title = inline_text(tag)
        if title:
            if number and title.startswith(number):
                title = ITEM_NUMBER.sub("", title, count=1)
            return title
    return ""


def _is_decision_page(root: Tag, main_title: str | None) -> bool:
    if _titled(main_title, "decision"):
        return True
    for label in root.select(".mgLabel, .mgSubSubTitleTxt"):
        if re.match(r"(?:Decision:|Decided at meeting:|Decision Maker:|Date of decision:)", inline_text(label)):
            return True
    return False


def _decision_page(root: Tag, subtitle: str | None) -> ParsedPage:
    """ieDecisionDetails.aspx (or an "Issue - decisions" page): title, decision, where, when."""
    labels = _labelled(root)
    body = meeting_date = None
    decided_at = labels.get("decided at meeting")
    match = DATED_LINE.match(decided_at or "")
    if match:
        body, meeting_date = _tidy(match["rest"]), _date(match)
    else:
        body = labels.get("decision maker")
        found = DMY.search(labels.get("date of decision") or "")
        meeting_date = _date(found) if found else None
    rendered = render(root)
    if meeting_date is None:
        # "28/01/2009 - Improvement Plan in response to ..." heading of an issue's decisions
        for line in rendered.text.splitlines():
            found = DATED_LINE.match(line.strip())
            if found:
                meeting_date = _date(found)
                break
    return ParsedPage(rendered.text, title=subtitle, body=body, meeting_date=meeting_date, kind="minutes")


def _labelled(root: Tag) -> dict[str, str]:
    """'Decided at meeting: 19/10/2015 - Policy Committee' -> {'decided at meeting': '19/10/...'}."""
    found: dict[str, str] = {}
    for label in root.select("span.mgLabel"):
        parent = label.parent
        assert parent is not None  # a span in a parsed page
        key = inline_text(label).rstrip(": ").lower()
        whole = inline_text(parent)
        found.setdefault(key, whole[len(inline_text(label)) :].strip())
    return found


# --- generic pages --------------------------------------------------------------------


def _generic(soup: BeautifulSoup) -> ParsedPage:
    """Any other HTML page: the visible text of its main content."""
    title = _html_title(soup)
    heading = soup.find("h1")
    _drop(soup, _config()["page_chrome"])
    _clean(soup)
    root = soup.find("main") or soup.find(None, {"role": "main"}) or soup.find("article") or soup.body or soup
    page = ParsedPage(render(root).text, title=(inline_text(heading) if heading else None) or title)
    page.warnings.append("not a ModernGov page: kept the visible text of the page")
    return page


# --- mgWebService GetMeeting XML -------------------------------------------------------


def parse_meeting_xml(path: Path, data: bytes) -> ParsedPage:
    """mgWebService.asmx/GetMeeting: agenda items with their agenda and minutes HTML."""
    soup = BeautifulSoup(data, "xml")
    root = soup.find(True)
    if root is not None and root.name == "Envelope":  # SOAP: the response is the Body's child
        body = root.find("Body")
        root = body.find(True) if body is not None else None
    if root is None or root.name != "meeting":
        name = root.name if root is not None else "no element"
        raise BadDocument(path, f"unsupported type (XML <{name}>, not a ModernGov GetMeeting response)")
    meeting_date = _dmy(_xml_text(root, "meetingdate"))
    committee = _xml_text(root, "committeetitle") or None
    parts = []
    heading = f"Meeting: {_xml_text(root, 'meetingdate')}" + (f" - {committee}" if committee else "")
    parts.append(f"<h2>{html.escape(heading)}</h2>")
    agenda = root.find("agendaitems")
    for i, item in enumerate(agenda.find_all("agendaitem", recursive=False) if agenda else []):
        number = _xml_text(item, "fulldisplaynumberformat") or _xml_text(item, "minutesitemnumber")
        title = _xml_text(item, "agendaitemtitle")
        section = [f'<p id="ft-item-{i}">{html.escape(f"{number} {title}".strip())}</p>']
        section.append(_xml_html(item, "agendatext"))
        for label, element in (("Decision:", "decisionnonemptyhtmlbody"), ("Minutes:", "minutesnonemptyhtmlbody")):
            body_html = _xml_html(item, element)
            if body_html:
                section += [f"<p>{label}</p>", body_html]
        parts.append(
            f'<div class="ft-item" data-number="{html.escape(number)}" data-title="{html.escape(title)}">{"".join(section)}</div>'
        )
    page_soup = BeautifulSoup("<div>" + "".join(parts) + "</div>", "lxml")
    _clean(page_soup)
    blocks = page_soup.select("div.ft-item")
    assert page_soup.div is not None  # the page was built inside a div
    rendered = render(page_soup.div, {f"i{i}": block for i, block in enumerate(blocks)})
    items = [
        _item(
            rendered.text,
            _attr(block, "data-number").rstrip(".") or None,
            _attr(block, "data-title"),
            *rendered.spans[f"i{i}"],
        )
        for i, block in enumerate(blocks)
    ]
    if not items:
        raise BadDocument(path, "empty (no agenda items in the ModernGov meeting XML)")
    return ParsedPage(
        rendered.text, items=items, title=heading, body=committee, meeting_date=meeting_date, kind="minutes"
    )


def _xml_text(parent: Tag, name: str) -> str:
    found = parent.find(name, recursive=False) or parent.find(name)
    return found.get_text().strip() if found else ""


def _xml_html(parent: Tag, name: str) -> str:
    """An element holding escaped HTML; BeautifulSoup has already unescaped it once."""
    found = parent.find(name, recursive=False)
    return found.get_text().strip() if found else ""


# --- helpers --------------------------------------------------------------------------


def _is_moderngov(soup: BeautifulSoup) -> bool:
    if soup.find(id="modgov"):
        return True
    if soup.find(string=lambda s: isinstance(s, Comment) and "modern.gov" in s.lower()):
        return True
    return any(soup.select_one(f".{name}") for name in MODGOV_MARKERS[1:])


def _drop(root: Tag, selectors: list[str]) -> None:
    for tag in root.select(", ".join(selectors)):  # one pass over the tree
        if not tag.decomposed:
            tag.decompose()


def _clean(root: Tag) -> None:
    """Drop boilerplate labels, document-link lists and noise inside link text."""
    labels = re.compile(rf"^(?:{'|'.join(_config()['drop_labels'])})", re.IGNORECASE)
    for tag in root.find_all(["p", "h2", "h3", "h4", "h5", "h6", "li", "dt", "div"]):
        if tag.decomposed or (tag.name == "div" and tag.find(BLOCK_TAGS)):
            continue
        if labels.match(inline_text(tag)):
            tag.decompose()
    links = _pattern("document_links")
    for lst in root.find_all(["ul", "ol"]):
        entries = lst.find_all("li")
        if entries and all(
            (a := li.find("a", href=True)) is not None and links.search(_attr(a, "href")) for li in entries
        ):
            lst.decompose()
    noise = _pattern("text_noise")
    for string in list(root.find_all(string=True)):
        if isinstance(string, NavigableString) and not isinstance(string, Comment) and noise.search(string):
            string.replace_with(noise.sub("", string))


def _leaf_blocks(root: Tag) -> list[Tag]:
    """Block elements holding no other block (where headings and labels live)."""
    names = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "caption", "td", "th", "div", "li", "dt", "dd"]
    return [tag for tag in root.find_all(names) if tag.find(BLOCK_TAGS) is None]


def _first_text(root: Tag, selector: str) -> str | None:
    tag = root.select_one(selector)
    text = inline_text(tag) if tag else ""
    return text or None


def _html_title(soup: BeautifulSoup) -> str | None:
    meta = soup.find("meta", attrs={"name": re.compile(r"^DC\.title$", re.I)})
    if meta and cast(str, meta.get("content", "")).strip():
        return _attr(meta, "content").strip()
    title = collapse(soup.title.get_text()).strip() if soup.title else ""
    return title or None


def _meta_date(soup: BeautifulSoup) -> date | None:
    meta = soup.find("meta", attrs={"name": re.compile(r"^DC\.date$", re.I)})
    try:
        return datetime.strptime(_attr(meta, "content").strip()[:10], "%Y-%m-%d").date() if meta else None
    except (KeyError, ValueError):
        return None


def _source_url(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical", href=True)
    if link:
        return _attr(link, "href")
    meta = soup.find("meta", attrs={"property": "og:url"})
    if meta and meta.get("content"):
        return _attr(meta, "content")
    # Browsers' "Save page" leaves <!-- saved from url=(0072)https://... -->
    saved = soup.find(string=lambda s: isinstance(s, Comment) and "saved from url=" in s)
    found = re.search(r"saved from url=\(\d+\)(\S+)", saved or "")
    return found[1] if found else None


def _item(text: str, number: str | None, title: str, start: int, end: int) -> AgendaItem:
    while end > start and text[end - 1].isspace():
        end -= 1
    return AgendaItem(number=number, title=_tidy(title), start=start, end=end)


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -–")


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _dmy(text: str) -> date | None:
    found = DMY.search(text)
    return _date(found) if found else None
