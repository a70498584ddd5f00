"""Excel workbook for reviewers and project leads: sheets Documents, Spans and Relations.

    Spans: A document | B set | C label | D start (code point) | E end (code point) |
           F context before | G text | H context after | I attributes | J note | K span id
           emoji | mona | quote | 25 | 30 | 😀 وقال الوزيرُ إن روسيا “ | جاهزة | ”. | kind=direct | | s3

One row per span (Spans), per relation (Relations: document, set, type, head/tail span id and
text) and per document and set (Documents: id, title, set, status, characters, spans, relations; a
document without a set gets one row with the set empty). In a right-to-left sheet column A is the
rightmost, so "context before | text | context after" reads as the sentence does. Span ids are
``s1, s2, ...`` in span order per set, as in native JSONL. Attributes are ``key=value`` pairs joined
by ``; `` (a JSON object when a key or value would not survive that).

Safe by construction: every string is written as text (an inline string, never a formula), and a
string that Excel would take for a formula when edited (``= + - @``, tab, CR first) also gets the
quote-prefix style. Characters a workbook cannot hold (control characters, U+FFFE, U+FFFF) are
removed and counted in the report (``control characters removed``); a cell longer than Excel's
32,767 characters is cut and reported.

Streaming: openpyxl's write-only workbook writes the package (styles, sheet views, frozen header,
filter, column widths); the rows are streamed to temporary files as XML text of the same form
openpyxl writes and spliced into its sheets (openpyxl's own cell-at-a-time writer takes 42 s for
300,000 spans here). Memory stays flat.

``read`` imports the Spans sheet (and Relations, and each set's status from Documents) after a
reviewer edited it: rows are grouped by (document, set) into one native record each, with the text
of the document already in the store; every row is checked (document known, integers, span text
equal to the store's text at those offsets) and errors name the sheet row and column
(``book.xlsx:7: Spans!G: ...``). A record's line is the sheet row of its first span. A set listed
in Documents whose span rows were all deleted imports as an empty set (with ``--replace``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from annotator.core.errors import ValidationError
from annotator.core.label_map import name_list
from annotator.core.model import AnnotationSet, Document, SetStatus
from annotator.exports.atomic import default_mode
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    ImportContext,
    counting_documents,
)

FONT = "Arial"                 # renders Arabic in Excel, LibreOffice and Numbers
CONTEXT = 40                   # characters of context on each side of a span
CELL_LIMIT = 32_767            # Excel's longest cell text
MAX_ROWS = 1_048_576           # Excel's rows per sheet; more go on "Spans (2)", ...
FORMULA_START = frozenset("=+-@\t\r")
REMOVED = "control characters removed"
CUT = "cells cut at 32,767 characters"
_BAD = re.compile(ILLEGAL_CHARACTERS_RE.pattern + r"|[\ud800-\udfff\ufffe\uffff]")
_ESCAPE = re.compile("[&<>\r]")
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
_LETTERS = tuple(get_column_letter(i) for i in range(1, 65))

# Column headers, shared by the writer and the reader.
DOCUMENT, SET, TITLE, STATUS = "document", "set", "title", "status"
LABEL, START, END, TEXT = "label", "start (code point)", "end (code point)", "text"
BEFORE, AFTER, ATTRIBUTES, NOTE, SPAN_ID = ("context before", "context after", "attributes",
                                            "note", "span id")
TYPE, HEAD, HEAD_TEXT, TAIL, TAIL_TEXT = ("type", "head span id", "head text", "tail span id",
                                          "tail text")

Value = str | int | float | None
Row = Sequence[Value]
SpanIds = Mapping[int | None, str]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its columns, the rows of each exported (document, set), and rows written once
    at the end (for sheets that gather, such as an agreement sheet)."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[Document, AnnotationSet | None, SpanIds], Iterable[Row]]
    end: Callable[[], Iterable[Row]] = lambda: ()


# -- the three sheets -----------------------------------------------------------------------------


def _document_rows(document: Document, aset: AnnotationSet | None, ids: SpanIds) -> Iterable[Row]:
    yield (document.external_id, document.title, aset.owner if aset else None,
           aset.status.value if aset else None, len(document.text),
           len(aset.spans) if aset else 0, len(aset.relations) if aset else 0)


def _span_rows(document: Document, aset: AnnotationSet | None, ids: SpanIds) -> Iterable[Row]:
    if aset is None:
        return
    text = document.text
    for span in aset.spans:
        if text[span.start:span.end] != span.text:
            raise ValueError(f"document {document.external_id}: span {span.start}-{span.end} "
                             "does not match the text")
        yield (document.external_id, aset.owner, span.label, span.start, span.end,
               text[max(0, span.start - CONTEXT):span.start], span.text,
               text[span.end:span.end + CONTEXT], format_attributes(span.attributes),
               span.note or None, ids[span.id])


def _relation_rows(document: Document, aset: AnnotationSet | None, ids: SpanIds) -> Iterable[Row]:
    if aset is None or not aset.relations:
        return
    text_of = {span.id: span.text for span in aset.spans}
    number = {key: int(sid[1:]) for key, sid in ids.items()}
    for rel in sorted(aset.relations, key=lambda r: (r.type, number[r.head], number[r.tail])):
        yield (document.external_id, aset.owner, rel.type, ids[rel.head], text_of[rel.head],
               ids[rel.tail], text_of[rel.tail])


def default_sheets() -> list[Sheet]:
    """Documents, Spans, Relations (fresh objects: a sheet may keep state during one export)."""
    return [
        Sheet("Documents", (Column(DOCUMENT, 24), Column(TITLE, 50), Column(SET, 14),
                            Column(STATUS, 12), Column("characters", 12), Column("spans", 9),
                            Column("relations", 10)), _document_rows),
        Sheet("Spans", (Column(DOCUMENT, 24), Column(SET, 14), Column(LABEL, 12),
                        Column(START, 11), Column(END, 11), Column(BEFORE, 36), Column(TEXT, 36),
                        Column(AFTER, 36), Column(ATTRIBUTES, 16), Column(NOTE, 30),
                        Column(SPAN_ID, 9)), _span_rows),
        Sheet("Relations", (Column(DOCUMENT, 24), Column(SET, 14), Column(TYPE, 12),
                            Column(HEAD, 11), Column(HEAD_TEXT, 40), Column(TAIL, 11),
                            Column(TAIL_TEXT, 40)), _relation_rows),
    ]


# -- cell values ----------------------------------------------------------------------------------


def cell_text(value: str) -> tuple[str, int, bool]:
    """What a cell can hold of ``value``: (text, characters removed, cut at CELL_LIMIT)."""
    cleaned, removed = _BAD.subn("", value)
    if len(cleaned) > CELL_LIMIT:
        return cleaned[:CELL_LIMIT], removed, True
    return cleaned, removed, False


def format_attributes(attributes: Mapping[str, Any]) -> str | None:
    """``kind=direct; other=x`` (sorted by key), or a JSON object when that would be ambiguous."""
    if not attributes:
        return None
    items = sorted(attributes.items())
    if all(_plain_key(k) and isinstance(v, str) and ";" not in v and v == v.strip()
           for k, v in items):
        return "; ".join(f"{k}={v}" for k, v in items)
    return json.dumps(dict(items), ensure_ascii=False)


def _plain_key(key: str) -> bool:
    return bool(key) and key == key.strip() and not any(c in key for c in "=;{")


def parse_attributes(text: str | None) -> dict[str, Any]:
    """The inverse of format_attributes. Raises ValueError with a message for the user."""
    if text is None or not text.strip():
        return {}
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON object ({exc.msg})") from None
        if not isinstance(value, dict):
            raise ValueError("must be key=value pairs or a JSON object")
        return value
    result: dict[str, Any] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected key=value pairs separated by ';' (like kind=direct), "
                             f"not {part.strip()!r}")
        result[key.strip()] = value.strip()
    return result


# -- writing --------------------------------------------------------------------------------------


class _RowFile:
    """A sheet's rows as XML, streamed to a temporary file: openpyxl's write-only sheet writes a
    cell at a time through lxml (about 60 µs a span row here, 42 s for 300,000 spans); these rows
    are written as text in the same form (inline strings, numbers, a style on every cell) and
    spliced into the sheet openpyxl writes (views, columns, filter) when the sheet is closed."""

    def __init__(self, folder: str) -> None:
        fd, self.path = tempfile.mkstemp(prefix="rows-", suffix=".xml", dir=folder)
        self.handle = os.fdopen(fd, "wb", buffering=1 << 20)
        self.count = 0

    def write(self, values: Row, style: str, quoted: str, *, escape: bool = True) -> None:
        """One row; ``escape=False`` when no text of the row has a character to escape."""
        self.count += 1
        r = str(self.count)
        parts = [f'<row r="{r}">']
        for letter, value in zip(_LETTERS, values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                s = quoted if value[0] in FORMULA_START else style
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() \
                    else ""
                if escape and _ESCAPE.search(value):
                    value = (value.replace("&", "&amp;").replace("<", "&lt;")
                             .replace(">", "&gt;").replace("\r", "&#13;"))
                parts.append(f'<c r="{letter}{r}" s="{s}" t="inlineStr"><is><t{space}>{value}'
                             '</t></is></c>')
            else:
                number = str(int(value)) if isinstance(value, int) else repr(float(value))
                parts.append(f'<c r="{letter}{r}" s="{style}" t="n"><v>{number}</v></c>')
        parts.append("</row>")
        self.handle.write("".join(parts).encode("utf-8"))

    def splice_into(self, sheet_xml: str) -> None:
        """Put the rows into the (row-less) sheet file openpyxl wrote, in place."""
        self.handle.close()
        with open(sheet_xml, "rb") as handle:
            shell = handle.read()
        match = _EMPTY_SHEET_DATA.search(shell)
        if match is None:
            raise RuntimeError(f"{sheet_xml}: no empty <sheetData> to fill (openpyxl changed?)")
        combined = sheet_xml + ".rows"
        with open(combined, "wb") as out, open(self.path, "rb") as rows:
            out.write(shell[:match.start()] + b"<sheetData>")
            shutil.copyfileobj(rows, out, 1 << 20)
            out.write(b"</sheetData>" + shell[match.end():])
        os.replace(combined, sheet_xml)
        os.unlink(self.path)

    def discard(self) -> None:
        self.handle.close()
        with suppress(OSError):
            os.unlink(self.path)


def _style(ws: WriteOnlyWorksheet, *, bold: bool = False, quoted: bool = False) -> str:
    cell = WriteOnlyCell(ws)
    cell.font = Font(name=FONT, size=11, bold=bold)
    if bold:
        cell.fill = PatternFill("solid", fgColor="FFE8EAED")
    cell.quotePrefix = quoted          # Excel keeps "=قال" text even when the cell is edited
    return str(cell.style_id)


@dataclass
class _SheetOut:
    """Where one Sheet's rows go: a worksheet, continued on "Name (2)" past MAX_ROWS rows."""

    wb: Workbook
    sheet: Sheet
    report: ExportReport
    folder: str
    parts: list[tuple[WriteOnlyWorksheet, _RowFile]] = field(default_factory=list)
    styles: tuple[str, str, str] = ("0", "0", "0")     # body, formula-like body, header

    def __post_init__(self) -> None:
        self._open()

    def _open(self) -> None:
        name = self.sheet.name if not self.parts else f"{self.sheet.name} ({len(self.parts) + 1})"
        ws = self.wb.create_sheet(name)
        self.styles = (_style(ws), _style(ws, quoted=True), _style(ws, bold=True))
        ws.sheet_view.rightToLeft = True
        ws.freeze_panes = "A2"
        for letter, column in zip(_LETTERS, self.sheet.columns):
            ws.column_dimensions[letter].width = column.width
        rows = _RowFile(self.folder)
        rows.write([c.header for c in self.sheet.columns], self.styles[2], self.styles[2])
        self.parts.append((ws, rows))

    def add(self, rows: Iterable[Row]) -> None:
        body, quoted, _ = self.styles
        for row in rows:
            if self.parts[-1][1].count == MAX_ROWS:
                self._close_part()
                self._open()
            # the row's texts checked at once: a newline is neither a bad character nor part of
            # one, so the joined texts hold one exactly when one of them does
            texts = "\n".join([v for v in row if isinstance(v, str)])
            if _BAD.search(texts) or (len(texts) > CELL_LIMIT and any(
                    isinstance(v, str) and len(v) > CELL_LIMIT for v in row)):
                row = [self._clean(row, i) for i in range(len(row))]
            self.parts[-1][1].write(row, body, quoted, escape=_ESCAPE.search(texts) is not None)
            self.report.items += 1

    def _clean(self, row: Row, column: int) -> Value:
        value = row[column]
        if not isinstance(value, str):
            return value
        text, removed, cut = cell_text(value)
        ws, rows = self.parts[-1]
        where = f"{ws.title}!{_LETTERS[column]}{rows.count + 1}"
        if isinstance(row[0], str) and column:
            where += f" (document {row[0]})"
        if removed:
            self.report.problem(REMOVED, f"{where}: {removed} control character"
                                f"{'s' if removed > 1 else ''} removed")
        if cut:
            self.report.problem(CUT, f"{where}: {len(value) - removed} characters cut to "
                                f"{CELL_LIMIT}")
        return text

    def _close_part(self) -> None:
        ws, rows = self.parts[-1]
        ws.auto_filter.ref = f"A1:{_LETTERS[len(self.sheet.columns) - 1]}{rows.count}"
        ws.close()
        rows.splice_into(ws._writer.out)

    def finish(self) -> None:
        self.add(self.sheet.end())
        self._close_part()

    def discard(self) -> None:
        for _, rows in self.parts:
            rows.discard()


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions, *,
          sheets: list[Sheet] | None = None) -> ExportReport:
    """Write the workbook atomically; ``report.items`` counts the data rows of all sheets."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = ExportReport(path=str(out))
    wb = Workbook(write_only=True)
    with tempfile.TemporaryDirectory(prefix="annotator-excel-") as folder:
        outs = [_SheetOut(wb, sheet, report, folder) for sheet in (sheets or default_sheets())]
        try:
            _fill(items, outs, report)
            for target in outs:
                target.finish()
            if options.agreement is not None:
                from annotator.exports.agreement_report import write_agreement_sheet

                write_agreement_sheet(wb, options.agreement)
        except BaseException:
            for target in outs:
                target.discard()
            raise
        _save(wb, out)
    return report


def _fill(items: Iterable[ExportItem], outs: list[_SheetOut], report: ExportReport) -> None:
    for document, aset in counting_documents(items, report):
        ids: dict[int | None, str] = {}
        if aset is not None:
            ids = {span.id: f"s{n}" for n, span in enumerate(aset.spans, start=1)}
            report.spans += len(aset.spans)
            report.relations += len(aset.relations)
        for target in outs:
            target.add(target.sheet.rows(document, aset, ids))


def _save(wb: Workbook, out: Path) -> None:
    """Zip the workbook beside ``out`` (fast deflate: the sheets are large and repetitive),
    fsync, and rename it over ``out``."""
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.fchmod(fd, default_mode())  # mkstemp makes it private; an export is an ordinary file
    os.close(fd)
    tmp = Path(name)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                             compresslevel=1) as archive:
            wb.properties.modified = datetime.now(UTC).replace(tzinfo=None)
            ExcelWriter(wb, archive).write_data()
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- reading --------------------------------------------------------------------------------------


@dataclass
class _Group:
    """The rows of one (document, set): a native record in the making."""

    doc_id: str
    owner: str
    text: str
    line: int
    status: str | None = None
    spans: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, str]] = field(default_factory=list)
    cell_text: dict[str, str] = field(default_factory=dict)     # span id -> its text cell
    keys: dict[tuple[int, int, str], int] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"doc_id": self.doc_id, "text": self.text,
                                  "annotator": self.owner, "spans": self.spans,
                                  "relations": self.relations}
        if self.status is not None:
            record["status"] = self.status
        return record


class _SheetRows:
    """The data rows of one sheet (and its continuation sheets), cells by header."""

    def __init__(self, path: Path, wb: Any, name: str, required: tuple[str, ...],
                 optional: tuple[str, ...]) -> None:
        self.path = path
        self.parts = [ws for ws in wb.worksheets
                      if ws.title == name or re.fullmatch(re.escape(name) + r" \(\d+\)", ws.title)]
        self.name = name
        self.required, self.optional = required, optional

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __iter__(self) -> Iterator[_Row]:
        for ws in self.parts:
            rows = sheet_rows(ws, self.path)
            first = next(rows, None)
            header = first[1] if first is not None and first[0] == 1 else {}
            columns = self._columns(ws.title, header)
            if first is not None and first[0] != 1:
                yield _Row(self.path, ws.title, *first, columns)
            for number, cells in rows:
                yield _Row(self.path, ws.title, number, cells, columns)

    def _columns(self, title: str, header: Cells) -> dict[str, int]:
        columns: dict[str, int] = {}
        for index, (value, _) in sorted(header.items()):
            if isinstance(value, str) and value.strip() in self.required + self.optional:
                columns.setdefault(value.strip(), index)
        for name in self.required:
            if name not in columns:
                raise ValidationError(f"the {title} sheet has no column {name!r} (row 1 names "
                                      "the columns)", path=str(self.path), line=1, field=title)
        return columns


#: a row's cells with a value: column index (0 for A) -> (value, openpyxl's data type)
Cells = dict[int, tuple[Any, str]]

#: this many empty rows in a row end a sheet, unless a value comes after them (a scan of the
#: sheet's XML tells, without parsing every empty row: 2 million of them took 40 s)
EMPTY_RUN = 10_000


def sheet_rows(ws: Any, path: Path) -> Iterator[tuple[int, Cells]]:
    """(row number, cells) for each row of a read-only sheet that holds a value, in order.

    The rows are parsed from the sheet's XML with openpyxl's parser (pinned <3.2; its public
    iterator makes up an empty row for every missing row number, so a damaged ``r="1000000000"``
    would take hours). A row past Excel's last one, or XML openpyxl cannot parse, is a
    ValidationError naming the sheet and the last row read; after EMPTY_RUN empty rows the
    reading stops when no value follows them."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = ws.parent
    where = ws.title
    last = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=False, epoch=book.epoch,
                                 date_formats=book._date_formats,
                                 timedelta_formats=book._timedelta_formats)
        rows = parser.parse()
        empty = 0
        while True:
            try:
                number, cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # openpyxl's parser on damaged XML: anything at all
                raise _damaged(path, where, last, exc) from None
            if not isinstance(number, int) or not 1 <= number <= MAX_ROWS:
                raise ValidationError(f"{where}: row number {_shown(number)} after row {last:,}: "
                                      f"a sheet has rows 1 to {MAX_ROWS:,} (a damaged "
                                      "workbook?)", path=str(path), line=last or None)
            last = number
            found = {c["column"] - 1: (c["value"], c["data_type"]) for c in cells
                     if c["value"] not in (None, "")}
            if found:
                empty = 0
                yield number, found
                continue
            empty += 1
            if empty == EMPTY_RUN and not _values_after(ws, source.tell(), number):
                return


