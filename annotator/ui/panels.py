"""Side panels: the document queue, the label palette, the span list, the span details, search.

Thin widgets: each shows what its view-model holds and hands every user action to it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
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
    QToolBar,
    QToolButton,
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


def select_row(table: QTableView, row: int) -> None:
    """Select a whole row. (QTableView.selectRow picks the column at the viewport's left edge,
    which in a right-to-left table is past the last column: it selects nothing.)"""
    model = table.model()
    index = model.index(row, 0)
    table.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    table.scrollTo(index)


def swatch(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


# -- queue --------------------------------------------------------------------------------------


class QueueModel(QAbstractTableModel):
    HEADERS = ("العنوان Title", "الحالة Status", "مقاطع #")

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
            return f"{item.title}\n{item.external_id}: {item.length} characters, {item.spans} spans"
        if role == Qt.ItemDataRole.UserRole:
            return item.document_id
        return None


class QueuePanel(QWidget):
    open_document = Signal(int)

    def __init__(self, vm: QueueViewModel) -> None:
        super().__init__()
        self.vm = vm
        self._current: int | None = None   # which row to highlight (view state, not data)
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
        self.model.modelReset.connect(self._reselect)

    def _activated(self, index: QModelIndex) -> None:
        self.open_document.emit(self.model.data(index, Qt.ItemDataRole.UserRole))

    def show_current(self, document_id: int) -> None:
        self._current = document_id
        self._reselect()

    def _reselect(self) -> None:
        for row, item in enumerate(self.model.rows):
            if item.document_id == self._current:
                select_row(self.table, row)
                return
        self.table.clearSelection()


# -- label palette -----------------------------------------------------------------------------


class LabelPalette(QToolBar):
    """One button per label: color, Arabic and English name, keys. A tool bar, so that on a
    narrow window the buttons that do not fit move into its overflow menu."""

    label_clicked = Signal(str)

    def __init__(self, schema: Schema) -> None:
        super().__init__("الوسوم Labels")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setMovable(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.buttons: dict[str, QToolButton] = {}
        for label in schema.labels:
            keys = " / ".join(label.keys)
            action = self.addAction(swatch(label.color), f"{label.ar} {label.en} ({keys})")
            action.setToolTip(f"{label.description}\nKeys: {keys}")
            action.triggered.connect(lambda _=False, name=label.name: self.label_clicked.emit(name))
            button = self.widgetForAction(action)
            assert isinstance(button, QToolButton)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.buttons[label.name] = button


# -- span list ---------------------------------------------------------------------------------


class SpanModel(QAbstractTableModel):
    HEADERS = ("الوسم Label", "النص Text", "سمات Attr.", "علاقات Rel.")
    HEADER_TIPS = ("", "sorted in reading order", "attributes", "relations")
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self.rows: list[Span] = []
        self._relations: dict[int, list[str]] = {}
        self._relation_names: dict[int, str] = {}
        vm.document_opened.connect(self.reload)
        vm.spans_changed.connect(lambda _ranges: self.reload())
        vm.relations_changed.connect(self.reload)

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.vm.spans.all()
        self._relations = {span.id or 0: self.vm.describe_relations(span.id or 0)
                           for span in self.rows}
        self._relation_names = {
            span.id or 0: "، ".join(self.vm.describe_relations(span.id or 0, with_text=False))
            for span in self.rows}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS[section] or None
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        span = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self.schema.label(span.label).ar   # the color and the tooltip say the rest
            if column == 1:
                return span.text if len(span.text) <= 80 else span.text[:79] + "…"
            if column == 2:
                return ", ".join(str(v) for _, v in sorted(span.attributes.items()))
            return self._relation_names.get(span.id or 0, "")
        if role == self.SORT_ROLE:
            # the text column sorts in reading order; the others by their text, then position
            shown = self.data(index, Qt.ItemDataRole.DisplayRole)
            return (span.start, -span.end) if column == 1 else (shown, span.start)
        if role == Qt.ItemDataRole.ToolTipRole:
            label = self.schema.label(span.label)
            lines = [f"{label.ar} {label.en}: {span.text}", *(f"{k} = {v}" for k, v in sorted(span.attributes.items())),
                     *self._relations.get(span.id or 0, [])]
            if span.note:
                lines.append(f"ملاحظة Note: {span.note}")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return swatch(self.schema.label(span.label).color)
        if role == Qt.ItemDataRole.UserRole:
            return span.id
        return None


class SpanSortProxy(QSortFilterProxyModel):
    """Sorts by SpanModel.SORT_ROLE (tuples, which Qt's own comparison does not order)."""

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        return bool(left.data(SpanModel.SORT_ROLE) < right.data(SpanModel.SORT_ROLE))


class SpanList(QTableView):
    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.source = SpanModel(vm, schema)
        self.proxy = SpanSortProxy()
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(2, 62)
        header.resizeSection(3, 92)
        self.activated.connect(self._jump)
        self.clicked.connect(self._jump)
        vm.selection_changed.connect(self.show_selected)
        self.source.modelReset.connect(lambda: self.show_selected(vm.selected))

    def _jump(self, index: QModelIndex) -> None:
        self.vm.pick(self.proxy.data(index, Qt.ItemDataRole.UserRole))

    def row_of(self, span_id: int | None) -> int | None:
        """The row (as sorted on screen) that shows span ``span_id``."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(row, 0), Qt.ItemDataRole.UserRole) == span_id:
                return row
        return None

    def show_selected(self, span_id: int | None) -> None:
        row = self.row_of(span_id) if span_id is not None else None
        if row is None:
            self.clearSelection()
            return
        select_row(self, row)


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
        for relation, other_id, text in self.vm.relation_lines(span.id or 0):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (relation.id, other_id))
            self.relations.addItem(item)

    def _attribute(self, name: str, combo: QComboBox) -> None:
        self.vm.choose_attribute(name, combo.currentData())

    def _jump(self, item: QListWidgetItem) -> None:
        _relation_id, other_id = item.data(Qt.ItemDataRole.UserRole)
        self.vm.select(other_id)

    def _remove_relation(self) -> None:
        item = self.relations.currentItem()
        if item is not None:
            relation_id, _other = item.data(Qt.ItemDataRole.UserRole)
            self.vm.delete_relation(relation_id)


# -- search ------------------------------------------------------------------------------------


class QueryEdit(QLineEdit):
    """The search field: Enter goes to the next hit, Shift+Enter to the previous one."""

    step = Signal(int)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            back = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.step.emit(-1 if back else 1)
            event.accept()
            return
        super().keyPressEvent(event)


class SearchBar(QWidget):
    label_all = Signal(str)
    closed = Signal()

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.query = QueryEdit(placeholderText="بحث Search (ء/أ/ا، ى/ي، ة/ه، الحركات تهمل)")
        self.query.setClearButtonEnabled(True)
        self.count = QLabel("")
        self.previous = QPushButton("السابق Previous")
        self.next = QPushButton("التالي Next")
        self.previous.setToolTip("Shift+Enter")
        self.next.setToolTip("Enter")
        self.label = QComboBox()
        for label in schema.labels:
            self.label.addItem(swatch(label.color), f"{label.ar} {label.en}", label.name)
        self.apply = QPushButton("وسم الكل Label all hits…")
        close = QPushButton("إغلاق Close")
        close.setToolTip("Esc")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (self.query, self.count, self.previous, self.next, self.label, self.apply, close):
            layout.addWidget(widget, 1 if widget is self.query else 0)
        self.query.textChanged.connect(vm.search)
        self.query.step.connect(vm.next_hit)
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
