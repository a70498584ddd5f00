"""The window of run_gui gets its suggestions after its first paint (issue 11, start-up): the
suggesters' resources and the first document's suggestions do not delay it. They then come by
themselves, the same suggestions drawn the same way as in a window that computed them before
it was shown; a screenshot shows them; a window closed first, or a review window, waits for
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.services.project import open_project, seed_if_empty
from annotator.services.suggesting import SuggestionService
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, SuggestionsAfterFirstPaint, build_window, run_gui
from annotator.ui.i18n import apply_language
from annotator.ui.main_window import MainWindow
from tests.ui.helpers import SEED_ID, team_store


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    seed_if_empty(store, actor="mona")
    store.close()
    return url


@pytest.fixture
def app_as_it_was(qapp: QApplication) -> Iterator[QApplication]:
    """run_gui configures the application (its font, language and direction): put them back
    for the tests that follow."""
    font, direction = qapp.font(), qapp.layoutDirection()
    yield qapp
    apply_language(qapp, "en")
    qapp.setFont(font)
    qapp.setLayoutDirection(direction)
    QApplication.processEvents()


class Paints(QObject):
    """Counts the paint events of a widget."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class Proposals:
    """For each call of SuggestionService.prepare (what a window's suggestions start with):
    how many times the article had painted before it (-1: nothing counted; the test sets
    ``paints``)."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.paints: Paints | None = None


@pytest.fixture
def proposals_after(monkeypatch: pytest.MonkeyPatch) -> Proposals:
    found = Proposals()
    original = SuggestionService.prepare

    def prepare(self: SuggestionService, *args: Any, **kwargs: Any) -> Any:
        found.calls.append(found.paints.count if found.paints is not None else -1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SuggestionService, "prepare", prepare)
    return found


def offered(window: MainWindow) -> list[tuple[int, int, str]]:
    offers = window.vm.offers
    return [offers.spans[i].key for i in offers.offered()]


def formats(window: MainWindow) -> list[tuple[int, int, QTextCharFormat]]:
    found = []
    block = window.article.document().begin()
    while block.isValid():
        found += [(block.position() + r.start, r.length, QTextCharFormat(r.format))
                  for r in block.layout().formats()]
        block = block.next()
    return found


def shown(qtbot: QtBot, window: MainWindow) -> MainWindow:
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_suggestions_come_by_themselves_after_the_first_paint(
        qtbot: QtBot, qapp: QApplication, url: str, proposals_after: Proposals) -> None:
    options = GuiOptions(db_url=url, open_document=SEED_ID)
    eager = shown(qtbot, build_window(options, Settings(), "mona"))
    qtbot.waitUntil(lambda: bool(formats(eager)))
    expected, drawn = offered(eager), formats(eager)
    assert len(expected) > 20 and proposals_after.calls == [-1]   # before it was shown
    eager.close()

    window = build_window(options, Settings(), "mona", suggest=False)
    after = SuggestionsAfterFirstPaint.of(window, Settings())
    assert window.vm.suggester is None and offered(window) == [] and not after.done
    assert window.vm.spans.all() == [] and window.vm.document is not None
    proposals_after.paints = Paints(window.article.viewport())
    shown(qtbot, window)
    qtbot.waitUntil(lambda: after.done)          # nothing but the event loop calls it
    assert len(proposals_after.calls) == 2 and proposals_after.calls[1] >= 1
    assert window.vm.suggester is not None
    assert offered(window) == expected
    qtbot.waitUntil(lambda: formats(window) == drawn)   # highlighted as the eager window was
    # the next document is suggested when it opens, as in any window
    window.vm.next_suggestion()
    assert window.vm.offers.current == window.vm.offers.offered()[0]


def test_with_computing_off_the_stored_set_is_read_after_the_first_paint(
        qtbot: QtBot, qapp: QApplication, url: str) -> None:
    settings = Settings(suggest_on_open=False)
    window = build_window(GuiOptions(db_url=url, open_document=SEED_ID), settings, "mona",
                          suggest=False)
    after = SuggestionsAfterFirstPaint.of(window, settings)
    shown(qtbot, window)
    qtbot.waitUntil(lambda: after.done)
    assert window.vm.suggester is not None and window.vm.suggester.compute is False
    assert window.vm.offers.proposals.stored and offered(window) == []   # no stored set


def test_a_window_closed_before_its_first_paint_computes_nothing(
        qapp: QApplication, url: str, proposals_after: Proposals) -> None:
    window = build_window(GuiOptions(db_url=url, open_document=SEED_ID), Settings(), "mona",
                          suggest=False)
    after = SuggestionsAfterFirstPaint.of(window, Settings())
    window.close()                                   # (its store is closed)
    after.finish()
    assert proposals_after.calls == [] and window.vm.suggester is None


def test_a_review_window_waits_for_nothing(qapp: QApplication, tmp_path: Path) -> None:
    window = build_window(GuiOptions(db_url=team_store(tmp_path), review=True), Settings(),
                          "rana", suggest=False)
    try:
        assert SuggestionsAfterFirstPaint.of(window, Settings()).done
    finally:
        window.close()


def test_a_screenshot_shows_the_suggestions(app_as_it_was: QApplication, url: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            proposals_after: Proposals) -> None:
    at_grab: list[int] = []
    grab = MainWindow.grab

    def grabbed(self: MainWindow, *args: Any) -> Any:
        at_grab.append(len(offered(self)))
        return grab(self, *args)

    monkeypatch.setattr(MainWindow, "grab", grabbed)
    eager = build_window(GuiOptions(db_url=url, open_document=SEED_ID), Settings(), "mona")
    expected = len(offered(eager))
    eager.close()
    png = tmp_path / "shot.png"
    assert run_gui(GuiOptions(db_url=url, user="mona", screenshot=png, size=(900, 600))) == 0
    assert at_grab == [expected] and expected > 20 and png.is_file()
    assert len(proposals_after.calls) == 2                  # the eager window's, then the run's


def test_the_running_window_gets_its_suggestions_after_its_first_paint(
        app_as_it_was: QApplication, url: str, proposals_after: Proposals,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """run_gui's event loop (no screenshot): the suggestions come without any input."""
    made = SuggestionsAfterFirstPaint.of.__func__
    windows: list[MainWindow] = []

    def of(cls: type, window: MainWindow, settings: Settings) -> SuggestionsAfterFirstPaint:
        windows.append(window)    # the paints counted from before the window is shown
        proposals_after.paints = Paints(window.article.viewport())
        return made(cls, window, settings)  # type: ignore[no-any-return]

    monkeypatch.setattr(SuggestionsAfterFirstPaint, "of", classmethod(of))
    seen: list[list[tuple[int, int, str]]] = []

    def watch() -> None:
        if windows and offered(windows[0]):
            seen.append(offered(windows[0]))
            windows[0].close()
            app_as_it_was.exit(0)

    poll = QTimer()
    poll.timeout.connect(watch)
    poll.start(5)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(lambda: app_as_it_was.exit(1))       # (a failure, not a hang)
    give_up.start(20_000)
    # (no Quit event when the window closes: one left pending would close later tests' windows)
    app_as_it_was.setQuitOnLastWindowClosed(False)
    try:
        assert run_gui(GuiOptions(db_url=url, user="mona")) == 0
    finally:
        poll.stop()
        give_up.stop()
        app_as_it_was.setQuitOnLastWindowClosed(True)
    assert len(windows) == 1 and seen and len(seen[0]) > 20
    assert len(proposals_after.calls) == 1 and proposals_after.calls[0] >= 1


