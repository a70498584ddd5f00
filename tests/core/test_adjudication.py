"""Candidates, agreement levels, disagreement classes, regions and states (pure)."""

from __future__ import annotations

from annotator.core.adjudication import Agreement, Disagreement, State
from annotator.core.gold_states import relations_to_accept, states
from annotator.core.model import AnnotationSet, Relation, SetKind, Span
from annotator.core.review_build import build_review
from tests.ui.helpers import ACTOR, CUE, EMOJI_TEXT, FRANCE, MOSCOW, QUOTE

TEXT = EMOJI_TEXT
SHORT_ACTOR = (46, 52)   # الرئيس (without الروسي)


def _set(owner: str, spans: list[tuple[tuple[int, int], str]],
         relations: list[tuple[str, int, int]] = ()) -> AnnotationSet:  # type: ignore[assignment]
    made = tuple(Span(start=s, end=e, label=label, text=TEXT[s:e], id=n + 1)
                 for n, ((s, e), label) in enumerate(spans))
    return AnnotationSet(document_id=1, owner=owner, kind=SetKind.ANNOTATION, spans=made,
                         relations=tuple(Relation(t, h, tl, id=n + 1)
                                         for n, (t, h, tl) in enumerate(relations)))


def three() -> dict[str, AnnotationSet]:
    """mona and omar agree on the actor and the said_by link; sara cuts the actor short and
    calls Moscow an actor; mona calls it a location; omar labels France inside the quote."""
    return {
        "mona": _set("mona", [(CUE, "cue"), (ACTOR, "actor"), (MOSCOW[1], "location"),
                              (QUOTE, "quote")], [("said_by", 4, 2), ("cue", 4, 1)]),
        "omar": _set("omar", [(CUE, "cue"), (ACTOR, "actor"), (QUOTE, "quote"),
                              (FRANCE, "location")], [("said_by", 3, 2)]),
        "sara": _set("sara", [(CUE, "cue"), (SHORT_ACTOR, "actor"), (MOSCOW[1], "actor"),
                              (QUOTE, "quote")]),
    }


def test_the_spans_under_test_are_what_they_say() -> None:
    assert "📰" in TEXT[:CUE[0]]  # an emoji (outside the BMP) before every span
    assert TEXT[slice(*CUE)] == "قالَ"
    assert TEXT[slice(*SHORT_ACTOR)] == "الرئيس"
    assert TEXT[slice(*ACTOR)] == "الرئيس الروسي"
    assert TEXT[slice(*MOSCOW[1])] == "موسكو"


def test_candidates_with_agreement_and_disagreement_classes() -> None:
    review = build_review(TEXT, three())
    assert review.annotators == ("mona", "omar", "sara")
    found = [(c.key, c.annotators, c.agreement, review.disagreements(i))
             for i, c in enumerate(review.candidates)]
    assert found == [
        ((24, 28, "cue"), ("mona", "omar", "sara"), Agreement.ALL, (Disagreement.RELATION,)),
        ((46, 52, "actor"), ("sara",), Agreement.MINORITY, (Disagreement.BOUNDARIES,)),
        ((46, 59, "actor"), ("mona", "omar"), Agreement.MAJORITY, (Disagreement.BOUNDARIES,)),
        ((83, 88, "actor"), ("sara",), Agreement.MINORITY,
         (Disagreement.MISSING, Disagreement.LABEL)),
        ((83, 88, "location"), ("mona",), Agreement.MINORITY,
         (Disagreement.MISSING, Disagreement.LABEL)),
        ((93, 119, "quote"), ("mona", "omar", "sara"), Agreement.ALL, (Disagreement.RELATION,)),
        ((104, 109, "location"), ("omar",), Agreement.MINORITY, (Disagreement.MISSING,)),
    ]
    assert [c.text for c in review.candidates][5] == "التعاون مع فرنسا ضروري جدا"
    assert review.counts() == {Agreement.ALL: 2, Agreement.MAJORITY: 1, Agreement.MINORITY: 4}


def test_regions_group_overlapping_candidates() -> None:
    review = build_review(TEXT, three())
    assert [(r.start, r.end, r.candidates) for r in review.regions] == [
        (24, 28, (0,)), (46, 59, (1, 2)), (83, 88, (3, 4)), (93, 119, (5, 6))]
    assert [c.region for c in review.candidates] == [0, 1, 1, 2, 2, 3, 3]
    assert review.regions_overlapping(50, 100) == [1, 2, 3]
    assert review.regions_overlapping(28, 46) == []
    mona = review.version("mona", 3)
    assert [(s.start, s.end, s.label) for s in mona.spans] == [(93, 119, "quote")]
    assert mona.relations == (("cue", (93, 119, "quote"), (24, 28, "cue")),
                              ("said_by", (93, 119, "quote"), (46, 59, "actor")))
    assert review.version("sara", 1).spans[0].text == "الرئيس"


