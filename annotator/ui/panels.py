"""Side panels: the document queue, the label palette, the span list, the span details, search.

Thin widgets: each shows what its view-model holds and hands every user action to it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QPixmap, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import SetStatus, Span
from annotator.core.schema import Schema
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.queue import QueueViewModel

STATUS_NAMES = {SetStatus.TODO: "للعمل todo", SetStatus.IN_PROGRESS: "جار in progress",
                SetStatus.DONE: "منجز done", SetStatus.SKIPPED: "متروك skipped"}
Index = QModelIndex | QPersistentModelIndex


def swatch(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


# -- queue --------------------------------------------------------------------------------------


class QueueModel(QAbstractTableModel):
    HEADERS = ("العنوان Title", "الحالة Status", "مقاطع Spans")

    def __init__(self, vm: QueueViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.rows = vm.visible()
        vm.changed.connect(self.reload)

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.vm.visible()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        item = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.title, STATUS_NAMES[item.status], item.spans)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.external_id} — {item.length} characters"
        if role == Qt.ItemDataRole.UserRole:
            return item.document_id
        return None


class QueuePanel(QWidget):
    open_document = Signal(int)

    def __init__(self, vm: QueueViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.filter = QLineEdit(placeholderText="تصفية Filter…")
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.addItem("الكل All", None)
        for status, name in STATUS_NAMES.items():
            self.status.addItem(name, status.value)
        self.table = QTableView()
        self.model = QueueModel(vm)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
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

    def _activated(self, index: QModelIndex) -> None:
        self.open_document.emit(self.model.data(index, Qt.ItemDataRole.UserRole))

    def show_current(self, document_id: int) -> None:
        for row, item in enumerate(self.model.rows):
            if item.document_id == document_id:
                self.table.selectRow(row)
                return


# -- label palette -----------------------------------------------------------------------------


class LabelPalette(QWidget):
    label_clicked = Signal(str)

    def __init__(self, schema: Schema) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.buttons: dict[str, QPushButton] = {}
        for label in schema.labels:
            keys = " / ".join(label.keys)
            button = QPushButton(swatch(label.color), f"{label.ar}  {label.en}  ({keys})")
            button.setToolTip(f"{label.description}\nKeys: {keys}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, name=label.name: self.label_clicked.emit(name))
            layout.addWidget(button)
            self.buttons[label.name] = button
        layout.addStretch(1)


# -- span list ---------------------------------------------------------------------------------


class SpanModel(QAbstractTableModel):
    HEADERS = ("الوسم Label", "النص Text", "السمات Attributes", "العلاقات Relations", "البداية Start")

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self.rows: list[Span] = []
        self._relations: dict[int, int] = {}
        vm.document_opened.connect(self.reload)
        vm.spans_changed.connect(lambda _ranges: self.reload())
        vm.relations_changed.connect(self.reload)

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.vm.spans.all()
        counts: dict[int, int] = {}
        for relation in self.vm.relations.values():
            counts[relation.head] = counts.get(relation.head, 0) + 1
            counts[relation.tail] = counts.get(relation.tail, 0) + 1
        self._relations = counts
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        span = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                label = self.schema.label(span.label)
                return f"{label.ar} {label.en}"
            if column == 1:
                return span.text if len(span.text) <= 80 else span.text[:79] + "…"
            if column == 2:
                return ", ".join(f"{k}={v}" for k, v in sorted(span.attributes.items()))
            if column == 3:
                return self._relations.get(span.id or 0, 0)
            return span.start
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return swatch(self.schema.label(span.label).color)
        if role == Qt.ItemDataRole.UserRole:
            return span.id
        return None


class SpanList(QTableView):
    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.source = SpanModel(vm, schema)
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.activated.connect(self._jump)
        self.clicked.connect(self._jump)

    def _jump(self, index: QModelIndex) -> None:
        span_id = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if self.vm.pending_relation is not None:
            self.vm.complete_relation(span_id)
        else:
            self.vm.select(span_id)


# -- details -----------------------------------------------------------------------------------


class DetailsPanel(QWidget):
    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self.title = QLabel("لا مقطع مختار — no span selected")
        self.title.setWordWrap(True)
        self.where = QLabel("")
        self.attributes: dict[str, QComboBox] = {}
        form = QFormLayout()
        for attribute in schema.attributes:
            combo = QComboBox()
            combo.addItem("—", None)
            for value, value_ar in zip(attribute.values, attribute.values_ar):
                key = attribute.keys[attribute.values.index(value)] if attribute.keys else ""
                combo.addItem(f"{value_ar} {value}" + (f" ({key})" if key else ""), value)
            combo.activated.connect(lambda _=0, a=attribute.name, c=combo: self._attribute(a, c))
            form.addRow(f"{attribute.ar} {attribute.en}", combo)
            self.attributes[f"{attribute.label}.{attribute.name}"] = combo
        self.note = QLineEdit(placeholderText="ملاحظة Note")
        self.note.editingFinished.connect(lambda: vm.set_note(self.note.text()))
        form.addRow("ملاحظة Note", self.note)
        self.relations = QListWidget()
        self.relations.itemActivated.connect(self._jump)
        self.relations.itemClicked.connect(self._jump)
        buttons = QHBoxLayout()
        for relation in schema.relations:
            button = QPushButton(f"{relation.ar} {relation.en} ({relation.key})")
            button.clicked.connect(lambda _=False, name=relation.name: vm.start_relation(name))
            buttons.addWidget(button)
        self.remove = QPushButton("حذف العلاقة Remove relation")
        self.remove.clicked.connect(self._remove_relation)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(QLabel("العلاقات Relations"))
        layout.addWidget(self.relations)
        layout.addLayout(buttons)
        layout.addWidget(self.remove)
        vm.selection_changed.connect(lambda _id: self.refresh())
        vm.relations_changed.connect(self.refresh)
        vm.document_opened.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        span = self.vm.span(self.vm.selected)
        self.setEnabled(span is not None)
        self.relations.clear()
        if span is None:
            self.title.setText("لا مقطع مختار — no span selected")
            self.where.setText("")
            self.note.setText("")
            for combo in self.attributes.values():
                combo.setCurrentIndex(0)
            return
        label = self.schema.label(span.label)
        self.title.setText(f"{label.ar} {label.en}: {span.text}")
        self.where.setText(f"{span.start}–{span.end}")
        for key, combo in self.attributes.items():
            owner, name = key.split(".", 1)
            combo.setEnabled(owner == span.label)
            index = combo.findData(span.attributes.get(name)) if owner == span.label else 0
            combo.setCurrentIndex(max(index, 0))
        self.note.setText(span.note)
        for relation in self.vm.relations_of(span.id or 0):
            other_id = relation.tail if relation.head == span.id else relation.head
            other = self.vm.span(other_id)
            arrow = "←" if relation.head == span.id else "→"
            kind = self.schema.relation(relation.type)
            item = QListWidgetItem(f"{kind.ar} {kind.en} {arrow} {other.text if other else '?'}")
            item.setData(Qt.ItemDataRole.UserRole, (relation.id, other_id))
            self.relations.addItem(item)

    def _attribute(self, name: str, combo: QComboBox) -> None:
        value = combo.currentData()
        span = self.vm.span(self.vm.selected)
        if span is None:
            return
        if value is None:
            if name in span.attributes:
                self.vm.set_attribute(name, span.attributes[name])  # toggles it off
        else:
            self.vm.set_attribute(name, value)

    def _jump(self, item: QListWidgetItem) -> None:
        _relation_id, other_id = item.data(Qt.ItemDataRole.UserRole)
        self.vm.select(other_id)

    def _remove_relation(self) -> None:
        item = self.relations.currentItem()
        if item is not None:
            relation_id, _other = item.data(Qt.ItemDataRole.UserRole)
            self.vm.delete_relation(relation_id)


# -- search ------------------------------------------------------------------------------------


class SearchBar(QWidget):
    label_all = Signal(str)
    closed = Signal()

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.query = QLineEdit(placeholderText="بحث Search (ء/أ/ا، ى/ي، ة/ه، الحركات تهمل)")
        self.query.setClearButtonEnabled(True)
        self.count = QLabel("")
        self.previous = QPushButton("▲")
        self.next = QPushButton("▼")
        self.label = QComboBox()
        for label in schema.labels:
            self.label.addItem(swatch(label.color), f"{label.ar} {label.en}", label.name)
        self.apply = QPushButton("وسم الكل Label all hits…")
        close = QPushButton("✕")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (self.query, self.count, self.previous, self.next, self.label, self.apply, close):
            layout.addWidget(widget, 1 if widget is self.query else 0)
        self.query.textChanged.connect(vm.search)
        self.query.returnPressed.connect(lambda: vm.next_hit(1))
        self.previous.clicked.connect(lambda: vm.next_hit(-1))
        self.next.clicked.connect(lambda: vm.next_hit(1))
        self.apply.clicked.connect(lambda: self.label_all.emit(self.label.currentData()))
        close.clicked.connect(self.closed.emit)
        vm.hits_changed.connect(self._count)

    def _count(self) -> None:
        hits = self.vm.hits
        if not self.query.text().strip():
            self.count.setText("")
        elif not hits:
            self.count.setText("لا نتائج no hits")
        else:
            self.count.setText(f"{self.vm.hit_index + 1}/{len(hits)}")

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
            return
        super().keyPressEvent(event)
