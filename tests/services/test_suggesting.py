"""Suggestions in the store: the suggestions set per document (exact offsets after an emoji,
source, relations, journal, idempotent), who may write it, propagation from the human sets,
accepting and rejecting in an annotator's set with exact undo, reading the stored set, the
outcome statistics, and origin/source in native JSONL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotator.core.errors import UserError
from annotator.core.model import Origin, Role, SetKind, SetStatus
from annotator.db.models import AnnotationSetRow, EventRow, SuggestionRejectionRow
from annotator.db.repositories import SetFilter
from annotator.db.store import Store
from annotator.exports.jsonl import parse_line
from annotator.services.annotate import AnnotationService
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.project import project_schema
from annotator.services.suggesting import (
    SuggestionService,
    parse_only,
    suggest_documents,
    suggestion_stats,
)
from annotator.services.team import TeamService, ensure_first_lead
from tests.services.helpers import line
from tests.ui.helpers import dump

TEXT = "😀 قال وزير الخارجية الروسي: «لن نتراجع عن هذا القرار أبدا». وزار الوفد موسكو أمس.\n"
CUE = (2, 5, "cue")                  # قال
SPEAKER = (6, 26, "actor")           # وزير الخارجية الروسي
QUOTE = (29, 57, "quote")            # لن نتراجع عن هذا القرار أبدا
DELEGATION = (65, 70, "actor")       # الوفد (propagated when it is a known name)
MOSCOW = (71, 76, "location")        # موسكو
SUGGESTED = [CUE, SPEAKER, QUOTE, MOSCOW]


def _cut(key: tuple[int, int, str]) -> str:
    return TEXT[key[0]:key[1]]


def test_offsets_are_right() -> None:
    assert [_cut(k) for k in (CUE, SPEAKER, QUOTE, DELEGATION, MOSCOW)] == [
        "قال", "وزير الخارجية الروسي", "لن نتراجع عن هذا القرار أبدا", "الوفد", "موسكو"]


@pytest.fixture
def team(store: Store, tmp_path: Path) -> dict[str, Any]:
    """lina (lead) imports TEXT; mona and omar annotate; rana reviews."""
    ensure_first_lead(store, "lina")
    lead = TeamService(store, actor="lina")
    for name in ("mona", "omar"):
        lead.add(name)
    lead.add("rana", Role.REVIEWER)
    path = tmp_path / "doc-1.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert not import_paths(store, [path], actor="lina").errors
    schema = project_schema(store)
    with store.unit_of_work() as uow:
        (doc_id, _, _), = uow.documents.index()
    return {"doc": doc_id, "schema": schema}


def _sets(store: Store, doc: int, kind: SetKind) -> list[Any]:
    with store.unit_of_work() as uow:
        return uow.sets.for_documents({doc: TEXT}, SetFilter(kind=kind))


def _events(store: Store, action: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(EventRow.actor, EventRow.entity, EventRow.before, EventRow.after)
            .where(EventRow.action == action).order_by(EventRow.id))]


def test_suggest_writes_the_suggestions_set_once(store: Store, team: dict[str, Any]) -> None:
    mona = AnnotationService(store, team["schema"], annotator="mona")
    mine = mona.open_document(team["doc"]).set.id
    assert mine is not None
    mona.add_span(mine, *MOSCOW)
    before = _sets(store, team["doc"], SetKind.ANNOTATION)
    report = suggest_documents(store, actor="lina")
    assert [(d.external_id, d.spans, d.relations, dict(d.by_suggester), d.written)
            for d in report.documents] == [
        ("doc-1", 4, 2, {"cues": 1, "places": 1, "quotes": 1, "speakers": 1}, True)]
    (aset,) = _sets(store, team["doc"], SetKind.SUGGESTIONS)
    assert aset.owner == "suggestions" and aset.status == SetStatus.DONE
    got = [(s.start, s.end, s.label, s.text, s.origin, dict(s.source), dict(s.attributes))
           for s in aset.spans]
    assert got == [
        (*CUE, "قال", Origin.SUGGESTED, {"suggester": "cues", "confidence": 0.9}, {}),
        (*SPEAKER, "وزير الخارجية الروسي", Origin.SUGGESTED,
         {"suggester": "speakers", "confidence": 0.8}, {}),
        (*QUOTE, "لن نتراجع عن هذا القرار أبدا", Origin.SUGGESTED,
         {"suggester": "quotes", "confidence": 0.9}, {"kind": "direct"}),
        (*MOSCOW, "موسكو", Origin.SUGGESTED, {"suggester": "places", "confidence": 0.85}, {}),
    ]
    ids = {s.id: (s.start, s.end, s.label) for s in aset.spans}
    assert sorted((r.type, ids[r.head], ids[r.tail]) for r in aset.relations) == [
        ("cue", QUOTE, CUE), ("said_by", QUOTE, SPEAKER)]
    (event,) = _events(store, "suggest")
    assert event[:3] == ("lina", "annotation_set", None)
    assert [row[:4] for row in event[3]["spans"]] == [
        [*CUE, "cues"], [*SPEAKER, "speakers"], [*QUOTE, "quotes"], [*MOSCOW, "places"]]
    assert _sets(store, team["doc"], SetKind.ANNOTATION) == before   # human sets untouched
    again = suggest_documents(store, actor="lina")
    assert [d.written for d in again.documents] == [False]
    assert len(_events(store, "suggest")) == 1


def test_suggest_only_some_suggesters_replaces_the_set(store: Store,
                                                       team: dict[str, Any]) -> None:
    suggest_documents(store, actor="lina")
    report = suggest_documents(store, actor="rana", only="quotes,places", docs="doc-*")
    assert [(d.spans, d.relations, d.written) for d in report.documents] == [(2, 0, True)]
    (aset,) = _sets(store, team["doc"], SetKind.SUGGESTIONS)
    assert [(s.start, s.end, s.label) for s in aset.spans] == [QUOTE, MOSCOW]
    assert aset.relations == ()
    before, after = _events(store, "suggest")[1][2:]
    assert (len(before["spans"]), len(after["spans"])) == (4, 2)
    assert suggest_documents(store, actor="lina", docs="nothing-*").documents == []


@pytest.mark.parametrize(("only", "message"), [
    ("quotes,nope", "unknown suggester 'nope'"), (" , ", "name one or more")])
def test_unknown_suggesters_are_refused(only: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_only(only)


def test_annotators_cannot_write_the_suggestions(store: Store, team: dict[str, Any]) -> None:
    with pytest.raises(UserError, match="'mona' \\(annotator\\) cannot write the suggestions"):
        suggest_documents(store, actor="mona")
    assert _sets(store, team["doc"], SetKind.SUGGESTIONS) == []


def test_propagation_uses_the_names_of_every_human_set(store: Store,
                                                       team: dict[str, Any]) -> None:
    """الوفد is an actor in two sets (mona's, gold) and a location in one (omar's): actor wins."""
    schema, doc = team["schema"], team["doc"]
    for name, label in (("mona", "actor"), ("omar", "location")):
        service = AnnotationService(store, schema, annotator=name)
        set_id = service.open_document(doc).set.id
        service.add_span(set_id, DELEGATION[0], DELEGATION[1], label)  # type: ignore[arg-type]
    gold = AnnotationService(store, schema, annotator="rana", kind=SetKind.GOLD)
    gold.change(None, document_id=doc, add=[])
    gold_id = gold.open_document(doc).set.id
    gold.add_span(gold_id, *DELEGATION)  # type: ignore[arg-type]
    suggest_documents(store, actor="lina", only=["propagate"])
    (aset,) = _sets(store, doc, SetKind.SUGGESTIONS)
    assert [(s.start, s.end, s.label, s.source["suggester"]) for s in aset.spans] == [
        (*DELEGATION, "propagate")]


def _window(store: Store, team: dict[str, Any], name: str = "mona", **options: Any
            ) -> tuple[AnnotationService, SuggestionService, int]:
    annotation = AnnotationService(store, team["schema"], annotator=name)
    set_id = annotation.open_document(team["doc"]).set.id
    assert set_id is not None
    return annotation, SuggestionService(annotation, **options), set_id


def _document(store: Store, doc: int) -> Any:
    with store.unit_of_work() as uow:
        return uow.documents.get(doc)


def test_accepting_copies_the_span_and_its_relations_and_undoes_exactly(
        store: Store, team: dict[str, Any]) -> None:
    annotation, service, set_id = _window(store, team)
    document = _document(store, team["doc"])
    shown = service.proposals(document, set_id)
    keys = [s.key for s in shown.spans]
    assert keys == SUGGESTED and not shown.stored
    speaker = annotation.add_span(set_id, *SPEAKER)
    before = dump(store)
    change = service.accept(set_id, shown, [keys.index(QUOTE)],
                            have={SPEAKER: speaker.id or 0}, links=set())
    (quote,) = change.put
    assert (quote.start, quote.end, quote.label, quote.text, quote.origin, dict(quote.source),
            dict(quote.attributes)) == (*QUOTE, _cut(QUOTE), Origin.SUGGESTED,
                                        {"suggester": "quotes", "confidence": 0.9},
                                        {"kind": "direct"})
    # the said_by to the speaker the set has; the cue is not in the set: no relation to it
    assert [(r.type, r.head, r.tail) for r in change.linked] == [
        ("said_by", quote.id, speaker.id)]
    undone = annotation.change(set_id, **annotation.inverse_of(change))
    assert dump(store) == before
    annotation.change(set_id, **annotation.inverse_of(undone))
    later = service.accept(set_id, shown, [keys.index(CUE)],
                           have={SPEAKER: speaker.id or 0, QUOTE: quote.id or 0},
                           links={("said_by", QUOTE, SPEAKER)})
    assert [(r.type, r.head, r.tail) for r in later.linked] == [
        ("cue", quote.id, later.put[0].id)]
    with pytest.raises(UserError, match="already in your set"):
        service.accept(set_id, shown, [keys.index(CUE)], have={CUE: later.put[0].id or 0},
                       links=set())


def test_accepting_with_the_windows_index_of_relations_links_the_same_in_the_same_order(
        store: Store, team: dict[str, Any]) -> None:
    """The window hands over which suggested relations touch each suggestion (a book has
    thousands): only those are looked at, and the same links are made, in the same order."""
    from annotator.ui.viewmodels.suggestions import SuggestionLayer

    _, service, set_id = _window(store, team)
    shown = service.proposals(_document(store, team["doc"]), set_id)
    layer = SuggestionLayer()
    layer.reset(shown, set())
    keys = [s.key for s in shown.spans]
    chosen = [keys.index(SPEAKER), keys.index(CUE), keys.index(QUOTE)]
    asked: list[int] = []

    def touching(index: int) -> list[int]:
        asked.append(index)
        return layer.relations_of(index)

    change = service.accept(set_id, shown, chosen, have={}, links=set(), touching=touching)
    assert sorted(asked) == sorted(chosen)
    ids = {(s.start, s.end, s.label): s.id for s in change.put}
    assert [(r.type, r.head, r.tail) for r in change.linked] == [
        ("cue", ids[QUOTE], ids[CUE]), ("said_by", ids[QUOTE], ids[SPEAKER])]
    assert [(r.type, keys[r.head], keys[r.tail]) for r in shown.suggestions.relations] == [
        ("cue", QUOTE, CUE), ("said_by", QUOTE, SPEAKER)]          # the proposals' own order


def test_accepting_all_is_one_transaction(store: Store, team: dict[str, Any]) -> None:
    annotation, service, set_id = _window(store, team)
    shown = service.proposals(_document(store, team["doc"]), set_id)
    change = service.accept(set_id, shown, range(len(shown.spans)), have={}, links=set())
    assert sorted((s.start, s.end, s.label) for s in change.put) == SUGGESTED
    assert len(change.linked) == 2
    with store.engine.connect() as conn:
        batches = {b for (b,) in conn.execute(select(EventRow.batch).where(
            EventRow.set_id == set_id, EventRow.action == "add"))}
    assert len(batches) == 1
    assert annotation.load_set(set_id).status == SetStatus.IN_PROGRESS


def test_rejecting_is_remembered_and_undone(store: Store, team: dict[str, Any]) -> None:
    annotation, service, set_id = _window(store, team)
    shown = service.proposals(_document(store, team["doc"]), set_id)
    before = dump(store)
    change = service.reject(set_id, shown.spans[SUGGESTED.index(MOSCOW)])
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(
            SuggestionRejectionRow.set_id, SuggestionRejectionRow.start,
            SuggestionRejectionRow.end, SuggestionRejectionRow.label,
            SuggestionRejectionRow.suggester))]
    assert rows == [(set_id, *MOSCOW, "places")]
    assert service.proposals(_document(store, team["doc"]), set_id).rejected == {MOSCOW}
    ((actor, entity, _, after),) = _events(store, "reject")
    assert (actor, entity, after["text"], after["suggester"]) == (
        "mona", "suggestion", "موسكو", "places")
    with pytest.raises(UserError, match="already rejected"):
        service.reject(set_id, shown.spans[SUGGESTED.index(MOSCOW)])
    annotation.change(set_id, **annotation.inverse_of(change), status=SetStatus.TODO)
    assert dump(store) == before
    assert service.proposals(_document(store, team["doc"]), set_id).rejected == frozenset()


def test_a_gold_set_cannot_hold_rejected_suggestions(store: Store, team: dict[str, Any]) -> None:
    from annotator.services.annotate import RejectedSuggestion

    gold = AnnotationService(store, team["schema"], annotator="rana", kind=SetKind.GOLD)
    with pytest.raises(UserError, match="annotator's own set only"):
        gold.change(None, document_id=team["doc"], dismiss=[RejectedSuggestion(*MOSCOW)])


def test_the_window_reads_the_stored_set_without_others_names_for_annotators(
        store: Store, team: dict[str, Any]) -> None:
    schema, doc = team["schema"], team["doc"]
    omar = AnnotationService(store, schema, annotator="omar")
    omar.add_span(omar.open_document(doc).set.id or 0, *DELEGATION)
    document = _document(store, doc)
    _, computed, set_id = _window(store, team)
    assert [s.key for s in computed.proposals(document, set_id).spans] == SUGGESTED  # blind
    _, nothing, _ = _window(store, team, compute=False)
    assert nothing.proposals(document, set_id).spans == ()    # no stored set yet
    suggest_documents(store, actor="lina")
    shown = nothing.proposals(document, set_id)
    assert shown.stored and [s.key for s in shown.spans] == SUGGESTED   # propagate left out
    assert len(shown.suggestions.relations) == 2
    _, reviewer, rana_set = _window(store, team, name="rana", compute=False)
    assert [s.key for s in reviewer.proposals(document, rana_set).spans] == sorted(
        [*SUGGESTED, DELEGATION])


def test_statistics_per_suggester(store: Store, team: dict[str, Any]) -> None:
    suggest_documents(store, actor="lina")
    document = _document(store, team["doc"])
    for name in ("mona", "omar"):
        annotation, service, set_id = _window(store, team, name=name)
        shown = service.proposals(document, set_id)
        keys = [s.key for s in shown.spans]
        if name == "mona":   # accepts the quote and the speaker, widens the speaker, rejects the cue
            change = service.accept(set_id, shown, [keys.index(QUOTE), keys.index(SPEAKER)],
                                    have={}, links=set())
            speaker = next(s for s in change.put if s.label == "actor")
            annotation.update_span(speaker.id or 0, start=2)
            service.reject(set_id, shown.spans[keys.index(CUE)])
            annotation.set_status(set_id, SetStatus.DONE)     # Moscow: ignored
        else:                # accepts Moscow, not done yet: nothing counts as ignored
            service.accept(set_id, shown, [keys.index(MOSCOW)], have={}, links=set())
    stats = suggestion_stats(store, actor="rana")
    assert [r.to_json() for r in stats.rows] == [
        {"suggester": "quotes", "accepted": 1, "fixed": 0, "rejected": 0, "ignored": 0,
         "total": 1, "acceptance": 1.0},
        {"suggester": "cues", "accepted": 0, "fixed": 0, "rejected": 1, "ignored": 0,
         "total": 1, "acceptance": 0.0},
        {"suggester": "speakers", "accepted": 0, "fixed": 1, "rejected": 0, "ignored": 0,
         "total": 1, "acceptance": 1.0},
        {"suggester": "places", "accepted": 1, "fixed": 0, "rejected": 0, "ignored": 1,
         "total": 2, "acceptance": 0.5},
    ]
    assert (stats.documents, stats.sets, stats.total.total) == (1, 2, 5)
    with pytest.raises(UserError, match="cannot see how the suggestions fare"):
        suggestion_stats(store, actor="mona")


def test_native_jsonl_keeps_origin_and_source_byte_for_byte(
        store: Store, other_store: Store, team: dict[str, Any], tmp_path: Path) -> None:
    suggest_documents(store, actor="lina")
    annotation, service, set_id = _window(store, team)
    shown = service.proposals(_document(store, team["doc"]), set_id)
    service.accept(set_id, shown, [SUGGESTED.index(QUOTE)], have={}, links=set())
    annotation.add_span(set_id, *DELEGATION)
    first = tmp_path / "first.jsonl"
    export(store, first, fmt="jsonl", which="all", actor="lina")
    records = [json.loads(x) for x in first.read_text(encoding="utf-8").splitlines()]
    mona = next(r for r in records if r["annotator"] == "mona")
    assert [(s["label"], s.get("origin"), s.get("source")) for s in mona["spans"]] == [
        ("quote", "suggested", {"suggester": "quotes", "confidence": 0.9}),
        ("actor", None, None)]
    ensure_first_lead(other_store, "lina")
    assert not import_paths(other_store, [first], actor="lina").errors
    second = tmp_path / "second.jsonl"
    export(other_store, second, fmt="jsonl", which="all", actor="lina")
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize(("span", "field", "message"), [
    ({"origin": "manual"}, "spans[0].origin", 'must be "suggested" or left out'),
    ({"source": {"suggester": "quotes", "confidence": 0.5}}, "spans[0].source",
     'only for a span with "origin": "suggested"'),
    ({"origin": "suggested", "source": {"suggester": "quotes"}}, "spans[0].source",
     "must be {"),
    ({"origin": "suggested", "source": {"suggester": "", "confidence": 0.5}},
     "spans[0].source.suggester", "non-empty name"),
    ({"origin": "suggested", "source": {"suggester": "quotes", "confidence": 1.5}},
     "spans[0].source.confidence", "from 0 to 1, not 1.5"),
    ({"origin": "suggested", "source": {"suggester": "quotes", "confidence": True}},
     "spans[0].source.confidence", "from 0 to 1, not True"),
])
def test_bad_origin_or_source_names_line_and_field(store: Store, span: dict[str, Any],
                                                   field: str, message: str) -> None:
    raw = line(TEXT, spans=[{"start": MOSCOW[0], "end": MOSCOW[1], "label": "location", **span}])
    with pytest.raises(Exception, match=message) as caught:
        parse_line(raw, path="in.jsonl", line=7, schema=project_schema(store))
    assert "in.jsonl" in str(caught.value) and "7" in str(caught.value)
    assert field in str(caught.value)


def test_suggestions_set_rows_are_owned_by_the_reserved_owner(store: Store,
                                                              team: dict[str, Any]) -> None:
    suggest_documents(store, actor="lina")
    with store.engine.connect() as conn:
        kinds = sorted(k for (k,) in conn.execute(select(AnnotationSetRow.kind)))
    assert kinds == ["suggestions"]


def test_names_labeled_in_the_window_propagate_to_the_next_document(
        store: Store, team: dict[str, Any]) -> None:
    annotation, service, set_id = _window(store, team)
    document = _document(store, team["doc"])
    assert DELEGATION not in [s.key for s in service.proposals(document, set_id).spans]
    span = annotation.add_span(set_id, *DELEGATION)
    service.learn(TEXT, [span])                    # the window leaves the document
    found = service.proposals(document, set_id).spans
    assert [(s.key, s.suggester) for s in found if s.key == DELEGATION] == [
        (DELEGATION, "propagate")]
