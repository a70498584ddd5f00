"""doccano JSONL: exact lines in both variants, UTF-16 offsets after an emoji, doccano's own
examples, round trips, the import variants, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.db.store import Store
from annotator.exports import doccano
from annotator.exports.base import ImportContext
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.services.helpers import line, snapshot, span

TEXT = "😀 قال الوزير: «روسيا جاهزة»"   # code points: قال 2-5, الوزير 6-12, quote 15-26


def _import_native(store: Store, tmp_path: Path, *lines: str) -> None:
    path = tmp_path / "native.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]


def _spans(**quote: Any) -> list[dict[str, Any]]:
    return [span(TEXT, "روسيا جاهزة", "quote", "q", **quote), span(TEXT, "الوزير", "actor", "a"),
            span(TEXT, "قال", "cue", "c")]


def test_label_lists_with_utf16_offsets_when_no_set_has_relations(store: Store,
                                                                   tmp_path: Path) -> None:
    _import_native(store, tmp_path,
                   line(TEXT, doc_id="d1", spans=_spans(attributes={"kind": "direct"}, note="نص")),
                   line("نص بلا مجموعة", doc_id="d2", annotator=None, status="todo"))
    out = tmp_path / "out.jsonl"
    (report,) = export(store, out, fmt="doccano")
    assert _lines(out) == [
        {"text": TEXT, "label": [[3, 6, "cue"], [7, 13, "actor"], [16, 27, "quote"]],
         "doc_id": "d1", "title": TEXT, "annotator": "mona", "status": "done"},
        {"text": "نص بلا مجموعة", "label": [], "doc_id": "d2", "title": "نص بلا مجموعة",
         "annotator": None, "status": None}]
    assert (report.documents, report.items, report.spans, report.relations) == (2, 2, 3, 0)
    assert report.counts == {"attributes": 1}
    assert report.problems == [("document d1 (mona): span 15-26 quote 'روسيا جاهزة': doccano keeps "
                               "no attributes or notes (kind=direct, note 'نص')")]


def test_entities_and_relations_when_a_set_has_relations(store: Store, tmp_path: Path) -> None:
    relations = [{"type": "said_by", "head": "q", "tail": "a"},
                 {"type": "cue", "head": "q", "tail": "c"}]
    _import_native(store, tmp_path, line(TEXT, doc_id="d1", spans=_spans(), relations=relations),
                   line("نص آخر", doc_id="d2", annotator="gold",
                        spans=[span("نص آخر", "آخر", "location", "l")]))
    out = tmp_path / "out.jsonl"
    (report,) = export(store, out, fmt="doccano")
    assert _lines(out) == [
        {"text": TEXT,
         "entities": [{"id": 1, "start_offset": 3, "end_offset": 6, "label": "cue"},
                      {"id": 2, "start_offset": 7, "end_offset": 13, "label": "actor"},
                      {"id": 3, "start_offset": 16, "end_offset": 27, "label": "quote"}],
         "relations": [{"id": 1, "from_id": 3, "to_id": 1, "type": "cue"},
                       {"id": 2, "from_id": 3, "to_id": 2, "type": "said_by"}],
         "doc_id": "d1", "title": TEXT, "annotator": "mona", "status": "done"},
        {"text": "نص آخر",
         "entities": [{"id": 1, "start_offset": 3, "end_offset": 6, "label": "location"}],
         "relations": [], "doc_id": "d2", "title": "نص آخر", "annotator": "gold",
         "status": "done"}]
    assert (report.spans, report.relations, report.problems) == (4, 2, [])


def test_utf16_offsets_of_doccano_issue_2290_become_code_points(tmp_path: Path) -> None:
    # doccano issue #2290: "firetrucks" is 22-32 in doccano, 19-29 in Python.
    text = "👨🏻\u200d🚒 firemen drive firetrucks"
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[22, 32, "vehicle"]]}) + "\n", "utf-8")
    ((number, record),) = doccano.read(path, ImportContext())
    assert number == 1
    assert record["spans"] == [{"id": "0", "start": 19, "end": 29, "label": "vehicle"}]
    assert text[19:29] == "firetrucks"
    assert (record["doc_id"], record["annotator"]) == ("d-1", "doccano")


DOCCANO_EXAMPLES = (  # doccano's own examples (backend/data_import/pipeline/examples)
    '{"text": "EU rejects German call to boycott British lamb.", "label": [ [0, 2, "ORG"], '
    '[11, 17, "MISC"] ]}\n'
    '{"text": "Peter Blackburn", "label": [ [0, 15, "PERSON"] ]}\n'
    '{"text": "Google was founded on September 4, 1998, by Larry Page and Sergey Brin.", '
    '"entities": [{"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"}, {"id": 1, '
    '"start_offset": 22, "end_offset": 39, "label": "DATE"}, {"id": 2, "start_offset": 44, '
    '"end_offset": 54, "label": "PERSON"}], "relations": [{"from_id": 0, "to_id": 1, "type": '
    '"foundedAt"}, {"from_id": 0, "to_id": 2, "type": "foundedBy"}]}\n'
    '{"id": 12, "data": "Obama", "labels": [[0, 5, "PERSON"]], "annotator": "admin"}\n')


def test_doccano_own_examples_read_with_every_variant(tmp_path: Path) -> None:
    path = tmp_path / "examples.jsonl"
    path.write_text(DOCCANO_EXAMPLES, encoding="utf-8")
    records = list(doccano.read(path, ImportContext()))
    got = [(n, r["doc_id"], r["annotator"], [(s["start"], s["end"], s["label"])
                                             for s in r["spans"]], r["relations"])
           for n, r in records]
    assert got == [
        (1, "examples-1", "doccano", [(0, 2, "ORG"), (11, 17, "MISC")], []),
        (2, "examples-2", "doccano", [(0, 15, "PERSON")], []),
        (3, "examples-3", "doccano", [(0, 6, "ORG"), (22, 39, "DATE"), (44, 54, "PERSON")],
         [{"type": "foundedAt", "head": "0", "tail": "1"},
          {"type": "foundedBy", "head": "0", "tail": "2"}]),
        (4, "12", "admin", [(0, 5, "PERSON")], []),
    ]
    assert records[3][1]["text"] == "Obama"
    assert next(doccano.read(path, ImportContext(annotator="mona")))[1]["annotator"] == "mona"


@pytest.mark.parametrize("with_relations", [False, True], ids=["label", "entities"])
def test_round_trip_gives_the_same_file_and_the_same_store(
        store: Store, other_store: Store, tmp_path: Path, with_relations: bool) -> None:
    relations = [{"type": "said_by", "head": "q", "tail": "a"}] if with_relations else []
    _import_native(store, tmp_path,
                   line(TEXT, doc_id="d1", spans=_spans(), relations=relations),
                   line(TEXT, doc_id="d1", annotator="gold", status="in_progress",
                        spans=[span(TEXT, "قال", "cue", "c")]),
                   line("نص بلا مجموعة", doc_id="d2", annotator=None, status="todo"))
    first = tmp_path / "first.jsonl"
    export(store, first, fmt="doccano")
    assert ("entities" in _lines(first)[0]) is with_relations
    report = import_paths(other_store, [first], fmt="doccano")
    assert report.errors == []
    assert (report.documents_added, report.sets_added, report.spans_added) == (2, 2, 4)
    second = tmp_path / "second.jsonl"
    export(other_store, second, fmt="doccano")
    assert second.read_bytes() == first.read_bytes()
    export(store, tmp_path / "a.jsonl")
    export(other_store, tmp_path / "b.jsonl")
    assert (tmp_path / "b.jsonl").read_text(encoding="utf-8") == \
        (tmp_path / "a.jsonl").read_text(encoding="utf-8")


GOOD = json.dumps({"text": "نص سليم", "doc_id": "good", "label": [[0, 2, "actor"]]},
                  ensure_ascii=False)
EMOJI = "🐱 في 🇪🇬 القاهرة"   # UTF-16: القاهرة 11-18 of 18; code points 8-15 of 15
BAD_LINES = [
    ("outside", {"text": EMOJI, "label": [[11, 19, "location"]]},
     "bad.jsonl:2: label[0]: span 11-19 is empty or outside the text (18 UTF-16 units)"),
    ("inside-surrogate-pair", {"text": EMOJI, "label": [[1, 5, "location"]]},
     ("bad.jsonl:2: label[0]: span 1-5 location: UTF-16 offset 1 falls inside a surrogate pair "
      "when read as UTF-16 units (doccano's unit): the offsets look like code points, not UTF-16 "
      "units; nothing was shifted (fix the file, or import it with --format spans-jsonl, which "
      "reads code points)")),
    ("missing-entity", {"text": EMOJI, "entities": [
        {"id": 4, "start_offset": 11, "end_offset": 18, "label": "location"}],
        "relations": [{"from_id": 4, "to_id": 9, "type": "said_by"}]},
     "bad.jsonl:2: relations[0].to_id: refers to a missing entity 9"),
    ("unknown-label", {"text": EMOJI, "label": [[11, 18, "LOC"]]},
     "bad.jsonl: a label the project does not have: LOC (1 span, first on line 2); --map LOC=LABEL maps it onto the project's labels (quote, actor, location, cue), --add-labels adds it"),
    ("label-id", {"text": EMOJI, "label": [[11, 18, 3]]},
     ("bad.jsonl:2: label[0]: the label must be a name, not 3 (export from doccano with label "
     "names)")),
    ("two-variants", {"text": EMOJI, "label": [[11, 18, "location"]],
                      "entities": [[11, 18, "location"]]},
     "bad.jsonl:2: label: both 'entities' and 'label' hold spans; keep one"),
    ("classification", {"text": EMOJI, "label": ["positive"]},
     ("bad.jsonl:2: label[0]: must be [start, end, label] or an object with start_offset, "
     "end_offset and label, not 'positive'")),
]


@pytest.mark.parametrize(("obj", "message"), [(o, m) for _, o, m in BAD_LINES],
                         ids=[name for name, _, _ in BAD_LINES])
def test_bad_input_is_one_clear_error_and_changes_nothing(
        store: Store, tmp_path: Path, obj: dict[str, Any], message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(GOOD + "\n" + json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
    before = snapshot(store)
    assert import_paths(store, [path], fmt="doccano").errors == [f"{tmp_path}/{message}"]
    assert snapshot(store) == before


def test_the_same_line_imports_when_its_offsets_are_right(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"text": EMOJI, "label": [[11, 18, "location"]]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_paths(store, [path], fmt="doccano").errors == []
    export(store, tmp_path / "back.jsonl")
    ((record),) = _lines(tmp_path / "back.jsonl")
    assert [(s["start"], s["end"], s["text"]) for s in record["spans"]] == [(8, 15, "القاهرة")]


def test_a_line_without_span_keys_is_not_doccano(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"text": "نص ما", "location_mentions": []}\n', encoding="utf-8")
    before = snapshot(store)
    report = import_paths(store, [path], fmt="doccano")
    assert report.errors == [f"{path}:1: no 'entities', 'label', 'labels' key: not a doccano line "
                             "(an unlabeled example has \"label\": [])"]
    assert snapshot(store) == before
