"""Per-document sufficient statistics of the agreement figures, and the figures from their sums.

Every figure is a function of counts that add up over documents (match counts, confusion
matrices, alpha-u's statistics), so a bootstrap resample is a weighted sum of per-document rows
(one matrix product for a batch of resamples) followed by the formulas below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from annotator.core.agreement_spans import (
    RelationKey,
    SpanKey,
    count_by_code,
    exact_counts,
    overlap_counts,
    relation_counts,
    relation_matches,
)
from annotator.core.agreement_unitizing import UnitizingStats, evaluate, unitizing_stats
from annotator.core.agreement_units import categories, text_units

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PAIR_METRICS = ("span_f1_exact", "span_f1_overlap", "kappa_char", "kappa_token", "relation_f1")
LABEL_METRICS = (*PAIR_METRICS, "alpha_unitizing")
OVERALL_METRICS = (*PAIR_METRICS, "fleiss_kappa_char", "alpha_nominal_char", "alpha_unitizing")
GOLD_METRICS = ("precision", "recall", "f1")


@dataclass(frozen=True, slots=True)
class PreparedDoc:
    """One document in scope: its text and each compared annotator's keys (labels as codes)."""

    text: str
    spans: tuple[frozenset[SpanKey], ...]          # per annotator
    relations: tuple[frozenset[RelationKey], ...]  # per annotator
    gold: frozenset[SpanKey] | None = None


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Per-document rows ([n, ...]) of every count the figures need."""

    annotators: int
    labels: int
    pairs: tuple[tuple[int, int], ...]
    span_counts: FloatArray    # [n, A, K]
    exact: FloatArray          # [n, P, K]
    overlap: FloatArray        # [n, P, K]
    rel_counts: FloatArray     # [n, A, K] by the label of the head span
    rel_exact: FloatArray      # [n, P, K]
    conf_char: FloatArray      # [n, P, K+1, K+1] confusion matrices (a's category x b's)
    conf_token: FloatArray     # [n, P, K+1, K+1]
    gold_counts: FloatArray    # [n, K] gold spans (0 where no gold set)
    gold_exact: FloatArray     # [n, A, K] spans equal to a gold span
    gold_seen: FloatArray      # [n, A, K] annotator spans in documents that have a gold set
    unitizing: UnitizingStats | None

    @property
    def documents(self) -> int:
        return self.span_counts.shape[0]


def _pairs(a: int) -> tuple[tuple[int, int], ...]:
    return tuple((i, j) for i in range(a) for j in range(i + 1, a))


def _confusions(cats: list[npt.NDArray[np.int16]], units: IntArray,
                pairs: Sequence[tuple[int, int]], k1: int) -> FloatArray:
    at = [c[units].astype(np.int64) for c in cats]
    return np.array([np.bincount(at[i] * k1 + at[j], minlength=k1 * k1).reshape(k1, k1)
                     for i, j in pairs], dtype=np.float64).reshape(len(pairs), k1, k1)


def corpus_stats(docs: Sequence[PreparedDoc], *, annotators: int, labels: int,
                 tokens: bool = True, unitizing: bool = True, full: bool = True
                 ) -> CorpusStats:
    """The statistics of ``docs`` (each with a key set per annotator, in the same order).
    ``tokens=False``, ``unitizing=False``, ``full=False`` (no overlap or relation counts) leave
    those figures undefined, for a quick per-document score."""
    pairs = _pairs(annotators)
    k, k1, n, p = labels, labels + 1, len(docs), len(pairs)
    span_counts = np.zeros((n, annotators, k))
    exact, overlap = np.zeros((n, p, k)), np.zeros((n, p, k))
    rel_counts, rel_exact = np.zeros((n, annotators, k)), np.zeros((n, p, k))
    conf_char, conf_token = np.zeros((n, p, k1, k1)), np.zeros((n, p, k1, k1))
    gold_counts = np.zeros((n, k))
    gold_exact, gold_seen = np.zeros((n, annotators, k)), np.zeros((n, annotators, k))
    for d, doc in enumerate(docs):
        for a, keys in enumerate(doc.spans):
            span_counts[d, a] = count_by_code((key[2] for key in keys), k)
            if full:
                rel_counts[d, a] = relation_counts(doc.relations[a], k)
        for q, (i, j) in enumerate(pairs):
            exact[d, q] = exact_counts(doc.spans[i], doc.spans[j], k=k)
            if full:
                overlap[d, q] = overlap_counts(doc.spans[i], doc.spans[j], k=k)
                rel_exact[d, q] = relation_matches(doc.relations[i], doc.relations[j], k=k)
        if doc.gold is not None:
            gold_counts[d] = count_by_code((key[2] for key in doc.gold), k)
            gold_seen[d] = span_counts[d]
            for a, keys in enumerate(doc.spans):
                gold_exact[d, a] = exact_counts(keys, doc.gold, k=k)
        if p:
            units = text_units(doc.text, tokens=tokens)
            cats = [categories(len(doc.text), keys) for keys in doc.spans]
            conf_char[d] = _confusions(cats, units.chars, pairs, k1)
            conf_token[d] = _confusions(cats, units.tokens, pairs, k1)
    unit_stats = None
    if unitizing and annotators >= 2 and docs:
        unit_stats = unitizing_stats([(len(doc.text), [sorted(keys) for keys in doc.spans])
                                      for doc in docs], raters=annotators, categories=k)
    return CorpusStats(annotators, labels, pairs, span_counts, exact, overlap, rel_counts,
                       rel_exact, conf_char, conf_token, gold_counts, gold_exact, gold_seen,
                       unit_stats)


# -- formulas (vectorized over a batch of weightings) ---------------------------------------------


def ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den, NaN where den is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)


def f1(matches: FloatArray, sizes: FloatArray) -> FloatArray:
    """2 matches / (|A| + |B|), NaN where both sets are empty (``sizes`` = |A| + |B|)."""
    return ratio(2 * matches, sizes)


def kappa(conf: FloatArray) -> FloatArray:
    """Cohen's kappa of confusion matrices [..., C, C]: (N tr - sum r c) / (N^2 - sum r c)."""
    n = conf.sum(axis=(-2, -1))
    agree = np.trace(conf, axis1=-2, axis2=-1)
    chance = (conf.sum(axis=-1) * conf.sum(axis=-2)).sum(axis=-1)
    return ratio(n * agree - chance, n * n - chance)