def _damaged(path: Path, where: str, last: int, exc: Exception) -> ValidationError:
    detail = str(exc).splitlines()[0] if str(exc) else ""
    after = f"after row {last:,}" if last else "before its first row"
    return ValidationError(f"{where}: the sheet's XML is damaged {after} ({type(exc).__name__}"
                           f"{': ' + _shown(detail, 120) if detail else ''}); nothing was "
                           "imported from this workbook", path=str(path), line=last or None)


_ROW_TAG = re.compile(rb'<(?:[\w.-]+:)?row\b[^>]*?\sr="(\d+)"')
_VALUE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s/>]")
_MARGIN = 1 << 16       # the parser reads 16 KiB ahead; what it read and did not yield is in here
_CHUNK = 1 << 20


def _values_after(ws: Any, position: int, row: int) -> bool:
    """Whether the sheet's XML has a value in a row after ``row``, scanning the raw XML from a
    little before ``position`` (the parser's place in it) in C-speed searches. When it cannot
    tell (no row numbers), True: the caller then reads on."""
    with ws._get_source() as raw:
        start = max(0, position - _MARGIN)
        raw.seek(start)
        tail = b""
        found_row = False
        while True:
            chunk = raw.read(_CHUNK)
            if not chunk:
                return not found_row
            data = tail + chunk
            at = 0
            if not found_row:
                for match in _ROW_TAG.finditer(data):
                    if int(match.group(1)) > row:
                        found_row, at = True, match.start()
                        break
                else:
                    tail = data[-256:]
                    continue
            if _VALUE_TAG.search(data, at):
                return True
            tail = data[-256:]


