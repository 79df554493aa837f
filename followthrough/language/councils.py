"""Which council (organisation) a document belongs to, and whether two names are one council.

Detected from the places that name the organisation a document is *of*, in its opening
lines: an inspection report's title ("Inspection of Devon local authority children's
services", "Area SEND inspection of Halton Local Area Partnership"), a council's own
heading ("Devon County Council", "Council of the Isles of Scilly", "London Borough of
Camden", "Manordeilo and Salem Community Council"). A council named later in running text
is usually another one, so only the opening is read.

Names are compared by a key: lower case, without the words that only say what sort of
council it is ("County Borough Council", "City and County of", "local authority"), and a
name matches its own initials ("BCP Council" is "Bournemouth, Christchurch and Poole").
"""

from __future__ import annotations

import re

OPENING = 1500  # characters of the document's opening that may name its council

_KIND_WORDS = (
    r"metropolitan borough|county borough|city and county|royal borough|london borough|"
    r"borough|county|city|district|community|town|parish|unitary"
)
# Capitalised words, joined by "and", "&", "of (the)", "upon", "on", commas or hyphens;
# case-sensitive inside the otherwise case-insensitive patterns.
_NAME = r"(?-i:[A-Z][\w'’.-]*(?:(?:,|\s+and|\s+&|\s+of(?:\s+the)?|\s+upon|\s+on|-)?\s*[A-Z][\w'’.-]*){0,5})"

_PATTERNS = [
    # Ofsted ILACS and SIF titles, SEND and JTAI titles
    re.compile(rf"\binspection of\s+(?P<name>{_NAME})\s+(?:local authority|local area partnership|council)\b", re.I),
    re.compile(
        rf"\binspection of\s+(?:services for children .{{0,60}}? in\s+)?(?P<name>{_NAME})\s+(?:local|council)\b", re.I
    ),
    # "London Borough of Camden", "City and County of Swansea", "Council of the Isles of Scilly"
    re.compile(
        rf"\b(?:London Borough|Royal Borough|City and County|Council|County Borough) of(?: the)?\s+(?P<name>{_NAME})"
    ),
    # "Devon County Council", "Bridgend County Borough Council", "BCP Council"
    re.compile(rf"(?P<name>{_NAME}?)\s+(?:(?:{_KIND_WORDS})\s+)*Council\b", re.I),
]

_STRIP = re.compile(
    rf"\b(?:the|of|council|cyngor|{_KIND_WORDS}|local authority|local area partnership|partnership)\b", re.I
)
_NOT_A_NAME = re.compile(r"^(?:the|a|an|this|our|each|every|full|county|city|borough|town|community|district)$", re.I)


def key(name: str) -> str:
    """A comparable form of a council's name: 'Devon County Council' -> 'devon'."""
    text = _STRIP.sub(" ", name.replace("&", " and "))
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _initials(k: str) -> str:
    return "".join(word[0] for word in k.split() if word not in {"and", "upon", "on"})


def same(a: str | None, b: str | None) -> bool:
    """True when both name the same council (by key, or one is the other's initials)."""
    if not a or not b:
        return False
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    for short, long in ((ka, kb), (kb, ka)):
        if " " not in short and len(short) >= 2 and len(long.split()) >= 2 and _initials(long) == short:
            return True
    return False


# Kind words, and the committee a heading may run on into ("London Borough of Camden Cabinet")
_TRAILING_KIND = re.compile(
    rf"(?:\s+(?:{_KIND_WORDS}|cabinet|executive|committee|board|panel|scrutiny|minutes|meeting))+$", re.I
)


def _tidy(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.-")
    return _TRAILING_KIND.sub("", name)


def detect(text: str) -> str | None:
    """The council a document is of, from its opening lines, or None."""
    # A heading in capitals ("MANORDEILO & SALEM COMMUNITY COUNCIL") is read in title case.
    lines = [line.title() if line.isupper() else line for line in text[:OPENING].splitlines()]
    opening = re.sub(r"\s+", " ", "\n".join(lines))
    for pattern in _PATTERNS:
        for found in pattern.finditer(opening):
            name = _tidy(found.group("name"))
            words = name.split()
            while words and _NOT_A_NAME.match(words[0]):
                words = words[1:]
            name = " ".join(words)
            if name and key(name) and len(name) <= 80:
                return name
    return None
