"""Revealing a range of the article (the current candidate, a search hit, a span picked in the
list): one in view stays put; one out of view comes to the middle, with what follows it in view;
one longer than the view's lower half is shown from its end back to its start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.services.importing import import_paths
from annotator.services.project import open_project
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window, configure_app
from annotator.ui.main_window import MainWindow

PARAGRAPHS = [f"الفقرة {n}: قال المتحدث إن الاجتماع انتهى أمس في باريس." for n in range(300)]
TEXT = "\n".join(PARAGRAPHS)


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[MainWindow]:
    configure_app(qapp, "en")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    path = tmp_path / "long.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert not import_paths(store, [path], actor="mona").errors
    store.close()
    built = build_window(GuiOptions(db_url=url, open_document="long"),
                         Settings(suggest_on_open=False), "mona")
    qtbot.addWidget(built)
    built.resize(1400, 900)
    built.show()
    qtbot.waitExposed(built)
    QApplication.processEvents()
    yield built
    built.close()


def _top(window: MainWindow, offset: int) -> int:
    """Where the line holding ``offset`` is in the viewport (pixels from its top)."""
    view = window.article
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.umap.to_utf16(offset))
    return view.cursorRect(cursor).top()


def _paragraph(n: int) -> tuple[int, int]:
    start = sum(len(p) + 1 for p in PARAGRAPHS[:n])
    return start, start + len(PARAGRAPHS[n])


def test_a_range_out_of_view_comes_to_the_middle_and_one_in_view_stays(
        window: MainWindow) -> None:
    view = window.article
    height = view.viewport().height()
    bar = view.verticalScrollBar()
    assert bar.value() == 0 and _top(window, _paragraph(120)[0]) > height   # far below
    start = _paragraph(120)[0]
    word = start + PARAGRAPHS[120].index("المتحدث")
    view.reveal(word, word + 7)
    assert height * 0.4 <= _top(window, word) <= height * 0.6
    assert _top(window, _paragraph(124)[0]) < height                # what follows, in view
    kept = bar.value()
    near = _paragraph(123)
    view.reveal(*near)                                               # in view: stays put
    assert bar.value() == kept
    start, _ = _paragraph(30)                                        # far above
    view.reveal(start, start + 6)
    assert height * 0.4 <= _top(window, start) <= height * 0.6
    assert window.vm.text[start:start + 6] == "الفقرة"


def test_a_range_too_long_for_the_lower_half_shows_whole_and_the_last_lines_stay_low(
        window: MainWindow) -> None:
    view = window.article
    height = view.viewport().height()
    line = _top(window, _paragraph(1)[0]) - _top(window, _paragraph(0)[0])
    rows = int(height * 0.7 / line)                     # most of the view, not all of it
    start, end = _paragraph(200)[0], _paragraph(200 + rows - 1)[1]
    view.reveal(start, end)
    top, bottom = _top(window, start), _top(window, end - 1)
    assert 0 <= top and bottom + line <= height + 1                  # all of it in view
    assert top < height * 0.4                                        # moved up to fit
    start, end = _paragraph(299)                                     # the document's end
    view.reveal(start, end)
    assert 0 <= _top(window, start) and _top(window, end - 1) + line <= height + 1
    assert view.verticalScrollBar().value() == view.verticalScrollBar().maximum()


def test_redrawing_everything_draws_the_rest_a_few_milliseconds_per_turn(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a change of most of the text, the visible paragraphs are drawn at once and the
    others a few milliseconds per turn of the event loop (by the clock, not by a count: a
    count of the book's paragraphs made turns of 30 ms and more), each once."""
    view = window.article
    now = [0.0]

    def clock() -> float:   # a millisecond at each look
        now[0] += 0.001
        return now[0]

    view.clock = clock                                   # type: ignore[method-assign]
    monkeypatch.setattr(view, "REDRAW_TURN_S", 0.008)
    monkeypatch.setattr(view, "REDRAW_CHECK", 16)
    drawn: list[int] = []
    rehighlight_block = view.highlighter.rehighlightBlock

    def counted(block: object) -> None:
        drawn.append(block.blockNumber())                 # type: ignore[attr-defined]
        rehighlight_block(block)

    view.highlighter.rehighlightBlock = counted           # type: ignore[method-assign]
    view.redraw_all()
    assert view.redrawing                                # 300 paragraphs: more than a turn
    turns = [list(drawn)]
    while view.redrawing:
        drawn.clear()
        QApplication.processEvents()
        turns.append(list(drawn))
    drawn.clear()
    QApplication.processEvents()
    assert not view.redrawing and drawn == []            # nothing left for later turns
    blocks = view.document().blockCount()
    every = [n for turn in turns for n in turn]
    assert sorted(every) == list(range(blocks)) and blocks == 300          # each once
    # 8 looks at the clock, 16 paragraphs apart, make a turn: the first turn's paragraphs
    # count the visible ones, drawn at once, that the pass then steps over
    assert [len(turn) for turn in turns] == [128, 128, 300 - 2 * 128]
    first_visible = view.firstVisibleBlock().blockNumber()
    assert turns[0][0] == first_visible == 0
