"""The annotation use case: exact offsets, one journaled transaction per action, exact undo,
validation that changes nothing, per-annotator sets and queues, known names for snapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from annotator.core.errors import UserError
from annotator.core.model import Document, Origin, Relation, Role, SetKind, SetStatus, Span
from annotator.core.search import SearchIndex
from annotator.core.snap import KnownNames
from annotator.core.text import sha256_text
from annotator.db.models import AnnotationSetRow, AnnotatorRow, EventRow, RelationRow, SpanRow
from annotator.db.store import Store
from annotator.services.annotate import AnnotationService, DeletedSpan, QueueItem
from annotator.services.importing import import_paths
from annotator.services.project import project_schema
from tests.conftest import SEED_ARTICLE
from tests.services.helpers import snapshot

# An emoji (two UTF-16 units, one code point) and harakat come before every span.
EMOJI_TEXT = "😀 قالَ الوزيرُ إنّ شويغو “مستعدٌّ” 👍🏽 وشويغو في موسكو.\n"
QUOTE = ("اتفقنا على تعزيز مبادلاتنا في مجال المعلومات العسكرية بشأن حصيلة ضرباتنا وتحديد "
         "مكان")


@dataclass
class Env:
    store: Store
    mona: AnnotationService
    ali: AnnotationService
    seed_id: int
    seed: str
    emoji_id: int


@pytest.fixture
def env(store: Store, tmp_path: Path) -> Env:
    emoji_path = tmp_path / "emoji.txt"
    emoji_path.write_text(EMOJI_TEXT, encoding="utf-8")
    report = import_paths(store, [SEED_ARTICLE, emoji_path])
    assert report.errors == [] and report.documents_added == 2
    schema = project_schema(store)
    with store.unit_of_work() as uow:
        seed = uow.documents.by_external_id(SEED_ARTICLE.stem)
        emoji = uow.documents.by_external_id("emoji")
    assert seed is not None and emoji is not None and emoji.text == EMOJI_TEXT
    assert seed.id is not None and emoji.id is not None
    return Env(store, AnnotationService(store, schema, annotator="mona"),
               AnnotationService(store, schema, annotator="ali"), seed.id, seed.text, emoji.id)


# -- helpers -----------------------------------------------------------------------------------


def _last_event_id(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.max(EventRow.id), 0))).scalar_one()


class Journal:
    """The events written since it was made: their (action, entity) and how many transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.since = _last_event_id(store)

    def rows(self) -> list[Any]:
        with self.store.engine.connect() as conn:
            return list(conn.execute(select(EventRow).where(EventRow.id > self.since)
                                     .order_by(EventRow.id)))

    def actions(self) -> list[tuple[str, str]]:
        return [(r.action, r.entity) for r in self.rows()]

    def batches(self) -> int:
        return len({r.batch for r in self.rows()})


#: Concurrency bookkeeping, not content: every change (an undo too) bumps a row's version and
#: records who made it, so that a stale writer is refused; an undo gives back everything else.
BOOKKEEPING = ("version", "updated_by")


