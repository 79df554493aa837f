"""Which findings document is checked against which action plan.

An inspection report is answered by its own council's plan, not by every plan in the
database. Documents carry the council they are of (``documents.council``, detected at
ingest or given with ``ingest --council``); :func:`pair` pairs each findings document with
the plans of the same council (:func:`followthrough.language.councils.same`, which knows
that BCP is Bournemouth, Christchurch and Poole). A findings document no plan shares a
council with is paired with the plans whose council is unknown, and the pair says so; one
whose council is known and differs from every plan's is not checked, and is listed as such.
A findings document whose council is unknown is paired with the plans whose council is
unknown too, or, when every plan names its council, with every plan. Documents named on the command line on
both sides are paired as asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from followthrough.language import councils


@dataclass(frozen=True)
class DocInfo:
    id: int
    name: str
    council: str | None


@dataclass(frozen=True)
class Pair:
    findings: DocInfo
    plan: DocInfo
    basis: str  # "same council: X" | "named" | "plan council unknown" | "no plan of this council"

    def describe(self) -> str:
        return f"{self.findings.name} -> {self.plan.name} ({self.basis})"


def pair(findings: list[DocInfo], plans: list[DocInfo], *, named: bool = False) -> tuple[list[Pair], list[DocInfo]]:
    """Pairs (findings document, plan) in the order given, and the findings documents left
    without a plan (their council has none)."""
    out: list[Pair] = []
    unpaired: list[DocInfo] = []
    for f in findings:
        if named:
            out += [Pair(f, p, "named") for p in plans]
            continue
        unknown = [p for p in plans if not p.council]
        if f.council:
            same = [p for p in plans if councils.same(f.council, p.council)]
            if same:
                out += [Pair(f, p, f"same council: {p.council}") for p in same]
            elif unknown:
                out += [Pair(f, p, "plan's council unknown") for p in unknown]
            else:
                unpaired.append(f)
        elif unknown:
            out += [Pair(f, p, "council unknown") for p in unknown]
        else:
            out += [Pair(f, p, "report's council unknown") for p in plans]
    return out, unpaired
