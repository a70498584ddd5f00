"""Team, assignment, blind annotation and adjudication into gold, at the service level, on
SQLite and PostgreSQL: exact gold rows with provenance, one journaled transaction per decision,
exact undo, and roles that no method gets around."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotator.core.adjudication import State
from annotator.core.errors import UserError
from annotator.core.model import Decision, Provenance, Role, SetKind, SetStatus
from annotator.core.roles import PermissionDenied
from annotator.db.models import AnnotationSetRow, EventRow, RejectionRow, SpanRow
from annotator.db.store import Store
from annotator.services.adjudicate import auto_adjudicate
from annotator.services.annotate import AnnotationService
from annotator.services.assign import assign
from annotator.services.exporting import export
from annotator.services.project import project_schema
from annotator.services.review import GoldState, ReviewService
from annotator.services.team import TeamService, ensure_first_lead
from tests.services.helpers import snapshot
from annotator.core.snap import KnownNames
from tests.ui.helpers import (
    ACTOR,
    CUE,
    EMOJI_ID,
    EMOJI_TEXT,
    FRANCE,
    MOSCOW,
    QUOTE,
    dump,
    import_documents,
)

SHORT_ACTOR = (46, 52)


@dataclass
class Team:
    store: Store
    doc: int                       # the emoji document
    seed: int                      # the seed article
    people: dict[str, AnnotationService]
    review: ReviewService


def _label(service: AnnotationService, doc: int,
           spans: list[tuple[tuple[int, int], str]], links: list[tuple[str, int, int]]) -> None:
    set_id = service.open_document(doc).set.id
    assert set_id is not None
    made = [service.add_span(set_id, s, e, label) for (s, e), label in spans]
    for kind, head, tail in links:
        service.add_relation(set_id, kind, made[head].id or 0, made[tail].id or 0)


@pytest.fixture
def team(store: Store, tmp_path: Path) -> Team:
    ids = import_documents(store, tmp_path)
    assert ensure_first_lead(store, "lina")
    lead = TeamService(store, actor="lina")
    for name in ("mona", "omar", "sara"):
        lead.add(name)
    lead.add("rana", Role.REVIEWER)
    schema = project_schema(store)
    people = {n: AnnotationService(store, schema, annotator=n) for n in ("mona", "omar", "sara")}
    doc = ids[EMOJI_ID]
    # the same three versions as tests/core/test_adjudication.py
    _label(people["mona"], doc, [(CUE, "cue"), (ACTOR, "actor"), (MOSCOW[1], "location"),
                                 (QUOTE, "quote")], [("said_by", 3, 1), ("cue", 3, 0)])
    _label(people["omar"], doc, [(CUE, "cue"), (ACTOR, "actor"), (QUOTE, "quote"),
                                 (FRANCE, "location")], [("said_by", 2, 1)])
    _label(people["sara"], doc, [(CUE, "cue"), (SHORT_ACTOR, "actor"), (MOSCOW[1], "actor"),
                                 (QUOTE, "quote")], [])
    return Team(store, doc, ids["000_53e7616c08ffaf74"], people,
                ReviewService(store, schema, reviewer="rana"))


def _gold(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.origin, SpanRow.provenance,
                   SpanRow.attributes)
            .join(AnnotationSetRow, AnnotationSetRow.id == SpanRow.set_id)
            .where(AnnotationSetRow.kind == "gold").order_by(SpanRow.start, SpanRow.label))]


def _events_since(store: Store, since: int) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        return [(r.action, r.entity, r.batch) for r in conn.execute(
            select(EventRow).where(EventRow.id > since).order_by(EventRow.id))]


def _last_event(store: Store) -> int:
    with store.engine.connect() as conn:
        return max([0, *conn.execute(select(EventRow.id)).scalars()])


def _prov(by: str, how: Decision, *names: str) -> dict[str, Any]:
    return Provenance(by, how, names).to_json()


# -- people and roles --------------------------------------------------------------------------


def test_the_first_person_is_the_lead_and_only_leads_manage_the_team(team: Team) -> None:
    assert not ensure_first_lead(team.store, "mona")   # the store has a lead already
    members = {m.name: (m.role, m.sets) for m in TeamService(team.store, actor="mona").members()}
    assert members == {"lina": (Role.LEAD, 0), "mona": (Role.ANNOTATOR, 1),
                       "omar": (Role.ANNOTATOR, 1), "rana": (Role.REVIEWER, 0),
                       "sara": (Role.ANNOTATOR, 1)}
    counts = snapshot(team.store)
    for who in ("mona", "rana"):
        with pytest.raises(PermissionDenied, match="only leads"):
            TeamService(team.store, actor=who).add("zaid")
        with pytest.raises(PermissionDenied, match="only leads"):
            TeamService(team.store, actor=who).set_role("mona", Role.LEAD)
    assert snapshot(team.store) == counts
    lead = TeamService(team.store, actor="lina")
    with pytest.raises(UserError, match="only lead"):
        lead.set_role("lina", Role.REVIEWER)
    with pytest.raises(UserError, match="already in the team"):
        lead.add("mona")
    for bad in ("gold", "suggestions", "system", " ", "a,b"):
        with pytest.raises(UserError):
            lead.add(bad)
    assert lead.set_role("omar", "lead") == (Role.ANNOTATOR, Role.LEAD)
    assert lead.set_role("lina", "reviewer") == (Role.LEAD, Role.REVIEWER)  # omar leads now
    with pytest.raises(UserError, match="unknown role"):
        lead.set_role("mona", "admin")


# -- assignment --------------------------------------------------------------------------------


def _assignment(store: Store) -> list[tuple[int, str]]:
    with store.engine.connect() as conn:
        from annotator.db.models import AnnotatorRow
        return sorted((d, n) for d, n in conn.execute(
            select(AnnotationSetRow.document_id, AnnotatorRow.name)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .where(AnnotationSetRow.kind == "annotation")))


def test_assignment_is_balanced_deterministic_and_skips_what_is_assigned(store: Store) -> None:
    from annotator.core.model import Document
    from annotator.core.text import sha256_text

    ensure_first_lead(store, "lina")
    lead = TeamService(store, actor="lina")
    for name in ("mona", "omar", "sara"):
        lead.add(name)
    texts = [f"خبر رقم {i} 📰 من موسكو" for i in range(9)]
    with store.unit_of_work() as uow:
        uow.documents.add_many([Document(external_id=f"n{i}", title=t, text=t,
                                         sha256=sha256_text(t)) for i, t in enumerate(texts)])
    # mona already has n0: it needs one more annotator only
    AnnotationService(store, project_schema(store), annotator="mona").open_document(
        _doc_id(store, "n0"))
    since = _last_event(store)
    report = assign(store, actor="lina", people=["mona", "omar", "sara"], per_doc=2, seed=7)
    assert report.documents == 9 and report.complete == 0 and report.short == []
    assert len(report.assigned) == 17                     # 9 x 2 - mona's n0
    assert report.per_person == {"mona": 5, "omar": 6, "sara": 6}   # 6 documents each
    per_doc: dict[str, list[str]] = {}
    for ext, name in report.assigned:
        per_doc.setdefault(ext, []).append(name)
    assert "mona" not in per_doc["n0"] and len(per_doc["n0"]) == 1
    assert all(len(v) == 2 and len(set(v)) == 2 for k, v in per_doc.items() if k != "n0")
    events = _events_since(store, since)
    assert [e[:2] for e in events] == [("assign", "annotation_set")] * 17
    assert len({e[2] for e in events}) == 1                # one transaction
    first = _assignment(store)
    # the same seed on a store in the same state gives the same assignment
    other = _fresh_copy(store, texts)
    assign(other, actor="lina", people=["mona", "omar", "sara"], per_doc=2, seed=7)
    assert _assignment(other) == first
    # running it again assigns nothing: every document has its two annotators
    again = assign(store, actor="lina", people=["mona", "omar", "sara"], per_doc=2, seed=7)
    assert again.assigned == [] and again.complete == 9
    counts = snapshot(store)
    with pytest.raises(PermissionDenied, match="only leads"):
        assign(store, actor="mona", people=["omar"], per_doc=1)
    with pytest.raises(UserError, match="not in the team: zaid"):
        assign(store, actor="lina", people=["zaid"], per_doc=1)
    with pytest.raises(UserError, match="needs at least 3 people"):
        assign(store, actor="lina", people=["mona", "omar"], per_doc=3)
    with pytest.raises(UserError, match="chooses no document"):
        assign(store, actor="lina", people=["mona"], per_doc=1, docs="x*")
    assert snapshot(store) == counts


def _doc_id(store: Store, external_id: str) -> int:
    with store.unit_of_work() as uow:
        found = uow.documents.by_external_id(external_id)
    assert found is not None and found.id is not None
    return found.id


def _fresh_copy(store: Store, texts: list[str]) -> Store:
    """A second store in the state the first had before assigning."""
    from annotator.core.model import Document
    from annotator.core.text import sha256_text
    from annotator.services.project import open_project

    url = store.url.replace("store.sqlite3", "copy.sqlite3")
    if url == store.url:
        pytest.skip("the copy is made on SQLite")
    copy = open_project(url)
    ensure_first_lead(copy, "lina")
    lead = TeamService(copy, actor="lina")
    for name in ("mona", "omar", "sara"):
        lead.add(name)
    with copy.unit_of_work() as uow:
        uow.documents.add_many([Document(external_id=f"n{i}", title=t, text=t,
                                         sha256=sha256_text(t)) for i, t in enumerate(texts)])
    AnnotationService(copy, project_schema(copy), annotator="mona").open_document(
        _doc_id(copy, "n0"))
    return copy


def test_assigned_annotators_see_only_their_documents(team: Team) -> None:
    assert len(team.people["mona"].queue()) == 2          # nothing assigned yet: every document
    assign(team.store, actor="lina", people=["sara"], per_doc=1, docs="000_*")
    assert [q.external_id for q in team.people["mona"].queue()] == [EMOJI_ID]
    assert [q.external_id for q in team.people["sara"].queue()] == ["000_53e7616c08ffaf74",
                                                                     EMOJI_ID]


# -- blind annotation --------------------------------------------------------------------------


def test_an_annotator_cannot_get_another_annotators_spans_by_any_method(team: Team,
                                                                         tmp_path: Path) -> None:
    mona, omar = team.people["mona"], team.people["omar"]
    omar_set = omar.open_document(team.doc).set
    assert omar_set.id is not None
    speaker = EMOJI_TEXT.index("المتحدّثُ")
    omar.add_span(omar_set.id, speaker, speaker + len("المتحدّثُ"), "actor")
    omar_set = omar.open_document(team.doc).set
    assert len(omar_set.spans) == 5
    gold = team.review.open(team.doc)
    team.review.accept(gold, (24, 28, "cue"), gold.gold_state())
    gold_id = team.review.open(team.doc).gold_id
    assert gold_id is not None
    counts = snapshot(team.store)
    denied: list[Any] = [
        lambda: mona.load_set(omar_set.id),
        lambda: mona.load_set(gold_id),
        lambda: ReviewService(team.store, mona.schema, reviewer="mona").open(team.doc),
        lambda: ReviewService(team.store, mona.schema, reviewer="mona").queue(),
        lambda: AnnotationService(team.store, mona.schema, annotator="mona",
                                  kind=SetKind.GOLD).open_document(team.doc),
        lambda: export(team.store, tmp_path / "o.jsonl", which="omar", actor="mona"),
        lambda: export(team.store, tmp_path / "g.jsonl", which="gold", actor="mona"),
        lambda: export(team.store, tmp_path / "a.jsonl", which="all", actor="mona"),
        lambda: auto_adjudicate(team.store, actor="mona"),
    ]
    for attempt in denied:
        with pytest.raises(UserError, match="'mona' \\(annotator\\)"):
            attempt()
    assert list(tmp_path.glob("*.jsonl")) == []
    assert snapshot(team.store) == counts
    # what mona may see holds only her own spans
    mine = mona.open_document(team.doc).set
    assert {s.id for s in mine.spans}.isdisjoint({s.id for s in omar_set.spans})
    assert not {"فرنسا"} & {s.text for s in mona.open_document(team.doc).set.spans}
    # omar's actor is not a known name for her (the gazetteer's places are)
    assert not KnownNames.of(["المتحدّثُ"]) <= mona.known_names()
    assert KnownNames.of(["المتحدّثُ"]) <= omar.known_names()
    export(team.store, tmp_path / "mine.jsonl", which="mona", actor="mona")
    assert "فرنسا\"" not in (tmp_path / "mine.jsonl").read_text(encoding="utf-8").split(
        '"spans"')[1]
    # a reviewer sees every set
    assert len(AnnotationService(team.store, mona.schema, annotator="rana")
               .load_set(omar_set.id).spans) == 5


# -- adjudication ------------------------------------------------------------------------------


def test_review_decisions_build_gold_with_provenance_and_undo_exactly(team: Team) -> None:
    review = team.review
    opened = review.open(team.doc)
    assert opened.gold_id is None                          # opening writes nothing
    assert [s for s in opened.states()] == [State.OPEN] * 7
    states_before = dump(team.store)
    undo: list[Any] = []

    # accept everything that all three share: the cue and the quote (their relations differ)
    since = _last_event(team.store)
    change = review.accept_unanimous(opened, opened.gold_state())
    assert [(s.start, s.end, s.label) for s in change.put] == [(24, 28, "cue"), (93, 119, "quote")]
    assert change.linked == ()
    events = _events_since(team.store, since)
    assert [e[:2] for e in events] == [("create", "annotation_set"), ("add", "span"),
                                       ("add", "span"), ("status", "annotation_set")]
    assert len({e[2] for e in events}) == 1                # one transaction
    undo.append(change)

    opened = review.open(team.doc)
    assert opened.gold.status == SetStatus.IN_PROGRESS
    # accept the actor mona and omar share: the said_by link they agree on comes with it
    change = review.accept(opened, (46, 59, "actor"), opened.gold_state())
    assert [(r.type) for r in change.linked] == ["said_by"]
    undo.append(change)
    opened = review.open(team.doc)
    # take mona's version of Moscow: location in, sara's actor rejected
    change = review.take_version(opened, "mona", 2, opened.gold_state())
    assert [(s.start, s.end, s.label) for s in change.put] == [(83, 88, "location")]
    assert change.rejected == ((83, 88, "actor"),)
    undo.append(change)
    opened = review.open(team.doc)
    change = review.reject(opened, (104, 109, "location"), opened.gold_state())
    undo.append(change)
    opened = review.open(team.doc)
    assert opened.states() == [State.ACCEPTED, State.SUPERSEDED, State.ACCEPTED, State.REJECTED,
                               State.ACCEPTED, State.ACCEPTED, State.REJECTED]
    assert review.mark_reviewed(opened) == (SetStatus.IN_PROGRESS, SetStatus.DONE)

    assert _gold(team.store) == [
        (24, 28, "cue", "adjudicated", _prov("rana", Decision.ACCEPTED, "mona", "omar", "sara"),
         {}),
        (46, 59, "actor", "adjudicated", _prov("rana", Decision.ACCEPTED, "mona", "omar"), {}),
        (83, 88, "location", "adjudicated", _prov("rana", Decision.ACCEPTED, "mona"), {}),
        (93, 119, "quote", "adjudicated",
         _prov("rana", Decision.ACCEPTED, "mona", "omar", "sara"), {}),
    ]
    with team.store.engine.connect() as conn:
        rejected = sorted((r.start, r.end, r.label, r.decided_by)
                          for r in conn.execute(select(RejectionRow)))
    assert rejected == [(83, 88, "actor", "rana"), (104, 109, "location", "rana")]

    # undo every decision, last first: the store is as before the review (the gold set stays,
    # empty and back to todo, as an annotation set does when its first change is undone)
    review.mark_reviewed(opened, reviewed=False)
    for change in reversed(undo):
        review.gold.change(change.set_id, **review.gold.inverse_of(change),
                           status=SetStatus.TODO if change is undo[0] else None)
    after = dump(team.store)
    assert after["span"] == states_before["span"]
    assert after["relation"] == states_before["relation"]
    assert _gold(team.store) == []
    with team.store.engine.connect() as conn:
        assert conn.execute(select(RejectionRow)).all() == []


def test_editing_gold_by_hand_records_who_and_how(team: Team) -> None:
    review = team.review
    opened = review.open(team.doc)
    change = review.accept(opened, (46, 52, "actor"), opened.gold_state())
    (span,) = change.put
    before, after = review.gold.update_span(span.id or 0, end=59)
    assert after.text == "الرئيس الروسي"
    assert after.provenance == Provenance("rana", Decision.EDITED, ("sara",))
    added = review.gold.add_span(change.set_id, *FRANCE, "location")
    assert added.provenance == Provenance("rana", Decision.ADDED, ())
    # undo of the edit puts the old provenance back
    review.gold.update_span(span.id or 0, end=52, provenance=before.provenance)
    assert _gold(team.store)[0][4] == _prov("rana", Decision.ACCEPTED, "sara")


def test_only_reviewers_and_leads_decide(team: Team) -> None:
    opened = team.review.open(team.doc)
    counts = snapshot(team.store)
    mona_review = ReviewService(team.store, team.review.schema, reviewer="mona")
    for attempt in (lambda: mona_review.accept(opened, (24, 28, "cue"), opened.gold_state()),
                    lambda: mona_review.reject(opened, (24, 28, "cue"), opened.gold_state()),
                    lambda: mona_review.take_version(opened, "omar", 0, opened.gold_state()),
                    lambda: mona_review.accept_unanimous(opened, opened.gold_state()),
                    lambda: mona_review.mark_reviewed(opened)):
        with pytest.raises(PermissionDenied, match="cannot write gold"):
            attempt()
    assert snapshot(team.store) == counts
    lead = ReviewService(team.store, team.review.schema, reviewer="lina")
    assert len(lead.accept(opened, (24, 28, "cue"), opened.gold_state()).put) == 1


def test_two_reviewers_cannot_reject_or_accept_the_same_candidate_twice(team: Team) -> None:
    first = team.review.open(team.doc)
    other = ReviewService(team.store, team.review.schema, reviewer="lina")
    team.review.reject(first, (104, 109, "location"), first.gold_state())
    team.review.accept(first, (24, 28, "cue"), first.gold_state())
    counts = snapshot(team.store)
    # lina's window still shows the state before rana's decisions: the store refuses
    with pytest.raises(UserError, match="already rejected"):
        other.reject(first, (104, 109, "location"), first.gold_state())
    with pytest.raises(UserError, match="already a cue"):
        other.accept(first, (24, 28, "cue"), first.gold_state())
    assert snapshot(team.store) == counts


def test_auto_adjudication_accepts_what_everyone_shares(team: Team) -> None:
    report = auto_adjudicate(team.store, actor="rana")
    (row,) = report.documents
    assert (row.external_id, row.accepted, row.relations, row.left) == (EMOJI_ID, 2, 0, 5)
    assert [g[:3] for g in _gold(team.store)] == [(24, 28, "cue"), (93, 119, "quote")]
    # with two of three: the actor mona and omar share, and its said_by link (both agree)
    report = auto_adjudicate(team.store, actor="rana", min_agree=2)
    (row,) = report.documents
    assert (row.accepted, row.relations, row.left) == (1, 1, 3)
    # at least one: only candidates no rival matches in number (both Moscows tie: left open)
    report = auto_adjudicate(team.store, actor="rana", min_agree=1)
    (row,) = report.documents
    assert (row.accepted, row.left) == (1, 2)              # France; the Moscows stay open
    assert [g[:3] for g in _gold(team.store)] == [(24, 28, "cue"), (46, 59, "actor"),
                                                  (93, 119, "quote"), (104, 109, "location")]


def test_gold_exports_with_provenance_and_imports_back(team: Team, tmp_path: Path,
                                                       other_store: Store) -> None:
    auto_adjudicate(team.store, actor="rana", min_agree=2)
    out = tmp_path / "gold.jsonl"
    export(team.store, out, which="gold", actor="rana")
    line = out.read_text(encoding="utf-8")
    assert '"provenance": {"decided_by": "rana", "how": "accepted", "from": ["mona", "omar", ' \
           '"sara"]}' in line
    from annotator.services.importing import import_paths

    ensure_first_lead(other_store, "lina")
    report = import_paths(other_store, [out], actor="lina")
    assert report.errors == []
    again = tmp_path / "again.jsonl"
    export(other_store, again, which="gold", actor="lina")
    assert again.read_bytes() == out.read_bytes()
    # an annotator cannot import gold
    third = tmp_path / "third.jsonl"
    third.write_text(line.replace('"rana"', '"mona"'), encoding="utf-8")
    report = import_paths(other_store, [third], actor="mona", replace=True)
    assert report.errors and "cannot import gold" in report.errors[0]


def test_gold_state_tracks_ids_relations_and_rejections(team: Team) -> None:
    opened = team.review.open(team.doc)
    team.review.accept_unanimous(opened, opened.gold_state(), min_agree=2)
    opened = team.review.open(team.doc)
    state = opened.gold_state()
    assert isinstance(state, GoldState)
    assert sorted(state.ids) == [(24, 28, "cue"), (46, 59, "actor"), (93, 119, "quote")]
    assert state.relations == {("said_by", (93, 119, "quote"), (46, 59, "actor"))}


def test_the_excel_export_of_several_annotators_gets_an_agreement_sheet(team: Team,
                                                                        tmp_path: Path) -> None:
    import openpyxl

    from annotator.services.agreement import agreement

    figures = agreement(team.store, actor="rana").to_json()
    out = tmp_path / "all.xlsx"
    export(team.store, out, fmt="excel", which="all", actor="rana")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Documents", "Spans", "Relations", "Agreement"]
    rows = [r for r in wb["Agreement"].iter_rows(values_only=True)]
    pairs = {(r[0], r[1]): r[2:7] for r in rows if r[0] in ("mona", "omar") and r[1] in
             ("omar", "sara")}
    for pair in figures["pairs"]:
        expected = tuple("n/a" if pair[k] is None else pair[k] for k in
                         ("span_f1_exact", "span_f1_overlap", "kappa_char", "kappa_token",
                          "relation_f1"))
        assert pairs[(pair["a"], pair["b"])] == expected
    assert figures["pairs"][0]["span_f1_exact"] == 0.75   # mona-omar: 2*3 / (4+4)
    # one annotator's own export has no agreement sheet
    mine = tmp_path / "mona.xlsx"
    export(team.store, mine, fmt="excel", which="mona", actor="mona")
    assert "Agreement" not in openpyxl.load_workbook(mine).sheetnames


def test_opening_reads_the_review_the_sets_give_and_the_sets_only_when_asked(team: Team) -> None:
    from annotator.core.review_build import build_review

    quotes = {}
    for name, kind in (("mona", "direct"), ("omar", "partial"), ("sara", "direct")):
        person = team.people[name]
        gold_set = person.open_document(team.doc).set
        quote = next(s for s in gold_set.spans if s.label == "quote")
        quotes[name] = person.update_span(quote.id or 0, attributes={"kind": kind})[1]
    opened = team.review.open(team.doc)
    assert opened.sets._sets is None                      # type: ignore[attr-defined]
    assert list(opened.sets) == ["mona", "omar", "sara"]   # the owners, without reading them
    sets = dict(opened.sets)
    assert sets["mona"].spans[3] == quotes["mona"]
    expected = build_review(opened.document.text, sets)
    review = opened.review
    assert review.keys == expected.keys and review.holders == expected.holders
    assert review.candidates == expected.candidates and review.regions == expected.regions
    assert review.relations == expected.relations and review.differ == expected.differ == {0, 5}
    assert review.relations_of == expected.relations_of
    for region in range(len(review.regions)):
        for name in review.annotators:
            assert review.version(name, region) == expected.version(name, region)
    assert [dict(s.attributes) for s in review.spans_with_key(QUOTE + ("quote",))] == [
        {"kind": "direct"}, {"kind": "partial"}, {"kind": "direct"}]
    change = team.review.accept(opened, QUOTE + ("quote",), opened.gold_state())
    assert [dict(s.attributes) for s in change.put] == [{"kind": "direct"}]   # the majority's


def test_a_decision_in_a_known_gold_set_runs_the_fewest_statements(team: Team) -> None:
    """The first decision creates the gold set; the window then names it (GoldState.set_id),
    so the next one reads the set's header and writes the span (the set's unique key refuses
    a duplicate: no read of the key first), the set's time and the journal: nothing looks the
    set up again."""
    from sqlalchemy import event

    review = team.review
    opened = review.open(team.doc)
    first = review.accept(opened, CUE + ("cue",), opened.gold_state())
    assert opened.gold_state().set_id is None
    gold = GoldState({(s.start, s.end, s.label): s.id or 0 for s in first.put},
                     set_id=first.set_id)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.split(None, 1)[0].upper()
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement)
        if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") and table:   # (not pg_notify)
            statements.append(f"{verb} {table.group(1)}")

    event.listen(team.store.engine, "before_cursor_execute", seen)
    try:
        second = review.accept(opened, QUOTE + ("quote",), gold)
    finally:
        event.remove(team.store.engine, "before_cursor_execute", seen)
    assert second.set_id == first.set_id
    # the set's header with the reviewer's role (its first FROM is the role's subquery)
    assert statements == ["SELECT annotator", "INSERT span", "UPDATE annotation_set",
                          "INSERT event"]
    assert _gold(team.store)[1][:3] == (93, 119, "quote")


class _KeyedOnly(dict):   # type: ignore[type-arg]
    """Gold span ids that may be looked up by key but not read whole."""

    def __iter__(self) -> Any:
        raise AssertionError("the whole gold set was read")

    def keys(self) -> Any:
        raise AssertionError("the whole gold set was read")

    def items(self) -> Any:
        raise AssertionError("the whole gold set was read")

    def values(self) -> Any:
        raise AssertionError("the whole gold set was read")


class _NoWholeSet(frozenset):   # type: ignore[type-arg]
    def __iter__(self) -> Any:
        raise AssertionError("the whole set was read")


def test_a_decision_looks_gold_up_by_key_and_never_reads_it_whole(team: Team) -> None:
    """A decision's cost does not grow with the gold set: accepting (with the said_by link
    that comes along), rejecting and taking a version look the gold spans and their relations
    up by key, and find the spans near a region through the caller's index; the outcome is the
    one of the whole set read (the states after, as in the test above)."""
    review = team.review
    opened = review.open(team.doc)
    first = review.accept_unanimous(opened, opened.gold_state())
    keyed = {(s.start, s.end, s.label): s.id or 0 for s in first.put}

    def state() -> GoldState:
        def near(start: int, end: int) -> list[Any]:
            return [k for k in dict(keyed) if k[0] < end and k[1] > start]
        return GoldState(_KeyedOnly(keyed), _NoWholeSet(), _NoWholeSet(), first.set_id, near)

    accepted = review.accept(opened, ACTOR + ("actor",), state())
    assert [(s.start, s.end, s.label) for s in accepted.put] == [(46, 59, "actor")]
    assert [(r.type, r.head, r.tail) for r in accepted.linked] == [
        ("said_by", keyed[(93, 119, "quote")], accepted.put[0].id)]
    keyed.update({(46, 59, "actor"): accepted.put[0].id or 0})
    taken = review.take_version(opened, "mona", 2, state())
    assert [(s.start, s.end, s.label) for s in taken.put] == [(83, 88, "location")]
    assert taken.rejected == ((83, 88, "actor"),)
    keyed.update({(83, 88, "location"): taken.put[0].id or 0})
    rejected = review.reject(opened, (104, 109, "location"), state())
    assert rejected.rejected == ((104, 109, "location"),)
    opened = review.open(team.doc)
    assert opened.states() == [State.ACCEPTED, State.SUPERSEDED, State.ACCEPTED, State.REJECTED,
                               State.ACCEPTED, State.ACCEPTED, State.REJECTED]


def test_taking_a_version_removes_the_gold_spans_the_index_finds_near_the_region(
        team: Team) -> None:
    """GoldState.overlapping is what a version replaces: the same change as the whole set
    read, on both sides of a region (the sara actor inside mona's Moscow region goes)."""
    review = team.review
    opened = review.open(team.doc)
    sara_actor = review.accept(opened, (83, 88, "actor"), opened.gold_state())
    opened = review.open(team.doc)
    read_whole = opened.gold_state()
    ids = dict(read_whole.ids)
    calls: list[tuple[int, int]] = []

    def near(start: int, end: int) -> list[Any]:
        calls.append((start, end))
        return [k for k in ids if k[0] < end and k[1] > start]

    indexed = GoldState(_KeyedOnly(ids), read_whole.relations, read_whole.rejected,
                        read_whole.set_id, near)
    taken = review.take_version(opened, "mona", 2, indexed)
    assert calls == [(83, 88)]
    assert [d.span.id for d in taken.removed] == [sara_actor.put[0].id]
    assert [(s.start, s.end, s.label) for s in taken.put] == [(83, 88, "location")]
