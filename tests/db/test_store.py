"""The unit of work: one transaction per use case, journal included; a failure leaves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from annotator.core.model import Document, Relation, SetKind, SetStatus, Span
from annotator.core.text import sha256_text
from annotator.db.models import DocumentRow, EventRow
from annotator.db.repositories import SetFilter
from annotator.db.store import Store

TEXT = "😀 قال الوزيرُ إن روسيا “جاهزة”."


def _doc(text: str = TEXT, external_id: str = "d1") -> Document:
    return Document(external_id=external_id, title="t", text=text, sha256=sha256_text(text))


def _count(store: Store, row: type) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(row)).scalar_one()


def test_a_failed_unit_of_work_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work(actor="mona") as uow:
        uow.documents.add_many([_doc()])
        uow.record("import", "document")
        raise RuntimeError("boom")
    assert _count(store, DocumentRow) == 0
    assert _count(store, EventRow) == 1  # only the schema load of open_project


def test_the_journal_records_who_what_and_after(store: Store) -> None:
    with store.unit_of_work(actor="mona") as uow:
        (doc_id,) = uow.documents.add_many([_doc()])
        uow.record("import", "document", entity_id=doc_id, document_id=doc_id, after={"x": 1})
        batch = uow.batch
    with store.engine.connect() as conn:
        row = conn.execute(select(EventRow).where(EventRow.action == "import")).one()
    assert (row.actor, row.batch, row.action, row.entity, row.entity_id, row.after) == \
        ("mona", batch, "import", "document", doc_id, {"x": 1})


def test_a_set_comes_back_with_exact_spans_and_relations(store: Store) -> None:
    start = TEXT.index("الوزير")
    quote = TEXT.index("جاهزة")
    with store.unit_of_work(actor="mona") as uow:
        (doc_id,) = uow.documents.add_many([_doc()])
        owner = uow.annotators.ensure("mona")
        set_id = uow.sets.create(doc_id, owner, SetKind.ANNOTATION, status=SetStatus.IN_PROGRESS)
        actor = Span(start=start, end=start + 7, label="actor", text=TEXT[start:start + 7])
        said = Span(start=quote, end=quote + 5, label="quote", text="جاهزة",
                    attributes={"kind": "direct"})
        ids = uow.sets.add_spans(set_id, [said, actor])
        uow.sets.add_relations(set_id, [Relation(type="said_by", head=ids[0], tail=ids[1])])
    with store.unit_of_work() as uow:
        (loaded,) = uow.sets.for_documents({doc_id: TEXT}, SetFilter())
    assert loaded.owner == "mona" and loaded.status is SetStatus.IN_PROGRESS
    assert [(s.start, s.end, s.label, s.text) for s in loaded.spans] == [
        (start, start + 7, "actor", "الوزيرُ"), (quote, quote + 5, "quote", "جاهزة")]
    assert loaded.spans[1].attributes == {"kind": "direct"}
    assert [(r.type, r.head, r.tail) for r in loaded.relations] == [("said_by", ids[0], ids[1])]


def test_set_filter_selects_by_owner_and_kind(store: Store) -> None:
    with store.unit_of_work() as uow:
        (doc_id,) = uow.documents.add_many([_doc()])
        for name, kind in (("mona", SetKind.ANNOTATION), ("gold", SetKind.GOLD)):
            uow.sets.create(doc_id, uow.annotators.ensure(name), kind)
    with store.unit_of_work() as uow:
        texts = {doc_id: TEXT}
        assert [s.owner for s in uow.sets.for_documents(texts, SetFilter())] == ["mona", "gold"]
        assert [s.owner for s in uow.sets.for_documents(texts, SetFilter(kind=SetKind.GOLD))] == ["gold"]
        assert [s.owner for s in uow.sets.for_documents(
            texts, SetFilter(kind=SetKind.ANNOTATION, owner="mona"))] == ["mona"]
        assert uow.sets.for_documents(texts, SetFilter(kind=SetKind.ANNOTATION, owner="x")) == []
