"""Agreement charts: colours of cells and bars, the PNG, the view's metric box (offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.core.agreement import AgreementReport, compute_agreement
from annotator.core.errors import UserError
from annotator.core.model import AnnotationSet, SetKind
from annotator.ui import charts
from annotator.ui.charts import (
    AgreementView,
    bars_geometry,
    heatmap_geometry,
    heatmap_image,
    label_bars_image,
    save_plot,
)
from tests.core.agreement_example import example

REPO = Path(__file__).resolve().parents[2]
GREEN, RED = (26, 152, 80), (215, 48, 39)


def rgb(image: QImage, point: QPoint) -> tuple[int, int, int]:
    c = QColor(image.pixel(point))
    return c.red(), c.green(), c.blue()


def inside(rect) -> QPoint:  # type: ignore[no-untyped-def]
    return rect.topLeft() + QPoint(5, 5)


@pytest.fixture
def perfect_and_none() -> AgreementReport:
    """منى and omar mark the same spans (kappa 1); salma marks nothing (kappa 0 with both)."""
    doc = example()
    mona = doc.sets["mona"]
    sets = {"منى": mona, "omar": replace(mona, owner="omar"),
            "salma": AnnotationSet(1, "salma", SetKind.ANNOTATION)}
    return compute_agreement([replace(doc, sets=sets)])


def test_perfect_agreement_cell_is_green_and_none_is_red(qapp: QApplication,
                                                         perfect_and_none: AgreementReport
                                                         ) -> None:
    report = perfect_and_none
    assert report.annotators == ("omar", "salma", "منى")
    made_before = charts._app
    image = heatmap_image(report, metric="kappa_char", size=(500, 420))
    assert image.size() == QSize(500, 420)
    g = heatmap_geometry(report, (500, 420))
    assert rgb(image, inside(g.cell_rect(0, 2))) == GREEN       # omar x منى: 1.0
    assert rgb(image, inside(g.cell_rect(2, 0))) == GREEN
    assert rgb(image, inside(g.cell_rect(1, 2))) == RED         # salma x منى: 0.0
    assert rgb(image, inside(g.cell_rect(0, 0))) == (255, 255, 255)  # the diagonal is blank
    assert QGuiApplication.instance() is qapp and charts._app is made_before   # none was made


def test_cells_carry_their_value_in_dark_or_light_ink(qapp: QApplication,
                                                      perfect_and_none: AgreementReport) -> None:
    image = heatmap_image(perfect_and_none, size=(500, 420))
    cell = heatmap_geometry(perfect_and_none, (500, 420)).cell_rect(0, 2)
    colours = {rgb(image, QPoint(x, y)) for x in range(cell.left() + 3, cell.right() - 3)
               for y in range(cell.top() + 3, cell.bottom() - 3)}
    assert (255, 255, 255) in colours          # "1.00" in white on the dark green


def test_label_bars_are_as_long_as_their_value_and_coloured_by_it(
        qapp: QApplication, perfect_and_none: AgreementReport) -> None:
    report = compute_agreement([example()])
    image = label_bars_image(report, metric="span_f1_exact", size=(500, 300))
    g = bars_geometry(report, (500, 300))
    labels = list(report.labels)
    actor = report.per_label["actor"]["span_f1_exact"]     # 0.867: green side
    quote = report.per_label["quote"]["span_f1_exact"]     # 0.333: red side
    a = g.bar_rect(labels.index("actor"), actor)
    q = g.bar_rect(labels.index("quote"), quote)
    assert a.width() == round(actor * g.scale) and q.width() == round(quote * g.scale)
    r, gr, _ = rgb(image, inside(a))
    assert gr > r
    r, gr, _ = rgb(image, inside(q))
    assert r > gr
    after = {rgb(image, QPoint(x, y)) for x in range(q.right() + 6, q.right() + 60)
             for y in range(q.top(), q.bottom())}
    assert any(sum(c) < 200 for c in after)            # its value, written after the bar


def test_save_plot_writes_a_png_of_the_asked_size(qapp: QApplication, tmp_path: Path,
                                                  perfect_and_none: AgreementReport) -> None:
    out = tmp_path / "plots" / "agreement.png"
    save_plot(perfect_and_none, out, metric="span_f1_exact", size=(800, 340))
    image = QImage(str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.size() == QSize(800, 340)
    g = heatmap_geometry(perfect_and_none, (400, 340))       # the left half
    assert rgb(image, inside(g.cell_rect(0, 2))) == GREEN
    assert [p.name for p in out.parent.iterdir()] == ["agreement.png"]   # no temporary left
    with pytest.raises(UserError, match="is a folder"):
        save_plot(perfect_and_none, tmp_path)
    with pytest.raises(UserError, match="no pairwise figure 'alpha_unitizing'"):
        heatmap_image(perfect_and_none, metric="alpha_unitizing")


def test_one_annotator_draws_a_message_not_a_matrix(qapp: QApplication, tmp_path: Path) -> None:
    doc = example()
    report = compute_agreement([replace(doc, sets={"mona": doc.sets["mona"]})])
    image = heatmap_image(report, size=(400, 300))
    assert image.size() == QSize(400, 300)
    save_plot(report, tmp_path / "one.png")
    assert QImage(str(tmp_path / "one.png")).size() == QSize(1100, 460)


def test_save_plot_works_in_a_fresh_process_without_display(tmp_path: Path) -> None:
    out = tmp_path / "fresh.png"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from tests.core.agreement_example import example\n"
        "from annotator.core.agreement import compute_agreement\n"
        "from annotator.ui.charts import save_plot\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "assert QGuiApplication.instance() is None\n"
        "save_plot(compute_agreement([example()]), sys.argv[2], size=(600, 300))\n"
        "print(QGuiApplication.platformName())\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-c", script, str(REPO), str(out)], check=False,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "offscreen"
    assert QImage(str(out)).size() == QSize(600, 300)


def test_the_metric_box_changes_the_picture(qtbot: QtBot) -> None:
    report = compute_agreement([example()])
    view = AgreementView()
    qtbot.addWidget(view)
    view.resize(1000, 480)
    view.show()
    qtbot.waitExposed(view)
    view.set_report(report)
    assert view.current_metric() == "span_f1_exact"             # the first of the box

    def cell_colour() -> tuple[int, int, int]:
        image = view.heatmap.pixmap().toImage()
        g = heatmap_geometry(report, (image.width(), image.height()))
        return rgb(image, inside(g.cell_rect(0, 1)))  # mona x omar

    f1 = cell_colour()
    assert f1 == charts.color(0.7).getRgb()[:3]
    view.metric_box.setCurrentIndex(view.metric_box.findData("kappa_char"))
    assert view.current_metric() == "kappa_char"
    assert cell_colour() == charts.color(3511 / 4095).getRgb()[:3] != f1
    bars_before = view.bars.pixmap().toImage()
    view.set_metric("relation_f1")
    assert view.bars.pixmap().toImage() != bars_before


def test_the_view_draws_again_at_its_new_size(qtbot: QtBot) -> None:
    view = AgreementView()
    qtbot.addWidget(view)
    view.set_report(None)
    assert view.heatmap.text() == "No agreement figures yet"
    view.set_report(compute_agreement([example()]))
    view.resize(900, 420)
    view.show()
    qtbot.waitExposed(view)
    small = view.heatmap.pixmap().size()
    view.resize(1300, 700)
    qtbot.waitUntil(lambda: view.heatmap.pixmap().size() != small)
    assert view.heatmap.pixmap().size() == view.heatmap.size()
    assert view.heatmap.pixmap().width() > small.width()
