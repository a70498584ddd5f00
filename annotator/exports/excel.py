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

Reading an edited workbook back is in :mod:`annotator.exports.excel_read`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from annotator.core.model import AnnotationSet, Document
from annotator.exports.atomic import default_mode
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    counting_documents,
)
from annotator.exports.excel_cells import (
    AFTER,
    ATTRIBUTES,
    BEFORE,
    CELL_LIMIT,
    DOCUMENT,
    END,
    FONT,
    FORMULA_START,
    HEAD,
    HEAD_TEXT,
    LABEL,
    MAX_ROWS,
    NOTE,
    SET,
    SPAN_ID,
    START,
    STATUS,
    TAIL,
    TAIL_TEXT,
    TEXT,
    TITLE,
    TYPE,
    UNWRITABLE,
    cell_text,
    format_attributes,
)
from annotator.exports.excel_read import read

CONTEXT = 40                   # characters of context on each side of a span
REMOVED = "control characters removed"
CUT = "cells cut at 32,767 characters"
_ESCAPE = re.compile("[&<>\r]")
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")
_LETTERS = tuple(get_column_letter(i) for i in range(1, 65))

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
            if UNWRITABLE.search(texts) or (len(texts) > CELL_LIMIT and any(
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


FORMAT = Format(name="excel", description="Excel workbook: Documents, Spans, Relations",
                suffix=".xlsx", write=write, read=read, unit="row")
