"""The ModernGov web service's XML replies, parsed with a hardened lxml parser.

Replies seen from real sites (tests/fixtures/moderngov/webservice/) carry no namespace,
lower-case element names, ``True``/``False``, dates as dd/mm/yyyy and counts with a
leading space. Some installations wrap the same document in a SOAP envelope or an ASMX
``<string>`` holding it escaped; both are unwrapped. No entity is ever resolved and no
DTD or network resource is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from followthrough.fetch.client import FetchError


class NotXml(FetchError):
    """A reply that is not the XML document we asked for."""


def parser() -> etree.XMLParser:
    """lxml, hardened: no entity expansion, no DTD, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes, expected: str, where: str) -> etree._Element:
    """The root element named ``expected`` (unwrapped from SOAP/ASMX), or :class:`NotXml`."""
    root = _parse(data, where)
    for _ in range(6):
        _strip_namespaces(root)
        name = root.tag
        if name == expected:
            _drop_entities(root)
            return root
        children = [c for c in root if isinstance(c.tag, str)]
        if name == "string" and not children and (root.text or "").strip():
            root = _parse((root.text or "").strip().encode("utf-8"), where)
        elif name in ("Envelope", "Body") or name.endswith(("Response", "Result")):
            if not children:
                break
            root = children[-1] if name == "Envelope" else children[0]
        else:
            break
    raise NotXml(f"{where} answered XML <{root.tag}>, not the <{expected}> reply expected")


def _parse(data: bytes, where: str) -> etree._Element:
    head = data[:300].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise NotXml(f"{where} answered an HTML page, not XML")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        sample = data[:60].decode("utf-8", "replace").replace("\n", " ").strip()
        raise NotXml(f"{where} answered something that is not XML ({exc.msg}; starts {sample!r})") from None
    if root is None:
        raise NotXml(f"{where} answered an empty reply")
    return root


def _strip_namespaces(root: etree._Element) -> None:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = etree.QName(element).localname


def _drop_entities(root: etree._Element) -> None:
    """Unresolved entity references (&name;) are dropped, their tails kept."""
    etree.strip_elements(root, etree.Entity, with_tail=False)


# --- records --------------------------------------------------------------------------


@dataclass(frozen=True)
class Committee:
    id: int
    title: str
    category: str = ""
    deleted: bool = False
    expired: bool = False

    @property
    def current(self) -> bool:
        return not self.deleted and not self.expired


@dataclass(frozen=True)
class MeetingRef:
    """A meeting as GetMeetings lists it."""

    id: int
    committee_id: int
    committee: str
    day: date | None
    status: str


@dataclass(frozen=True)
class LinkedDoc:
    id: str
    title: str
    url: str
    item_title: str
    is_url: bool = False
    restricted: bool = False
    decision: bool = False


@dataclass
class Meeting:
    """A meeting as GetMeeting describes it."""

    id: int
    day: date | None
    status: str
    minutes_published: bool
    items_with_minutes: int
    documents: list[LinkedDoc] = field(default_factory=list)


def committees(root: etree._Element) -> list[Committee]:
    found = []
    for element in root.iter("committee"):
        ident = _int(_text(element, "committeeid"))
        if ident is None:
            continue
        found.append(
            Committee(
                id=ident,
                title=_text(element, "committeetitle") or f"committee {ident}",
                category=_text(element, "committeecategory"),
                deleted=_bool(_text(element, "committeedeleted")),
                expired=_bool(_text(element, "committeeexpired")),
            )
        )
    return found


def meetings(root: etree._Element) -> list[MeetingRef]:
    found = []
    for committee in root.iter("committee"):
        committee_id = _int(_text(committee, "committeeid"))
        title = _text(committee, "committeetitle")
        for element in committee.iter("meeting"):
            ident = _int(_text(element, "meetingid"))
            if ident is None:
                continue
            found.append(
                MeetingRef(
                    id=ident,
                    committee_id=committee_id or 0,
                    committee=title,
                    day=dmy(_text(element, "meetingdate")),
                    status=_text(element, "meetingstatus"),
                )
            )
    return found


def meeting(root: etree._Element) -> Meeting:
    items = root.find("agendaitems")
    agenda = list(items.iter("agendaitem")) if items is not None else []
    documents = []
    for item in agenda:
        item_title = _text(item, "agendaitemtitle")
        for doc in item.iter("linkeddoc"):
            url = _text(doc, "url")
            if not url:
                continue
            documents.append(
                LinkedDoc(
                    id=_text(doc, "attachmentid") or url,
                    title=_text(doc, "title"),
                    url=url,
                    item_title=_text(doc, "ownertitle") or item_title,
                    is_url=_bool(_text(doc, "isurl")),
                    restricted=_bool(_text(doc, "isrestricted")),
                    decision=_bool(_text(doc, "isdecisionattachment")),
                )
            )
    return Meeting(
        id=_int(_text(root, "meetingid")) or 0,
        day=dmy(_text(root, "meetingdate")),
        status=_text(root, "meetingstatus"),
        minutes_published=_bool(_text(root, "minutepublished")),
        items_with_minutes=sum(
            bool(_text(item, "minutesnonemptyhtmlbody")) or bool(_text(item, "decisionnonemptyhtmlbody"))
            for item in agenda
        ),
        documents=documents,
    )


def serialise(root: etree._Element) -> bytes:
    """The (entity-free) reply as a standalone XML file for the ingest reader."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def dmy(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _text(parent: etree._Element, name: str) -> str:
    found = parent.find(name)
    if found is None:
        return ""
    return "".join(found.itertext()).strip()


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _bool(text: str) -> bool:
    return text.strip().lower() in ("true", "1", "yes")
