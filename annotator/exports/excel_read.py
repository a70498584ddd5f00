"""``read`` imports the Spans sheet (and Relations, and each set's status from Documents) after a
reviewer edited it: rows are grouped by (document, set) into one native record each, with the text
of the document already in the store; every row is checked (document known, integers, span text
equal to the store's text at those offsets) and errors name the sheet row and column
(``book.xlsx:7: Spans!G: ...``). A record's line is the sheet row of its first span. A set listed
in Documents whose span rows were all deleted imports as an empty set (with ``--replace``).
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from annotator.core.errors import ValidationError
from annotator.core.label_map import name_list
from annotator.core.model import SetStatus
from annotator.exports.base import ImportContext
from annotator.exports.excel_cells import (
    ATTRIBUTES,
    DOCUMENT,
    END,
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
    TYPE,
    cell_text,
    parse_attributes,
)


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