def binary_kappas(conf: FloatArray) -> FloatArray:
    """Per label code 1..K, kappa of "that label" vs. anything else: [..., K]."""
    n = conf.sum(axis=(-2, -1))[..., None]
    both = np.diagonal(conf, axis1=-2, axis2=-1)[..., 1:]
    row = conf.sum(axis=-1)[..., 1:]
    col = conf.sum(axis=-2)[..., 1:]
    agree = n - row - col + 2 * both
    chance = row * col + (n - row) * (n - col)
    return ratio(n * agree - chance, n * n - chance)


def fleiss_and_alpha(conf: FloatArray, pairs: Sequence[tuple[int, int]], *, m: int
                     ) -> tuple[FloatArray, FloatArray]:
    """Fleiss' kappa and Krippendorff's nominal alpha of m raters who all rated every unit, from
    the pairwise confusion matrices [B, P, C, C] of those units.

    With t_c the ratings of category c, T = m U the ratings, Q = sum t_c^2 and
    S = sum over units and categories of n_uc^2 = m U + 2 sum over pairs of the agreements:
    kappa = (T (S - T) - (m - 1) Q) / ((m - 1) (T^2 - Q)) and
    alpha = 1 - (T - 1) (m T - S) / ((m - 1) (T^2 - Q)).
    """
    units = conf[:, 0].sum(axis=(-2, -1))
    ratings: dict[int, FloatArray] = {}       # each rater's category counts
    for q, (i, j) in enumerate(pairs):
        ratings.setdefault(i, conf[:, q].sum(axis=-1))
        ratings.setdefault(j, conf[:, q].sum(axis=-2))
    totals = sum(ratings.values(), np.zeros(conf.shape[:1] + conf.shape[-1:]))
    agree = np.trace(conf, axis1=-2, axis2=-1).sum(axis=1)
    t = m * units
    s = t + 2 * agree
    q2 = (totals ** 2).sum(axis=-1)
    den = (m - 1) * (t * t - q2)
    return ratio(t * (s - t) - (m - 1) * q2, den), 1 - ratio((t - 1) * (m * t - s), den)


