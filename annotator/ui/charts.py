"""Agreement charts: an annotator x annotator heatmap and per-label bars, and a view of both.

Drawn with QPainter into QImages (no plotting library): cells and bars take the red-yellow-green
scale of :func:`annotator.core.agreement.score_rgb` (red at 0 and below, green at 1) and carry
their value; undefined figures are grey with "n/a". Names may be Arabic: text is drawn with a
font that has Arabic glyphs when one is installed (or registered by the app). Their words are in
the window's interface language (English from the command line, which installs no translator).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from annotator.core.agreement import (
    GREEN,
    METRIC_TITLES,
    PAIR_METRICS,
    RED,
    YELLOW,
    AgreementReport,
    score_rgb,
)
from annotator.core.errors import UserError

translate = QCoreApplication.translate

#: Fonts with Arabic glyphs to prefer for names, best first; else any with Arabic glyphs.
CHART_FONTS = ("Noto Sans Arabic", "Noto Naskh Arabic", "Amiri", "DejaVu Sans")
NA_COLOR = QColor(224, 224, 224)
INK = QColor(33, 33, 33)
MARGIN = 12

_app: QGuiApplication | None = None     # made here when there was none (kept alive)


def ensure_gui() -> None:
    """A QGuiApplication for painting text: the running one, else a new one, on the offscreen
    platform when there is no display (and QT_QPA_PLATFORM does not say otherwise)."""
    global _app
    if QGuiApplication.instance() is None:
        from PySide6.QtWidgets import QApplication

        argv = ["annotator"]
        headless = sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if headless and not os.environ.get("QT_QPA_PLATFORM"):
            argv += ["-platform", "offscreen"]
        # a QApplication (not only a QGuiApplication): widgets may follow in the same process
        _app = QApplication(argv)
    from annotator.ui.fonts import load_bundled_fonts

    load_bundled_fonts()   # the shipped Arabic fonts: names draw on a machine without any


def chart_font(pixels: int, *, bold: bool = False) -> QFont:
    """A font of ``pixels`` height with Arabic glyphs if one is installed."""
    arabic = QFontDatabase.families(QFontDatabase.WritingSystem.Arabic)
    family = next((f for f in CHART_FONTS if f in arabic), arabic[0] if arabic else None)
    font = QFont(family) if family else QFont()
    font.setPixelSize(max(6, pixels))
    font.setBold(bold)
    return font


def color(value: float | None) -> QColor:
    rgb = score_rgb(value)
    return NA_COLOR if rgb is None else QColor(*rgb)


def _ink_on(background: QColor) -> QColor:
    light = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return INK if light > 140 else QColor(Qt.GlobalColor.white)


def _text(value: float | None) -> str:
    return translate("Charts", "n/a") if value is None else f"{value:.2f}"


def metric_title(metric: str) -> str:
    """A figure's name in the interface language."""
    titles = {
        "span_f1_exact": translate("Charts", "Span F1 (exact)"),
        "span_f1_overlap": translate("Charts", "Span F1 (overlap)"),
        "kappa_char": translate("Charts", "Cohen's kappa (characters)"),
        "kappa_token": translate("Charts", "Cohen's kappa (tokens)"),
        "relation_f1": translate("Charts", "Relation F1"),
        "fleiss_kappa_char": translate("Charts", "Fleiss' kappa (characters)"),
        "alpha_nominal_char": translate("Charts", "Krippendorff's alpha (characters)"),
        "alpha_unitizing": translate("Charts", "Krippendorff's alpha-u (spans)"),
        "precision": translate("Charts", "Precision"), "recall": translate("Charts", "Recall"),
        "f1": "F1"}
    return titles.get(metric, METRIC_TITLES.get(metric, metric))


