"""The agreement figures against independent implementations, on random sets (Hypothesis).

Cohen's kappa against scikit-learn's ``cohen_kappa_score``, Fleiss' kappa against statsmodels'
``fleiss_kappa``, nominal alpha against the ``krippendorff`` package, on unit categories worked
out here one code point at a time; span, overlap and relation F1 and the gold figures against
plain-Python counts following DEFINITIONS word for word.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from annotator.core.agreement import DocumentSets, compute_agreement
from annotator.core.agreement_units import WHITESPACE, token_starts
from annotator.core.arabic import tokenize
from annotator.core.model import AnnotationSet, Relation, SetKind, Span

LABELS = ("actor", "cue", "location")
NAMES = ("mona", "omar", "salma", "zaid")
ALPHABET = "قالوزيرمسكب  \n،.«»😀ًُ1"
SETTINGS = settings(derandomize=True, max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

Key = tuple[int, int, str]


@st.composite
def annotation_set(draw: st.DrawFn, text: str, owner: str) -> AnnotationSet:
    spans = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 12)))
        spans.append(Span(start, end, draw(st.sampled_from(LABELS)), text[start:end], id=i + 1))
    relations = []
    if len(spans) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            head, tail = draw(st.lists(st.sampled_from(spans), min_size=2, max_size=2))
            relations.append(Relation(draw(st.sampled_from(("said_by", "cue"))), head.id or 0,
                                      tail.id or 0))
    return AnnotationSet(1, owner, SetKind.ANNOTATION, spans=tuple(spans),
                         relations=tuple(relations))


@st.composite
def corpus(draw: st.DrawFn, *, min_annotators: int = 2) -> list[DocumentSets]:
    names = NAMES[:draw(st.integers(min_annotators, 4))]
    docs = []
    for d in range(draw(st.integers(1, 3))):
        text = "😀" + draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
        sets = {name: draw(annotation_set(text, name)) for name in names}
        gold = draw(st.none() | annotation_set(text, "gold"))
        docs.append(DocumentSets(f"d{d}", text, sets, gold))
    return docs


# -- plain-Python references ----------------------------------------------------------------------


def category(spans: Sequence[Span], i: int) -> str:
    covering = sorted((s.end - s.start, s.start, s.label) for s in spans if s.start <= i < s.end)
    return covering[0][2] if covering else "O"


def ratings(docs: Sequence[DocumentSets], names: Sequence[str], *, tokens: bool = False
            ) -> list[list[str]]:
    """Per annotator, the category of every unit of every document, in order."""
    out: list[list[str]] = [[] for _ in names]
    for doc in docs:
        units = ([t.start for t in tokenize(doc.text)] if tokens
                 else [i for i, ch in enumerate(doc.text) if not ch.isspace()])
        for a, name in enumerate(names):
            out[a] += [category(doc.sets[name].spans, i) for i in units]
    return out


def keys(aset: AnnotationSet) -> set[Key]:
    return {(s.start, s.end, s.label) for s in aset.spans}


def greedy_overlap(a: set[Key], b: set[Key]) -> int:
    candidates = sorted(
        (-(min(x[1], y[1]) - max(x[0], y[0])), abs(x[0] - y[0]) + abs(x[1] - y[1]), x, y)
        for x in a for y in b if x[2] == y[2] and min(x[1], y[1]) > max(x[0], y[0]))
    used_a: set[Key] = set()
    used_b: set[Key] = set()
    for _, _, x, y in candidates:
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
    return len(used_a)


def relation_keys(aset: AnnotationSet) -> set[tuple[str, Key, Key]]:
    by_id = {s.id: (s.start, s.end, s.label) for s in aset.spans}
    return {(r.type, by_id[r.head], by_id[r.tail]) for r in aset.relations}


def f1(matches: int, a: int, b: int) -> float | None:
    return None if a + b == 0 else 2 * matches / (a + b)


def same(mine: float | None, theirs: float) -> bool:
    if mine is None:
        return math.isnan(theirs)
    return math.isclose(mine, theirs, abs_tol=1e-9)


# -- the properties -------------------------------------------------------------------------------


@SETTINGS
@given(corpus())
def test_cohen_kappa_matches_scikit_learn(docs: list[DocumentSets]) -> None:
    report = compute_agreement(docs)
    names = report.annotators
    for tokens, metric in ((False, "kappa_char"), (True, "kappa_token")):
        rated = ratings(docs, names, tokens=tokens)
        for pair in report.pairs:
            y1, y2 = rated[names.index(pair.a)], rated[names.index(pair.b)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = cohen_kappa_score(y1, y2)
            assert same(pair.figures[metric], theirs), (metric, pair.a, pair.b)
            for label in report.labels if not tokens else ():     # one unit kind is enough
                b1 = [c == label for c in y1]
                b2 = [c == label for c in y2]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    theirs = cohen_kappa_score(b1, b2) if len(set(b1 + b2)) > 1 else math.nan
                assert same(pair.per_label[label][metric], theirs), (metric, label)


@SETTINGS
@given(corpus(min_annotators=3))
def test_fleiss_kappa_matches_statsmodels_and_alpha_the_krippendorff_package(
        docs: list[DocumentSets]) -> None:
    report = compute_agreement(docs)
    rated = ratings(docs, report.annotators)
    codes = sorted({c for row in rated for c in row})
    matrix = np.array([[codes.index(c) for c in row] for row in rated])   # raters x units
    table, _ = aggregate_raters(matrix.T, n_cat=len(codes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = fleiss_kappa(table) if len(codes) > 1 else math.nan
    assert same(report.overall["fleiss_kappa_char"], theirs)
    if len(codes) > 1:
        alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert same(report.overall["alpha_nominal_char"], alpha)
    else:
        assert report.overall["alpha_nominal_char"] is None


@SETTINGS
@given(corpus())
def test_span_relation_and_gold_figures_match_plain_counts(docs: list[DocumentSets]) -> None:
    report = compute_agreement(docs, against_gold=True)
    for pair in report.pairs:
        ex = ov = rel = size_a = size_b = rel_a = rel_b = 0
        for doc in docs:
            a, b = doc.sets[pair.a], doc.sets[pair.b]
            ex += len(keys(a) & keys(b))
            ov += greedy_overlap(keys(a), keys(b))
            size_a, size_b = size_a + len(keys(a)), size_b + len(keys(b))
            rel += len(relation_keys(a) & relation_keys(b))
            rel_a, rel_b = rel_a + len(relation_keys(a)), rel_b + len(relation_keys(b))
        assert pair.figures["span_f1_exact"] == pytest.approx(f1(ex, size_a, size_b))
        assert pair.figures["span_f1_overlap"] == pytest.approx(f1(ov, size_a, size_b))
        assert pair.figures["relation_f1"] == pytest.approx(f1(rel, rel_a, rel_b))
        assert ov >= ex
    for row in report.against_gold or ():
        hit = mine = gold = 0
        for doc in docs:
            if doc.gold is not None:
                hit += len(keys(doc.sets[row.annotator]) & keys(doc.gold))
                mine += len(keys(doc.sets[row.annotator]))
                gold += len(keys(doc.gold))
        assert row.figures["precision"] == pytest.approx(hit / mine if mine else None)
        assert row.figures["recall"] == pytest.approx(hit / gold if gold else None)
        assert row.figures["f1"] == pytest.approx(f1(hit, mine, gold))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(alphabet="قالوزيرًُـ .،:«»\"-_#*1٣😀👍🏽\u200d\u200c\u00a0\n\tﷺaZ", max_size=25))
def test_token_units_are_the_tokenizer_starts(text: str) -> None:
    assert token_starts(text).tolist() == [t.start for t in tokenize(text)]


def test_whitespace_table_is_every_code_point_python_calls_space() -> None:
    spaces = [c for c in range(0x110000) if chr(c).isspace()]
    assert sorted(WHITESPACE.tolist()) == spaces