def _rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Full rows (every column, ids and timestamps included; not the version counters) of the
    annotation tables."""
    with store.engine.connect() as conn:
        return {table.__tablename__: [tuple(r) for r in conn.execute(
            select(*(c for c in table.__table__.c if c.name not in BOOKKEEPING))
            .order_by(table.__table__.c.id))]
            for table in (AnnotatorRow, AnnotationSetRow, SpanRow, RelationRow)}


def _id(item: Span | Relation) -> int:
    assert item.id is not None
    return item.id


def _span_rows(store: Store) -> list[tuple[Any, ...]]:
    return _rows(store)["span"]


def _without_updated_at(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    index = [c for c in SpanRow.__table__.c.keys() if c not in BOOKKEEPING].index("updated_at")
    return [row[:index] + row[index + 1:] for row in rows]


@dataclass
class Annotated:
    set_id: int
    quote: Span
    actor: Span
    cue: Span
    location: Span
    said_by: Relation
    cue_rel: Relation


def _annotate_seed(env: Env) -> Annotated:
    opened = env.mona.open_document(env.seed_id)
    set_id = opened.set.id
    assert set_id is not None
    quote = env.mona.add_span(set_id, 294, 294 + len(QUOTE), "quote",
                              attributes={"kind": "direct"}, note="مهم", origin=Origin.SUGGESTED)
    actor = env.mona.add_span(set_id, 237, 244, "actor")
    cue = env.mona.add_span(set_id, 233, 236, "cue")
    location = env.mona.add_span(set_id, 107, 112, "location")
    assert actor.id is not None and quote.id is not None and cue.id is not None
    said_by = env.mona.add_relation(set_id, "said_by", quote.id, actor.id)
    cue_rel = env.mona.add_relation(set_id, "cue", quote.id, cue.id)
    return Annotated(set_id, quote, actor, cue, location, said_by, cue_rel)


# -- opening and adding ------------------------------------------------------------------------


def test_open_document_creates_the_annotators_set_once_and_journals_it(env: Env) -> None:
    journal = Journal(env.store)
    opened = env.mona.open_document(env.emoji_id)
    assert opened.document.text == EMOJI_TEXT and opened.document.id == env.emoji_id
    assert (opened.set.owner, opened.set.kind, opened.set.status) == \
        ("mona", SetKind.ANNOTATION, SetStatus.TODO)
    assert (opened.set.spans, opened.set.relations) == ((), ())
    assert opened.set.document_id == env.emoji_id
    assert journal.actions() == [("create", "annotation_set")] and journal.batches() == 1
    (row,) = journal.rows()
    assert (row.actor, row.entity_id, row.set_id, row.document_id) == \
        ("mona", opened.set.id, opened.set.id, env.emoji_id)
    assert row.after == {"owner": "mona", "kind": "annotation", "status": "todo",
                         "active_seconds": 0.0}

    again = env.mona.open_document(env.emoji_id)
    assert again.set.id == opened.set.id
    assert journal.actions() == [("create", "annotation_set")]
    assert env.ali.open_document(env.emoji_id).set.id != opened.set.id


def test_open_document_that_does_not_exist_is_a_user_error(env: Env) -> None:
    before = _rows(env.store)
    with pytest.raises(UserError, match="document 9999 does not exist"):
        env.mona.open_document(9999)
    assert _rows(env.store) == before


@pytest.mark.parametrize(("start", "end", "label", "text"), [
    (2, 6, "cue", "قالَ"),            # after the emoji; the fatha belongs to the span
    (19, 24, "actor", "شويغو"),
    (26, 33, "quote", "مستعدٌّ"),      # two harakat at the end
    (39, 44, "actor", "شويغو"),        # after 👍🏽 and with the و left out
    (48, 53, "location", "موسكو"),
])
def test_add_span_stores_code_point_offsets_after_emoji_and_harakat(
        env: Env, start: int, end: int, label: str, text: str) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    journal = Journal(env.store)
    span = env.mona.add_span(set_id, start, end, label)
    assert (span.start, span.end, span.label, span.text) == (start, end, label, text)
    assert EMOJI_TEXT[span.start:span.end] == span.text and span.id is not None
    assert journal.actions() == [("add", "span"), ("status", "annotation_set")]
    assert journal.batches() == 1
    add_event = journal.rows()[0]
    assert add_event.entity_id == span.id and add_event.set_id == set_id
    assert {k: v for k, v in add_event.after.items() if k != "created_at"} == {
        "start": start, "end": end, "label": label, "text": text, "attributes": {}, "note": "",
        "origin": "manual"}
    (row,) = _span_rows(env.store)
    assert row[:5] == (span.id, set_id, start, end, label)
    loaded = env.mona.load_set(set_id)
    assert loaded.spans == (span,) and loaded.status == SetStatus.IN_PROGRESS


def test_add_spans_labels_every_search_hit_in_one_transaction(env: Env) -> None:
    set_id = env.mona.open_document(env.seed_id).set.id
    assert set_id is not None
    hits = SearchIndex(env.seed).find("موسكو")
    assert hits == [(107, 112), (492, 497), (1491, 1496), (1878, 1883), (2168, 2173),
                    (2319, 2324)]
    journal = Journal(env.store)
    spans = env.mona.add_spans(set_id, [(s, e, "location") for s, e in hits])
    assert [(s.start, s.end, s.text) for s in spans] == [(s, e, "موسكو") for s, e in hits]
    assert len({s.id for s in spans}) == 6
    assert journal.actions() == [("add", "span")] * 6 + [("status", "annotation_set")]
    assert journal.batches() == 1
    assert env.mona.add_spans(set_id, []) == []
    assert len(journal.rows()) == 7


# -- delete and restore ------------------------------------------------------------------------


def test_delete_span_takes_its_relations_and_restore_gives_back_identical_rows(env: Env) -> None:
    a = _annotate_seed(env)
    original = _rows(env.store)
    assert len(original["span"]) == 4 and len(original["relation"]) == 2

    journal = Journal(env.store)
    deleted = env.mona.delete_span(_id(a.quote))
    assert deleted.span == a.quote and deleted.set_id == a.set_id
    assert deleted.relations == (a.said_by, a.cue_rel)
    assert journal.actions() == [("delete", "relation"), ("delete", "relation"),
                                 ("delete", "span")]
    assert journal.batches() == 1
    assert journal.rows()[2].before["attributes"] == {"kind": "direct"}
    after_delete = _rows(env.store)
    assert [r[0] for r in after_delete["span"]] == [_id(a.actor), _id(a.cue), _id(a.location)]
    assert after_delete["relation"] == []

    journal = Journal(env.store)
    restored = env.mona.restore_span(deleted)
    assert restored == a.quote
    assert journal.actions() == [("restore", "span"), ("restore", "relation"),
                                 ("restore", "relation")]
    assert journal.batches() == 1
    assert _rows(env.store)["span"] == original["span"]
    assert _rows(env.store)["relation"] == original["relation"]
    assert env.mona.load_set(a.set_id).relations == (a.said_by, a.cue_rel)


def test_restoring_twice_is_refused_and_changes_nothing(env: Env) -> None:
    a = _annotate_seed(env)
    deleted = env.mona.delete_span(_id(a.actor))
    env.mona.restore_span(deleted)
    before, counts = _rows(env.store), snapshot(env.store)
    with pytest.raises(UserError, match=f"span {_id(a.actor)} exists already"):
        env.mona.restore_span(deleted)
    assert _rows(env.store) == before and snapshot(env.store) == counts


def test_delete_spans_in_bulk_and_restore_spans_give_back_identical_rows(env: Env) -> None:
    a = _annotate_seed(env)
    original = _rows(env.store)
    journal = Journal(env.store)
    deleted = env.mona.delete_spans([_id(a.actor), _id(a.quote), _id(a.location)])
    assert [d.span for d in deleted] == [a.actor, a.quote, a.location]
    # the said_by relation joins two deleted spans: it goes with the first, the actor
    assert [d.relations for d in deleted] == [(a.said_by,), (a.cue_rel,), ()]
    assert journal.batches() == 1
    assert sorted(journal.actions()) == sorted([("delete", "relation")] * 2
                                               + [("delete", "span")] * 3)
    assert [r[0] for r in _span_rows(env.store)] == [_id(a.cue)]

    journal = Journal(env.store)
    assert env.mona.restore_spans(deleted) == [a.actor, a.quote, a.location]
    assert journal.batches() == 1
    assert journal.actions() == [("restore", "span")] * 3 + [("restore", "relation")] * 2
    assert _rows(env.store)["span"] == original["span"]
    assert _rows(env.store)["relation"] == original["relation"]


def test_restoring_a_span_whose_relation_partner_is_still_deleted_is_refused(env: Env) -> None:
    a = _annotate_seed(env)
    first = env.mona.delete_span(_id(a.actor))  # takes said_by
    env.mona.delete_span(_id(a.quote))  # takes cue
    before = _rows(env.store)
    with pytest.raises(UserError, match=f"span {_id(a.quote)} is not in set"):
        env.mona.restore_span(first)
    assert _rows(env.store) == before


def test_delete_and_restore_relation_keeps_its_id(env: Env) -> None:
    a = _annotate_seed(env)
    original = _rows(env.store)
    journal = Journal(env.store)
    assert env.mona.delete_relation(_id(a.said_by)) == a.said_by
    assert journal.actions() == [("delete", "relation")]
    assert journal.rows()[0].before == {"type": "said_by", "head": _id(a.quote),
                                        "tail": _id(a.actor)}
    assert [r[0] for r in _rows(env.store)["relation"]] == [_id(a.cue_rel)]
    journal = Journal(env.store)
    assert env.mona.restore_relation(a.said_by) == a.said_by
    assert journal.actions() == [("restore", "relation")] and journal.batches() == 1
    assert _rows(env.store)["relation"] == original["relation"]
    with pytest.raises(UserError, match=f"relation {_id(a.said_by)} exists already"):
        env.mona.restore_relation(a.said_by)


# -- update ------------------------------------------------------------------------------------


def test_update_then_update_back_restores_the_stored_state(env: Env) -> None:
    a = _annotate_seed(env)
    original = _span_rows(env.store)
    journal = Journal(env.store)
    before, after = env.mona.update_span(_id(a.location), start=104, end=112,
                                         note="في موسكو")
    assert before == a.location
    assert (after.start, after.end, after.text, after.note, after.label) == \
        (104, 112, "في موسكو", "في موسكو", "location")
    assert journal.actions() == [("update", "span")] and journal.batches() == 1
    event_row = journal.rows()[0]
    assert (event_row.before["start"], event_row.after["start"]) == (107, 104)
    assert event_row.after["text"] == "في موسكو"

    env.mona.update_span(_id(a.location), start=before.start, end=before.end,
                         note=before.note)
    assert _without_updated_at(_span_rows(env.store)) == _without_updated_at(original)


def test_relabel_drops_attributes_the_new_label_lacks_and_relabel_back_restores(env: Env) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    quote = env.mona.add_span(set_id, 26, 33, "quote", attributes={"kind": "partial"})
    original = _span_rows(env.store)
    before, after = env.mona.update_span(_id(quote), label="cue")
    assert before.attributes == {"kind": "partial"}
    assert (after.label, dict(after.attributes), after.text) == ("cue", {}, "مستعدٌّ")
    env.mona.update_span(_id(quote), label=before.label,
                         attributes=before.attributes)
    assert _without_updated_at(_span_rows(env.store)) == _without_updated_at(original)


def test_an_update_to_the_same_values_writes_nothing(env: Env) -> None:
    a = _annotate_seed(env)
    journal, rows = Journal(env.store), _rows(env.store)
    assert env.mona.update_span(_id(a.actor), label="actor", start=237) == (a.actor, a.actor)
    assert journal.actions() == [] and _rows(env.store) == rows


def test_relabel_is_refused_while_a_relation_needs_the_label(env: Env) -> None:
    a = _annotate_seed(env)
    before, counts = _rows(env.store), snapshot(env.store)
    with pytest.raises(UserError, match=f"tail of said_by relation {_id(a.said_by)}"):
        env.mona.update_span(_id(a.actor), label="location")
    with pytest.raises(UserError, match=f"head of (said_by|cue) relation {_id(a.said_by)}"):
        env.mona.update_span(_id(a.quote), label="cue")
    assert _rows(env.store) == before and snapshot(env.store) == counts
    env.mona.delete_relation(_id(a.said_by))
    assert env.mona.update_span(_id(a.actor), label="location")[1].label == "location"


# -- validation: a clear error and no change --------------------------------------------------


Call = Callable[[Env, Annotated], Any]

INVALID: list[tuple[str, Call, str]] = [
    ("negative start", lambda e, a: e.mona.add_span(a.set_id, -1, 3, "actor"), "outside the text"),
    ("end past the text", lambda e, a: e.mona.add_span(a.set_id, 2790, len(e.seed) + 1, "actor"),
     "outside the text"),
    ("empty", lambda e, a: e.mona.add_span(a.set_id, 5, 5, "actor"), "empty"),
    ("reversed", lambda e, a: e.mona.add_span(a.set_id, 9, 5, "actor"), "ends before it starts"),
    ("unknown label", lambda e, a: e.mona.add_span(a.set_id, 237, 244, "person"),
     "unknown label 'person'"),
    ("unknown attribute", lambda e, a: e.mona.add_span(a.set_id, 237, 244, "actor",
                                                       attributes={"kind": "direct"}),
     "has no attribute 'kind'"),
    ("bad attribute value", lambda e, a: e.mona.add_span(a.set_id, 294, 300, "quote",
                                                         attributes={"kind": "loud"}),
     "must be one of"),
    ("unknown origin", lambda e, a: e.mona.add_span(a.set_id, 237, 244, "actor",
                                                    origin="guessed"), "unknown origin"),
    ("duplicate span", lambda e, a: e.mona.add_span(a.set_id, 237, 244, "actor"),
     "already a actor"),
    ("one bad item in a batch", lambda e, a: e.mona.add_spans(
        a.set_id, [(80, 87, "actor"), (694, 701, "actor"), (1, 0, "actor")]), "span 1-0"),
    ("same item twice in a batch", lambda e, a: e.mona.add_spans(
        a.set_id, [(80, 87, "actor"), (80, 87, "actor")]), "given twice"),
    ("update outside the text", lambda e, a: e.mona.update_span(_id(a.actor), end=len(e.seed) + 5),
     "outside the text"),
    ("update to a duplicate", lambda e, a: e.mona.update_span(_id(a.location), start=237, end=244,
                                                              label="actor"), "already a actor"),
    ("update to an unknown label", lambda e, a: e.mona.update_span(_id(a.cue), label="verb"),
     "unknown label"),
    ("update with a bad attribute", lambda e, a: e.mona.update_span(
        _id(a.quote), attributes={"tone": "angry"}), "no attribute 'tone'"),
    ("missing span", lambda e, a: e.mona.update_span(999_999, note="x"), "span 999999 does not"),
    ("delete missing span", lambda e, a: e.mona.delete_spans([_id(a.actor), 999_999]),
     "span 999999 does not exist"),
    ("unknown relation type", lambda e, a: e.mona.add_relation(a.set_id, "quoted", _id(a.quote),
                                                               _id(a.actor)), "unknown relation"),
    ("wrong head label", lambda e, a: e.mona.add_relation(a.set_id, "said_by", _id(a.location),
                                                          _id(a.actor)),
     "head of a said_by relation must be a quote"),
    ("wrong tail label", lambda e, a: e.mona.add_relation(a.set_id, "said_by", _id(a.quote),
                                                          _id(a.location)),
     "tail of a said_by relation must be a actor"),
    ("relation to itself", lambda e, a: e.mona.add_relation(a.set_id, "said_by", _id(a.quote),
                                                            _id(a.quote)), "two different spans"),
    ("relation to a missing span", lambda e, a: e.mona.add_relation(a.set_id, "said_by",
                                                                    _id(a.quote), 999_999),
     "span 999999 does not exist"),
    ("duplicate relation", lambda e, a: e.mona.add_relation(a.set_id, "said_by", _id(a.quote),
                                                            _id(a.actor)), "already linked"),
    ("missing relation", lambda e, a: e.mona.delete_relation(999_999), "relation 999999"),
    ("unknown status", lambda e, a: e.mona.set_status(a.set_id, "finished"), "unknown status"),
    ("negative seconds", lambda e, a: e.mona.add_active_seconds(a.set_id, -1.0), ">= 0"),
    ("nan seconds", lambda e, a: e.mona.add_active_seconds(a.set_id, float("nan")), ">= 0"),
    ("missing set", lambda e, a: e.mona.add_span(999_999, 237, 244, "actor"),
     "annotation set 999999 does not exist"),
    ("unknown label to snap", lambda e, a: e.mona.snap_selection(
        Document("x", "x", "abc", sha256_text("abc")), 0, 2, "person"), "unknown label"),
]


@pytest.mark.parametrize(("call", "message"), [(c, m) for _, c, m in INVALID],
                         ids=[name for name, _, _ in INVALID])
def test_invalid_input_is_a_user_error_and_changes_nothing(env: Env, call: Call,
                                                           message: str) -> None:
    a = _annotate_seed(env)
    before, counts = _rows(env.store), snapshot(env.store)
    with pytest.raises(UserError, match=message):
        call(env, a)
    assert snapshot(env.store) == counts
    assert _rows(env.store) == before


def test_offsets_that_split_a_letter_from_its_harakat_or_an_emoji_are_refused(env: Env) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    counts = snapshot(env.store)
    for start, end in [(2, 5), (26, 32), (26, 31), (35, 36), (36, 38)]:  # ـَ ، ٌّ ، 👍|🏽
        with pytest.raises(UserError, match="cuts a character"):
            env.mona.add_span(set_id, start, end, "quote")
    assert snapshot(env.store) == counts


def test_a_relation_between_spans_of_different_sets_is_refused(env: Env) -> None:
    a = _annotate_seed(env)
    other = env.mona.open_document(env.emoji_id).set.id
    assert other is not None
    actor_there = env.mona.add_span(other, 19, 24, "actor")
    before, counts = _rows(env.store), snapshot(env.store)
    with pytest.raises(UserError, match="spans of one set"):
        env.mona.add_relation(a.set_id, "said_by", _id(a.quote), _id(actor_there))
    with pytest.raises(UserError, match="spans of one set"):
        env.mona.add_relation(other, "said_by", _id(a.quote), _id(a.actor))
    assert _rows(env.store) == before and snapshot(env.store) == counts


# -- ownership ---------------------------------------------------------------------------------


def test_an_annotator_cannot_write_into_another_annotators_set(env: Env) -> None:
    a = _annotate_seed(env)
    deleted_relation = env.mona.delete_relation(_id(a.cue_rel))
    deleted_span = env.mona.delete_span(_id(a.location))
    before, counts = _rows(env.store), snapshot(env.store)
    attempts: list[Callable[[], Any]] = [
        lambda: env.ali.add_span(a.set_id, 80, 87, "actor"),
        lambda: env.ali.add_spans(a.set_id, [(80, 87, "actor")]),
        lambda: env.ali.update_span(_id(a.actor), note="mine"),
        lambda: env.ali.delete_span(_id(a.actor)),
        lambda: env.ali.delete_spans([_id(a.actor)]),
        lambda: env.ali.restore_span(deleted_span),
        lambda: env.ali.add_relation(a.set_id, "cue", _id(a.quote), _id(a.cue)),
        lambda: env.ali.delete_relation(_id(a.said_by)),
        lambda: env.ali.restore_relation(deleted_relation),
        lambda: env.ali.set_status(a.set_id, SetStatus.DONE),
        lambda: env.ali.add_active_seconds(a.set_id, 5),
    ]
    for attempt in attempts:
        with pytest.raises(UserError, match="'ali' \\(annotator\\) cannot change 'mona''s set"):
            attempt()
    assert _rows(env.store) == before and snapshot(env.store) == counts
    # blind annotation: ali may not even read it
    with pytest.raises(UserError, match="'ali' \\(annotator\\) cannot read 'mona''s set"):
        env.ali.load_set(a.set_id)


def test_gold_and_suggestion_sets_cannot_be_written_and_names_are_not_reserved(env: Env) -> None:
    with env.store.unit_of_work() as uow:
        owner = uow.annotators.ensure("gold", Role.SYSTEM)
        gold_set = uow.sets.create(env.seed_id, owner, SetKind.GOLD)
    counts = snapshot(env.store)
    with pytest.raises(UserError, match="'mona' \\(annotator\\) cannot write gold"):
        env.mona.add_span(gold_set, 237, 244, "actor")
    assert snapshot(env.store) == counts
    for name in ("gold", "suggestions", " "):
        with pytest.raises(UserError):
            AnnotationService(env.store, env.mona.schema, annotator=name)


# -- status and time ---------------------------------------------------------------------------


def test_the_first_change_moves_todo_to_in_progress_and_set_status_does_not(env: Env) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    journal = Journal(env.store)
    assert env.mona.add_active_seconds(set_id, 1.5) == 1.5
    assert env.mona.add_active_seconds(set_id, 2) == 3.5
    assert env.mona.load_set(set_id).status == SetStatus.TODO  # looking is not a change
    assert journal.actions() == [("time", "annotation_set")] * 2
    assert journal.rows()[1].before == {"status": "todo", "active_seconds": 1.5}
    assert journal.rows()[1].after == {"status": "todo", "active_seconds": 3.5}

    journal = Journal(env.store)
    span = env.mona.add_span(set_id, 19, 24, "actor")
    assert env.mona.load_set(set_id).status == SetStatus.IN_PROGRESS
    assert journal.actions() == [("add", "span"), ("status", "annotation_set")]
    status_event = journal.rows()[1]
    assert (status_event.before["status"], status_event.after["status"]) == ("todo", "in_progress")

    journal = Journal(env.store)
    assert env.mona.set_status(set_id, SetStatus.DONE) == (SetStatus.IN_PROGRESS, SetStatus.DONE)
    assert env.mona.set_status(set_id, "done") == (SetStatus.DONE, SetStatus.DONE)
    assert journal.actions() == [("status", "annotation_set")]  # the no-op wrote nothing
    env.mona.delete_span(_id(span))
    assert env.mona.load_set(set_id).status == SetStatus.DONE  # only todo moves
    assert env.mona.set_status(set_id, SetStatus.TODO) == (SetStatus.DONE, SetStatus.TODO)
    assert env.mona.load_set(set_id).status == SetStatus.TODO
    assert env.mona.load_set(set_id).active_seconds == 3.5


def test_undo_of_a_first_change_puts_back_todo_in_the_same_transaction(env: Env) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    span = env.mona.add_span(set_id, 19, 24, "actor")
    journal = Journal(env.store)
    deleted = env.mona.delete_span(_id(span), status=SetStatus.TODO)
    assert env.mona.load_set(set_id).status == SetStatus.TODO
    assert journal.actions() == [("delete", "span"), ("status", "annotation_set")]
    assert journal.batches() == 1
    assert (journal.rows()[1].before["status"], journal.rows()[1].after["status"]) == \
        ("in_progress", "todo")
    journal = Journal(env.store)
    env.mona.restore_span(deleted)  # the redo moves it forward again by itself
    assert env.mona.load_set(set_id).status == SetStatus.IN_PROGRESS
    assert journal.batches() == 1
    before, _ = env.mona.update_span(_id(span), label="location")
    env.mona.update_span(_id(span), label=before.label, status=SetStatus.TODO)
    assert env.mona.load_set(set_id).status == SetStatus.TODO


# -- queue -------------------------------------------------------------------------------------


def test_queue_reports_each_annotators_status_and_span_count(env: Env) -> None:
    seed_set = env.mona.open_document(env.seed_id).set.id
    assert seed_set is not None
    env.mona.add_spans(seed_set, [(237, 244, "actor"), (233, 236, "cue")])
    env.mona.set_status(seed_set, SetStatus.DONE)
    ali_set = env.ali.open_document(env.emoji_id).set.id
    assert ali_set is not None
    env.ali.add_span(ali_set, 48, 53, "location")
    env.ali.open_document(env.seed_id)  # a set without spans
    seed_title = "فرنسا وروسيا تعلنان التعاون بشأن تنظيم الدولة"
    emoji_title = EMOJI_TEXT.strip()

    assert env.mona.queue() == [
        QueueItem(env.seed_id, SEED_ARTICLE.stem, seed_title, len(env.seed), SetStatus.DONE, 2),
        QueueItem(env.emoji_id, "emoji", emoji_title, 55, SetStatus.TODO, 0),
    ]
    assert env.ali.queue() == [
        QueueItem(env.seed_id, SEED_ARTICLE.stem, seed_title, len(env.seed), SetStatus.TODO, 0),
        QueueItem(env.emoji_id, "emoji", emoji_title, 55, SetStatus.IN_PROGRESS, 1),
    ]
    counts = snapshot(env.store)
    sara = AnnotationService(env.store, env.mona.schema, annotator="sara")
    assert [(q.status, q.spans) for q in sara.queue()] == [(SetStatus.TODO, 0)] * 2
    assert snapshot(env.store) == counts  # reading the queue creates nothing


@pytest.fixture
def statements(env: Env) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(env.store.engine, "before_cursor_execute", count)
    yield seen
    event.remove(env.store.engine, "before_cursor_execute", count)


def test_queue_of_ten_thousand_documents_is_one_query(env: Env,
                                                     statements: list[str]) -> None:
    """One query reads the documents, whatever their number; two small ones read the person's
    role and whether work was assigned (which decides what an annotator's queue holds)."""
    docs = [Document(external_id=f"bulk-{i:05d}", title=f"t{i}", text=f"نص {i} 😀",
                     sha256=sha256_text(f"نص {i} 😀")) for i in range(10_000)]
    with env.store.unit_of_work() as uow:
        ids = uow.documents.add_many(docs)
    set_id = env.mona.open_document(ids[-1]).set.id
    assert set_id is not None
    env.mona.add_span(set_id, 0, 2, "quote")
    statements.clear()
    queue = env.mona.queue()
    assert len(queue) == 10_002
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in selects if "FROM document" in s]) == 1
    assert len(selects) == 3
    assert [q.external_id for q in queue] == sorted(q.external_id for q in queue)
    by_id = {q.document_id: q for q in queue}
    assert by_id[ids[-1]] == QueueItem(ids[-1], "bulk-09999", "t9999", 9, SetStatus.IN_PROGRESS, 1)
    assert by_id[ids[0]] == QueueItem(ids[0], "bulk-00000", "t0", 6, SetStatus.TODO, 0)


