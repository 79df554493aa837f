"""From layout to candidate statements: structure first, then cue words clause by clause.

Structure is evidence: a "Decision:" label or a RESOLVED lead makes the parts below it
decisions; a heading such as "Priority areas for development" makes its bullets
recommendations; bullets under "Strengths" are not findings. Elsewhere each clause is
classified by the cue patterns in ``data/cues.jsonl``; one clause can be two kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from spacy.tokens import Doc

from followthrough.extract.actors import passage_speaker, reporting_verbs
from followthrough.extract.cues import CueIndex, Hit, heading_kind, is_procedural, procedural_anchors
from followthrough.extract.layout import Block, Sentence, blocks_of, sentences_of


@dataclass(slots=True)
class Candidate:
    kind: str
    start: int
    end: int
    speaker: str | None = None


def _resolution_verbs() -> str:
    text = resources.files("followthrough.extract").joinpath("data/resolution_verbs.txt").read_text("utf-8")
    return "|".join(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


RESOLUTION_VERBS = _resolution_verbs()
BODY = r"(?:Committee|Cabinet|Council|Executive|Board|Panel|Sub-Committee|Forum|Group|Commission|Partnership|meeting)"
NOT_SUBJUNCTIVE = r"(?:would|will|shall|should|could|may|might|must|can|cannot|to|not|is|are|was|were|has|have|had)\b"
RESOLUTION_LEAD = re.compile(
    r"^\s*[“\"‘']?\s*(?:(?:And|and)\s+)?(?:(?:RESOLVED|Resolved|AGREED|Agreed|DECIDED|Decided)\b\s*[:\-–]*\s*(?:that\b|That\b|to\b)?"
    r"|(?:DECISION|Decision)\s*[:\-–]\s*(?:that\b|That\b|to\b)?"
    # a body resolves ("Cabinet resolved to", "The Committee resolved:-"); an officer who
    # "agreed to bring a report" undertakes (a commitment)
    r"|(?:It\s+was\s+|(?:The\s+)?(?:[\w&’'-]+\s+){0,5}?" + BODY + r"\s+)"
    r"(?:(?:unanimously|also|further|then|therefore|subsequently)\s+)*(?:RESOLVED|resolved|AGREED|agreed|DECIDED|decided)\b\s*[:\-–]*\s*(?:unanimously\s+)?(?:that\b|to\b)?"
    # "Councillors voted to:", "Council voted in favour to"
    r"|(?:Members|Councillors|(?:The\s+)?(?:[\w&’'-]+\s+){0,5}?"
    + BODY
    + r")\s+(?:unanimously\s+)?voted\s+(?:unanimously\s+)?(?:in\s+favour\s+)?(?:that\b|to\b)"
    # "On 23 July 2024, Cabinet:-": the body, then its resolution's parts
    r"|(?:On\s+[\w\s,]{4,30}?,\s+)?(?:The\s+)?" + BODY + r"\s*:\s*-?\s*$"
    # "The Committee noted the contents of the report": the body's own act, kept whole
    r"|(?=(?:The\s+)?(?:[\w&’'-]+\s+){0,5}?" + BODY + r"\s+(?:(?:also|further|then|formally)\s+)?noted\s+the\b)"
    r"|That\s+the\s+[\w\s]{3,60}?\s+be\s+(?:advised|recommended|asked)\s+to\b"
    # "That this Council agrees to appoint ...", "That Council accept the report ..."
    r"|(?=That\s+(?:the\s+|this\s+)?" + BODY + r"\s+(?:\w+ly\s+)?(?:" + RESOLUTION_VERBS + r")(?:s|es)?\b)"
    # "That consideration is deferred to a Special Council Meeting"
    r"|(?=That\s+(?:[^.;\s]+\s+){1,6}?(?:is|are)\s+(?:hereby\s+)?(?:" + RESOLUTION_VERBS + r")(?:d|ed|red|ted)\b)"
    # a ModernGov decision printed without its label: "That the Committee is assured by ..."
    r"|(?=That\s+(?:the\s+)?(?:Committee|Cabinet|Council|Executive|Panel|Board|Sub-Committee|report|recommendations?|Members?|content)\b(?:(?!\b(?:would|will|should|could|may|might|must|can)\b)[^.]){0,200}?\b(?:is|are|be|was)\b)"
    # the subjunctive of a resolution ("That, the draft plan be approved"): no modal or
    # finite verb before its "be" ("That the council would be expected to ..." is no resolution)
    r"|(?=That,?\s+(?!(?:is|was|said|being)\b)(?:(?!"
    + NOT_SUBJUNCTIVE
    + r")[^.;\s]+\s+){0,40}?be\s+(?:\w+ly\s+)?(?:\w+ed|\w+en|made|set|put|held|sent|taken|given|noted)\b))\s*"
)
# "After discussion it was RESOLVED that ...", "... and resolved that ...", "Arising
# therefrom, it was remitted to the Director ...": a resolution that does not open its sentence.
MID_RESOLUTION = re.compile(
    r"(?=[iRAadr])(?<=[\s,])(?:it\s+was\s+(?:(?:unanimously|also|further|then|therefore|subsequently)\s+)*(?:resolved|agreed|decided)\s+(?:that|to)\b"
    r"|(?=it\s+was\s+(?:also\s+|further\s+)?remitted\s+to\b)"
    r"|resolved\s+(?:unanimously\s+)?(?:that\b|to\s+(?!the\b|an?\b|its\b|their\b)\w)"
    # "proposed by Cllr A, seconded by Cllr B and unanimously agreed to donate £100"
    r"|(?<=unanimously\s)(?:agreed|resolved|decided)\s+(?:that\b|(?:not\s+)?to\b)"
    r"|(?:RESOLVED|AGREED)\b\s*[:\-–]?\s*(?:that\b|That\b|to\b)?)\s*"
)
BARE_LEAD = re.compile(
    r"^\s*(?:(?:And|and)\s+)?(?:RESOLVED|Resolved|AGREED|Agreed|DECIDED|Decided|DECISIONS?|Decisions?)\s*[:\-–]*\s*$"
)
# A proposal the sentence itself records as carried: the whole sentence is the decision.
CARRIED = re.compile(
    r"(?=[\s\S]{0,250}?\bseconded\s+by\b[\s\S]{0,80}?\band\s+(?:unanimously\s+)?(?:agreed|carried|resolved)\W*$)"
)
LEAD_END = re.compile(r"(?:[:\-–—]|\bfollowing|\bthat|\bto)\s*$", re.IGNORECASE)
PART_PREFIX = re.compile(r"^\s*(?:\(?(?:[a-z]|[ivx]{1,5}|\d{1,2})\)|\d{1,2}\.)?\s*[“\"‘']?\s*(?:That,?\s+|that,?\s+)?")
PART_SUFFIX = re.compile(r"[;,.]?[”\"’']?\s*(?:and|or)?\s*[;,.]?\s*$")


# What a part of a resolution opens with: "That ...", "To note ...", "Notes the receipt",
# "Authorises the Chief Executive", "approve the recommendations", a quoted "That, ...",
# "Cabinet approved the revised plan".
PART_SHAPE = re.compile(
    r"^\s*(?:\(?(?:[a-z]|[ivx]{1,5}|\d{1,2})\)\s*|\d{1,2}(?:\.\d{1,2})?\.?\s+)?[“\"‘']?\s*"
    r"(?:[Tt]hat\b|[Tt]o\s+[a-z]|(?:(?:The\s+)?"
    + BODY
    + r"\s+(?:also\s+|further\s+|unanimously\s+)?)?(?i:(?:"
    + RESOLUTION_VERBS
    + r")(?:s|es|d|ed|red|ted)?)\b)"
)
# "The Committee noted the report and agreed that ...": two parts, each its own decision.
NEXT_ACT = re.compile(
    r",?\s+and\s+(?:(?:also|further|then)\s+)?(?=(?:agreed|resolved|decided|approved|endorsed|requested|noted)\s+(?:that|to|the)\b)"
)
HAS_VERB = re.compile(
    r"\b(?:be|been|is|are|was|were|has|have|had|will|would|to|approve[sd]?|agree[sd]?|note[sd]?|endorse[sd]?|"
    r"accept(?:ed|s)?|adopt(?:ed|s)?|confirm(?:ed|s)?|delegate[sd]?|receive[sd]?|authorise[sd]?|support(?:ed|s)?)\b",
    re.IGNORECASE,
)
DEADLINE = re.compile(
    r"\b(?:by|before|no\s+later\s+than|not\s+later\s+than)\s+(?:the\s+)?(?:end\s+of\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December|\d{1,2}/\d{1,2}/\d{2,4}|(?:the\s+)?(?:next|following)\s+meeting)\b",
    re.IGNORECASE,
)
# The two lookaheads say what every alternative starts with; without them the regex
# engine tries all six alternatives at every character (three times slower).
CLAUSE_BREAK = re.compile(
    r"(?=[;,\s])(?=;\s|,?\s+(?:but|and)\s|,\s+(?:whilst|while|although|though|however|whereas))(?:"
    r";\s+|,?\s+but\s+(?!also\b|not\b|only\b)|,\s+(?:whilst|while|although|though|however|whereas),?\s+"
    r"|,?\s+and\s+(?=(?:he|she|they)?\s*(?:asked|questioned|queried|requested|sought|enquired)\b)"
    r"|,?\s+and\s+that\s+"
    r"|,\s+and\s+(?=(?:the\s+|a\s+|an\s+|this\s+|these\s+|its\s+|their\s+)?\w+\s+(?:had|has|have|was|were|is|are|would|will|could|did)\b))"
)
SAME_KIND_BREAK = re.compile(
    r",?\s+(?:and|which|where|whilst|while)\s+(?=(?:a|an|the|it|this|that|these|those|they|he|she|we|there|officers|members|its|their|which|has|have|had|continued|continues)\b)",
    re.IGNORECASE,
)
ANY_JOIN = re.compile(r",?\s+and\s+")
LEAD_IN = re.compile(
    r"^(?:[A-Z][^.;:]{0,140}?\s+)?(?:said|stated|explained|advised|added|reported|noted|confirmed|informed\s+\w+|highlighted|"
    r"commented|replied|responded|emphasised|indicated|acknowledged|reiterated|outlined|clarified|stressed|considered|recognised)"
    r"(?:,\s+[^,]{1,80},)?\s+that\s+(?:,\s*)?",
)
# A sentence that opens a list of what should be done: "The Reading Youth Justice Service
# manager should:", "The inspection made the following recommendations:".
LIST_OF_RECOMMENDATIONS = re.compile(
    r"(?:\b(?:should|must|needs?\s+to|ought\s+to|(?:is|are)\s+(?:also\s+)?required\s+to|recommend(?:s|ed)?\s+that)\s*[:\-–]?"
    r"|\b(?:recommendations?|recommended|recommends|recommend)\s*:)\s*$",
    re.IGNORECASE,
)
LIST_OPENERS = frozenset(
    {"should", "must", "to", "that", "recommendation", "recommendations", "recommended", "recommends", "recommend"}
)
# "The Deputy Chief Executive advised that ...": an account of the debate, not a decision.
REPORTED = re.compile(
    r"^[^.;:]{0,160}?\b(?:advised|reported|explained|commented|informed|stated|said|outlined|presented|introduced|highlighted)\b"
)
EDGE_WORDS = re.compile(r"^(?:(?:and|but|or|so|also|then|however|whilst|while|which|that)\b|,|\s)+", re.IGNORECASE)
MIN_WORDS = 4
CUE_KINDS = ("recommendation", "concern", "commitment")  # found by cue words, not by structure
REPORTING = frozenset(reporting_verbs())
RESOLVING = frozenset(
    {"resolved", "agreed", "decided", "remitted", "carried"}
)  # MID_RESOLUTION has one of these (lower-cased)
PROCEDURAL = procedural_anchors()  # procedural text starts a word with one of these
# A statement is "the clause that makes the point": clauses longer than this are narrowed
# to the comma-delimited stretch around their cue words, and lose a reported-speech lead-in.
LONG_CLAUSE = 240


def classify_text(text: str, blocks: list[Block] | None = None, doc: Doc | None = None) -> list[Candidate]:
    """All candidate statements in a document's text (laid out as ``blocks``; ``doc``, its
    spaCy Doc, if there is one, lends its tokens to find cue anchors faster), in order."""
    return list(_walk(text, blocks if blocks is not None else blocks_of(text), CueIndex(text, doc)))


def _walk(text: str, blocks: list[Block], cue_index: CueIndex) -> Iterator[Candidate]:
    heading: str | None = None  # kind set by the last heading
    # None | "block" (after a Decision: label) | "list" (after a lead that introduces its
    # parts: "RESOLVED:", "The Committee resolved:-") | "parts" (after a whole resolution:
    # only what is shaped like a further part of it continues it)
    decision_mode: str | None = None
    first_block = False  # the block right after a Decision: label or a resolution's lead
    shapeless_list = False  # the first part of a list was a plain phrase: so are the rest
    speaker: str | None = None
    resolver: str | None = None  # the body whose resolution this is ("The Committee resolved:-")
    bullets_under_heading = False
    last_index = len(blocks) - 1
    for index, block in enumerate(blocks):
        if (
            first_block
            and decision_mode == "list"
            and (block.role == "item" or not any(c.isalpha() for c in block.text))
        ):
            continue  # a page break ("---", a page number) between a lead and its first part
        if block.role in ("item", "label", "heading"):
            speaker = resolver = None  # a new item or heading: whoever spoke above no longer speaks
        if block.role == "item":
            heading = decision_mode = None
            continue
        if block.role == "label":
            label = block.text.lower()
            heading = None
            decision_mode = "block" if label.startswith(("decision", "advice of")) else None
            first_block = decision_mode is not None
            if label.startswith("recommendation"):
                heading = "recommendation"
            continue
        if block.role == "paragraph" and "\n" not in block.text and block.text.rstrip().endswith(":"):
            if heading_kind(block.text.rstrip().rstrip(":")) in ("recommendation", "none"):
                block.role = "heading"  # "Areas for improvement:" introduces its list
        if block.role == "heading" and BARE_LEAD.match(block.text):
            block.role = "paragraph"  # "Resolved" on a line of its own introduces the parts below
        if block.role == "heading" and (decision_mode == "block" or (decision_mode == "list" and first_block)):
            block.role = "paragraph"  # a one-line decision with no full stop is text, not a heading
        if block.role == "heading":
            decision_mode = None
            heading = heading_kind(block.text)
            bullets_under_heading = False
            if heading is None and not is_procedural(block.text):
                # A headline can itself state a finding ("... but serious concerns remain").
                for sentence in sentences_of(block):
                    yield from _by_cues(cue_index, sentence, speaker, kinds=("concern", "recommendation"))
            continue
        truncated_tail = index == last_index
        if block.role == "bullet":
            bullets_under_heading = True
        elif bullets_under_heading:
            heading = None  # running text after the list: the heading no longer speaks for it
        if block.text.count(" | ") >= 2:
            continue  # an action-plan row written out as text: plan rows are linked, not extracted
        opens_block, first_block = first_block, False
        for number, sentence in enumerate(sentences_of(block)):
            # A speaker needs a reporting verb, a mid-sentence resolution "resolved" or
            # "agreed", procedure one of its anchor words: most sentences have none of
            # them, and skip those expressions.
            present = cue_index.anchors(sentence.start, sentence.end)
            found = passage_speaker(sentence.text) if not present.isdisjoint(REPORTING) else None
            lead = RESOLUTION_LEAD.match(sentence.text)
            mid = lead is None and not present.isdisjoint(RESOLVING)
            if mid:
                lead = MID_RESOLUTION.search(sentence.text)
                if lead is None:  # "The sum of £50.00 was proposed by A, seconded by B and unanimously agreed."
                    lead, mid = CARRIED.match(sentence.text), False
            if not (found or lead or decision_mode or heading == "recommendation") and not cue_index.may_find(
                CUE_KINDS, sentence.start, sentence.end
            ):
                continue  # no statement, no speaker, no change of mode: procedural or not
            if not present.isdisjoint(PROCEDURAL) and is_procedural(sentence.text):
                continue
            if found:
                speaker = found
            part = (
                decision_mode is not None
                and bool(decision_mode)
                and not lead
                and _continues_resolution(decision_mode, block, sentence, number, opens_block, shapeless_list)
            )
            if decision_mode == "list" and part and opens_block and number == 0:
                shapeless_list = not PART_SHAPE.match(sentence.text)
            if lead or part:
                rest_start = sentence.start + (lead.end() if lead else 0)
                rest = text[rest_start : sentence.end]
                introduces = not rest.strip() or (LEAD_END.search(rest) and len(rest.split()) < 25)
                if lead:
                    resolver = _resolving_body(sentence.text)
                if introduces and (lead or opens_block):
                    # "RESOLVED:", "That Cabinet:", "That the following be approved:": the parts follow
                    decision_mode, first_block, shapeless_list = "list", True, False
                    continue
                # "It was agreed to write to the Minister": the lead's "agreed to" is the undertaking
                undertaking = sentence.start + lead.start() if lead and lead.group(0).rstrip().endswith("to") else None
                if mid and lead:  # "... seconded by B and unanimously agreed to donate £100": quote the act
                    before = sentence.text[: lead.start()]
                    # with its lead-in when that is a mere adverbial ("Due to time constraints, it was agreed ...")
                    adverbial = (
                        before.rstrip().endswith(",") and len(before.split()) <= 8 and not REPORTED.search(before)
                    )
                    rest_start = sentence.start + (0 if adverbial else lead.start())
                # a resolution is the body's act: its undertakings are the body's, not the last speaker's
                yield from _decision(cue_index, text, rest_start, sentence.end, resolver, undertaking)
                if lead and decision_mode != "list":
                    decision_mode = "parts"
                continue
            if decision_mode in ("list", "parts") and block.role != "bullet":
                decision_mode = None  # running text after the resolution: it has ended
            if (
                number == len(sentences_of(block)) - 1
                and sentence.text.rstrip(" :-–").rpartition(" ")[2].lower() in LIST_OPENERS
                and LIST_OF_RECOMMENDATIONS.search(sentence.text[-60:])
            ):
                # "The Service manager should:" then bullets: each bullet is the recommendation
                heading, bullets_under_heading = "recommendation", False
                continue
            if heading == "recommendation" and (block.role == "bullet" or len(block.text) < 400):
                if len(sentence.text.split()) >= 2:  # a listed area can be a noun phrase ("Carers assessments")
                    yield Candidate("recommendation", sentence.start, sentence.end, speaker)
                continue
            if heading == "none" and block.role == "bullet":
                continue
            if (
                truncated_tail
                and sentence.end == block.end
                and not re.search(r"[.!?;:]\W*$", sentence.text)
                and len(sentence.text) < 40
            ):
                continue  # a stored excerpt cut mid-sentence: too little left to judge
            yield from _by_cues(cue_index, sentence, speaker)


RESOLVING_BODY = re.compile(r"\s*(?:On\s+[^,]{4,30},\s+)?(?:The\s+)?(?P<body>(?:[\w&’'-]+\s+){0,5}?" + BODY + r")\b")


def _resolving_body(sentence: str) -> str | None:
    """The body a resolution names as resolving ("The Policy and Sustainability Committee agreed:")."""
    match = RESOLVING_BODY.match(sentence)
    return match["body"] if match and match["body"][0].isupper() else None


def _continues_resolution(
    mode: str, block: Block, sentence: Sentence, number: int, opens_block: bool, shapeless_list: bool
) -> bool:
    """Whether a sentence without a lead of its own is a part of the resolution above it.

    Under a Decision: label the first block is the decision unless it reports what someone
    said; after that only what is shaped like a part ("That ...", "Notes the ...") is.
    After a lead that introduces parts, the block right after it is a part ("And Resolved:"
    then a quoted "That, ..." paragraph), and so is every later bullet shaped like one (or
    every later bullet, when the parts are plain phrases). After a whole resolution, only a
    further part shaped like one continues it.
    """
    shaped = bool(PART_SHAPE.match(sentence.text))
    if mode == "block":
        if opens_block:  # the whole block is the decision, or none of it is
            first = sentences_of(block)[0].text
            return not LEAD_IN.match(first) and not REPORTED.search(first[:200])
        return shaped or (opens_block and block.role == "bullet")
    if mode == "list":
        if opens_block:
            return True
        return block.role == "bullet" and (shaped or shapeless_list)
    return shaped and (block.role == "bullet" or sentence.text.lstrip("“\"‘' ").startswith(("That", "that")))


def _long_enough(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS


def _decision(
    index: CueIndex, text: str, start: int, end: int, speaker: str | None, undertaking: int | None = None
) -> Iterator[Candidate]:
    # "RESOLVED that (a) the report be noted; (b) ...": each lettered or numbered part its own decision
    parts = _inline_parts(text, start, end)
    if parts:
        for a, b in parts:
            yield from _decision(index, text, a, b, speaker)
        return
    # "The Committee noted the report and agreed that ...": each act its own part
    cuts = [m for m in NEXT_ACT.finditer(text, start, end)]
    for cut in cuts:
        yield from _decision_part(index, text, start, cut.start(), speaker, undertaking)
        start, undertaking = cut.end(), None
    yield from _decision_part(index, text, start, end, speaker, undertaking)


INLINE_MARK = re.compile(r"(?:(?<=[\s;:,])|^)\(?([a-z]|[ivx]{1,4}|\d{1,2})\)\s+")
_SEQUENCES = (
    "abcdefghijklmnop",
    ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"),
    tuple(str(n) for n in range(1, 21)),
)


def _inline_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of a resolution lettered or numbered within one sentence, "(a) ...; (b) ...":
    markers that run in sequence from the first, which opens the resolution."""
    marks = list(INLINE_MARK.finditer(text, start, end))
    if len(marks) < 2 or marks[0].start() - start > 40:
        return []
    labels = [m.group(1) for m in marks]
    for sequence in _SEQUENCES:
        if labels == list(sequence[: len(labels)]):
            bounds = [m.end() for m in marks]
            return [(a, marks[i + 1].start() if i + 1 < len(marks) else end) for i, a in enumerate(bounds)]
    return []


