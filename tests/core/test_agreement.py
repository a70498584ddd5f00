"""Agreement figures on a hand-made three-annotator example, worked out by hand below.

The example (tests/core/agreement_example.py) is one sentence with an emoji first:
``😀 قال الوزير: «موسكو جاهزة للحوار» وأضاف السفير إن باريس ستشارك في قمة القاهرة مع روسيا.``
mona marks 10 spans, omar 10 and salma 9; they differ in a boundary (وأضاف / أضاف), a quote's
end, a quote's marks, a label (روسيا actor / location) and a missing or extra span.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from annotator.core.agreement import (
    DEFINITIONS,
    LABEL_METRICS,
    OVERALL_METRICS,
    PAIR_METRICS,
    DocumentSets,
    compute_agreement,
    document_scores,
)
from annotator.core.agreement_units import categories
from annotator.core.errors import UserError
from annotator.core.model import AnnotationSet, Relation, SetKind, Span
from tests.core.agreement_example import AT, TEXT, WORDS, example


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-12)


def test_example_offsets_select_their_words() -> None:
    assert TEXT[0] == "😀" and len(TEXT) == 88
    assert {name: TEXT[s:e] for name, (s, e) in AT.items()} == WORDS
    assert sum(not ch.isspace() for ch in TEXT) == 73


# -- span F1 --------------------------------------------------------------------------------------


def test_span_f1_exact_by_hand() -> None:
    report = compute_agreement([example()])
    # mona-omar: equal in (start, end, label): قال الوزير q1 موسكو السفير باريس القاهرة = 7;
    # not: أضاف/وأضاف, q2/q2_short, روسيا actor/location. 2*7 / (10 + 10) = 0.7
    assert report.pair("mona", "omar").figures["span_f1_exact"] == approx(0.7)
    # mona-salma: قال الوزير موسكو السفير q2 باريس روسيا = 7. 2*7 / (10 + 9) = 14/19
    assert report.pair("mona", "salma").figures["span_f1_exact"] == approx(14 / 19)
    # omar-salma: قال الوزير موسكو السفير باريس = 5. 2*5 / (10 + 9) = 10/19
    assert report.pair("omar", "salma").figures["span_f1_exact"] == approx(10 / 19)
    assert report.overall["span_f1_exact"] == approx((0.7 + 14 / 19 + 10 / 19) / 3)


def test_span_f1_overlap_by_hand() -> None:
    report = compute_agreement([example()])
    # mona-omar: the 7 equal ones + أضاف~وأضاف (cue) + q2~q2_short (quote); روسيا's labels differ.
    # 2*9 / 20 = 0.9
    assert report.pair("mona", "omar").figures["span_f1_overlap"] == approx(0.9)
    # mona-salma: 7 + q1~q1_marks + القاهرة~قمة القاهرة (location) = 9: 18/19
    assert report.pair("mona", "salma").figures["span_f1_overlap"] == approx(18 / 19)
    # omar-salma: 5 + q1~q1_marks + q2_short~q2 + القاهرة~قمة القاهرة = 8: 16/19
    assert report.pair("omar", "salma").figures["span_f1_overlap"] == approx(16 / 19)


def test_overlap_prefers_the_closest_of_equal_overlaps() -> None:
    # mona's قمة القاهرة (67-78) overlaps omar's 60-74 and القاهرة (71-78) by 7 code points each.
    # The tie goes to the closer boundaries: |67-71| + |78-78| = 4 against 7 + 4 = 11 (taking
    # 60-74 first, as its place would, leaves mona's ستشارك (57-63) unmatched: F1 1/2).
    # Then ستشارك matches 60-74 (overlap 3): 2 matches, 2*2 / (2 + 2) = 1.
    def spans(*offsets: tuple[int, int]) -> tuple[Span, ...]:
        return tuple(Span(s, e, "location", TEXT[s:e], id=i + 1)
                     for i, (s, e) in enumerate(offsets))

    mona = AnnotationSet(1, "mona", SetKind.ANNOTATION, spans=spans((67, 78), (57, 63)))
    omar = AnnotationSet(1, "omar", SetKind.ANNOTATION, spans=spans((60, 74), (71, 78)))
    report = compute_agreement([DocumentSets("d", TEXT, {"mona": mona, "omar": omar})])
    assert report.pairs[0].figures["span_f1_overlap"] == approx(1.0)
    assert report.pairs[0].figures["span_f1_exact"] == approx(0.0)


# -- kappa ----------------------------------------------------------------------------------------


def test_kappa_char_by_hand() -> None:
    report = compute_agreement([example()])
    # 73 units. Categories (shortest covering span): mona O 8 (😀 : « » و إن .), cue 7, actor 17,
    # location 17, quote 24. omar: و is cue, مع (2) is O, روسيا (5) is location:
    # O 9, cue 8, actor 12, location 22, quote 22. salma: « » are quote, أضاف (4) is O,
    # قمة (3) is location: O 10, cue 3, actor 17, location 20, quote 23.
    # mona-omar: 73 - (1 + 2 + 5) = 65 agree; sum of row x column = 8*9 + 7*8 + 17*12 + 17*22
    # + 24*22 = 1234; kappa = (73*65 - 1234) / (73^2 - 1234) = 3511/4095
    assert report.pair("mona", "omar").figures["kappa_char"] == approx(3511 / 4095)
    # mona-salma: 73 - (2 + 4 + 3) = 64; 8*10 + 7*3 + 17*17 + 17*20 + 24*23 = 1282;
    # (73*64 - 1282) / (5329 - 1282) = 3390/4047
    assert report.pair("mona", "salma").figures["kappa_char"] == approx(3390 / 4047)
    # omar-salma: 73 - (2 + 1 + 4 + 3 + 2 + 5) = 56; 9*10 + 8*3 + 12*17 + 22*20 + 22*23 = 1264;
    # (73*56 - 1264) / (5329 - 1264) = 2824/4065
    assert report.pair("omar", "salma").figures["kappa_char"] == approx(2824 / 4065)
    assert report.overall["kappa_char"] == approx((3511 / 4095 + 3390 / 4047 + 2824 / 4065) / 3)


def test_kappa_token_by_hand() -> None:
    report = compute_agreement([example()])
    # 20 tokens, each with the category of its first code point (وأضاف: its و).
    # mona O 7 (😀 : « » وأضاف إن .), cue 1, actor 3, location 3, quote 6.
    # omar O 7 (مع instead of وأضاف), cue 2, actor 2, location 4, quote 5.
    # salma O 5 (😀 : وأضاف إن .), cue 1, actor 3, location 4, quote 7.
    # mona-omar: 17 agree (not وأضاف مع روسيا); 7*7 + 1*2 + 3*2 + 3*4 + 6*5 = 99;
    # (20*17 - 99) / (400 - 99) = 241/301
    assert report.pair("mona", "omar").figures["kappa_token"] == approx(241 / 301)
    # mona-salma: 17 agree (not « » قمة); 7*5 + 1*1 + 3*3 + 3*4 + 6*7 = 99: 241/301
    assert report.pair("mona", "salma").figures["kappa_token"] == approx(241 / 301)
    # omar-salma: 14 agree (not « » وأضاف قمة مع روسيا); 7*5 + 2*1 + 2*3 + 4*4 + 5*7 = 94;
    # (280 - 94) / (400 - 94) = 186/306
    assert report.pair("omar", "salma").figures["kappa_token"] == approx(186 / 306)


def test_kappa_per_label_is_binary_by_hand() -> None:
    report = compute_agreement([example()])
    # actor vs. anything else. mona 17 actor units, omar 12 (not روسيا), salma 17 (the same
    # as mona). mona-omar: both 12, only mona 5, neither 56: p_o = 68/73;
    # sum row x column = 17*12 + 56*61 = 3620; (73*68 - 3620) / (5329 - 3620) = 1344/1709.
    # omar-salma is the same table transposed; mona-salma agree fully: 1.
    assert report.pair("mona", "omar").per_label["actor"]["kappa_char"] == approx(1344 / 1709)
    assert report.pair("mona", "salma").per_label["actor"]["kappa_char"] == approx(1.0)
    assert report.per_label["actor"]["kappa_char"] == approx((2 * 1344 / 1709 + 1) / 3)
    # span F1 per label, actor: mona 3 (الوزير السفير روسيا), omar 2, salma 3:
    # 2*2/5, 2*3/6, 2*2/5
    assert report.per_label["actor"]["span_f1_exact"] == approx((0.8 + 1.0 + 0.8) / 3)


def test_fleiss_and_alpha_by_hand() -> None:
    report = compute_agreement([example()])
    # Every one of the 17 units the three do not all agree on splits 2 to 1: « » (O O quote),
    # و (O cue O), أضاف (cue cue O), قمة (quote quote location), مع (quote O quote),
    # روسيا (actor location actor); the other 56 are unanimous.
    # Fleiss: P_i = 1 (unanimous) or (2^2 + 1^2 - 3) / (3*2) = 1/3; P = (56 + 17/3) / 73 = 185/219.
    # Category totals over 219 ratings: O 27, cue 18, actor 46, location 59, quote 69;
    # P_e = (27^2 + 18^2 + 46^2 + 59^2 + 69^2) / 219^2 = 11411/47961.
    p, pe = 185 / 219, 11411 / 47961
    assert report.overall["fleiss_kappa_char"] == approx((p - pe) / (1 - pe))   # 58208/73100
    # alpha: each split unit puts 2*2 ordered mismatched pairs / (m - 1 = 2) = 2 into the
    # off-diagonal coincidences: 34 in all; n = 219; sum_{c!=k} n_c n_k = 219^2 - 11411 = 36550.
    # alpha = 1 - (219 - 1) * 34 / 36550
    assert report.overall["alpha_nominal_char"] == approx(1 - 218 * 34 / 36550)


def test_relation_f1_by_hand() -> None:
    report = compute_agreement([example()])
    # mona: said_by(q1, الوزير) cue(q1, قال) said_by(q2, السفير) cue(q2, أضاف).
    # omar: the same on q1; on q2_short (its head differs). mona-omar: 2*2 / (4 + 4) = 0.5
    assert report.pair("mona", "omar").figures["relation_f1"] == approx(0.5)
    # salma: said_by(q1_marks, الوزير) cue(q1_marks, قال) said_by(q2, السفير):
    # mona-salma 2*1 / (4 + 3) = 2/7; omar-salma 0 / 7 = 0
    assert report.pair("mona", "salma").figures["relation_f1"] == approx(2 / 7)
    assert report.pair("omar", "salma").figures["relation_f1"] == approx(0.0)
    # per label: by the label of the head: every head is a quote
    assert report.per_label["quote"]["relation_f1"] == approx((0.5 + 2 / 7 + 0) / 3)
    assert report.per_label["actor"]["relation_f1"] is None


def test_against_gold_by_hand() -> None:
    report = compute_agreement([example()], against_gold=True)
    gold = {g.annotator: g.figures for g in report.against_gold or ()}
    # gold = mona's spans with روسيا a location: mona 9 of 10 equal, 10 gold spans.
    assert (gold["mona"]["precision"], gold["mona"]["recall"]) == (approx(0.9), approx(0.9))
    # omar: all but وأضاف and q2_short: 8 of 10
    assert gold["omar"]["f1"] == approx(0.8)
    # salma: قال الوزير موسكو السفير q2 باريس = 6; P = 6/9, R = 6/10, F1 = 12/19
    assert gold["salma"]["precision"] == approx(6 / 9)
    assert gold["salma"]["recall"] == approx(0.6)
    assert gold["salma"]["f1"] == approx(12 / 19)


def test_against_gold_counts_only_documents_with_a_gold_set() -> None:
    report = compute_agreement([example("a"), example("b", gold=False)], against_gold=True)
    assert report.documents == 2
    assert report.against_gold is not None
    assert report.against_gold[2].figures["precision"] == approx(6 / 9)  # as with "a" alone


# -- alpha-u on the example (checked against DKPro's algorithm in test_agreement_unitizing) --------


def test_alpha_unitizing_is_given_for_two_annotators_too() -> None:
    two = compute_agreement([example()], annotators=["mona", "omar"])
    assert two.overall["alpha_unitizing"] is not None
    assert two.overall["fleiss_kappa_char"] is None
    assert two.overall["alpha_nominal_char"] is None
    assert two.per_label["cue"]["alpha_unitizing"] is not None


# -- report shape ---------------------------------------------------------------------------------


def test_json_has_exactly_the_agreed_keys_and_rounds_to_four_decimals() -> None:
    out = compute_agreement([example()], against_gold=True).to_json()
    assert list(out) == ["documents", "annotators", "labels", "pairs", "per_label", "overall",
                         "against_gold"]
    assert out["documents"] == 1
    assert out["annotators"] == ["mona", "omar", "salma"]
    assert out["labels"] == ["actor", "cue", "location", "quote"]
    assert [(p["a"], p["b"]) for p in out["pairs"]] == [("mona", "omar"), ("mona", "salma"),
                                                         ("omar", "salma")]
    assert list(out["pairs"][0]) == ["a", "b", *PAIR_METRICS]
    assert out["pairs"][0]["kappa_char"] == 0.8574            # 3511/4095 = 0.857387...
    assert out["pairs"][1]["span_f1_exact"] == 0.7368         # 14/19
    assert list(out["per_label"]) == ["actor", "cue", "location", "quote"]
    assert list(out["per_label"]["actor"]) == list(LABEL_METRICS)
    assert list(out["overall"]) == list(OVERALL_METRICS)
    assert out["against_gold"][2] == {"annotator": "salma", "precision": 0.6667,
                                      "recall": 0.6, "f1": 0.6316}
    assert "against_gold" not in compute_agreement([example()]).to_json()


def test_json_with_ci_puts_each_interval_beside_its_figure() -> None:
    out = compute_agreement([example()], against_gold=True, ci=True, resamples=20).to_json()
    assert list(out["pairs"][0]) == ["a", "b", *(k for m in PAIR_METRICS for k in (m, m + "_ci"))]
    assert list(out["overall"])[:2] == ["span_f1_exact", "span_f1_exact_ci"]
    assert out["pairs"][0]["kappa_char_ci"] == [0.8574, 0.8574]
    assert out["against_gold"][0]["f1_ci"] == [0.9, 0.9]
    assert out["per_label"]["actor"]["relation_f1_ci"] is None     # undefined in every resample


def test_definitions_name_every_figure() -> None:
    for name in (*OVERALL_METRICS, "against gold", "precision", "recall", "tie", "whitespace",
                 "DKPro", "null"):
        assert name in DEFINITIONS


# -- edge cases -----------------------------------------------------------------------------------


def test_an_annotator_without_spans_agrees_by_chance_only() -> None:
    doc = example()
    empty = AnnotationSet(1, "omar", SetKind.ANNOTATION)
    report = compute_agreement([replace(doc, sets={"mona": doc.sets["mona"], "omar": empty})])
    figures = report.pairs[0].figures
    assert figures["span_f1_exact"] == 0.0          # 2*0 / (10 + 0)
    assert figures["relation_f1"] == 0.0            # 2*0 / (4 + 0)
    # omar is O everywhere: p_o = p_e = 8/73 -> (73*8 - 8*73) / (73^2 - 8*73) = 0
    assert figures["kappa_char"] == 0.0
    assert figures["kappa_token"] == 0.0
    assert report.per_label["actor"]["kappa_char"] == 0.0


def test_two_empty_sets_leave_every_figure_undefined() -> None:
    empty = {name: AnnotationSet(1, name, SetKind.ANNOTATION) for name in ("mona", "omar")}
    report = compute_agreement([DocumentSets("d", TEXT, empty)])
    out = report.to_json()
    assert report.documents == 1 and report.labels == ()
    assert all(out["pairs"][0][m] is None for m in PAIR_METRICS)
    assert all(out["overall"][m] is None for m in OVERALL_METRICS)


def test_one_annotator_gives_no_pairs_and_null_figures() -> None:
    doc = example()
    report = compute_agreement([replace(doc, sets={"mona": doc.sets["mona"]})], ci=True,
                               resamples=10, against_gold=True)
    out = report.to_json()
    assert out["documents"] == 1 and out["annotators"] == ["mona"] and out["pairs"] == []
    assert all(out["overall"][m] is None for m in OVERALL_METRICS)
    assert all(v is None for f in out["per_label"].values() for v in f.values())
    assert out["against_gold"][0]["f1"] == 0.9


def test_scope_is_the_documents_every_compared_annotator_has_a_set_of() -> None:
    full, partial = example("a"), example("b")
    partial = replace(partial, sets={k: v for k, v in partial.sets.items() if k != "salma"})
    assert compute_agreement([full, partial]).documents == 1
    assert compute_agreement([full, partial], annotators=["mona", "omar"]).documents == 2
    assert compute_agreement([]).documents == 0


def test_labels_filter_ignores_other_spans_and_relations_losing_an_end() -> None:
    report = compute_agreement([example()], labels=["location", "actor"])
    assert report.labels == ("actor", "location")
    # mona: الوزير السفير روسيا(actor) موسكو باريس القاهرة; omar: the same but روسيا(location)
    assert report.pair("mona", "omar").figures["span_f1_exact"] == approx(10 / 12)
    # every relation has a quote at its head: none is kept
    assert report.pair("mona", "omar").figures["relation_f1"] is None
    # with quotes and actors, the said_by relations stay: mona and omar share said_by(q1, الوزير)
    kept = compute_agreement([example()], labels=["quote", "actor"])
    assert kept.pair("mona", "omar").figures["relation_f1"] == approx(2 * 1 / 4)
    assert kept.pair("mona", "salma").figures["relation_f1"] == approx(2 * 1 / 4)


def test_labels_filter_changes_the_character_categories() -> None:
    # Without locations, موسكو is quote for everyone, so mona-omar differ only at و (O/cue) and
    # مع (quote/O); روسيا is actor/O. Categories then: mona O 25, cue 7, actor 17, quote 24;
    # omar O 31 (the 22 location units + ... ) -- checked against a direct count instead:
    report = compute_agreement([example()], labels=["cue", "quote", "actor"])
    mona = _categories_by_hand(["cue", "quote", "actor"], "mona")
    omar = _categories_by_hand(["cue", "quote", "actor"], "omar")
    agree = sum(a == b for a, b in zip(mona, omar))
    n = len(mona)
    chance = sum(mona.count(c) * omar.count(c) for c in set(mona) | set(omar))
    assert report.pair("mona", "omar").figures["kappa_char"] == approx(
        (n * agree - chance) / (n * n - chance))


def _categories_by_hand(labels: list[str], owner: str) -> list[str]:
    spans = [(s.start, s.end, s.label) for s in example().sets[owner].spans if s.label in labels]
    out = []
    for i, ch in enumerate(TEXT):
        if ch.isspace():
            continue
        covering = sorted((e - s, s, label) for s, e, label in spans if s <= i < e)
        out.append(covering[0][2] if covering else "O")
    return out


@pytest.mark.parametrize(("spans", "expected"), [
    # nested: the shorter span wins; outside both: 0 (O). Offsets after an emoji.
    ([(1, 9, 1), (3, 5, 2)], [0, 1, 1, 2, 2, 1, 1, 1, 1, 0]),
    # the same length: the earlier start wins where they overlap
    ([(4, 7, 2), (2, 5, 1)], [0, 0, 1, 1, 1, 2, 2, 0, 0, 0]),
    # the same offsets: the label first in order (the smaller code) wins
    ([(2, 4, 3), (2, 4, 1)], [0, 0, 1, 1, 0, 0, 0, 0, 0, 0]),
])
def test_categories_take_the_shortest_covering_span(spans: list[tuple[int, int, int]],
                                                    expected: list[int]) -> None:
    assert categories(10, spans).tolist() == expected


def test_a_span_that_does_not_match_the_text_is_refused_with_its_document() -> None:
    doc = example()
    bad = AnnotationSet(1, "omar", SetKind.ANNOTATION, spans=(Span(2, 5, "cue", "قول", id=1),))
    with pytest.raises(UserError, match=r"^document ex-1, set omar: span 2-5 \(cue\) does not"):
        compute_agreement([replace(doc, sets={**doc.sets, "omar": bad})])
    past = AnnotationSet(1, "omar", SetKind.ANNOTATION, spans=(Span(87, 90, "cue", "abc", id=1),))
    with pytest.raises(UserError, match="span 87-90"):
        compute_agreement([replace(doc, sets={**doc.sets, "omar": past})])


def test_a_relation_to_a_missing_span_is_refused() -> None:
    doc = example()
    omar = doc.sets["omar"]
    broken = replace(omar, relations=(*omar.relations, Relation("said_by", 1, 99)))
    with pytest.raises(UserError, match="set omar: relation said_by 1 -> 99 refers to a span"):
        compute_agreement([replace(doc, sets={**doc.sets, "omar": broken})])


def test_unknown_annotator_and_repeated_document_are_refused() -> None:
    with pytest.raises(UserError, match="annotator 'nadia' has no set"):
        compute_agreement([example()], annotators=["mona", "nadia"])
    with pytest.raises(UserError, match="document ex-1 is given twice"):
        compute_agreement([example(), example()])
    with pytest.raises(UserError, match="resamples must be at least 1"):
        compute_agreement([example()], ci=True, resamples=0)


# -- per-document scores ---------------------------------------------------------------------------


def test_document_scores_are_the_mean_pairwise_figures_of_each_document() -> None:
    doc = example("b")
    lone = replace(example("c"), sets={"mona": example().sets["mona"]})
    same = replace(example("d"), sets={"mona": doc.sets["mona"],
                                       "omar": replace(doc.sets["mona"], owner="omar")})
    scores = document_scores([doc, lone, same])
    assert list(scores) == ["b", "c", "d"]
    assert scores["b"].span_f1_exact == approx((0.7 + 14 / 19 + 10 / 19) / 3)
    assert scores["b"].kappa_char == approx((3511 / 4095 + 3390 / 4047 + 2824 / 4065) / 3)
    assert scores["b"].annotators == 3
    assert (scores["c"].span_f1_exact, scores["c"].kappa_char, scores["c"].annotators) == (
        None, None, 1)
    assert (scores["d"].span_f1_exact, scores["d"].kappa_char) == (1.0, 1.0)
    only = document_scores([doc], annotators=["mona", "omar"])
    assert only["b"].span_f1_exact == approx(0.7)


# -- bootstrap intervals --------------------------------------------------------------------------


def _corpus(n: int) -> list[DocumentSets]:
    """n copies of the example text, each annotator's set thinned differently per document."""
    docs = []
    for i in range(n):
        base = example(f"doc-{i:02d}")
        sets = {}
        for k, (name, aset) in enumerate(sorted(base.sets.items())):
            keep = tuple(s for j, s in enumerate(aset.spans) if (i + j + k) % 5 != 0)
            ids = {s.id for s in keep}
            rels = tuple(r for r in aset.relations if r.head in ids and r.tail in ids)
            sets[name] = replace(aset, spans=keep, relations=rels)
        docs.append(replace(base, sets=sets))
    return docs


