"""brat standoff export and import: exact files, bratly's check, round trip, bad .ann files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotator.core.errors import UserError
from annotator.db.store import Store
from annotator.exports import brat, brat_names
from annotator.exports.base import ImportContext
from annotator.services.exporting import Split, export
from annotator.services.importing import import_paths
from tests.conftest import SEED_ARTICLE
from tests.services.helpers import line, snapshot, span

# An emoji with a skin tone and harakat before the spans, a quote over a line break, a clitic left out.
TEXT = "👍🏽 قالَ الوزيرُ:\n«روسيا\nجاهزةٌ» وروسيا."
CONF = """\
# annotator brat export: one folder per annotation set, named after its owner
[entities]
quote
actor
location
cue

[relations]
said_by\tArg1:quote, Arg2:actor
cue\tArg1:quote, Arg2:cue
<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

[events]

[attributes]
kind\tArg:quote, Value:direct|indirect|partial
"""
ANN = """\
T1\tcue 3 7\tقالَ
T2\tactor 8 15\tالوزيرُ
T3\tquote 18 23;24 30\tروسيا جاهزةٌ
T4\tactor 33 38\tروسيا
R1\tcue Arg1:T3 Arg2:T1
R2\tsaid_by Arg1:T3 Arg2:T2
A1\tkind T3 direct
#1\tAnnotatorNotes T2\tوزير الخارجية
"""


def _spans(text: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    spans = [span(text, "قالَ", "cue", "c"),
             span(text, "الوزيرُ", "actor", "a", note="وزير الخارجية"),
             span(text, "روسيا\nجاهزةٌ", "quote", "q", attributes={"kind": "direct"}),
             span(text, "روسيا", "actor", "r", occurrence=1)]
    relations = [{"type": "said_by", "head": "q", "tail": "a"},
                 {"type": "cue", "head": "q", "tail": "c"}]
    return spans, relations


def _seed_spans(text: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    quote_at = text.index("“اتفقنا") + 1
    quote = text[quote_at:text.index("”", quote_at)]
    spans = [span(text, "فرنسا", "actor", "fr"), span(text, "روسيا", "actor", "ru"),
             span(text, "أعلن", "cue", "c1"),
             span(text, "وزير الدفاع الفرنسي جان إيف لودريان", "actor", "min"),
             span(text, "لودريان", "actor", "lud"), span(text, "موسكو", "location", "mos"),
             span(text, "قال", "cue", "c2"),
             span(text, quote, "quote", "q", attributes={"kind": "direct"}, note="اقتباس مباشر"),
             span(text, "لودريان", "actor", "lud2", occurrence=1)]
    relations = [{"type": "said_by", "head": "q", "tail": "lud2"},
                 {"type": "cue", "head": "q", "tail": "c2"}]
    return spans, relations


def _import(store: Store, tmp_path: Path, *lines: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fill(store: Store, tmp_path: Path) -> None:
    spans, relations = _spans(TEXT)
    _import(store, tmp_path, line(TEXT, doc_id="d/1", spans=spans, relations=relations),
            line(TEXT, doc_id="d/1", annotator="gold", spans=spans[:1]),
            line("نص بلا مجموعة 🙂", doc_id="d0", annotator=None, status=None))


# -- export ---------------------------------------------------------------------------------------


def test_export_writes_the_documented_files_exactly(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    out = tmp_path / "out"
    (report,) = export(store, out, fmt="brat", which="all")
    assert _files(out) == {
        "annotation.conf": CONF.encode("utf-8"),
        "d0.ann": b"",
        "d0.txt": "نص بلا مجموعة 🙂".encode(),
        "gold/d%2F1.ann": "T1\tcue 3 7\tقالَ\n".encode(),
        "gold/d%2F1.txt": TEXT.encode("utf-8"),
        "mona/d%2F1.ann": ANN.encode("utf-8"),
        "mona/d%2F1.txt": TEXT.encode("utf-8"),
    }
    assert (report.documents, report.items, report.spans, report.relations) == (2, 3, 5, 2)
    assert report.problems == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_offsets_are_code_points_into_the_utf8_txt() -> None:
    data = TEXT.encode("utf-8")
    decoded = data.decode("utf-8")           # how brat's server reads the .txt
    assert decoded[3:7] == "قالَ" and len("👍🏽") == 2
    assert len("👍🏽".encode("utf-16-le")) // 2 == 4   # UTF-16 would put قالَ at 5, not 3


def test_a_span_on_a_line_break_and_a_multiline_note_are_reported(store: Store,
                                                                   tmp_path: Path) -> None:
    text = "قال\nالوزير"
    _import(store, tmp_path, line(text, spans=[{"id": "x", "start": 0, "end": 4, "label": "cue"},
                                               {"id": "y", "start": 4, "end": 10, "label": "actor",
                                                "note": "سطر\nثان"}]))
    (report,) = export(store, tmp_path / "out", fmt="brat")
    assert report.counts == {"span-not-written": 1, "note-changed": 1}
    assert "span 0-4 cue starts or ends on a line break" in report.problems[0]
    assert (tmp_path / "out/mona/d1.ann").read_text(encoding="utf-8") == \
        "T1\tactor 4 10\tالوزير\n#1\tAnnotatorNotes T1\tسطر ثان\n"


def test_export_replaces_its_own_folder_but_never_another(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    out = tmp_path / "out"
    export(store, out, fmt="brat")
    (out / "mona" / "stale.ann").write_text("", encoding="utf-8")
    export(store, out, fmt="brat")
    assert not (out / "mona" / "stale.ann").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.md").write_text("keep", encoding="utf-8")
    with pytest.raises(UserError, match="not empty and not a brat export"):
        export(store, other, fmt="brat")
    assert _files(other) == {"notes.md": b"keep"}


def test_split_gives_a_brat_folder_per_part(store: Store, tmp_path: Path) -> None:
    spans, relations = _spans(TEXT)
    _import(store, tmp_path, *(line(TEXT + f" {i}", doc_id=f"d{i}", spans=spans,
                                    relations=relations) for i in range(5)))
    out = tmp_path / "split"
    reports = export(store, out, fmt="brat", split=Split.parse("60/20/20"), seed=1)
    assert [Path(r.path).name for r in reports] == ["train", "dev", "test"]
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ann"))
    assert len(names) == 5 and all(n.split("/")[1] == "mona" for n in names)
    for part in ("train", "dev", "test"):
        assert (out / part / "annotation.conf").read_text(encoding="utf-8") == CONF


# -- the consumer: bratly -------------------------------------------------------------------------


def _bratly_check(txt: Path) -> bool:
    """Parse the .ann beside ``txt`` with bratly's line parsers and check it against the .txt."""
    from bratly import (
        AnnotationCollection,
        AttributeAnnotation,
        Document,
        EntityAnnotation,
        NoteAnnotation,
        RelationAnnotation,
    )

    entities: dict[str, Any] = {}
    annotations: list[Any] = []
    for raw in txt.with_suffix(".ann").read_text(encoding="utf-8").split("\n"):
        if not raw:
            continue
        if raw[0] == "T":
            ann: Any = EntityAnnotation.from_line(raw)
            entities[ann.id] = ann
        elif raw[0] == "R":
            ann = RelationAnnotation.from_line(raw, entities)
        elif raw[0] == "A":
            ann = AttributeAnnotation.from_line(raw, entities)
        else:
            ann = NoteAnnotation.from_line(raw, entities)
        assert str(ann) == raw    # bratly writes the line back identically
        annotations.append(ann)
    doc = Document(fullpath=str(txt), annotation_collections=[
        AnnotationCollection(annotations=annotations)])
    return doc.check_ann_compatibility_with_txt()


