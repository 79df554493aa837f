"""Training and grouped cross-validation of the learned sentence classifier.

The rules run live on every training document (so retraining after a change to the cues
or the layout learns from the rules as they now are); each sentence is labelled with the
kinds of the gold statements it contains, by the scorer's own test (the gold quote inside
the sentence, ``partial_ratio`` >= 90 of the normalised strings). One logistic regression
per kind (scikit-learn, fixed seed); each kind's threshold is chosen by cross-validation
inside the training documents, grouped by council, never on held-out documents.

scikit-learn is needed here only (the ``train`` extra); inference reads the stored
coefficients with numpy.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy
from rapidfuzz import fuzz

from followthrough.errors import UsageError
from followthrough.extract.evaluate import MIN_SCORE, Evaluation, normalise
from followthrough.extract.groups import group_of
from followthrough.extract.model import ARTEFACT, FORMAT_VERSION, SentenceModel, Unit, features, units_of, vectorise
from followthrough.models import STATEMENT_KINDS, Document

SEED = 0
C = 1.0  # inverse regularisation of each kind's logistic regression
MIN_DF = 2  # n-grams seen in fewer training sentences are left out of the vocabulary
INNER_FOLDS = 4  # grouped folds inside the training documents, for the thresholds
CLASS_WEIGHT: str | None = None


@dataclass
class GoldDocument:
    name: str
    group: str
    path: Path
    meeting_date: date | None
    gold: list[dict[str, Any]]


@dataclass
class Prepared:
    """A gold document after the rules ran on it: its sentences, features and labels."""

    source: GoldDocument
    document: Document
    doc: Any  # the spaCy Doc after layout and rules
    units: list[Unit]
    raw: list[dict[str, float]]
    labels: numpy.ndarray  # units x kinds, 0/1
    extra: dict = field(default_factory=dict)


def gold_documents(sets: Sequence[tuple[str | Path, str | Path | None]]) -> list[GoldDocument]:
    """The gold files of each (gold folder, documents folder) pair, in name order."""
    out = []
    for gold_dir, docs_dir in sets:
        gold_dir = Path(gold_dir)
        docs = Path(docs_dir) if docs_dir else gold_dir.parent / "docs"
        files = sorted(gold_dir.glob("*.gold.json"))
        if not files:
            raise UsageError(f"{gold_dir}: no *.gold.json files")
        for path in files:
            data = json.loads(path.read_text(encoding="utf-8"))
            doc_path = docs / data["document"]
            if not doc_path.exists():
                raise UsageError(f"{doc_path}: document named by {path.name} not found (use --docs)")
            meeting = date.fromisoformat(data["meeting_date"]) if data.get("meeting_date") else None
            gold = [s for s in data["statements"] if s["kind"] in STATEMENT_KINDS]
            out.append(GoldDocument(data["document"], group_of(data["document"]), doc_path, meeting, gold))
    return out


def labels_of(units: list[Unit], gold: list[dict[str, Any]]) -> numpy.ndarray:
    """1 where a sentence holds a gold statement of the kind (the quote inside it)."""
    labels = numpy.zeros((len(units), len(STATEMENT_KINDS)), dtype="int8")
    texts = [normalise(u.text) for u in units]
    for g in gold:
        quote = normalise(g["quote"])
        k = STATEMENT_KINDS.index(g["kind"])
        for i, text in enumerate(texts):
            # the sentence must be long enough to hold the quote: partial_ratio would
            # otherwise also match a short sentence found inside a long quote
            if len(text) >= 0.9 * len(quote) and fuzz.partial_ratio(quote, text, score_cutoff=MIN_SCORE):
                labels[i, k] = 1
    return labels


def prepare(sources: Sequence[GoldDocument], spacy_model: str | None = None) -> list[Prepared]:
    """Run the rules (layout and statements, not the model) over each gold document."""
    from followthrough.extract.component import rule_spans
    from followthrough.extract.pipeline import build
    from followthrough.ingest import read_document

    nlp = build(spacy_model, learned=False)
    steps = [(n, c) for n, c in nlp.pipeline if n != "followthrough_attributes"]
    out = []
    for source in sources:
        document = read_document(source.path, meeting_date=source.meeting_date)
        doc = nlp.make_doc(document.text)
        doc.user_data["followthrough_text"] = document.text
        doc.user_data["meeting_date"] = source.meeting_date or document.meeting_date
        doc.user_data["body"] = document.body
        doc.user_data["kind"] = document.kind
        for _, component in steps:
            doc = component(doc)
        units = units_of(document.text, doc.user_data.get("followthrough_blocks") or [], rule_spans(doc))
        raw = features(units, document.kind)
        out.append(Prepared(source, document, doc, units, raw, labels_of(units, source.gold)))
    return out


def _matrix(prepared: Sequence[Prepared], vocabulary: dict[str, int], idf: numpy.ndarray):
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    n = 0
    for p in prepared:
        for raw in p.raw:
            c, v = vectorise(raw, vocabulary, idf)
            rows += [n] * len(c)
            cols += c
            vals += v
            n += 1
    return csr_matrix((vals, (rows, cols)), shape=(n, len(vocabulary)), dtype="float64")


def _vocabulary(prepared: Sequence[Prepared]) -> tuple[dict[str, int], numpy.ndarray]:
    df: dict[str, int] = {}
    n = 0
    for p in prepared:
        for raw in p.raw:
            n += 1
            for name in raw:
                df[name] = df.get(name, 0) + 1
    names = sorted(name for name, count in df.items() if count >= MIN_DF or name.startswith(("x:", "e:")))
    vocabulary = {name: i for i, name in enumerate(names)}
    idf = numpy.array(
        [1.0 if name.startswith(("x:", "e:")) else math.log((1 + n) / (1 + df[name])) + 1.0 for name in names],
        dtype="float64",
    )
    return vocabulary, idf


def _fit_linear(X, y: numpy.ndarray):
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():  # a kind absent from these documents: a constant "no"
        return numpy.zeros(X.shape[1]), -10.0
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=1000, class_weight=CLASS_WEIGHT)
    model.fit(X, y)
    return model.coef_[0].astype("float64"), float(model.intercept_[0])


def _cuts(y: numpy.ndarray, p: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Every useful cut on ``p`` (descending; a cut takes the items at or above it, the
    last one none) with the true and all positives it takes."""
    order = numpy.argsort(-p, kind="stable")
    ys, ps = y[order], p[order]
    # halfway between neighbouring probabilities, so that no cut sits on a training point
    cuts = numpy.concatenate([(ps[:-1] + ps[1:]) / 2, [ps[-1] / 2] if len(ps) else [], [1.0 + 1e-9]])
    taken = numpy.concatenate([numpy.arange(1, len(ps) + 1), [0]])
    true = numpy.concatenate([numpy.cumsum(ys), [0]])
    return cuts, true, taken


