"""Inter-annotator agreement: span F1, kappa, Fleiss' kappa, Krippendorff's alpha and alpha-u.

``compute_agreement`` compares several annotators' sets of the same documents (see DEFINITIONS
for every figure); ``document_scores`` gives a cheap per-document score to sort a review queue.
The figures are computed from per-document counts (:mod:`annotator.core.agreement_stats`), so a
bootstrap interval costs a few matrix products.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.core.agreement_definitions import DEFINITIONS
from annotator.core.agreement_spans import RelationKey, SpanKey
from annotator.core.agreement_stats import (
    GOLD_METRICS,
    LABEL_METRICS,
    OVERALL_METRICS,
    PAIR_METRICS,
    Batch,
    FloatArray,
    PreparedDoc,
    corpus_stats,
    figures,
)
from annotator.core.errors import UserError
from annotator.core.model import AnnotationSet

__all__ = [
    "DEFINITIONS", "GOLD_METRICS", "LABEL_METRICS", "METRIC_TITLES", "OVERALL_METRICS",
    "PAIR_METRICS",
    "AgreementReport", "DocumentScore", "DocumentSets", "Figures", "GoldAgreement",
    "PairAgreement", "compute_agreement", "document_scores", "score_rgb",
]

Interval = tuple[float, float]
BLOCK = 250          # bootstrap resamples evaluated together (bounds the memory of a batch)



@dataclass(frozen=True, slots=True)
class DocumentSets:
    """One document with each annotator's set of it (and the gold set, if any)."""

    doc_id: str
    text: str
    sets: Mapping[str, AnnotationSet]
    gold: AnnotationSet | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """Named figures (None where undefined) and, with ``ci=True``, their 95% intervals."""

    values: Mapping[str, float | None]
    intervals: Mapping[str, Interval | None] | None = None

    def __getitem__(self, name: str) -> float | None:
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def interval(self, name: str) -> Interval | None:
        return None if self.intervals is None else self.intervals[name]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.values.items():
            out[name] = _round(value)
            if self.intervals is not None:
                ci = self.intervals[name]
                out[f"{name}_ci"] = None if ci is None else [_round(ci[0]), _round(ci[1])]
        return out


@dataclass(frozen=True, slots=True)
class PairAgreement:
    a: str
    b: str
    figures: Figures                   # PAIR_METRICS
    per_label: Mapping[str, Figures]   # label -> PAIR_METRICS restricted to that label


@dataclass(frozen=True, slots=True)
class GoldAgreement:
    annotator: str
    figures: Figures                   # precision, recall, f1


@dataclass(frozen=True, slots=True)
class AgreementReport:
    documents: int
    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    pairs: tuple[PairAgreement, ...]
    per_label: Mapping[str, Figures]   # LABEL_METRICS, the mean over pairs (alpha-u: all)
    overall: Figures                   # OVERALL_METRICS
    against_gold: tuple[GoldAgreement, ...] | None = None
    resamples: int | None = None       # with ci=True
    seed: int | None = None

    def pair(self, a: str, b: str) -> PairAgreement | None:
        """The pair of ``a`` and ``b`` in either order."""
        a, b = sorted((a, b))
        return next((p for p in self.pairs if (p.a, p.b) == (a, b)), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "documents": self.documents,
            "annotators": list(self.annotators),
            "labels": list(self.labels),
            "pairs": [{"a": p.a, "b": p.b, **p.figures.to_json()} for p in self.pairs],
            "per_label": {label: f.to_json() for label, f in self.per_label.items()},
            "overall": self.overall.to_json(),
        }
        if self.against_gold is not None:
            out["against_gold"] = [{"annotator": g.annotator, **g.figures.to_json()}
                                   for g in self.against_gold]
        return out


@dataclass(frozen=True, slots=True)
class DocumentScore:
    """A document's mean pairwise span F1 (exact) and character kappa (None where undefined or
    where fewer than two of the compared annotators have a set of it)."""

    doc_id: str
    span_f1_exact: float | None
    kappa_char: float | None
    annotators: int


#: A short title of each figure, for charts and sheets.
METRIC_TITLES = {
    "span_f1_exact": "Span F1 (exact)", "span_f1_overlap": "Span F1 (overlap)",
    "kappa_char": "Cohen's kappa (characters)", "kappa_token": "Cohen's kappa (tokens)",
    "relation_f1": "Relation F1", "fleiss_kappa_char": "Fleiss' kappa (characters)",
    "alpha_nominal_char": "Krippendorff's alpha (characters)",
    "alpha_unitizing": "Krippendorff's alpha-u (spans)",
    "precision": "Precision", "recall": "Recall", "f1": "F1",
}