def _shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters (an error stays one short line)."""
    return _cut(repr(value), limit)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class _Row:
    def __init__(self, path: Path, sheet: str, number: int, cells: Cells,
                 columns: dict[str, int]) -> None:
        self.path, self.sheet, self.number = path, sheet, number
        self.cells, self.columns = cells, columns

    def has(self, name: str) -> bool:
        return name in self.columns

    def field(self, name: str) -> str:
        return f"{self.sheet}!{get_column_letter(self.columns[name] + 1)}"

    def fail(self, name: str, message: str) -> ValidationError:
        return ValidationError(message, path=str(self.path), line=self.number,
                               field=self.field(name))

    def value(self, name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index not in self.cells:
            return None
        value, data_type = self.cells[index]
        if data_type == "f":
            raise self.fail(name, f"is a formula ({_cut(str(value))}); type the value itself")
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.value(name)
        if isinstance(value, bool):
            value = "TRUE" if value else "FALSE"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        text = None if value is None or value == "" else str(value)
        if required and text is None:
            raise self.fail(name, "is empty")
        return text

    def integer(self, name: str) -> int:
        value = self.value(name)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() \
                and len(value.strip()) <= 15:
            return int(value.strip())
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(name, f"must be a whole number, not {_shown(value)}")
        return value


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, dict[str, Any]]]:
    """Native records from the Spans sheet (see the module docstring), validated row by row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # openpyxl's notes on parts it skips: not for the user
        try:
            wb = _open_book(path)
        except OSError as exc:
            raise ValidationError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
        except Exception as exc:  # openpyxl on a damaged package: zip, XML, parts, anything
            detail = str(exc).splitlines()[0] if str(exc) else ""
            raise ValidationError(f"not a readable Excel workbook (.xlsx): "
                                  f"{type(exc).__name__}{': ' + _shown(detail, 160) if detail else ''}",
                                  path=str(path)) from None
        reader = _Reader(Path(path), context)
        try:
            groups = reader.groups(wb)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a damaged member, opened late
            raise ValidationError(f"not a readable Excel workbook (.xlsx): "
                                  f"{type(exc).__name__}: {_shown(str(exc), 160)}",
                                  path=str(path)) from None
        finally:
            wb.close()
    yield from reader.errors
    for group in groups:
        yield group.line, group.record()