def _best_thresholds(y: numpy.ndarray, p: numpy.ndarray, ruled: numpy.ndarray) -> tuple[float, float]:
    """The pair of cuts (sentences with a rule clause of the kind, sentences without)
    with the best F1 over these out-of-fold predictions."""
    positives = int(y.sum())
    if not positives:
        return 0.5, 1.0
    a_cut, a_true, a_taken = _cuts(y[ruled], p[ruled])
    b_cut, b_true, b_taken = _cuts(y[~ruled], p[~ruled])
    true = a_true[:, None] + b_true[None, :]
    taken = a_taken[:, None] + b_taken[None, :]
    f1 = 2 * true / (taken + positives)
    i, j = numpy.unravel_index(int(numpy.argmax(f1)), f1.shape)
    return float(a_cut[i]), float(b_cut[j])


def _groups_folds(prepared: Sequence[Prepared], k: int) -> list[numpy.ndarray]:
    """Indices of held-out documents per fold, whole groups at a time (GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    groups = [p.source.group for p in prepared]
    k = min(k, len(set(groups)))
    if k < 2:
        raise UsageError("cross-validation needs documents of at least two councils or bodies")
    folds = GroupKFold(n_splits=k).split(numpy.zeros(len(prepared)), groups=groups)
    return [test for _, test in folds]


def _fit_weights(prepared: Sequence[Prepared]) -> tuple[dict[str, int], numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    vocabulary, idf = _vocabulary(prepared)
    X = _matrix(prepared, vocabulary, idf)
    Y = numpy.vstack([p.labels for p in prepared]) if prepared else numpy.zeros((0, len(STATEMENT_KINDS)))
    weights = numpy.zeros((len(vocabulary), len(STATEMENT_KINDS)))
    bias = numpy.zeros(len(STATEMENT_KINDS))
    for k in range(len(STATEMENT_KINDS)):
        weights[:, k], bias[k] = _fit_linear(X, Y[:, k])
    return vocabulary, idf, weights, bias


def fit(prepared: Sequence[Prepared], metadata: dict | None = None) -> SentenceModel:
    """Train the model on ``prepared``; thresholds from grouped folds inside them."""
    vocabulary, idf, weights, bias = _fit_weights(prepared)
    # out-of-fold probabilities inside the training documents -> one threshold per kind
    thresholds = numpy.tile([0.5, 0.5], (len(STATEMENT_KINDS), 1))
    if len({p.source.group for p in prepared}) >= 2:
        probs, truth, ruled = [], [], []
        for test in _groups_folds(prepared, INNER_FOLDS):
            held = set(test.tolist())
            inner = _fit_weights([p for i, p in enumerate(prepared) if i not in held])
            model = SentenceModel(*inner, thresholds, {})
            for i in sorted(held):
                probs.append(model.probabilities(prepared[i].units, prepared[i].document.kind))
                truth.append(prepared[i].labels)
                ruled.append(_ruled(prepared[i].units))
        P, Y, R = numpy.vstack(probs), numpy.vstack(truth), numpy.vstack(ruled)
        thresholds = numpy.array([_best_thresholds(Y[:, k], P[:, k], R[:, k]) for k in range(len(STATEMENT_KINDS))])
        # rounded: floating-point noise in the last bits (BLAS sums) must not change the bytes
        thresholds = numpy.round(thresholds, 6)
    meta = {
        "format": FORMAT_VERSION,
        "seed": SEED,
        "C": C,
        "min_df": MIN_DF,
        "inner_folds": INNER_FOLDS,
        "embeddings": EMBEDDINGS_USED(),
        "documents": len(prepared),
        "sentences": int(sum(len(p.units) for p in prepared)),
        "training_data": fingerprint(prepared),
        "thresholds": {k: [round(float(a), 6), round(float(b), 6)] for k, (a, b) in zip(STATEMENT_KINDS, thresholds)},
    }
    meta.update(metadata or {})
    return SentenceModel(vocabulary, idf, weights, bias, thresholds, meta)


def EMBEDDINGS_USED() -> bool:
    from followthrough.extract import model

    return model.EMBEDDINGS


def _ruled(units: Sequence[Unit]) -> numpy.ndarray:
    """units x kinds: where the rules found a clause of the kind."""
    return numpy.array([[kind in u.rule_kinds for kind in STATEMENT_KINDS] for u in units], dtype=bool).reshape(
        -1, len(STATEMENT_KINDS)
    )


def fingerprint(prepared: Sequence[Prepared]) -> str:
    """SHA-256 over the training documents' names, texts and gold (what the model saw)."""
    digest = hashlib.sha256()
    for p in sorted(prepared, key=lambda p: p.source.name):
        digest.update(p.source.name.encode())
        digest.update(p.document.text.encode())
        digest.update(json.dumps(p.source.gold, sort_keys=True).encode())
    return digest.hexdigest()


