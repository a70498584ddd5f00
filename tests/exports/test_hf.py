"""Hugging Face token classification export: exact rows and tag names, loaded by `datasets` with
ClassLabel features, read by seqeval, the same tag names in every part of a split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from annotator.core.errors import UserError
from annotator.db.store import Store
from annotator.exports import hf
from annotator.exports.base import ExportOptions
from annotator.services.exporting import Split, export, iter_documents_with_sets, set_filter
from annotator.services.importing import import_paths
from tests.services.helpers import line, span

TEXT = "😀 قالَ وزيرُ الدفاع إن «موسكو جاهزة». وأضاف"
OTHER = "وصل الوزيرُ إلى موسكو."


def _spans() -> list[dict]:
    return [span(TEXT, "قالَ", "cue", "c"), span(TEXT, "وزيرُ الدفاع", "actor", "a"),
            span(TEXT, "موسكو جاهزة", "quote", "q"), span(TEXT, "موسكو", "location", "l"),
            span(TEXT, "أضاف", "cue", "c2")]


def _store_with(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([
        line(TEXT, doc_id="b", annotator="gold", spans=_spans()),
        line(OTHER, doc_id="c", annotator="gold", spans=[span(OTHER, "موسكو", "location", "l")]),
        line("نص.", doc_id="a", annotator=None, status=None)]) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _rows(path: Path) -> list[dict]:
    return [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_the_documented_rows_and_names_exactly(store: Store,
                                                              tmp_path: Path) -> None:
    _store_with(store, tmp_path)
    out = tmp_path / "out.jsonl"
    (report,) = export(store, out, fmt="hf", options=ExportOptions(tokens="clitics",
                                                                   nested="inner"))
    # every label of the schema, so that every export of the project has the same ids
    names = ["O", "B-actor", "I-actor", "B-cue", "I-cue", "B-location", "I-location", "B-quote",
             "I-quote"]
    assert json.loads(hf.labels_path(out).read_text(encoding="utf-8")) == {
        "scheme": "iob2", "names": names}
    assert hf.labels_path(out).name == "out.labels.json"
    assert _rows(out) == [
        {"id": "a/-/1", "tokens": ["نص", "."], "ner_tags": [0, 0]},
        {"id": "b/gold/1", "tokens": ["😀", "قالَ", "وزيرُ", "الدفاع", "إن", "«", "موسكو", "جاهزة",
                                      "»", "."], "ner_tags": [0, 3, 1, 2, 0, 0, 5, 0, 0, 0]},
        {"id": "b/gold/2", "tokens": ["و", "أضاف"], "ner_tags": [0, 3]},
        {"id": "c/gold/1", "tokens": ["وصل", "الوزيرُ", "إلى", "موسكو", "."],
         "ner_tags": [0, 0, 0, 5, 0]},
    ]
    assert (report.documents, report.items, report.spans) == (3, 4, 6)
    assert report.counts == {"nested": 1}


def test_datasets_loads_the_export_with_its_class_labels(store: Store, tmp_path: Path) -> None:
    from datasets import ClassLabel, Features, Sequence, Value, load_dataset

    _store_with(store, tmp_path)
    out = tmp_path / "out.jsonl"
    export(store, out, fmt="hf", options=ExportOptions(scheme="bioes"))
    names = json.loads(hf.labels_path(out).read_text(encoding="utf-8"))["names"]
    features = Features({"id": Value("string"), "tokens": Sequence(Value("string")),
                         "ner_tags": Sequence(ClassLabel(names=names))})
    dataset = load_dataset("json", data_files={"train": str(out)}, features=features,
                           cache_dir=str(tmp_path / "cache"))["train"]
    assert dataset.features["ner_tags"].feature.names == names
    rows = _rows(out)
    assert dataset["id"] == [r["id"] for r in rows]
    assert dataset["tokens"] == [r["tokens"] for r in rows]
    assert dataset["ner_tags"] == [r["ner_tags"] for r in rows]
    label = dataset.features["ner_tags"].feature.int2str
    assert [label(t) for t in dataset[1]["ner_tags"]] == [
        "O", "S-cue", "B-actor", "E-actor", "O", "O", "B-quote", "E-quote", "O", "O"]


def test_seqeval_reads_the_iob2_tags_with_no_scheme_violation(store: Store,
                                                              tmp_path: Path) -> None:
    _store_with(store, tmp_path)
    out = tmp_path / "out.jsonl"
    (report,) = export(store, out, fmt="hf", options=ExportOptions(tokens="clitics"))
    names = json.loads(hf.labels_path(out).read_text(encoding="utf-8"))["names"]
    y = [[names[t] for t in row["ner_tags"]] for row in _rows(out)]
    strict = [(e.tag, e.sent_id, e.start, e.end) for s in Entities(y, IOB2).entities for e in s]
    assert strict == [("cue", 1, 1, 2), ("actor", 1, 2, 4), ("quote", 1, 6, 8), ("cue", 2, 1, 2),
                      ("location", 3, 3, 4)]
    assert len(get_entities(y)) == len(strict) == report.spans - report.counts["nested"]


def test_every_part_of_a_split_gets_the_same_names_when_the_labels_are_given(
        store: Store, tmp_path: Path) -> None:
    _store_with(store, tmp_path)
    ids = [doc.external_id for doc, _ in iter_documents_with_sets(store, set_filter("all"))]
    part_of = Split.parse("34/33/33").assign(ids, seed=3)
    options = ExportOptions(label_names=("quote", "actor", "location", "cue"))
    names = []
    for part in ("train", "dev", "test"):
        items = ((doc, aset) for doc, sets in iter_documents_with_sets(store, set_filter("all"))
                 if part_of[doc.external_id] == part for aset in (sets or [None]))
        out = tmp_path / f"{part}.jsonl"
        hf.write(items, out, options)
        names.append(json.loads(hf.labels_path(out).read_text(encoding="utf-8"))["names"])
    assert names[0] == names[1] == names[2] == [
        "O", "B-actor", "I-actor", "B-cue", "I-cue", "B-location", "I-location", "B-quote",
        "I-quote"]


def test_the_export_service_gives_every_split_part_the_schema_labels(store: Store,
                                                                     tmp_path: Path) -> None:
    _store_with(store, tmp_path)
    out = tmp_path / "split"
    export(store, out, fmt="hf", split=Split.parse("34/33/33"), seed=3)
    names = [json.loads(hf.labels_path(out / f"{part}.jsonl").read_text(encoding="utf-8"))["names"]
             for part in ("train", "dev", "test")]
    assert names[0] == names[1] == names[2] == [
        "O", "B-actor", "I-actor", "B-cue", "I-cue", "B-location", "I-location", "B-quote",
        "I-quote"]


def test_layers_are_refused(store: Store, tmp_path: Path) -> None:
    _store_with(store, tmp_path)
    with pytest.raises(UserError, match="use --nested outer or inner"):
        export(store, tmp_path / "out.jsonl", fmt="hf", options=ExportOptions(nested="layers"))
    assert not (tmp_path / "out.jsonl").exists()


def test_format_is_registered() -> None:
    assert (hf.FORMAT.name, hf.FORMAT.suffix, hf.FORMAT.unit, hf.FORMAT.read) == \
        ("hf", ".jsonl", "row", None)


@pytest.mark.parametrize("label_names", [True, False])
def test_rows_are_byte_for_byte_what_json_dumps_writes(tmp_path: Path, label_names: bool) -> None:
    """The rows are joined by hand from encoded strings: each line is exactly
    json.dumps(row, ensure_ascii=False), for tokens with quotes, backslashes, control
    characters, emoji and ids with any characters."""
    from annotator.core.model import AnnotationSet, Document, SetKind, Span

    text = '😀 قال "الوزير\\ن" \x07x\x1f و<\u200f> موسكو.\nسطر'
    at = text.index("موسكو")
    document = Document(external_id='d"\\1', title="t", text=text, sha256="x", id=1)
    aset = AnnotationSet(document_id=1, owner="mo\"na", kind=SetKind.GOLD, spans=(
        Span(at, at + 5, "location", "موسكو", id=1),))
    names = ("actor", "location") if label_names else ()
    out = tmp_path / "rows.jsonl"
    report = hf.write([(document, aset), (document, None)], out,
                      ExportOptions(label_names=names))
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == report.items == 4
    for raw in lines[:-1]:
        assert raw == json.dumps(json.loads(raw), ensure_ascii=False)
    rows = [json.loads(raw) for raw in lines[:-1]]
    assert [r["id"] for r in rows] == ['d"\\1/mo"na/1', 'd"\\1/mo"na/2', 'd"\\1/-/1', 'd"\\1/-/2']
    assert rows[0]["tokens"] == ["😀", "قال", '"', "الوزير", "\\", "ن", '"', "\x07", "x", "و",
                                 "<", "\u200f", ">", "موسكو", "."]
    assert rows[1]["tokens"] == ["سطر"]
    tagged = [(tok, tag) for tok, tag in zip(rows[0]["tokens"], rows[0]["ner_tags"])
              if tag != 0]
    assert tagged == [("موسكو", 3 if label_names else 1)]      # B-location among the names
