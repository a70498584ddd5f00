"""Small pieces the window's panels share: translated table headers, status names and icons,
color swatches, whole-row selection, and the delegate that keeps Arabic text right to left.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QHeaderView,
    QProxyStyle,
    QScrollBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionSlider,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from annotator.core.model import SetStatus
from annotator.ui.viewmodels import words

translate = QCoreApplication.translate
Index = QModelIndex | QPersistentModelIndex

#: each status's color in the queue (a dot before the title) and in the status filter
STATUS_COLORS = {SetStatus.TODO: "#b0b0b0", SetStatus.IN_PROGRESS: "#f9a825",
                 SetStatus.DONE: "#2e7d32", SetStatus.SKIPPED: "#8d6e63"}


def status_names() -> dict[SetStatus, str]:
    """An annotation set's status in the interface language."""
    return {SetStatus.TODO: translate("Status", "To do"),
            SetStatus.IN_PROGRESS: translate("Status", "In progress"),
            SetStatus.DONE: translate("Status", "Done"),
            SetStatus.SKIPPED: translate("Status", "Skipped")}


_swatches: dict[tuple[str, int], QIcon] = {}


def swatch(color: str, size: int = 14) -> QIcon:
    """A square of ``color`` (a label's). One icon per color: a list asks for it on every
    paint of every row, and a new pixmap each time also misses Qt's icon cache."""
    if (color, size) not in _swatches:
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(color))
        _swatches[color, size] = QIcon(pixmap)
    return _swatches[color, size]


_dots: dict[str, QIcon] = {}


def dot(color: str, size: int = 12) -> QIcon:
    """A round color mark (a status)."""
    if color not in _dots:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(color).darker(130))
        painter.setBrush(QColor(color))
        painter.drawEllipse(1, 1, size - 2, size - 2)
        painter.end()
        _dots[color] = QIcon(pixmap)
    return _dots[color]


_THE_ROW = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows


def select_row(table: QTableView, row: int) -> None:
    """Select a whole row. (QTableView.selectRow picks the column at the viewport's left edge,
    which in a right-to-left table is past the last column: it selects nothing.)"""
    index = table.model().index(row, 0)
    table.selectionModel().setCurrentIndex(index, _THE_ROW)
    table.scrollTo(index)


class GrooveCache(QProxyStyle):
    """The application's style, but for the groove of a scroll bar, drawn once per look (size,
    state, palette, pixel ratio) and then copied. Fusion fills the groove of a tall scroll bar
    with a gradient: 0.4 ms, most of a list's scroll bar's paint, paid whenever its slider
    moves (every span added to a list of 20,000). The slider, arrows and their hover and press
    states are drawn by the style as before, over the copy."""

    LOOKS = 32   # grooves kept (a few scroll bars, each in a few states and sizes)
    SCROLL_BAR = QStyle.ComplexControl.CC_ScrollBar
    GROOVE = QStyle.SubControl.SC_ScrollBarGroove

    def __init__(self) -> None:
        super().__init__()   # no base style: the application's, whichever it is
        self._grooves: dict[tuple[Any, ...], QPixmap] = {}
        self._rest: dict[Any, Any] = {}   # the parts drawn over a groove, by the parts asked

    def drawComplexControl(self, control: QStyle.ComplexControl, option: Any,  # noqa: N802
                           painter: QPainter, widget: QWidget | None = None) -> None:
        rest = self._rest.get(option.subControls) \
            if control == self.SCROLL_BAR and isinstance(option, QStyleOptionSlider) else None
        if rest is None:
            rest = self._without_groove(control, option)
            if rest is None:
                super().drawComplexControl(control, option, painter, widget)
                return
        size = option.rect.size()
        ratio = painter.device().devicePixelRatioF()
        key = (size.width(), size.height(), option.state, option.direction,
               option.orientation, option.palette.cacheKey(), ratio)
        pixmap = self._grooves.get(key)
        if pixmap is None:
            if len(self._grooves) >= self.LOOKS:
                self._grooves.clear()
            pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            # what lies beneath a scroll bar (its parent's background): the groove's edges are
            # drawn half transparent, and the scroll bar is opaque (nothing is drawn beneath)
            pixmap.fill(option.palette.color(QPalette.ColorRole.Window))
            only = QStyleOptionSlider(option)
            only.rect = QRect(QPoint(0, 0), size)
            only.subControls = self.GROOVE
            drawing = QPainter(pixmap)
            super().drawComplexControl(control, only, drawing, widget)
            drawing.end()
            self._grooves[key] = pixmap
        painter.drawPixmap(option.rect.topLeft(), pixmap)
        others = QStyleOptionSlider(option)
        others.subControls = rest
        super().drawComplexControl(control, others, painter, widget)

    def _without_groove(self, control: QStyle.ComplexControl, option: Any) -> Any:
        """The parts of a scroll bar to draw over its groove's copy (kept for each set of
        parts: Qt's flags are Python enums, slow to combine); None: not a groove to copy."""
        if control != self.SCROLL_BAR or not isinstance(option, QStyleOptionSlider) \
                or not option.subControls & self.GROOVE:
            return None
        rest = self._rest[option.subControls] = option.subControls & ~self.GROOVE
        return rest


