"""Native JSONL import: sets, spans, relations, attributes; validation names file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.db.repositories import SetFilter
from annotator.db.store import Store
from annotator.services.importing import import_paths
from tests.services.helpers import line, snapshot, span

TEXT = "😀 وقال الوزيرُ الفرنسي إن روسيا “جاهزة للتعاون”.\nوأضاف أن موسكو ستردّ."


def _good_spans() -> list[dict]:
    return [span(TEXT, "الوزيرُ الفرنسي", "actor", "a1"),
            span(TEXT, "جاهزة للتعاون", "quote", "q1", attributes={"kind": "direct"}),
            span(TEXT, "قال", "cue", "c1"),
            span(TEXT, "موسكو", "location", "l1", note="عاصمة")]


def _good_relations() -> list[dict]:
    return [{"type": "said_by", "head": "q1", "tail": "a1"}, {"type": "cue", "head": "q1", "tail": "c1"}]


def _write(tmp_path: Path, *lines: str, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sets_spans_relations_and_attributes_are_imported(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, line(TEXT, spans=_good_spans(), relations=_good_relations()),
                  line(TEXT, annotator="gold", spans=_good_spans()[:1]))
    report = import_paths(store, [path])
    assert report.errors == []
    assert (report.documents_added, report.sets_added, report.spans_added) == (1, 2, 5)
    with store.unit_of_work() as uow:
        doc = uow.documents.by_external_id("d1")
        assert doc is not None and doc.text == TEXT
        mona, gold = uow.sets.for_documents({doc.id: TEXT}, SetFilter())
    assert (mona.owner, str(mona.kind), str(mona.status)) == ("mona", "annotation", "done")
    assert (gold.owner, str(gold.kind)) == ("gold", "gold")
    assert [(s.label, s.text, dict(s.attributes), s.note) for s in mona.spans] == [
        ("cue", "قال", {}, ""), ("actor", "الوزيرُ الفرنسي", {}, ""),
        ("quote", "جاهزة للتعاون", {"kind": "direct"}, ""), ("location", "موسكو", {}, "عاصمة")]
    by_id = {s.id: s.label for s in mona.spans}
    assert sorted((r.type, by_id[r.head], by_id[r.tail]) for r in mona.relations) == [
        ("cue", "quote", "cue"), ("said_by", "quote", "actor")]
    assert all(TEXT[s.start:s.end] == s.text for s in mona.spans)


def test_importing_the_same_jsonl_twice_adds_nothing(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, line(TEXT, spans=_good_spans(), relations=_good_relations()))
    import_paths(store, [path])
    before = snapshot(store)
    again = import_paths(store, [path])
    assert (again.errors, again.documents_existing, again.sets_added) == ([], 1, 0)
    assert snapshot(store) == before


def test_a_different_set_for_the_same_owner_is_refused(store: Store, tmp_path: Path) -> None:
    import_paths(store, [_write(tmp_path, line(TEXT, spans=_good_spans()), name="a.jsonl")])
    before = snapshot(store)
    other = _write(tmp_path, line(TEXT, spans=_good_spans()[:2]), name="b.jsonl")
    report = import_paths(store, [other])
    assert report.errors == [f"{other}:1: annotator: the store already has a different set of "
                             "'mona' for 'd1' (--replace replaces it); nothing from this file "
                             "was imported"]
    assert snapshot(store) == before
    replaced = import_paths(store, [other], replace=True)
    assert (replaced.errors, replaced.sets_added, replaced.spans_added) == ([], 1, 2)
    with store.unit_of_work() as uow:
        doc = uow.documents.by_external_id("d1")
        (aset,) = uow.sets.for_documents({doc.id: TEXT}, SetFilter())
    assert sorted(s.text for s in aset.spans) == ["الوزيرُ الفرنسي", "جاهزة للتعاون"]
    assert import_paths(store, [other]).errors == []  # now the same: nothing to do


BAD_CASES = [
    ("span outside the text", {"spans": [{"id": "s1", "start": 60, "end": 99, "label": "actor"}]},
     f"spans[0]: span 60-99 is outside the text ({len(TEXT)} characters)"),
    ("text not matching", {"spans": [dict(span(TEXT, "روسيا", "actor", "s1"), text="فرنسا")]},
     f"spans[0].text: is 'فرنسا' but the text at {TEXT.index('روسيا')}-{TEXT.index('روسيا') + 5} "
     "is 'روسيا'"),
    ("unknown relation type", {"spans": _good_spans(),
                               "relations": [{"type": "quoted", "head": "q1", "tail": "a1"}]},
     "relations[0].type: unknown relation type 'quoted' (the schema has said_by, cue)"),
    ("relation to a missing span", {"spans": _good_spans(),
                                    "relations": [{"type": "said_by", "head": "q1", "tail": "a9"}]},
     "relations[0].tail: refers to a missing span 'a9'"),
    ("sha256 not matching", {"sha256": "0" * 64}, "sha256: does not match the text (the text hashes to "),
    ("relation between the wrong labels", {"spans": _good_spans(),
                                           "relations": [{"type": "said_by", "head": "a1", "tail": "q1"}]},
     "relations[0]: said_by links a quote to a actor, not a actor to a quote"),
    ("unknown attribute value", {"spans": [span(TEXT, "جاهزة", "quote", "q", attributes={"kind": "x"})]},
     "spans[0].attributes: attribute 'kind' of 'quote' must be one of ['direct', 'indirect', 'partial'], "
     "not 'x'"),
    ("reversed offsets", {"spans": [{"id": "s1", "start": 9, "end": 4, "label": "actor"}]},
     "spans[0]: span 9-4 must have 0 <= start < end"),
    ("bad status", {"status": "finished"},
     "status: must be one of ['todo', 'in_progress', 'done', 'skipped'], not 'finished'"),
]


@pytest.mark.parametrize(("case", "overrides", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_lines_are_named_and_change_nothing(store: Store, tmp_path: Path, case: str,
                                                overrides: dict, message: str) -> None:
    good = line("نص سليم تماما", doc_id="ok", spans=[])
    path = _write(tmp_path, good, line(TEXT, **overrides))
    before = snapshot(store)
    report = import_paths(store, [path])
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{path}:2: {message}")
    assert snapshot(store) == before


def test_an_unknown_label_is_one_error_for_the_file_naming_its_first_line(
        store: Store, tmp_path: Path) -> None:
    good = line("نص سليم تماما", doc_id="ok", spans=[])
    path = _write(tmp_path, good, line(TEXT, spans=[span(TEXT, "روسيا", "country", "s1")]))
    before = snapshot(store)
    report = import_paths(store, [path])
    assert report.errors == [f"{path}: a label the project does not have: country (1 span, "
                             "first on line 2); --map country=LABEL maps it onto the project's "
                             "labels (quote, actor, location, cue), --add-labels adds it"]
    assert snapshot(store) == before


def test_invalid_json_names_the_line_and_column(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, line(TEXT), '{"doc_id": "x", "text": ')
    report = import_paths(store, [path])
    assert report.errors == [f"{path}:2: not valid JSON (Expecting value at column 25)"]


def test_one_doc_id_with_two_texts_is_refused(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, line(TEXT), line(TEXT + " إضافة", annotator="gold"))
    report = import_paths(store, [path])
    assert report.errors == [f"{path}:2: text: doc_id 'd1' has another text on line 1"]


def test_a_doc_id_taken_by_another_text_in_the_store_is_refused(store: Store, tmp_path: Path) -> None:
    import_paths(store, [_write(tmp_path, line(TEXT), name="a.jsonl")])
    before = snapshot(store)
    path = _write(tmp_path, line("نص آخر", annotator=None), name="b.jsonl")
    report = import_paths(store, [path])
    assert report.errors == [f"{path}:1: doc_id: doc_id 'd1' is already another document in the store "
                             "(its text differs)"]
    assert snapshot(store) == before


def test_a_line_without_annotator_is_a_document_only(store: Store, tmp_path: Path) -> None:
    report = import_paths(store, [_write(tmp_path, line(TEXT, annotator=None, status=None))])
    assert (report.errors, report.documents_added, report.sets_added) == ([], 1, 0)


def test_spans_without_an_annotator_are_refused(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, line(TEXT, annotator=None, spans=_good_spans()[:1]))
    assert import_paths(store, [path]).errors == [
        f"{path}:1: annotator: spans or relations need an annotator (the set's owner)"]


def test_optional_fields_may_be_left_out(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "min.jsonl"
    path.write_text(json.dumps({"doc_id": "m", "text": TEXT, "annotator": "mona",
                                "spans": [{"start": 2, "end": 6, "label": "cue"}]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    report = import_paths(store, [path])
    assert (report.errors, report.spans_added) == ([], 1)
    with store.unit_of_work() as uow:
        doc = uow.documents.by_external_id("m")
        (aset,) = uow.sets.for_documents({doc.id: TEXT}, SetFilter())
    assert doc.title == "😀 وقال الوزيرُ الفرنسي إن روسيا “جاهزة للتعاون”."
    assert [(s.text, str(aset.status)) for s in aset.spans] == [("وقال", "todo")]