# -- known names and snapping -----------------------------------------------------------------


def test_known_names_include_a_labeled_actor_after_add_span(env: Env) -> None:
    name = KnownNames.of(["شويغو"])
    assert not name <= env.mona.known_names()
    assert KnownNames.of(["موسكو"]) <= env.mona.known_names()  # from the gazetteer
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    env.mona.add_span(set_id, 19, 24, "actor")
    assert name <= env.mona.known_names()
    # blind annotation: another annotator does not learn names from mona's set; a reviewer does
    assert not name <= env.ali.known_names()
    with env.store.unit_of_work() as uow:
        uow.annotators.ensure("rana", Role.REVIEWER)
    assert name <= AnnotationService(env.store, env.mona.schema, annotator="rana").known_names()
    env.mona.add_span(set_id, 26, 33, "quote")
    assert not KnownNames.of(["مستعدٌّ"]) <= env.mona.known_names()  # quotes keep clitics


def test_snap_leaves_out_waw_before_a_name_once_it_is_known(env: Env) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    document = env.mona.open_document(env.emoji_id).document
    before = env.mona.snap_selection(document, 38, 44, "actor")
    assert before is not None and (before.start, before.end, before.text) == (38, 44, "وشويغو")
    env.mona.add_span(set_id, 19, 24, "actor")  # extends the cached names without a query
    after = env.mona.snap_selection(document, 37, 45, "actor")
    assert after is not None and (after.start, after.end, after.text) == (39, 44, "شويغو")
    cue = env.mona.snap_selection(document, 37, 45, "cue")  # cue leaves out only و/ف
    assert cue is not None and cue.text == "شويغو"
    assert env.mona.snap_selection(document, 33, 35, "actor") is None  # only ” and a space


