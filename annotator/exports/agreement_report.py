"""The agreement figures as an Excel sheet (right to left, cells coloured by value, no formula).

    A            | B           | C             | D               | E          | F           | G
    annotator a  | annotator b | span_f1_exact | span_f1_overlap | kappa_char | kappa_token | ...
    mona         | omar        | 0.7           | 0.9             | 0.8574     | 0.8007      | ...

Blocks, top to bottom, each after a blank row: the heading (documents, annotators, labels,
intervals), Pairs (a, b, every pairwise figure), Per label (the mean over pairs; alpha-u of all
annotators), Overall, Against gold (when computed) and the Definitions, one line a row. Figures
are rounded to 4 decimals as in ``to_json``; an undefined figure is "n/a" on grey. With
intervals, each figure ``x`` is followed by ``x low`` and ``x high``. Figure cells are filled on
the red (0 and below) - yellow (0.5) - green (1) scale of :func:`score_rgb`.

Works in a write-only workbook (rows are appended once, as the project's Excel export does) and in
an ordinary one. Every string is a string cell: text Excel would take for a formula (``= + - @``,
tab, CR first) is stored as text with the quote-prefix style, and characters a workbook cannot
hold are removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill

from annotator.core.agreement import (
    DEFINITIONS,
    GOLD_METRICS,
    LABEL_METRICS,
    OVERALL_METRICS,
    PAIR_METRICS,
    AgreementReport,
    Figures,
    score_rgb,
)
from annotator.core.errors import UserError
from annotator.exports.atomic import default_mode
from annotator.exports.excel_cells import FONT, FORMULA_START, cell_text

NA = "n/a"
NA_FILL = "FFE0E0E0"
HEADER_FILL = "FFE8EAED"
Value = str | int | float | None


def _hex(value: float | None) -> str:
    rgb = score_rgb(value)
    return NA_FILL if rgb is None else "FF" + "".join(f"{c:02X}" for c in rgb)


class _Rows:
    """Builds styled cells for one sheet (write-only cells work in either kind of workbook)."""

    def __init__(self, ws: object) -> None:
        self.ws = ws
        self.fills: dict[str, PatternFill] = {}
        self.font = Font(name=FONT, size=11)
        self.bold = Font(name=FONT, size=11, bold=True)

    def cell(self, value: Value, *, bold: bool = False, fill: str | None = None) -> Cell:
        if isinstance(value, str):
            value = cell_text(value)[0]
        c = WriteOnlyCell(self.ws, value)
        if isinstance(value, str):
            c.data_type = "s"                    # never a formula, whatever it starts with
            if value[:1] in FORMULA_START:
                c.quotePrefix = True
        c.font = self.bold if bold else self.font
        if fill is not None:
            c.fill = self.fills.setdefault(fill, PatternFill("solid", fgColor=fill))
        return c

    def figure(self, value: float | None) -> Cell:
        return self.cell(NA if value is None else round(value, 4) + 0.0, fill=_hex(value))

    def header(self, values: Iterable[str]) -> list[Cell]:
        return [self.cell(v, bold=True, fill=HEADER_FILL) for v in values]


def _with_ci(names: Sequence[str], ci: bool) -> list[str]:
    return [h for n in names for h in ((n, f"{n} low", f"{n} high") if ci else (n,))]


def _figure_cells(rows: _Rows, figures: Figures, names: Sequence[str], ci: bool) -> list[Cell]:
    cells = []
    for name in names:
        cells.append(rows.figure(figures[name]))
        if ci:
            interval = figures.interval(name)
            for bound in (None, None) if interval is None else interval:
                cells.append(rows.cell(NA if bound is None else round(bound, 4) + 0.0))
    return cells


def _table(report: AgreementReport, rows: _Rows) -> list[list[Cell]]:
    ci = report.resamples is not None
    out: list[list[Cell]] = [
        [rows.cell("Inter-annotator agreement", bold=True)],
        [rows.cell("documents"), rows.cell(report.documents)],
        [rows.cell("annotators"), rows.cell(", ".join(report.annotators))],
        [rows.cell("labels"), rows.cell(", ".join(report.labels))],
        [rows.cell("intervals"), rows.cell(
            f"95% percentile bootstrap, {report.resamples} resamples, seed {report.seed}"
            if ci else "none")],
        [],
        [rows.cell("Pairs", bold=True)],
        rows.header(["annotator a", "annotator b", *_with_ci(PAIR_METRICS, ci)]),
    ]
    out += [[rows.cell(p.a), rows.cell(p.b), *_figure_cells(rows, p.figures, PAIR_METRICS, ci)]
            for p in report.pairs]
    out += [[], [rows.cell("Per label", bold=True)],
            rows.header(["label", *_with_ci(LABEL_METRICS, ci)])]
    out += [[rows.cell(label), *_figure_cells(rows, figures, LABEL_METRICS, ci)]
            for label, figures in report.per_label.items()]
    out += [[], [rows.cell("Overall", bold=True)],
            rows.header(["figure", *_with_ci(["value"], ci)])]
    out += [[rows.cell(name), *_figure_cells(rows, _one(report.overall, name), ["value"], ci)]
            for name in OVERALL_METRICS]
    if report.against_gold is not None:
        out += [[], [rows.cell("Against gold", bold=True)],
                rows.header(["annotator", *_with_ci(GOLD_METRICS, ci)])]
        out += [[rows.cell(g.annotator), *_figure_cells(rows, g.figures, GOLD_METRICS, ci)]
                for g in report.against_gold]
    out += [[], [rows.cell("Definitions", bold=True)]]
    out += [[rows.cell(line)] if line else [] for line in DEFINITIONS.splitlines()]
    return out


def _one(figures: Figures, name: str) -> Figures:
    """One figure renamed "value" (the overall block lists figures as rows)."""
    intervals = None if figures.intervals is None else {"value": figures.intervals[name]}
    return Figures({"value": figures[name]}, intervals)


def write_agreement_sheet(workbook: Workbook, report: AgreementReport, *,
                          title: str = "Agreement") -> None:
    """Add the sheet ``title`` with the report's figures to ``workbook`` (write-only or not)."""
    if title in workbook.sheetnames:
        raise UserError(f"the workbook already has a sheet named {title!r}")
    ws = workbook.create_sheet(title)
    ws.sheet_view.rightToLeft = True
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    for column in "CDEFGHIJKLMNOPQRST":
        ws.column_dimensions[column].width = 15
    rows = _Rows(ws)
    for row in _table(report, rows):
        ws.append(row)


def save_agreement_xlsx(report: AgreementReport, path: Path | str) -> None:
    """A workbook with just the agreement sheet, written atomically: a temporary file beside
    ``path``, fsynced, then renamed over it."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    write_agreement_sheet(wb, report)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, default_mode())
    os.close(fd)
    tmp = Path(name)
    try:
        wb.save(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
