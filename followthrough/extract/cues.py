"""Cue patterns from the data files, compiled once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from followthrough.models import STATEMENT_KINDS


def _data(name: str) -> str:
    return resources.files("followthrough.extract").joinpath(f"data/{name}").read_text("utf-8")


@dataclass(frozen=True)
class KindCues:
    """One kind's positive cues (all and modal-only) and its negations."""

    kind: str
    positive: re.Pattern[str] | None
    modal: re.Pattern[str] | None
    negative: re.Pattern[str] | None
    negative_modal_only: re.Pattern[str] | None


def _union(patterns: list[str], flags: int = 0) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


@lru_cache(maxsize=1)
def cues() -> dict[str, KindCues]:
    entries = [json.loads(line) for line in _data("cues.jsonl").splitlines() if line.strip()]
    out = {}
    for kind in STATEMENT_KINDS:
        mine = [e for e in entries if e["kind"] == kind]
        # Case matters for a few cues ("RESOLVED", "We"), so each pattern spells its own cases;
        # the ones written in lower case are matched case-insensitively via an inline flag.
        out[kind] = KindCues(
            kind=kind,
            positive=_union([e["pattern"] for e in mine if not e.get("negate")], re.IGNORECASE if kind != "decision" else 0),
            modal=_union([e["pattern"] for e in mine if not e.get("negate") and e.get("modal")], re.IGNORECASE),
            negative=_union([e["pattern"] for e in mine if e.get("negate") and not e.get("modal_only")], re.IGNORECASE),
            negative_modal_only=_union([e["pattern"] for e in mine if e.get("negate") and e.get("modal_only")], re.IGNORECASE),
        )
    return out


@lru_cache(maxsize=1)
def headings() -> dict[str, re.Pattern[str]]:
    data = json.loads(_data("headings.json"))
    return {
        kind: re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s*)?(?:" + "|".join(patterns) + r")\W*$", re.IGNORECASE)
        for kind, patterns in data.items()
        if not kind.startswith("_")
    }


@lru_cache(maxsize=1)
def procedural() -> re.Pattern[str]:
    lines = [l.strip() for l in _data("procedural.txt").splitlines()]
    return re.compile("|".join(f"(?:{l})" for l in lines if l and not l.startswith("#")), re.IGNORECASE)


def heading_kind(text: str) -> str | None:
    """'recommendation', 'none' or 'cues' for a heading that sets the kind of what follows."""
    for kind, pattern in headings().items():
        if pattern.match(text.strip()):
            return kind
    return None
