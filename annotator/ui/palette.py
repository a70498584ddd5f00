"""The label palette: one row of label buttons, the labels in use first, the rest behind "More…".

However many labels the schema offers (hidden labels are not offered), the palette is one row:
the buttons that fit the width show, the labels in use in the open set first (then the others,
in the schema's order), and a "More…" button opens :class:`LabelPicker`, a searchable list of
every offered label (type to filter, Enter applies). The label keys work for every label that
has keys, shown or not: they are read by the article, not by the palette.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Span
from annotator.core.schema import Label, Schema
from annotator.core.search import normalize
from annotator.ui.common import swatch
from annotator.ui.viewmodels.words import in_language, name_of

translate = QCoreApplication.translate
MARGIN = 4
GAP = 4


def button_text(label: Label) -> str:
    """The label's name in the interface language, and its keys."""
    keys = " / ".join(label.keys)
    return name_of(label) + (f" ({keys})" if keys else "")


class LabelPalette(QWidget):
    """One row: a button per offered label that fits (in use first), then "More…"."""

    label_clicked = Signal(str)

    def __init__(self, schema: Schema) -> None:
        super().__init__()
        self.schema = schema
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.labels = {label.name: label for label in schema.offered_labels}
        self.order: list[str] = list(self.labels)
        self.used: Counter[str] = Counter()
        self.buttons: dict[str, QToolButton] = {}
        for label in self.labels.values():
            button = QToolButton(self)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIcon(swatch(label.color))
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, name=label.name: self.label_clicked.emit(name))
            self.buttons[label.name] = button
        self.more = QToolButton(self)
        self.more.setAutoRaise(True)
        self.more.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.more.clicked.connect(self.open_picker)
        self.picker: LabelPicker | None = None
        self.retranslate()

    # -- what shows --------------------------------------------------------------------------

    def follow(self, vm: Any) -> None:
        """Keep the labels in use in ``vm``'s shown set first."""
        vm.document_opened.connect(lambda: self.count_all(vm.spans.all()))
        vm.set_shown.connect(lambda: self.count_all(vm.spans.all()))
        vm.span_rows_changed.connect(self.count_change)

    def count_all(self, spans: Iterable[Span]) -> None:
        self.used = Counter(span.label for span in spans)
        self._reorder()

    def count_change(self, removed: list[Span], added: list[Span]) -> None:
        before = {name for name, n in self.used.items() if n > 0}
        self.used.subtract(span.label for span in removed)
        self.used.update(span.label for span in added)
        if {name for name, n in self.used.items() if n > 0} != before:
            self._reorder()

    def _reorder(self) -> None:
        in_use = [name for name in self.labels if self.used[name] > 0]
        self.order = in_use + [name for name in self.labels if self.used[name] <= 0]
        self._arrange()

    def shown(self) -> list[str]:
        """The labels whose buttons show, in order."""
        return [name for name in self.order if self.buttons[name].isVisibleTo(self)]

    def overflow(self) -> list[str]:
        return [name for name in self.order if not self.buttons[name].isVisibleTo(self)]

    # -- layout: one row ---------------------------------------------------------------------

    def _row_height(self) -> int:
        heights = [b.sizeHint().height() for b in self.buttons.values()]
        return max([self.more.sizeHint().height(), *heights])

    def sizeHint(self) -> QSize:  # noqa: N802
        """The row takes the width it is given (Expanding); it asks for little more than the
        More button, so that however many labels there are, the window can be narrow."""
        return self.minimumSizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.more.sizeHint().width() + 2 * MARGIN, self._row_height() + 2 * MARGIN)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Place the buttons that fit, in order, from the reading side; the others hide."""
        width = self.width() - 2 * MARGIN
        height = self._row_height()
        more = self.more.sizeHint()
        widths = [self.buttons[name].sizeHint().width() for name in self.order]
        fit = len(widths)
        if sum(widths) + GAP * max(0, len(widths) - 1) > width:
            used, fit = more.width() + GAP, 0
            while fit < len(widths) and used + widths[fit] + GAP <= width:
                used += widths[fit] + GAP
                fit += 1
        x = 0
        placed: list[tuple[QWidget, int, int]] = []
        for n, name in enumerate(self.order):
            button = self.buttons[name]
            button.setVisible(n < fit)
            if n < fit:
                placed.append((button, x, widths[n]))
                x += widths[n] + GAP
        self.more.setVisible(fit < len(widths))
        if fit < len(widths):
            self.more.setText(translate("LabelPalette", "More… ({count})").format(
                count=len(widths) - fit))
            placed.append((self.more, x, self.more.sizeHint().width()))
        right_to_left = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        for widget, left, w in placed:
            x0 = self.width() - MARGIN - left - w if right_to_left else MARGIN + left
            widget.setGeometry(QRect(QPoint(x0, MARGIN), QSize(w, height)))

    # -- words -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        for name, button in self.buttons.items():
            label = self.labels[name]
            button.setText(button_text(label))
            keys = " / ".join(label.keys)
            tip = [name_of(label)]
            if label.description and in_language(label.description):
                tip.append(label.description)   # the schema's words: shown in their language
            if keys:
                tip.append(translate("LabelPalette", "Keys: {keys}").format(keys=keys))
            button.setToolTip("\n".join(tip))
        self.more.setText(translate("LabelPalette", "More…"))
        self.more.setToolTip(translate("LabelPalette", "Every label, with a search field"))
        self.updateGeometry()
        self._arrange()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.LayoutDirectionChange:
            self._arrange()

    # -- the picker --------------------------------------------------------------------------

    def open_picker(self) -> LabelPicker:
        """The searchable list of every offered label, under the More button."""
        self.picker = LabelPicker([self.labels[name] for name in self.order], self)
        self.picker.chosen.connect(self.label_clicked.emit)
        corner = self.more.mapToGlobal(QPoint(0, self.more.height()))
        self.picker.move(corner)
        self.picker.show()
        self.picker.search.setFocus()
        return self.picker


class PickerSearch(QLineEdit):
    """The picker's search field: Up and Down move in the list, Enter applies."""

    moved = Signal(int)
    applied = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moved.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.applied.emit()
            return
        super().keyPressEvent(event)


