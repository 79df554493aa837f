"""Who is speaking: the named subject of a reporting verb in minutes."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

PRONOUNS = {"he", "she", "they", "it", "we", "i", "this", "that", "there", "members", "member"}


@lru_cache(maxsize=1)
def reporting_verbs() -> tuple[str, ...]:
    text = resources.files("followthrough.extract").joinpath("data/reporting_verbs.txt").read_text("utf-8")
    return tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


_TITLE_WORD = r"(?:[A-Z][\w’'&.\-]*|\([^)]{1,60}\)|of|for|and|the|&|–|-)"


@lru_cache(maxsize=1)
def speaker_pattern() -> re.Pattern[str]:
    verbs = "|".join(reporting_verbs())
    return re.compile(
        rf"(?:^|(?<=[.;:]\s))(?:The\s+|the\s+)?(?P<speaker>[A-Z][\w’'&.\-]*(?:,?\s+{_TITLE_WORD}){{0,12}}?)"
        rf"(?:\s*,\s*in\s+[^,]{{3,80}},)?\s+(?:also\s+|then\s+|further\s+)?(?:{verbs})\b"
    )


# A one-word speaker must be a role; longer names are titles or people.
ROLES = frozenset(
    "leader chair chairman chairperson chairwoman mayor clerk director minister cabinet council committee "
    "board panel executive officers inspectors secretary monitoring treasurer".split()
)
NOT_NAMES = frozenset(
    "a an the last first next agree approve note endorse accept receive consider ensure develop minor "
    "progress members member further each all any some this that these those".split()
)


def clean_speaker(name: str) -> str | None:
    name = re.sub(r"\s+", " ", name).strip(" ,–-")
    words = name.split()
    if not words or words[0].lower() in PRONOUNS or words[0].lower() in NOT_NAMES or len(name) > 120:
        return None
    if len(words) == 1 and words[0].lower() not in ROLES:
        return None
    return name


ROLE_NOUN = re.compile(
    r"\b(?:member|director|officer|chair\w*|leader|head|manager|committee|cabinet|council|executive|chief|"
    r"portfolio|holder|clerk|mayor|panel|board|inspector|auditor|minister|secretary)\b"
)


@lru_cache(maxsize=1)
def lower_case_role_pattern() -> re.Pattern[str]:
    """'The cabinet member children and families introduced ...': roles some councils write in lower case."""
    verbs = "|".join(reporting_verbs())
    return re.compile(
        rf"(?:The|the)\s+(?P<speaker>[a-z][\w’'&\-]*(?:\s+[a-z][\w’'&\-]*){{0,6}}?)\s+(?:also\s+)?(?:{verbs})\b"
    )


def passage_speaker(text: str) -> str | None:
    """The named speaker who opens ``text``, e.g. 'Corporate Director, Social Services and Wellbeing'."""
    match = speaker_pattern().match(text)
    if match:
        return clean_speaker(match["speaker"])
    match = lower_case_role_pattern().match(text)
    if match and ROLE_NOUN.search(match["speaker"]):
        return clean_speaker(match["speaker"])
    return None


_SUBJECT = re.compile(
    r"^(?:Action(?:\s+point)?\s*[:\-–]\s*)?(?:The\s+|the\s+)?"
    r"(?P<actor>(?:[A-Z][\w’'&\-]*|of|for|and|the|&)(?:[ ,]+(?:[A-Z(][\w’'&\-)]*|of|for|and|the|&)){0,8}?)"
    r"\s+(?:will|would|shall|to|undertook|agreed|gave|plans|intends|is\s+committed|has\s+committed|confirmed)\b"
)


NOT_SUBJECTS = frozenset(
    "due in on at following further as if when while whilst once after before during with for from also "
    "however this these those it its there action each every all any some".split()
)

INSPECTORATES = {
    "care inspectorate wales": "Care Inspectorate Wales",
    "ciw": "Care Inspectorate Wales",
    "cssiw": "Care and Social Services Inspectorate Wales",
    "ofsted": "Ofsted",
    "care quality commission": "Care Quality Commission",
    "cqc": "Care Quality Commission",
    "estyn": "Estyn",
    "audit wales": "Audit Wales",
    "wales audit office": "Wales Audit Office",
    "auditor general": "Auditor General for Wales",
    "commission for social care inspection": "Commission for Social Care Inspection",
}
_INSPECTORATE = re.compile(r"\b(" + "|".join(re.escape(k) for k in INSPECTORATES) + r")\b", re.IGNORECASE)
_WE = re.compile(r"^(?:[^,]{0,120},\s*)?we\s+(?:will|shall|would|intend|plan|expect)\b", re.IGNORECASE)


_ORGANISATION = re.compile(
    r"^(?:the\s+)?(?P<actor>local\s+authority|council|authority|service|department|directorate|partnership|health\s+board)"
    r"\s+(?:will|would|shall|plans|intends|undertook|agreed|is\s+committed|has\s+committed)\b",
    re.IGNORECASE,
)


def explicit_actor(text: str) -> str | None:
    """The named subject of an undertaking: 'The Board will ...' -> 'Board'."""
    organisation = _ORGANISATION.match(text)
    if organisation:
        return organisation["actor"][0].upper() + organisation["actor"][1:]
    match = _SUBJECT.match(text)
    if not match or match["actor"].split()[0].lower() in NOT_SUBJECTS:
        return None
    named = INSPECTORATES.get(re.sub(r"\s+", " ", match["actor"]).strip().lower())
    return named or clean_speaker(match["actor"])  # "CIW will monitor ..." -> Care Inspectorate Wales


def inspectorate_in(text: str) -> str | None:
    """The first inspectorate or auditor a document names, by its full name."""
    match = _INSPECTORATE.search(text)
    return INSPECTORATES[match.group(1).lower()] if match else None


def speaks_as_we(text: str) -> bool:
    """'We will continue to monitor ...': an inspectorate's own next step."""
    return bool(_WE.match(text))