def _open_book(path: Path) -> Any:
    """The workbook, read-only, as ``load_workbook(path, read_only=True)`` opens it, but without
    sizing each sheet: openpyxl reads a sheet that has no ``<dimension>`` (this module's own
    exports among them) to its end to size it, a second full parse that :func:`sheet_rows`
    does not need (it reads the rows as they are)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Unsized(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            return None

    class Book(ExcelReader):
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    ws = Unsized(self.wb, sheet.name, rel.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    reader = Book(path, read_only=True, data_only=False)
    reader.read()
    return reader.wb


class _Reader:
    def __init__(self, path: Path, context: ImportContext) -> None:
        self.path = path
        self.context = context
        self.texts: dict[str, str | None] = {}
        self.groups_by_key: dict[tuple[str, str], _Group] = {}
        self.errors: list[tuple[int, ValidationError]] = []   # rows left out

    def _each(self, rows: Any, handle: Any) -> None:
        """``handle(row)`` for every row; a bad row is noted in ``errors`` and left out."""
        for row in rows:
            try:
                handle(row)
            except ValidationError as exc:
                self.errors.append((row.number, exc))

    def groups(self, wb: Any) -> list[_Group]:
        spans = _SheetRows(self.path, wb, "Spans", (DOCUMENT, SET, LABEL, START, END, TEXT),
                           (ATTRIBUTES, NOTE, SPAN_ID))
        if not spans:
            raise ValidationError("the workbook has no Spans sheet", path=str(self.path))
        documents = _SheetRows(self.path, wb, "Documents", (DOCUMENT, SET, STATUS), ())
        statuses = self._statuses(documents)
        self._each(spans, self._span)

        def status_of(item: tuple[tuple[str, str], tuple[_Row, str | None]]) -> None:
            (doc_id, owner), (row, status) = item
            self._group(row, doc_id, owner).status = status

        for item in statuses.items():
            try:
                status_of(item)
            except ValidationError as exc:
                self.errors.append((item[1][0].number, exc))
        relations = _SheetRows(self.path, wb, "Relations", (DOCUMENT, SET, TYPE, HEAD, TAIL),
                          (HEAD_TEXT, TAIL_TEXT))
        self._each(relations, self._relation)
        return list(self.groups_by_key.values())

    def _owner(self, row: _Row) -> str:
        owner = row.text(SET) or self.context.annotator
        if owner is None:
            raise row.fail(SET, "is empty (name the set's owner, or import with --annotator)")
        return owner

    def _group(self, row: _Row, doc_id: str, owner: str) -> _Group:
        group = self.groups_by_key.get((doc_id, owner))
        if group is None:
            if doc_id not in self.texts:
                self.texts[doc_id] = self.context.document_text(doc_id)
            text = self.texts[doc_id]
            if text is None:
                raise row.fail(DOCUMENT, f"no document {doc_id!r} in the store (import its text "
                                         "first)")
            group = self.groups_by_key[(doc_id, owner)] = _Group(doc_id, owner, text, row.number)
        return group

    def _statuses(self, rows: _SheetRows) -> dict[tuple[str, str], tuple[_Row, str | None]]:
        found: dict[tuple[str, str], tuple[_Row, str | None]] = {}
        known = [s.value for s in SetStatus]

        def note(row: _Row) -> None:
            owner = row.text(SET)
            if owner is None:
                return                   # a document without a set
            status = row.text(STATUS)
            if status is not None and status not in known:
                raise row.fail(STATUS, f"must be one of {known}, not {status!r}")
            found.setdefault((row.text(DOCUMENT, required=True) or "", owner), (row, status))

        self._each(rows, note)
        return found

    def _span(self, row: _Row) -> None:
        doc_id = row.text(DOCUMENT, required=True) or ""
        group = self._group(row, doc_id, self._owner(row))
        start, end = row.integer(START), row.integer(END)
        if start < 0:
            raise row.fail(START, f"must be 0 or more, not {start}")
        if end <= start:
            raise row.fail(END, f"span {start}-{end} ends before it starts")
        if end > len(group.text):
            raise row.fail(END, f"span {start}-{end} is outside the text of {doc_id!r} "
                                f"({len(group.text)} characters)")
        cut = group.text[start:end]
        given = row.text(TEXT) or ""
        if given != cell_text(cut)[0]:
            raise row.fail(TEXT, f"is {given!r} but the text of {doc_id!r} at {start}-{end} is "
                                 f"{cut!r}")
        label = row.text(LABEL, required=True) or ""
        schema = self.context.schema
        if schema is not None and not self.context.add_labels and not schema.has_label(label):
            known = name_list([lb.name for lb in schema.labels])
            raise row.fail(LABEL, f"unknown label {label!r} (the schema has {known}; --map "
                                  "maps it onto one of them, --add-labels adds it)")
        if (start, end, label) in group.keys:
            raise row.fail(LABEL, f"the same span {start}-{end} {label!r} is on row "
                                  f"{group.keys[(start, end, label)]} too")
        group.keys[(start, end, label)] = row.number
        try:
            attributes = parse_attributes(row.text(ATTRIBUTES))
        except ValueError as exc:
            raise row.fail(ATTRIBUTES, str(exc)) from None
        span_id = row.text(SPAN_ID) or f"row{row.number}"
        if span_id in group.cell_text:
            raise row.fail(SPAN_ID, f"span id {span_id!r} is used twice in the set of "
                                    f"{group.owner!r} for {doc_id!r}")
        group.cell_text[span_id] = given
        group.spans.append({"id": span_id, "start": start, "end": end, "label": label,
                            "attributes": attributes, "note": row.text(NOTE) or ""})

    def _relation(self, row: _Row) -> None:
        doc_id = row.text(DOCUMENT, required=True) or ""
        owner = self._owner(row)
        group = self.groups_by_key.get((doc_id, owner))
        if group is None:
            raise row.fail(DOCUMENT, f"the Spans sheet has no span of {owner!r} for {doc_id!r}")
        ends = []
        for id_column, text_column in ((HEAD, HEAD_TEXT), (TAIL, TAIL_TEXT)):
            span_id = row.text(id_column, required=True) or ""
            if span_id not in group.cell_text:
                raise row.fail(id_column, f"no span {span_id!r} of {owner!r} for {doc_id!r} in "
                                          "the Spans sheet")
            given = row.text(text_column) if row.has(text_column) else None
            if given is not None and given != group.cell_text[span_id]:
                raise row.fail(text_column, f"is {given!r} but span {span_id!r} is "
                                            f"{group.cell_text[span_id]!r}")
            ends.append(span_id)
        group.relations.append({"type": row.text(TYPE, required=True) or "", "head": ends[0],
                                "tail": ends[1]})


FORMAT = Format(name="excel", description="Excel workbook: Documents, Spans, Relations",
                suffix=".xlsx", write=write, read=read, unit="row")
