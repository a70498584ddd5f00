"""The span list's cells (SpanCells): filled from the model's rows in one call per cell, they
look exactly as Qt's own delegate draws the model's data, in both interface languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from annotator.services.project import open_project
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window, configure_app
from annotator.ui.common import RightToLeftText
from annotator.ui.i18n import apply_language
from annotator.ui.main_window import MainWindow
from annotator.ui.span_list import SpanCells, SpanList, SpanModel
from tests.ui.helpers import SEED_ID, import_documents
from tests.ui.qt_events import EventLog


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[MainWindow]:
    configure_app(qapp, "en")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    import_documents(store, tmp_path)
    store.close()
    built = build_window(GuiOptions(db_url=url, open_document=SEED_ID),
                         Settings(suggest_on_open=False), "mona")
    qtbot.addWidget(built)
    built.resize(1400, 900)
    built.show()
    qtbot.waitExposed(built)
    yield built
    built.close()
    apply_language(qapp, "en")
    QApplication.processEvents()


def _spans(window: MainWindow) -> dict[str, Any]:
    """A quote over a paragraph break (its text holds a newline and is cut short), with an
    attribute and a speaker; a cue; the actor selected."""
    vm = window.vm
    text = vm.text
    first_break = text.index("\n", text.index("\n") + 2)   # the end of the first paragraph
    quote = vm.label_selection(first_break - 30, first_break + 70, "quote")
    vm.choose_attribute("kind", "direct")
    actor = vm.label_selection(text.index("لودريان"), text.index("لودريان") + 7, "actor")
    vm.select_span(quote.id)
    vm.start_relation("said_by")
    vm.complete_relation(actor.id)
    cue = vm.label_selection(text.index("وقال"), text.index("وقال") + 4, "cue")
    vm.select_span(actor.id)
    QApplication.processEvents()
    return {"quote": vm.span(quote.id), "actor": actor, "cue": cue}


def _picture(table: SpanList) -> QImage:
    table.viewport().repaint()
    return table.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_span_lists_cells_look_exactly_as_qts_delegate_draws_the_models_data(
        window: MainWindow, qapp: QApplication, language: str) -> None:
    apply_language(qapp, language)
    QApplication.processEvents()
    spans = _spans(window)
    table = window.span_list
    model = table.source
    assert "\n" in spans["quote"].text and len(spans["quote"].text) > 80
    rows = {model.span_at(r).id: r for r in range(model.rowCount())}
    assert model.data(model.index(rows[spans["quote"].id], 3)) != ""     # its speaker
    assert model.data(model.index(rows[spans["quote"].id], 2)) != ""     # its kind
    assert table.selectionModel().selectedRows() == [model.index(rows[spans["actor"].id], 0)]
    cells = table.itemDelegate()
    assert isinstance(cells, SpanCells)
    plain, arabic = QStyledItemDelegate(table), RightToLeftText(table)
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            mine, theirs = QStyleOptionViewItem(), QStyleOptionViewItem()
            mine.decorationSize = theirs.decorationSize = QSize(16, 16)
            cells.initStyleOption(mine, index)
            (arabic if column == 1 else plain).initStyleOption(theirs, index)
            assert (mine.text, mine.features, mine.direction, mine.displayAlignment,
                    mine.decorationSize, mine.icon.cacheKey()) == \
                (theirs.text, theirs.features, theirs.direction, theirs.displayAlignment,
                 theirs.decorationSize, theirs.icon.cacheKey()), (row, column)
    ours = _picture(table)
    table.setItemDelegate(QStyledItemDelegate(table))          # Qt's, asking the model's data
    table.setItemDelegateForColumn(1, RightToLeftText(table))
    qts = _picture(table)
    assert ours.size() == qts.size() and ours.width() > 300
    assert ours == qts


def test_the_span_lists_cells_are_drawn_without_asking_the_model_for_data(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """One call per cell: none of the seven a cell costs through SpanModel.data."""
    _spans(window)
    table = window.span_list
    asked: list[int] = []
    data = SpanModel.data

    def counted(self: SpanModel, index: Any, role: int = 0) -> Any:
        asked.append(int(role))
        return data(self, index, role)

    monkeypatch.setattr(SpanModel, "data", counted)
    table.viewport().repaint()
    assert asked == []
    table.setItemDelegate(QStyledItemDelegate(table))   # Qt's: seven roles for each cell
    table.viewport().repaint()
    shown = table.source.rowCount() * 4
    assert len(asked) == 7 * shown
    assert table.source.rowCount() == 3
    assert Qt.ItemDataRole.DisplayRole in asked


def test_the_list_on_screen_is_the_list_drawn_afresh_after_every_change(
        window: MainWindow) -> None:
    """The list draws again only the rows an insertion or a removal moved (a span added at the
    end of a list scrolled to its end copies the rows that stay and draws one): what is on
    screen (the offscreen platform's screen grab is the window's backing store) is, after every
    kind of change, the list drawn afresh, to the pixel."""
    from PySide6.QtCore import QEvent, QPoint, QRect

    from annotator.core.arabic import tokenize

    vm, listed = window.vm, window.span_list
    viewport = listed.viewport()
    words = [t for t in tokenize(vm.text) if t.kind == "word"]
    taken = {(s.start, s.end) for s in vm.spans.all()}
    free = [w for w in words if (w.start, w.end) not in taken]
    for word in free[:40]:                                   # a list longer than its view
        vm.label_selection(word.start, word.end, "actor")
    QApplication.processEvents()
    painted: list[QRect] = []
    _log = EventLog(QEvent.Type.Paint, lambda _w, event: event.rect(), viewport, seen=painted)

    def on_screen() -> QImage:
        shot = QApplication.primaryScreen().grabWindow(window.winId()).toImage()
        return shot.copy(QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())) \
            .convertToFormat(QImage.Format.Format_RGB32)

    def afresh() -> QImage:
        return viewport.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)

    def check(what: str) -> None:
        for _ in range(3):
            QApplication.processEvents()
        assert on_screen() == afresh(), what

    # spans added one after the other at the end of the article: the list follows each
    tail = [w for w in free[40:] if w.start > max(s.end for s in vm.spans.all())][:6]
    kept_rows = []
    for word in tail:
        painted.clear()
        vm.label_selection(word.start, word.end, "cue")
        QApplication.processEvents()
        kept_rows.append(bool(painted) and max(r.height() for r in painted) < viewport.height())
        check("added at the end")
    assert listed.verticalScrollBar().value() == listed.verticalScrollBar().maximum() > 0
    assert sum(kept_rows) >= 4, kept_rows          # most of the view copied, not drawn again
    # anywhere else, and every other kind of change
    for word in (free[41], free[0], free[20]):
        vm.label_selection(word.start, word.end, "location")
        check("added elsewhere")
    vm.relabel_selected("quote")
    check("relabeled")
    vm.delete_selected()
    check("deleted")
    vm.undo()
    check("undone")
    vm.redo()
    check("redone")
    listed.verticalScrollBar().setValue(listed.verticalScrollBar().maximum() // 2)
    vm.delete_spans([s.id for s in vm.spans.all()[:3]])
    check("deleted above the view")
    vm.undo()
    check("put back above the view")
    listed.verticalScrollBar().setValue(listed.verticalScrollBar().maximum())
    check("scrolled to the end")
    last = sorted(vm.spans.all(), key=lambda s: (s.start, s.end))[-4:]
    vm.delete_spans([s.id for s in last])          # the view, at its end, moves up
    check("the last rows deleted")
    vm.undo()
    check("the last rows put back")
    listed.verticalScrollBar().setValue(listed.verticalScrollBar().maximum())
    shown = sorted(vm.spans.all(), key=lambda s: (s.start, s.end))[-3]
    vm.delete_spans([shown.id])                    # a row in view: the view moves up a row
    check("a row in view deleted at the end")
    vm.undo()
    check("put back")
    listed.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    check("sorted by label")
    vm.label_selection(free[42].start, free[42].end, "actor")
    check("added to a list sorted by label")
    listed.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    window.resize(1300, 800)
    check("resized")
    vm.select_span(None)
    check("nothing selected")