_groove_cache: list[GrooveCache] = []   # one, made with the first scroll bar, kept for the app


def groove_cache() -> GrooveCache:
    if not _groove_cache:
        _groove_cache.append(GrooveCache())
    return _groove_cache[0]


class OpaqueScrollBar(QScrollBar):
    """A scroll bar that paints its whole rect (the styles shipped with Qt do): what is beneath
    it (its view, the splitter, the dock) is not drawn again when it repaints. The style's
    polish clears the attribute (as the bar is first polished, and when its style changes); it
    is set again after it. Its groove is drawn from a copy (:class:`GrooveCache`)."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self.setStyle(groove_cache())
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Polish:
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        return handled

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:   # polished again, without a Polish event
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)


class StretchColumn(QObject):
    """Give one column of ``table`` the width its other visible columns leave, as a header's
    Stretch mode does, but only when the view or a column is resized. (A header with a Stretch
    or ResizeToContents section lays out, measures and repaints itself on every change of the
    model: on every span added, a row inserted in a list of thousands; ResizeToContents also
    asks the model for the size of up to 1,000 rows.) Every column stays Interactive."""

    def __init__(self, table: QTableView, column: int) -> None:
        super().__init__(table)
        self.table = table
        self.column = column
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._resized)
        table.viewport().installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != self.column and not header.isSectionHidden(c))
        width = max(header.minimumSectionSize(), self.table.viewport().width() - others)
        if header.sectionSize(self.column) != width:
            header.resizeSection(self.column, width)

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if column != self.column:
            self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


def fit_to_sample(table: QTableView, column: int, sample: str) -> None:
    """A fixed width for ``column``: its header's words or ``sample`` (its widest value, e.g.
    "88,888"), whichever is wider, measured once instead of over the rows."""
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    title = str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
    margin = 2 * table.style().pixelMetric(table.style().PixelMetric.PM_HeaderMargin) + 12
    header.resizeSection(column, max(metrics.horizontalAdvance(sample),
                                     header.fontMetrics().horizontalAdvance(title)) + margin)


class Table(QAbstractTableModel):
    """A table model whose column headers (and their tooltips) are in the interface language:
    :meth:`headers` and :meth:`header_tips` translate; their words are kept per language
    (views ask for the column count dozens of times per paint); :meth:`retranslate` tells the
    views the words changed."""

    _words: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def header_tips(self) -> tuple[str, ...]:
        return ("",) * len(self.headers())

    def _header_words(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        language = words.language()
        if self._words is None or self._words[0] != language:
            self._words = (language, self.headers(), self.header_tips())
        return self._words

    _columns: int | None = None   # as many in every language

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        if self._columns is None:
            self._columns = len(self.headers())
        return self._columns

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._header_words()[1][section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self._header_words()[2][section] or None
        return None

    def retranslate(self) -> None:
        self._words = None
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))


class RightToLeftText(QStyledItemDelegate):
    """Cells of Arabic text (titles, span text): right to left and right-aligned whatever the
    interface language, so that an English window shows them as an Arabic reader expects."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        right_to_left(option)


#: a cell of Arabic text: against the right edge whatever the interface language
RIGHT_TO_LEFT_ALIGNMENT = (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute
                           | Qt.AlignmentFlag.AlignVCenter)


def right_to_left(option: QStyleOptionViewItem) -> None:
    """A cell of Arabic text: right to left and right-aligned whatever the interface language."""
    option.direction = Qt.LayoutDirection.RightToLeft
    option.displayAlignment = RIGHT_TO_LEFT_ALIGNMENT
