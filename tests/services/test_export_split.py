"""Export options shared by every format: set selection, --labels, and the split by document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import UserError
from annotator.db.store import Store
from annotator.services.exporting import Split, export
from annotator.services.importing import import_paths
from annotator.services.project import project_schema
from tests.services.helpers import line, snapshot, span

TEXT = "😀 وقال الوزيرُ إن روسيا “جاهزة”."


def _import(store: Store, tmp_path: Path, *lines: str, name: str = "in.jsonl", **kwargs):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_paths(store, [path], **kwargs)
    assert report.errors == []
    return report


def _docs(path: Path) -> list[str]:
    return [json.loads(ln)["doc_id"] for ln in path.read_text(encoding="utf-8").splitlines()]


def test_split_parts_are_disjoint_complete_and_fixed_by_the_seed(store: Store, tmp_path: Path) -> None:
    _import(store, tmp_path, *(line(f"نص رقم {i}", doc_id=f"d{i:02d}") for i in range(20)))
    out = tmp_path / "split"
    reports = export(store, out, split=Split.parse("80/10/10"), seed=7)
    assert [Path(r.path).name for r in reports] == ["train.jsonl", "dev.jsonl", "test.jsonl"]
    parts = {name: _docs(out / f"{name}.jsonl") for name in ("train", "dev", "test")}
    expected = Split(80, 10, 10).assign([f"d{i:02d}" for i in range(20)], 7)
    assert parts == {name: sorted(d for d, p in expected.items() if p == name)
                     for name in ("train", "dev", "test")}
    assert sorted(sum(parts.values(), [])) == [f"d{i:02d}" for i in range(20)]
    again = tmp_path / "again"
    export(store, again, split=Split.parse("80/10/10"), seed=7)
    assert {n: _docs(again / f"{n}.jsonl") for n in parts} == parts
    other = tmp_path / "other"
    export(store, other, split=Split.parse("80/10/10"), seed=8)
    assert {n: _docs(other / f"{n}.jsonl") for n in parts} != parts


def test_the_split_of_a_document_does_not_depend_on_the_sets_exported(store: Store,
                                                                      tmp_path: Path) -> None:
    _import(store, tmp_path, *(line(f"نص رقم {i}", doc_id=f"d{i:02d}",
                                    annotator="gold" if i % 2 else "mona") for i in range(20)))
    every, gold = tmp_path / "all", tmp_path / "gold"
    export(store, every, split=Split.parse("60/20/20"), seed=1)
    export(store, gold, which="gold", split=Split.parse("60/20/20"), seed=1)
    for name in ("train", "dev", "test"):
        assert set(_docs(gold / f"{name}.jsonl")) <= set(_docs(every / f"{name}.jsonl"))


def test_the_split_depends_only_on_each_document_id_and_the_seed() -> None:
    ids = [f"doc{i}" for i in range(2000)]
    first = Split(70, 20, 10).assign(ids, 3)
    more = Split(70, 20, 10).assign(ids + [f"new{i}" for i in range(500)], 3)
    assert all(more[d] == first[d] for d in ids)  # adding documents moves none
    counts = {p: list(first.values()).count(p) for p in ("train", "dev", "test")}
    assert abs(counts["train"] - 1400) < 80 and abs(counts["dev"] - 400) < 60
    assert "test" not in Split(50, 50, 0).assign(ids, 1).values()
    assert set(Split(100, 0, 0).assign(ids, 9).values()) == {"train"}


@pytest.mark.parametrize("text", ["80/10", "80/10/20", "a/b/c", "-10/60/50"])
def test_a_bad_split_is_a_user_error(text: str) -> None:
    with pytest.raises(UserError, match="three percentages adding up to 100"):
        Split.parse(text)


def test_labels_keep_only_those_spans_and_relations_between_them(store: Store, tmp_path: Path) -> None:
    spans = [span(TEXT, "جاهزة", "quote", "q"), span(TEXT, "الوزيرُ", "actor", "a"),
             span(TEXT, "قال", "cue", "c")]
    _import(store, tmp_path, line(TEXT, spans=spans, relations=[
        {"type": "said_by", "head": "q", "tail": "a"}, {"type": "cue", "head": "q", "tail": "c"}]))
    out = tmp_path / "out.jsonl"
    (report,) = export(store, out, labels=["quote", "actor"])
    (record,) = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert [(s["label"], s["text"]) for s in record["spans"]] == [("actor", "الوزيرُ"),
                                                                  ("quote", "جاهزة")]
    assert record["relations"] == [{"type": "said_by", "head": "s2", "tail": "s1"}]
    assert (report.spans, report.relations) == (2, 1)
    with pytest.raises(UserError, match="--labels: unknown label 'person'"):
        export(store, tmp_path / "x.jsonl", labels=["person"])


def test_add_labels_extends_the_schema_with_the_file_and_only_then(store: Store, tmp_path: Path) -> None:
    record = line(TEXT, spans=[span(TEXT, "روسيا", "GPE", "g")])
    path = tmp_path / "ner.jsonl"
    path.write_text(record + "\n", encoding="utf-8")
    before = snapshot(store)
    refused = import_paths(store, [path])
    assert refused.errors == [f"{path}: a label the project does not have: GPE (1 span, first on "
                              "line 1); --map GPE=LABEL maps it onto the project's labels (quote, "
                              "actor, location, cue), --add-labels adds it"]
    assert snapshot(store) == before and not project_schema(store).has_label("GPE")
    accepted = import_paths(store, [path], add_labels=True)
    assert (accepted.errors, accepted.spans_added) == ([], 1)
    schema = project_schema(store)
    assert schema.has_label("GPE") and schema.version == 2
    assert [lb.name for lb in schema.labels] == ["quote", "actor", "location", "cue", "GPE"]
    assert schema.label("GPE").keys == ()


def test_add_labels_writes_nothing_when_the_file_is_bad(store: Store, tmp_path: Path) -> None:
    good = line(TEXT, spans=[span(TEXT, "روسيا", "GPE", "g")])
    bad = line(TEXT + "!", doc_id="d2", spans=[{"id": "x", "start": 0, "end": 999, "label": "ORG"}])
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    before = snapshot(store)
    report = import_paths(store, [path], add_labels=True)
    assert len(report.errors) == 1 and f"{path}:2: spans[0]" in report.errors[0]
    assert snapshot(store) == before
    assert project_schema(store).version == 1