#: The colour scale of the charts and the Excel sheet (ColorBrewer RdYlGn ends and middle).
RED, YELLOW, GREEN = (215, 48, 39), (255, 255, 191), (26, 152, 80)


def score_rgb(value: float | None) -> tuple[int, int, int] | None:
    """A figure's colour: red at 0 (and below), yellow at 0.5, green at 1; None for None."""
    if value is None:
        return None
    x = min(1.0, max(0.0, value))
    low, high, t = (RED, YELLOW, x * 2) if x <= 0.5 else (YELLOW, GREEN, x * 2 - 1)
    return tuple(round(a + (b - a) * t) for a, b in zip(low, high))  # type: ignore[return-value]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4) + 0.0     # + 0.0: no "-0.0"


# -- input ----------------------------------------------------------------------------------------


def _compared(docs: Sequence[DocumentSets], annotators: Sequence[str] | None) -> tuple[str, ...]:
    present = {name for doc in docs for name in doc.sets}
    if annotators is None:
        return tuple(sorted(present))
    missing = sorted(set(annotators) - present)
    if missing:
        raise UserError(f"annotator {missing[0]!r} has no set in any of these documents")
    return tuple(sorted(set(annotators)))


def _labels(scope: Sequence[DocumentSets], annotators: Sequence[str],
            labels: Sequence[str] | None, *, gold: bool) -> tuple[str, ...]:
    if labels is not None:
        return tuple(sorted(set(labels)))
    found = {span.label for doc in scope for name in annotators for span in doc.sets[name].spans}
    if gold:
        found |= {span.label for doc in scope if doc.gold is not None for span in doc.gold.spans}
    return tuple(sorted(found))


def _keys(doc: DocumentSets, aset: AnnotationSet, owner: str, codes: Mapping[str, int]
          ) -> tuple[frozenset[SpanKey], frozenset[RelationKey]]:
    text = doc.text
    keys: set[SpanKey] = set()
    by_id: dict[int, SpanKey | None] = {}
    for span in aset.spans:
        if span.end > len(text) or text[span.start:span.end] != span.text:
            raise UserError(f"document {doc.doc_id}, set {owner}: span {span.start}-{span.end} "
                            f"({span.label}) does not match the text")
        code = codes.get(span.label)
        key = None if code is None else (span.start, span.end, code)
        if key is not None:
            keys.add(key)
        if span.id is not None:
            by_id[span.id] = key
    relations: set[RelationKey] = set()
    for rel in aset.relations:
        if rel.head not in by_id or rel.tail not in by_id:
            raise UserError(f"document {doc.doc_id}, set {owner}: relation {rel.type} "
                            f"{rel.head} -> {rel.tail} refers to a span the set does not have")
        head, tail = by_id[rel.head], by_id[rel.tail]
        if head is not None and tail is not None:
            relations.add((rel.type, head, tail))
    return frozenset(keys), frozenset(relations)


def _prepare(doc: DocumentSets, annotators: Sequence[str], codes: Mapping[str, int], *,
             gold: bool) -> PreparedDoc:
    keys = [_keys(doc, doc.sets[name], name, codes) for name in annotators]
    gold_keys = None
    if gold and doc.gold is not None:
        gold_keys = _keys(doc, doc.gold, "gold", codes)[0]
    return PreparedDoc(doc.text, tuple(k for k, _ in keys), tuple(r for _, r in keys), gold_keys)


# -- output ---------------------------------------------------------------------------------------


