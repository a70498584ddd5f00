"""The composition root of the desktop app: settings, language, fonts, store, services,
view-models, window; and the run of the window (a screenshot, or the event loop, which Ctrl-C
ends cleanly).

Importing this module imports neither Qt nor the store: :func:`run_gui` loads them under the
collector hold of the process's start-up (:mod:`annotator.startup`), the layers below the
window first (:func:`load_layers`), then Qt and the window. The order matters: once PySide6 is
imported, every ``import`` statement goes through its ``__feature__`` import hook, which reads
the source of each module it has not seen yet (SQLAlchemy's and the store's 300 modules cost
50-90 ms more after Qt than before it). So each function here imports the Qt names it
uses.
"""

from __future__ import annotations

import getpass
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from annotator import startup
from annotator.core.errors import UserError
from annotator.settings import Settings, load_settings, update_settings

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QApplication

    from annotator.services.suggesting import SuggestionService
    from annotator.ui.main_window import MainWindow
    from annotator.ui.viewmodels.queue import QueueViewModel
    from annotator.ui.viewmodels.review import ReviewQueueViewModel

# the window's layers below Qt (annotation mode), imported before Qt by load_layers()
LAYERS = ("annotator.services.annotate", "annotator.services.project",
          "annotator.services.suggesting", "annotator.services.team",
          "annotator.ui.viewmodels.annotation", "annotator.ui.viewmodels.queue")

#: Arabic fonts to prefer for the article, best first. Amiri ships with the package (the
#: fontpkg-amiri wheel, OFL), so the window is the same on every machine; View -> Font offers the
#: others installed.
PREFERRED_FONTS = ("Amiri", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Kufi Arabic",
                   "DejaVu Sans")
#: The interface font: Noto Sans Arabic ships with the package too (fontpkg-noto-sans-arabic).
UI_FONTS = ("Noto Sans Arabic", "Amiri", "Noto Naskh Arabic", "DejaVu Sans")


@dataclass(frozen=True, slots=True)
class GuiOptions:
    db_url: str
    user: str | None = None
    screenshot: Path | None = None
    open_document: str | None = None
    size: tuple[int, int] = (1400, 900)
    review: bool = False
    #: "ar", "en" or "auto" for this run (None: the ``language`` setting)
    language: str | None = None


def load_layers() -> None:
    """Import the window's layers below Qt (:data:`LAYERS`: the store, SQLAlchemy, the
    services, the view-models), then Qt's modules: in this order each is imported once,
    outside PySide6's import hook (see the module docstring)."""
    import importlib

    for name in LAYERS:
        importlib.import_module(name)
    import PySide6.QtWidgets  # noqa: F401


def arabic_fonts() -> list[str]:
    """Installed font families that have Arabic glyphs."""
    from PySide6.QtGui import QFontDatabase

    return list(QFontDatabase.families(QFontDatabase.WritingSystem.Arabic))


def choose_font(wanted: str | None, available: list[str]) -> str:
    from PySide6.QtGui import QFont

    if wanted and wanted in available:
        return wanted
    for family in PREFERRED_FONTS:
        if family in available:
            return family
    return available[0] if available else QFont().family()


def ask_user_name(default: str) -> str | None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QInputDialog

    name, accepted = QInputDialog.getText(
        None, "annotator",
        QCoreApplication.translate("App", "Your name (it labels your annotations):"),
        text=default)
    return name.strip() if accepted and name.strip() else None


