"""The main window: the article in the middle, the queue on the reading side, spans and details
on the other.

The queue sits where reading starts: on the right in the Arabic interface, on the left in the
English one (Qt does not mirror dock areas with the layout direction: the window moves them when
the language changes). Both docks can be closed (View -> Panels brings them back), moved and
floated; their sizes and the side splitter's are remembered per mode and direction
(:meth:`MainWindow.layout_state`), and whatever they were, the article keeps at least half of
the window's width.

Every word the window shows is in the interface language (``retranslate`` on LanguageChange).

Its parts live in their own modules: the docks (``window_docks``), the status bar and title
(``window_status``), review mode's actions (``review_window``), the keys' help page
(``keyboard_help``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from annotator.core.schema import Schema
from annotator.ui.article_view import ArticleView
from annotator.ui.common import translate
from annotator.ui.first_paint import AfterFirstPaint
from annotator.ui.highlighter import SpanHighlighter
from annotator.ui.i18n import NATIVE_NAMES
from annotator.ui.keyboard_help import keyboard_help
from annotator.ui.palette import LabelPalette
from annotator.ui.panels import DetailsPanel, SearchBar
from annotator.ui.queue_panel import QueuePanel
from annotator.ui.review_window import ReviewWindow
from annotator.ui.set_chooser import SetChooser
from annotator.ui.span_list import SpanList
from annotator.ui.suggestion_window import SuggestionWindow
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.keys import Command, command_for_key, review_command_for_key
from annotator.ui.viewmodels.queue import QueueViewModel
from annotator.ui.window_docks import WindowDocks
from annotator.ui.window_status import WindowStatus

if TYPE_CHECKING:   # review mode's modules are imported when a review window is built
    from annotator.ui.review_panels import AgreementBar
    from annotator.ui.versions_panel import VersionsPanel
    from annotator.ui.viewmodels.review import ReviewQueueViewModel

TIME_FLUSH_MS = 30_000
WATCH_MS = 1_000
PREPARE_MS = 300   # after the article's first paint: the statements of an action compiled


class MainWindow(WindowDocks, WindowStatus, ReviewWindow, SuggestionWindow, QMainWindow):
    """The annotation window; with a ReviewViewModel and a ReviewQueueViewModel, review mode:
    the document's gold set, the candidates merged from the annotators' sets, the agreement bar
    and the annotators' versions of the region being decided."""

    font_changed = Signal(str, int)    # the article's font family and size, for the settings
    mode_requested = Signal(str)       # "review" or "annotate": app.py opens that window instead
    language_requested = Signal(str)   # "auto", "ar" or "en": app.py switches and remembers it

    def __init__(self, vm: AnnotationViewModel, queue: QueueViewModel | ReviewQueueViewModel,
                 schema: Schema, *, user: str, font_family: str, font_size: int) -> None:
        super().__init__()
        self.vm = vm
        self.queue = queue
        self.schema = schema
        self.user = user
        self.review = vm.reviewing   # review mode: its modules are imported only then
        self.mode = "review" if self.review else "annotate"
        keys = review_command_for_key if self.review else command_for_key
        if self.review:
            from annotator.ui import review_panels
        self.article = ArticleView(vm, schema, keys=keys, highlighter=review_panels.ReviewHighlighter
                                   if self.review else SpanHighlighter)
        self.article.set_article_font(font_family, font_size)
        self.palette_bar = LabelPalette(schema)
        self.palette_bar.follow(vm)
        self.set_chooser = SetChooser(vm)
        self.search_bar = SearchBar(vm, schema)
        self.search_bar.hide()
        self.read_only_bar = QLabel()
        self.read_only_bar.setWordWrap(True)
        self.read_only_bar.setContentsMargins(8, 4, 8, 4)
        self.read_only_bar.setStyleSheet("background: #fff3cd; color: #5c4400;")
        self.read_only_bar.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.read_only_bar)
        self.agreement_bar: AgreementBar | None = None
        if self.review:
            self.agreement_bar = review_panels.AgreementBar(vm)
            layout.addWidget(self.agreement_bar)
        layout.addWidget(self.article, 1)
        self.setCentralWidget(central)
        # the palette: a row over the whole window's width
        self.labels_toolbar = QToolBar()
        self.labels_toolbar.setObjectName("labels")
        self.labels_toolbar.setMovable(False)
        self.labels_toolbar.setFloatable(False)
        self.labels_toolbar.toggleViewAction().setVisible(False)
        self.labels_toolbar.addWidget(self.palette_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.labels_toolbar)

        if self.review:
            self.queue_panel = QueuePanel(queue, model=review_panels.ReviewQueueModel(queue),
                                          statuses=review_panels.review_status_names,
                                          colors=review_panels.REVIEW_STATUS_COLORS)
        else:
            self.queue_panel = QueuePanel(queue)
        self.span_list = SpanList(vm, schema, keys=keys)
        self.details = DetailsPanel(vm, schema)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setObjectName("side")
        self.versions: VersionsPanel | None = None
        if self.review:
            from annotator.ui.versions_panel import VersionsPanel

            self.versions = VersionsPanel(vm, schema)
            self.side.addWidget(self.versions)
        spans = QWidget()
        spans_layout = QVBoxLayout(spans)
        spans_layout.setContentsMargins(0, 0, 0, 0)
        spans_layout.setSpacing(2)
        spans_layout.addWidget(self.set_chooser)
        spans_layout.addWidget(self.span_list, 1)
        self.side.addWidget(spans)
        details = QScrollArea()          # a short window scrolls the details, never clips them
        details.setWidget(self.details)
        details.setWidgetResizable(True)
        details.setFrameShape(QScrollArea.Shape.NoFrame)
        self.side.addWidget(details)
        for n, stretch in enumerate([3, 3, 2] if self.review else [3, 2]):
            self.side.setStretchFactor(n, stretch)
        self.queue_dock = self._dock("queue", self.queue_panel)
        self.spans_dock = self._dock("spans", self.side)
        self._docks = (self.queue_dock, self.spans_dock)
        self._place_docks()
        self._docks_sized = False
        self._restored = False

        self.closing: list[Callable[[], None]] = []   # run when the window closes (app.py)
        self.user_label = QLabel()
        self.progress_label = QLabel()
        self.saved_label = QLabel()
        self._saved_at: str | None = None
        self._saved_second: int | None = None   # (the second the label says)
        for widget in (self.user_label, self.progress_label, self.saved_label):
            self.statusBar().addPermanentWidget(widget)
        self._actions()

        self.article.command.connect(self.run_command)
        self.span_list.command.connect(self.run_command)
        self.palette_bar.label_clicked.connect(self.press_label)
        self.queue_panel.open_document.connect(self.open_document)
        self.search_bar.label_all.connect(self.label_all_hits)
        self.search_bar.closed.connect(self.close_search)
        vm.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        vm.saved.connect(self._saved)
        vm.status_changed.connect(lambda _status: self._document_changed())
        vm.spans_changed.connect(lambda _ranges: self._document_changed())
        vm.set_shown.connect(self._set_shown)
        queue.changed.connect(self._show_progress)
        queue.item_changed.connect(lambda _id: self._show_progress())
        vm.document_opened.connect(self._show_progress)
        vm.status_changed.connect(lambda _status: self._show_progress())
        if self.review:
            # the figures of a long book take a moment: after the document shows
            vm.document_opened.connect(lambda: QTimer.singleShot(0, self._load_figures))
        # the statements of an action compiled once the article has been drawn (not at the
        # first action, nor in the way of the first paint): a person acts later than this
        self._prepare = AfterFirstPaint(self.article.viewport(), vm.service.prepare_writes,
                                        delay_ms=PREPARE_MS)
        self.timer = QTimer(self)
        self.timer.timeout.connect(vm.flush_time)
        self.timer.start(TIME_FLUSH_MS)
        # other windows and processes: their changes to the open set show within a second
        self.watch_timer = QTimer(self)
        self.watch_timer.timeout.connect(self._poll_external)
        self.watch_timer.start(WATCH_MS)
        self.retranslate()

    # -- docks and their sizes ---------------------------------------------------------------

    # -- menus ---------------------------------------------------------------------------------

    def _actions(self) -> None:
        self.menus: dict[str, QMenu] = {}
        self.items: dict[str, QAction] = {}
        bar = self.menuBar()
        for name in ("file", "edit", "view", "suggest" if not self.review else "review", "help"):
            self.menus[name] = bar.addMenu("")

        def action(menu: str, key: str, keys: list[QKeySequence | str], slot) -> QAction:  # type: ignore[no-untyped-def]
            item = QAction(self)
            item.setShortcuts([QKeySequence(k) for k in keys])
            item.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            item.triggered.connect(slot)
            self.menus[menu].addAction(item)
            self.items[key] = item
            return item

        action("file", "done", ["Ctrl+Return", "Ctrl+Enter"], self.done_and_next)
        if self.review:
            action("file", "mode", [], lambda: self.mode_requested.emit("annotate"))
        else:
            action("file", "mode", [], lambda: self.mode_requested.emit("review"))
        self.menus["file"].addSeparator()
        action("file", "quit", [QKeySequence.StandardKey.Quit], self.close)
        action("edit", "undo", [QKeySequence.StandardKey.Undo], self.vm.undo)
        action("edit", "redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.vm.redo)
        action("edit", "find", [QKeySequence.StandardKey.Find], self.open_search)
        action("view", "show_set", [], self.choose_set)
        self.panels_menu = self.menus["view"].addMenu("")
        for dock in self._docks:
            self.panels_menu.addAction(dock.toggleViewAction())
        self.menus["view"].addSeparator()
        action("view", "agreement", [], self.show_agreement)
        action("view", "outcomes", [], self.show_suggestion_stats)
        self.menus["view"].addSeparator()
        action("view", "zoom_in", ["Ctrl++", "Ctrl+="], lambda: self.zoom(1))
        action("view", "zoom_out", ["Ctrl+-"], lambda: self.zoom(-1))
        action("view", "next_pane", ["F6"], self.next_pane)
        self.language_menu = self.menus["view"].addMenu("")
        self.language_group = QActionGroup(self)
        self.language_items: dict[str, QAction] = {}
        for code in ("auto", "ar", "en"):
            item = QAction(self)
            item.setCheckable(True)
            item.triggered.connect(lambda _=False, c=code: self.language_requested.emit(c))
            self.language_group.addAction(item)
            self.language_menu.addAction(item)
            self.language_items[code] = item
        self.font_menu = self.menus["view"].addMenu("")
        if self.review:
            for key, command in (("next", Command("next", (1,))),
                                 ("previous", Command("next", (-1,))),
                                 ("accept", Command("accept")),
                                 ("accept_to_fix", Command("accept_to_fix")),
                                 ("reject", Command("reject")),
                                 ("unanimous", Command("unanimous"))):
                action("review", key, [], lambda _=False, c=command: self.run_command(c))
        else:
            for key, command in (("next", Command("suggestion", (1,))),
                                 ("previous", Command("suggestion", (-1,))),
                                 ("accept", Command("accept_suggestion")),
                                 ("reject", Command("reject_suggestion")),
                                 ("accept_all", Command("accept_all_suggestions"))):
                action("suggest", key, [], lambda _=False, c=command: self.run_command(c))
        action("help", "keys", ["F1"], self.show_help)

    def set_language_choice(self, setting: str) -> None:
        """Tick the language menu's entry of the ``language`` setting."""
        if setting in self.language_items:
            self.language_items[setting].setChecked(True)

    # -- words ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        menus = {"file": translate("MainWindow", "&File"),
                 "edit": translate("MainWindow", "&Edit"),
                 "view": translate("MainWindow", "&View"),
                 "suggest": translate("MainWindow", "&Suggestions"),
                 "review": translate("MainWindow", "&Review"),
                 "help": translate("MainWindow", "&Help")}
        for name, menu in self.menus.items():
            menu.setTitle(menus[name])
        texts = {
            "done": translate("MainWindow", "Reviewed, next document") if self.review
            else translate("MainWindow", "Done, next document"),
            "mode": translate("MainWindow", "Annotation mode") if self.review
            else translate("MainWindow", "Review mode (reviewers)"),
            "quit": translate("MainWindow", "Quit"),
            "undo": translate("MainWindow", "Undo"), "redo": translate("MainWindow", "Redo"),
            "find": translate("MainWindow", "Find"),
            "show_set": translate("MainWindow", "Show set…"),
            "agreement": translate("MainWindow", "Agreement…"),
            "outcomes": translate("MainWindow", "Suggestion outcomes…"),
            "zoom_in": translate("MainWindow", "Zoom in"),
            "zoom_out": translate("MainWindow", "Zoom out"),
            "next_pane": translate("MainWindow", "Next pane"),
            "keys": translate("MainWindow", "Keyboard"),
        }
        if self.review:
            texts.update({"next": translate("MainWindow", "Next disagreement (Tab)"),
                          "previous": translate("MainWindow",
                                                "Previous disagreement (Shift+Tab)"),
                          "accept": translate("MainWindow", "Accept (Enter)"),
                          "accept_to_fix": translate("MainWindow",
                                                     "Accept and fix it (Shift+Enter)"),
                          "reject": translate("MainWindow", "Reject (x)"),
                          "unanimous": translate("MainWindow", "Accept all unanimous (u)")})
        else:
            texts.update({"next": translate("MainWindow", "Next suggestion (Tab)"),
                          "previous": translate("MainWindow", "Previous suggestion (Shift+Tab)"),
                          "accept": translate("MainWindow", "Accept (Enter)"),
                          "reject": translate("MainWindow", "Reject (x)"),
                          "accept_all": translate("MainWindow", "Accept all (Shift+Enter)")})
        for key, item in self.items.items():
            item.setText(texts[key])
        self.panels_menu.setTitle(translate("MainWindow", "Panels"))
        self.language_menu.setTitle(translate("MainWindow", "Language"))
        self.language_items["auto"].setText(translate("MainWindow", "System language"))
        for code in ("ar", "en"):
            self.language_items[code].setText(NATIVE_NAMES[code])
        self.font_menu.setTitle(translate("MainWindow", "Font"))
        self.queue_dock.setWindowTitle(translate("MainWindow", "Queue"))
        self.spans_dock.setWindowTitle(translate("MainWindow", "Spans"))
        self._show_who()
        self._show_progress()
        self._show_saved()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.LayoutDirectionChange:
            self._mirror_docks()

    # -- actions -----------------------------------------------------------------------------

    def run_command(self, command: Command) -> None:
        if self.review and self._review_command(self.vm, command):
            return
        if self._suggestion_command(self.vm, command):
            return
        if command.name == "label":
            self.press_label(str(command.args[0]))
        elif command.name == "relation":
            self.vm.start_relation(str(command.args[0]))
        elif command.name == "attribute":
            self.vm.set_attribute(str(command.args[0]), str(command.args[1]))
        elif command.name == "delete":
            self.vm.delete_selected()
        elif command.name == "cancel":
            if self.search_bar.isVisible() and self.vm.pending_relation is None:
                self.close_search()
            elif self.article.textCursor().hasSelection() and self.vm.pending_relation is None:
                self.article.clear_selection()
            else:
                self.vm.cancel()
        elif command.name == "resize":
            edge, grow, by_word = command.args
            self.vm.resize_selected(edge=str(edge), grow=bool(grow), by_word=bool(by_word))

    def choose_set(self) -> None:
        """View -> Show set…: open the set chooser's list."""
        self.set_chooser.combo.setFocus()
        self.set_chooser.combo.showPopup()

    def report_dialog(self, compute: Callable[..., Any],
                      dialog: Callable[[Any, QWidget], QWidget]) -> QWidget | None:
        """A project report (``compute(store, actor=user)``) shown in its dialog; a refusal
        (not a reviewer or lead) is a message on the status bar."""
        from annotator.core.errors import UserError

        try:
            report = compute(self.vm.service.store, actor=self.user)
        except UserError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return None
        shown = dialog(report, self)
        shown.show()
        return shown

    def press_label(self, label: str) -> None:
        self.vm.press_label(label, self.article.selection())
        self.article.clear_selection()
        self.article.setFocus()

    def open_document(self, document_id: int) -> None:
        self.vm.open(document_id)
        self.queue_panel.show_current(document_id)
        self._document_changed()
        self._show_who()          # the text was just set and highlighted: no second pass
        self.article.setFocus()

    def done_and_next(self) -> None:
        if self.vm.document is None:
            return
        if self.vm.viewing is not None:
            self.vm.mark_done()        # refused, with the read-only message
            return
        current = self.vm.document.id or 0
        self.vm.mark_done()
        self._document_changed()
        following = self.queue.next_after(current)
        if following is None:
            self.statusBar().showMessage(translate("MainWindow", "Every document is done"), 8000)
            return
        self.open_document(following)

    def open_search(self) -> None:
        selected = self.article.textCursor().selectedText().strip()
        if selected and "\u2029" not in selected:
            self.search_bar.query.setText(selected)
        self.search_bar.show()
        self.search_bar.query.setFocus()
        self.search_bar.query.selectAll()

    def close_search(self) -> None:
        self.vm.clear_search()
        self.search_bar.hide()
        self.article.setFocus()

    def label_all_hits(self, label: str) -> None:
        hits = self.vm.hits
        if not hits:
            return
        if self.vm.viewing is not None:
            self.vm.label_all_hits(label)   # refused, with the read-only message
            return
        from annotator.ui.viewmodels.words import name_of

        listing = "\n".join(f"{h.start}–{h.end}  {h.text}" for h in hits[:40])
        more = "\n" + translate("MainWindow", "… and {count} more").format(
            count=len(hits) - 40) if len(hits) > 40 else ""
        question = translate("MainWindow", "Label the hits as {label}? Hits: {count}").format(
            label=name_of(self.schema.label(label)), count=len(hits))
        answer = QMessageBox.question(self, translate("MainWindow", "Label all hits"),
                                      f"{question}\n\n{listing}{more}")
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.label_all_hits(label)

    def zoom(self, steps: int) -> None:
        size = self.article.zoom(steps)
        self.statusBar().showMessage(translate("MainWindow", "{size} pt").format(size=size), 2000)
        self.font_changed.emit(self.article.document().defaultFont().family(), size)

    def next_pane(self) -> None:
        """F6: the article, the queue, the span list, the details (when a span is selected)."""
        panes = [self.article, self.queue_panel.table, self.span_list, self.details.note]
        focus = self.focusWidget()
        current = next((n for n, pane in enumerate(panes)
                        if pane is focus or pane.isAncestorOf(focus)), -1)
        for step in range(1, len(panes) + 1):
            pane = panes[(current + step) % len(panes)]
            if pane.isEnabled() and pane.isVisible():
                pane.setFocus(Qt.FocusReason.TabFocusReason)
                return

    def show_help(self) -> None:
        QMessageBox.information(self, translate("MainWindow", "Keyboard"),
                                keyboard_help(self.review))

    # -- status ------------------------------------------------------------------------------

    def _set_shown(self) -> None:
        self._show_who()
        self.article.highlighter.rehighlight()

    def _document_changed(self) -> None:
        if self.vm.viewing is not None:
            return
        if self.vm.document is not None and self.vm.document.id is not None:
            self.queue.update(self.vm.document.id, status=self.vm.status, spans=len(self.vm.spans))

    def _poll_external(self) -> None:
        from annotator.core.errors import UserError

        try:
            if self.vm.poll_external():
                self.statusBar().showMessage(
                    translate("MainWindow", "Changed elsewhere: reloaded"), 4000)
        except UserError as exc:      # the store went away, or is locked for a long time
            self.statusBar().showMessage(str(exc), 8000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.timer.stop()
        self.watch_timer.stop()
        self.vm.flush_time()
        for callback in self.closing:
            callback()
        self.closing.clear()
        super().closeEvent(event)
