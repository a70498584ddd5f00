"""Side panels: the span details, search, and the dialog of the suggesters' outcomes (the span
list is in span_list.py, the queue in queue_panel.py, the label palette in palette.py).

Thin widgets: each shows what its view-model holds and hands every user action to it. Their
words are in the interface language and change with it (``retranslate`` on LanguageChange).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.schema import Schema
from annotator.services.suggesting import SuggestionStats
from annotator.ui.common import (
    swatch,
    translate,
)
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.words import name_of, value_name

# -- details -----------------------------------------------------------------------------------


class DetailsPanel(QWidget):
    """The selected span: label and text, offsets, attributes, note, relations. While another
    person's set is shown (read only) it shows their span and edits nothing."""

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.where = QLabel("")
        for label in (self.title, self.where):   # (what every selection changes) opaque: its
            label.setAutoFillBackground(True)    # repaint does not repaint the panel beneath
        self.attributes: dict[str, QComboBox] = {}
        self._attribute_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for attribute in schema.attributes:
            key = f"{attribute.label}.{attribute.name}"
            combo = QComboBox()
            combo.addItem("—", None)
            for value in attribute.values:
                combo.addItem("", value)
            combo.activated.connect(lambda _=0, a=attribute.name, c=combo: self._attribute(a, c))
            self._attribute_labels[key] = QLabel()
            form.addRow(self._attribute_labels[key], combo)
            self.attributes[key] = combo
        self.note = QLineEdit()
        self.note.editingFinished.connect(lambda: vm.set_note(self.note.text()))
        self.note_label = QLabel()
        form.addRow(self.note_label, self.note)
        self.relations = QListWidget()
        self._relations_shown: list[tuple[int, int, str]] = []
        self.relations.itemActivated.connect(self._jump)
        self.relations.itemClicked.connect(self._jump)
        buttons = QHBoxLayout()
        self.relation_buttons: dict[str, QPushButton] = {}
        for relation in schema.relations:
            button = QPushButton()
            button.clicked.connect(lambda _=False, name=relation.name: vm.start_relation(name))
            buttons.addWidget(button)
            self.relation_buttons[relation.name] = button
        self.remove = QPushButton()
        self.remove.clicked.connect(self._remove_relation)
        self.relations_label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(self.relations_label)
        layout.addWidget(self.relations)
        layout.addLayout(buttons)
        layout.addWidget(self.remove)
        vm.selection_changed.connect(lambda _id: self.refresh())
        vm.relations_changed.connect(self.refresh)
        vm.document_opened.connect(self.refresh)
        vm.set_shown.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        for attribute in self.schema.attributes:
            key = f"{attribute.label}.{attribute.name}"
            self._attribute_labels[key].setText(name_of(attribute))
            combo = self.attributes[key]
            for n, value in enumerate(attribute.values, start=1):
                keys = attribute.keys[n - 1] if attribute.keys else ""
                combo.setItemText(n, value_name(attribute.values, attribute.values_ar, value)
                                  + (f" ({keys})" if keys else ""))
        self.note.setPlaceholderText(translate("DetailsPanel", "Note"))
        self.note_label.setText(translate("DetailsPanel", "Note"))
        self.relations_label.setText(translate("DetailsPanel", "Relations"))
        for relation in self.schema.relations:
            self.relation_buttons[relation.name].setText(f"{name_of(relation)} ({relation.key})")
        self.remove.setText(translate("DetailsPanel", "Remove relation"))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def refresh(self) -> None:
        span = self.vm.span(self.vm.selected)
        self.setEnabled(span is not None)
        editable = self.vm.viewing is None
        lines = self.vm.relation_lines(span.id or 0) if span is not None else []
        shown = [(relation.id, other_id, text) for relation, other_id, text in lines]
        if shown != self._relations_shown:   # the list repaints whenever it is cleared
            self._relations_shown = shown
            self.relations.clear()
            for relation_id, other_id, text in shown:
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (relation_id, other_id))
                self.relations.addItem(item)
        if span is None:
            self.title.setText(translate("DetailsPanel", "No span selected"))
            self.where.setText("")
            if self.note.text():
                self.note.setText("")
            for combo in self.attributes.values():
                combo.setCurrentIndex(0)
            return
        self.title.setText(f"{name_of(self.schema.label(span.label))}: {span.text}")
        self.where.setText(f"{span.start}–{span.end}")
        for key, combo in self.attributes.items():
            owner, name = key.split(".", 1)
            combo.setEnabled(owner == span.label and editable)
            index = combo.findData(span.attributes.get(name)) if owner == span.label else 0
            combo.setCurrentIndex(max(index, 0))
        if self.note.text() != span.note:
            self.note.setText(span.note)
        self.note.setReadOnly(not editable)
        for button in (*self.relation_buttons.values(), self.remove):
            button.setEnabled(editable)

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
        self.schema = schema
        self.query = QueryEdit()
        self.query.setClearButtonEnabled(True)
        self.count = QLabel("")
        self.previous = QPushButton()
        self.next = QPushButton()
        self.previous.setToolTip("Shift+Enter")
        self.next.setToolTip("Enter")
        self.label = QComboBox()
        for label in schema.offered_labels:
            self.label.addItem(swatch(label.color), "", label.name)
        self.apply = QPushButton()
        self.close_button = QPushButton()
        self.close_button.setToolTip("Esc")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (self.query, self.count, self.previous, self.next, self.label, self.apply,
                       self.close_button):
            layout.addWidget(widget, 1 if widget is self.query else 0)
        self.query.textChanged.connect(vm.search)
        self.query.step.connect(vm.next_hit)
        self.previous.clicked.connect(lambda: vm.next_hit(-1))
        self.next.clicked.connect(lambda: vm.next_hit(1))
        self.apply.clicked.connect(lambda: self.label_all.emit(self.label.currentData()))
        self.close_button.clicked.connect(self.closed.emit)
        vm.hits_changed.connect(self._count)
        self.retranslate()

    def retranslate(self) -> None:
        self.query.setPlaceholderText(translate(
            "SearchBar", "Search (hamza, harakat, ى/ي and ة/ه ignored)"))
        self.previous.setText(translate("SearchBar", "Previous"))
        self.next.setText(translate("SearchBar", "Next"))
        for n, label in enumerate(self.schema.offered_labels):
            self.label.setItemText(n, name_of(label))
        self.apply.setText(translate("SearchBar", "Label all hits…"))
        self.close_button.setText(translate("SearchBar", "Close"))
        self._count()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _count(self) -> None:
        hits = self.vm.hits
        if not self.query.text().strip():
            self.count.setText("")
        elif not hits:
            self.count.setText(translate("SearchBar", "No hits"))
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

    def __init__(self, stats: SuggestionStats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SuggestionStatsDialog", "Suggestion outcomes"))
        headers = [translate("SuggestionStatsDialog", "Suggester"),
                   translate("SuggestionStatsDialog", "Accepted"),
                   translate("SuggestionStatsDialog", "Fixed"),
                   translate("SuggestionStatsDialog", "Rejected"),
                   translate("SuggestionStatsDialog", "Ignored"),
                   translate("SuggestionStatsDialog", "Taken")]
        rows = [*stats.rows, stats.total] if stats.rows else []
        self.table = QTableWidget(len(rows), len(headers))
        self.table.setHorizontalHeaderLabels(headers)
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
        note = QLabel(translate(
            "SuggestionStatsDialog", "Annotation sets: {sets}, of documents: {documents}. "
            "Fixed: accepted, then edited. Ignored: in the stored suggestions (annotator "
            "suggest) of a set marked done, neither accepted nor rejected.").format(
                sets=stats.sets, documents=stats.documents)
            if rows else translate("SuggestionStatsDialog",
                                   "No suggestion has been accepted or rejected yet."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 300)