def build_window(options: GuiOptions, settings: Settings, user: str, *,
                 suggest: bool = True, background: bool = False) -> MainWindow:
    """The window of ``options`` for ``user``. A screenshot run writes nothing to a store that
    has documents: no set is created (the user's set is created by their first change) and no
    one is made the store's lead.

    ``suggest=False``: the window has no suggestions yet; :class:`SuggestionsAfterFirstPaint`
    gives them (run_gui's windows: the suggesters' resources and the first document's
    suggestions are not worth delaying the first paint for). ``background``: a document's
    suggestions are computed on a thread (:class:`annotator.ui.background.ThreadBackground`),
    the document showing meanwhile (run_gui's interactive window; a screenshot and the tests
    compute them when the document opens)."""
    from annotator.core.roles import require_review
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema, seed_if_empty
    from annotator.services.suggesting import SuggestionService
    from annotator.services.team import ensure_first_lead, identity
    from annotator.ui.main_window import MainWindow
    from annotator.ui.viewmodels.annotation import AnnotationViewModel
    from annotator.ui.viewmodels.queue import QueueViewModel

    store = open_project(options.db_url)
    if options.screenshot is None:
        ensure_first_lead(store, user)
    seed_if_empty(store, actor=user)
    schema = project_schema(store)
    vm: AnnotationViewModel
    queue: QueueViewModel | ReviewQueueViewModel
    if options.review:   # review mode's modules: imported only for a review window
        from annotator.services.review import ReviewService
        from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

        review = ReviewService(store, schema, reviewer=user)
        with store.unit_of_work(actor=user, write=False) as uow:
            require_review(identity(uow, user), "open review mode")
        vm = ReviewViewModel(review, schema)
        queue = ReviewQueueViewModel(review)
    else:
        service = AnnotationService(store, schema, annotator=user)
        # the suggesters' resources are read here, once, not when a document opens
        suggestions = SuggestionService(service, compute=settings.suggest_on_open) \
            if suggest else None
        if background:
            from annotator.ui.background import ThreadBackground
        vm = AnnotationViewModel(service, schema, suggestions=suggestions,
                                 background=ThreadBackground() if background else None,
                                 create_sets=options.screenshot is None)
        queue = QueueViewModel(service)
    queue.refresh()
    fonts = arabic_fonts()
    family = choose_font(settings.font_family, fonts)
    window = MainWindow(vm, queue, schema, user=user, font_family=family,
                        font_size=settings.font_size)
    window.closing.append(vm.drop_pending_suggestions)   # a result after close: nobody waits
    window.closing.append(store.close)
    window.mode_requested.connect(lambda mode: _switch_mode(window, options, user, mode))
    window.language_requested.connect(_switch_language)
    window.set_language_choice(options.language or settings.language)
    _font_menu(window, fonts, settings)
    window.font_changed.connect(
        lambda family, size: update_settings(font_family=family, font_size=size))
    key = window.layout_key()
    window.restore_layout(settings.window_states.get(key), settings.splitter_states.get(key))
    if options.screenshot is None:
        window.closing.append(lambda: _remember_layout(window))
    _built.append(window)
    target = _document_to_open(queue, options.open_document)
    if target is not None:
        window.open_document(target)
    return window


_built: list[MainWindow] = []   # every window made in this process (the language menus, Ctrl-C)


class SuggestionsAfterFirstPaint:
    """The suggestions of a window built with ``suggest=False``, given to it once it has
    painted its article for the first time: the suggestion service (its resources read then)
    and the open document's suggestions, drawn as soon as they are computed. The same as
    :class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`'s ``open`` does with a
    suggestion service from the start; nothing for a review window. :meth:`finish` gives them
    now if they are not there yet (a screenshot)."""

    #: how long to wait while the window shows another set than the user's own (ms)
    RETRY_MS = 200

    def __init__(self, window: MainWindow,
                 make: Callable[[], SuggestionService] | None) -> None:
        from annotator.ui.first_paint import AfterFirstPaint

        self.window = window
        self._make = make
        self.done = make is None
        self._closed = False
        if self.done:
            return
        self._filter = AfterFirstPaint(window.article.viewport(), self.finish)
        window.closing.insert(0, self._close)   # before the store closes

    @classmethod
    def of(cls, window: MainWindow, settings: Settings) -> SuggestionsAfterFirstPaint:
        from annotator.services.suggesting import SuggestionService

        vm = window.vm
        if vm.reviewing or vm.suggester is not None:
            return cls(window, None)
        return cls(window, lambda: SuggestionService(vm.service,
                                                     compute=settings.suggest_on_open))

    def _close(self) -> None:
        self._closed = True

    def finish(self) -> None:
        """Give the window its suggestions now (once; nothing once it is closed)."""
        if self.done or self._closed:
            return
        vm = self.window.vm
        if vm.viewing is not None:   # another set is shown: the offers are for one's own
            from PySide6.QtCore import QTimer

            QTimer.singleShot(self.RETRY_MS, self.finish)
            return
        assert self._make is not None
        self.done = True
        vm.suggester = self._make()
        # computed now, or on the window's background thread (run_gui's interactive window),
        # then drawn (in one pass over the text when there are many: a book's 70,000)
        vm.offer_suggestions()