def _decision_part(
    index: CueIndex, text: str, start: int, end: int, speaker: str | None, undertaking: int | None = None
) -> Iterator[Candidate]:
    part = text[start:end]
    prefix = PART_PREFIX.match(part)
    start += prefix.end() if prefix else 0
    part = text[start:end]
    tail = max(0, len(part) - 24)  # the suffix is a few characters: a search from the start costs a scan of the part
    suffix = PART_SUFFIX.search(part, tail)
    if suffix and suffix.start() > 0:
        end = start + suffix.start()
    body = text[start:end]
    if len(body.split()) < 3 or not HAS_VERB.search(body):
        return
    yield Candidate("decision", start, end, speaker)
    # A resolution part that sets a deadline ("be endorsed for submission ... by 9 March
    # 2017") sets a future action: it is a commitment too.
    # So does one that agrees "to" act: the cue then starts in the lead, at ``undertaking``.
    if index.find("commitment", start if undertaking is None else undertaking, end) or DEADLINE.search(body):
        yield Candidate("commitment", start, end, speaker)
    # A committee resolving to recommend something to Cabinet makes a recommendation.
    if index.find("recommendation", start, end):
        yield Candidate("recommendation", start, end, speaker)


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    text = sentence.text
    # Every clause break holds one of these; a sentence with none is one clause.
    if ";" not in text and "," not in text and "and" not in text and "but" not in text:
        return [(0, len(text))] if text else []
    spans, pos = [], 0
    for match in CLAUSE_BREAK.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _by_cues(
    index: CueIndex,
    sentence: Sentence,
    speaker: str | None,
    kinds: tuple[str, ...] = CUE_KINDS,
) -> Iterator[Candidate]:
    if not index.may_find(kinds, sentence.start, sentence.end):
        return
    text = sentence.text
    for a, b in _clauses(sentence):
        clause = text[a:b]
        for kind in kinds:
            hits = index.find(kind, sentence.start + a, sentence.start + b)
            if not hits:
                continue
            for x, y in _split_same_kind(clause, hits):
                x, y = _tidy(clause, x, y, [h for h in hits if x <= h.start() < y])
                if y - x >= 12 and (_long_enough(clause[x:y]) or kind == "concern"):
                    yield Candidate(kind, sentence.start + a + x, sentence.start + a + y, speaker)


