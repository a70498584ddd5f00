"""The bad inputs of issue 9, one by one: each is one line naming the file (and the line), and
changes nothing; CR in a JSONL text is canonicalized with its offsets and survives brat; brat
names over 255 bytes; a brat .ann without its .txt; Excel damage and millions of empty rows."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from annotator.core.text import canonical_text, unstorable, unstorable_value
from annotator.db.store import Store
from annotator.exports import brat, brat_names, excel_read
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.services.helpers import line, snapshot, span

TEXT = "😀 قال الوزير\r\nإن روسيا\rجاهزة."


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(ln + "\n" for ln in lines), encoding="utf-8")
    return path


def _jsonl(store: Store, which: str = "all") -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in _export_text(store, which).splitlines()]


def _export_text(store: Store, which: str) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "all.jsonl"
        export(store, out, fmt="jsonl", which=which)
        return out.read_text(encoding="utf-8")


# -- core helpers -------------------------------------------------------------------------------


def test_canonical_text_maps_offsets_past_a_bom_and_crlf() -> None:
    raw = "\ufeff😀 a\r\nb\rc\r\r\nd"
    canon = canonical_text(raw)
    assert canon.text == "😀 a\nb\nc\n\nd"
    assert canon.steps == ("strip-bom", "crlf-to-lf", "cr-to-lf")
    assert canon.removed == (0, 4, 10)
    for start, end in ((1, 4), (6, 7), (8, 9), (12, 13), (5, 9)):
        assert canon.text[canon.offset(start):canon.offset(end)] == \
            raw[start:end].replace("\r\n", "\n").replace("\r", "\n")
    assert canon.offset(4) == canon.offset(5) == 3      # the CR of a CRLF goes to its LF


@pytest.mark.parametrize(("value", "why"), [
    ("a\x00b", "a NUL character (U+0000) at character 1"),
    ("😀\ud800", "a lone surrogate (U+D800, half of a UTF-16 pair: not Unicode text) at "
                 "character 1"),
    ("قال 😀", None),
])
def test_unstorable_names_the_character_and_where(value: str, why: str | None) -> None:
    assert unstorable(value) == why


def test_unstorable_value_walks_any_depth_and_refuses_non_finite_numbers() -> None:
    deep: Any = "\x00"
    for _ in range(5000):
        deep = {"a": [deep]}
    assert unstorable_value(deep) == "a NUL character (U+0000) at character 0"
    assert unstorable_value({"n": float("nan")}) == "the number nan (JSON numbers are finite)"
    assert unstorable_value({"k\ud800": 1}) is not None
    assert unstorable_value({"n": 10**400, "s": "قال", "l": [1.5, None, True]}) is None


# -- CR, BOM and what no store holds, in JSON records -------------------------------------------


def test_a_jsonl_text_with_crlf_and_cr_is_stored_canonical_with_its_spans_moved(
        store: Store, tmp_path: Path) -> None:
    spans = [span(TEXT, "الوزير", "actor", "a"), span(TEXT, "روسيا", "actor", "r"),
             span(TEXT, "جاهزة", "quote", "q")]
    path = _write(tmp_path / "cr.jsonl", line(TEXT, doc_id="cr", spans=spans))
    report = import_paths(store, [path])
    assert report.errors == [] and report.spans_added == 3
    (record,) = _jsonl(store)
    assert record["text"] == "😀 قال الوزير\nإن روسيا\nجاهزة."
    assert [(s["start"], s["end"], s["text"]) for s in record["spans"]] == [
        (6, 12, "الوزير"), (16, 21, "روسيا"), (22, 27, "جاهزة")]
    assert record["meta"]["canonicalization"] == ["crlf-to-lf", "cr-to-lf"]
    assert record["sha256"] != json.loads(line(TEXT))["sha256"]


def test_a_bom_at_the_start_of_a_jsonl_text_is_stripped_and_offsets_follow(
        store: Store, tmp_path: Path) -> None:
    text = "\ufeff😀 قال"
    path = _write(tmp_path / "bom.jsonl", line(text, doc_id="bom", spans=[
        {"id": "c", "start": 3, "end": 6, "label": "cue", "text": "قال"}]))
    assert import_paths(store, [path]).errors == []
    (record,) = _jsonl(store)
    assert (record["text"], record["spans"][0]["start"], record["spans"][0]["end"]) == \
        ("😀 قال", 2, 5)
    assert record["meta"]["canonicalization"] == ["strip-bom"]


def test_a_span_of_only_the_cr_of_a_crlf_is_refused_naming_the_line(
        store: Store, tmp_path: Path) -> None:
    cr = TEXT.index("\r\n")
    path = _write(tmp_path / "cr.jsonl", line("😀 نص آخر", doc_id="ok"),
                  line(TEXT, doc_id="cr", spans=[{"id": "x", "start": cr, "end": cr + 1,
                                                  "label": "cue"}]))
    before = snapshot(store)
    (result,) = import_paths(store, [path]).files
    assert result.error == (f"{path}:2: spans: span {cr}-{cr + 1} is only '\\r', which the "
                            "import removes (a BOM, or the CR of a CRLF line break: texts are "
                            "stored with LF line breaks)")
    assert snapshot(store) == before


def test_a_jsonl_text_with_cr_survives_a_brat_round_trip(
        store: Store, other_store: Store, tmp_path: Path) -> None:
    spans = [span(TEXT, "الوزير", "actor", "a"), span(TEXT, "روسيا\rجاهزة", "quote", "q")]
    path = _write(tmp_path / "cr.jsonl", line(TEXT, doc_id="cr", annotator="gold", spans=spans))
    assert import_paths(store, [path]).errors == []
    export(store, tmp_path / "brat", fmt="brat", which="gold")
    assert import_paths(other_store, [tmp_path / "brat"], fmt="brat").errors == []
    first, second = _jsonl(store, "gold"), _jsonl(other_store, "gold")
    assert [(r["doc_id"], r["text"], r["spans"]) for r in second] == \
        [(r["doc_id"], r["text"], r["spans"]) for r in first]
    assert [(s["start"], s["end"], s["text"]) for s in second[0]["spans"]] == [
        (6, 12, "الوزير"), (16, 27, "روسيا\nجاهزة")]


LONG_NAME = "ن" * 101
STORABLE = [
    ('{"doc_id": "d", "text": "نص", "meta": {"x": NaN}}', "meta: the number nan (JSON numbers "
     "are finite): not allowed"),
    ('{"doc_id": "d", "text": "نص", "meta": {"x": [1, -Infinity]}}', "meta: the number -inf "
     "(JSON numbers are finite): not allowed"),
    ('{"doc_id": "d", "text": "نص", "meta": {"n": 1e400}}', "meta: the number inf (JSON "
     "numbers are finite): not allowed"),
    (json.dumps({"doc_id": "x" * 256, "text": "نص"}), "doc_id: is 256 characters long; a "
     "document id has at most 255"),
    (json.dumps({"doc_id": "d", "text": "نص", "annotator": LONG_NAME}, ensure_ascii=False),
     "annotator: is 101 characters long; an annotator's name has at most 100"),
    (json.dumps({"doc_id": "d", "text": "نص", "annotator": "mo\x1bna"}),
     "annotator: 'mo\\x1bna': a name cannot hold control characters"),
    ('{"doc_id": "d", "text": "\\ud83d نص"}', "a lone surrogate escape (\\ud800-\\udfff not in "
     "a pair): not Unicode text"),
]


@pytest.mark.parametrize(("raw", "message"), STORABLE,
                         ids=["nan", "minus-infinity", "overflow", "long-id", "long-name",
                              "control-name", "surrogate"])
def test_what_no_store_holds_is_refused_naming_the_line_and_changes_nothing(
        store: Store, tmp_path: Path, raw: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line("😀 سليم", doc_id="ok", annotator=None, status="todo") + "\n" + raw
                    + "\n", encoding="utf-8")
    before = snapshot(store)
    (result,) = import_paths(store, [path]).files
    assert result.error == f"{path}:2: {message}"
    assert snapshot(store) == before
    kept = import_paths(store, [path], skip_bad=True)
    assert (kept.documents_added, kept.files[0].skipped) == (1, 1)


def test_a_label_add_labels_cannot_name_is_a_bad_line(store: Store, tmp_path: Path) -> None:
    text = "😀 قال الوزير"
    bad = [{"start": 2, "end": 5, "label": 'a"b'}]
    long = [{"start": 2, "end": 5, "label": "L" * 65}]
    path = _write(tmp_path / "labels.jsonl", line(text, doc_id="a", spans=bad),
                  line(text + ".", doc_id="b", spans=long))
    before = snapshot(store)
    (result,) = import_paths(store, [path], add_labels=True).files
    why = ("label: the label {} cannot be added to the schema: a label name is a letter, then "
           "letters, digits, '_', '.' or '-', at most 64 characters (--map renames it)")
    assert result.problems == [f"{path}:1: " + why.format("'a\"b'"),
                               f"{path}:2: " + why.format("'" + "L" * 40 + "…'")]
    assert snapshot(store) == before


@pytest.mark.parametrize(("fmt", "name", "content", "message"), [
    ("labelstudio", "deep.json", "[" * 100_000 + "]" * 100_000,
     ": JSON nested too deep to read"),
    ("labelstudio", "huge.json", '[{"data": {"text": "نص"}, "id": ' + "9" * 5000 + "}]",
     ": not readable JSON: Exceeds the limit (4300 digits) for integer string conversion: value "
     "has 5000 digits"),
    ("labelstudio", "surrogate.json", '[{"data": {"text": "\\udc00 نص"}}]',
     ":1: text: a lone surrogate (U+DC00, half of a UTF-16 pair: not Unicode text) at character "
     "0: not allowed in text"),
    ("doccano", "nan.jsonl", '{"text": "نص 😀", "label": [], "meta": {"x": NaN}}',
     ":1: meta: the number nan (JSON numbers are finite): not allowed"),
    ("spans-jsonl", "nul.jsonl", '{"text": "نص\\u0000", "spans": []}',
     ":1: a NUL character (\\u0000): not allowed in text"),
])
def test_json_formats_refuse_what_breaks_parsers_or_stores_in_one_line(
        store: Store, tmp_path: Path, fmt: str, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content + "\n", encoding="utf-8")
    before = snapshot(store)
    assert import_paths(store, [path], fmt=fmt).errors == [f"{path}{message}"]
    assert snapshot(store) == before


# -- brat --------------------------------------------------------------------------------------


def test_a_brat_export_of_a_document_id_over_255_bytes_names_it_safely_and_gives_it_back(
        store: Store, other_store: Store, tmp_path: Path) -> None:
    doc_id = "خبر/" + "و" * 250            # 255 characters, 504 bytes, with a slash
    text = "😀 قال الوزير"
    path = _write(tmp_path / "long.jsonl",
                  line(text, doc_id=doc_id, annotator="gold",
                       spans=[span(text, "الوزير", "actor", "a")]))
    assert import_paths(store, [path]).errors == []
    out = tmp_path / "brat"
    (report,) = export(store, out, fmt="brat", which="gold")
    assert report.documents == 1
    name = brat.file_name(doc_id)
    assert len(name.encode("utf-8")) <= brat_names.NAME_BYTES
    assert re.fullmatch("خبر%2F" + "و" * 87 + "~[0-9a-f]{16}", name)    # 9 + 174 + 17 bytes
    assert sorted(p.name for p in (out / "gold").iterdir()) == [f"{name}.ann", f"{name}.txt"]
    assert json.loads((out / "names.jsonl").read_text(encoding="utf-8")) == \
        {"name": name, "id": doc_id}
    assert import_paths(other_store, [out], fmt="brat").errors == []
    assert [(r["doc_id"], r["annotator"], len(r["spans"])) for r in _jsonl(other_store)] == \
        [(doc_id, "gold", 1)]


def test_a_brat_folder_with_an_ann_whose_txt_is_missing_is_refused_naming_it(
        store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("😀 قال الوزير", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tactor 6 12\tالوزير\n", encoding="utf-8")
    (folder / "b.ann").write_text("T1\tactor 0 3\tقال\n", encoding="utf-8")
    before = snapshot(store)
    (result,) = import_paths(store, [folder], fmt="brat").files
    assert result.error == (f"{folder / 'b.ann'}: no b.txt beside this .ann (brat pairs DOC.ann "
                            "with DOC.txt)")
    assert snapshot(store) == before


def test_a_brat_offset_of_thousands_of_digits_is_one_line(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("😀 قال", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tcue 2 " + "9" * 5000 + "\tقال\n", encoding="utf-8")
    (error,) = import_paths(store, [tmp_path / "a.txt"], fmt="brat").errors
    assert error == (f"{tmp_path / 'a.ann'}:1: offsets '2 {'9' * 58}'... (5,002 characters): "
                     "an offset of more than 15 digits is outside any text")


# -- Excel -------------------------------------------------------------------------------------


def _book(store: Store, tmp_path: Path) -> Path:
    text = "😀 قال الوزير إن روسيا جاهزة"
    path = _write(tmp_path / "in.jsonl", line(text, doc_id="d1", annotator="gold", spans=[
        span(text, "قال", "cue", "c"), span(text, "روسيا", "location", "r")]))
    assert import_paths(store, [path]).errors == []
    out = tmp_path / "book.xlsx"
    export(store, out, fmt="excel", which="gold")
    return out


def _edit(book: Path, member: str, change: Any) -> Path:
    with zipfile.ZipFile(book) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[member] = change(parts[member])
    edited = book.with_name("edited.xlsx")
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return edited


SPANS = "xl/worksheets/sheet2.xml"


def _rows_before_end(rows: bytes) -> Any:
    return lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")


def test_an_excel_sheet_with_a_row_number_past_the_last_is_one_line(
        store: Store, tmp_path: Path) -> None:
    row = b'<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>d1</t></is></c></row>'
    book = _edit(_book(store, tmp_path), SPANS, _rows_before_end(row))
    before = snapshot(store)
    (error,) = import_paths(store, [book], replace=True).errors
    assert error == (f"{book}:3: Spans: row number 1000000000 after row 3: a sheet has rows 1 "
                     "to 1,048,576 (a damaged workbook?)")
    assert snapshot(store) == before


@pytest.mark.parametrize(("change", "message"), [
    (lambda xml: xml.replace(b"</sheetData>", b"<row r='9'><c r='A9'"), "Spans: the sheet's XML "
     "is damaged after row 3 (ParseError: "),
    (lambda xml: xml.replace(b"<sheetData>", b"<sheetData><row r='1'><c r='ZZZZ1'/></row>"),
     "Spans: the sheet's XML is damaged before its first row (ValueError: "),
    (lambda xml: xml[: len(xml) // 2], "Spans: the sheet's XML is damaged"),
])
def test_damaged_sheet_xml_is_one_line_naming_the_sheet_and_row(
        store: Store, tmp_path: Path, change: Any, message: str) -> None:
    book = _edit(_book(store, tmp_path), SPANS, change)
    before = snapshot(store)
    (error,) = import_paths(store, [book], replace=True).errors
    assert error.startswith(f"{book}:") and message in error and "\n" not in error
    assert snapshot(store) == before


@pytest.mark.parametrize("damage", ["truncated", "content-types", "workbook"])
def test_a_damaged_workbook_package_is_one_line(store: Store, tmp_path: Path,
                                                damage: str) -> None:
    book = _book(store, tmp_path)
    if damage == "truncated":
        data = book.read_bytes()
        book.write_bytes(data[: len(data) // 3])
    else:
        member = "[Content_Types].xml" if damage == "content-types" else "xl/workbook.xml"
        book = _edit(book, member, lambda xml: xml[:40] + b"<<" + xml[40:])
    before = snapshot(store)
    (error,) = import_paths(store, [book], replace=True).errors
    assert error.startswith(f"{book}: not a readable Excel workbook (.xlsx): ")
    assert "\n" not in error
    assert snapshot(store) == before


def test_excel_stops_after_a_run_of_empty_rows_with_nothing_after_them(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blank = b"".join(b'<row r="%d"/>' % n for n in range(4, 4 + excel_read.EMPTY_RUN + 20_000))
    book = _edit(_book(store, tmp_path), SPANS, _rows_before_end(blank))
    pulled = _count_parsed_rows(monkeypatch)
    report = import_paths(store, [book])
    assert report.errors == [] and report.files[0].sets_existing == 1   # the same gold set
    # Documents (2 rows), Spans (3 rows and the empty run), Relations (1 row)
    assert pulled == [2, 3 + excel_read.EMPTY_RUN, 1]


def test_excel_reads_on_past_a_run_of_empty_rows_when_a_value_follows(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = 4 + excel_read.EMPTY_RUN + 2_000
    blank = b"".join(b'<row r="%d"/>' % n for n in range(4, last))
    value = (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>nope</t></is></c>'
             b'<c r="B%d" t="inlineStr"><is><t>gold</t></is></c></row>') % (last, last, last)
    book = _edit(_book(store, tmp_path), SPANS, _rows_before_end(blank + value))
    pulled = _count_parsed_rows(monkeypatch)
    before = snapshot(store)
    (result,) = import_paths(store, [book]).files
    assert result.error == f"{book}:{last}: Spans!A: no document 'nope' in the store (import " \
                           "its text first)"
    assert pulled[1] == last          # every row element up to the value was read
    assert snapshot(store) == before


def _count_parsed_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows openpyxl's parser gave each sheet_rows call (filled in as they are read)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    counts: list[int] = []
    parse = WorkSheetParser.parse

    def counted(self: Any) -> Any:
        counts.append(0)
        for row in parse(self):
            counts[-1] += 1
            yield row

    monkeypatch.setattr(WorkSheetParser, "parse", counted)
    return counts


# -- CoNLL and the command line ----------------------------------------------------------------


def test_a_conll_token_with_a_cr_inside_is_a_bad_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cr.conll"
    path.write_bytes("قال O\r\nالو\rزير B-actor\r\n".encode())
    before = snapshot(store)
    (result,) = import_paths(store, [path]).files
    assert result.error == (f"{path}:2: U+000D in the line (a line break, a control character "
                            "or half a surrogate pair): tokens and tags are printable text, one "
                            "line each")
    assert snapshot(store) == before


def test_the_cli_prints_a_label_with_a_line_break_on_one_line(tmp_path: Path,
                                                                capsys: Any) -> None:
    from tests.cli._helpers import run

    text = "😀 قال"
    path = _write(tmp_path / "nl.jsonl", line(text, spans=[{"start": 2, "end": 5,
                                                            "label": "a\nb\x1b[2J"}]))
    result = run(capsys, "--db", f"sqlite:///{tmp_path / 's.sqlite3'}", "import", str(path))
    assert result.code == 1
    (error,) = result.err.splitlines()
    assert error.startswith(f"annotator: {path}: a label the project does not have: "
                            "a\\nb\\x1b[2J (1 span, first on line 1)")


def test_excel_module_reads_sheets_without_openpyxl_sizing_them(tmp_path: Path,
                                                                 store: Store) -> None:
    book = _book(store, tmp_path)
    wb = excel_read._open_book(book)
    try:
        assert [ws.title for ws in wb.worksheets] == ["Documents", "Spans", "Relations"]
        assert [ws.max_row for ws in wb.worksheets] == [None, None, None]
        rows = list(excel_read.sheet_rows(wb["Spans"], book))
        assert [(n, sorted(cells)) for n, cells in rows] == [
            (1, list(range(11))), (2, [0, 1, 2, 3, 4, 5, 6, 7, 10]),
            (3, [0, 1, 2, 3, 4, 5, 6, 7, 10])]
        assert rows[1][1][3] == (2, "n") and rows[1][1][6] == ("قال", "s")
    finally:
        wb.close()
