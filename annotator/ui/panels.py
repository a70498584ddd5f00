"""Side panels: the document queue, the label palette, the span list, the span details, search,
and the dialog of the suggesters' outcomes.

Thin widgets: each shows what its view-model holds and hands every user action to it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import SetStatus, Span
from annotator.core.schema import Schema
from annotator.services.suggesting import SuggestionStats
from annotator.ui.article_view import command_for_event
from annotator.ui.flow_layout import FlowLayout
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.keys import Command, command_for_key
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


class _Table(QAbstractTableModel):
    """A table model whose column headers (and their tooltips) are class constants."""

    HEADERS: tuple[str, ...] = ()
    HEADER_TIPS: tuple[str, ...] = ()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS[section] or None
        return None


# -- queue --------------------------------------------------------------------------------------


class QueueModel(_Table):
    HEADERS = ("العنوان Title", "الحالة Status", "#")
    HEADER_TIPS = ("", "", "مقاطع spans")

    def __init__(self, vm: QueueViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.rows = vm.visible()
        vm.changed.connect(self.reload)
        vm.item_changed.connect(self.item_changed)

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.vm.visible()
        self.endResetModel()

    def item_changed(self, document_id: int) -> None:
        """One document's status or count changed: update its row, not the whole list."""
        fresh = {item.document_id: item for item in self.vm.items}
        for row, item in enumerate(self.rows):
            if item.document_id == document_id:
                self.rows[row] = fresh[document_id]
                self.dataChanged.emit(self.index(row, 0), self.index(row, 2))
                return

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.HEADERS)

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

    def __init__(self, vm: Any, *, model: QAbstractTableModel | None = None,
                 statuses: dict[Any, str] | None = None) -> None:
        """The annotator's queue (QueueModel), or another list of documents (review mode) with
        its own model and status names; each row's UserRole is its document id."""
        super().__init__()
        self.vm = vm
        self._current: int | None = None   # which row to highlight (view state, not data)
        self.filter = QLineEdit(placeholderText="تصفية Filter…")
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.addItem("الكل All", None)
        for status, name in (statuses or STATUS_NAMES).items():
            self.status.addItem(name, status.value)
        self.table = QTableView()
        self.model = model if model is not None else QueueModel(vm)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
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


class LabelPalette(QWidget):
    """One button per label: color, Arabic and English name, keys. The buttons flow onto more
    rows when the window is narrow or the schema has many labels: none is ever hidden."""

    label_clicked = Signal(str)

    def __init__(self, schema: Schema) -> None:
        super().__init__()
        layout = FlowLayout(self, spacing=4)
        layout.setContentsMargins(4, 2, 4, 2)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.buttons: dict[str, QToolButton] = {}
        for label in schema.labels:
            keys = " / ".join(label.keys)
            button = QToolButton(self)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIcon(swatch(label.color))
            name = label.en if label.ar == label.en else f"{label.ar} {label.en}"
            button.setText(name + (f" ({keys})" if keys else ""))
            button.setToolTip((label.description or label.name)
                              + (f"\nKeys: {keys}" if keys else ""))
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, name=label.name: self.label_clicked.emit(name))
            layout.addWidget(button)
            self.buttons[label.name] = button


# -- span list ---------------------------------------------------------------------------------


