"""Label Studio tasks JSON: exact tasks and config, code-point offsets after an emoji, the
label-studio-sdk validator, round trips, Label Studio's own export shape, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.db.store import Store
from annotator.exports import labelstudio
from annotator.exports.base import ExportOptions
from annotator.services.exporting import Split, export
from annotator.services.importing import import_paths
from tests.services.helpers import line, snapshot, span

TEXT = "😀 قال الوزير: «روسيا جاهزة»"
CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="quote" background="#f4b400"/>
    <Label value="actor" background="#4285f4"/>
    <Label value="location" background="#0f9d58"/>
    <Label value="cue" background="#db4437"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Relations>
    <Relation value="said_by"/>
    <Relation value="cue"/>
  </Relations>
  <Choices name="kind" toName="text" perRegion="true" visibleWhen="region-selected" whenLabelValue="quote">
    <Choice value="direct"/>
    <Choice value="indirect"/>
    <Choice value="partial"/>
  </Choices>
  <TextArea name="note" toName="text" perRegion="true" editable="true"/>
</View>
"""


def _spans() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    spans = [span(TEXT, "روسيا جاهزة", "quote", "q", attributes={"kind": "direct"}, note="نص"),
             span(TEXT, "الوزير", "actor", "a"), span(TEXT, "قال", "cue", "c")]
    return spans, [{"type": "said_by", "head": "q", "tail": "a"},
                   {"type": "cue", "head": "q", "tail": "c"}]


def _import_native(store: Store, tmp_path: Path, *lines: str) -> None:
    path = tmp_path / "native.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _small_store(store: Store, tmp_path: Path) -> None:
    spans, relations = _spans()
    _import_native(store, tmp_path,
                   line(TEXT, doc_id="d1", spans=spans, relations=relations),
                   line(TEXT, doc_id="d1", annotator="gold", status="in_progress",
                        spans=[span(TEXT, "الوزير", "actor", "x")]),
                   line("نص بلا مجموعة", doc_id="d2", annotator=None, status="todo"))


def _tasks(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


EXPECTED_RESULT = [
    {"id": "s1", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 2, "end": 5, "text": "قال", "labels": ["cue"]}},
    {"id": "s2", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 6, "end": 12, "text": "الوزير", "labels": ["actor"]}},
    {"id": "s3", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 15, "end": 26, "text": "روسيا جاهزة", "labels": ["quote"]}},
    {"id": "s3", "from_name": "kind", "to_name": "text", "type": "choices",
     "value": {"start": 15, "end": 26, "choices": ["direct"]}},
    {"id": "s3", "from_name": "note", "to_name": "text", "type": "textarea",
     "value": {"start": 15, "end": 26, "text": ["نص"]}},
    {"from_id": "s3", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["cue"]},
    {"from_id": "s3", "to_id": "s2", "type": "relation", "direction": "right",
     "labels": ["said_by"]},
]


def test_exact_tasks_and_config_for_a_small_document(store: Store, tmp_path: Path) -> None:
    _small_store(store, tmp_path)
    out = tmp_path / "tasks.json"
    (report,) = export(store, out, fmt="labelstudio")
    gold = [{"id": "s1", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 6, "end": 12, "text": "الوزير", "labels": ["actor"]}}]
    assert _tasks(out) == [
        {"id": 1, "data": {"text": TEXT, "doc_id": "d1", "title": TEXT},
         "annotations": [
             {"id": 1, "result": EXPECTED_RESULT, "annotator": "mona", "status": "done",
              "ground_truth": False, "was_cancelled": False},
             {"id": 2, "result": gold, "annotator": "gold", "status": "in_progress",
              "ground_truth": True, "was_cancelled": False}]},
        {"id": 2, "data": {"text": "نص بلا مجموعة", "doc_id": "d2", "title": "نص بلا مجموعة"},
         "annotations": []}]
    lines = out.read_text(encoding="utf-8").split("\n")
    assert (lines[0], lines[-2], lines[-1], len(lines)) == ("[", "]", "", 5)  # a task a line
    assert (report.documents, report.items, report.spans, report.relations) == (2, 2, 4, 2)
    assert report.problems == []
    assert labelstudio.config_path(out) == tmp_path / "tasks.config.xml"
    assert (tmp_path / "tasks.config.xml").read_text(encoding="utf-8") == CONFIG


def test_offsets_are_code_points_after_an_emoji_as_label_studio_counts(tmp_path: Path) -> None:
    # Label Studio's own editor test (tests/integration/.../ner/emoji): "test" is 21-25.
    text = "🐱 Warning: This is a test text"
    task = {"data": {"text": text}, "annotations": [{"result": [
        {"id": "r", "from_name": "tag", "to_name": "text", "type": "labels",
         "value": {"start": 21, "end": 25, "text": "test", "labels": ["region"]}}]}]}
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    ((number, record),) = labelstudio.read(path, labelstudio.ImportContext())
    assert number == 1
    assert record["spans"] == [{"id": "r", "start": 21, "end": 25, "label": "region",
                                "attributes": {}}]
    assert text[21:25] == "test" and len(text[:21].encode("utf-16-le")) // 2 == 22


