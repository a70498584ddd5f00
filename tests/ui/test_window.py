"""The annotation window, offscreen: selections by program, mouse and keyboard, every keyboard
action, right-to-left rendering, highlight ranges in UTF-16, and nothing held only by widgets."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor, QTextLayout
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMessageBox,
    QToolTip,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from annotator.core.model import SetStatus
from annotator.db.models import DocumentRow
from annotator.services.project import open_project
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window, configure_app
from annotator.ui.article_view import ArticleView
from annotator.ui.highlighter import FILL_ALPHA, SELECTED_ALPHA
from annotator.ui.main_window import MainWindow
from tests.ui.helpers import (
    ACTOR,
    CUE,
    EMOJI_ID,
    EMOJI_TEXT,
    FRANCE,
    MOSCOW,
    QUOTE,
    RAW_ACTOR,
    RAW_QUOTE,
    SEED_ID,
    SEED_TITLE,
    dump,
    import_documents,
)
from tests.ui.qt_events import EventLog

NO = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
LEFT_BUTTON = Qt.MouseButton.LeftButton


class Opened:
    """A window built like app.run_gui builds it, on a store with the seeds and EMOJI_TEXT."""

    def __init__(self, qtbot: QtBot, url: str, open_document: str,
                 before_show: Callable[[MainWindow], None] | None = None) -> None:
        self.qtbot = qtbot
        self.url = url
        self.window: MainWindow = build_window(
            GuiOptions(db_url=url, open_document=open_document),
            Settings(suggest_on_open=False), "mona")   # suggestions: test_suggestions_window
        if before_show is not None:
            before_show(self.window)
        qtbot.addWidget(self.window)
        self.window.resize(1400, 900)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.view: ArticleView = self.window.article
        self.view.setFocus()
        self.messages: list[str] = []
        self.window.vm.message.connect(self.messages.append)

    @property
    def vm(self) -> Any:
        return self.window.vm

    def spans(self) -> list[tuple[int, int, str, str]]:
        return [(s.start, s.end, s.label, s.text) for s in self.vm.spans.all()]

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO) -> None:
        self.qtbot.keyClick(self.view, key, modifiers)

    def type_text(self, text: str, widget: QWidget | None = None) -> None:
        """Type Arabic as an Arabic keyboard layout sends it (no Latin key code; QTest's
        keyClicks handles Latin-1 only)."""
        for ch in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget or self.view, QKeyEvent(kind, 0, NO, ch))

    def point_for(self, offset: int) -> QPoint:
        """A viewport point whose caret position is the code point ``offset`` (found with
        cursorForPosition and verified, not taken from cursorRect alone: DESIGN section 5)."""
        view = self.view
        u16 = view.umap.to_utf16(offset)
        cursor = QTextCursor(view.document())
        cursor.setPosition(u16)
        rect = view.cursorRect(cursor)
        for dx in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6, -7, 7, -8, 8):
            point = QPoint(rect.x() + dx, rect.center().y())
            if view.cursorForPosition(point).position() == u16:
                return point
        raise AssertionError(f"no point maps back to offset {offset}")

    def starts_a_line(self, offset: int) -> bool:
        """Whether ``offset`` begins a wrapped line (no point maps there: the right edge of the
        line maps to the end of the line before, so a user's drag starts there)."""
        u16 = self.view.umap.to_utf16(offset)
        block = self.view.document().findBlock(u16)
        line = block.layout().lineForTextPosition(u16 - block.position())
        return line.lineNumber() > 0 and line.textStart() == u16 - block.position()

    def drag_range(self, start: int, end: int) -> tuple[int, int]:
        """What a drag over [start, end) really selects: from the end of the line before when
        ``start`` begins a wrapped line (snapping trims that space again)."""
        return (start - 1 if self.starts_a_line(start) else start), end

    def inside(self, offset: int) -> QPoint:
        """A point on the character at ``offset`` (between its caret edges)."""
        a, b = self.point_for(offset), self.point_for(offset + 1)
        assert a.y() == b.y(), "the character is at a line break"
        return QPoint((a.x() + b.x()) // 2, a.y())

    def drag(self, start: int, end: int) -> None:
        a, b = self.point_for(start), self.point_for(end)
        viewport = self.view.viewport()
        self.qtbot.mousePress(viewport, LEFT_BUTTON, NO, a)
        self.qtbot.mouseMove(viewport, QPoint((a.x() + b.x()) // 2, a.y()))
        self.qtbot.mouseMove(viewport, b)
        self.qtbot.mouseRelease(viewport, LEFT_BUTTON, NO, b)

    def click(self, offset: int) -> None:
        self.qtbot.mouseClick(self.view.viewport(), LEFT_BUTTON, NO, self.inside(offset))

    def double_click(self, offset: int) -> None:
        self.qtbot.mouseDClick(self.view.viewport(), LEFT_BUTTON, NO, self.inside(offset))

    def formats(self, block_number: int) -> list[tuple[int, int, Any]]:
        """The highlighter's format ranges of one block, in document UTF-16 positions."""
        block = self.view.document().findBlockByNumber(block_number)
        return [(block.position() + r.start, block.position() + r.start + r.length,
                 QTextCharFormat(r.format)) for r in block.layout().formats()]


@pytest.fixture
def make(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Any]:
    configure_app(qapp)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    docs = import_documents(store, tmp_path)
    assert set(docs) == {SEED_ID, EMOJI_ID}
    store.close()
    opened: list[Opened] = []

    def _make(document: str = EMOJI_ID,
              before_show: Callable[[MainWindow], None] | None = None) -> Opened:
        opened.append(Opened(qtbot, url, document, before_show))
        return opened[-1]

    yield _make
    for item in opened:
        item.window.close()
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


@pytest.fixture
def emoji(make: Any) -> Opened:
    return make(EMOJI_ID)


@pytest.fixture
def seed(make: Any) -> Opened:
    return make(SEED_ID)


# -- selections -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("document", "raw", "label", "expected"), [
    (EMOJI_ID, RAW_ACTOR, "actor", (*ACTOR, "الرئيس الروسي")),
    (EMOJI_ID, RAW_QUOTE, "quote", (*QUOTE, "التعاون مع فرنسا ضروري جدا")),
    (EMOJI_ID, (FRANCE[0] + 1, FRANCE[1] - 2), "location", (*FRANCE, "فرنسا")),
    (SEED_ID, (122, 128), "actor", (123, 128, "فرنسا")),           # وفرنسا
    (SEED_ID, (52, 63), "actor", (52, 63, "وزير الدفاع")),          # no clitic: kept
])
def test_a_programmatic_selection_is_snapped_and_labeled_by_key(
        make: Any, document: str, raw: tuple[int, int], label: str,
        expected: tuple[int, int, str]) -> None:
    opened = make(document)
    opened.view.select_range(*raw)
    assert opened.view.selection() == raw
    opened.key({"actor": Qt.Key.Key_A, "quote": Qt.Key.Key_Q, "location": Qt.Key.Key_L}[label])
    assert opened.spans() == [(*expected[:2], label, expected[2])]
    assert opened.view.selection() is None                       # the selection is used up


@pytest.mark.parametrize(("document", "raw", "key", "expected"), [
    (EMOJI_ID, RAW_ACTOR, Qt.Key.Key_2, (*ACTOR, "actor")),
    (EMOJI_ID, RAW_QUOTE, Qt.Key.Key_1, (*QUOTE, "quote")),
    (EMOJI_ID, MOSCOW[1], Qt.Key.Key_3, (*MOSCOW[1], "location")),
    (SEED_ID, (122, 128), Qt.Key.Key_2, (123, 128, "actor")),
    (SEED_ID, (294, 378), Qt.Key.Key_1, (294, 378, "quote")),      # across a line wrap
])
def test_a_mouse_drag_selects_code_points(make: Any, document: str, raw: tuple[int, int],
                                          key: Qt.Key, expected: tuple[int, int, str]) -> None:
    opened = make(document)
    made = opened.drag_range(*raw)
    opened.drag(*made)
    assert opened.view.selection() == made
    opened.key(key)
    assert [s[:3] for s in opened.spans()] == [expected]


@pytest.mark.parametrize(("document", "offset", "selected", "key", "expected"), [
    (SEED_ID, 289, (287, 292), Qt.Key.Key_A, (287, 292, "actor", "شويغو")),
    (EMOJI_ID, FRANCE[0] + 2, FRANCE, Qt.Key.Key_L, (*FRANCE, "location", "فرنسا")),
    # بموسكو: Qt selects the whole word, snapping leaves out the ب for a location
    (EMOJI_ID, MOSCOW[2][0] + 2, (MOSCOW[2][0] - 1, MOSCOW[2][1]), Qt.Key.Key_L,
     (*MOSCOW[2], "location", "موسكو")),
    # قالَ with its fatha: the haraka stays with its letter
    (EMOJI_ID, 25, (24, 28), Qt.Key.Key_C, (24, 28, "cue", "قالَ")),
])
def test_a_double_click_selects_a_word(make: Any, document: str, offset: int,
                                       selected: tuple[int, int], key: Qt.Key,
                                       expected: tuple[int, int, str, str]) -> None:
    opened = make(document)
    opened.double_click(offset)
    assert opened.view.selection() == selected
    opened.key(key)
    assert opened.spans() == [expected]


def test_shift_arrows_select_and_the_arabic_layout_labels(emoji: Opened) -> None:
    cursor = emoji.view.textCursor()
    cursor.setPosition(emoji.view.umap.to_utf16(RAW_ACTOR[0]))
    emoji.view.setTextCursor(cursor)
    # in right-to-left text Shift+Left extends towards the end of the line
    for _ in range(RAW_ACTOR[1] - RAW_ACTOR[0] - 2):
        emoji.key(Qt.Key.Key_Left, SHIFT)
    assert emoji.view.selection() == (RAW_ACTOR[0], RAW_ACTOR[1] - 2)
    emoji.type_text("ش")                       # a, typed with the Arabic layout
    assert emoji.spans() == [(*ACTOR, "actor", "الرئيس الروسي")]


def test_the_palette_labels_the_selection(emoji: Opened, qtbot: QtBot) -> None:
    emoji.view.select_range(*RAW_QUOTE)
    qtbot.mouseClick(emoji.window.palette_bar.buttons["quote"], LEFT_BUTTON)
    assert emoji.spans() == [(*QUOTE, "quote", EMOJI_TEXT[slice(*QUOTE)])]
    assert emoji.vm.selected == emoji.vm.spans.all()[0].id
    assert emoji.window.palette_bar.buttons["quote"].text() == "Quote (q / 1)"


# -- keyboard actions -------------------------------------------------------------------------------


def test_every_keyboard_action_goes_through_the_article(emoji: Opened) -> None:
    vm, store_url = emoji.vm, emoji.url
    emoji.view.select_range(*RAW_QUOTE)
    emoji.key(Qt.Key.Key_Q)
    quote = vm.span(vm.selected)
    emoji.key(Qt.Key.Key_D)
    assert vm.span(quote.id).attributes == {"kind": "direct"}
    emoji.key(Qt.Key.Key_I)
    assert vm.span(quote.id).attributes == {"kind": "indirect"}
    emoji.key(Qt.Key.Key_P)
    emoji.key(Qt.Key.Key_P)                    # the same key again clears it
    assert vm.span(quote.id).attributes == {}
    emoji.key(Qt.Key.Key_D)

    emoji.view.select_range(*RAW_ACTOR)
    emoji.key(Qt.Key.Key_A)
    actor = vm.span(vm.selected)
    assert (actor.start, actor.end) == ACTOR
    # Alt+Left grows the end by a word, Alt+Shift+Right shrinks the start by a word,
    # Alt+Ctrl+Shift+Left shrinks the end by a letter, Alt+Ctrl+Left grows it back
    emoji.key(Qt.Key.Key_Left, ALT)
    assert vm.span(actor.id).text == "الرئيس الروسي فلاديمير"
    emoji.key(Qt.Key.Key_Right, ALT | SHIFT)
    assert vm.span(actor.id).text == "الروسي فلاديمير"
    emoji.key(Qt.Key.Key_Left, ALT | SHIFT | CTRL)
    assert vm.span(actor.id).text == "الروسي فلاديمي"
    emoji.key(Qt.Key.Key_Left, ALT | CTRL)
    emoji.key(Qt.Key.Key_Right, ALT)
    assert (vm.span(actor.id).start, vm.span(actor.id).end) == (RAW_ACTOR[0], 68)
    emoji.key(Qt.Key.Key_Right, ALT | SHIFT | CTRL)
    assert vm.span(actor.id).text == "الرئيس الروسي فلاديمير"

    # a click selects a span; s starts said_by; a click on the actor completes it
    emoji.click(QUOTE[0] + 3)
    assert vm.selected == quote.id
    emoji.key(Qt.Key.Key_S)
    assert vm.pending_relation == "said_by"
    emoji.click(ACTOR[0] + 2)
    (said_by,) = vm.relations.values()
    assert (said_by.type, said_by.head, said_by.tail) == ("said_by", quote.id, actor.id)
    assert emoji.window.details.relations.item(0).text() == "Said by: الرئيس الروسي فلاديمير"
    # v starts a cue relation; Esc cancels it
    emoji.click(QUOTE[0] + 3)
    emoji.key(Qt.Key.Key_V)
    assert vm.pending_relation == "cue"
    emoji.key(Qt.Key.Key_Escape)
    assert vm.pending_relation is None and len(vm.relations) == 1

    # a nested location; a label key relabels the selected span; Delete removes it
    emoji.view.select_range(*FRANCE)
    emoji.key(Qt.Key.Key_L)
    france = vm.span(vm.selected)
    emoji.click(FRANCE[0] + 1)                 # the innermost span under the click
    assert vm.selected == france.id
    emoji.key(Qt.Key.Key_2)
    assert vm.span(france.id).label == "actor"
    emoji.key(Qt.Key.Key_Delete)
    assert france.id not in vm.spans and vm.selected is None

    # undo (Ctrl+Z) and redo (Ctrl+Shift+Z, Ctrl+Y), with the store following
    before_delete = dump_of(store_url)
    emoji.key(Qt.Key.Key_Z, CTRL)
    assert vm.span(france.id).label == "actor"
    emoji.key(Qt.Key.Key_Z, CTRL)
    assert vm.span(france.id).label == "location"
    emoji.key(Qt.Key.Key_Z, CTRL | SHIFT)
    assert vm.span(france.id).label == "actor"
    emoji.key(Qt.Key.Key_Y, CTRL)
    assert france.id not in vm.spans
    assert dump_of(store_url) == before_delete
    # Esc deselects
    emoji.click(QUOTE[0] + 3)
    emoji.key(Qt.Key.Key_Escape)
    assert vm.selected is None
    assert "select" not in " ".join(emoji.messages)   # no action was refused


def dump_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    store = open_project(url)
    try:
        return dump(store)
    finally:
        store.close()


def test_undo_restores_relations_and_attributes_from_the_keyboard(emoji: Opened) -> None:
    points = [dump_of(emoji.url)]
    emoji.view.select_range(*QUOTE)
    emoji.key(Qt.Key.Key_Q)
    points.append(dump_of(emoji.url))
    emoji.key(Qt.Key.Key_D)
    points.append(dump_of(emoji.url))
    emoji.view.select_range(*ACTOR)
    emoji.key(Qt.Key.Key_A)
    points.append(dump_of(emoji.url))
    emoji.click(QUOTE[0])
    emoji.key(Qt.Key.Key_S)
    emoji.click(ACTOR[0] + 1)
    points.append(dump_of(emoji.url))
    assert len(points[-1]["relation"]) == 1
    for point in reversed(points[:-1]):
        emoji.key(Qt.Key.Key_Z, CTRL)
        assert dump_of(emoji.url) == point
    for point in points[1:]:
        emoji.key(Qt.Key.Key_Y, CTRL)
        assert dump_of(emoji.url) == point


def test_search_highlights_every_hit_and_labels_all_in_one_step(
        emoji: Opened, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def answer(_parent: Any, _title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window, vm = emoji.window, emoji.vm
    emoji.key(Qt.Key.Key_F, CTRL)
    bar = window.search_bar
    assert bar.isVisible() and bar.query.hasFocus()
    emoji.type_text("موسكو", bar.query)
    assert [(h.start, h.end) for h in vm.hits] == list(MOSCOW)
    assert bar.count.text() == "1/3"
    # every hit is drawn: a background on exactly its UTF-16 range
    u16 = emoji.view.umap.to_utf16
    backgrounds = [(a, b) for a, b, f in emoji.formats(0) + emoji.formats(1)
                   if f.background().style() != Qt.BrushStyle.NoBrush]
    assert backgrounds == [(u16(s), u16(e)) for s, e in MOSCOW]
    qtbot.keyClick(bar.query, Qt.Key.Key_Return)
    assert vm.hit_index == 1 and bar.count.text() == "2/3"
    qtbot.keyClick(bar.query, Qt.Key.Key_Return)
    qtbot.keyClick(bar.query, Qt.Key.Key_Return)
    assert vm.hit_index == 0
    qtbot.keyClick(bar.query, Qt.Key.Key_Return, SHIFT)
    assert vm.hit_index == 2
    bar.label.setCurrentIndex(bar.label.findData("location"))
    qtbot.mouseClick(bar.apply, LEFT_BUTTON)
    assert asked == [("Label the hits as Location? Hits: 3\n\n18–23  موسكو\n83–88  موسكو\n"
                      "146–151  موسكو")]
    assert [s[:3] for s in emoji.spans()] == [(*m, "location") for m in MOSCOW]
    emoji.view.setFocus()
    emoji.key(Qt.Key.Key_Z, CTRL)              # one step
    assert emoji.spans() == []
    # hamza-insensitive
    bar.query.setFocus()
    bar.query.setText("الاجتماع")
    assert [(h.start, h.end) for h in vm.hits] == [(130, 138), (194, 202)]
    qtbot.keyClick(bar.query, Qt.Key.Key_Escape)
    assert not bar.isVisible() and vm.hits == [] and emoji.view.hasFocus()


def test_ctrl_enter_marks_done_and_opens_the_next_document(emoji: Opened, make: Any) -> None:
    window = emoji.window
    assert window.vm.document.external_id == EMOJI_ID
    emoji.key(Qt.Key.Key_Return, CTRL)
    assert window.vm.document.external_id == SEED_ID
    assert [(i.external_id, i.status) for i in window.queue.items] == [
        (SEED_ID, SetStatus.TODO), (EMOJI_ID, SetStatus.DONE)]
    assert window.progress_label.text() == "Done: 1/2  |  To do"
    assert window.queue_panel.table.selectionModel().selectedRows()[0].row() == 0
    assert [r[4] for r in dump_of(emoji.url)["annotation_set"]] == ["done", "todo"]


def test_zoom_keys_change_the_article_font(emoji: Opened) -> None:
    size = emoji.view.document().defaultFont().pointSize()
    emoji.key(Qt.Key.Key_Plus, CTRL)
    emoji.key(Qt.Key.Key_Equal, CTRL)
    assert emoji.view.document().defaultFont().pointSize() == size + 2
    emoji.key(Qt.Key.Key_Minus, CTRL)
    assert emoji.view.document().defaultFont().pointSize() == size + 1


def test_f6_moves_between_the_panes(emoji: Opened) -> None:
    window = emoji.window
    emoji.key(Qt.Key.Key_F6)
    assert window.queue_panel.table.hasFocus()
    emoji.qtbot.keyClick(window.queue_panel.table, Qt.Key.Key_F6)
    assert window.span_list.hasFocus()
    emoji.qtbot.keyClick(window.span_list, Qt.Key.Key_F6)   # no span selected: details skipped
    assert emoji.view.hasFocus()


# -- panels ---------------------------------------------------------------------------------------


def test_the_span_list_shows_sorts_and_jumps(emoji: Opened, qtbot: QtBot) -> None:
    vm, span_list = emoji.vm, emoji.window.span_list
    for raw, key in ((RAW_QUOTE, Qt.Key.Key_Q), (FRANCE, Qt.Key.Key_L), (ACTOR, Qt.Key.Key_A)):
        emoji.view.select_range(*raw)
        emoji.key(key)
    emoji.key(Qt.Key.Key_Escape)
    emoji.click(QUOTE[0])
    emoji.key(Qt.Key.Key_D)
    emoji.key(Qt.Key.Key_S)
    emoji.click(ACTOR[0])
    model = span_list.model()

    def rows() -> list[list[str]]:
        return [[str(model.index(r, c).data()) for c in range(model.columnCount())]
                for r in range(model.rowCount())]

    assert rows() == [
        ["Actor", "الرئيس الروسي", "", "(Said by)"],
        ["Quote", "التعاون مع فرنسا ضروري جدا", "direct", "Said by"],
        ["Location", "فرنسا", "", ""],
    ]
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == (
        "Quote: التعاون مع فرنسا ضروري جدا\nKind: direct\nSaid by: الرئيس الروسي")
    span_list.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [row[0] for row in rows()] == ["Actor", "Location", "Quote"]
    span_list.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert [row[1] for row in rows()] == ["فرنسا", "التعاون مع فرنسا ضروري جدا", "الرئيس الروسي"]
    # the selected span's row is selected; a click on a row selects its span
    assert span_list.selectionModel().selectedRows()[0].row() == 1
    rect = span_list.visualRect(model.index(0, 1))
    qtbot.mouseClick(span_list.viewport(), LEFT_BUTTON, NO, rect.center())
    assert vm.span(vm.selected).text == "فرنسا"
    details = emoji.window.details
    assert details.title.text() == "Location: فرنسا"
    assert details.where.text() == f"{FRANCE[0]}–{FRANCE[1]}"
    # the kind list of the details sets the attribute of a selected quote
    emoji.click(QUOTE[0])
    combo = details.attributes["quote.kind"]
    assert combo.currentData() == "direct" and combo.isEnabled()
    combo.setCurrentIndex(combo.findData("partial"))
    combo.activated.emit(combo.currentIndex())
    assert vm.span(vm.selected).attributes == {"kind": "partial"}
    details.note.setText("تحقق")
    details.note.editingFinished.emit()
    assert vm.span(vm.selected).note == "تحقق"


def test_the_queue_shows_status_and_counts_and_filters(emoji: Opened, qtbot: QtBot) -> None:
    panel = emoji.window.queue_panel
    emoji.view.select_range(*ACTOR)
    emoji.key(Qt.Key.Key_A)

    def rows() -> list[tuple[str, str, str]]:
        """Title, status (the tooltip's second line starts with it), span count."""
        model = panel.table.model()
        return [(str(model.index(r, 0).data()),
                 str(model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole)).split("\n")[1]
                 .split(" · ")[0],
                 str(model.index(r, 1).data())) for r in range(model.rowCount())]

    assert model_columns(panel) == ["Title", "#"]
    assert rows() == [(SEED_TITLE, "To do", "0"),
                      ("أكّد الرئيسُ 📰 في موسكو", "In progress", "1")]
    emoji.type_text("اكد", panel.filter)
    assert [r[0] for r in rows()] == ["أكّد الرئيسُ 📰 في موسكو"]
    panel.filter.clear()
    panel.status.setCurrentIndex(panel.status.findData("todo"))
    assert [r[0] for r in rows()] == [SEED_TITLE]
    panel.status.setCurrentIndex(0)
    qtbot.mouseClick(panel.table.viewport(), LEFT_BUTTON, NO,
                     panel.table.visualRect(panel.table.model().index(0, 0)).center())
    assert emoji.vm.document.external_id == SEED_ID
    assert emoji.window.user_label.text() == "Annotator: mona"


def test_the_text_columns_take_the_width_the_others_leave_and_adding_relays_no_header(
        emoji: Opened, qtbot: QtBot) -> None:
    """The span list's text column and the queue's title column fill their view (what a
    Stretch header did); the queue's count column is wide enough for "88,888" and its header.
    No header is laid out again when a span is added (a Stretch or ResizeToContents header
    re-measures and repaints on every change of the model)."""
    window = emoji.window
    span_list, table = window.span_list, window.queue_panel.table

    def filled(view: Any, column: int) -> None:
        header = view.horizontalHeader()
        widths = [header.sectionSize(c) for c in range(header.count())
                  if not header.isSectionHidden(c)]
        assert sum(widths) == view.viewport().width(), widths
        assert header.sectionResizeMode(column) == header.ResizeMode.Interactive

    filled(span_list, 1)
    filled(table, 0)
    # the list's scroll bar paints its whole rect, also after the style's polish (which clears
    # the attribute): the dock and splitter beneath it are not drawn with it
    bar = span_list.verticalScrollBar()
    assert bar.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    from PySide6.QtWidgets import QStyleFactory

    from annotator.ui.common import groove_cache

    for style in (QStyleFactory.create("Fusion"), groove_cache()):   # polished again
        bar.setStyle(style)
        assert bar.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    count = table.horizontalHeader().sectionSize(1)
    assert count >= table.fontMetrics().horizontalAdvance("88,888")
    window.resize(window.width() + 120, window.height())
    qtbot.waitUntil(lambda: span_list.viewport().width() > 0)
    QApplication.processEvents()
    filled(span_list, 1)
    filled(table, 0)
    assert table.horizontalHeader().sectionSize(1) == count
    # a user widens the label column: the text column gives way
    header = span_list.horizontalHeader()
    header.resizeSection(0, header.sectionSize(0) + 30)
    filled(span_list, 1)
    resized: list[int] = []
    header.sectionResized.connect(lambda column, *_: resized.append(column))
    table.horizontalHeader().sectionResized.connect(lambda column, *_: resized.append(column))
    painted: list[str] = []

    changed: list[tuple[int, int]] = []
    table.model().dataChanged.connect(lambda top, bottom, *_: changed.append(
        (top.column(), bottom.column())))
    emoji.view.select_range(*ACTOR)
    emoji.key(Qt.Key.Key_A)
    span_list.viewport().repaint()
    QApplication.processEvents()
    assert changed == [(0, 1)]   # to do -> in progress: the status dot and the count
    _log = EventLog(QEvent.Type.Paint, lambda w, _e: w.parent().__class__.__name__,
                    header.viewport(), seen=painted)
    emoji.view.select_range(*FRANCE)
    emoji.key(Qt.Key.Key_L)
    span_list.viewport().repaint()
    QApplication.processEvents()
    assert len(emoji.vm.spans) == 2 and resized == []
    assert changed == [(0, 1), (1, 1)]   # then only the count: the title is not drawn again
    assert emoji.vm.selected is not None and span_list.selectionModel().selectedRows()
    assert painted == []   # the new row is selected: the header is not drawn again
    # a click on a column's header still sorts by it
    qtbot.mouseClick(header.viewport(), LEFT_BUTTON, NO,
                     QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2))
    assert header.sortIndicatorSection() == 0


def test_a_relabeled_span_changes_its_row_in_place(emoji: Opened) -> None:
    """Relabeling (or any change that keeps a span's place in the sorted list) changes its row
    only: no row is removed and inserted, and the row stays selected."""
    vm, span_list = emoji.vm, emoji.window.span_list
    model = span_list.model()
    for raw, key in ((FRANCE, Qt.Key.Key_L), (ACTOR, Qt.Key.Key_A)):
        emoji.view.select_range(*raw)
        emoji.key(key)
    moved: list[str] = []
    model.rowsRemoved.connect(lambda *_: moved.append("removed"))
    model.rowsInserted.connect(lambda *_: moved.append("inserted"))
    changed: list[tuple[int, int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append(
        (top.row(), top.column(), bottom.column())))
    row = span_list.row_of(vm.selected)
    vm.relabel_selected("location")
    assert moved == [] and changed == [(row, 0, 3)]
    assert model.index(row, 0).data() == "Location"
    assert span_list.selectionModel().selectedRows()[0].row() == row
    # sorted by label, a relabel that moves the span to another place moves its row
    span_list.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Location",
                                                                          "Location"]
    second = model.span_at(1)
    vm.select_span(second.id)
    vm.relabel_selected("actor")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Actor", "Location"]
    assert model.span_at(0).id == second.id
    assert moved == ["removed", "inserted"]


def test_table_headers_are_kept_per_language_and_swatches_per_color(emoji: Opened) -> None:
    from annotator.ui.common import swatch

    model = emoji.window.span_list.model()
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Label"
    assert model.columnCount() == 4
    assert swatch("#ff0000") is swatch("#ff0000")
    assert swatch("#ff0000") is not swatch("#00ff00")
    assert swatch("#ff0000").pixmap(14, 14).toImage().pixelColor(7, 7) == QColor("#ff0000")


def model_columns(panel: Any) -> list[str]:
    model = panel.table.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]


# -- rendering -------------------------------------------------------------------------------------


def test_the_article_is_right_to_left_in_an_arabic_font_with_line_spacing(seed: Opened) -> None:
    view = seed.view
    document = view.document()
    family = document.defaultFont().family()
    assert family in ("Noto Naskh Arabic", "Amiri", "Noto Sans Arabic", "Noto Kufi Arabic")
    margin = document.documentMargin()
    right = view.viewport().width() - margin
    # the first character of the first line sits at the right edge
    cursor = QTextCursor(document)
    cursor.setPosition(0)
    assert abs(view.cursorRect(cursor).x() - right) <= 3
    # the title's line ends at the right edge and has text only to its left
    block = document.firstBlock()
    line = block.layout().lineAt(0)
    origin = view.blockBoundingGeometry(block).translated(view.contentOffset())
    assert abs(origin.x() + line.naturalTextRect().right() - right) <= 3
    assert origin.x() + line.naturalTextRect().left() > margin + 50   # short: not left-aligned
    # generous line spacing (the Naskh font's own): 1.6 times the font size or more
    paragraph = document.findBlockByNumber(2).layout()
    assert paragraph.lineCount() > 2
    step = paragraph.lineAt(1).y() - paragraph.lineAt(0).y()
    pixel_size = document.defaultFont().pointSizeF() * view.logicalDpiY() / 72
    assert step >= 1.6 * pixel_size
    assert block.layout().textOption().textDirection() == Qt.LayoutDirection.RightToLeft


def test_a_paragraph_that_starts_with_latin_is_right_aligned_too(emoji: Opened) -> None:
    view = emoji.view
    block = view.document().findBlockByNumber(2)
    assert block.text().startswith("BBC News:")
    right = view.viewport().width() - view.document().documentMargin()
    origin = view.blockBoundingGeometry(block).translated(view.contentOffset())
    first_line = block.layout().lineAt(0)
    assert abs(origin.x() + first_line.naturalTextRect().right() - right) <= 3
    # and it reads right to left: the Arabic after "BBC News:" is left of it
    assert block.layout().textOption().textDirection() == Qt.LayoutDirection.RightToLeft
    latin = view.cursorRect(cursor_at(view, block.position() + 1)).x()
    arabic = view.cursorRect(cursor_at(view, block.position() + 14)).x()
    assert arabic < latin


def cursor_at(view: ArticleView, u16: int) -> QTextCursor:
    cursor = QTextCursor(view.document())
    cursor.setPosition(u16)
    return cursor


def test_the_first_span_added_compiles_no_statement(make: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The window compiles the statements of an action once it shows (not the first action:
    that took three times as long as the others)."""
    from annotator.db import driver
    from annotator.services.annotate import AnnotationService

    monkeypatch.setattr(driver, "_plans", {})
    monkeypatch.setattr(driver, "_prepared", set())
    compiled: list[Any] = []
    compile_ = driver._compile
    monkeypatch.setattr(driver, "_compile", lambda *args: compiled.append(args) or compile_(*args))
    happened: list[Any] = []   # the article's paints and the services that compiled, in order
    prepare = AnnotationService.prepare_writes
    monkeypatch.setattr(AnnotationService, "prepare_writes",
                        lambda service: happened.append(service) or prepare(service))

    watch = EventLog(QEvent.Type.Paint, lambda _w, _e: "paint", seen=happened)
    opened = make(EMOJI_ID, before_show=lambda window: window.article.viewport()
                  .installEventFilter(watch))
    opened.qtbot.waitUntil(lambda: opened.vm.service in happened, timeout=3000)
    # after the first paint, not in its way (a window of an earlier test may compile too)
    assert "paint" in happened[:happened.index(opened.vm.service)]
    assert len(driver._prepared) == len(driver._BUILDERS)
    compiled.clear()
    opened.view.select_range(*RAW_ACTOR)
    opened.key(Qt.Key.Key_A)
    opened.key(Qt.Key.Key_Delete)
    opened.key(Qt.Key.Key_Z, CTRL)
    assert [s[:3] for s in opened.spans()] == [(*ACTOR, "actor")]
    assert compiled == []


def test_the_article_keeps_its_glyphs_and_draws_as_when_shaped_afresh(seed: Opened) -> None:
    """Every paragraph keeps its shaped glyphs (Qt shapes them again at every paint unless its
    layout caches them), and what is drawn after spans are added, relabeled and deleted is to
    the pixel what the same paragraphs give shaped afresh."""
    from PySide6.QtGui import QImage

    view, vm = seed.view, seed.vm
    document = view.document()

    def blocks() -> list[Any]:
        block, found = document.begin(), []
        while block.isValid():
            found.append(block)
            block = block.next()
        return found

    def picture() -> QImage:
        view.viewport().repaint()
        return view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)

    def afresh() -> QImage:
        for block in blocks():
            block.layout().setCacheEnabled(False)
        document.markContentsDirty(0, document.characterCount())   # laid out, shaped again
        QApplication.processEvents()
        shaped = picture()
        view.highlighter.rehighlight()   # and kept again (the highlighter keeps them)
        QApplication.processEvents()
        return shaped

    assert len(blocks()) > 10
    assert all(block.layout().cacheEnabled() for block in blocks())
    vm.label_selection(123, 128, "location")
    vm.label_selection(52, 63, "actor")
    steps = [lambda: None, lambda: vm.relabel_selected("quote"), vm.delete_selected, vm.undo,
             lambda: vm.select_span(None)]
    for number, step in enumerate(steps):
        step()
        kept = picture()
        assert all(block.layout().cacheEnabled() for block in blocks()), number
        assert kept == afresh(), number


def test_highlights_cover_exactly_the_utf16_range_of_each_span(emoji: Opened) -> None:
    view, vm = emoji.view, emoji.vm
    u16 = view.umap.to_utf16
    assert (u16(ACTOR[0]), u16(ACTOR[1])) == (ACTOR[0] + 2, ACTOR[1] + 2)    # two emoji before
    emoji.view.select_range(*ACTOR)
    emoji.key(Qt.Key.Key_A)
    emoji.key(Qt.Key.Key_Escape)
    block = view.document().findBlockByNumber(1)
    ranges = [(a, b) for a, b, f in emoji.formats(1) if f.background().style() != Qt.BrushStyle.NoBrush]
    assert ranges == [(u16(ACTOR[0]), u16(ACTOR[1]))]
    cursor = cursor_at(view, ranges[0][0])
    cursor.setPosition(ranges[0][1], QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "الرئيس الروسي" and block.contains(ranges[0][0])
    # a quote with a location nested in it: the quote is filled, the location underlined
    emoji.view.select_range(*QUOTE)
    emoji.key(Qt.Key.Key_Q)
    emoji.view.select_range(*FRANCE)
    emoji.key(Qt.Key.Key_L)
    emoji.key(Qt.Key.Key_Escape)
    fills = sorted((a, b) for a, b, f in emoji.formats(1)
                   if f.background().style() != Qt.BrushStyle.NoBrush)
    lines = sorted((a, b) for a, b, f in emoji.formats(1)
                   if f.underlineStyle() != f.UnderlineStyle.NoUnderline)
    assert merged(fills) == [(u16(ACTOR[0]), u16(ACTOR[1])), (u16(QUOTE[0]), u16(QUOTE[1]))]
    assert merged(lines) == [(u16(FRANCE[0]), u16(FRANCE[1]))]
    # the colors are the labels' colors
    quote_fill = next(f for a, b, f in emoji.formats(1) if a == u16(QUOTE[0]))
    assert quote_fill.background().color().name() == "#f4b400"
    underline = next(f for a, b, f in emoji.formats(1) if (a, b) == (u16(FRANCE[0]), u16(FRANCE[1])))
    assert underline.underlineColor().name() == "#0f9d58"
    # hover shows every label at that point
    emoji.qtbot.mouseMove(view.viewport(), emoji.inside(FRANCE[0] + 1))
    emoji.qtbot.waitUntil(lambda: QToolTip.isVisible())
    assert QToolTip.text() == vm.describe_at(FRANCE[0] + 1) == (
        "Quote: التعاون مع فرنسا ضروري جدا\nLocation: فرنسا")
    # crossing spans: the one that starts inside the other is underlined, the other filled
    emoji.view.select_range(ACTOR[0] + 7, 68)       # الروسي فلاديمير, across the actor's end
    emoji.key(Qt.Key.Key_L)
    emoji.key(Qt.Key.Key_Escape)
    lines = sorted((a, b) for a, b, f in emoji.formats(1)
                   if f.underlineStyle() != f.UnderlineStyle.NoUnderline)
    fills = sorted((a, b) for a, b, f in emoji.formats(1)
                   if f.background().style() != Qt.BrushStyle.NoBrush)
    assert merged(lines)[0] == (u16(ACTOR[0] + 7), u16(68))
    assert merged(fills)[0] == (u16(ACTOR[0]), u16(ACTOR[1]))
    # deleting a span removes its highlight at once
    emoji.click(FRANCE[0] + 1)
    emoji.key(Qt.Key.Key_Delete)
    assert not [1 for a, b, f in emoji.formats(1) if a >= u16(FRANCE[0]) and b <= u16(FRANCE[1])
                and f.underlineStyle() != f.UnderlineStyle.NoUnderline]


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# -- nothing held only by widgets --------------------------------------------------------------------


def shown(window: MainWindow) -> dict[str, Any]:
    """Everything the window shows that comes from the store."""
    def table(model: Any) -> list[list[Any]]:
        return [[model.index(r, c).data() for c in range(model.columnCount())]
                for r in range(model.rowCount())]

    view = window.article
    formats = []
    block = view.document().firstBlock()
    while block.isValid():
        formats += [(block.position() + r.start, r.length, r.format.background().color().name(),
                     int(r.format.underlineStyle().value), r.format.underlineColor().name())
                    for r in block.layout().formats()]
        block = block.next()
    return {
        "text": view.toPlainText(),
        "spans": table(window.span_list.model()),
        "queue": table(window.queue_panel.table.model()),
        "progress": window.progress_label.text(),
        "formats": formats,
    }


def test_closing_and_reopening_shows_the_same(make: Any) -> None:
    first = make(EMOJI_ID)
    first.view.select_range(*RAW_QUOTE)
    first.key(Qt.Key.Key_Q)
    first.key(Qt.Key.Key_D)
    first.view.select_range(*RAW_ACTOR)
    first.key(Qt.Key.Key_A)
    first.click(QUOTE[0] + 1)
    first.key(Qt.Key.Key_S)
    first.click(ACTOR[0] + 1)
    first.view.select_range(*FRANCE)
    first.key(Qt.Key.Key_L)
    first.key(Qt.Key.Key_Escape)
    first.click(QUOTE[0] + 1)
    details = (first.window.details.title.text(), first.window.details.where.text(),
               first.window.details.attributes["quote.kind"].currentText(),
               [first.window.details.relations.item(i).text()
                for i in range(first.window.details.relations.count())])
    first.key(Qt.Key.Key_Escape)
    before = shown(first.window)
    assert len(before["spans"]) == 3 and before["formats"]
    first.window.close()
    second = make(EMOJI_ID)
    assert shown(second.window) == before
    second.click(QUOTE[0] + 1)
    assert (second.window.details.title.text(), second.window.details.where.text(),
            second.window.details.attributes["quote.kind"].currentText(),
            [second.window.details.relations.item(i).text()
             for i in range(second.window.details.relations.count())]) == details
    assert details[3] == ["Said by: الرئيس الروسي"]


# -- status bar and glyphs ---------------------------------------------------------------------------


def test_the_status_bar_shows_annotator_progress_and_saved_state(emoji: Opened) -> None:
    window = emoji.window
    assert window.user_label.text() == "Annotator: mona"
    assert window.progress_label.text() == "Done: 0/2  |  To do"
    assert window.saved_label.text() == "All saved"
    emoji.view.select_range(*ACTOR)
    emoji.key(Qt.Key.Key_A)
    assert window.saved_label.text().startswith("Saved ")
    assert window.progress_label.text() == "Done: 0/2  |  In progress"


def missing_glyphs(text: str, widget: QWidget) -> list[str]:
    """Characters of ``text`` that no font (with Qt's fallbacks) draws: they show as boxes."""
    layout = QTextLayout(text, widget.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    drawn = sum(len(run.glyphIndexes()) for run in layout.glyphRuns())
    missing = sum(1 for run in layout.glyphRuns() for g in run.glyphIndexes() if g == 0)
    return [text] if missing or (text.strip() and drawn == 0) else []


def test_no_text_in_the_window_shows_a_missing_glyph_box(emoji: Opened) -> None:
    window = emoji.window
    emoji.view.select_range(*ACTOR)
    emoji.key(Qt.Key.Key_A)
    texts: list[tuple[str, QWidget]] = [(window.windowTitle(), window)]
    for widget in window.findChildren(QWidget):
        if isinstance(widget, (QLabel, QAbstractButton)) and widget.text():
            texts.append((widget.text(), widget))
        elif isinstance(widget, QComboBox):
            texts += [(widget.itemText(i), widget) for i in range(widget.count())]
        elif isinstance(widget, QDockWidget):
            texts.append((widget.windowTitle(), widget))
    for menu_action in window.menuBar().actions():
        texts.append((menu_action.text(), window.menuBar()))
        texts += [(a.text(), window.menuBar()) for a in menu_action.menu().actions()]
    assert len(texts) > 30
    assert "👤" not in "".join(t for t, _ in texts)
    bad = [t for text, widget in texts for t in missing_glyphs(text, widget)]
    assert not bad
    # the check can fail: a private-use character, which no font the window has draws (an
    # emoji no longer does: the package ships an emoji font)
    assert missing_glyphs("\ue000 mona", window) == ["\ue000 mona"]
    assert missing_glyphs("👤 mona", window) == []


# -- the gui command ----------------------------------------------------------------------------------


def test_gui_screenshot_renders_offscreen_on_a_new_store(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    png = tmp_path / "shots" / "ui.png"
    run = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), "--user", "mona", "gui",
         "--screenshot", str(png), "--size", "1000x700", "--open", SEED_ID],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"screenshot: {png} (")
    from PySide6.QtGui import QImage
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1000, 700)
    store = open_project(f"sqlite:///{db}")
    try:
        with store.engine.connect() as conn:
            assert list(conn.execute(select(DocumentRow.external_id)).scalars()) == [SEED_ID]
    finally:
        store.close()


def test_gui_open_of_an_unknown_document_is_an_error(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(tmp_path / "s.sqlite3"), "--user", "mona",
         "gui", "--screenshot", str(tmp_path / "x.png"), "--open", "nope"],
        capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "--open nope: no such document" in run.stderr
    assert not (tmp_path / "x.png").exists()


def _redraws(view: ArticleView, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the paragraphs the article highlights again from now on."""
    drawn: list[int] = []
    original = view.highlighter.rehighlightBlock

    def counting(block: Any) -> None:
        drawn.append(block.blockNumber())
        original(block)

    monkeypatch.setattr(view.highlighter, "rehighlightBlock", counting)
    return drawn


def test_a_new_span_is_drawn_once_and_selected(emoji: Opened,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a span selects it: its paragraph is highlighted once, already selected (the
    article no longer drew it plain, then again as selected); the previous selection's
    paragraph is drawn again, plain."""
    view = emoji.view
    drawn = _redraws(view, monkeypatch)
    view.select_range(*CUE)                  # paragraph 1
    emoji.key(Qt.Key.Key_C)
    assert drawn == [1]
    u16 = view.umap.to_utf16
    fill = next(f for a, b, f in emoji.formats(1) if (a, b) == (u16(CUE[0]), u16(CUE[1])))
    assert fill.background().color().alpha() == SELECTED_ALPHA
    drawn.clear()
    view.select_range(*MOSCOW[0])            # paragraph 0; the cue in paragraph 1 unselected
    emoji.key(Qt.Key.Key_L)
    assert sorted(drawn) == [0, 1]
    fill = next(f for a, b, f in emoji.formats(1) if (a, b) == (u16(CUE[0]), u16(CUE[1])))
    assert fill.background().color().alpha() == FILL_ALPHA


def test_every_editing_action_draws_each_paragraph_once_as_a_full_redraw_would(
        emoji: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editing action's paragraphs are highlighted when it has settled, each once (a
    deleted selected span asked for its paragraph twice: the selection gone, the span gone),
    and what is drawn is what drawing every paragraph again gives."""
    view, vm = emoji.view, emoji.vm
    drawn = _redraws(view, monkeypatch)

    def formats() -> list[list[tuple[int, int, str, int]]]:
        return [[(a, b, f.background().color().name(), f.underlineStyle().value)
                 for a, b, f in emoji.formats(n)] for n in range(view.blockCount())]

    steps = [lambda: (view.select_range(*RAW_QUOTE), emoji.key(Qt.Key.Key_Q)),
             lambda: emoji.key(Qt.Key.Key_D),                        # an attribute
             lambda: (view.select_range(*MOSCOW[0]), emoji.key(Qt.Key.Key_A)),
             lambda: emoji.key(Qt.Key.Key_L),                        # relabel
             lambda: emoji.key(Qt.Key.Key_Delete),
             lambda: emoji.key(Qt.Key.Key_Z, CTRL),
             lambda: emoji.key(Qt.Key.Key_Z, CTRL | SHIFT),
             lambda: vm.select_span(vm.spans.at(QUOTE[0])[0].id),
             lambda: emoji.key(Qt.Key.Key_Delete)]
    for number, step in enumerate(steps):
        drawn.clear()
        step()
        shown = formats()
        assert len(drawn) == len(set(drawn)), (number, drawn)
        view.highlighter.rehighlight()
        assert shown == formats(), number
    assert [(s.start, s.end, s.label) for s in vm.spans.all()] == []


def test_paragraphs_drawn_run_by_run_look_as_when_cut_at_every_boundary(
        seed: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick way (spans and hits that do not touch, one run each) gives every character
    the format the general way (cut at every boundary) gives it: random spans, some nested or
    crossing, with a search and a selection, on the seed article (seeded)."""
    rng = random.Random(11)
    vm, view = seed.vm, seed.view
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", vm.text)]
    for start, end in rng.sample(words, 40):
        vm.label_selection(start, end, rng.choice(["actor", "location", "cue"]))
    for _ in range(4):   # a few nested or crossing ones
        i = rng.randrange(len(words) - 3)
        vm.label_selection(words[i][0], words[i + 2][1], "quote")
    vm.search("في")
    labeled = vm.label_all_hits("cue")        # spans on exactly their hits' characters, some
    assert any((s.start, s.end) == (h.start, h.end) for s in labeled for h in vm.hits)
    blocks = view.document().blockCount()

    def apart(span_id: int) -> bool:   # its paragraph is drawn the quick way
        block = view.document().findBlock(view.umap.to_utf16(vm.span(span_id).start))
        start = view.umap.to_codepoint(block.position())
        end = start + len(block.text())
        runs = sorted([(x.start, x.end) for x in vm.spans.overlapping(start, end)]
                      + [(a, b) for a, b, _ in vm.hits_between(start, end)])
        return all(b <= c for (_, b), (c, _) in zip(runs, runs[1:]))

    chosen = [s.id for s in vm.spans.all() if apart(s.id or 0)]
    assert len(chosen) >= 3
    vm.select_span(chosen[1])

    def looks() -> list[list[tuple[int, int, str, int, str]]]:
        view.highlighter.rehighlight()
        # every character's look (runs may be cut differently: compare per character)
        out = []
        for number in range(blocks):
            chars: dict[int, tuple[str, int, str]] = {}
            for a, b, fmt in seed.formats(number):
                for at in range(a, b):
                    chars[at] = (fmt.background().color().name(QColor.NameFormat.HexArgb)
                                 if fmt.background().style() != Qt.BrushStyle.NoBrush else "",
                                 int(fmt.underlineStyle().value), fmt.underlineColor().name())
            out.append(sorted((at, *look) for at, look in chars.items()))
        return out

    quick = looks()
    calls: list[bool] = []
    original = view.highlighter._draw_apart

    def counted(*args: Any) -> bool:
        calls.append(original(*args))
        return calls[-1]

    monkeypatch.setattr(view.highlighter, "_draw_apart", counted)
    assert looks() == quick
    assert True in calls and False in calls   # both ways ran
    monkeypatch.setattr(view.highlighter, "_draw_apart", lambda *args: False)
    assert looks() == quick
    assert sum(len(b) for b in quick) > 200


def test_labeling_hundreds_of_hits_reads_the_span_list_again_whole(seed: Opened) -> None:
    """Past SpanModel.BULK rows changed at once the list is read again in one reset: its rows
    are still every span in reading order, the selection stays shown, and the undo empties it."""
    vm, window = seed.vm, seed.window
    vm.label_selection(123, 128, "actor")                 # selected
    chosen = vm.selected
    vm.search("ا")
    added = vm.label_all_hits("cue")
    assert len(added) > window.span_list.source.BULK
    model = window.span_list.model()
    rows = [(model.index(r, 1).data(Qt.ItemDataRole.UserRole)) for r in range(model.rowCount())]
    assert rows == [s.id for s in vm.spans.all()] and len(rows) == len(added) + 1
    current = window.span_list.selectionModel().currentIndex()
    assert vm.selected == chosen and model.index(current.row(), 0).data(
        Qt.ItemDataRole.UserRole) == chosen
    vm.undo()
    assert [model.index(r, 1).data(Qt.ItemDataRole.UserRole)
            for r in range(model.rowCount())] == [chosen]


@pytest.mark.parametrize("direction", [Qt.LayoutDirection.LeftToRight,
                                       Qt.LayoutDirection.RightToLeft])
def test_a_scroll_bar_with_its_groove_copied_looks_exactly_as_the_style_draws_it(
        qapp: QApplication, qtbot: QtBot, direction: Qt.LayoutDirection) -> None:
    """The window's scroll bars draw their groove from a copy kept per look (GrooveCache): the
    pixels are the style's own, slider and arrows included, at every position, in both
    directions, disabled too, and a moved slider does not draw the groove again."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QScrollBar

    from annotator.ui.common import OpaqueScrollBar, groove_cache

    parent = QWidget()
    parent.setLayoutDirection(direction)
    qtbot.addWidget(parent)
    plain, copied = QScrollBar(Qt.Orientation.Vertical, parent), \
        OpaqueScrollBar(Qt.Orientation.Vertical, parent)
    for x, bar in enumerate((plain, copied)):
        bar.setRange(0, 20_000)
        bar.setPageStep(40)
        bar.setGeometry(40 + 30 * x, 10, 16, 400)   # away from the pointer, at 0, 0
    parent.resize(120, 420)
    parent.show()
    qtbot.waitExposed(parent)
    cache = groove_cache()
    cache._grooves.clear()
    for value, enabled in ((0, True), (7_000, True), (20_000, True), (12_345, False)):
        for bar in (plain, copied):
            bar.setValue(value)
            bar.setEnabled(enabled)
        plain_image, copied_image = (
            bar.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
            for bar in (plain, copied))
        assert plain_image.size() == copied_image.size() == QSize(16, 400)
        assert plain_image == copied_image, (value, enabled)
    # one groove per look (enabled, disabled), not one per position of the slider
    assert len(cache._grooves) == 2


def test_the_span_lists_scroll_bar_is_drawn_again_only_when_its_slider_moves(
        qapp: QApplication, qtbot: QtBot) -> None:
    """A row more or less in a list of 20,000 does not move the slider: no paint (Qt paints a
    scroll bar on every change of its range); moving it, or a range that resizes it, does."""
    from annotator.ui.span_list import SteadyScrollBar

    parent = QWidget()
    qtbot.addWidget(parent)
    bar = SteadyScrollBar(Qt.Orientation.Vertical, parent)
    bar.setRange(0, 20_000)
    bar.setPageStep(10)
    bar.setGeometry(0, 0, 16, 250)
    parent.resize(100, 300)
    parent.show()
    qtbot.waitExposed(parent)
    spy = EventLog(QEvent.Type.Paint, lambda _w, _e: bar.value(), bar)
    paints: list[int] = spy.seen
    bar.repaint()
    qtbot.wait(100)   # the first paint, and a hover's (the pointer rests at 0, 0), settle
    assert paints and set(paints) == {0}
    paints[:] = [0]
    for maximum in (20_001, 20_002, 20_001):
        bar.setMaximum(maximum)
        QApplication.processEvents()
    assert paints == [0]
    bar.setValue(10_000)
    QApplication.processEvents()
    assert paints == [0, 10_000]
    bar.setMaximum(20)   # a short list: a long slider
    QApplication.processEvents()
    assert paints == [0, 10_000, 20]   # the value is clamped to the new maximum and drawn