class SpanModel(_Table):
    """The open set's spans as rows, kept sorted by the chosen column.

    A change arrives as (removed, added) spans and moves only those rows (bisect on the sort
    keys): with 20,000 spans, adding one must not re-sort or reset the whole list.
    """

    HEADERS = ("الوسم Label", "النص Text", "سمات Attr.", "علاقات Rel.")
    HEADER_TIPS = ("", "sorted in reading order", "attributes", "relations")

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self._keys: list[tuple[Any, ...]] = []   # ascending sort keys ...
        self._spans: list[Span] = []             # ... and their spans
        self._column = 1
        self._descending = False
        self._relation_names: dict[int, str] = {}
        self._label_names = {label.name: label.ar for label in schema.labels}
        vm.document_opened.connect(self.reload)
        vm.span_rows_changed.connect(self.apply)
        vm.relations_changed.connect(self.relations_changed)

    # -- keeping the rows ------------------------------------------------------------------

    def _key(self, span: Span) -> tuple[Any, ...]:
        place = (span.start, -span.end, span.label, span.id or 0)
        if self._column == 1:
            return place
        if self._column == 0:
            return (self._label_names.get(span.label, span.label), *place)
        if self._column == 2:
            return (self._attributes(span), *place)
        return (self._relation_names.get(span.id or 0, ""), *place)

    @staticmethod
    def _attributes(span: Span) -> str:
        return ", ".join(str(v) for _, v in sorted(span.attributes.items()))

    def _names(self) -> dict[int, str]:
        ids = {end for r in self.vm.relations.values() for end in (r.head, r.tail)}
        return {i: "، ".join(self.vm.describe_relations(i, with_text=False)) for i in ids}

    def _resort(self) -> None:
        pairs = sorted(((self._key(s), s) for s in self.vm.spans.all()), key=lambda p: p[0])
        self._keys = [k for k, _ in pairs]
        self._spans = [s for _, s in pairs]

    def reload(self) -> None:
        self.beginResetModel()
        self._relation_names = self._names()
        self._resort()
        self.endResetModel()

    def _row(self, i: int, size: int | None = None) -> int:
        """The row on screen of internal position ``i``."""
        n = len(self._spans) if size is None else size
        return n - 1 - i if self._descending else i

    def _find(self, span: Span) -> int | None:
        i = bisect_left(self._keys, self._key(span))
        if i < len(self._spans) and self._spans[i].id == span.id:
            return i
        return next((j for j, s in enumerate(self._spans) if s.id == span.id), None)

    def apply(self, removed: list[Span], added: list[Span]) -> None:
        for span in removed:
            i = self._find(span)
            if i is None:
                continue
            row = self._row(i)
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._keys[i], self._spans[i]
            self.endRemoveRows()
        for span in added:
            key = self._key(span)
            i = bisect_left(self._keys, key)
            row = len(self._spans) - i if self._descending else i
            self.beginInsertRows(QModelIndex(), row, row)
            self._keys.insert(i, key)
            self._spans.insert(i, span)
            self.endInsertRows()

    def relations_changed(self) -> None:
        self._relation_names = self._names()
        if self._column == 3:
            self.layoutAboutToBeChanged.emit()
            self._resort()
            self.layoutChanged.emit()
        elif self._spans:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self._spans) - 1, 3))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._resort()
        self.layoutChanged.emit()

    def span_at(self, row: int) -> Span:
        return self._spans[self._row(row)]

    def row_of(self, span_id: int | None) -> int | None:
        span = self.vm.span(span_id)
        i = self._find(span) if span is not None else None
        return self._row(i) if i is not None else None

    # -- the Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.HEADERS)

    def data(self, index: Index, role: int = 0) -> Any:
        span = self.span_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self._label_names.get(span.label, span.label)  # color and tooltip say the rest
            if column == 1:
                return span.text if len(span.text) <= 80 else span.text[:79] + "…"
            if column == 2:
                return self._attributes(span)
            return self._relation_names.get(span.id or 0, "")
        if role == Qt.ItemDataRole.ToolTipRole:
            label = self.schema.label(span.label)
            lines = [f"{label.ar} {label.en}: {span.text}",
                     *(f"{k} = {v}" for k, v in sorted(span.attributes.items())),
                     *self.vm.describe_relations(span.id or 0)]
            if span.note:
                lines.append(f"ملاحظة Note: {span.note}")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return swatch(self.schema.label(span.label).color)
        if role == Qt.ItemDataRole.UserRole:
            return span.id
        return None


class SpanList(QTableView):
    """The spans of the open set. A click (or Enter) selects a span; the article's keys then act
    on it from here too (labels relabel it, Delete removes it, s / v link it, x rejects the
    current suggestion ...): they are handed to the window as commands. Tab, Enter and the
    arrow keys keep their list behaviour."""

    command = Signal(object)   # a keys.Command the window carries out
    #: commands whose keys (Tab, Enter) belong to the list
    LIST_KEYS = frozenset({"suggestion", "accept_suggestion", "accept_all_suggestions", "next",
                           "accept"})

    def __init__(self, vm: AnnotationViewModel, schema: Schema, *,
                 keys: Callable[..., Command | None] = command_for_key) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self.keys = keys
        self.source = SpanModel(vm, schema)
        self.setModel(self.source)
        self.setSortingEnabled(True)
        self.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 70)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(2, 62)
        header.resizeSection(3, 92)
        self.activated.connect(self._jump)
        self.clicked.connect(self._jump)
        vm.selection_changed.connect(self.show_selected)
        self.source.modelReset.connect(lambda: self.show_selected(vm.selected))

    def _jump(self, index: QModelIndex) -> None:
        self.vm.pick(self.source.span_at(index.row()).id)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        command = command_for_event(self.keys, self.schema, self.vm, event)
        if command is not None and command.name not in self.LIST_KEYS:
            self.command.emit(command)
            event.accept()
            return
        super().keyPressEvent(event)

    def row_of(self, span_id: int | None) -> int | None:
        """The row (as sorted on screen) that shows span ``span_id``."""
        return self.source.row_of(span_id)

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
        self.vm.select_span(other_id)

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


# -- suggestion outcomes -----------------------------------------------------------------------


class SuggestionStatsDialog(QDialog):
    """Per suggester: accepted as is, accepted then fixed, rejected, ignored, and the share of
    its proposals taken (reviewers and leads; View -> Suggestion outcomes)."""

    HEADERS = ("المقترح Suggester", "قبل Accepted", "صحح Fixed", "رفض Rejected",
               "أهمل Ignored", "نسبة القبول Taken")

    def __init__(self, stats: SuggestionStats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("أداء الاقتراحات Suggestion outcomes")
        rows = [*stats.rows, stats.total] if stats.rows else []
        self.table = QTableWidget(len(rows), len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            taken = "-" if row.acceptance is None else f"{row.acceptance:.0%}"
            for c, value in enumerate((row.suggester, row.accepted, row.fixed, row.rejected,
                                       row.ignored, taken)):
                item = QTableWidgetItem(str(value))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        note = QLabel(f"{stats.sets} annotation sets of {stats.documents} documents. Fixed: "
                      "accepted, then edited. Ignored: in the stored suggestions (annotator "
                      "suggest) of a set marked done, neither accepted nor rejected."
                      if rows else "No suggestion has been accepted or rejected yet.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 300)