def _split_same_kind(clause: str, hits: list[Hit]) -> list[tuple[int, int]]:
    """Cut a clause between two cues of one kind joined by 'and'/'which' + a new subject."""
    cuts = []
    for first, second in zip(hits, hits[1:]):
        joins = [m for m in SAME_KIND_BREAK.finditer(clause, first.end(), second.end()) if m.end() <= second.start()]
        if not joins:  # "... was variable and too often ...": an "and" right before the second cue
            joins = [m for m in ANY_JOIN.finditer(clause, first.end(), second.start()) if m.end() == second.start()]
        if joins:
            cuts.append(joins[-1])
    spans, pos = [], 0
    for cut in cuts:
        if cut.start() <= pos:
            continue
        spans.append((pos, cut.start()))
        pos = cut.end()
    spans.append((pos, len(clause)))
    return spans


def _tidy(clause: str, x: int, y: int, hits: list[Hit]) -> tuple[int, int]:
    """Narrow a long clause around its cues; drop dangling joiners at the edges."""
    if y - x > LONG_CLAUSE and hits:
        lead = LEAD_IN.match(clause, x, y)
        if lead and y - lead.end() > 20:
            x = lead.end()
    if y - x > LONG_CLAUSE and hits:
        left = clause.rfind(",", x, hits[0].start())
        a = left + 1 if left >= 0 else x
        if len(clause[a:y].split()) >= MIN_WORDS:
            x = a
    if y - x > LONG_CLAUSE and hits:
        right = clause.find(",", hits[-1].end(), y)
        b = right if right >= 0 else y
        if len(clause[x:b].split()) >= MIN_WORDS:
            y = b
    piece = clause[x:y]
    edge = EDGE_WORDS.match(piece)
    if edge and edge.end() < len(piece):
        x += edge.end()
    piece = clause[x:y]
    stripped = piece.rstrip(" ,;:–-\t\n")
    y = x + len(stripped)
    return x, y
