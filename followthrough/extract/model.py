"""The learned sentence classifier: which sentences state a recommendation, concern,
commitment or decision, given what the rules found, the words, the layout and the
neighbouring sentences.

The rules (cues, resolution leads, headings) run first and stay the source of the
statement spans; this model decides, sentence by sentence and kind by kind, whether a
statement of that kind is there. Where it says yes and the rules found clauses of that kind
in the sentence, the rules' clauses are the statements; where the rules found none, the
whole sentence is. Where it says no, the rules' clauses of that kind are dropped, except
items the rules placed in a report's own improvement list (a ``section`` marker).

Inference needs numpy (and the WordLlama encoder the package already uses), not
scikit-learn: the trained head is one linear model per kind over sparse features and
the sentence embedding, stored with its vocabulary and idf weights in ``data/model.npz`` (see
:mod:`followthrough.extract.train`, ``followthrough train``). Features are computed here
for training and inference alike, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import math
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy

from followthrough.extract.layout import Block, sentences_of
from followthrough.models import STATEMENT_KINDS

ARTEFACT = "data/model.npz"
FORMAT_VERSION = 1
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
DIGITS = re.compile(r"\d")
# A sentence this much longer than the statement it holds no longer matches it (the
# scorer's 3x + 120 rule); longer sentences without a rule clause are cut at clause breaks.
LONG_SENTENCE = 400
RESOLUTION_WORDS = re.compile(r"^\W*(?:resolved|agreed|decided|decision|that\b)", re.IGNORECASE)
NEIGHBOUR_WEIGHT = 0.5
HEADING_WEIGHT = 0.5
# Sentence embeddings (WordLlama, followthrough.language.encoder) as dense ``e:`` features:
# off unless grouped cross-validation shows they pay (see the README's figures).
EMBEDDINGS = True
EMBEDDING_WEIGHT = 1.0
# Character 4-grams inside words ("inconsistencies" shares "onsi", "sist" with
# "inconsistent"): ``c:`` features, off unless grouped CV shows they pay.
CHARS = False
CHAR_WEIGHT = 0.5
NEIGHBOURS = True


@dataclass(slots=True)
class Unit:
    """A sentence as the layout segments it, with what the rules found in it."""

    start: int
    end: int
    text: str
    role: str  # the block's role: paragraph, bullet, heading, label
    heading: str  # the text of the last heading or label above
    index: int  # position among the document's units
    rule_kinds: set[str] = field(default_factory=set)
    candidates: list = field(default_factory=list)  # rule spans (start, end, kind, payload) inside this unit


def units_of(text: str, blocks: list[Block], rule_spans: Iterable[tuple[int, int, str, object]]) -> list[Unit]:
    """The document's sentences in order, each with the rule spans that start inside it."""
    units: list[Unit] = []
    heading = ""
    for block in blocks:
        if block.role in ("heading", "label", "item"):
            heading = block.text.strip()[:120]
        for sentence in sentences_of(block):
            if sentence.text.strip():
                units.append(Unit(sentence.start, sentence.end, sentence.text, block.role, heading, len(units)))
    starts = [u.start for u in units]
    for span in sorted(rule_spans, key=lambda s: s[0]):
        start = span[0]
        i = int(numpy.searchsorted(starts, start, side="right")) - 1
        if i < 0:
            i = 0
        if not units:
            break
        units[i].candidates.append(span)
        units[i].rule_kinds.add(span[2])
    return units


def _words(text: str) -> list[str]:
    return WORD.findall(DIGITS.sub("0", text.lower()))