def test_the_label_studio_sdk_validator_accepts_annotations_and_predictions(
        store: Store, tmp_path: Path) -> None:
    li_module = pytest.importorskip("label_studio_sdk.label_interface")
    _small_store(store, tmp_path)
    export(store, tmp_path / "a.json", fmt="labelstudio")
    export(store, tmp_path / "p.json", fmt="labelstudio", options=ExportOptions(predictions=True))
    li = li_module.LabelInterface((tmp_path / "a.config.xml").read_text(encoding="utf-8"))
    li.validate()  # raises on a bad config
    checked = 0
    for name, key in (("a.json", "annotations"), ("p.json", "predictions")):
        for task in _tasks(tmp_path / name):
            # validate_task() with annotations calls validate_annotation() without its argument
            # in label-studio-sdk 2.1.2, so the data and each item are validated separately.
            assert li.validate_task({"data": task["data"]}) is True
            for item in task.get(key, []):
                assert li.validate_prediction(item, return_errors=True) == []
                assert li.validate_annotation(item) is True
                checked += 1
    assert checked == 4
    broken = _tasks(tmp_path / "a.json")[0]["annotations"][0]
    broken["result"][0]["value"]["labels"] = ["PERSON"]
    broken["result"][-1]["from_id"] = "s9"
    errors = li.validate_prediction(broken, return_errors=True)
    assert errors[0].startswith("Region 0: Invalid value for control 'label'")
    assert "'labels': ['PERSON']" in errors[0]
    assert errors[1:] == [["Relation 5: 'to_id' 's1' not found in regions"],
                          ["Relation 6: 'from_id' 's9' not found in regions"]]


@pytest.mark.parametrize("predictions", [False, True], ids=["annotations", "predictions"])
def test_round_trip_gives_the_same_tasks_and_the_same_store(
        store: Store, other_store: Store, tmp_path: Path, predictions: bool) -> None:
    _small_store(store, tmp_path)
    options = ExportOptions(predictions=predictions)
    first = tmp_path / "first.json"
    export(store, first, fmt="labelstudio", options=options)
    report = import_paths(other_store, [first], fmt="labelstudio")
    assert report.errors == []
    assert (report.documents_added, report.sets_added, report.spans_added) == (2, 2, 4)
    second = tmp_path / "second.json"
    export(other_store, second, fmt="labelstudio", options=options)
    assert second.read_bytes() == first.read_bytes()
    assert (tmp_path / "second.config.xml").read_bytes() == \
        (tmp_path / "first.config.xml").read_bytes()
    export(store, tmp_path / "a.jsonl")
    export(other_store, tmp_path / "b.jsonl")
    assert (tmp_path / "b.jsonl").read_text(encoding="utf-8") == \
        (tmp_path / "a.jsonl").read_text(encoding="utf-8")


def test_split_writes_a_config_beside_each_part(store: Store, tmp_path: Path) -> None:
    _small_store(store, tmp_path)
    export(store, tmp_path / "parts", fmt="labelstudio", split=Split.parse("50/0/50"), seed=1)
    names = sorted(p.name for p in (tmp_path / "parts").iterdir())
    assert names == ["dev.config.xml", "dev.json", "test.config.xml", "test.json",
                     "train.config.xml", "train.json"]
    assert sorted(t["data"]["doc_id"] for part in ("train", "dev", "test")
                  for t in _tasks(tmp_path / "parts" / f"{part}.json")) == ["d1", "d2"]


LS_EXPORT_TEXT = "😀 قال الوزير:\n«روسيا جاهزة»"