# A person named with a title ("Cllr. J. Davies", "PCSO Anthony", "Cllrs K. Davies and Alun
# Davies"), a role in capitals ("Clerk", "Head of Housing Assets"), or an organisation or
# role written in lower case ("the council", "officers", "the regulator").
_PERSON = r"(?:(?:Cllrs?\.?|Councillors?|Mr|Mrs|Ms|Dr|PCSO|PC|Sgt|Prof\.?|Professor)\s+(?:[A-Z][\w.’'\-]*\s+){0,3}[A-Z][\w’'\-]*)"
_ROLE = r"(?:(?:[A-Z][\w’'&\-]*\s+){0,4}(?:Clerk|Chair(?:man|person)?|Officers?|Director|Manager|Secretary|Treasurer|Mayor|Leader|Inspector|Commissioner|Minister|Council|Committee|Cabinet|Board|Panel|Executive|Service|School|Authority|Regulator|Government|Ombudsman|Inspectorate|Contractor)(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’'&\-]*(?:\s+(?:and\s+)?[A-Z][\w’'&\-]*){0,4})?)"
_LOWER_ROLE = r"(?:officers|local\s+authority|council|authority|service|department|directorate|partnership|school|regulator|government|ombudsman|inspectorate|committee|cabinet|board|panel|clerk|contractor|provider)"
_INSPECTORATE_NAME = r"(?i:" + "|".join(re.escape(k) for k in sorted(INSPECTORATES, key=len, reverse=True)) + r")"
_ACTOR_NP = rf"(?:{_PERSON}|{_INSPECTORATE_NAME}|{_ROLE}|{_LOWER_ROLE})"
_SUBJECT_ANYWHERE = re.compile(
    rf"(?:^|[,;:]\s+|\band\s+|\bthat\s+)(?:[Tt]he\s+)?(?P<actor>{_ACTOR_NP}(?:\s*(?:and|&|/)\s*(?:the\s+)?(?:{_ACTOR_NP}|[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*){{0,2}}))?)"
    r"\s+(?:has\s+|have\s+|had\s+)?(?:also\s+|now\s+|then\s+|further\s+)?"
    r"(?:will|would|shall|to|is\s+to|are\s+to|undertook|agreed|agrees|gave|plans|intends|is\s+committed|has\s+committed|(?:was|were)\s+(?:also\s+)?asked\s+to)\b"
)


def subject_actor(text: str) -> str | None:
    """The person, role or organisation that is the subject of an undertaking anywhere in
    ``text`` (the first one named): '..., Clerk to report' -> 'Clerk', 'The Council has
    agreed to apologise' -> 'Council', 'Cllr. J. Davies would follow up' -> 'Cllr. J. Davies'."""
    found = _SUBJECT_ANYWHERE.search(text)
    if found is None:
        return None
    actor = re.sub(r"\s+", " ", found["actor"]).strip()
    if actor.lower().startswith("the "):
        actor = actor[4:]
    if actor.lower() in INSPECTORATES:
        return INSPECTORATES[actor.lower()]
    return actor[0].upper() + actor[1:] if actor else None
