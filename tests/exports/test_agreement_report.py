"""The agreement sheet: exact cells, colours of a high and a low figure, right to left, no
formula ever, intervals, write-only and ordinary workbooks, atomic saving."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from annotator.core.agreement import DEFINITIONS, compute_agreement
from annotator.core.errors import UserError
from annotator.exports import agreement_report
from annotator.exports.agreement_report import save_agreement_xlsx, write_agreement_sheet
from tests.core.agreement_example import example

GREEN, RED, GREY = "FF1A9850", "FFD73027", "FFE0E0E0"


def _rows(path: Path, title: str = "Agreement") -> list[list[object]]:
    ws = openpyxl.load_workbook(path)[title]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _trim(row: list[object]) -> list[object]:
    while row and row[-1] is None:
        row = row[:-1]
    return row


def test_sheet_has_the_exact_figures_in_blocks(tmp_path: Path) -> None:
    out = tmp_path / "agreement.xlsx"
    save_agreement_xlsx(compute_agreement([example()], against_gold=True), out)
    rows = [_trim(r) for r in _rows(out)]
    assert rows[:11] == [
        ["Inter-annotator agreement"],
        ["documents", 1],
        ["annotators", "mona, omar, salma"],
        ["labels", "actor, cue, location, quote"],
        ["intervals", "none"],
        [],
        ["Pairs"],
        ["annotator a", "annotator b", "span_f1_exact", "span_f1_overlap", "kappa_char",
         "kappa_token", "relation_f1"],
        # 14/19 = 0.73684, 3511/4095 = 0.85739, 241/301 = 0.80066 (test_agreement works them out)
        ["mona", "omar", 0.7, 0.9, 0.8574, 0.8007, 0.5],
        ["mona", "salma", 0.7368, 0.9474, 0.8377, 0.8007, 0.2857],
        ["omar", "salma", 0.5263, 0.8421, 0.6947, 0.6078, 0],
    ]
    assert rows[13:16] == [
        ["label", "span_f1_exact", "span_f1_overlap", "kappa_char", "kappa_token",
         "relation_f1", "alpha_unitizing"],
        ["actor", 0.8667, 0.8667, 0.8576, 0.8485, "n/a", 0.8725],
        ["cue", 0.6111, 0.7778, 0.6726, 0.7619, "n/a", 0.6503],
    ]
    assert rows[20:30] == [
        ["figure", "value"], ["span_f1_exact", 0.6544], ["span_f1_overlap", 0.8965],
        ["kappa_char", 0.7966], ["kappa_token", 0.7364], ["relation_f1", 0.2619],
        ["fleiss_kappa_char", 0.7963], ["alpha_nominal_char", 0.7972],
        ["alpha_unitizing", 0.9231], [],
    ]
    assert rows[30:35] == [["Against gold"], ["annotator", "precision", "recall", "f1"],
                           ["mona", 0.9, 0.9, 0.9], ["omar", 0.8, 0.8, 0.8],
                           ["salma", 0.6667, 0.6, 0.6316]]
    assert rows[36] == ["Definitions"]
    assert [r[0] if r else "" for r in rows[37:]] == DEFINITIONS.splitlines()


def test_cells_are_coloured_by_value_and_the_sheet_is_right_to_left(tmp_path: Path) -> None:
    doc = example()
    same = replace(doc, sets={"mona": doc.sets["mona"],
                              "omar": replace(doc.sets["mona"], owner="omar"),
                              "salma": replace(doc.sets["salma"], spans=(), relations=())})
    out = tmp_path / "colours.xlsx"
    save_agreement_xlsx(compute_agreement([same]), out)
    ws = openpyxl.load_workbook(out)["Agreement"]
    assert ws.sheet_view.rightToLeft is True
    assert [c.value for c in ws[9][:5]] == ["mona", "omar", 1, 1, 1]
    assert ws["C9"].fill.fgColor.rgb == GREEN              # mona-omar span F1: 1.0
    assert [c.value for c in ws[10][:3]] == ["mona", "salma", 0]
    assert ws["C10"].fill.fgColor.rgb == RED               # mona-salma span F1: 0.0
    assert ws["E10"].value == 0 and ws["E10"].fill.fgColor.rgb == RED   # kappa: chance only
    assert ws["G11"].value == 0                            # omar's 4 relations, salma's none
    assert ws["F15"].value == "n/a" and ws["F15"].fill.fgColor.rgb == GREY  # no actor heads
    assert ws["A9"].fill.fill_type is None                 # names are not coloured


def test_no_cell_is_ever_a_formula(tmp_path: Path) -> None:
    doc = example()
    names = {"=HYPERLINK(\"http://x\")": doc.sets["mona"], "+قال": doc.sets["omar"],
             "@sum": doc.sets["salma"]}
    out = tmp_path / "formula.xlsx"
    save_agreement_xlsx(compute_agreement([replace(doc, sets=names)]), out)
    ws = openpyxl.load_workbook(out)["Agreement"]
    assert [ws["A9"].value, ws["B9"].value] == ["+قال", "=HYPERLINK(\"http://x\")"]
    for cell in (ws["A9"], ws["B9"], ws["A10"]):
        assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    with zipfile.ZipFile(out) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and all(b"<f>" not in archive.read(n) and b"<f " not in archive.read(n)
                              for n in sheets)


def test_intervals_follow_each_figure(tmp_path: Path) -> None:
    out = tmp_path / "ci.xlsx"
    save_agreement_xlsx(compute_agreement([example()], ci=True, resamples=30, seed=4), out)
    rows = [_trim(r) for r in _rows(out)]
    assert rows[4] == ["intervals", "95% percentile bootstrap, 30 resamples, seed 4"]
    assert rows[7][:5] == ["annotator a", "annotator b", "span_f1_exact", "span_f1_exact low",
                           "span_f1_exact high"]
    assert rows[8][:5] == ["mona", "omar", 0.7, 0.7, 0.7]    # one document: the point itself
    assert rows[20] == ["figure", "value", "value low", "value high"]
    assert rows[14][13:16] == ["n/a", "n/a", "n/a"]          # actor relation_f1: undefined


def test_sheet_goes_into_a_write_only_or_an_ordinary_workbook(tmp_path: Path) -> None:
    report = compute_agreement([example()])
    streamed = Workbook(write_only=True)
    streamed.create_sheet("Other").append(["x"])
    write_agreement_sheet(streamed, report, title="Agreement (mona, omar, salma)")
    streamed.save(tmp_path / "w.xlsx")
    ordinary = Workbook()
    write_agreement_sheet(ordinary, report)
    ordinary.save(tmp_path / "o.xlsx")
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").sheetnames == [
        "Other", "Agreement (mona, omar, salma)"]
    assert _rows(tmp_path / "w.xlsx", "Agreement (mona, omar, salma)") == _rows(
        tmp_path / "o.xlsx")
    with pytest.raises(UserError, match="already has a sheet named 'Agreement'"):
        write_agreement_sheet(ordinary, report)


def test_saving_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "a.xlsx"
    report = compute_agreement([example()])
    save_agreement_xlsx(report, out)
    assert openpyxl.load_workbook(out).sheetnames == ["Agreement"]
    before = out.read_bytes()

    def broken(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(agreement_report.os, "fsync", broken)   # after the temporary is written
    with pytest.raises(OSError, match="disk full"):
        save_agreement_xlsx(report, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
    with pytest.raises(UserError, match="is a folder"):
        save_agreement_xlsx(report, tmp_path)