# -- suggestions computed in the background (run_gui's interactive window) -----------------------


class Deferred:
    """A background that runs nothing until the test says so."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Any, Any, Any]] = []

    def run(self, work: Any, done: Any, *, failed: Any) -> None:
        self.waiting.append((work, done, failed))

    def finish(self, n: int) -> None:
        work, done, failed = self.waiting[n]
        try:
            result = work()
        except Exception as error:  # noqa: BLE001
            failed(error)
        else:
            done(result)


def test_a_document_shows_at_once_and_its_suggestions_follow_from_a_thread(
        qtbot: QtBot, qapp: QApplication, url: str) -> None:
    options = GuiOptions(db_url=url, open_document=SEED_ID)
    eager = shown(qtbot, build_window(options, Settings(), "mona"))
    qtbot.waitUntil(lambda: bool(formats(eager)))
    expected, drawn = offered(eager), formats(eager)
    eager.close()
    window = build_window(options, Settings(), "mona", background=True)
    assert window.vm.document is not None and window.vm.offers.proposals.spans == ()
    shown(qtbot, window)
    qtbot.waitUntil(lambda: offered(window) == expected, timeout=20_000)
    qtbot.waitUntil(lambda: formats(window) == drawn)   # drawn as the eager window drew them
    assert len(expected) > 20


def test_suggestions_handed_back_late_fit_what_the_set_has_then_and_stale_ones_are_dropped(
        qapp: QApplication, url: str) -> None:
    window = build_window(GuiOptions(db_url=url, open_document=SEED_ID), Settings(), "mona")
    try:
        vm = window.vm
        expected = offered(window)
        later = Deferred()
        vm.background = later
        redrawn: list[int] = []
        vm.suggestions_changed.connect(lambda ranges: redrawn.append(len(ranges)))
        vm.offer_suggestions()   # computed again, in the "background": none offered meanwhile
        vm.offer_suggestions()   # and once more: the first computation's result is stale
        assert offered(window) == [] and len(later.waiting) == 2
        messages: list[str] = []
        vm.message.connect(messages.append)
        vm.next_suggestion()   # Tab meanwhile
        assert messages == ["The suggestions are being computed"]
        redrawn.clear()
        first = expected[0]
        vm.label_selection(first[0], first[1], first[2])   # the user labels one meanwhile
        later.finish(0)
        assert offered(window) == [] and redrawn == []      # stale: dropped
        later.finish(1)
        assert offered(window) == expected[1:]               # what the set has is not offered
        assert redrawn == [len(vm.offers.spans)]             # every suggestion drawn, once
        assert not vm.computing_suggestions
        vm.offer_suggestions()
        vm.drop_pending_suggestions()   # the window closes before they come
        redrawn.clear()
        later.finish(2)
        assert offered(window) == [] and redrawn == [] and not vm.computing_suggestions
    finally:
        window.close()


def test_suggestions_that_fail_in_the_background_are_a_message(
        qapp: QApplication, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    window = build_window(GuiOptions(db_url=url, open_document=SEED_ID), Settings(), "mona")
    try:
        vm = window.vm
        later = Deferred()
        vm.background = later
        messages: list[str] = []
        vm.message.connect(messages.append)

        def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise ValueError("no word list")

        monkeypatch.setattr("annotator.services.suggesting.suggest", broken)
        vm.offer_suggestions()
        later.finish(0)
        assert messages == ["Suggestions failed: no word list"] and offered(window) == []
    finally:
        window.close()


def test_the_thread_background_hands_results_and_errors_back_on_the_gui_thread(
        qtbot: QtBot, qapp: QApplication) -> None:
    import sys
    import threading

    from annotator.ui.background import ThreadBackground

    background = ThreadBackground()
    seen: list[tuple[str, Any, bool]] = []
    gui = threading.current_thread()

    def fail() -> int:
        raise ValueError("bad")

    background.run(lambda: threading.current_thread() is not gui,
                   lambda result: seen.append(("done", result, threading.current_thread() is gui)),
                   failed=lambda error: seen.append(("failed", str(error), False)))
    background.run(fail, lambda result: seen.append(("done", result, False)),
                   failed=lambda error: seen.append(("failed", str(error),
                                                     threading.current_thread() is gui)))
    before = sys.getswitchinterval()
    intervals: list[float] = []
    background.run(sys.getswitchinterval, intervals.append, failed=lambda error: None)
    background.wait(10)
    qtbot.waitUntil(lambda: len(seen) == 2 and bool(intervals))
    assert sorted(seen) == [("done", True, True), ("failed", "bad", True)]
    # while work runs there, the GUI thread gets the interpreter back within 0.2 ms (each call
    # from Qt into Python waits for it); the interval is put back when none is left
    assert intervals == [pytest.approx(ThreadBackground.SWITCH_INTERVAL)]
    assert sys.getswitchinterval() == before
