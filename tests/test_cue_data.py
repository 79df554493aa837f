"""The cue data file is consistent: every cue compiles, and its anchors really gate it.

A cue's ``anchors`` let a clause skip the regular expression when none occurs in it; an
anchor list that misses a word the pattern can match would silently lose statements.
Checked against every sentence of the corpus and the long Limerick minutes.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from followthrough.extract.cues import anchors_in, cues
from followthrough.language.patterns import split_alternatives

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = [
    json.loads(line)
    for line in resources.files("followthrough.extract").joinpath("data/cues.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


def corpus_text() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").rglob("*.md"))]
    return "\n".join(texts)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e['kind']}:{e['pattern'][:30]}")
def test_every_unanchored_case_insensitive_cue_has_anchors_that_cover_its_matches(entry):
    re.compile(entry["pattern"])
    if entry.get("case") or "^" in entry["pattern"]:
        return
    anchors = entry.get("anchors")
    assert anchors, "an unanchored cue needs anchors"
    text = corpus_text().lower()
    for match in re.finditer(entry["pattern"], text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        assert anchors_in(line) & set(anchors), f"{match.group(0)!r} has none of {anchors}"


def test_split_alternatives_respects_groups_classes_and_escapes():
    assert split_alternatives(r"\ba|\b(?:b|c)|[|]|\|x") == [r"\ba", r"\b(?:b|c)", "[|]", r"\|x"]


def test_all_kinds_have_cues():
    assert all(table.positive for table in cues().values())


def test_procedural_anchors_cover_every_procedural_pattern():
    from followthrough.extract.cues import _procedural, is_procedural

    anchors, expressions = _procedural()
    samples = [
        "RESOLVED: That the minutes of the meeting dated 11/04/2023 be approved as a true and accurate record.",
        "Councillor Richard Williams declared a personal interest in agenda item 5.",
        "Apologies for absence were received from Councillor Smith.",
        "Present: Councillor K. Hatton (Chairman)",
        "REASON: To enable progress to be made.",
        "As detailed in the recommendations.",
        "Approval of Minutes pdf icon PDF 233 KB",
        "RESOLVED: That under Section 100A(4) of the Local Government Act 1972 the public be excluded from the meeting.",
        "The next meeting will be held on 12 March 2024 at 10am.",
        "The meeting closed at 4.30 pm.",
    ]
    for sample in samples:
        assert is_procedural(sample), sample
    # Each expression is tried only when one of the anchors written in it occurs.
    text = corpus_text() + "\n" + "\n".join(samples)
    for pattern, mine in expressions:
        assert mine and mine <= set(anchors), pattern.pattern
        for match in pattern.finditer(text):
            assert any(a in match.group(0).lower() for a in mine), match.group(0)


def test_topic_gating_by_word_heads_loses_no_topic():
    """topics_of skips a topic's regex when no word starts with one of its terms' heads;
    over every line of the corpus that must give the same topics as running them all."""
    from followthrough.language.patterns import word_matches
    from followthrough.language.topics import _patterns, topics_of

    for line in corpus_text().splitlines():
        lower = line.lower()
        everything = [t for t, pattern, boundary in _patterns() if word_matches(pattern, lower, boundary, first=True)]
        assert topics_of(line) == everything, line


def test_token_anchors_cover_word_anchors_on_every_clause_of_the_corpus():
    """With a Doc, CueIndex reads anchors off the tokens; they must include every anchor the
    words of the clause have, or a cue would be skipped that the text can match."""
    import spacy

    from followthrough.extract.classify import _clauses
    from followthrough.extract.cues import CueIndex
    from followthrough.extract.layout import blocks_of, sentences_of

    nlp = spacy.blank("en")
    text = corpus_text() + "\n(a)will review\nThey cannot deliver it, and we're planning to.\n"
    index = CueIndex(text, nlp.make_doc(text))
    checked = 0
    for block in blocks_of(text):
        for sentence in sentences_of(block):
            ranges = [(sentence.start, sentence.end)]
            ranges += [(sentence.start + a, sentence.start + b) for a, b in _clauses(sentence)]
            for start, end in ranges:
                assert index._anchors_between(start, end) >= anchors_in(text[start:end].lower()), text[start:end]
                checked += 1
    assert checked > 500


def test_no_tokenizer_special_case_splits_an_anchor_word():
    """Tokens such as "can" + "not" from "cannot" must keep the anchors of the whole word."""
    import spacy
    from spacy.attrs import ORTH

    for orth, pieces in spacy.blank("en").tokenizer.rules.items():
        parts = frozenset().union(*(anchors_in(piece[ORTH].lower()) for piece in pieces))
        assert anchors_in(orth.lower()) <= parts, orth


def test_signal_words_gate_no_speaker_and_no_resolution_away():
    """_walk skips the speaker, mid-sentence resolution and procedural expressions on
    sentences without a reporting verb, "resolved"/"agreed" or a procedural anchor; on the
    corpus that must lose nothing."""
    import spacy

    from followthrough.extract.actors import passage_speaker
    from followthrough.extract.classify import MID_RESOLUTION, PROCEDURAL, REPORTING, RESOLVING
    from followthrough.extract.cues import CueIndex, is_procedural
    from followthrough.extract.layout import blocks_of, sentences_of

    text = (
        corpus_text()
        + "\nAfter discussion it was RESOLVED that the plan be approved.\nThe cabinet member children and families introduced the report.\n"
    )
    index = CueIndex(text, spacy.blank("en").make_doc(text))
    speakers = resolutions = procedural = 0
    for block in blocks_of(text):
        for sentence in sentences_of(block):
            present = index.anchors(sentence.start, sentence.end)
            if passage_speaker(sentence.text):
                speakers += 1
                assert not present.isdisjoint(REPORTING), sentence.text
            if MID_RESOLUTION.search(sentence.text):
                resolutions += 1
                assert not present.isdisjoint(RESOLVING), sentence.text
            if is_procedural(sentence.text):
                procedural += 1
                assert not present.isdisjoint(PROCEDURAL), sentence.text
    assert speakers > 10 and resolutions > 0 and procedural > 10


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.get("anchors")], ids=lambda e: f"{e['kind']}:{e['pattern'][:30]}"
)
def test_anchors_occur_in_every_text_a_cue_can_match(entry):
    """Random texts drawn from the cue's own pattern, not only the corpus: a missing anchor
    (one alternative of the pattern without any) makes the gate drop that alternative."""
    from regex_samples import matches

    pattern = re.compile(entry["pattern"])
    anchors = set(entry["anchors"])
    found = 0
    for text in matches(pattern, 2000, lower=not entry.get("case")):
        found += 1
        assert anchors_in(text.lower()) & anchors, f"{text!r} has none of {sorted(anchors)}"
    assert found > 20


def test_procedural_anchors_occur_in_every_text_an_expression_can_match():
    from regex_samples import matches

    from followthrough.extract.cues import _procedural

    for pattern, mine in _procedural()[1]:
        for text in matches(pattern, 1000):
            # _walk skips is_procedural when no word starts with an anchor: word starts, not substrings
            assert anchors_in(text.lower()) & mine, (pattern.pattern, text)


def test_prefix_index_finds_every_prefix_of_a_word_and_remembers_it():
    from followthrough.language.prefixes import PrefixIndex

    index = PrefixIndex([("will", "will"), ("wi", "wi"), ("?", "?"), ("a", "a"), ("concern", 3)], memory=4)
    assert index.of_word("willing") == {"will", "wi"}
    assert index.of_word("and") == {"a"}
    assert index.values_of(["concerns", "?", "the", "the", "willing"]) == {3, "?", "will", "wi"}
    assert index.of_word("the") == frozenset()
    for word in ["x1", "x2", "x3", "x4", "x5"]:  # past its memory it starts afresh, and stays right
        assert index.of_word(word) == frozenset()
    assert index.of_word("willing") == {"will", "wi"}


def test_token_anchors_stay_right_when_their_memory_starts_afresh():
    """Past its memory TokenAnchors forgets every token text; the document being read at
    that moment must still get the anchors of tokens it had already seen."""
    import spacy

    from followthrough.extract.cues import TokenAnchors

    nlp = spacy.blank("en")
    first, second = nlp.make_doc("Officers will report back"), nlp.make_doc("They will report it soon")
    expected = [bool(anchors_in(token.lower_)) for token in second]
    table = TokenAnchors(memory=4)
    table.has_anchors(first.to_array("LOWER"), nlp.vocab.strings)
    assert list(table.has_anchors(second.to_array("LOWER"), nlp.vocab.strings)) == expected
    assert any(expected)