def _ngrams(text: str) -> list[str]:
    words = _words(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def features(units: list[Unit], doc_kind: str | None, words: bool = True) -> list[dict[str, float]]:
    """Raw features of each unit, before idf weighting: ``w:`` n-grams of the sentence,
    ``p:``/``n:`` of the neighbours, ``h:`` of the heading above, and binary structure
    and rule features (``words=False``: all but ``w:``, ``p:`` and ``n:``, which
    :meth:`SentenceModel.probabilities` computes faster itself)."""
    grams = [_ngrams(u.text) for u in units]
    heads: dict[str, list[str]] = {}
    out = []
    total = max(len(units), 1)
    for i, unit in enumerate(units):
        f: dict[str, float] = {}
        if words:
            for g in grams[i]:
                f["w:" + g] = f.get("w:" + g, 0.0) + 1.0
        if words and NEIGHBOURS and i > 0:
            for g in grams[i - 1]:
                f["p:" + g] = 1.0
        if words and NEIGHBOURS and i + 1 < len(units):
            for g in grams[i + 1]:
                f["n:" + g] = 1.0
        if CHARS:
            for word in grams[i]:
                if " " in word:
                    continue
                padded = f"<{word}>"
                for j in range(len(padded) - 3):
                    key = "c:" + padded[j : j + 4]
                    f[key] = f.get(key, 0.0) + 1.0
        if unit.heading:
            if unit.heading not in heads:
                heads[unit.heading] = _words(unit.heading)
            for g in heads[unit.heading]:
                f["h:" + g] = 1.0
        binary = [
            "bias:1",
            "role:" + unit.role,
            "doc:" + (doc_kind or "other"),
            "pos:%d" % min(4, int(5 * i / total)),
            "len:%d" % min(6, int(math.log2(1 + len(unit.text.split())))),
            "first:" + (grams[i][0] if grams[i] else ""),
        ]
        if RESOLUTION_WORDS.match(unit.text):
            binary.append("resolution_lead")
        if i > 0:
            binary.append("prev_role:" + units[i - 1].role)
        for kind in unit.rule_kinds:
            binary.append("rule:" + kind)
            binary.append("rule:%s&role:%s" % (kind, unit.role))
        if not unit.rule_kinds:
            binary.append("rule:none")
        if i > 0:
            binary += ["rule_prev:" + k for k in units[i - 1].rule_kinds]
        if i + 1 < len(units):
            binary += ["rule_next:" + k for k in units[i + 1].rule_kinds]
        for b in binary:
            f["x:" + b] = 1.0
        out.append(f)
    if EMBEDDINGS and words and units:
        vectors = _embeddings(units)
        for f, row in zip(out, vectors.tolist()):
            for j, value in enumerate(row):
                f["e:%d" % j] = value
    return out


def _embeddings(units: list[Unit]) -> numpy.ndarray:
    from followthrough.language.encoder import embed

    return embed([u.text for u in units]).astype("float64") * EMBEDDING_WEIGHT


PREFIX_WEIGHT = {"w:": 1.0, "p:": NEIGHBOUR_WEIGHT, "n:": NEIGHBOUR_WEIGHT, "h:": HEADING_WEIGHT, "c:": CHAR_WEIGHT}


def vectorise(raw: dict[str, float], vocabulary: dict[str, int], idf: numpy.ndarray) -> tuple[list[int], list[float]]:
    """Columns and values of one unit: each n-gram group tf-idf weighted and L2-normalised
    (times its group weight), the binary features as they are."""
    groups: dict[str, tuple[list[int], list[float]]] = {}
    cols: list[int] = []
    vals: list[float] = []
    for name, value in raw.items():
        j = vocabulary.get(name)
        if j is None:
            continue
        prefix = name[:2]
        if prefix == "x:" or prefix == "e:":
            cols.append(j)
            vals.append(value)
            continue
        c, v = groups.setdefault(prefix, ([], []))
        c.append(j)
        v.append((1.0 + math.log(value)) * float(idf[j]))
    for prefix, (c, v) in groups.items():
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        weight = PREFIX_WEIGHT[prefix] / norm
        cols += c
        vals += [x * weight for x in v]
    return cols, vals


@dataclass
class SentenceModel:
    """One linear model per kind over the features above, with per-kind thresholds."""

    vocabulary: dict[str, int]
    idf: numpy.ndarray  # per column (1.0 for binary features)
    weights: numpy.ndarray  # columns x kinds
    bias: numpy.ndarray  # kinds
    thresholds: numpy.ndarray  # kinds x 2: the probability that keeps a rule clause, that adds a sentence
    metadata: dict

    kinds: tuple[str, ...] = STATEMENT_KINDS

    def probabilities(self, units: list[Unit], doc_kind: str | None) -> numpy.ndarray:
        """units x kinds probabilities (the same numbers as vectorising :func:`features`,
        computed faster: each distinct n-gram of a document is looked up once, and a
        sentence's words serve as its own ``w:`` and its neighbours' ``p:``/``n:``)."""
        scores = numpy.tile(self.bias, (len(units), 1)).astype("float64")
        if not units:
            return scores
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        self._words_part(units, rows, cols, vals)
        dense = self.__dict__.get("_dense")
        if dense is None:
            from followthrough.language.encoder import DIM

            names = ["e:%d" % j for j in range(DIM)]
            dense = self.__dict__["_dense"] = (
                numpy.array([self.vocabulary[n] for n in names])
                if all(n in self.vocabulary for n in names)
                else numpy.zeros(0, int)
            )
        if len(dense):  # trained with sentence embeddings: one matrix product
            scores += _embeddings(units) @ self.weights[dense]
        for i, raw in enumerate(features(units, doc_kind, words=False)):
            c, v = vectorise(raw, self.vocabulary, self.idf)
            rows += [i] * len(c)
            cols += c
            vals += v
        if cols:
            contribution = self.weights[numpy.asarray(cols)] * numpy.asarray(vals)[:, None]
            index = numpy.asarray(rows)
            for k in range(scores.shape[1]):
                scores[:, k] += numpy.bincount(index, weights=contribution[:, k], minlength=len(units))
        return 1.0 / (1.0 + numpy.exp(-scores))

    def _words_part(self, units: list[Unit], rows: list[int], cols: list[int], vals: list[float]) -> None:
        vocabulary = self.vocabulary
        idf = self.__dict__.get("_idf_list")
        if idf is None:
            idf = self.__dict__["_idf_list"] = self.idf.tolist()  # list indexing: no numpy scalars
        looked: dict[str, tuple[int, int, int]] = {}
        last = len(units) - 1
        for i, unit in enumerate(units):
            counts: dict[str, int] = {}
            for g in _ngrams(unit.text):
                counts[g] = counts.get(g, 0) + 1
            parts: tuple[tuple[list[int], list[float]], ...] = (([], []), ([], []), ([], []))
            for g, count in counts.items():
                found = looked.get(g)
                if found is None:
                    found = looked[g] = (
                        vocabulary.get("w:" + g, -1),
                        vocabulary.get("p:" + g, -1),
                        vocabulary.get("n:" + g, -1),
                    )
                w, p, n = found
                if w >= 0:
                    parts[0][0].append(w)
                    parts[0][1].append(idf[w] if count == 1 else (1.0 + math.log(count)) * idf[w])
                if p >= 0:
                    parts[1][0].append(p)
                    parts[1][1].append(idf[p])
                if n >= 0:
                    parts[2][0].append(n)
                    parts[2][1].append(idf[n])
            # own words; as the previous sentence of i + 1; as the next sentence of i - 1
            targets = (
                (i, 1.0, True),
                (i + 1, NEIGHBOUR_WEIGHT, NEIGHBOURS and i < last),
                (i - 1, NEIGHBOUR_WEIGHT, NEIGHBOURS and i > 0),
            )
            for (c, v), (row, weight, wanted) in zip(parts, targets):
                if not wanted or not c:
                    continue
                scale = weight / (math.sqrt(sum(x * x for x in v)) or 1.0)
                rows += [row] * len(c)
                cols += c
                vals += [x * scale for x in v]

    def save(self, path: str | Path | typing.BinaryIO) -> None:
        names = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        numpy.savez_compressed(
            path,
            vocabulary=numpy.array("\n".join(names)),
            idf=self.idf.astype("float32"),
            weights=self.weights.astype("float32"),
            bias=self.bias.astype("float64"),
            thresholds=self.thresholds.astype("float64"),
            metadata=numpy.array(json.dumps(self.metadata, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: str | Path) -> SentenceModel:
        with numpy.load(path, allow_pickle=False) as data:
            names = str(data["vocabulary"]).split("\n")
            metadata = json.loads(str(data["metadata"]))
            if metadata.get("format") != FORMAT_VERSION:
                raise ValueError(f"{path}: model format {metadata.get('format')}, this code reads {FORMAT_VERSION}")
            return cls(
                vocabulary={name: i for i, name in enumerate(names)},
                idf=data["idf"].astype("float64"),
                weights=data["weights"].astype("float64"),
                bias=data["bias"],
                thresholds=data["thresholds"],
                metadata=metadata,
            )


@cache
def shipped_model() -> SentenceModel | None:
    """The model in the installed package (None if none was trained); never downloads."""
    resource = resources.files("followthrough.extract").joinpath(ARTEFACT)
    if not resource.is_file():
        return None
    with resources.as_file(resource) as path:
        return SentenceModel.load(path)


CLAUSE_CUT = re.compile(r";\s+|,\s+(?:but|whilst|while|although|however|and)\s+|:\s+")


def sentence_spans(unit: Unit) -> list[tuple[int, int]]:
    """The span(s) to output for a sentence the model marks and the rules left empty:
    the sentence, or its clauses when it is too long to match one statement."""
    text = unit.text
    lead = len(text) - len(text.lstrip())
    tail = len(text.rstrip())
    if tail - lead <= LONG_SENTENCE:
        return [(unit.start + lead, unit.start + tail)]
    spans, pos = [], lead
    for m in CLAUSE_CUT.finditer(text, lead, tail):
        if m.start() - pos >= 40:
            spans.append((unit.start + pos, unit.start + m.start()))
            pos = m.end()
    spans.append((unit.start + pos, unit.start + tail))
    return spans


def decide(
    units: list[Unit], probabilities: numpy.ndarray, thresholds: numpy.ndarray, kinds: tuple[str, ...] = STATEMENT_KINDS
) -> list[tuple[int, int, str, float, object]]:
    """The statements to keep: (start, end, kind, confidence, rule payload or None).

    Two cuts per kind: a sentence where the rules found clauses of the kind keeps them
    when the probability reaches ``thresholds[k, 0]``; a sentence where they found none
    becomes a statement when it reaches ``thresholds[k, 1]``.
    """
    out = []
    for unit, row in zip(units, probabilities):
        for k, kind in enumerate(kinds):
            p = float(row[k])
            mine = [c for c in unit.candidates if c[2] == kind]
            if mine:
                # a report's own improvement list is structure, not a guess: its items stay
                out += [
                    (c[0], c[1], kind, p, c[3]) for c in mine if p >= thresholds[k, 0] or getattr(c[3], "section", None)
                ]
            elif p >= thresholds[k, 1]:
                out += [(a, b, kind, p, None) for a, b in sentence_spans(unit)]
    return out