def _remember_layout(window: MainWindow) -> None:
    """Keep the docks' and the splitter's sizes for the next window of this mode and direction."""
    docks, splitter = window.layout_state()
    settings = load_settings()
    key = window.layout_key()
    update_settings(window_states={**settings.window_states, key: docks},
                    splitter_states={**settings.splitter_states, key: splitter})


def _switch_language(setting: str) -> None:
    """View -> Language: switch every window now, and remember the choice."""
    from PySide6.QtWidgets import QApplication

    from annotator.ui.i18n import apply_language, resolve

    app = QApplication.instance()
    if app is None:
        return
    apply_language(app, resolve(setting))
    update_settings(language=setting)
    for window in _built:
        try:
            window.set_language_choice(setting)
        except RuntimeError:   # a window Qt has deleted already
            continue


def _switch_mode(window: MainWindow, options: GuiOptions, user: str, mode: str) -> None:
    """Open the window of the other mode (annotation / review) in place of this one."""
    from dataclasses import replace

    current = window.vm.document.external_id if window.vm.document is not None else None
    try:
        other = build_window(replace(options, review=mode == "review", open_document=current),
                             load_settings(), user, background=True)
    except UserError as exc:
        window.statusBar().showMessage(str(exc), 8000)
        return
    other.resize(window.size())
    other.show()
    _windows.append(other)
    window.close()


_windows: list[MainWindow] = []   # windows opened by a mode switch, kept alive


def _document_to_open(queue: QueueViewModel | ReviewQueueViewModel,
                      wanted: str | None) -> int | None:
    if wanted is None:
        return queue.first_open()
    for item in queue.items:
        if wanted in (item.external_id, str(item.document_id)):
            return item.document_id
    raise UserError(f"--open {wanted}: no such document (use an id from `annotator docs`)")


def _font_menu(window: MainWindow, fonts: list[str], settings: Settings) -> None:
    from PySide6.QtGui import QAction

    for family in fonts:
        item = QAction(family, window)
        item.triggered.connect(lambda _=False, f=family: _set_font(window, f))
        window.font_menu.addAction(item)


def _set_font(window: MainWindow, family: str) -> None:
    size = window.article.document().defaultFont().pointSize()
    window.article.set_article_font(family, size)
    window.font_changed.emit(family, size)


def configure_app(app: QApplication, language: str = "auto") -> str:
    """The interface language (``language``: "ar", "en", or "auto" for the system locale; the
    layout direction follows it) and a UI font with Arabic glyphs; returns the language."""
    from PySide6.QtGui import QFont

    from annotator.ui.fonts import load_bundled_fonts
    from annotator.ui.i18n import apply_language, resolve

    app.setApplicationName("annotator")
    load_bundled_fonts()
    ui_font = next((f for f in UI_FONTS if f in arabic_fonts()), None)
    if ui_font:
        app.setFont(QFont(ui_font, 10))
    return apply_language(app, resolve(language))