@pytest.mark.parametrize("which", ["emoji", "seed"])
def test_bratly_parses_every_line_and_finds_the_offsets_right(store: Store, tmp_path: Path,
                                                              which: str) -> None:
    pytest.importorskip("bratly")
    text = TEXT if which == "emoji" else SEED_ARTICLE.read_text(encoding="utf-8")
    spans, relations = (_spans if which == "emoji" else _seed_spans)(text)
    _import(store, tmp_path, line(text, spans=spans, relations=relations))
    out = tmp_path / "out"
    export(store, out, fmt="brat")
    txt = out / "mona" / "d1.txt"
    assert _bratly_check(txt)
    assert len((out / "mona/d1.ann").read_text(encoding="utf-8").splitlines()) == \
        len(spans) + len(relations) + 2  # one attribute, one note
    # the check can fail: shift one offset and bratly reports the mismatch
    ann = txt.with_suffix(".ann")
    first = ann.read_text(encoding="utf-8").split("\n")[0]
    start = int(first.split("\t")[1].split(" ")[1])
    ann.write_text(ann.read_text(encoding="utf-8").replace(
        f" {start} ", f" {start + 1} ", 1), encoding="utf-8")
    assert not _bratly_check(txt)


# -- import and round trip ------------------------------------------------------------------------