def test_relation_candidates_know_who_could_have_linked() -> None:
    review = build_review(TEXT, three())
    found = [(r.type, r.annotators, r.holders, r.unanimous) for r in review.relations]
    assert found == [("cue", ("mona",), ("mona", "omar", "sara"), False),
                     ("said_by", ("mona", "omar"), ("mona", "omar"), True)]
    gold = [(24, 28, "cue"), (46, 59, "actor"), (93, 119, "quote")]
    assert [(r.type, r.head, r.tail) for r in relations_to_accept(review, gold)] == [
        ("said_by", (93, 119, "quote"), (46, 59, "actor"))]
    assert len(relations_to_accept(review, gold, unanimous_only=False)) == 2
    # only those touching given keys, found by key; gold as a mapping is looked up, not copied
    quote, actor, cue = (93, 119, "quote"), (46, 59, "actor"), (24, 28, "cue")
    assert [(r.type, r.tail) for r in review.relations_touching([actor])] == [("said_by", actor)]
    assert [r.type for r in review.relations_touching({quote, cue, actor})] == ["cue", "said_by"]
    assert review.relations_touching([(0, 1, "cue")]) == []
    ids = {key: n for n, key in enumerate(gold)}
    assert [(r.type, r.head) for r in relations_to_accept(review, ids, touching=[cue],
                                                          unanimous_only=False)] == [
        ("cue", quote)]
    assert relations_to_accept(review, ids, touching=[cue]) == []
    assert relations_to_accept(review, {quote: 1}, touching=[quote]) == []


def test_states_against_gold_and_rejections() -> None:
    review = build_review(TEXT, three())
    gold = [(46, 59, "actor"), (83, 88, "location")]
    found = states(review, gold, rejected={(104, 109, "location")})
    assert found == [State.OPEN,          # cue: not decided
                     State.SUPERSEDED,    # the short actor: gold has the long one
                     State.ACCEPTED,
                     State.SUPERSEDED,    # Moscow as actor: gold has the same offsets as location
                     State.ACCEPTED,
                     State.OPEN,
                     State.REJECTED]


def test_one_annotator_and_no_annotator() -> None:
    one = build_review(TEXT, {"mona": three()["mona"]})
    assert all(c.agreement == Agreement.ALL for c in one.candidates)
    assert all(c.unanimous for c in one.candidates)
    assert [one.disagreements(i) for i in range(len(one.candidates))] == [()] * 4
    empty = build_review(TEXT, {})
    assert empty.candidates == () and empty.regions == ()


def _reference(sets: dict[str, AnnotationSet], gold: list[tuple[int, int, str]],
               rejected: set[tuple[int, int, str]]) -> list[tuple[object, ...]]:
    """Each candidate worked out by the definitions of the module docstring, span by span:
    (key, who has it, disagreement classes, state)."""
    names = sorted(sets)
    keys_of = {n: {(s.start, s.end, s.label) for s in sets[n].spans} for n in names}
    found = []
    for key in sorted(set().union(*keys_of.values())):
        start, end, label = key
        holders = tuple(n for n in names if key in keys_of[n])
        kinds = set()
        for other in names:
            if other in holders:
                continue
            mine = keys_of[other]
            if any((s, e) == (start, end) for s, e, _ in mine):
                kinds.add(Disagreement.LABEL)
            elif any(lb == label and s < end and e > start for s, e, lb in mine):
                kinds.add(Disagreement.BOUNDARIES)
            else:
                kinds.add(Disagreement.MISSING)
        state = State.ACCEPTED if key in gold else State.REJECTED if key in rejected else \
            State.SUPERSEDED if any(s < end and e > start and (lb == label or (s, e) == (start, end))
                                    for s, e, lb in gold) else State.OPEN
        found.append((key, holders, tuple(d for d in Disagreement if d in kinds), state))
    return found


def test_candidates_regions_and_states_match_their_definitions_on_random_sets() -> None:
    import random

    rng = random.Random(7)
    text = TEXT
    for _ in range(40):
        sets = {}
        for name in ("mona", "omar", "sara", "tala")[:rng.randint(1, 4)]:
            keys = set()
            for _ in range(rng.randint(0, 25)):
                start = rng.randrange(2, len(text) - 12)
                keys.add((start, start + rng.randint(1, 12), rng.choice(("actor", "cue", "quote"))))
            sets[name] = _set(name, [((s, e), lb) for s, e, lb in sorted(keys)])
        review = build_review(text, sets)
        every = sorted({(s.start, s.end, s.label) for a in sets.values() for s in a.spans})
        gold = rng.sample(every, min(len(every), rng.randint(0, 6)))
        rejected = set(rng.sample(every, min(len(every), rng.randint(0, 4))))
        found = states(review, gold, rejected)
        assert [(c.key, c.annotators, review.disagreements(i), found[i])
                for i, c in enumerate(review.candidates)] == _reference(sets, gold, rejected)
        for r, region in enumerate(review.regions):     # regions: overlapping runs of candidates
            assert all(review.candidates[i].region == r for i in region.candidates)
            assert region.start == min(review.keys[i][0] for i in region.candidates)
            assert region.end == max(review.keys[i][1] for i in region.candidates)
        for left, right in zip(review.regions, review.regions[1:]):
            assert left.end <= right.start
        for i, key in enumerate(review.keys):
            assert review.index_of(key) == i and review.candidate(key) == review.candidates[i]
            assert review.agreement(i) == review.candidates[i].agreement


def test_rows_out_of_key_order_give_the_same_review() -> None:
    import random

    from annotator.core.review_build import review_of_rows

    sets = three()
    names = tuple(sorted(sets))
    rows = [(s.start, s.end, s.label, n, s.id, s.attributes)
            for n, name in enumerate(names) for s in sets[name].spans]
    relations = {name: [(r.type, r.head, r.tail) for r in sets[name].relations]
                 for name in names}
    expected = review_of_rows(TEXT, names, sorted(rows), relations)
    random.Random(3).shuffle(rows)
    found = review_of_rows(TEXT, names, rows, relations)
    assert found.keys == expected.keys and found.holders == expected.holders
    assert found.regions == expected.regions and found.differ == expected.differ == {0, 5}
    assert found.entries_of == expected.entries_of
    assert found.candidates == build_review(TEXT, sets).candidates
