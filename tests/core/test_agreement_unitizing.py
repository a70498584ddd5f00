"""Krippendorff's unitizing alpha against the literature, DKPro Agreement's tests and a line-by-line
port of DKPro's ``KrippendorffAlphaUnitizingAgreement`` (dkpro/dkpro-statistics,
dkpro-statistics-agreement/src/main/java/org/dkpro/statistics/agreement/unitizing/)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.agreement import DocumentSets, compute_agreement
from annotator.core.agreement_unitizing import alpha_unitizing
from annotator.core.model import AnnotationSet, SetKind, Span

Unit = tuple[int, int, int, str]     # offset, length, rater, category (DKPro's addUnit order)


# -- DKPro's algorithm, transcribed (the reference) -----------------------------------------------


def _next(units: Iterator[Unit], rater: int, category: str) -> Unit | None:
    for unit in units:                       # UnitizingAnnotationStudy.findNextUnit
        if unit[3] == category and unit[2] == rater:
            return unit
    return None


def _distance(o1: int, l1: int, c1: str | None, o2: int, l2: int, c2: str | None) -> int:
    begin, length = o1 - o2, l1 - l2          # measureDistance
    if c1 is not None and c2 is not None and -l1 < begin < l2:
        return begin * begin + (begin + length) * (begin + length)
    if c1 is not None and c2 is None and -length >= begin >= 0:
        return l1 * l1
    if c1 is None and c2 is not None and -length <= begin <= 0:
        return l2 * l2
    return 0


def dkpro_observed(units: list[Unit], r: int, b: int, length: int, category: str) -> Fraction:
    result = 0
    for r1 in range(r):
        for r2 in range(r1 + 1, r):
            it1, it2 = iter(units), iter(units)
            next1, next2 = _next(it1, r1, category), _next(it2, r2, category)
            off1, len1, off2, len2 = b, 0, b, 0
            cat1: str | None = None
            cat2: str | None = None
            pos = b
            while pos < b + length and (next1 is not None or next2 is not None):
                if pos == off1 + len1:
                    if next1 is not None and pos == next1[0]:
                        len1, cat1 = next1[1], next1[3]
                        next1 = _next(it1, r1, category)
                    else:
                        len1, cat1 = (next1[0] if next1 else b + length) - pos, None
                    off1 = pos
                if pos == off2 + len2:
                    if next2 is not None and pos == next2[0]:
                        len2, cat2 = next2[1], next2[3]
                        next2 = _next(it2, r2, category)
                    else:
                        len2, cat2 = (next2[0] if next2 else b + length) - pos, None
                    off2 = pos
                result += _distance(off1, len1, cat1, off2, len2, cat2)
                pos = min(off1 + len1, off2 + len2)
    return Fraction(2 * result, r * (r - 1) * length * length)


def dkpro_expected(units: list[Unit], r: int, b: int, length: int, category: str) -> Fraction:
    mine = [u for u in units if u[3] == category]
    n_c = len(mine)
    squared = sum(u[1] * (u[1] - 1) for u in mine)
    gaps: list[int] = []
    for rater in range(r):
        it = iter(units)
        nxt = _next(it, rater, category)
        off, size, pos = b, 0, b
        while pos < b + length:
            if pos == off + size:
                if nxt is not None and pos == nxt[0]:
                    size = nxt[1]
                    nxt = _next(it, rater, category)
                else:
                    size = (nxt[0] if nxt else b + length) - pos
                    gaps.append(size)
                off = pos
            pos = off + size
    gaps.sort(reverse=True)
    result = Fraction(0)
    for _, l1, _, _ in mine:
        sum1 = Fraction((n_c - 1) * (2 * l1 ** 3 - 3 * l1 ** 2 + l1), 3)
        sum2 = sum(g - l1 + 1 for g in gaps if g >= l1)
        result += sum1 + sum2 * l1 * l1
    return result * Fraction(2, length) / (r * length * (r * length - 1) - squared)


def dkpro(units: Sequence[Unit], r: int, length: int, b: int = 0
          ) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    ordered = sorted(units, key=lambda u: (u[0], u[1], u[2]))      # the study's TreeSet order
    cats = sorted({u[3] for u in units})
    return ({c: dkpro_observed(ordered, r, b, length, c) for c in cats},
            {c: dkpro_expected(ordered, r, b, length, c) for c in cats})


def ours(units: Sequence[Unit], r: int, length: int, b: int = 0):  # type: ignore[no-untyped-def]
    return alpha_unitizing([(rater, o, n, c) for o, n, rater, c in units], raters=r,
                           length=length, begin=b)


# -- the worked examples of the literature --------------------------------------------------------

#: Krippendorff (2004), Content Analysis, 2nd ed., p. 254, as DKPro's Krippendorff2004Test
#: reproduces it: two observers on the continuum [150, 450).
K2004: list[Unit] = [(225, 70, 0, "c"), (370, 30, 0, "c"), (220, 80, 1, "c"), (355, 20, 1, "c"),
                     (400, 20, 1, "c"), (180, 60, 0, "k"), (300, 50, 0, "k"), (180, 60, 1, "k"),
                     (300, 50, 1, "k")]


def test_krippendorff_2004_example() -> None:
    result = ours(K2004, 2, 300, 150)
    # Category c, by hand: [225,295) against [220,300): (225-220)^2 + (295-300)^2 = 50;
    # [370,400) against [355,375): 15^2 + 25^2 = 850; [400,420) lies in observer 0's gap: 20^2.
    # D_o = 2 * 1300 / (2 * 1 * 300^2) = 0.01444...
    assert result.observed["c"] == pytest.approx(2 * 1300 / (2 * 300 ** 2), abs=1e-12)
    assert result.expected["c"] == pytest.approx(0.0532, abs=0.0001)
    assert result.category_alpha["c"] == pytest.approx(0.7286, abs=0.0001)
    # k: the observers agree exactly.
    assert result.observed["k"] == 0.0
    assert result.expected["k"] == pytest.approx(0.0490, abs=0.0001)
    assert result.category_alpha["k"] == 1.0
    # The book's all-categories figure, within DKPro's tolerance.
    assert result.alpha == pytest.approx(0.8591, abs=0.0005)


def _k1995(stretch: float) -> list[Unit]:
    """Krippendorff (1995: p. 57) as DKPro's Krippendorff1995Test.createExample builds it."""
    raw = [(2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
           (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"),
           (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
           (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"),
           (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
           (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"),
           (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D")]
    return [(int(o * stretch), int(n * stretch), r, c) for o, n, r, c in raw]


def test_krippendorff_1995_example_as_dkpro_tests_it() -> None:
    observed = ours(_k1995(1), 2, 24).observed
    assert observed == pytest.approx({"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715},
                                     abs=0.00001)
    stretched = ours(_k1995(50_000), 2, 1_200_000)
    assert stretched.expected == pytest.approx(
        {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}, abs=0.005)
    assert stretched.category_alpha == pytest.approx(
        {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}, abs=0.02)


@pytest.mark.parametrize(("stretch", "expected", "alpha"), [
    # DKPro's testVaryingLengths (its first case, 12/24, makes zero-length units: not spans)
    (120 / 24, 0.08234, 0.663), (1200 / 24, 0.08600, 0.677), (12000 / 24, 0.08638, 0.678),
])
def test_krippendorff_1995_varying_lengths(stretch: float, expected: float, alpha: float) -> None:
    result = ours(_k1995(stretch), 2, int(24 * stretch))
    assert result.observed["C"] == pytest.approx(0.02777, abs=0.00001)
    assert result.expected["C"] == pytest.approx(expected, abs=0.005)
    assert result.category_alpha["C"] == pytest.approx(alpha, abs=0.02)


def test_dkpro_unitizing_agreement_test_example() -> None:
    # r0: -11111111-   r1: --1-1-1---   (UnitizingAgreementTest.createExample)
    result = ours([(1, 8, 0, "A"), (2, 1, 1, "A"), (4, 1, 1, "A"), (6, 1, 1, "A")], 2, 10)
    # By hand: [1,9) overlaps [2,3), [4,5), [6,7): (1-2)^2 + (9-3)^2 = 37, 9 + 16 = 25,
    # 25 + 4 = 29; D_o = 2 * 91 / (2 * 10^2) = 0.91
    assert result.observed["A"] == pytest.approx(0.91, abs=1e-12)
    assert result.expected["A"] == pytest.approx(0.5351, abs=0.0001)
    assert result.category_alpha["A"] == pytest.approx(-0.7003, abs=0.0001)


def test_dkpro_single_unit_and_empty_study() -> None:
    # testSingleAnnotationUnit: D_o = D_e, DKPro gives 0.0
    assert ours([(0, 1, 0, "X")], 3, 20).alpha == pytest.approx(0.0, abs=1e-12)
    # testEmptyAnnotationSet: DKPro gives NaN; here undefined is None
    assert ours([], 3, 20).alpha is None


def test_bad_units_are_refused() -> None:
    with pytest.raises(ValueError, match="at least two raters"):
        ours([], 1, 10)
    with pytest.raises(ValueError, match=r"unit \(0, 8, 5, 'A'\) is not a unit"):
        ours([(8, 5, 0, "A")], 2, 10)


# -- against the port, on random studies ----------------------------------------------------------


@st.composite
def study(draw: st.DrawFn) -> tuple[list[Unit], int, int]:
    """Units of R raters on [0, L): per rater and category disjoint (they may touch)."""
    r, length = draw(st.integers(2, 4)), draw(st.integers(1, 40))
    units: list[Unit] = []
    for rater in range(r):
        for category in ("A", "B"):
            cuts = sorted(draw(st.lists(st.integers(0, length), max_size=8)))
            units += [(s, e - s, rater, category) for s, e in zip(cuts[::2], cuts[1::2])
                      if e > s]
    return units, r, length


@settings(derandomize=True, max_examples=80, deadline=None)
@given(study())
def test_alpha_u_equals_dkpro_on_random_studies(case: tuple[list[Unit], int, int]) -> None:
    units, r, length = case
    observed, expected = dkpro(units, r, length)
    result = ours(units, r, length)
    for c in observed:
        assert result.observed[c] == pytest.approx(float(observed[c]), rel=1e-9, abs=1e-15)
        assert result.expected[c] == pytest.approx(float(expected[c]), rel=1e-9, abs=1e-15)
    total_e = sum(expected.values())
    if total_e:
        assert result.alpha == pytest.approx(float(1 - sum(observed.values()) / total_e),
                                             rel=1e-9, abs=1e-12)
    else:
        assert result.alpha is None


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


@st.composite
def documents(draw: st.DrawFn) -> list[DocumentSets]:
    names = ("mona", "omar", "salma")[:draw(st.integers(2, 3))]
    docs = []
    for d in range(draw(st.integers(1, 4))):
        text = "😀 " + "قال " * draw(st.integers(1, 8))
        sets = {}
        for name in names:
            spans = []
            for i in range(draw(st.integers(0, 4))):
                s = draw(st.integers(0, len(text) - 1))
                e = draw(st.integers(s + 1, min(len(text), s + 9)))
                spans.append(Span(s, e, draw(st.sampled_from(("actor", "cue"))), text[s:e],
                                  id=i + 1))
            sets[name] = AnnotationSet(1, name, SetKind.ANNOTATION, spans=tuple(spans))
        docs.append(DocumentSets(f"d{d}", text, sets))
    return docs


@settings(derandomize=True, max_examples=60, deadline=None)
@given(documents())
def test_documents_are_laid_end_to_end_on_one_continuum(docs: list[DocumentSets]) -> None:
    """compute_agreement's alpha-u equals DKPro's on the documents' texts joined in order, each
    annotator's overlapping spans of one label merged first (nested and overlapping spans)."""
    report = compute_agreement(docs)
    names = report.annotators
    units: list[Unit] = []
    offset = 0
    for doc in docs:
        for rater, name in enumerate(names):
            for label in report.labels:
                spans = [(s.start, s.end) for s in doc.sets[name].spans if s.label == label]
                units += [(offset + s, e - s, rater, label) for s, e in _union(spans)]
        offset += len(doc.text)
    if not units:
        assert report.overall["alpha_unitizing"] is None
        return
    observed, expected = dkpro(units, len(names), offset)
    for label in report.labels:
        want = None if expected[label] == 0 else float(1 - observed[label] / expected[label])
        assert report.per_label[label]["alpha_unitizing"] == pytest.approx(want, rel=1e-9,
                                                                            abs=1e-12)
    total_e = sum(expected.values())
    want = None if total_e == 0 else float(1 - sum(observed.values()) / total_e)
    assert report.overall["alpha_unitizing"] == pytest.approx(want, rel=1e-9, abs=1e-12)
