"""Which council or body a gold document belongs to, for grouped cross-validation.

Held-out evaluation must leave whole councils out: two documents of one council share
its wording, so a model scored on a council it was trained on looks better than it is.
The group is read from the file name, which in every gold set starts with the council or
body ("anglesey_executive_2018-...", "accounts_commission_angus_...", "audit_wales_..."):
the longest multi-word name in ``data/model_groups.txt`` the name starts with, else its
first word. Underscores are dropped, so "blaenau_gwent_gac" and "blaenaugwent_news" are
one group ("blaenaugwent").
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import PurePath


@cache
def multi_word_names() -> tuple[str, ...]:
    """The multi-word council and body names, longest first."""
    text = resources.files("followthrough.extract").joinpath("data/model_groups.txt").read_text(encoding="utf-8")
    names = [line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(sorted(names, key=len, reverse=True))


def group_of(name: str) -> str:
    """The council or body of a document named ``name`` (a file name or path).

    >>> group_of("anglesey_corporate_scrutiny_2018-12-10_sip_monitoring_items1-2.txt")
    'anglesey'
    >>> group_of("accounts_commission_angus_council_best_value_followup.txt")
    'accountscommission'
    >>> group_of("blaenaugwent_news_2018.txt") == group_of("blaenau_gwent_gac_2019.txt")
    True
    """
    stem = PurePath(name).name.lower()
    squashed = stem.replace("_", "").replace("-", "")
    for multi in multi_word_names():
        key = multi.replace("_", "")
        if squashed.startswith(key) and stem.startswith(multi.split("_")[0]):
            return key
    first = stem.replace("-", "_").split("_")[0]
    return first.split(".")[0]
