"""A readable queue and panels: titles get the room (at 900x600 at least 20 characters of each
title, measured on the real widget), the article keeps at least half the width, the docks
collapse and come back from the View menu, and their sizes (and the side splitter's) are
remembered in the settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem, QTableView
from pytestqt.qtbot import QtBot

from annotator.services.importing import import_paths
from annotator.services.project import open_project
from annotator.settings import Settings, load_settings
from annotator.ui.app import GuiOptions, build_window, configure_app
from annotator.ui.i18n import apply_language
from annotator.ui.main_window import MainWindow
from tests.ui.helpers import EMOJI_ID, team_store

#: two more articles whose first lines (their titles) are long
LONG_TITLES = [
    ("وزير الخارجية الروسي سيرغي لافروف يلتقي نظيره الفرنسي في باريس لبحث التعاون في مكافحة "
     "الإرهاب"),
    "مجلس الأمن الدولي يعقد جلسة طارئة لمناقشة الأوضاع الإنسانية في شمال سوريا بعد تصاعد القتال",
]


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = team_store(tmp_path)
    paths = []
    for n, title in enumerate(LONG_TITLES):
        path = tmp_path / f"long-{n}.txt"
        path.write_text(f"{title}\n\nقال المتحدث إن الاجتماع انتهى.\n", encoding="utf-8")
        paths.append(path)
    store = open_project(url)
    assert not import_paths(store, paths, actor="lina").errors
    store.close()
    return url


@pytest.fixture(params=["ar", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    configure_app(qapp, request.param)   # the app's fonts too, whatever tests ran before
    QApplication.processEvents()
    yield request.param
    apply_language(qapp, "en")
    QApplication.processEvents()


def open_window(qtbot: QtBot, url: str, size: tuple[int, int], *, review: bool = False,
                settings: Settings | None = None) -> MainWindow:
    window = build_window(GuiOptions(db_url=url, open_document=EMOJI_ID, review=review),
                          settings or load_settings().with_(suggest_on_open=False), "rana")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    settle()
    return window


def settle() -> None:
    for _ in range(3):              # the docks are narrowed after the resize is laid out
        QApplication.processEvents()


def visible_title(table: QTableView, row: int) -> str:
    """The text the title cell draws: the style's text rectangle of the real cell, minus the
    text margins, and the title elided to it the way the view elides."""
    index = table.model().index(row, 0)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    option.rect = table.visualRect(index)
    style = table.style()
    text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return QFontMetrics(option.font).elidedText(str(index.data()), table.textElideMode(),
                                                text.width() - 2 * margin)


def kept(shown: str, title: str) -> int:
    """How many of the title's characters an elided text shows: its start and its end around
    the ellipsis (Qt writes "…", or "..." in a font without it, between zero-width joiners so
    that Arabic letters keep their joined forms)."""
    text = shown.replace("\u200d", "")
    if text == title:
        return len(title)
    mark = "…" if "…" in text else "..."
    head, tail = text.split(mark, 1)
    assert title.startswith(head) and title.endswith(tail), (shown, title)   # the middle goes
    assert head and tail
    return len(head) + len(tail)


def article_share(window: MainWindow) -> float:
    return window.centralWidget().width() / window.width()


@pytest.mark.parametrize("review", [False, True])
def test_at_900x600_every_title_shows_at_least_20_characters(
        qtbot: QtBot, url: str, language: str, review: bool) -> None:
    window = open_window(qtbot, url, (900, 600), review=review)
    table = window.queue_panel.table
    model = table.model()
    titles = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    # review mode lists the documents with annotators' sets: the emoji article
    assert len(titles) == (1 if review else 4)
    assert review or max(len(t) for t in titles) > 80
    for row, title in enumerate(titles):
        shown = visible_title(table, row)
        assert kept(shown, title) >= 20, (shown, title)
        if len(title) > 40:
            assert kept(shown, title) < len(title)
        tip = str(model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole))
        assert tip.splitlines()[0] == title
    # the title gets the room: all that the count (as wide as its header or "88,888") leaves
    assert table.columnWidth(0) + table.columnWidth(1) == table.viewport().width()
    assert table.columnWidth(0) > 2 * table.columnWidth(1)
    assert article_share(window) >= 0.5


@pytest.mark.parametrize("size", [(1400, 900), (900, 600)])
def test_the_article_keeps_at_least_half_the_width(
        qtbot: QtBot, url: str, language: str, size: tuple[int, int]) -> None:
    for review in (False, True):
        window = open_window(qtbot, url, size, review=review)
        assert window.queue_dock.isVisible() and window.spans_dock.isVisible()
        assert article_share(window) >= 0.5
        for other in ((900, 600), (1100, 700), (1400, 900), (900, 600)):
            window.resize(*other)                 # a narrower window: the docks give way
            settle()
            assert article_share(window) >= 0.5, other
        window.close()


def test_docks_collapse_from_the_view_menu_and_come_back(qtbot: QtBot, url: str) -> None:
    window = open_window(qtbot, url, (900, 600))
    panels = window.panels_menu.actions()
    assert [a.text() for a in panels] == ["Queue", "Spans"]
    before = window.centralWidget().width()
    panels[1].trigger()
    settle()
    assert not window.spans_dock.isVisible()
    assert window.centralWidget().width() > before + 150
    panels[0].trigger()
    settle()
    assert not window.queue_dock.isVisible() and not window.queue_panel.isVisible()
    panels[0].trigger()
    panels[1].trigger()
    settle()
    assert window.queue_dock.isVisible() and window.spans_dock.isVisible()
    assert article_share(window) >= 0.5
    # the dock's own close button collapses it too
    assert window.queue_dock.features() & window.queue_dock.DockWidgetFeature.DockWidgetClosable


def test_dock_and_splitter_sizes_are_remembered(qtbot: QtBot, url: str) -> None:
    first = open_window(qtbot, url, (1400, 900))
    first.resizeDocks([first.queue_dock, first.spans_dock], [230, 420], Qt.Orientation.Horizontal)
    first.side.setSizes([500, 200])
    settle()
    widths = (first.queue_dock.width(), first.spans_dock.width())
    splitter = first.side.sizes()
    assert abs(widths[0] - 230) <= 2 and abs(widths[1] - 420) <= 2
    first.close()
    saved = load_settings()
    assert set(saved.window_states) == {"annotate-ltr"} == set(saved.splitter_states)
    second = open_window(qtbot, url, (1400, 900))
    assert (second.queue_dock.width(), second.spans_dock.width()) == widths
    assert second.side.sizes() == splitter
    # a closed dock stays closed
    second.spans_dock.close()
    second.close()
    third = open_window(qtbot, url, (1400, 900))
    assert not third.spans_dock.isVisible() and third.queue_dock.isVisible()
    third.close()
    # remembered wide docks still leave the article half of a small window
    fourth = open_window(qtbot, url, (900, 600))
    fourth.spans_dock.show()
    settle()
    assert article_share(fourth) >= 0.5
    # review mode keeps its own layout
    assert not load_settings().window_states.get("review-ltr")


def test_review_gives_the_versions_page_the_room_it_needs_at_1400x900(
        qtbot: QtBot, url: str, language: str) -> None:
    """A first run of review mode splits the side 46 / 30 / 24: the versions page shows whole
    (at Qt's default split the panel was 193 px and a page of three annotators and gold needed a
    scroll); a split the reviewer dragged is remembered and wins."""
    from annotator.ui.window_docks import REVIEW_SIDE_SHARES

    window = open_window(qtbot, url, (1400, 900), review=True)
    versions = window.versions
    assert versions is not None
    sizes = window.side.sizes()
    expected = [sum(sizes) * share // 100 for share in REVIEW_SIDE_SHARES]
    assert all(abs(a - b) <= 2 for a, b in zip(sizes, expected, strict=True)), (sizes, expected)
    assert versions.verticalScrollBar().maximum() == 0   # (three annotators: test_review_window)
    window.side.setSizes([150, 400, sum(sizes) - 550])
    settle()
    dragged = window.side.sizes()
    window.close()
    again = open_window(qtbot, url, (1400, 900), review=True)
    assert again.side.sizes() == dragged
    again.close()


def test_a_screenshot_does_not_remember_a_layout(qtbot: QtBot, url: str, tmp_path: Path) -> None:
    window = build_window(GuiOptions(db_url=url, open_document=EMOJI_ID,
                                     screenshot=tmp_path / "x.png"),
                          Settings(suggest_on_open=False), "rana")
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert load_settings().window_states == {}
