"""Excel workbook: exact cells, sheet properties, formula safety, control characters, the round
trip, the reviewer's edit-and-reimport flow, row-level import errors, and LibreOffice as a real
consumer (it reads the workbook, and a copy it saves imports back unchanged)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from annotator.db.store import Store
from annotator.exports import excel, excel_cells
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.conftest import SEED_ARTICLE
from tests.services.helpers import line, snapshot, span

SEED = SEED_ARTICLE.read_text(encoding="utf-8")
EMOJI = "😀 وقال الوزيرُ إن روسيا “جاهزة”."
PLAIN = "نص بلا مجموعة"
ACTOR = "وزير الدفاع الفرنسي جان إيف لودريان"


def _lines(*, with_sets: bool = True) -> list[str]:
    if not with_sets:
        return [line(SEED, doc_id="seed-000", annotator=None, status=None),
                line(EMOJI, doc_id="emoji", annotator=None, status=None),
                line(PLAIN, doc_id="plain", annotator=None, status=None)]
    return [
        line(SEED, doc_id="seed-000", annotator="gold", status="done",
             spans=[span(SEED, "أعلن", "cue", "c"), span(SEED, ACTOR, "actor", "a"),
                    span(SEED, "موسكو", "location", "l")]),
        line(EMOJI, doc_id="emoji", status="in_progress",
             spans=[span(EMOJI, "جاهزة", "quote", "q", attributes={"kind": "direct"}),
                    span(EMOJI, "الوزيرُ", "actor", "a", note="وزير الخارجية"),
                    span(EMOJI, "قال", "cue", "c")],
             relations=[{"type": "said_by", "head": "q", "tail": "a"},
                        {"type": "cue", "head": "q", "tail": "c"}]),
        line(PLAIN, doc_id="plain", annotator=None, status=None),
    ]


def _import(store: Store, tmp_path: Path, lines: list[str], name: str = "in.jsonl") -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _export(store: Store, out: Path, **kwargs: Any) -> excel.ExportReport:
    (report,) = export(store, out, fmt="excel", **kwargs)
    return report


def _values(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _jsonl(store: Store, out: Path) -> str:
    export(store, out, fmt="jsonl")
    return out.read_text(encoding="utf-8")


def _spans_of(store: Store, tmp_path: Path) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
    found = {}
    for raw in _jsonl(store, tmp_path / "check.jsonl").splitlines():
        rec = json.loads(raw)
        if rec["annotator"]:
            found[(rec["doc_id"], rec["annotator"])] = [
                (s["start"], s["end"], s["label"], s["attributes"], s.get("note", ""))
                for s in rec["spans"]]
    return found


@pytest.fixture
def book(store: Store, tmp_path: Path) -> Path:
    _import(store, tmp_path, _lines())
    out = tmp_path / "book.xlsx"
    report = _export(store, out)
    assert (report.documents, report.items, report.spans, report.relations) == (3, 11, 6, 2)
    assert report.problems == []
    return out


def _edit(path: Path, sheet: str, cell: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


# -- export ---------------------------------------------------------------------------------------


def test_export_writes_the_documented_cells_exactly(book: Path) -> None:
    sheets = _values(book)
    assert list(sheets) == ["Documents", "Spans", "Relations"]
    assert sheets["Documents"] == [
        ["document", "title", "set", "status", "characters", "spans", "relations"],
        ["emoji", EMOJI, "mona", "in_progress", 32, 3, 2],
        ["plain", PLAIN, None, None, 13, 0, 0],
        ["seed-000", "فرنسا وروسيا تعلنان التعاون بشأن تنظيم الدولة", "gold", "done", 2793, 3, 0],
    ]
    assert sheets["Spans"] == [
        ["document", "set", "label", "start (code point)", "end (code point)", "context before",
         "text", "context after", "attributes", "note", "span id"],
        ["emoji", "mona", "cue", 3, 6, "😀 و", "قال", " الوزيرُ إن روسيا “جاهزة”.", None, None,
         "s1"],
        ["emoji", "mona", "actor", 7, 14, "😀 وقال ", "الوزيرُ", " إن روسيا “جاهزة”.", None,
         "وزير الخارجية", "s2"],
        ["emoji", "mona", "quote", 25, 30, "😀 وقال الوزيرُ إن روسيا “", "جاهزة", "”.",
         "kind=direct", None, "s3"],
        ["seed-000", "gold", "cue", 47, 51, "روسيا تعلنان التعاون بشأن تنظيم الدولة\n\n", "أعلن",
         " وزير الدفاع الفرنسي جان إيف لودريان أول", None, None, "s1"],
        ["seed-000", "gold", "actor", 52, 87, " تعلنان التعاون بشأن تنظيم الدولة\n\nأعلن ", ACTOR,
         " أول أمس الاثنين في موسكو أن روسيا وفرنس", None, None, "s2"],
        ["seed-000", "gold", "location", 107, 112, SEED[67:107], "موسكو", SEED[112:152], None,
         None, "s3"],
    ]
    assert sheets["Relations"] == [
        ["document", "set", "type", "head span id", "head text", "tail span id", "tail text"],
        ["emoji", "mona", "cue", "s3", "جاهزة", "s1", "قال"],
        ["emoji", "mona", "said_by", "s3", "جاهزة", "s2", "الوزيرُ"],
    ]
    assert EMOJI[25:30] == "جاهزة" and SEED[107:112] == "موسكو"   # code points, emoji = 1


def test_sheets_are_right_to_left_frozen_filtered_in_an_arabic_font(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    filters = {"Documents": "A1:G4", "Spans": "A1:K7", "Relations": "A1:G3"}
    for ws in wb.worksheets:
        assert ws.sheet_view.rightToLeft is True
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == filters[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Arial", cell.coordinate
                    assert cell.font.b is (cell.row == 1), cell.coordinate
    assert wb["Spans"].column_dimensions["G"].width == 36
    assert wb["Documents"].column_dimensions["B"].width == 50


FORMULA_LIKE = ["=قال", '=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


def test_formula_like_values_stay_text(store: Store, tmp_path: Path) -> None:
    text = '=HYPERLINK("http://x") =قال وزير الخارجية إن روسيا جاهزة للتعاون مع فرنسا اليوم'
    words = ["=قال", "وزير", "الخارجية", "روسيا", "جاهزة", "فرنسا", "اليوم"]
    spans = [span(text, w, "actor", f"k{i}", note=note)
             for i, (w, note) in enumerate(zip(words, FORMULA_LIKE))]
    _import(store, tmp_path, [line(text, doc_id="=1+1", spans=spans)])
    out = tmp_path / "safe.xlsx"
    assert _export(store, out).problems == []

    ws = openpyxl.load_workbook(out)["Spans"]
    notes = [ws.cell(row=r, column=10) for r in range(2, 9)]
    assert [c.value for c in notes] == FORMULA_LIKE
    for cell in [*notes, ws["A2"], ws["G2"], ws["F3"]]:
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix is True, cell.coordinate
    assert (ws["A2"].value, ws["G2"].value) == ("=1+1", "=قال")
    assert ws["F3"].value == '=HYPERLINK("http://x") =قال '
    title = openpyxl.load_workbook(out)["Documents"]["B2"]
    assert (title.value, title.data_type) == (text, "s")
    assert ws["C2"].quotePrefix is False
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[\s>/]", archive.read(name)), name
    # and they come back unchanged
    report = import_paths(store, [out], fmt="excel")
    assert (report.errors, report.files[0].sets_existing, report.sets_added) == ([], 1, 0)


def test_control_characters_are_removed_and_counted(store: Store, tmp_path: Path,
                                                    other_store: Store) -> None:
    text = "نص\x01 فيه\x0b رمز"
    lines = [line(text, doc_id="ctl", title="عنوان\x07",
                  spans=[span(text, "فيه", "actor", "a", note="ملاحظة\x02\x03")])]
    _import(store, tmp_path, lines)
    out = tmp_path / "ctl.xlsx"
    report = _export(store, out)
    assert report.counts == {"control characters removed": 4}
    assert report.problems == [
        "Documents!B2 (document ctl): 1 control character removed",
        "Spans!F2 (document ctl): 1 control character removed",
        "Spans!H2 (document ctl): 1 control character removed",
        "Spans!J2 (document ctl): 2 control characters removed",
    ]
    sheets = _values(out)
    assert sheets["Documents"][1][:2] == ["ctl", "عنوان"]
    assert sheets["Spans"][1] == ["ctl", "mona", "actor", 4, 7, "نص ", "فيه", " رمز", None,
                                  "ملاحظة", "s1"]
    # the cleaned cells still import: the span text is checked against what a cell can hold
    _import(other_store, tmp_path, [line(text, doc_id="ctl", annotator=None, status=None,
                                         title="عنوان\x07")], name="docs.jsonl")
    result = import_paths(other_store, [out], fmt="excel")
    assert (result.errors, result.spans_added) == ([], 1)
    assert _spans_of(other_store, tmp_path) == {("ctl", "mona"): [(4, 7, "actor", {}, "ملاحظة")]}


def test_a_cell_longer_than_excel_allows_is_cut_and_reported(store: Store, tmp_path: Path) -> None:
    text = "ب" * 40_000
    _import(store, tmp_path, [line(text, doc_id="long", spans=[
        {"id": "a", "start": 0, "end": 40_000, "label": "quote", "attributes": {}}])])
    out = tmp_path / "long.xlsx"
    report = _export(store, out)
    assert report.counts == {"cells cut at 32,767 characters": 2}
    assert report.problems == ["Documents!B2 (document long): 40000 characters cut to 32767",
                               "Spans!G2 (document long): 40000 characters cut to 32767"]
    assert len(_values(out)["Spans"][1][6]) == 32_767
    result = import_paths(store, [out], fmt="excel")
    assert (result.errors, result.files[0].sets_existing) == ([], 1)


def test_a_sheet_past_the_row_limit_continues_on_a_second_sheet(
        book: Path, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 4)
    out = tmp_path / "parts.xlsx"
    _export(store, out)
    sheets = _values(out)
    assert list(sheets) == ["Documents", "Spans", "Relations", "Spans (2)"]
    assert sheets["Spans"][1:] == _values(book)["Spans"][1:4]
    assert sheets["Spans (2)"] == [sheets["Spans"][0], *_values(book)["Spans"][4:]]
    before = snapshot(store)
    result = import_paths(store, [out], fmt="excel")
    assert (result.errors, result.files[0].sets_existing, result.sets_added) == ([], 2, 0)
    assert snapshot(store) == before


def test_export_to_a_split_writes_three_workbooks(store: Store, tmp_path: Path) -> None:
    from annotator.services.exporting import Split

    _import(store, tmp_path, _lines())
    reports = export(store, tmp_path / "parts", fmt="excel", split=Split.parse("34/33/33"), seed=1)
    assert [Path(r.path).name for r in reports] == ["train.xlsx", "dev.xlsx", "test.xlsx"]
    assert sum(r.documents for r in reports) == 3


# -- import ---------------------------------------------------------------------------------------


def test_round_trip_into_a_store_with_the_same_documents(book: Path, store: Store,
                                                         other_store: Store,
                                                         tmp_path: Path) -> None:
    _import(other_store, tmp_path, _lines(with_sets=False), name="docs.jsonl")
    result = import_paths(other_store, [book], fmt="excel")
    assert (result.errors, result.sets_added, result.spans_added) == ([], 2, 6)
    assert _jsonl(other_store, tmp_path / "b.jsonl") == _jsonl(store, tmp_path / "a.jsonl")


def test_reviewer_edits_a_label_and_reimports_with_replace(book: Path, store: Store,
                                                           tmp_path: Path) -> None:
    assert _values(book)["Spans"][6][2:7] == ["location", 107, 112, SEED[67:107], "موسكو"]
    _edit(book, "Spans", "C7", "actor")
    refused = import_paths(store, [book], fmt="excel")
    assert refused.errors == [
        (f"{book}:5: annotator: the store already has a different set of 'gold' for 'seed-000' "
         "(--replace replaces it); nothing from this file was imported")]
    result = import_paths(store, [book], fmt="excel", replace=True)
    assert (result.errors, result.sets_added, result.files[0].sets_existing) == ([], 1, 1)
    assert _spans_of(store, tmp_path)[("seed-000", "gold")] == [
        (47, 51, "cue", {}, ""), (52, 87, "actor", {}, ""), (107, 112, "actor", {}, "")]
    before = snapshot(store)
    again = import_paths(store, [book], fmt="excel", replace=True)
    assert (again.errors, again.sets_added, again.files[0].sets_existing) == ([], 0, 2)
    assert snapshot(store) == before


def test_reimport_keeps_status_attributes_notes_and_relations(book: Path, store: Store,
                                                              tmp_path: Path) -> None:
    _edit(book, "Spans", "I4", "kind=partial")
    _edit(book, "Spans", "J3", "وزير خارجية روسيا")
    _edit(book, "Documents", "D2", "done")
    result = import_paths(store, [book], fmt="excel", replace=True)
    assert (result.errors, result.sets_added) == ([], 1)
    lines = {json.loads(raw)["doc_id"]: json.loads(raw)
             for raw in _jsonl(store, tmp_path / "x.jsonl").splitlines()}
    emoji = lines["emoji"]
    assert emoji["status"] == "done"
    assert [(s["label"], s["attributes"], s.get("note")) for s in emoji["spans"]] == [
        ("cue", {}, None), ("actor", {}, "وزير خارجية روسيا"), ("quote", {"kind": "partial"}, None)]
    assert emoji["relations"] == [{"type": "cue", "head": "s3", "tail": "s1"},
                                  {"type": "said_by", "head": "s3", "tail": "s2"}]


BAD_ROWS = [
    pytest.param("G2", "خطأ", "2: Spans!G: is 'خطأ' but the text of 'emoji' at 3-6 is 'قال'",
                 id="text-mismatch"),
    pytest.param("D3", "سبعة", "3: Spans!D: must be a whole number, not 'سبعة'", id="start-text"),
    pytest.param("D3", 7.5, "3: Spans!D: must be a whole number, not 7.5", id="start-fraction"),
    pytest.param("A4", "nope", "4: Spans!A: no document 'nope' in the store (import its text "
                 "first)", id="unknown-document"),
    pytest.param("E2", 2, "2: Spans!E: span 3-2 ends before it starts", id="end-before-start"),
    pytest.param("E5", 9999, "5: Spans!E: span 47-9999 is outside the text of 'seed-000' "
                 "(2793 characters)", id="outside"),
    pytest.param("I4", "kind", "4: Spans!I: expected key=value pairs separated by ';' (like "
                 "kind=direct), not 'kind'", id="attributes"),
    pytest.param("K3", "s1", "3: Spans!K: span id 's1' is used twice in the set of 'mona' for "
                 "'emoji'", id="span-id-twice"),
    pytest.param("C2", "=A1", "2: Spans!C: is a formula (=A1); type the value itself",
                 id="formula"),
    pytest.param("C2", "person", "2: Spans!C: unknown label 'person' (the schema has "
                 "quote, actor, location, cue; --map maps it onto one of them, --add-labels "
                 "adds it)",
                 id="unknown-label-named-by-row-and-column"),
]


@pytest.mark.parametrize(("cell", "value", "error"), BAD_ROWS)
def test_a_bad_spans_row_is_one_error_naming_row_and_column(book: Path, store: Store, cell: str,
                                                            value: Any, error: str) -> None:
    _edit(book, "Spans", cell, value)
    before = snapshot(store)
    result = import_paths(store, [book], fmt="excel", replace=True)
    (file,) = result.files
    # the row's own error first; rows of the other sheets that refer to it are named after it
    assert (file.problems or [file.error])[0] == f"{book}:{error}"
    assert file.error is not None and snapshot(store) == before


@pytest.mark.parametrize(("sheet", "cell", "value", "error"), [
    pytest.param("Relations", "D2", "s9", "2: Relations!D: no span 's9' of 'mona' for 'emoji' in "
                 "the Spans sheet", id="relation-to-missing-span"),
    pytest.param("Relations", "E2", "قال", "2: Relations!E: is 'قال' but span 's3' is 'جاهزة'",
                 id="relation-text"),
    pytest.param("Documents", "D2", "finished", "2: Documents!D: must be one of ['todo', "
                 "'in_progress', 'done', 'skipped'], not 'finished'", id="status"),
    pytest.param("Spans", "G1", "نص", "1: Spans: the Spans sheet has no column 'text' (row 1 "
                 "names the columns)", id="missing-header"),
])
def test_bad_rows_of_the_other_sheets(book: Path, store: Store, sheet: str, cell: str,
                                      value: Any, error: str) -> None:
    _edit(book, sheet, cell, value)
    before = snapshot(store)
    result = import_paths(store, [book], fmt="excel", replace=True)
    assert result.errors == [f"{book}:{error}"]
    assert snapshot(store) == before


def test_a_file_that_is_not_a_workbook_is_refused(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip", encoding="utf-8")
    result = import_paths(store, [bad], fmt="excel")
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"{bad}: not a readable Excel workbook (.xlsx): ")


@pytest.mark.parametrize(("attributes", "cell"), [
    ({}, None),
    ({"kind": "direct"}, "kind=direct"),
    ({"b": "2", "a": "x=y"}, "a=x=y; b=2"),
    ({"kind": "a;b"}, '{"kind": "a;b"}'),
    ({"n": 3}, '{"n": 3}'),
    ({" k": "v"}, '{" k": "v"}'),
])
def test_attributes_cell_round_trips(attributes: dict[str, Any], cell: str | None) -> None:
    assert excel_cells.format_attributes(attributes) == cell
    assert excel_cells.parse_attributes(cell) == attributes


# -- a real consumer: LibreOffice Calc ----------------------------------------------------------


def _soffice(tmp_path: Path, *args: str) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", *args],
                   check=True, capture_output=True, timeout=120)


def test_libreoffice_reads_the_sheets_and_its_saved_copy_imports_unchanged(
        store: Store, tmp_path: Path) -> None:
    text = '=HYPERLINK("http://x") =قال الوزير 😀 إن روسيا جاهزة'
    _import(store, tmp_path, [*_lines(), line(text, doc_id="tricky", spans=[
        span(text, "=قال", "cue", "c", note="+1"), span(text, "جاهزة", "quote", "q",
                                                        attributes={"kind": "indirect"})])])
    book = tmp_path / "book.xlsx"
    _export(store, book)
    resaved = tmp_path / "lo" / "book.xlsx"
    # CSV of every sheet (token 12 = -1), UTF-8 (76), and a copy saved by LibreOffice as .xlsx
    _soffice(tmp_path, "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,"
             "true,false,false,false,-1", "--outdir", str(tmp_path / "csv"), str(book))
    _soffice(tmp_path, "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
             str(tmp_path / "lo"), str(book))
    with (tmp_path / "csv" / "book-Spans.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    expected = [[str(v) if v is not None else "" for v in row] for row in _values(book)["Spans"]]
    assert rows == expected
    assert ["tricky", "mona", "cue", "23", "27", '=HYPERLINK("http://x") ', "=قال",
            " الوزير 😀 إن روسيا جاهزة", "", "+1", "s1"] in rows
    before = snapshot(store)
    result = import_paths(store, [resaved], fmt="excel")
    assert (result.errors, result.files[0].sets_existing, result.sets_added) == ([], 3, 0)
    assert snapshot(store) == before


def test_no_agreement_sheet_when_no_document_has_two_annotators(store: Store,
                                                                tmp_path: Path) -> None:
    """Two annotators, but each on a document of their own (and gold beside one): nothing to
    compare, so no Agreement sheet (found from the set headers, without loading the sets);
    a second annotator on one of the documents brings it."""
    text, other = "😀 قال الوزير في موسكو", "😀 وصل الوزير إلى موسكو"
    where, there = span(text, "موسكو", "location", "m"), span(other, "موسكو", "location", "m")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([line(text, doc_id="a", annotator="mona", spans=[where]),
                               line(text, doc_id="a", annotator="gold", spans=[where]),
                               line(other, doc_id="b", annotator="omar", spans=[there])]) + "\n",
                    encoding="utf-8")
    assert import_paths(store, [path]).errors == []
    export(store, tmp_path / "one.xlsx", fmt="excel", which="all")
    assert openpyxl.load_workbook(tmp_path / "one.xlsx").sheetnames == [
        "Documents", "Spans", "Relations"]
    path.write_text(line(other, doc_id="b", annotator="mona", spans=[there]) + "\n",
                    encoding="utf-8")
    assert import_paths(store, [path]).errors == []
    export(store, tmp_path / "two.xlsx", fmt="excel", which="all")
    assert openpyxl.load_workbook(tmp_path / "two.xlsx").sheetnames == [
        "Documents", "Spans", "Relations", "Agreement"]
