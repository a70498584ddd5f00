"""Undoing mistakes: every import is one journaled batch that ``history`` lists and ``undo``
removes exactly (or refuses, saying why); ``docs rm`` removes documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.core.errors import UserError
from annotator.db.models import EventRow
from annotator.db.store import Store
from annotator.services.team import ensure_first_lead
from annotator.services.annotate import AnnotationService
from annotator.services.documents import remove_documents
from annotator.services.exporting import export
from annotator.services.history import import_batches, resolve_batch, undo_import
from annotator.services.importing import import_paths
from annotator.services.project import project_schema
from tests.conftest import SEED_ARTICLE
from tests.services.helpers import line, snapshot, span

TEXT = "😀 قال الوزير إن موسكو مستعدة"


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return path


def _export(store: Store, path: Path) -> str:
    export(store, path)
    return path.read_text(encoding="utf-8")


def _doc_id(store: Store, external_id: str) -> int:
    with store.unit_of_work() as uow:
        document = uow.documents.by_external_id(external_id)
    assert document is not None and document.id is not None
    return document.id


def _last_event(store: Store) -> int:
    with store.engine.connect() as conn:
        return max([0, *conn.execute(select(EventRow.id)).scalars()])


def test_one_import_of_many_files_and_transactions_is_one_batch(store: Store,
                                                                tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("خبر أول\nنص", encoding="utf-8")
    jsonl = _write(tmp_path / "b.jsonl", line(TEXT, doc_id="b", spans=[
        span(TEXT, "موسكو", "location", "s1")]))
    ensure_first_lead(store, "lina")       # a lead gives mona documents to annotate
    since = _last_event(store)
    report = import_paths(store, [tmp_path / "a.txt", jsonl], annotator="mona", actor="lina")
    with store.engine.connect() as conn:
        batches = set(conn.execute(select(EventRow.batch).where(EventRow.actor == "lina",
                                                                EventRow.id > since))
                      .scalars())
    assert batches == {report.batch}
    (summary,) = import_batches(store)
    assert (summary.batch, summary.actor, summary.documents, summary.sets, summary.spans) == (
        report.batch, "lina", 2, 2, 1)
    assert summary.files == (str((tmp_path / "a.txt").resolve()), str(jsonl))
    assert summary.undone_at is None


def test_undo_removes_exactly_what_the_batch_added(store: Store, tmp_path: Path) -> None:
    import_paths(store, [SEED_ARTICLE])
    before = _export(store, tmp_path / "before.jsonl")
    rows_before = snapshot(store)
    new = _write(tmp_path / "new.jsonl", line(TEXT, doc_id="new", spans=[
        span(TEXT, "موسكو", "location", "s1")]))
    report = import_paths(store, [new, SEED_ARTICLE], annotator="mona")   # a set on the seed too
    assert (report.documents_added, report.sets_added) == (1, 2)
    undone = undo_import(store, report.batch[:6], actor="lina")
    assert (undone.batch, undone.documents, undone.sets, undone.spans) == (report.batch, 1, 2, 1)
    assert _export(store, tmp_path / "after.jsonl") == before
    after = snapshot(store)
    assert {k: v for k, v in after.items() if k != "event"} == \
        {k: v for k, v in rows_before.items() if k != "event"}
    (summary,) = [b for b in import_batches(store) if b.batch == report.batch]
    assert summary.undone_by == "lina"
    with pytest.raises(UserError, match=f"batch {report.batch[:12]} was already undone on .* by "
                                        "lina"):
        undo_import(store, report.batch)


def test_undo_takes_spans_out_of_a_set_that_was_there_and_restores_what_replace_removed(
        store: Store, tmp_path: Path) -> None:
    first = _write(tmp_path / "v1.jsonl", line(TEXT, doc_id="d", spans=[
        span(TEXT, "الوزير", "actor", "a")]))
    import_paths(store, [first])
    before = _export(store, tmp_path / "before.jsonl")
    second = _write(tmp_path / "v2.jsonl", line(TEXT, doc_id="d", status="in_progress", spans=[
        span(TEXT, "موسكو", "location", "m")]))
    replaced = import_paths(store, [second], replace=True)
    assert replaced.spans_added == 1
    undone = undo_import(store, replaced.batch)
    assert (undone.documents, undone.spans, undone.spans_restored) == (0, 1, 1)
    assert _export(store, tmp_path / "after.jsonl") == before


def test_undo_is_refused_when_someone_annotated_since(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "art.txt"
    path.write_text(TEXT, encoding="utf-8")
    report = import_paths(store, [path], annotator="mona")
    mona = AnnotationService(store, project_schema(store), annotator="mona")
    opened = mona.open_document(_doc_id(store, "art"))
    assert opened.set.id is not None
    mona.add_span(opened.set.id, TEXT.index("موسكو"), TEXT.index("موسكو") + 5,
                  "location")
    before = snapshot(store)
    with pytest.raises(UserError) as refused:
        undo_import(store, report.batch)
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    assert re.fullmatch(
        f"batch {report.batch[:12]} cannot be undone: 2 changes since, on what it added \\(mona "
        f"added a span in art on {when}; mona set a status in art on {when}\\); nothing was "
        "removed \\(annotator docs rm removes documents one by one\\)", str(refused.value))
    assert snapshot(store) == before


def test_undo_removes_the_labels_the_batch_added_to_the_schema(store: Store,
                                                               tmp_path: Path) -> None:
    path = _write(tmp_path / "ner.jsonl", line(TEXT, doc_id="n", annotator="gold", spans=[
        span(TEXT, "موسكو", "GPE", "g")]))
    report = import_paths(store, [path], add_labels=True)
    assert project_schema(store).has_label("GPE")
    (summary,) = import_batches(store)
    assert summary.labels == ("GPE",)
    undone = undo_import(store, report.batch)
    assert (undone.labels_removed, undone.labels_kept) == (("GPE",), ())
    schema = project_schema(store)
    assert not schema.has_label("GPE") and schema.version == 3


def test_a_batch_is_named_by_a_unique_prefix(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="at least 4 characters"):
        resolve_batch(store, "ab")
    with pytest.raises(UserError, match="no import batch with that id"):
        resolve_batch(store, "ffffffff")


def test_docs_rm_removes_documents_with_their_sets_and_is_journaled(store: Store,
                                                                   tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", line(TEXT, doc_id="annotated", spans=[
        span(TEXT, "موسكو", "location", "s1")]), line("نص آخر", doc_id="plain", annotator=None))
    import_paths(store, [path])
    before = snapshot(store)
    with pytest.raises(UserError, match="no document nope, other in the store"):
        remove_documents(store, ["plain", "nope", "other"])
    with pytest.raises(UserError, match=r"annotated \(1 span\) has annotations; --force"):
        remove_documents(store, ["plain", "annotated"])
    assert snapshot(store) == before
    removed = remove_documents(store, ["plain", "annotated"], force=True, actor="lina")
    assert (removed.documents, removed.sets, removed.spans) == (("plain", "annotated"), 1, 1)
    assert snapshot(store)["document"] == before["document"] - 2
    with store.engine.connect() as conn:
        deleted = [json.loads(x) if isinstance(x, str) else x for x in conn.execute(
            select(EventRow.before).where(EventRow.action == "delete",
                                          EventRow.entity == "document")).scalars()]
    assert sorted(d["external_id"] for d in deleted) == ["annotated", "plain"]
    assert [s["spans"] for d in deleted for s in d["sets"]] == [1]


def test_undo_after_docs_rm_removes_the_rest(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "two.jsonl", line("نص أول", doc_id="one", annotator=None),
                  line("نص ثان", doc_id="two", annotator=None))
    report = import_paths(store, [path])
    remove_documents(store, ["one"])
    undone = undo_import(store, report.batch)
    assert (undone.documents, undone.already_gone) == (1, 1)
    with store.unit_of_work() as uow:
        assert uow.documents.count() == 0