def nanmean(x: FloatArray, axis: int) -> FloatArray:
    """Mean of the defined values along ``axis``; NaN where none is."""
    ok = ~np.isnan(x)
    count = ok.sum(axis=axis)
    total = np.where(ok, x, 0.0).sum(axis=axis)
    return ratio(total, count.astype(np.float64))


@dataclass(frozen=True, slots=True)
class Batch:
    """Figures of a batch of B weightings of the documents."""

    pair: dict[str, FloatArray]         # metric -> [B, P]
    pair_label: dict[str, FloatArray]   # metric -> [B, P, K]
    label: dict[str, FloatArray]        # metric -> [B, K]
    overall: dict[str, FloatArray]      # metric -> [B]
    gold: dict[str, FloatArray]         # metric -> [B, A]


def figures(stats: CorpusStats, orders: IntArray) -> Batch:
    """Every figure for each row of ``orders`` ([B, m] document indexes; a bootstrap resample,
    or ``arange(n)`` once for the point estimates)."""
    b, n = orders.shape[0], stats.documents
    w = np.zeros((b, n))
    np.add.at(w, (np.repeat(np.arange(b), orders.shape[1]), orders.ravel()), 1.0)

    def total(x: FloatArray) -> FloatArray:
        return (w @ x.reshape(n, int(np.prod(x.shape[1:])))).reshape((b, *x.shape[1:]))

    counts, exact, overlap = total(stats.span_counts), total(stats.exact), total(stats.overlap)
    rel_counts, rel_exact = total(stats.rel_counts), total(stats.rel_exact)
    conf_char, conf_token = total(stats.conf_char), total(stats.conf_token)
    i = [a for a, _ in stats.pairs]
    j = [c for _, c in stats.pairs]
    pair_label = {
        "span_f1_exact": f1(exact, counts[:, i] + counts[:, j]),
        "span_f1_overlap": f1(overlap, counts[:, i] + counts[:, j]),
        "kappa_char": binary_kappas(conf_char),
        "kappa_token": binary_kappas(conf_token),
        "relation_f1": f1(rel_exact, rel_counts[:, i] + rel_counts[:, j]),
    }
    pair = {
        "span_f1_exact": f1(exact.sum(-1), (counts[:, i] + counts[:, j]).sum(-1)),
        "span_f1_overlap": f1(overlap.sum(-1), (counts[:, i] + counts[:, j]).sum(-1)),
        "kappa_char": kappa(conf_char),
        "kappa_token": kappa(conf_token),
        "relation_f1": f1(rel_exact.sum(-1), (rel_counts[:, i] + rel_counts[:, j]).sum(-1)),
    }
    label = {name: nanmean(value, axis=1) for name, value in pair_label.items()}
    overall = {name: nanmean(value, axis=1) for name, value in pair.items()}
    nan_b, nan_bk = np.full(b, np.nan), np.full((b, stats.labels), np.nan)
    overall["fleiss_kappa_char"], overall["alpha_nominal_char"] = nan_b, nan_b
    if stats.annotators >= 3:
        fleiss, alpha = fleiss_and_alpha(conf_char, stats.pairs, m=stats.annotators)
        overall["fleiss_kappa_char"], overall["alpha_nominal_char"] = fleiss, alpha
    label["alpha_unitizing"], overall["alpha_unitizing"] = nan_bk, nan_b
    if stats.unitizing is not None:
        unit = evaluate(stats.unitizing, orders)
        label["alpha_unitizing"], overall["alpha_unitizing"] = unit.category_alpha, unit.alpha
    seen, hit = total(stats.gold_seen).sum(-1), total(stats.gold_exact).sum(-1)
    gold_total = total(stats.gold_counts).sum(-1)[:, None]
    gold_total = np.broadcast_to(gold_total, hit.shape)
    gold = {"precision": ratio(hit, seen), "recall": ratio(hit, gold_total),
            "f1": f1(hit, seen + gold_total)}
    return Batch(pair, pair_label, label, overall, gold)
