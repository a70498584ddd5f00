"""The span list: the open set's spans as sorted rows, kept in step with every action by
moving only the rows that changed, and drawing only what changed (a book has 20,000 rows).
A click or Enter selects a span; the article's keys act on it from here too.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionSlider,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from annotator.core.model import Span
from annotator.core.schema import Schema
from annotator.ui.article_view import command_for_event
from annotator.ui.common import (
    RIGHT_TO_LEFT_ALIGNMENT,
    Index,
    OpaqueScrollBar,
    StretchColumn,
    Table,
    select_row,
    swatch,
    translate,
)
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.keys import Command, command_for_key
from annotator.ui.viewmodels.words import name_of, short_text, value_name


class SpanModel(Table):
    """The open set's spans as rows, kept sorted by the chosen column.

    A change arrives as (removed, added) spans and moves only those rows (bisect on the sort
    keys): with 20,000 spans, adding one must not re-sort or reset the whole list.
    """

    def __init__(self, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self._keys: list[tuple[Any, ...]] = []   # ascending sort keys ...
        self._spans: list[Span] = []             # ... and their spans
        self._column = 1
        self._descending = False
        self._relation_names: dict[int, str] = {}
        self._label_names = self._names_of_labels()
        vm.document_opened.connect(self.reload)
        vm.set_shown.connect(self.reload)
        vm.span_rows_changed.connect(self.apply)
        vm.relations_changed.connect(self.relations_changed)

    def headers(self) -> tuple[str, ...]:
        return (translate("SpanModel", "Label"), translate("SpanModel", "Text"),
                translate("SpanModel", "Attr."), translate("SpanModel", "Rel."))

    def header_tips(self) -> tuple[str, ...]:
        return ("", translate("SpanModel", "Sorted in reading order"),
                translate("SpanModel", "Attributes"), translate("SpanModel", "Relations"))

    def _names_of_labels(self) -> dict[str, str]:
        return {label.name: name_of(label) for label in self.schema.labels}

    def retranslate(self) -> None:
        """Label and relation names follow the language (and so may their sort order)."""
        self._label_names = self._names_of_labels()
        self._words = None
        self.reload()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

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

    def _attributes(self, span: Span) -> str:
        """The span's attribute values, in the interface language."""
        shown = []
        for name, value in sorted(span.attributes.items()):
            found = [a for a in self.schema.attributes_of(span.label) if a.name == name]
            shown.append(value_name(found[0].values, found[0].values_ar, str(value))
                         if found else str(value))
        return translate("SpanModel", ", ").join(shown)

    def _attribute_lines(self, span: Span) -> list[str]:
        """"Kind: direct" for each attribute the span has, in the interface language."""
        lines = []
        for name, value in sorted(span.attributes.items()):
            found = [a for a in self.schema.attributes_of(span.label) if a.name == name]
            if found:
                attribute = found[0]
                lines.append(f"{name_of(attribute)}: "
                             f"{value_name(attribute.values, attribute.values_ar, str(value))}")
            else:
                lines.append(f"{name}: {value}")
        return lines

    def _names(self) -> dict[int, str]:
        ids = {end for r in self.vm.relations.values() for end in (r.head, r.tail)}
        return {i: "، ".join(self.vm.describe_relations(i, with_text=False)) for i in ids}

    def _resort(self) -> None:
        if self._column == 1:   # reading order: the view-model's index is sorted so already
            pairs: list[tuple[Any, Span]] = list(self.vm.spans.keyed())
        else:
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

    # more rows changed at once than this (label all hits): the list is read again whole
    BULK = 64

    def apply(self, removed: list[Span], added: list[Span]) -> None:
        if len(removed) + len(added) > self.BULK:
            self.reload()   # one reset, not a thousand row insertions each moving the view
            return
        if len(removed) == len(added) == 1 and removed[0].id == added[0].id \
                and self._replace_in_place(removed[0], added[0]):
            return
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

    def _replace_in_place(self, before: Span, after: Span) -> bool:
        """A span changed (relabeled, its attributes or note) and keeps its place in the
        sorted rows: its row changes, the rows around it do not move (no removal and insertion
        that lay out and draw the whole list again)."""
        i = self._find(before)
        if i is None:
            return False
        key = self._key(after)
        if (i > 0 and not self._keys[i - 1] < key) \
                or (i + 1 < len(self._keys) and not key < self._keys[i + 1]):
            return False
        self._keys[i], self._spans[i] = key, after
        row = self._row(i)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True

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

    def shown(self, span: Span, column: int) -> str:
        """The words of ``span``'s cell in ``column``."""
        if column == 0:
            return self._label_names.get(span.label, span.label)  # color and tooltip say the rest
        if column == 1:
            return short_text(span.text, 80)
        if column == 2:
            return self._attributes(span)
        return self._relation_names.get(span.id or 0, "")

    def mark(self, span: Span) -> QIcon:
        """The label's color, shown before its name."""
        return swatch(self.schema.label(span.label).color)

    _ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.UserRole})

    def data(self, index: Index, role: int = 0) -> Any:
        if role not in self._ROLES:   # a view asks ~10 roles per cell on every paint
            return None
        span = self.span_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.shown(span, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            label = self.schema.label(span.label)
            lines = [f"{name_of(label)}: {span.text}", *self._attribute_lines(span),
                     *self.vm.describe_relations(span.id or 0)]
            if span.note:
                lines.append(translate("SpanModel", "Note: {note}").format(note=span.note))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self.mark(span)
        if role == Qt.ItemDataRole.UserRole:
            return span.id
        return None


class SpanCells(QStyledItemDelegate):
    """The span list's cells, filled from the model's rows directly. Qt's delegate asks the
    model for seven roles per cell (text, icon, font, alignment, colors, check state), each a
    call into Python: a list showing 32 cells made 224 calls per paint, with every span added
    or deleted. Here each cell is one call, and looks the same to the pixel: the text cell
    right to left (as :func:`right_to_left` sets it for :class:`RightToLeftText`), the label's
    with its color. The flags and the label's mark are worked out once, not per cell (Qt's
    flags are Python enums: OR-ing them cost a microsecond each). Tooltips and everything else
    still come from :meth:`SpanModel.data`."""

    HAS_TEXT = QStyleOptionViewItem.ViewItemFeature.HasDisplay
    HAS_ICON = QStyleOptionViewItem.ViewItemFeature.HasDecoration
    RIGHT_TO_LEFT = Qt.LayoutDirection.RightToLeft
    ARABIC_ALIGNMENT = RIGHT_TO_LEFT_ALIGNMENT

    def __init__(self, model: SpanModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.model = model
        self._features: dict[tuple[Any, bool], Any] = {}   # (given, with an icon) -> features
        self._marks: dict[tuple[str, int, int], tuple[QIcon, QSize]] = {}
        model.modelReset.connect(self._marks.clear)   # (a reload, another language)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        option.index = index
        option.styleObject = None   # as Qt's: no style animations in item views
        model = self.model
        span = model.span_at(index.row())
        column = index.column()
        given = option.features
        features = self._features.get((given, column == 0))
        if features is None:   # text (an empty one too, as Qt's), and the label's mark
            features = given | self.HAS_TEXT
            if column == 0:
                features |= self.HAS_ICON
            self._features[(given, column == 0)] = features
        option.features = features
        option.text = model.shown(span, column).replace("\n", "\u2028")   # as displayText
        if column == 0:
            size = option.decorationSize
            key = (span.label, size.width(), size.height())
            mark = self._marks.get(key)
            if mark is None:
                icon = model.mark(span)
                actual = icon.actualSize(size)   # one size in every mode
                mark = self._marks[key] = (icon, QSize(min(size.width(), actual.width()),
                                                       min(size.height(), actual.height())))
            option.icon, option.decorationSize = mark
        elif column == 1:   # right_to_left(option), inline
            option.direction = self.RIGHT_TO_LEFT
            option.displayAlignment = self.ARABIC_ALIGNMENT


class SteadyScrollBar(OpaqueScrollBar):
    """A scroll bar drawn again only when what it shows changes. A list of 20,000 spans gains
    or loses a row with every span added or deleted: its slider moves by less than a pixel, but
    Qt redraws a scroll bar on every change of its range."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget) -> None:
        super().__init__(orientation, parent)
        self._shown: tuple[Any, ...] | None = None   # the look at the last paint

    def _look(self) -> tuple[Any, ...]:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        slider = self.style().subControlRect(QStyle.ComplexControl.CC_ScrollBar, option,
                                             QStyle.SubControl.SC_ScrollBarSlider, self)
        return (slider.getRect(), self.value() == self.minimum(),
                self.value() == self.maximum(), self.isEnabled())

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:  # noqa: N802
        if change == QAbstractSlider.SliderChange.SliderRangeChange \
                and self._shown is not None and self._look() == self._shown:
            return   # the same slider in the same place: nothing to draw
        super().sliderChange(change)

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        self._shown = self._look()
        super().paintEvent(event)


class StillHeader(QHeaderView):
    """The span list's column header: clickable to sort, but it does not mark the columns of
    the selected row, so it is not drawn again whenever the current row comes and goes (the
    list's current cell appears with every span added and goes with every one deleted)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)

    def currentChanged(self, current: QModelIndex, old: QModelIndex) -> None:  # noqa: N802
        """Only repaints a highlighted section; none is."""

    def selectionChanged(self, selected: Any, deselected: Any) -> None:  # noqa: N802
        """The header shares the list's selection model; it shows no selection."""


class SpanList(QTableView):
    """The spans of the open set. A click (or Enter) selects a span; the article's keys then act
    on it from here too (labels relabel it, Delete removes it, s / v link it, x rejects the
    current suggestion ...): they are handed to the window as commands. Tab, Enter and the
    arrow keys keep their list behaviour."""

    command = Signal(object)   # a keys.Command the window carries out
    # commands whose keys (Tab, Enter) belong to the list
    LIST_KEYS = frozenset({"suggestion", "accept_suggestion", "accept_all_suggestions", "next",
                           "accept", "accept_to_fix"})
    NARROW = 320   # pixels: below, the attribute and relation columns hide

    def __init__(self, vm: AnnotationViewModel, schema: Schema, *,
                 keys: Callable[..., Command | None] = command_for_key) -> None:
        super().__init__()
        self._changed_from: int | None = None   # the first row an insertion or removal moved
        self.vm = vm
        self.schema = schema
        self.keys = keys
        self.source = SpanModel(vm, schema)
        self.setHorizontalHeader(StillHeader(self))
        self.setModel(self.source)
        self.setItemDelegate(SpanCells(self.source, self))
        self.setSortingEnabled(True)
        self.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(24)
        self._fit_label_column()
        header.resizeSection(2, 56)
        header.resizeSection(3, 72)
        self.stretch = StretchColumn(self, 1)   # the text takes what the others leave
        self.setVerticalScrollBar(SteadyScrollBar(Qt.Orientation.Vertical, self))
        # by pixels (a wheel's step stays about a row): a row added at the end of a list scrolled
        # to its end moves the view by one row, drawn by copying the rows that stay (by rows,
        # the view scrolled to its end moved its offset within the layout: every row drawn)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.source.rowsInserted.connect(self._rows_moved)
        self.source.rowsRemoved.connect(self._rows_moved)
        for everything in (self.source.modelReset, self.source.layoutChanged):
            everything.connect(lambda *_: self._rows_moved(None, 0, 0))
        self.activated.connect(self._jump)
        self.clicked.connect(self._jump)
        # rows moved by an action are laid out at once, not by the view's zero timer: its
        # layout came after the action's paint and painted the list a second time
        vm.span_rows_changed.connect(lambda _removed, _added: self.executeDelayedItemsLayout())
        vm.selection_changed.connect(self.show_selected)
        self.source.modelReset.connect(lambda: self.show_selected(vm.selected))

    def _rows_moved(self, _parent: Any, first: int, _last: int) -> None:
        self._changed_from = first if self._changed_from is None else min(first,
                                                                          self._changed_from)

    def doItemsLayout(self) -> None:  # noqa: N802
        """Lay the rows out, then draw again only those an insertion or a removal moved (Qt
        draws every visible row: a row added below the view, or at its end, drew them all).
        When the layout moved the view or changed its size, everything is drawn, as Qt does."""
        first, self._changed_from = self._changed_from, None
        viewport = self.viewport()
        if first is None or viewport.testAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled):
            super().doItemsLayout()
            return
        before = (self.verticalOffset(), self.horizontalOffset(), viewport.size())
        viewport.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, True)
        try:
            super().doItemsLayout()
        finally:
            viewport.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, False)
        if (self.verticalOffset(), self.horizontalOffset(), viewport.size()) != before:
            viewport.update()
            return
        top = max(0, self.rowViewportPosition(first)) if first < self.source.rowCount() else 0
        if top < viewport.height():
            viewport.update(QRect(0, top, viewport.width(), viewport.height() - top))

    def _jump(self, index: QModelIndex) -> None:
        self.vm.pick(self.source.span_at(index.row()).id)

    def _fit_label_column(self) -> None:
        """The label column as wide as the longest label name (of the interface language),
        measured once, not over the rows (a long document has thousands)."""
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(name_of(label)) for label in self.schema.labels),
                     default=40)
        self.horizontalHeader().resizeSection(0, min(140, widest + 14 + 3 * 6))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.source.retranslate()
            self._fit_label_column()
            self.stretch.fit()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        """A narrow list shows the label and the text only (the tooltip and the details say
        the attributes and relations)."""
        super().resizeEvent(event)
        narrow = self.width() < self.NARROW
        for column in (2, 3):
            self.setColumnHidden(column, narrow)
        self.stretch.fit()

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