def _value(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _intervals(samples: FloatArray) -> list[Interval | None]:
    """2.5th and 97.5th percentiles of each column of [B, F], NaN samples left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN columns
        low, high = np.nanpercentile(samples, [2.5, 97.5], axis=0)
    return [None if np.isnan(lo) else (float(lo), float(hi)) for lo, hi in zip(low, high)]


def _column(samples: FloatArray, index: tuple[int, ...]) -> FloatArray:
    """samples[:, *index]"""
    for i in index:
        samples = samples[:, i]
    return samples


def _figures(point: Mapping[str, FloatArray], boot: Mapping[str, FloatArray] | None,
             names: Sequence[str], index: tuple[int, ...]) -> Figures:
    """The figures ``names`` at ``index`` of batch arrays (row 0 of ``point``; all rows of
    ``boot`` for the intervals)."""
    values = {name: _value(point[name][(0, *index)]) for name in names}
    if boot is None:
        return Figures(values)
    cols = np.stack([_column(boot[name], index) for name in names], axis=1)
    return Figures(values, dict(zip(names, _intervals(cols))))


def _report(docs: int, annotators: tuple[str, ...], *, labels: tuple[str, ...],
            pairs: Sequence[tuple[int, int]], point: Batch, boot: Batch | None, gold: bool,
            resamples: int | None, seed: int | None) -> AgreementReport:
    def part(batch: Batch | None, name: str) -> dict[str, FloatArray] | None:
        return None if batch is None else getattr(batch, name)

    pair_rows = tuple(
        PairAgreement(annotators[i], annotators[j],
                      _figures(point.pair, part(boot, "pair"), PAIR_METRICS, (q,)),
                      {label: _figures(point.pair_label, part(boot, "pair_label"), PAIR_METRICS,
                                       (q, c)) for c, label in enumerate(labels)})
        for q, (i, j) in enumerate(pairs))
    per_label = {label: _figures(point.label, part(boot, "label"), LABEL_METRICS, (c,))
                 for c, label in enumerate(labels)}
    overall = _figures(point.overall, part(boot, "overall"), OVERALL_METRICS, ())
    against = None
    if gold:
        against = tuple(GoldAgreement(name, _figures(point.gold, part(boot, "gold"),
                                                     GOLD_METRICS, (a,)))
                        for a, name in enumerate(annotators))
    return AgreementReport(docs, annotators, labels, pair_rows, per_label, overall, against,
                           resamples, seed)


def _concat(batches: list[Batch]) -> Batch:
    def join(name: str) -> dict[str, FloatArray]:
        first: dict[str, FloatArray] = getattr(batches[0], name)
        return {k: np.concatenate([getattr(b, name)[k] for b in batches]) for k in first}

    return Batch(join("pair"), join("pair_label"), join("label"), join("overall"), join("gold"))


# -- the API --------------------------------------------------------------------------------------


def compute_agreement(docs: Sequence[DocumentSets], *, annotators: Sequence[str] | None = None,
                      labels: Sequence[str] | None = None, against_gold: bool = False,
                      ci: bool = False, resamples: int = 1000, seed: int = 0
                      ) -> AgreementReport:
    """Every figure of DEFINITIONS for ``docs`` (see there for scope, labels and intervals)."""
    if ci and resamples < 1:
        raise UserError(f"resamples must be at least 1, not {resamples}")
    ids = [doc.doc_id for doc in docs]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise UserError(f"document {dup} is given twice")
    names = _compared(docs, annotators)
    scope = [doc for doc in docs if names and all(name in doc.sets for name in names)]
    label_names = _labels(scope, names, labels, gold=against_gold)
    codes = {label: c + 1 for c, label in enumerate(label_names)}
    prepared = [_prepare(doc, names, codes, gold=against_gold) for doc in scope]
    stats = corpus_stats(prepared, annotators=len(names), labels=len(label_names))
    n = len(prepared)
    point = figures(stats, np.arange(n, dtype=np.int64)[None, :])
    boot = None
    if ci and n:
        rng = np.random.default_rng(seed)
        orders = rng.integers(0, n, size=(resamples, n), dtype=np.int64)
        boot = _concat([figures(stats, orders[s:s + BLOCK]) for s in range(0, resamples, BLOCK)])
    return _report(n, names, labels=label_names, pairs=stats.pairs, point=point, boot=boot,
                   gold=against_gold, resamples=resamples if ci else None,
                   seed=seed if ci else None)


def document_scores(docs: Sequence[DocumentSets], *, annotators: Sequence[str] | None = None
                    ) -> dict[str, DocumentScore]:
    """Per doc_id, the mean over pairs of span_f1_exact and kappa_char on that document alone,
    among the compared annotators who have a set of it."""
    names = _compared(docs, annotators)
    groups: dict[tuple[str, ...], list[DocumentSets]] = {}
    for doc in docs:
        groups.setdefault(tuple(n for n in names if n in doc.sets), []).append(doc)
    scores: dict[str, DocumentScore] = {}
    for present, group in groups.items():
        if len(present) < 2:
            scores.update((d.doc_id, DocumentScore(d.doc_id, None, None, len(present)))
                          for d in group)
            continue
        label_names = _labels(group, present, None, gold=False)
        codes = {label: c + 1 for c, label in enumerate(label_names)}
        stats = corpus_stats([_prepare(doc, present, codes, gold=False) for doc in group],
                             annotators=len(present), labels=len(label_names), tokens=False,
                             unitizing=False, full=False)
        for at in range(0, len(group), BLOCK):
            rows = np.arange(at, min(at + BLOCK, len(group)), dtype=np.int64)[:, None]
            overall = figures(stats, rows).overall
            for r, doc in enumerate(group[at:at + BLOCK]):
                scores[doc.doc_id] = DocumentScore(doc.doc_id, _value(overall["span_f1_exact"][r]),
                                                   _value(overall["kappa_char"][r]), len(present))
    return {doc.doc_id: scores[doc.doc_id] for doc in docs}
