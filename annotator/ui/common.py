"""Small pieces the window's panels share: translated table headers, status names and icons,
color swatches, whole-row selection, and the delegate that keeps Arabic text right to left.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

from annotator.core.model import SetStatus

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


def swatch(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


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


def select_row(table: QTableView, row: int) -> None:
    """Select a whole row. (QTableView.selectRow picks the column at the viewport's left edge,
    which in a right-to-left table is past the last column: it selects nothing.)"""
    model = table.model()
    index = model.index(row, 0)
    table.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    table.scrollTo(index)


class Table(QAbstractTableModel):
    """A table model whose column headers (and their tooltips) are in the interface language:
    :meth:`headers` and :meth:`header_tips` translate on every call; :meth:`retranslate`
    tells the views the words changed."""

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def header_tips(self) -> tuple[str, ...]:
        return ("",) * len(self.headers())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tips()[section] or None
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))


class RightToLeftText(QStyledItemDelegate):
    """Cells of Arabic text (titles, span text): right to left and right-aligned whatever the
    interface language, so that an English window shows them as an Arabic reader expects."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.direction = Qt.LayoutDirection.RightToLeft
        option.displayAlignment = (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute
                                   | Qt.AlignmentFlag.AlignVCenter)
