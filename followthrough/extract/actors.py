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


def clean_speaker(name: str) -> str | None:
    name = re.sub(r"\s+", " ", name).strip(" ,–-")
    if not name or name.split()[0].lower() in PRONOUNS or len(name) > 120:
        return None
    return name


def passage_speaker(text: str) -> str | None:
    """The named speaker who opens ``text``, e.g. 'Corporate Director, Social Services and Wellbeing'."""
    match = speaker_pattern().match(text)
    return clean_speaker(match["speaker"]) if match else None


def speakers_in(text: str) -> list[tuple[int, str]]:
    """Every named speaker in ``text`` with the offset where their words start."""
    found = []
    for match in speaker_pattern().finditer(text):
        name = clean_speaker(match["speaker"])
        if name:
            found.append((match.start(), name))
    return found


_SUBJECT = re.compile(
    r"^(?:Action(?:\s+point)?\s*[:\-–]\s*)?(?:The\s+|the\s+)?"
    r"(?P<actor>(?:[A-Z][\w’'&\-]*|of|for|and|the|&)(?:[ ,]+(?:[A-Z(][\w’'&\-)]*|of|for|and|the|&)){0,8}?)"
    r"\s+(?:will|would|shall|to|undertook|agreed|gave|plans|intends|is\s+committed|has\s+committed|confirmed)\b"
)


def explicit_actor(text: str) -> str | None:
    """The named subject of an undertaking: 'The Board will ...' -> 'Board'."""
    match = _SUBJECT.match(text)
    if not match:
        return None
    return clean_speaker(match["actor"])