class Interruption:
    """Ctrl-C (SIGINT) while the window runs: every window closes (their time is written) and
    the loop ends. Nothing else is needed, and :meth:`report` says so: every action was
    committed when it was made. A timer lets Python run its signal handler while Qt waits."""

    def __init__(self, app: QCoreApplication) -> None:
        from PySide6.QtCore import QTimer

        self.app = app
        self.requested = False
        self._tick = QTimer()
        self._tick.timeout.connect(lambda: None)
        self._tick.start(200)
        self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        from PySide6.QtCore import QTimer

        self.requested = True
        QTimer.singleShot(0, self._quit)

    def _quit(self) -> None:
        from PySide6.QtWidgets import QApplication

        if isinstance(self.app, QApplication):
            self.app.closeAllWindows()
        self.app.quit()

    def restore(self) -> None:
        self._tick.stop()
        signal.signal(signal.SIGINT, self._previous)

    @staticmethod
    def report(actions: int) -> str:
        noun = "action" if actions == 1 else "actions"
        return f"interrupted; every change up to now is saved ({actions} {noun} this session)"


def session_actions(windows: list[MainWindow]) -> int:
    """The actions committed in ``windows`` (each a transaction, undos and redos included)."""
    return sum(window.vm.history.committed for window in windows)


def _quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """The offscreen platform warns that it cannot pass window size hints: nothing to act on."""
    if "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


def run_gui(options: GuiOptions) -> int:
    started = time.perf_counter()
    if options.screenshot is not None and "QT_QPA_PLATFORM" not in os.environ \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if sys.platform.startswith("linux") and "QT_QPA_PLATFORM" not in os.environ \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise UserError("no display to open the window on (DISPLAY is not set); on a machine "
                        "without a screen, QT_QPA_PLATFORM=offscreen annotator --user NAME gui "
                        "--screenshot shot.png renders it to a PNG")
    if not _application_made():   # this process's first window: its start-up
        startup.hold()
    try:
        load_layers()
        if options.screenshot is not None:
            from PySide6.QtCore import qInstallMessageHandler

            qInstallMessageHandler(_quiet_offscreen)
        return _run(options, started)
    finally:
        startup.release()


def _application_made() -> bool:
    """Whether this process has its QApplication already (without importing Qt to ask)."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    return widgets is not None and widgets.QApplication.instance() is not None


def _run(options: GuiOptions, started: float) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    settings = load_settings()
    configure_app(app, options.language or settings.language)
    user = options.user or settings.user
    if options.screenshot is not None:
        return _screenshot(options, settings, user or getpass.getuser(), started)
    first = len(_built)
    interruption = Interruption(app)
    try:
        code = _run_window(app, options, settings, user)
    finally:
        interruption.restore()
    if interruption.requested:
        print(Interruption.report(session_actions(_built[first:])), file=sys.stderr)
        return 130
    return code


def _run_window(app: QApplication, options: GuiOptions, settings: Settings,
                user: str | None) -> int:
    if user is None:
        user = ask_user_name(getpass.getuser())
        if user is None:
            return 1
    if user != settings.user:
        settings = settings.with_(user=user)
        update_settings(user=user)
    window = build_window(options, settings, user, suggest=False, background=True)
    SuggestionsAfterFirstPaint.of(window, settings)   # (the window's closing list keeps it)
    window.resize(*options.size)
    window.show()
    startup.release()
    return app.exec()


def _screenshot(options: GuiOptions, settings: Settings, user: str, started: float) -> int:
    from PySide6.QtGui import QGuiApplication

    assert options.screenshot is not None
    window = build_window(options, settings, user, suggest=False)
    suggestions = SuggestionsAfterFirstPaint.of(window, settings)
    window.resize(*options.size)
    window.show()
    QGuiApplication.processEvents()
    window.keep_article_half()
    QGuiApplication.processEvents()
    window.article.viewport().update()
    QGuiApplication.processEvents()
    suggestions.finish()   # (given after the first paint above; the picture shows them)
    startup.release()   # shown: start-up is over
    options.screenshot.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(options.screenshot)):
        raise UserError(f"cannot write the screenshot {options.screenshot}")
    print(f"screenshot: {options.screenshot} ({time.perf_counter() - started:.2f} s)")
    window.close()
    return 0
