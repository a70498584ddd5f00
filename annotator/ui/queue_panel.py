"""The document queue: a filter, a status filter, and the documents with their titles.

The title gets the room: the status is a colored dot before it (its name in the tooltip and in
the status filter, which shows the same dots), the only other column is narrow (the span
count, or the review agreement), and a title too long for its column is elided in the middle
with the whole title in the tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.common import (
    STATUS_COLORS,
    Index,
    RightToLeftText,
    StretchColumn,
    Table,
    dot,
    fit_to_sample,
    select_row,
    status_names,
    translate,
)
from annotator.ui.viewmodels.queue import QueueViewModel


class DocumentListModel(Table):
    """The rows of a DocumentList view-model (the visible ones), kept up to date: a reset when
    the list or the filters change, one row when one document changes."""

    def __init__(self, vm: Any) -> None:
        super().__init__()
        self.vm = vm
        self.rows = vm.visible()
        self._row_of = {item.document_id: row for row, item in enumerate(self.rows)}
        vm.changed.connect(self.reload)
        vm.item_changed.connect(self.item_changed)

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.vm.visible()
        self._row_of = {item.document_id: row for row, item in enumerate(self.rows)}
        self.endResetModel()

    def item_changed(self, document_id: int) -> None:
        """One document's status or count changed: update its row, not the whole list."""
        row = self._row_of.get(document_id)
        item = self.vm.item(document_id)
        if row is not None and item is not None:
            old, self.rows[row] = self.rows[row], item
            # only the count changed (every span added or deleted): the title, elided Arabic
            # and the costliest cell to paint, is not drawn again
            first = 1 if self._same_but_count(old, item) else 0
            self.dataChanged.emit(self.index(row, first), self.index(row, self.columnCount() - 1))

    @staticmethod
    def _same_but_count(old: Any, new: Any) -> bool:
        return (getattr(old, "title", None), getattr(old, "status", None)) == \
            (getattr(new, "title", None), getattr(new, "status", None))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)


class QueueModel(DocumentListModel):
    """The annotator's queue: title (with the status dot) and span count."""

    def __init__(self, vm: QueueViewModel) -> None:
        super().__init__(vm)

    def headers(self) -> tuple[str, ...]:
        return (translate("QueueModel", "Title"), "#")

    def header_tips(self) -> tuple[str, ...]:
        return ("", translate("QueueModel", "Spans"))

    def data(self, index: Index, role: int = 0) -> Any:
        item = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title if index.column() == 0 else item.spans
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return dot(STATUS_COLORS[item.status])
        if role == Qt.ItemDataRole.ToolTipRole:
            return translate("QueueModel", "{title}\n{status} · {id} · characters: {length} · "
                             "spans: {spans}").format(
                title=item.title, status=status_names()[item.status], id=item.external_id,
                length=item.length, spans=item.spans)
        if role == Qt.ItemDataRole.UserRole:
            return item.document_id
        return None


class QueuePanel(QWidget):
    open_document = Signal(int)

    def __init__(self, vm: Any, *, model: Table | None = None,
                 statuses: dict[Any, str] | None = None,
                 colors: dict[Any, str] | None = None) -> None:
        """The annotator's queue (QueueModel), or another list of documents (review mode) with
        its own model, status names (a function of no argument, called again when the
        language changes) and colors; each row's UserRole is its document id."""
        super().__init__()
        self.vm = vm
        self._statuses = statuses or status_names
        self._colors = colors or STATUS_COLORS
        self._current: int | None = None   # which row to highlight (view state, not data)
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status.setMinimumContentsLength(6)
        self.status.addItem("", None)
        for status in self._statuses():
            self.status.addItem(dot(self._colors[status]), "", status.value)
        self.table = QTableView()
        self.model = model if model is not None else QueueModel(vm)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(0, RightToLeftText(self.table))
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        self._fit_columns()
        self.stretch = StretchColumn(self.table, 0)   # the title takes what the count leaves
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.table)
        self.filter.textChanged.connect(lambda text: vm.set_filter(text=text))
        self.status.currentIndexChanged.connect(
            lambda _: vm.set_filter(status=self.status.currentData()))
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        self.model.modelReset.connect(self._reselect)
        self.retranslate()

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(translate("QueuePanel", "Filter…"))
        self.filter.setToolTip(translate("QueuePanel", "Title or id (hamza and harakat ignored)"))
        self.status.setItemText(0, translate("QueuePanel", "All"))
        for n, name in enumerate(self._statuses().values(), start=1):
            self.status.setItemText(n, name)
        self.status.setToolTip(translate("QueuePanel", "Show the documents of one status"))
        self.model.retranslate()
        if hasattr(self, "stretch"):
            self._fit_columns()
            self.stretch.fit()

    def _fit_columns(self) -> None:
        """The count (or agreement) columns as wide as their header or a five-digit number."""
        for column in range(1, self.model.columnCount()):
            fit_to_sample(self.table, column, "88,888")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _activated(self, index: QModelIndex) -> None:
        self.open_document.emit(self.model.data(index, Qt.ItemDataRole.UserRole))

    def show_current(self, document_id: int) -> None:
        self._current = document_id
        self._reselect()

    def _reselect(self) -> None:
        for row, item in enumerate(self.model.rows):  # type: ignore[attr-defined]
            if item.document_id == self._current:
                select_row(self.table, row)
                return
        self.table.clearSelection()