def test_same_seed_gives_the_same_intervals_and_another_seed_others() -> None:
    docs = _corpus(12)
    a = compute_agreement(docs, ci=True, resamples=200, seed=7, against_gold=True).to_json()
    b = compute_agreement(docs, ci=True, resamples=200, seed=7, against_gold=True).to_json()
    c = compute_agreement(docs, ci=True, resamples=200, seed=8, against_gold=True).to_json()
    assert a == b
    assert a["overall"]["kappa_char_ci"] != c["overall"]["kappa_char_ci"]


def test_intervals_contain_the_point_estimates_on_a_typical_corpus() -> None:
    report = compute_agreement(_corpus(12), ci=True, resamples=300, seed=1, against_gold=True)
    rows = [report.overall, *report.per_label.values(), *(p.figures for p in report.pairs),
            *(g.figures for g in report.against_gold or ())]
    checked = 0
    for figures in rows:
        for name in figures:
            value, ci = figures[name], figures.interval(name)
            if value is None:
                continue
            assert ci is not None and ci[0] <= value <= ci[1], (name, value, ci)
            checked += 1
    assert checked > 50
    assert report.overall.interval("kappa_char")[0] < report.overall.interval("kappa_char")[1]


def test_one_document_collapses_every_interval_to_the_point() -> None:
    report = compute_agreement([example()], ci=True, resamples=50, against_gold=True)
    for figures in (report.overall, *(p.figures for p in report.pairs)):
        for name in figures:
            value = figures[name]
            assert figures.interval(name) == (None if value is None else (value, value))


def test_an_interval_of_one_resample_is_the_figure_of_that_resample() -> None:
    """The bootstrap is recomputable: with resamples=1 each interval is the figure of the one
    resample, which equals compute_agreement on those documents laid out in that order."""
    import numpy as np

    docs = _corpus(6)
    order = np.random.default_rng(3).integers(0, 6, size=(1, 6))[0]
    redrawn = [replace(docs[i], doc_id=f"draw-{k}") for k, i in enumerate(order)]
    boot = compute_agreement(docs, ci=True, resamples=1, seed=3, against_gold=True)
    direct = compute_agreement(redrawn, against_gold=True)
    pairs = [(boot.overall, direct.overall),
             *((boot.per_label[k], direct.per_label[k]) for k in direct.labels),
             *((p.figures, q.figures) for p, q in zip(boot.pairs, direct.pairs)),
             *((g.figures, h.figures) for g, h in zip(boot.against_gold or (),
                                                      direct.against_gold or ()))]
    for mine, theirs in pairs:
        for name in theirs:
            ci = mine.interval(name)
            if theirs[name] is None:
                assert ci is None
            else:
                assert ci is not None and math.isclose(ci[0], theirs[name], abs_tol=1e-9)
                assert ci[0] == ci[1]