def _blank(size: tuple[int, int]) -> QImage:
    ensure_gui()
    image = QImage(QSize(*size), QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    return image


def _title(p: QPainter, text: str, width: int, height: int) -> int:
    """Draw a title line at the top; returns the y below it."""
    p.setFont(chart_font(max(11, min(18, height // 22)), bold=True))
    p.setPen(INK)
    line = QFontMetrics(p.font()).height()
    p.drawText(QRect(MARGIN, MARGIN // 2, width - 2 * MARGIN, line),
               Qt.AlignmentFlag.AlignCenter, text)
    return MARGIN // 2 + line + MARGIN // 2


# -- heatmap --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeatmapGeometry:
    """Where the heatmap puts things: cell (i, j) is annotator i's row, annotator j's column."""

    left: int
    top: int
    cell: int
    legend: QRect

    def cell_rect(self, i: int, j: int) -> QRect:
        return QRect(self.left + j * self.cell, self.top + i * self.cell, self.cell, self.cell)


def heatmap_geometry(report: AgreementReport, size: tuple[int, int]) -> HeatmapGeometry:
    width, height = size
    n = max(1, len(report.annotators))
    names = QFontMetrics(chart_font(_name_pixels(height)))
    title = QFontMetrics(chart_font(max(11, min(18, height // 22)), bold=True)).height() + MARGIN
    label_w = min(width // 3, max((names.horizontalAdvance(a) for a in report.annotators),
                                  default=0) + MARGIN)
    label_h = names.height() + MARGIN // 2
    legend_w = 70
    cell = max(8, min((width - label_w - legend_w - 3 * MARGIN) // n,
                      (height - title - label_h - 2 * MARGIN) // n))
    left = MARGIN + label_w
    top = title + label_h
    legend = QRect(left + n * cell + MARGIN + 8, top, 16, n * cell)
    return HeatmapGeometry(left, top, cell, legend)


def _name_pixels(height: int) -> int:
    return max(10, min(16, height // 28))


def heatmap_image(report: AgreementReport, *, metric: str = "kappa_char",
                  size: tuple[int, int] = (520, 440)) -> QImage:
    """The pairwise figure ``metric`` as an annotator x annotator matrix (diagonal blank)."""
    if metric not in PAIR_METRICS:
        raise UserError(f"no pairwise figure {metric!r}; choose one of {', '.join(PAIR_METRICS)}")
    image = _blank(size)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    _title(p, translate("Charts", "{metric} — documents: {count}").format(
        metric=metric_title(metric), count=report.documents), *size)
    names = report.annotators
    if len(names) < 2:
        p.setFont(chart_font(14))
        p.drawText(QRect(0, 0, *size), Qt.AlignmentFlag.AlignCenter,
                   translate("Charts", "Fewer than two annotators to compare"))
        p.end()
        return image
    g = heatmap_geometry(report, size)
    name_font = chart_font(_name_pixels(size[1]))
    value_font = chart_font(max(9, min(22, g.cell // 4)), bold=True)
    interval_font = chart_font(max(8, min(14, g.cell // 7)))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            rect = g.cell_rect(i, j)
            if i == j:
                p.fillRect(rect, QColor(Qt.GlobalColor.white))
            else:
                pair = report.pair(a, b)
                value = pair.figures[metric] if pair else None
                fill = color(value)
                p.fillRect(rect, fill)
                p.setPen(_ink_on(fill))
                p.setFont(value_font)
                ci = pair.figures.interval(metric) if pair else None
                if ci is not None and g.cell >= 64:
                    top, bottom = rect.adjusted(0, 0, 0, -rect.height() // 3), rect.adjusted(
                        0, rect.height() * 2 // 3 - 4, 0, 0)
                    p.drawText(top, Qt.AlignmentFlag.AlignCenter, _text(value))
                    p.setFont(interval_font)
                    p.drawText(bottom, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                               f"{ci[0]:.2f}–{ci[1]:.2f}")
                else:
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, _text(value))
            p.setPen(QPen(QColor(255, 255, 255), 2))
            p.drawRect(rect)
    p.setFont(name_font)
    p.setPen(INK)
    for i, name in enumerate(names):
        row = g.cell_rect(i, 0)
        p.drawText(QRect(MARGIN, row.top(), g.left - MARGIN - 6, g.cell),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   QFontMetrics(name_font).elidedText(name, Qt.TextElideMode.ElideMiddle,
                                                      g.left - MARGIN - 6))
        col = g.cell_rect(0, i)
        p.drawText(QRect(col.left(), col.top() - QFontMetrics(name_font).height() - 4, g.cell,
                         QFontMetrics(name_font).height()),
                   Qt.AlignmentFlag.AlignCenter,
                   QFontMetrics(name_font).elidedText(name, Qt.TextElideMode.ElideMiddle, g.cell))
    _legend(p, g.legend, name_font)
    p.end()
    return image


def _legend(p: QPainter, rect: QRect, font: QFont) -> None:
    """A vertical colour bar, green (1) at the top to red (0 and below) at the bottom."""
    gradient = QLinearGradient(rect.topLeft(), rect.bottomLeft())
    gradient.setColorAt(0.0, QColor(*GREEN))
    gradient.setColorAt(0.5, QColor(*YELLOW))
    gradient.setColorAt(1.0, QColor(*RED))
    p.fillRect(rect, gradient)
    p.setPen(QPen(INK, 1))
    p.drawRect(rect)
    p.setFont(font)
    height = QFontMetrics(font).height()
    for frac, text in ((0.0, "1"), (0.5, "0.5"), (1.0, "≤0")):
        y = rect.top() + round(frac * rect.height())
        p.drawLine(rect.right(), y, rect.right() + 4, y)
        p.drawText(QRect(rect.right() + 6, y - height // 2, 60, height),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


# -- per-label bars -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BarsGeometry:
    left: int
    top: int
    row: int
    scale: int          # pixels for a value of 1

    def bar_rect(self, index: int, value: float | None) -> QRect:
        length = 0 if value is None else round(max(0.0, min(1.0, value)) * self.scale)
        return QRect(self.left, self.top + index * self.row + self.row // 6, length,
                     self.row * 2 // 3)


def bars_geometry(report: AgreementReport, size: tuple[int, int]) -> BarsGeometry:
    width, height = size
    font = QFontMetrics(chart_font(_name_pixels(height)))
    title = QFontMetrics(chart_font(max(11, min(18, height // 22)), bold=True)).height() + MARGIN
    label_w = min(width // 3, max((font.horizontalAdvance(x) for x in report.labels),
                                  default=0) + MARGIN)
    rows = max(1, len(report.labels))
    row = max(10, min(48, (height - title - font.height() - 2 * MARGIN) // rows))
    scale = max(10, width - label_w - 2 * MARGIN - font.horizontalAdvance("0.00") - 12)
    return BarsGeometry(MARGIN + label_w, title, row, scale)


def label_bars_image(report: AgreementReport, *, metric: str = "span_f1_exact",
                     size: tuple[int, int] = (520, 440)) -> QImage:
    """One horizontal bar per label: the label's ``metric`` (the mean over pairs; alpha-u of
    all annotators), with its value written after the bar."""
    image = _blank(size)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    _title(p, translate("Charts", "{metric} per label").format(metric=metric_title(metric)),
           *size)
    if not report.labels:
        p.setFont(chart_font(14))
        p.drawText(QRect(0, 0, *size), Qt.AlignmentFlag.AlignCenter,
                   translate("Charts", "No labels"))
        p.end()
        return image
    g = bars_geometry(report, size)
    font = chart_font(_name_pixels(size[1]))
    metrics = QFontMetrics(font)
    p.setFont(font)
    bottom = g.top + len(report.labels) * g.row
    p.setPen(QPen(QColor(200, 200, 200), 1, Qt.PenStyle.DashLine))
    for tick in (0.0, 0.5, 1.0):
        x = g.left + round(tick * g.scale)
        p.drawLine(x, g.top, x, bottom)
    p.setPen(INK)
    for tick in (0.0, 0.5, 1.0):
        x = g.left + round(tick * g.scale)
        p.drawText(QRect(x - 30, bottom + 2, 60, metrics.height()),
                   Qt.AlignmentFlag.AlignCenter, f"{tick:g}")
    for index, label in enumerate(report.labels):
        value = report.per_label[label][metric]
        bar = g.bar_rect(index, value)
        p.fillRect(bar, color(value))
        p.setPen(INK)
        p.drawText(QRect(MARGIN, bar.top(), g.left - MARGIN - 6, bar.height()),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, g.left - MARGIN - 6))
        p.drawText(QRect(bar.right() + 6, bar.top(), 80, bar.height()),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, _text(value))
    p.end()
    return image


# -- both -----------------------------------------------------------------------------------------


def plot_image(report: AgreementReport, *, metric: str = "kappa_char",
               size: tuple[int, int] = (1100, 460)) -> QImage:
    """The heatmap and the label bars side by side, each half the width."""
    image = _blank(size)
    half = size[0] // 2
    p = QPainter(image)
    p.drawImage(QPoint(0, 0), heatmap_image(report, metric=metric, size=(half, size[1])))
    p.drawImage(QPoint(half, 0), label_bars_image(report, metric=metric,
                                                  size=(size[0] - half, size[1])))
    p.end()
    return image


def save_plot(report: AgreementReport, path: Path | str, *, metric: str = "kappa_char",
              size: tuple[int, int] = (1100, 460)) -> None:
    """Write :func:`plot_image` as a PNG of ``size`` pixels, atomically (beside, then renamed)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")          # the suffix names the format
    try:
        if not plot_image(report, metric=metric, size=size).save(str(tmp)):
            raise UserError(f"{path}: could not write the picture")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class AgreementView(QWidget):
    """Both charts for a report, with a combo box choosing the pairwise figure; the pictures are
    drawn again at their new size when the view is resized."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: AgreementReport | None = None
        self.metric_box = QComboBox()
        for name in PAIR_METRICS:
            self.metric_box.addItem(metric_title(name), name)
        self.metric_box.currentIndexChanged.connect(self._render)
        self.heatmap = self._picture()
        self.bars = self._picture()
        pictures = QHBoxLayout()
        pictures.addWidget(self.heatmap)
        pictures.addWidget(self.bars)
        layout = QVBoxLayout(self)
        layout.addWidget(self.metric_box)
        layout.addLayout(pictures, 1)

    @staticmethod
    def _picture() -> QLabel:
        label = QLabel()
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        label.setMinimumSize(160, 140)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def current_metric(self) -> str:
        """The figure shown (QWidget.metric is Qt's, hence the longer name)."""
        return str(self.metric_box.currentData())

    def set_metric(self, metric: str) -> None:
        self.metric_box.setCurrentIndex(self.metric_box.findData(metric))

    def set_report(self, report: AgreementReport | None) -> None:
        self._report = report
        self._render()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            for row in range(self.metric_box.count()):
                self.metric_box.setItemText(row, metric_title(self.metric_box.itemData(row)))
            self._render()

    def _render(self) -> None:
        if self._report is None:
            for label in (self.heatmap, self.bars):
                label.setPixmap(QPixmap())
                label.setText(translate("Charts", "No agreement figures yet"))
            return
        for label, draw in ((self.heatmap, heatmap_image), (self.bars, label_bars_image)):
            size = (max(160, label.width()), max(140, label.height()))
            label.setPixmap(QPixmap.fromImage(draw(self._report, metric=self.current_metric(),
                                                   size=size)))