def test_remember_name_extends_the_known_names(env: Env) -> None:
    known = env.mona.remember_name("جان إيف لودريان")
    assert KnownNames.of(["جان إيف لودريان"]) <= known
    assert env.mona.remember_name("جان إيف لودريان") == known


def test_deleted_span_without_timestamps_is_restored_with_new_ones(env: Env) -> None:
    a = _annotate_seed(env)
    deleted = env.mona.delete_span(_id(a.location))
    bare = DeletedSpan(deleted.span, deleted.set_id)
    assert env.mona.restore_span(bare) == a.location
    assert [r[0] for r in _span_rows(env.store)] == sorted(
        [_id(a.quote), _id(a.actor), _id(a.cue), _id(a.location)])


def test_a_deleted_span_id_is_never_reused_so_undo_still_works(
        env: Env, request: pytest.FixtureRequest) -> None:
    set_id = env.mona.open_document(env.emoji_id).set.id
    assert set_id is not None
    env.mona.add_span(set_id, 19, 24, "actor")
    last = env.mona.add_span(set_id, 48, 53, "location")
    deleted = env.mona.delete_span(_id(last))
    newer = env.mona.add_span(set_id, 39, 44, "actor")
    assert newer.id != last.id
    assert env.mona.restore_span(deleted) == last


def test_an_add_after_opening_reads_no_document_and_runs_four_statements(
        env: Env, statements: list[str]) -> None:
    """Opening keeps the text: the first action does not read the document again (a book's
    505,000 characters), and an add is its header-and-role read, the insert (the set's unique
    key refuses a duplicate: no read before the write), the set's touch (or status) and the
    journal, in one transaction (on PostgreSQL also the NOTIFY that tells other windows)."""
    opened = env.mona.open_document(env.emoji_id)
    statements.clear()
    span = env.mona.add_span(opened.set.id or 0, 19, 24, "actor")   # after an emoji
    assert span.text == "شويغو" == EMOJI_TEXT[19:24]
    reads = [s.split()[0] for s in statements
             if not s.startswith(("BEGIN", "COMMIT")) and "pg_notify" not in s]
    assert not any("FROM document" in s for s in statements)
    assert reads == ["SELECT", "INSERT", "UPDATE", "INSERT"]
