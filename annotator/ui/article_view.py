"""The article: right-to-left plain text with spans drawn by the highlighter.

Qt positions are UTF-16 code units; everything that leaves this widget is a code point (the
conversion happens here and nowhere else, DESIGN invariant 3).

A span chosen elsewhere (the span list, a relation, Tab to a suggestion) is scrolled into view;
a span clicked in the article is not (the view stays where the reader is).
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
    QMouseEvent,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.core.schema import Schema
from annotator.core.text import Utf16Map
from annotator.ui.common import OpaqueScrollBar
from annotator.ui.highlighter import SpanHighlighter
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.keys import Command, command_for_key


class ArticleView(QPlainTextEdit):
    """Shows the open document; turns mouse and keys into view-model calls."""

    command = Signal(object)  # a keys.Command the window carries out

    def __init__(self, vm: AnnotationViewModel, schema: Schema, parent: QWidget | None = None, *,
                 keys: Callable[..., Command | None] = command_for_key,
                 highlighter: type[SpanHighlighter] = SpanHighlighter) -> None:
        super().__init__(parent)
        self.vm = vm
        self.schema = schema
        self.keys = keys
        self.umap = Utf16Map("")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # lines wrap at the width (anywhere if need be): a horizontal bar would only show a
        # pixel or two of rounding, on some widths
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # moved by every jump to a span, hit or candidate: its tall groove is drawn from a copy
        self.setVerticalScrollBar(OpaqueScrollBar(Qt.Orientation.Vertical, self))
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.document().setUndoRedoEnabled(False)
        self.document().setDocumentMargin(18)
        self.highlighter = highlighter(self.document(), vm, schema)
        self._press: QPoint | None = None
        self._current_hit: tuple[int, int] | None = None
        self._clicking = False
        self._last_selected: list[tuple[int, int]] = []
        #: (the selected span, the blocks last drawn while it was selected): a block drawn
        #: with this selection needs no second drawing when the selection is announced
        self._drawn: tuple[int | None, set[int]] = (None, set())
        self._deferred: list[tuple[int, int]] = []   # to redraw when an action has settled
        self._redraw_generation = 0   # a redraw of every block in slices stops when it changes
        self._redrawing = False       # such a redraw has blocks left to draw
        vm.document_opened.connect(self._show_document)
        vm.spans_changed.connect(self.redraw)
        vm.selection_changed.connect(self._selection_changed)
        vm.pending_changed.connect(self.highlighter.rehighlight)
        vm.hits_changed.connect(self._show_current_hit)
        vm.suggestions_changed.connect(self.redraw)
        vm.suggestion_changed.connect(self._show_current_suggestion)
        vm.settled.connect(self._redraw_deferred)
        if hasattr(vm, "candidates_changed"):   # review mode
            vm.candidates_changed.connect(self.redraw)
            vm.current_changed.connect(self._show_current_candidate)

    # -- text and formatting -------------------------------------------------------------------

    def set_article_font(self, family: str, size: int) -> None:
        font = QFont(family, size)
        self.setFont(font)
        self.document().setDefaultFont(font)

    def zoom(self, steps: int) -> int:
        """Change the point size by ``steps``; returns the new size."""
        font = self.document().defaultFont()
        size = max(8, min(72, font.pointSize() + steps))
        font.setPointSize(size)
        self.setFont(font)
        self.document().setDefaultFont(font)
        return size

    def _show_document(self) -> None:
        text = self.vm.text
        self.umap = Utf16Map(text)
        self.highlighter.set_text_map(self.umap)
        self._drawn = (None, set())
        self._deferred = []
        self._redraw_generation += 1
        self._redrawing = False
        self.highlighter.blockSignals(True)
        self.setPlainText(text)
        self.highlighter.blockSignals(False)
        self._right_to_left()
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _right_to_left(self) -> None:
        """Paragraph direction and alignment (setLayoutDirection alone does not set them).

        QPlainTextEdit lays every block out with the document's default text option and ignores
        block formats (their alignment, direction and line height), so this option is what makes
        each paragraph, one that starts with Latin included, right-to-left and right-aligned.
        Line spacing comes from the Arabic font: Naskh fonts have tall ascent and descent (about
        1.7 times the point size), enough for stacked harakat; QPlainTextEdit has no other way
        to set it (QTextBlockFormat.setLineHeight is ignored).
        """
        document = self.document()
        option = QTextOption(document.defaultTextOption())
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        option.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(option)

    def redraw(self, ranges: list[tuple[int, int]], *, skip: frozenset[int] = frozenset()
               ) -> None:
        """Re-highlight only the blocks that the code-point ranges touch (but those of
        ``skip``). During an editing action, once when it has settled: its changes, the
        selection (and in review the candidates' states and the next candidate) each ask for
        their blocks, often the same one."""
        if self.vm.updating:
            self._deferred += ranges
            return
        document = self.document()
        if len(ranges) > max(64, document.blockCount() // 2):
            self.redraw_all()   # most of the text (a book's suggestions handed back at once)
            return
        selected, drawn = self._drawn
        if selected != self.vm.selected:
            selected, drawn = self._drawn = (self.vm.selected, set())
        seen: set[int] = set(skip)
        for start, end in ranges:
            block = document.findBlock(self.umap.to_utf16(start))
            last = self.umap.to_utf16(max(start, end - 1))
            while block.isValid() and block.position() <= last:
                number = block.blockNumber()
                if number not in seen:
                    seen.add(number)
                    self.highlighter.rehighlightBlock(block)
                    drawn.add(number)
                block = block.next()

    def _redraw_deferred(self) -> None:
        ranges, self._deferred = self._deferred, []
        if ranges:
            self.redraw(ranges)

    #: how long a turn of the event loop draws blocks for :meth:`redraw_all`, past the visible
    #: ones (a count of blocks made turns of 30 ms and more on the book: its paragraphs cost
    #: 0.01 to 0.2 ms each), and how many it draws between looks at the clock
    REDRAW_TURN_S = 0.008
    REDRAW_CHECK = 16
    #: the clock those turns are measured with
    clock: Callable[[], float] = staticmethod(time.perf_counter)

    def redraw_all(self) -> None:
        """Every block again, in one pass over the text (a third of finding and drawing each of
        70,000 ranges' blocks): the visible ones now, the others for a few milliseconds per
        turn of the event loop (all at once took the window away for 0.4 s on a book). A
        document opened meanwhile stops it."""
        self._drawn = (self.vm.selected, set())
        document = self.document()
        block = self.firstVisibleBlock()
        offset, height = self.contentOffset(), self.viewport().height()
        while block.isValid() and \
                self.blockBoundingGeometry(block).translated(offset).top() <= height:
            self.highlighter.rehighlightBlock(block)
            block = block.next()
        shown = (self.firstVisibleBlock().blockNumber(), block.blockNumber() if block.isValid()
                 else document.blockCount())
        self._redraw_generation += 1
        self._redrawing = True
        self._redraw_from(self._redraw_generation, 0, shown)

    @property
    def redrawing(self) -> bool:
        """Whether a redraw of every block (:meth:`redraw_all`) has blocks left to draw on the
        coming turns of the event loop."""
        return self._redrawing

    def _redraw_from(self, generation: int, number: int, shown: tuple[int, int]) -> None:
        if generation != self._redraw_generation:
            return   # another document, or a newer redraw of everything
        document = self.document()
        block = document.findBlockByNumber(number)
        deadline = self.clock() + self.REDRAW_TURN_S
        drawn = 0
        while block.isValid():
            if not shown[0] <= block.blockNumber() < shown[1]:
                self.highlighter.rehighlightBlock(block)
            block = block.next()
            drawn += 1
            if drawn % self.REDRAW_CHECK == 0 and self.clock() >= deadline:
                break
        if block.isValid():
            following = block.blockNumber()
            QTimer.singleShot(0, lambda: self._redraw_from(generation, following, shown))
        else:
            self._redrawing = False

    def _selection_changed(self, span_id: int | None) -> None:
        span = self.vm.span(span_id)
        ranges = [(span.start, span.end)] if span else []
        ranges += self._last_selected
        self._last_selected = [(span.start, span.end)] if span else []
        # a new span is drawn selected when it is added (the view-model selects it first)
        selected, drawn = self._drawn
        self.redraw(ranges, skip=frozenset(drawn) if span_id is not None and selected == span_id
                    else frozenset())
        if span is not None and not self._clicking:
            self.reveal(span.start, span.end)

    def _show_current_candidate(self, index: int | None) -> None:
        candidate = self.vm.candidate(index)  # type: ignore[attr-defined]
        if candidate is not None:
            self.reveal(candidate.start, candidate.end)

    def _show_current_suggestion(self, index: int | None) -> None:
        suggestion = self.vm.offers.get(index)
        if suggestion is not None:
            self.reveal(suggestion.start, suggestion.end)

    def _show_current_hit(self) -> None:
        """Show the current search hit: only its block and the previous current hit's are
        drawn again (a new search redraws its hits through spans_changed, once)."""
        ranges = [self._current_hit] if self._current_hit is not None else []
        self._current_hit = None
        if 0 <= self.vm.hit_index < len(self.vm.hits):
            hit = self.vm.hits[self.vm.hit_index]
            self._current_hit = (hit.start, hit.end)
            ranges.append(self._current_hit)
            self.reveal(hit.start, hit.end)
        self.redraw(ranges)

    def reveal(self, start: int, end: int) -> None:
        """Scroll so the code-point range is visible. A range already in view stays put; one
        out of view comes to the middle of the view, with the text after it in view too (the
        next candidate, the next hit), instead of to the edge it came in by: going through a
        document the view moved a line or two at nearly every step, and each step then read
        at the bottom edge. A range too long for the view's lower half is shown from its end
        back to its start, as far as the view allows."""
        if self._in_view(start, end) or (self._visible(start) and self._visible(end)):
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.umap.to_utf16(start))
        self.setTextCursor(cursor)
        self.centerCursor()
        if self._visible(end):
            return
        cursor.setPosition(self.umap.to_utf16(end))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        cursor.setPosition(self.umap.to_utf16(start))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _in_view(self, start: int, end: int) -> bool:
        """The range lies in one paragraph that is wholly in view (most ranges revealed: one
        look instead of one for each end)."""
        size = len(self.vm.text)
        first, last = self.umap.to_utf16(min(start, size)), self.umap.to_utf16(min(end, size))
        block = self.document().findBlock(first)
        if not block.isVisible() or last > block.position() + block.length() - 1:
            return False
        box = self.blockBoundingGeometry(block).translated(self.contentOffset())
        return box.top() >= 0 and box.bottom() <= self.viewport().height()

    def _visible(self, offset: int) -> bool:
        offset = min(offset, len(self.vm.text))
        # a paragraph wholly in view holds it (no caret placed: that cost 0.3 ms a check)
        block = self.document().findBlock(self.umap.to_utf16(offset))
        box = self.blockBoundingGeometry(block).translated(self.contentOffset())
        if block.isVisible() and box.top() >= 0 and box.bottom() <= self.viewport().height():
            return True
        return self.viewport().rect().contains(self.cursorRect(self._cursor_at(offset)))

    # -- selections in code points ---------------------------------------------------------------

    def selection(self) -> tuple[int, int] | None:
        """The selected range in code points, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._codepoint(cursor.selectionStart()), self._codepoint(cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select a code-point range (programmatic selection, used by tests and search)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.umap.to_utf16(start))
        cursor.setPosition(self.umap.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def offset_at(self, point: QPoint) -> int:
        """The code point of the character under a viewport point.

        ``cursorForPosition`` gives the nearest caret position, which lies between two characters
        (and on wrapped right-to-left lines often one too far, DESIGN section 5); the character
        clicked is the one of the two whose box holds the point.
        """
        caret = self._codepoint(self.cursorForPosition(point).position())
        length = len(self.vm.text)
        for offset in (caret, caret - 1):
            if 0 <= offset < length:
                here = self.cursorRect(self._cursor_at(offset))
                there = self.cursorRect(self._cursor_at(offset + 1))
                same_line = here.top() == there.top()
                low, high = sorted((here.x(), there.x()))
                if same_line and low <= point.x() <= high:
                    return offset
        return max(0, min(caret, length - 1))

    def _cursor_at(self, offset: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.umap.to_utf16(offset))
        return cursor

    def _codepoint(self, position: int) -> int:
        try:
            return self.umap.to_codepoint(position)
        except ValueError:  # inside a surrogate pair: Qt never leaves the caret there, but be safe
            return self.umap.to_codepoint(position - 1)

    # -- events ----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        point = event.position().toPoint()
        if self._press is not None and (point - self._press).manhattanLength() < 4 \
                and not self.textCursor().hasSelection():
            self._clicking = True   # the span clicked is on screen: no scrolling to it
            try:
                self.vm.click(self.offset_at(point))
            finally:
                self._clicking = False
        self._press = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton and self.vm.document is not None:
            description = self.vm.describe_at(self.offset_at(event.position().toPoint()))
            if description:
                QToolTip.showText(event.globalPosition().toPoint(), description, self)
            else:
                QToolTip.hideText()

    def event(self, event: QEvent) -> bool:
        """Tab and Shift+Tab are commands in review mode (next / previous disagreement): they
        must reach the view before Qt moves the focus with them (a read-only text view would)."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            command = self.command_for(event)
            if command is not None:
                self.command.emit(command)
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        command = self.command_for(event)
        if command is not None:
            self.command.emit(command)
            event.accept()
            return
        super().keyPressEvent(event)

    def command_for(self, event: QKeyEvent) -> Command | None:
        return command_for_event(self.keys, self.schema, self.vm, event)


_KEY_NAMES = {Qt.Key.Key_Right: "Right", Qt.Key.Key_Left: "Left", Qt.Key.Key_Delete: "Delete",
              Qt.Key.Key_Backspace: "Backspace", Qt.Key.Key_Escape: "Escape",
              Qt.Key.Key_Tab: "Tab", Qt.Key.Key_Backtab: "Backtab",
              Qt.Key.Key_Return: "Return", Qt.Key.Key_Enter: "Enter"}


def command_for_event(keys: Callable[..., Command | None], schema: Schema,
                      vm: AnnotationViewModel, event: QKeyEvent) -> Command | None:
    """The command a key press means (``keys``: the mode's mapping of keys.py), with the
    selected span's label for the attribute keys."""
    modifiers = event.modifiers()
    selected = vm.span(vm.selected)
    return keys(
        schema, text=event.text(), key=_KEY_NAMES.get(Qt.Key(event.key()), ""),
        alt=bool(modifiers & Qt.KeyboardModifier.AltModifier),
        ctrl=bool(modifiers & Qt.KeyboardModifier.ControlModifier),
        shift=bool(modifiers & Qt.KeyboardModifier.ShiftModifier),
        selected_label=selected.label if selected else None)
