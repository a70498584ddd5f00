"""The main window: the article in the middle, the queue on the reading side, spans and details
on the other.

The queue sits where reading starts: on the right in the Arabic interface, on the left in the
English one (Qt does not mirror dock areas with the layout direction: the window moves them when
the language changes). Both docks can be closed (View -> Panels brings them back), moved and
floated; their sizes and the side splitter's are remembered per mode and direction
(:meth:`MainWindow.layout_state`), and whatever they were, the article keeps at least half of
the window's width.

Every word the window shows is in the interface language (``retranslate`` on LanguageChange).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
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
from annotator.ui.common import status_names, translate
from annotator.ui.highlighter import SpanHighlighter
from annotator.ui.i18n import NATIVE_NAMES
from annotator.ui.palette import LabelPalette
from annotator.ui.panels import DetailsPanel, SearchBar
from annotator.ui.queue_panel import QueuePanel
from annotator.ui.set_chooser import SetChooser
from annotator.ui.span_list import SpanList
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.ui.viewmodels.keys import Command, command_for_key, review_command_for_key
from annotator.ui.viewmodels.queue import QueueViewModel

if TYPE_CHECKING:   # review mode's modules are imported when a review window is built
    from annotator.ui.review_panels import AgreementBar, VersionsPanel
    from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

TIME_FLUSH_MS = 30_000
WATCH_MS = 1_000
QUEUE_SHARE = 0.25   # of the window's width, when no size was remembered
SPANS_SHARE = 0.23
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


def keyboard_help(review: bool) -> str:
    """The keys, as an HTML table (F1), in the interface language."""
    def table(title: str, rows: list[tuple[str, str]]) -> str:
        body = "".join(f"<tr><td dir='ltr'>{html.escape(keys)}</td><td>{html.escape(what)}</td>"
                       "</tr>" for keys, what in rows)
        return f"<h3>{html.escape(title)}</h3><table cellpadding=3>{body}</table>"

    def note(text: str) -> str:
        return f"<p>{html.escape(text)}</p>"

    annotation = table(translate("Help", "Keyboard"), [
        ("q a l c / 1 2 3 4",
         translate("Help", "label the selection, or relabel the selected span")),
        ("Shift + ← →", translate("Help", "select words (dragging and double-clicking too; "
                                          "snapped to whole words)")),
        ("", translate("Help", "a click on a span selects it (in the span list too: the label "
                               "and other keys then act on it)")),
        ("Delete", translate("Help", "remove the selected span")),
        ("Alt + → / ←",
         translate("Help", "grow the span by a word at its start (right) / end (left)")),
        ("Alt + Shift + → / ←", translate("Help", "shrink the span by a word from that side")),
        ("Ctrl + Alt + …", translate("Help", "the same by one character")),
        ("s / v",
         translate("Help", "with a quote selected: link it to its speaker / cue; then click")),
        ("d i p", translate("Help", "quote kind: direct / indirect / partial")),
        ("Esc", translate("Help", "cancel a relation, close search, deselect")),
        ("Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y", translate("Help", "undo, redo")),
        ("Ctrl+F, Enter",
         translate("Help", "search (hamza, harakat, ى/ي, ة/ه ignored), next hit")),
        ("Ctrl+Enter", translate("Help", "mark the document done and open the next one")),
        ("Ctrl + / Ctrl -", translate("Help", "zoom")),
        ("F6", translate("Help", "move between the article, the queue, the span list and the "
                                 "details")),
        ("Tab / Shift+Tab", translate("Help", "next / previous suggestion (dotted underline; "
                                              "the current one wavy)")),
        ("Enter",
         translate("Help", "accept the suggestion (with its relations to spans you have)")),
        ("x", translate("Help", "reject the suggestion (hidden for you, remembered)")),
        ("Shift+Enter",
         translate("Help", "accept every suggestion of the document (one undo step)")),
    ]) + note(translate("Help", "Letter keys work with the Arabic keyboard layout too "
                                "(ض = q …)."))
    if not review:
        return annotation
    decisions = table(translate("Help", "Review"), [
        ("Tab / Shift+Tab", translate("Help", "next / previous disagreement")),
        ("Enter", translate("Help", "accept the candidate into gold")),
        ("x", translate("Help", "reject it")),
        ("1 … 9", translate("Help", "take that annotator's version of the region")),
        ("u", translate("Help", "accept every unanimous candidate of the document")),
        ("Alt + ← →, q a l c, s / v", translate("Help", "fix a gold span's boundaries, label, "
                                                        "link (as in annotation)")),
        ("Ctrl+Enter", translate("Help", "mark the document reviewed, open the next one")),
        ("Ctrl+Z, Ctrl+Shift+Z", translate("Help", "undo, redo any decision")),
    ]) + note(translate("Help", "Underlines: solid = every annotator, dashed = a majority, "
                                "dotted = a minority."))
    return decisions + annotation


class MainWindow(QMainWindow):
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
            self.versions = review_panels.VersionsPanel(vm, schema)
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
        self.timer = QTimer(self)
        self.timer.timeout.connect(vm.flush_time)
        self.timer.start(TIME_FLUSH_MS)
        # other windows and processes: their changes to the open set show within a second
        self.watch_timer = QTimer(self)
        self.watch_timer.timeout.connect(self._poll_external)
        self.watch_timer.start(WATCH_MS)
        self.retranslate()

    # -- docks and their sizes ---------------------------------------------------------------

    def _dock(self, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        dock.visibilityChanged.connect(lambda _visible: self._later_keep_article_half())
        return dock

    def _right_to_left(self) -> bool:
        return self.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def _place_docks(self) -> None:
        """The queue on the reading side, the spans on the other."""
        reading, other = (RIGHT, LEFT) if self._right_to_left() else (LEFT, RIGHT)
        self.addDockWidget(reading, self.queue_dock)
        self.addDockWidget(other, self.spans_dock)

    def _mirror_docks(self) -> None:
        """The language's direction changed: every docked panel moves to the other side,
        keeping its width."""
        widths = {dock: dock.width() for dock in self._docks}
        for dock in self._docks:
            area = self.dockWidgetArea(dock)
            if area in (LEFT, RIGHT) and not dock.isFloating():
                self.addDockWidget(RIGHT if area == LEFT else LEFT, dock)
        shown = [d for d in self._docks if d.isVisible() and not d.isFloating()]
        if shown:
            self.resizeDocks(shown, [widths[d] for d in shown], Qt.Orientation.Horizontal)
        self._later_keep_article_half()

    def layout_key(self) -> str:
        """Under which name the settings keep this window's layout: mode and direction."""
        return f"{self.mode}-{'rtl' if self._right_to_left() else 'ltr'}"

    def layout_state(self) -> tuple[str, str]:
        """The docks (QMainWindow.saveState) and the side splitter, as base64 text."""
        return (bytes(self.saveState().toBase64().data()).decode("ascii"),
                bytes(self.side.saveState().toBase64().data()).decode("ascii"))

    def restore_layout(self, window_state: str | None, splitter_state: str | None) -> bool:
        """Put the docks and the splitter back as :meth:`layout_state` gave them (before the
        window shows); returns whether the docks' state was usable."""
        restored = False
        if window_state:
            restored = self.restoreState(QByteArray.fromBase64(window_state.encode("ascii")))
        if splitter_state:
            self.side.restoreState(QByteArray.fromBase64(splitter_state.encode("ascii")))
        self._restored = restored
        return restored

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._docks_sized:
            self._docks_sized = True
            if not self._restored:
                width = self.width()
                self.resizeDocks(list(self._docks),
                                 [int(width * QUEUE_SHARE), int(width * SPANS_SHARE)],
                                 Qt.Orientation.Horizontal)
            self._later_keep_article_half()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._later_keep_article_half()

    def _later_keep_article_half(self) -> None:
        QTimer.singleShot(0, self.keep_article_half)

    def keep_article_half(self) -> None:
        """Narrow the docked side panels (in proportion) until the article has at least half
        the window's width."""
        docked = [d for d in self._docks if d.isVisible() and not d.isFloating()
                  and self.dockWidgetArea(d) in (LEFT, RIGHT)]
        central = self.centralWidget().width()
        half = (self.width() + 1) // 2
        if not docked or central >= half:
            return
        total = sum(d.width() for d in docked)
        excess = half - central
        widths = [max(d.minimumSizeHint().width(), d.width() - (excess * d.width()) // total - 1)
                  for d in docked]
        self.resizeDocks(docked, widths, Qt.Orientation.Horizontal)

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
                                 ("accept", Command("accept")), ("reject", Command("reject")),
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
        if self.review and self._review_command(self.vm, command):  # type: ignore[arg-type]
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
        elif command.name == "suggestion":
            self.vm.next_suggestion(int(command.args[0]))  # type: ignore[call-overload]
        elif command.name == "accept_suggestion":
            self.vm.accept_suggestion()
        elif command.name == "reject_suggestion":
            self.vm.reject_suggestion()
        elif command.name == "accept_all_suggestions":
            self.vm.accept_all_suggestions()

    @staticmethod
    def _review_command(vm: ReviewViewModel, command: Command) -> bool:
        if command.name == "next":
            vm.next_disagreement(int(command.args[0]))  # type: ignore[call-overload]
        elif command.name == "accept":
            vm.accept_current()
        elif command.name == "reject":
            vm.reject_current()
        elif command.name == "version":
            vm.take_version(int(command.args[0]))  # type: ignore[call-overload]
        elif command.name == "unanimous":
            vm.accept_unanimous()
        else:
            return False
        return True

    def _load_figures(self) -> None:
        if self.review and self.agreement_bar is not None:
            self.vm.load_figures()  # type: ignore[attr-defined]
            self.agreement_bar.refresh()

    def choose_set(self) -> None:
        """View -> Show set…: open the set chooser's list."""
        self.set_chooser.combo.setFocus()
        self.set_chooser.combo.showPopup()

    def show_agreement(self) -> None:
        """The project's agreement over every document (reviewers and leads)."""
        from annotator.core.errors import UserError
        from annotator.services.agreement import agreement
        from annotator.ui.review_panels import AgreementDialog

        try:
            report = agreement(self.vm.service.store, actor=self.user)
        except UserError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.agreement_dialog = AgreementDialog(report, self)
        self.agreement_dialog.show()

    def show_suggestion_stats(self) -> None:
        """How annotators took each suggester's proposals (reviewers and leads)."""
        from annotator.core.errors import UserError
        from annotator.services.suggesting import suggestion_stats
        from annotator.ui.panels import SuggestionStatsDialog

        try:
            stats = suggestion_stats(self.vm.service.store, actor=self.user)
        except UserError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.suggestion_dialog = SuggestionStatsDialog(stats, self)
        self.suggestion_dialog.show()

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

    def _saved(self) -> None:
        self._saved_at = QTime.currentTime().toString("HH:mm:ss")
        self._show_saved()

    def _show_saved(self) -> None:
        self.saved_label.setText(
            translate("MainWindow", "Saved {time}").format(time=self._saved_at)
            if self._saved_at else translate("MainWindow", "All saved"))

    def _show_who(self) -> None:
        """The title and the status bar say whose set is on screen."""
        viewing = self.vm.viewing
        who = translate("MainWindow", "Reviewer: {name}") if self.review \
            else translate("MainWindow", "Annotator: {name}")
        title = f"annotator — {self.user}"
        if self.review:
            title += " — " + translate("MainWindow", "Review")
        if viewing is not None:
            shown = viewing.describe()
            title += " — " + shown
            self.user_label.setText(translate("MainWindow", "Showing: {set}").format(set=shown))
            self.user_label.setStyleSheet("font-weight: bold; color: #8a5a00;")
            self.read_only_bar.setText(self.vm.read_only_message())
            self.read_only_bar.show()
        else:
            self.user_label.setText(who.format(name=self.user))
            self.user_label.setStyleSheet("")
            self.read_only_bar.hide()
        self.palette_bar.setEnabled(viewing is None)
        self.setWindowTitle(title)

    def _set_shown(self) -> None:
        self._show_who()
        self.article.highlighter.rehighlight()

    def _document_changed(self) -> None:
        if self.vm.viewing is not None:
            return
        if self.vm.document is not None and self.vm.document.id is not None:
            self.queue.update(self.vm.document.id, status=self.vm.status, spans=len(self.vm.spans))

    def _show_progress(self) -> None:
        done, total = self.queue.progress()
        if self.review:
            from annotator.services.review import review_status
            from annotator.ui.review_panels import review_status_names

            status = review_status_names()[review_status(self.vm.status)] \
                if self.vm.document else ""
            text = translate("MainWindow", "Reviewed: {done}/{total}").format(done=done,
                                                                            total=total)
        else:
            status = status_names().get(self.vm.status, "") if self.vm.document else ""
            text = translate("MainWindow", "Done: {done}/{total}").format(done=done, total=total)
        self.progress_label.setText(text + (f"  |  {status}" if status else ""))

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