class LabelPicker(QFrame):
    """A popup: a search field over the list of labels. Typing filters (name, Arabic and
    English names, keys; hamza and harakat ignored), Enter applies the highlighted label (the
    first one left when none is), a click applies one, Esc closes."""

    chosen = Signal(str)

    def __init__(self, labels: list[Label], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.labels = labels
        self.search = PickerSearch()
        self.search.setPlaceholderText(translate("LabelPicker", "Search labels…"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        for label in labels:
            item = QListWidgetItem(swatch(label.color), button_text(label))
            item.setData(Qt.ItemDataRole.UserRole, label.name)
            if label.description and in_language(label.description):
                item.setToolTip(label.description)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.search.textChanged.connect(self.filter)
        self.search.moved.connect(self._move)
        self.search.applied.connect(self.apply)
        self.list.itemClicked.connect(lambda _item: self.apply())
        self.list.itemActivated.connect(lambda _item: self.apply())
        self.resize(280, 360)

    @staticmethod
    def _haystack(label: Label) -> str:
        return normalize(" ".join([label.name, label.ar, label.en, *label.keys]))

    def filter(self, text: str) -> None:
        needle = normalize(text.strip())
        first = None
        for row, label in enumerate(self.labels):
            hide = bool(needle) and needle not in self._haystack(label)
            self.list.item(row).setHidden(hide)
            if not hide and first is None:
                first = row
        self.list.setCurrentRow(first if first is not None else -1)

    def visible_labels(self) -> list[str]:
        return [self.labels[row].name for row in range(self.list.count())
                if not self.list.item(row).isHidden()]

    def _move(self, step: int) -> None:
        rows = [row for row in range(self.list.count()) if not self.list.item(row).isHidden()]
        if not rows:
            return
        current = self.list.currentRow()
        here = rows.index(current) if current in rows else -1
        self.list.setCurrentRow(rows[max(0, min(len(rows) - 1, here + step))])

    def apply(self) -> None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return
        self.close()
        self.chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))