def predict(prepared: Prepared, model: SentenceModel | None):
    """The statements of one prepared document with ``model`` (None: the rules alone)."""
    from followthrough.extract.component import ModelComponent, rule_spans
    from followthrough.extract.pipeline import statements_of

    doc = prepared.doc
    doc.spans["statements"] = [span for *_, span in rule_spans(doc)]
    doc.user_data.pop("followthrough_confidence", None)
    if model is not None:
        doc = ModelComponent(model)(doc)
    doc = _attributes()(doc)
    return statements_of(doc, prepared.document)


_ATTRIBUTES = None


def _attributes():
    global _ATTRIBUTES
    if _ATTRIBUTES is None:
        from followthrough.extract.pipeline import AttributeComponent

        _ATTRIBUTES = AttributeComponent()
    return _ATTRIBUTES


def cross_validate(
    prepared: Sequence[Prepared], folds: int, *, learned: bool = True, progress: Callable[[str], None] | None = None
) -> Evaluation:
    """Grouped K-fold: train on the other councils, score the held-out ones."""
    result = Evaluation()
    for n, test in enumerate(_groups_folds(prepared, folds), 1):
        held = set(test.tolist())
        model = fit([p for i, p in enumerate(prepared) if i not in held]) if learned else None
        for i in sorted(held):
            p = prepared[i]
            result.add(p.source.name, p.source.gold, [s.prediction() for s in predict(p, model)])
        if progress:
            progress(f"fold {n}: {len(held)} documents held out")
    return result