def test_label_studio_own_export_imports(store: Store, tmp_path: Path) -> None:
    """Label Studio writes ids, completed_by as a user id, \\n for a line break in value.text,
    and relations drawn right to left; a task with only predictions gives those."""
    quote = LS_EXPORT_TEXT.index("الوزير:\n«روسيا")
    tasks = [
        {"id": 7, "data": {"text": LS_EXPORT_TEXT}, "annotations": [
            {"id": 1, "completed_by": 1, "was_cancelled": False, "lead_time": 3.2, "result": [
                {"id": "Ab1", "from_name": "label", "to_name": "text", "type": "labels",
                 "origin": "manual", "value": {"start": quote, "end": quote + 14,
                                               "text": "الوزير:\\n«روسيا", "labels": ["quote"]}},
                {"id": "Cd2", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": 2, "end": 5, "text": "قال", "labels": ["actor"]}},
                {"from_id": "Cd2", "to_id": "Ab1", "type": "relation", "direction": "left",
                 "labels": ["said_by"]}]}],
         "predictions": [{"model_version": "m1", "result": []}]},
        {"id": 8, "data": {"text": "نص آخر"}, "predictions": [{"model_version": "m1", "result": [
            {"id": "p", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 3, "end": 6, "labels": ["location"]}}]}]},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    report = import_paths(store, [path], fmt="labelstudio")
    assert report.errors == []
    export(store, tmp_path / "back.jsonl")
    records = [json.loads(ln) for ln in (tmp_path / "back.jsonl").read_text("utf-8").splitlines()]
    summary = [(r["doc_id"], r["annotator"], r["status"],
                [(s["start"], s["end"], s["label"], s["text"]) for s in r["spans"]],
                r["relations"]) for r in records]
    assert summary == [
        ("7", "labelstudio-1", "done",
         [(2, 5, "actor", "قال"), (quote, quote + 14, "quote", "الوزير:\n«روسيا")],
         [{"type": "said_by", "head": "s2", "tail": "s1"}]),
        ("8", "labelstudio", "todo", [(3, 6, "location", "آخر")], []),
    ]


def _task(text: str, result: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": {"text": text, "doc_id": "bad"}, "annotations": [{"result": result}]}


def _region(start: int, end: int, label: str = "actor", rid: str = "s1",
            text: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        value["text"] = text
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


BAD_TASKS = [
    ("outside", _task(TEXT, [_region(20, 40)]),
     ("tasks.json:2: annotations[0].result[0].value: task 2: result 's1': span 20-40 is outside "
     "the text (27 characters) or empty")),
    ("text-mismatch", _task(TEXT, [_region(6, 12, text="الوزيرة")]),
     ("tasks.json:2: annotations[0].result[0].value.text: task 2: result 's1': value.text is "
     "'الوزيرة' but the text at 6-12 is 'الوزير'")),
    ("missing-region", _task(TEXT, [_region(6, 12), {"from_id": "s7", "to_id": "s1",
                                                     "type": "relation", "labels": ["said_by"]}]),
     ("tasks.json:2: annotations[0].result[1]: task 2: relation 's7' -> 's1' refers to a missing "
     "region 's7'")),
    ("unknown-label", _task(TEXT, [_region(6, 12, label="PERSON")]),
     "tasks.json: a label the project does not have: PERSON (1 span, first on line 2); --map PERSON=LABEL maps it onto the project's labels (quote, actor, location, cue), --add-labels adds it"),
    ("hypertext", _task(TEXT, [{"id": "h", "from_name": "label", "to_name": "text",
                                "type": "hypertextlabels", "value": {"start": "/p[1]"}}]),
     ("tasks.json:2: annotations[0].result[0].type: task 2: result 'h': type 'hypertextlabels' "
     "is not supported (only labels, choices, textarea and relation results of a Text tag)")),
]


@pytest.mark.parametrize(("task", "message"), [(t, m) for _, t, m in BAD_TASKS],
                         ids=[name for name, _, _ in BAD_TASKS])
def test_bad_input_is_one_clear_error_and_changes_nothing(
        store: Store, tmp_path: Path, task: dict[str, Any], message: str) -> None:
    good = _task("نص سليم", [_region(0, 2, text="نص")])
    good["data"]["doc_id"] = "good"
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([good, task], ensure_ascii=False), encoding="utf-8")
    before = snapshot(store)
    report = import_paths(store, [path], fmt="labelstudio")
    assert report.errors == [f"{path.parent}/{message}"]
    assert snapshot(store) == before


def test_a_file_that_is_not_json_names_the_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text('[\n{"data": {"text": "x"}},\n{"data": }\n]\n', encoding="utf-8")
    before = snapshot(store)
    assert import_paths(store, [path], fmt="labelstudio").errors == [
        f"{path}:3: not valid JSON (Expecting value at line 3 column 10)"]
    assert snapshot(store) == before


def test_config_adds_labels_relations_and_values_the_tasks_use() -> None:
    seen = labelstudio._Seen()
    seen.labels["LOC"] = None
    seen.relations["near"] = None
    seen.attribute("kind", "LOC", "a&b")
    config = labelstudio.labeling_config(None, seen)
    assert config == """<View>
  <Labels name="label" toName="text">
    <Label value="LOC" background="#8e24aa"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Relations>
    <Relation value="near"/>
  </Relations>
  <Choices name="kind" toName="text" perRegion="true" visibleWhen="region-selected" whenLabelValue="LOC">
    <Choice value="a&amp;b"/>
  </Choices>
  <TextArea name="note" toName="text" perRegion="true" editable="true"/>
</View>
"""
