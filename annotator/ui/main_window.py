"""The main window: the article in the middle, the queue on one side, spans and details on the other.

With the application's layout direction right-to-left (app.py), docks, menus and the status bar
are mirrored the way Arabic readers expect: the queue sits on the right, where reading starts.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTime, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.core.schema import Schema
from annotator.ui.article_view import ArticleView
from annotator.ui.panels import STATUS_NAMES, DetailsPanel, LabelPalette, QueuePanel, SearchBar, SpanList
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from annotator.services.review import review_status
from annotator.ui.review_panels import (
    REVIEW_STATUS_NAMES,
    AgreementBar,
    ReviewQueueModel,
    VersionsPanel,
)
from annotator.ui.viewmodels.keys import Command, command_for_key, review_command_for_key
from annotator.ui.viewmodels.queue import QueueViewModel
from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

TIME_FLUSH_MS = 30_000
WATCH_MS = 1_000
QUEUE_SHARE = 0.18   # of the window's width, on first show
SPANS_SHARE = 0.27

SHORTCUTS_HELP = """<h3>لوحة المفاتيح — Keyboard</h3>
<table cellpadding=3>
<tr><td>q a l c / 1 2 3 4</td><td>label the selection, or relabel the selected span</td></tr>
<tr><td>Shift + arrows, drag, double-click</td><td>select words (snapped to whole words)</td></tr>
<tr><td>click a span</td><td>select it (in the span list too: the label and other keys then act
on it)</td></tr>
<tr><td>Delete</td><td>remove the selected span</td></tr>
<tr><td>Alt + → / ←</td><td>grow the span by a word at its start (right) / end (left)</td></tr>
<tr><td>Alt + Shift + → / ←</td><td>shrink the span by a word from that side</td></tr>
<tr><td>… + Ctrl</td><td>the same by one character</td></tr>
<tr><td>s / v</td><td>with a quote selected: link it to its speaker (said_by) / cue; then click</td></tr>
<tr><td>d i p</td><td>quote kind: direct / indirect / partial</td></tr>
<tr><td>Esc</td><td>cancel a relation, close search, deselect</td></tr>
<tr><td>Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y</td><td>undo, redo</td></tr>
<tr><td>Ctrl+F, Enter</td><td>search (hamza, harakat, ى/ي, ة/ه ignored), next hit</td></tr>
<tr><td>Ctrl+Enter</td><td>mark the document done and open the next one</td></tr>
<tr><td>Ctrl + / Ctrl -</td><td>zoom</td></tr>
<tr><td>F6</td><td>move between the article, the queue, the span list and the details</td></tr>
<tr><td>Tab / Shift+Tab</td><td>next / previous suggestion (dotted underline; the current one
wavy)</td></tr>
<tr><td>Enter</td><td>accept the suggestion (with its relations to spans you have)</td></tr>
<tr><td>x</td><td>reject the suggestion (hidden for you, remembered)</td></tr>
<tr><td>Shift+Enter</td><td>accept every suggestion of the document (one undo step)</td></tr>
</table>
<p>Letter keys work with the Arabic keyboard layout too (ض = q …).</p>"""


REVIEW_HELP = """<h3>المراجعة — Review</h3>
<table cellpadding=3>
<tr><td>Tab / Shift+Tab</td><td>next / previous disagreement</td></tr>
<tr><td>Enter</td><td>accept the candidate into gold</td></tr>
<tr><td>x</td><td>reject it</td></tr>
<tr><td>1 … 9</td><td>take that annotator's version of the region</td></tr>
<tr><td>u</td><td>accept every unanimous candidate of the document</td></tr>
<tr><td>Alt + arrows, letters, s / v</td><td>fix a gold span's boundaries, label, link (as in
annotation)</td></tr>
<tr><td>Ctrl+Enter</td><td>mark the document reviewed, open the next one</td></tr>
<tr><td>Ctrl+Z, Ctrl+Shift+Z</td><td>undo, redo any decision</td></tr>
</table>
<p>Underlines: solid = every annotator, dashed = a majority, dotted = a minority.</p>"""


class MainWindow(QMainWindow):
    """The annotation window; with a ReviewViewModel and a ReviewQueueViewModel, review mode:
    the document's gold set, the candidates merged from the annotators' sets, the agreement bar
    and the annotators' versions of the region being decided."""

    font_changed = Signal(str, int)  # the article's font family and size, for the settings
    mode_requested = Signal(str)     # "review" or "annotate": app.py opens that window instead

    def __init__(self, vm: AnnotationViewModel, queue: QueueViewModel | ReviewQueueViewModel,
                 schema: Schema, *, user: str, font_family: str, font_size: int) -> None:
        super().__init__()
        self.vm = vm
        self.queue = queue
        self.schema = schema
        self.user = user
        self.review = isinstance(vm, ReviewViewModel)
        self.setWindowTitle(f"annotator — {user}" + (" — مراجعة review" if self.review else ""))
        self.article = ArticleView(vm, schema, keys=review_command_for_key if self.review
                                   else command_for_key)
        self.article.set_article_font(font_family, font_size)
        self.palette_bar = LabelPalette(schema)
        self.search_bar = SearchBar(vm, schema)
        self.search_bar.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.palette_bar)
        layout.addWidget(self.search_bar)
        self.agreement_bar: AgreementBar | None = None
        if isinstance(vm, ReviewViewModel):
            self.agreement_bar = AgreementBar(vm)
            layout.addWidget(self.agreement_bar)
        layout.addWidget(self.article, 1)
        self.setCentralWidget(central)

        if isinstance(queue, ReviewQueueViewModel):
            self.queue_panel = QueuePanel(queue, model=ReviewQueueModel(queue),
                                          statuses=REVIEW_STATUS_NAMES)
        else:
            self.queue_panel = QueuePanel(queue)
        queue_dock = self._dock("قائمة المقالات Queue", self.queue_panel,
                                Qt.DockWidgetArea.RightDockWidgetArea)
        self.span_list = SpanList(vm, schema, keys=review_command_for_key if self.review
                                  else command_for_key)
        self.details = DetailsPanel(vm, schema)
        side = QSplitter(Qt.Orientation.Vertical)
        self.versions: VersionsPanel | None = None
        if isinstance(vm, ReviewViewModel):
            self.versions = VersionsPanel(vm, schema)
            side.addWidget(self.versions)
        side.addWidget(self.span_list)
        side.addWidget(self.details)
        for n, stretch in enumerate([3, 3, 2] if self.review else [3, 2]):
            side.setStretchFactor(n, stretch)
        spans_dock = self._dock("المقاطع Spans", side, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._docks = (queue_dock, spans_dock)
        self._docks_sized = False

        self.closing: list[Callable[[], None]] = []   # run when the window closes (app.py)
        self.user_label = QLabel(f"المعلق annotator: {user}")
        self.progress_label = QLabel()
        self.saved_label = QLabel("كل شيء محفوظ all saved")
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
        queue.changed.connect(self._show_progress)
        queue.item_changed.connect(lambda _id: self._show_progress())
        vm.document_opened.connect(self._show_progress)
        vm.status_changed.connect(lambda _status: self._show_progress())
        if isinstance(vm, ReviewViewModel):
            # the figures of a long book take a moment: after the document shows
            vm.document_opened.connect(lambda: QTimer.singleShot(0, self._load_figures))
        self.timer = QTimer(self)
        self.timer.timeout.connect(vm.flush_time)
        self.timer.start(TIME_FLUSH_MS)
        # other windows and processes: their changes to the open set show within a second
        self.watch_timer = QTimer(self)
        self.watch_timer.timeout.connect(self._poll_external)
        self.watch_timer.start(WATCH_MS)
        self._show_progress()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._docks_sized:   # the article keeps about half the width, whatever the size
            self._docks_sized = True
            width = self.width()
            self.resizeDocks(list(self._docks), [int(width * QUEUE_SHARE), int(width * SPANS_SHARE)],
                             Qt.Orientation.Horizontal)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _actions(self) -> None:
        def action(menu_name: str, text: str, keys: list[QKeySequence | str], slot) -> QAction:  # type: ignore[no-untyped-def]
            item = QAction(text, self)
            item.setShortcuts([QKeySequence(k) for k in keys])
            item.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            item.triggered.connect(slot)
            menus[menu_name].addAction(item)
            return item

        bar = self.menuBar()
        menus = {"file": bar.addMenu("ملف File"), "edit": bar.addMenu("تحرير Edit"),
                 "view": bar.addMenu("عرض View")}
        if self.review:
            menus["review"] = bar.addMenu("مراجعة Review")
        menus["help"] = bar.addMenu("مساعدة Help")
        done = "روجع، التالي Reviewed, next document" if self.review \
            else "تم، التالي Done, next document"
        action("file", done, ["Ctrl+Return", "Ctrl+Enter"], self.done_and_next)
        if self.review:
            action("file", "وضع التعليق Annotation mode", [],
                   lambda: self.mode_requested.emit("annotate"))
        else:
            action("file", "وضع المراجعة Review mode (reviewers)", [],
                   lambda: self.mode_requested.emit("review"))
        action("view", "الاتفاق Agreement…", [], self.show_agreement)
        action("view", "أداء الاقتراحات Suggestion outcomes…", [], self.show_suggestion_stats)
        if not self.review:
            menus["suggest"] = bar.addMenu("اقتراحات Suggestions")
            for text, command in (("الاقتراح التالي Next suggestion (Tab)",
                                   Command("suggestion", (1,))),
                                  ("الاقتراح السابق Previous suggestion (Shift+Tab)",
                                   Command("suggestion", (-1,))),
                                  ("قبول Accept (Enter)", Command("accept_suggestion")),
                                  ("رفض Reject (x)", Command("reject_suggestion")),
                                  ("قبول الكل Accept all (Shift+Enter)",
                                   Command("accept_all_suggestions"))):
                action("suggest", text, [], lambda _=False, c=command: self.run_command(c))
        if self.review:
            for text, command in (("الخلاف التالي Next disagreement (Tab)", Command("next", (1,))),
                                  ("الخلاف السابق Previous disagreement (Shift+Tab)",
                                   Command("next", (-1,))),
                                  ("قبول Accept (Enter)", Command("accept")),
                                  ("رفض Reject (x)", Command("reject")),
                                  ("قبول المتفق عليه Accept all unanimous (u)",
                                   Command("unanimous"))):
                action("review", text, [], lambda _=False, c=command: self.run_command(c))
        action("file", "خروج Quit", [QKeySequence.StandardKey.Quit], self.close)
        action("edit", "تراجع Undo", [QKeySequence.StandardKey.Undo], self.vm.undo)
        action("edit", "إعادة Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.vm.redo)
        action("edit", "بحث Find", [QKeySequence.StandardKey.Find], self.open_search)
        action("view", "تكبير Zoom in", ["Ctrl++", "Ctrl+="], lambda: self.zoom(1))
        action("view", "تصغير Zoom out", ["Ctrl+-"], lambda: self.zoom(-1))
        action("view", "التنقل بين الأجزاء Next pane", ["F6"], self.next_pane)
        action("help", "المفاتيح Keyboard", ["F1"], self.show_help)
        self.font_menu = menus["view"].addMenu("الخط Font")

    # -- actions -----------------------------------------------------------------------------

    def run_command(self, command: Command) -> None:
        if isinstance(self.vm, ReviewViewModel) and self._review_command(self.vm, command):
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
        if isinstance(self.vm, ReviewViewModel) and self.agreement_bar is not None:
            self.vm.load_figures()
            self.agreement_bar.refresh()

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
        self.article.setFocus()

    def done_and_next(self) -> None:
        if self.vm.document is None:
            return
        current = self.vm.document.id or 0
        self.vm.mark_done()
        self._document_changed()
        following = self.queue.next_after(current)
        if following is None:
            self.statusBar().showMessage("كل المقالات منجزة — every document is done", 8000)
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
        listing = "\n".join(f"{h.start}–{h.end}  {h.text}" for h in hits[:40])
        more = f"\n… and {len(hits) - 40} more" if len(hits) > 40 else ""
        answer = QMessageBox.question(
            self, "وسم الكل Label all hits",
            f"Label {len(hits)} hits as {label}?\n\n{listing}{more}")
        if answer == QMessageBox.StandardButton.Yes:
            self.vm.label_all_hits(label)

    def zoom(self, steps: int) -> None:
        size = self.article.zoom(steps)
        self.statusBar().showMessage(f"{size} pt", 2000)
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
        QMessageBox.information(self, "المفاتيح Keyboard",
                                REVIEW_HELP + SHORTCUTS_HELP if self.review else SHORTCUTS_HELP)

    # -- status ------------------------------------------------------------------------------

    def _saved(self) -> None:
        self.saved_label.setText(f"محفوظ saved {QTime.currentTime().toString('HH:mm:ss')}")

    def _document_changed(self) -> None:
        if self.vm.document is not None and self.vm.document.id is not None:
            self.queue.update(self.vm.document.id, status=self.vm.status, spans=len(self.vm.spans))

    def _show_progress(self) -> None:
        done, total = self.queue.progress()
        if self.review:
            status = REVIEW_STATUS_NAMES[review_status(self.vm.status)] if self.vm.document else ""
            self.progress_label.setText(f"{done}/{total} روجع reviewed"
                                        + (f"  |  {status}" if status else ""))
            return
        status = STATUS_NAMES.get(self.vm.status, "") if self.vm.document else ""
        self.progress_label.setText(f"{done}/{total} منجز done" + (f"  |  {status}" if status else ""))

    def _poll_external(self) -> None:
        from annotator.core.errors import UserError

        try:
            if self.vm.poll_external():
                self.statusBar().showMessage("تغير من مكان آخر — changed elsewhere: reloaded",
                                             4000)
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