def write_model(model: SentenceModel, path: str | Path) -> None:
    """Save ``model`` byte for byte reproducibly (fixed zip timestamps)."""
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))


def default_output() -> Path:
    """The model file the package loads (``followthrough/extract/data/model.npz``)."""
    return Path(__file__).resolve().parent / ARTEFACT


def default_sets() -> list[tuple[Path, Path]]:
    """The gold in the repository: corpus/train (173 documents) and the dev set in corpus/."""
    root = Path(__file__).resolve().parents[2] / "corpus"
    sets = [(root / "train" / "gold", root / "train" / "docs"), (root / "gold", root / "documents")]
    missing = [str(g) for g, _ in sets if not g.is_dir()]
    if missing:
        raise UsageError(f"training gold not found: {', '.join(missing)} (give --gold and --docs)")
    return sets


def train(
    sets: Sequence[tuple[str | Path, str | Path | None]],
    out: str | Path,
    *,
    folds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> SentenceModel:
    """Train on every gold document of ``sets``, record the grouped CV score (rules alone
    and with the model, ``folds`` folds; 0 skips it) in the metadata, and write ``out``."""
    sources = gold_documents(sets)
    prepared = prepare(sources)
    metadata: dict[str, Any] = {"gold_sets": [Path(g).as_posix().rsplit("/", 2)[-2] for g, _ in sets]}
    if folds:
        scores = {}
        for name, learned in (("rules", False), ("model", True)):
            result = cross_validate(prepared, folds, learned=learned).as_dict()
            scores[name] = {k: round(result[k]["f1"], 4) for k in (*STATEMENT_KINDS, "all")}
            scores[name]["due_accuracy"] = None if result["due_accuracy"] is None else round(result["due_accuracy"], 4)
            if progress:
                progress(f"grouped {folds}-fold CV, {name}: micro F1 {result['all']['f1']:.3f}")
        metadata["grouped_cv"] = {"folds": folds} | scores
    model = fit(prepared, metadata)
    write_model(model, out)
    return model


def cross_validate_sets(
    sets: Sequence[tuple[str | Path, str | Path | None]],
    folds: int,
    *,
    learned: bool = True,
    group: str = "council",
    spacy_model: str | None = None,
) -> Evaluation:
    """Grouped cross-validation over gold sets pooled (``group``: "council" or "document")."""
    sources = gold_documents(sets)
    if group == "document":
        for source in sources:
            source.group = source.name
    return cross_validate(prepare(sources, spacy_model), folds, learned=learned)
