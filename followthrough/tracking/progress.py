"""What a report-back says about a commitment: done, in progress, deferred, or just reported.

Patterns are in ``tracking/data/progress.json`` (general English of minutes, not one council's
wording). A re-dating is found elsewhere (a restated promise with a new due date).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

# Evidence kinds as stored, and the status each gives a commitment.
KINDS = ("reported", "done", "progress", "deferred", "re-dated", "related")
STATUS_OF = {
    "reported": "reported",
    "done": "done",
    "progress": "in progress",
    "deferred": "deferred",
    "re-dated": "re-dated",
}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    raw = json.loads(resources.files("followthrough.tracking").joinpath("data/progress.json").read_text("utf-8"))
    return [(kind, re.compile("|".join(f"(?:{p})" for p in raw[kind]), re.IGNORECASE)) for kind in raw["order"]]


# A further promise ("it was agreed that Cllr. Jones would enquire further") is work still
# in progress, unless the sentence reports something already done ("had written ... asking
# if she would").
_FURTHER = re.compile(r"\b(?:would|will|shall)\s+(?:now\s+|also\s+|further\s+)?(?!be\b|have\b)[a-z]+", re.IGNORECASE)
_DONE_ALREADY = re.compile(r"\b(?:had|has|have)\s+(?:been\s+)?[a-z]+(?:ed|en|tten|nt|de)\b", re.IGNORECASE)


def progress_kind(sentence: str) -> str:
    """'deferred', 'progress', 'done' or 'reported' for an evidence sentence."""
    patterns = dict(_patterns())
    if patterns["deferred"].search(sentence):
        return "deferred"
    if _FURTHER.search(sentence) and not _DONE_ALREADY.search(sentence):
        return "progress"
    for kind, pattern in _patterns():
        if pattern.search(sentence):
            return kind
    return "reported"