def test_round_trip_gives_identical_files(store: Store, other_store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    first = tmp_path / "first"
    export(store, first, fmt="brat", which="all")
    report = import_paths(other_store, [first], fmt="brat", add_labels=True)
    assert report.errors == []
    assert (report.documents_added, report.sets_added, report.spans_added) == (2, 2, 5)
    second = tmp_path / "second"
    export(other_store, second, fmt="brat", which="all")
    assert _files(second) == _files(first)
    again = import_paths(other_store, [first], fmt="brat")
    assert again.errors == [] and again.sets_added == 0


def test_round_trip_of_the_seed_article(store: Store, other_store: Store, tmp_path: Path) -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    spans, relations = _seed_spans(text)
    _import(store, tmp_path, line(text, doc_id="seed-000", annotator="gold", spans=spans,
                                  relations=relations))
    first = tmp_path / "first"
    export(store, first, fmt="brat", which="gold")
    assert import_paths(other_store, [first], fmt="brat").errors == []
    export(other_store, tmp_path / "second", fmt="brat", which="gold")
    assert _files(tmp_path / "second") == _files(first)


def test_import_of_a_plain_brat_folder_and_of_one_ann(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = "ذهب 😀 محمدٌ إلى القاهرة"
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "a.ann").write_text("T1\tPER 6 11\tمحمدٌ\nT2\tLOC 16 23\tالقاهرة\n", encoding="utf-8")
    (folder / "annotation.conf").write_text("[entities]\nPER\nLOC\n", encoding="utf-8")
    report = import_paths(store, [folder], fmt="brat", add_labels=True)
    assert report.errors == [] and report.spans_added == 2
    out = tmp_path / "out"
    export(store, out, fmt="brat")
    assert (out / "brat" / "a.ann").read_text(encoding="utf-8") == \
        "T1\tPER 6 11\tمحمدٌ\nT2\tLOC 16 23\tالقاهرة\n"
    assert "PER\nLOC\n" in (out / "annotation.conf").read_text(encoding="utf-8")
    one = import_paths(store, [folder / "a.ann"], fmt="brat", annotator="salma")
    assert one.errors == [] and one.sets_added == 1
    export(store, out, fmt="brat", which="salma")
    assert (out / "salma" / "a.ann").read_bytes() == (folder / "a.ann").read_bytes()


def test_a_bom_and_crlf_txt_is_read_as_brat_reads_it(store: Store, tmp_path: Path) -> None:
    # brat reads the .txt with universal newlines (CRLF is one character) and keeps a BOM
    (tmp_path / "b.txt").write_bytes("\ufeffقال\r\nروسيا".encode("utf-8"))
    (tmp_path / "b.ann").write_text("T1\tactor 5 10\tروسيا\n", encoding="utf-8")
    records = list(brat.read(tmp_path / "b.txt", ImportContext()))
    assert records == [(1, {"doc_id": "b", "text": "قال\nروسيا", "annotator": "brat",
                            "relations": [],
                            "spans": [{"id": "T1", "start": 4, "end": 9, "label": "actor",
                                       "text": "روسيا", "attributes": {}}]})]


BAD_ANN = [
    ("T1\tactor 3 99\tx\n", 1, "span 3-99 is outside the text (10 characters)"),
    ("T1\tactor 0 3\tقال\nT2\tactor 4 9\tروسي\n", 2, "differs from the text at 4 9: 'روسيا'"),
    ("T1\tactor 4 9\tروسيا\nR1\tsaid_by Arg1:T7 Arg2:T1\n", 2, "refers to a missing span 'T7'"),
    ("T1\tcue 0 3\tقال\nE1\tcue:T1\n", 2, "unknown or unsupported annotation line 'E1'"),
    ("T1\tactor 0 3;4 9\tقال روسيا\n", 1, "discontinuous span '0 3;4 9'"),
    ("T1\tactor 0 3\tقال\nT1\tactor 4 9\tروسيا\n", 2, "span id T1 is used twice"),
    ("T1 actor 0 3 قال\n", 1, "expected an id, a tab and the annotation"),
    ("T1\tactor 3 0\tقال\n", 1, "must have 0 <= start < end"),
    ("A1\tkind T4 direct\n", 1, "refers to a missing span 'T4'"),
]


@pytest.mark.parametrize(("ann", "line_no", "message"), BAD_ANN)
def test_a_bad_ann_is_one_error_naming_file_and_line_and_changes_nothing(
        store: Store, tmp_path: Path, ann: str, line_no: int, message: str) -> None:
    (tmp_path / "bad.txt").write_text("قال روسيا.", encoding="utf-8")
    (tmp_path / "bad.ann").write_text(ann, encoding="utf-8")
    before = snapshot(store)
    report = import_paths(store, [tmp_path / "bad.txt"], fmt="brat", add_labels=True)
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{tmp_path / 'bad.ann'}:{line_no}: ")
    assert message in report.errors[0]
    assert snapshot(store) == before


def test_an_ann_without_its_txt_is_named(store: Store, tmp_path: Path) -> None:
    (tmp_path / "lone.ann").write_text("", encoding="utf-8")
    report = import_paths(store, [tmp_path / "lone.ann"], fmt="brat")
    assert report.errors == [(f"{tmp_path / 'lone.ann'}: no lone.txt beside this .ann (brat pairs "
                             "DOC.ann with DOC.txt)")]


def test_names_escape_and_unescape() -> None:
    for name in ("d/1", "50%", ".hidden", "a\\b", "وثيقة ١", "x\ny"):
        assert brat_names.unescape_name(brat.escape_name(name)) == name
        assert "/" not in brat.escape_name(name) and not brat.escape_name(name).startswith(".")
    assert brat.escape_name("d/1") == "d%2F1"


def test_fragments_cut_at_line_breaks_only_inside_the_span() -> None:
    text = "ab\ncd\u2028\nef"
    assert brat.fragments(text, 0, len(text)) == [(0, 2), (3, 5), (7, 9)]
    assert brat.fragments(text, 1, 3) is None
